"""The long mode of the hostile-query property test: 20,000 examples (by default) per target.

    python bench/fuzz_long.py                       # seed index, HTTP and CLI, 20,000 examples each
    python bench/fuzz_long.py --examples 2000 --target http --synthetic 2000   # a bigger index
    python bench/fuzz_long.py --examples 2000 --index /tmp/pprnet-10k            # an existing index

The strategies and checks are those of ``bench/hostile_inputs.py`` (``tests/test_reliability_hostile.py``
runs 500 examples of them in CI): arbitrary query text and parameters against ``/search``,
``/search.atom``, ``/api/search`` and ``/api/suggest`` (Flask test client), and arbitrary options and
words against ``run.py search``
(``run.main`` in-process). Each answer must be 200 or 400 (414 over the query-string limit) with
well-formed HTML, XML or JSON, no trace, within ``TIME_LIMIT`` CPU seconds. A failure is shrunk by
hypothesis and printed with its reproduction blob; the exit status is then 1. At the end: the status
counts and the slowest examples. Bounded: ``--examples`` per target, and hypothesis stops early only
on a failure. Nothing is served on a socket; the index is built in a temporary folder.
"""
from __future__ import annotations

import argparse
import collections
import heapq
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="examples per target (default 20,000)")
    parser.add_argument("--target", choices=("http", "cli", "both"), default="both")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="fuzz an index of N synthetic posts (bench/synth.py) instead of the seed corpus")
    parser.add_argument("--index", type=Path, help="fuzz this existing index (e.g. one bench/load.py built)")
    parser.add_argument("--seed", type=int, help="hypothesis seed, to repeat a run")
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error("--examples must be positive")

    from hypothesis import given, seed, settings

    from bench import hostile_inputs as hostile
    from indexer.build import build_index
    from search.store import write_index
    from webui import ENGINE_KEY, create_app

    statuses: collections.Counter = collections.Counter()
    slowest: list[tuple[float, str]] = []

    def timed(label: str, check, *call_args) -> None:
        started = time.perf_counter()
        status = check(*call_args)
        elapsed = time.perf_counter() - started
        statuses[(label, status)] += 1
        item = (elapsed, f"{label} {str(call_args[1:])[:160]}")
        if len(slowest) < 10:
            heapq.heappush(slowest, item)
        else:
            heapq.heappushpop(slowest, item)

    failures = 0
    with tempfile.TemporaryDirectory(prefix="pprnet-fuzz-") as scratch:
        index = Path(scratch) / "index"
        if args.index:
            index = args.index
        elif args.synthetic:
            from bench.synth import generate_posts

            print(f"building a {args.synthetic}-post synthetic index ...", file=sys.stderr, flush=True)
            write_index(generate_posts(args.synthetic), index)
        else:
            build_index(REPO / "corpus", index)
        from search.store import index_problem

        problem = index_problem(index)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        app = create_app({"INDEX_DIR": str(index)})
        client = app.test_client()
        client.get("/healthz")  # open the index once, outside the timed examples
        fuzz_settings = settings(max_examples=args.examples, **hostile.FUZZ_SETTINGS)

        @fuzz_settings
        @given(path=hostile.PATHS, query_string=hostile.QUERY_STRING)
        def fuzz_http(path, query_string):
            timed("http", hostile.check_http, client, path, query_string)

        @fuzz_settings
        @given(options=hostile.CLI_OPTIONS, words=hostile.CLI_WORDS)
        def fuzz_cli(options, words):
            timed("cli", hostile.check_cli, index, options, words)

        targets = {"http": [fuzz_http], "cli": [fuzz_cli], "both": [fuzz_http, fuzz_cli]}[args.target]
        try:
            for target in targets:
                if args.seed is not None:
                    target = seed(args.seed)(target)
                started = time.monotonic()
                print(f"{target.__name__}: {args.examples} examples ...", file=sys.stderr, flush=True)
                try:
                    target()
                    print(f"{target.__name__}: passed in {time.monotonic() - started:.0f} s", file=sys.stderr)
                except Exception:
                    failures += 1
                    traceback.print_exc()
                    print(f"{target.__name__}: FAILED after {time.monotonic() - started:.0f} s", file=sys.stderr)
        finally:
            app.extensions[ENGINE_KEY].close()

    print("\nanswers by target and status:")
    for (label, status), count in sorted(statuses.items(), key=str):
        print(f"  {label:5} {status}: {count}")
    print("slowest examples:")
    for elapsed, label in sorted(slowest, reverse=True):
        print(f"  {1000 * elapsed:8.1f} ms  {label}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
