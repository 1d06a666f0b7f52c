"""Load test: the web app under gunicorn on loopback, many concurrent clients, a mixed workload.

    python bench/load.py                          # seed corpus, 2 workers, 32 clients, 60 s
    python bench/load.py --corpus 10000           # 10,000 synthetic posts (bench/synth.py), built once
    python bench/load.py --clients 8 --duration 10 --index /tmp/my-index   # an existing index

What it does: builds (or reuses) an index, starts ``gunicorn -w WORKERS 'webui:create_app()'`` on a
free 127.0.0.1 port (the index is passed in ``PPRNET_INDEX_DIR``), waits for ``/healthz``, warms every
worker, then runs CLIENTS threads for DURATION seconds (bounded also by ``--max-requests``), each
sending the next request of a mixed workload and waiting for its answer (closed loop):

- endpoints: 70% ``/search`` (the HTML page people use), 20% ``/api/search``, 10% ``/api/suggest``;
- queries: the evaluation queries of ``/work/shared/eval/queries.json``, generated clinicians'
  questions (``bench/workload.py``), one or two words with one or two facet filters whose values are
  taken from the served index's own facets (so they select something), and for synthetic corpora the
  seeded workload of ``bench/workload.py``.

It reports requests/s, latency p50/p95/p99/max (overall and per endpoint) and the error count (any
status other than 200, or a failed connection), prints a table and writes JSON to ``--out``. Gunicorn
is always stopped (SIGTERM, then SIGKILL) in a ``finally``. Loopback only; nothing is fetched.

The functions here (``Gunicorn``, ``run_load``) are also used by ``tests/test_reliability_rebuild.py``.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

EVAL_QUERIES = Path("/work/shared/eval/queries.json")
HOST = "127.0.0.1"
DEFAULT_CLIENTS = 32
DEFAULT_DURATION = 60.0
DEFAULT_WORKERS = 2
REQUEST_TIMEOUT = 30.0


# --------------------------------------------------------------------------------------------------
# gunicorn
# --------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
    """One GET on loopback (a fresh connection: gunicorn's sync workers close after each answer)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def readme_gunicorn_options() -> dict[str, str]:
    """The options of the gunicorn command README.md documents (``--workers`` -> ``4``, ...)."""
    import shlex

    line = next(line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                if " gunicorn " in line and "create_app()" in line)
    words = shlex.split(line)
    words = words[words.index("gunicorn") + 1:]
    return {word: words[i + 1] for i, word in enumerate(words) if word.startswith("--")}


class Gunicorn:
    """``gunicorn -w N 'webui:create_app()'`` on a free loopback port over ``index_dir``; a context
    manager that always stops it (SIGTERM to the master, then SIGKILL to the process group)."""

    def __init__(self, index_dir: Path, *, workers: int = DEFAULT_WORKERS, log_path: Path | None = None,
                 timeout: int = 60, extra_args: tuple[str, ...] = ()) -> None:
        self.index_dir = Path(index_dir)
        self.workers = workers
        self.port = free_port()
        self.log_path = log_path
        self.timeout = timeout
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> "Gunicorn":
        env = dict(os.environ, PPRNET_INDEX_DIR=str(self.index_dir))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"{HOST}:{self.port}",
                   "--timeout", str(self.timeout), "--graceful-timeout", "5", "--log-level", "warning",
                   *self.extra_args, "webui:create_app()"]
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode} (log: {self.log_path})")
            try:
                if get(self.port, "/healthz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz in time")
            time.sleep(0.1)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group we started: master and its workers
                process.wait(timeout=10)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None


# --------------------------------------------------------------------------------------------------
# The load generator
# --------------------------------------------------------------------------------------------------
@dataclass
class Result:
    path: str
    status: int  # 0: the connection failed
    seconds: float
    body: bytes = b""
    error: str = ""


