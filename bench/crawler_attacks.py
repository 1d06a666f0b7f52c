"""The crawler's fetcher against two attacks on loopback, before and after issue 14's bounds.

    python bench/crawler_attacks.py [--before COMMIT] [--bomb-mb 1024] [--trickle-every 1] [--timeout 3]

Each measurement runs in its own child process and reports wall time, peak RSS (ru_maxrss) and the
outcome. "before" loads ``indexer/fetch.py`` as it was at COMMIT (default: the commit before the
bounds) from git; "after" is the working tree. Attacks:

- gzip bomb: a body of zeros that is about 1 KB per MB on the wire (1 GiB -> ~1 MB), 16 MB body cap;
- trickle: a page sent one byte every ``--trickle-every`` seconds, ``--timeout`` seconds allowed,
  no retries; a child still running after ``--kill-after`` seconds is killed and reported so.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEFORE_COMMIT = "df41db4"


def _fetch_module(variant: str, commit: str):
    if variant == "after":
        import indexer.fetch as module

        return module
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:indexer/fetch.py"], check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("fetch_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fetch_before"] = module  # dataclasses look their module up there
    exec(compile(source, "fetch_before.py", "exec"), module.__dict__)  # noqa: S102 (our own file at a commit)
    return module


def _measure(variant: str, attack: str, options: argparse.Namespace) -> dict:
    from bench.hostile_site import HostileSite

    fetch = _fetch_module(variant, options.before)
    path = {"bomb": "/bomb", "trickle": "/trickle"}[attack]
    with HostileSite(bomb_bytes=options.bomb_mb * 1024 * 1024, trickle_every=options.trickle_every) as site:
        if variant == "after":
            from indexer.crawl_settings import CrawlSettings

            client = fetch.Fetcher(CrawlSettings(base_url=site.url("/"), delay=0, timeout=options.timeout, retries=0))
        else:
            client = fetch.Fetcher(delay=0, timeout=options.timeout, retries=0)
        client.load_robots(site.url("/"))
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.monotonic()
        try:
            response = client.get(site.url(path))
            outcome = f"returned a {len(response.body)}-byte body"
        except fetch.FetchError as error:
            outcome = f"FetchError: {error.reason}"
        elapsed = time.monotonic() - started
        wire = len(site.bomb) if attack == "bomb" else None
    return {
        "variant": variant,
        "attack": attack,
        "seconds": round(elapsed, 2),
        "rss_before_mb": round(baseline, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes_on_the_wire": wire,
        "outcome": outcome[:160],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE_COMMIT, help="the commit measured as 'before' (default: %(default)s)")
    parser.add_argument("--bomb-mb", type=int, default=1024, help="the bomb's decompressed size in MB (default: %(default)s)")
    parser.add_argument("--trickle-every", type=float, default=1.0, help="seconds between trickled bytes (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=3.0, help="the fetcher's timeout in seconds (default: %(default)s)")
    parser.add_argument("--kill-after", type=float, default=30.0, help="kill a measurement after this many seconds (default: %(default)s)")
    parser.add_argument("--one", nargs=2, metavar=("VARIANT", "ATTACK"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.one:
        print(json.dumps(_measure(*options.one, options)))
        return 0
    rows = []
    for attack in ("bomb", "trickle"):
        for variant in ("before", "after"):
            command = [sys.executable, __file__, "--one", variant, attack, "--before", options.before,
                       "--bomb-mb", str(options.bomb_mb), "--trickle-every", str(options.trickle_every),
                       "--timeout", str(options.timeout)]
            started = time.monotonic()
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=options.kill_after, check=False)
                row = json.loads(done.stdout) if done.returncode == 0 else {
                    "variant": variant, "attack": attack, "outcome": f"child failed: {done.stderr.strip()[-200:]}"}
            except subprocess.TimeoutExpired:
                row = {"variant": variant, "attack": attack, "seconds": f"> {options.kill_after:g} (killed)",
                       "outcome": "still reading when killed"}
            row.setdefault("seconds", round(time.monotonic() - started, 2))
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    print("| attack | variant | seconds | RSS before MB | peak RSS MB | on the wire | outcome |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['attack']} | {row['variant']} | {row.get('seconds')} | {row.get('rss_before_mb', '-')} | {row.get('peak_rss_mb', '-')} | "
              f"{row.get('bytes_on_the_wire') or '-'} | {row['outcome']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