@dataclass
class LoadReport:
    results: list[Result] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.status != 200]

    def summary(self) -> dict:
        def figures(results: list[Result]) -> dict:
            times = sorted(r.seconds for r in results)
            if not times:
                return {"requests": 0}
            pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
            return {"requests": len(times), "errors": sum(r.status != 200 for r in results),
                    "p50_ms": round(1000 * statistics.median(times), 1), "p95_ms": round(1000 * pick(0.95), 1),
                    "p99_ms": round(1000 * pick(0.99), 1), "max_ms": round(1000 * times[-1], 1)}

        endpoints = sorted({r.path.split("?")[0] for r in self.results})
        return {
            "wall_seconds": round(self.wall_seconds, 2),
            "requests_per_second": round(len(self.results) / self.wall_seconds, 1) if self.wall_seconds else 0.0,
            "overall": figures(self.results),
            "by_endpoint": {e: figures([r for r in self.results if r.path.split("?")[0] == e]) for e in endpoints},
            "error_samples": [(r.path[:120], r.status, r.error[:200]) for r in self.errors[:10]],
        }


def run_load(port: int, next_path: Callable[[int, int], str], *, clients: int, duration: float,
             max_requests: int = 1_000_000, stop: threading.Event | None = None, keep_bodies: bool = False,
             timeout: float = REQUEST_TIMEOUT) -> LoadReport:
    """``clients`` threads in a closed loop for at most ``duration`` seconds and ``max_requests``
    requests in all (or until ``stop`` is set). ``next_path(client, n)`` gives each request's path."""
    stop = stop or threading.Event()
    report = LoadReport()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    started = time.monotonic()
    deadline = started + duration

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            path = next_path(number, sent)
            sent += 1
            began = time.perf_counter()
            try:
                status, body = get(port, path, timeout=timeout)
                error = ""
            except (OSError, http.client.HTTPException) as failure:
                status, body, error = 0, b"", repr(failure)
            result = Result(path, status, time.perf_counter() - began, body if keep_bodies or status != 200 else b"",
                            error)
            with lock:
                report.results.append(result)

    threads = [threading.Thread(target=client, args=(n,), name=f"load-{n}", daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + timeout + 5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=timeout + 5)
    report.wall_seconds = time.monotonic() - started
    return report


# --------------------------------------------------------------------------------------------------
# The workload
# --------------------------------------------------------------------------------------------------
_FALLBACK_QUESTIONS = (
    "How can I help clients with depression?", "What works for burnout in therapists?",
    "Does supervision reduce therapist burnout?", "Is online therapy as good as face to face therapy?",
    "What predicts dropout from psychotherapy?", "Does the alliance matter for outcome?",
    "How should therapists handle ruptures with clients?", "What do patients want from therapy?",
)


def _eval_queries() -> list[str]:
    try:
        return [entry["q"] for entry in json.loads(EVAL_QUERIES.read_text(encoding="utf-8"))["queries"]]
    except (OSError, ValueError, KeyError):
        return ["burnout supervision", "telepsychology", "mentalizing training", "CBT", "year:2019"]


def _generated(corpus_size: int | None, count: int = 400) -> tuple[list[str], list[tuple[str, dict]]]:
    """Questions (any corpus) and, for a synthetic corpus, its seeded workload (query, filters)."""
    try:
        from bench.workload import make_workload

        workload = make_workload(count, corpus_size or 1000)
    except Exception:  # the workload module is another benchmark's: fall back to fixed questions
        return list(_FALLBACK_QUESTIONS), []
    questions = [query.q for query in workload if query.cls == "question"] or list(_FALLBACK_QUESTIONS)
    seeded = [(query.q, query.filters) for query in workload] if corpus_size else []
    return questions, seeded


def make_paths(port: int, *, synthetic_size: int | None, count: int = 2000, seed: int = 7) -> list[str]:
    """A fixed, shuffled list of request paths (the load cycles through it)."""
    rng = random.Random(seed)
    status, body = get(port, "/api/search?page_size=1")
    facets = json.loads(body)["facets"] if status == 200 else {}
    facet_values = {name: [c["value"] for c in counts if c["count"]] for name, counts in facets.items()}
    facet_values = {name: values for name, values in facet_values.items() if values}
    evals = _eval_queries()
    questions, seeded = _generated(synthetic_size)
    words = sorted({word.strip('?"').lower() for q in evals + questions for word in q.split()
                    if word.isalpha() and len(word) > 4})
    prefixes = sorted({word[:n] for word in words for n in (2, 3, 4)})

    def search_params() -> list[tuple[str, str]]:
        roll = rng.random()
        if seeded and roll < 0.4:
            query, filters = rng.choice(seeded)
            return [("q", query)] + [(facet, value) for facet, values in filters.items() for value in values]
        if roll < 0.55:
            return [("q", rng.choice(evals))]
        if roll < 0.8:
            return [("q", rng.choice(questions))]
        params = [("q", " ".join(rng.sample(words, rng.choice((1, 2)))))] if rng.random() < 0.7 else []
        for facet in rng.sample(sorted(facet_values), min(len(facet_values), rng.choice((1, 2)))):
            params.append((facet, rng.choice(facet_values[facet])))
        if rng.random() < 0.2:
            params.append(("sort", "newest"))
        return params

    paths = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.7:
            paths.append("/search?" + urlencode(search_params()))
        elif roll < 0.9:
            paths.append("/api/search?" + urlencode(search_params()))
        else:
            paths.append("/api/suggest?" + urlencode({"q": rng.choice(prefixes)}))
    return paths


# --------------------------------------------------------------------------------------------------
# Indexes
# --------------------------------------------------------------------------------------------------
def build_seed_index(root: Path) -> Path:
    from indexer.build import build_index

    build_index(REPO / "corpus", root)
    return root


def build_synthetic_index(root: Path, size: int) -> Path:
    from bench.synth import generate_posts
    from search.store import read_meta, write_index

    meta = read_meta(root)
    if meta and meta.get("source", {}).get("synthetic_posts") == size:
        from search.store import index_problem

        if index_problem(root) is None:
            print(f"reusing the {size}-post synthetic index in {root}", file=sys.stderr)
            return root
    print(f"building a {size}-post synthetic index in {root} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    write_index(generate_posts(size), root, source={"synthetic_posts": size})
    print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="seed", help="'seed' (corpus/) or a number of synthetic posts (e.g. 10000)")
    parser.add_argument("--index", type=Path, help="index folder: reused if it holds that corpus, else built there")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--duration", type=float, default=DEFAULT_DURATION, help="seconds of load (default 60)")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--out", type=Path, help="write the report as JSON here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.workers < 1 or args.max_requests < 1:
        parser.error("--clients, --duration, --workers and --max-requests must be positive")

    with tempfile.TemporaryDirectory(prefix="pprnet-load-") as scratch:
        synthetic = None if args.corpus == "seed" else int(args.corpus)
        index = args.index or Path(scratch) / "index"
        if synthetic:
            build_synthetic_index(index, synthetic)
        elif args.index is None or not (index / "current").exists():
            build_seed_index(index)
        log = Path(scratch) / "gunicorn.log"
        with Gunicorn(index, workers=args.workers, log_path=log) as server:
            paths = make_paths(server.port, synthetic_size=synthetic)
            for path in paths[: 20 * args.workers]:  # warm every worker (each opens the index once)
                get(server.port, path)
            report = run_load(server.port, lambda client, n: paths[(client * 7919 + n) % len(paths)],
                              clients=args.clients, duration=args.duration, max_requests=args.max_requests)
            stats = json.loads(get(server.port, "/healthz")[1])
        summary = {"corpus": args.corpus, "posts": stats.get("posts"), "workers": args.workers,
                   "clients": args.clients, "duration_s": args.duration, **report.summary()}
        if report.errors and log.exists():
            summary["gunicorn_log_tail"] = log.read_text(errors="replace")[-2000:]
    print(json.dumps(summary, indent=2))
    overall = summary["overall"]
    print(f"\n{summary['posts']} posts, {args.workers} workers, {args.clients} clients, {report.wall_seconds:.0f} s: "
          f"{summary['requests_per_second']} requests/s, p50 {overall.get('p50_ms')} ms, p95 {overall.get('p95_ms')} ms, "
          f"p99 {overall.get('p99_ms')} ms, errors {overall.get('errors')}", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
