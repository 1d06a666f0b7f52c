"""The benchmark harness: build, query and serve synthetic corpora; compare with SQLite FTS5 and tantivy.

    python bench/run.py                 # 1,000 and 10,000 posts: the whole table of issue 20 (bench/README.md)
    python bench/run.py --sizes 1000,10000 [--queries 300] [--http] [--profile 50] [--out bench/results]

For each corpus size it

1. builds our index through the production path (``search.store.write_index``, production schema
   and analysis) in a temporary directory, in a fresh child process: build time, docs/s (time spent
   generating the synthetic posts is measured and left out), index size on disk, the child's peak RSS;
2. builds the two references of the same posts the same way: SQLite FTS5 (``bench.fts5_reference``)
   and tantivy (``bench.tantivy_reference``, when the ``tantivy`` package is installed);
3. in one more fresh child process, opens the three, warms them with a separate warm-up workload (same
   mix, another seed: warm searcher and caches, but no measured query is a repeat of a warm-up one),
   then runs the seeded workload with the engines interleaved query by query (the order rotating),
   timing our full ``SearchEngine.search`` call (page 1, 10 per page: ranking, disjunctive counts of
   the five facets, highlights of the 10 hits, spelling check) and each reference's equivalent;
4. in another fresh child, our engine alone runs the warm-up and the workload: its RSS.

Then, once per run: the one-shot CLI search and the web app's first search on the index of the size
nearest 1,000 posts (``bench.startup``, fresh processes), ``run.py index`` over listing pages of
``--html-posts`` synthetic posts (``bench.html_index``), the line count of ``search/``, and a cProfile
of ``--profile N`` queries on the largest index of at most 10,000 posts. The report opens with the
table of issue 20 (measure, ours, reference, ratio, target, met), built by ``bench.report``.

With ``--http`` it serves the largest built index of at most 10,000 posts, and the smallest one of at
most 500 (seed-sized) if there is one, with gunicorn (2 workers, a free 127.0.0.1 port), warms it,
sends the workload sequentially to ``/search`` (HTML), restarts (so no answer is served from a cache
warmed by the other endpoint), does the same for ``/api/search``, and records each worker's RSS.
Requests and time are bounded; gunicorn is always stopped.

Results: ``<out>/<date>.json`` (every number, per-query timings, machine), ``<out>/<date>.md`` (the
tables, also printed), ``<out>/<date>-p95.png`` (latency against corpus size; needs matplotlib) and
``<out>/<date>-profile.txt``.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib
import importlib.util
import io
import json
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: python bench/run.py
    sys.path.insert(0, str(REPO))

from bench import fts5_reference, html_index, startup, synth  # noqa: E402
from bench.report import check_targets, issue20_table, markdown, write_outputs  # noqa: E402
from bench.workload import CLASSES, Query, class_counts, make_workload  # noqa: E402

DEFAULT_OUT = REPO / "bench" / "results"
DEFAULT_SIZES = (1_000, 10_000)
HTTP_MAX_POSTS = 10_000  # the largest size served through HTTP
SEED_SIZED_POSTS = 500  # a size up to this is "seed-sized": also served, for the 30 ms HTTP target
BLOG_POSTS = 1_000  # the one-shot and web-app measures use the built index nearest this size
HTML_POSTS = 10_000  # posts written as HTML pages for the end-to-end ``index`` measure
STARTUP_RUNS = 5  # fresh processes per start-up measure
PAGE_SIZE = 10
WORKLOAD_SEED = 1
WARMUP_SEED = 2
SEARCH_PACKAGE = REPO / "search"

# The reference engines: name -> module with ``build(posts, path)`` and the class that searches.
REFERENCES = {"fts5": ("bench.fts5_reference", "Fts5Reference"),
              "tantivy": ("bench.tantivy_reference", "TantivyReference")}


# -- small helpers -----------------------------------------------------------------------------
def _now() -> float:
    return time.perf_counter()


def _proc_status(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process in MB, from /proc (empty where /proc is missing)."""
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    found[name.lower() + "_mb"] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        pass
    return found


def _peak_rss_mb() -> float:
    """Peak RSS of this process."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KB on Linux


def _dir_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in Path(path).rglob("*") if entry.is_file())


def _timed(posts: Iterator, spent: list[float]) -> Iterator:
    """Yields ``posts``, adding the time spent producing them to ``spent[0]``."""
    while True:
        start = _now()
        try:
            post = next(posts)
        except StopIteration:
            spent[0] += _now() - start
            return
        spent[0] += _now() - start
        yield post


def _in_child(function: Callable, *args):
    """``function(*args)`` in a fresh (spawned) process: its own RSS, no state shared with us."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def summary(values: Iterable[float]) -> dict:
    """n, p50, p95, p99, mean and max of a list of milliseconds (inclusive quantiles)."""
    values = sorted(values)
    if not values:
        return {"n": 0}
    if len(values) == 1:
        quantiles = values * 99
    else:
        quantiles = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "n": len(values),
        "p50": round(quantiles[49], 3),
        "p95": round(quantiles[94], 3),
        "p99": round(quantiles[98], 3),
        "mean": round(statistics.fmean(values), 3),
        "max": round(values[-1], 3),
    }


def ratios(ours: list[float], reference: list[float]) -> dict:
    """Our latency as a multiple of the reference's: median of per-query ratios, ratio of p50s/p95s."""
    pairs = [(a, b) for a, b in zip(ours, reference) if b > 0]
    if not pairs:
        return {}
    ours_summary, reference_summary = summary(a for a, _ in pairs), summary(b for _, b in pairs)
    return {
        "median_of_ratios": round(statistics.median(a / b for a, b in pairs), 2),
        "p50_ratio": round(ours_summary["p50"] / reference_summary["p50"], 2),
        "p95_ratio": round(ours_summary["p95"] / reference_summary["p95"], 2),
    }


# -- work done in child processes ----------------------------------------------------------------
def build_ours(count: int, seed: int, root: str) -> dict:
    """Our index of ``count`` synthetic posts under ``root``, through the production write path."""
    from search.store import write_index

    def write(posts) -> tuple[int, int]:
        build = write_index(posts, root, source={"synthetic": True, "posts": count, "seed": seed})
        return count, _dir_bytes(build)

    return _measured_build(count, seed, write)


def available_references() -> list[str]:
    """The references this Python can run: FTS5 always (checked at the start), tantivy if installed."""
    return ["fts5"] + (["tantivy"] if importlib.util.find_spec("tantivy") is not None else [])


def _reference_module(name: str):
    return importlib.import_module(REFERENCES[name][0])


def build_reference(name: str, count: int, seed: int, path: str) -> dict:
    """The reference ``name``'s index of the same posts (a file for FTS5, a folder for tantivy)."""
    def write(posts) -> tuple[int, int]:
        written = _reference_module(name).build(posts, path)
        return written, _dir_bytes(Path(path)) if Path(path).is_dir() else Path(path).stat().st_size

    return _measured_build(count, seed, write)


def _measured_build(count: int, seed: int, write: Callable) -> dict:
    """Time ``write(posts) -> (posts written, bytes)`` over the synthetic posts, leaving out the time
    spent generating them, and the process's peak RSS."""
    baseline = _proc_status()
    spent = [0.0]
    start = _now()
    written, size = write(_timed(synth.generate_posts(count, seed), spent))
    seconds = _now() - start
    indexing = seconds - spent[0]
    return {
        "posts": written,
        "seconds": round(seconds, 3),
        "generate_seconds": round(spent[0], 3),
        "index_seconds": round(indexing, 3),
        "docs_per_s": round(count / indexing, 1),
        "bytes": size,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_rss_mb": baseline.get("vmrss_mb"),
    }


def _request(query: Query):
    from search.request import SearchRequest

    return SearchRequest(query=query.q, filters=dict(query.filters), page=1, page_size=PAGE_SIZE)


def _ours_row(engine, request, row: dict) -> None:
    """Our full call, timed, into ``row``."""
    begin = _now()
    try:
        response = engine.search(request)
    except Exception as error:  # recorded, not fatal: the harness reports every query
        row["ours_error"] = repr(error)
        return
    row["ours_ms"] = (_now() - begin) * 1000
    row.update(ours_total=response.total, ours_hits=len(response.hits),
               ours_facet_values=sum(len(counts) for counts in response.facets.values()),
               ours_facets=len(response.facets), suggestion=response.suggestion,
               corrected=response.corrected, ours_top=[hit.post.id for hit in response.hits])


def _reference_row(name: str, reference, query: Query, row: dict) -> None:
    """A reference's full call, timed, into ``row`` (keys prefixed with its name)."""
    begin = _now()
    try:
        result = reference.search(query.q, query.filters)
    except Exception as error:
        row[f"{name}_error"] = repr(error)
        return
    row[f"{name}_ms"] = (_now() - begin) * 1000
    row[f"{name}_facets_ms"] = result.facets_ms
    row.update({f"{name}_total": result.total, f"{name}_hits": len(result.hits),
                f"{name}_facet_values": sum(len(counts) for counts in result.facets.values()),
                f"{name}_facets": len(result.facets), f"{name}_top": [hit["post"]["id"] for hit in result.hits]})


def measure_queries(index_root: str, reference_paths: dict[str, str], workload: list[Query],
                    warmup: list[Query]) -> dict:
    """Our engine and the references warm, then the workload interleaved query by query (the order
    rotating, so each engine goes first as often); per-query rows and this process's RSS."""
    import gc

    from search.engine import SearchEngine

    engine = SearchEngine(index_root)
    for query in warmup:
        engine.search(_request(query))
    references = {}
    for name, path in reference_paths.items():
        references[name] = getattr(_reference_module(name), REFERENCES[name][1])(path)
        for query in warmup:
            references[name].search(query.q, query.filters)
    gc.collect()

    rows = []
    for query in workload:
        request = _request(query)
        row = {"index": query.index, "class": query.cls}
        calls = [lambda: _ours_row(engine, request, row)]
        calls += [lambda name=name, reference=reference: _reference_row(name, reference, query, row)
                  for name, reference in references.items()]
        turn = query.index % len(calls)
        for call in calls[turn:] + calls[:turn]:
            call()
        ours_top = row.pop("ours_top", None)
        for name in references:
            top = row.pop(f"{name}_top", None)
            if ours_top is not None and top is not None:
                row[f"{name}_top10_overlap"] = len(set(ours_top) & set(top))
        rows.append(row)
    for reference in references.values():
        reference.close()
    end = _proc_status()
    engine.close()
    return {"rss_mb": {"all_engines_after_workload": end.get("vmrss_mb"), "all_engines_peak": end.get("vmhwm_mb")},
            "rows": rows}


def engine_alone(index_root: str, workload: list[Query], warmup: list[Query]) -> dict:
    """Our engine alone in a fresh process: time to open (the first search), then the warm-up and the
    workload; the process's RSS at each step (what one web worker holds)."""
    from search.engine import SearchEngine

    before = _proc_status()
    engine = SearchEngine(index_root)
    queries = warmup + workload
    start = _now()
    if queries:
        engine.search(_request(queries[0]))
    first_ms = (_now() - start) * 1000
    after_first = _proc_status()
    for query in queries[1:]:
        engine.search(_request(query))
    end = _proc_status()
    engine.close()
    return {"first_search_ms": round(first_ms, 1),
            "rss_mb": {"before_open": before.get("vmrss_mb"), "after_first_search": after_first.get("vmrss_mb"),
                       "after_workload": end.get("vmrss_mb"), "peak": end.get("vmhwm_mb")}}


def profile_queries(index_root: str, workload: list[Query], warmup: list[Query], top: int = 25) -> dict:
    """cProfile over ``workload`` (after the warm-up): the functions that take the time."""
    from search.engine import SearchEngine

    engine = SearchEngine(index_root)
    for query in warmup:
        engine.search(_request(query))
    profiler = cProfile.Profile()
    start = _now()
    profiler.enable()
    for query in workload:
        engine.search(_request(query))
    profiler.disable()
    elapsed = _now() - start
    engine.close()
    stats = pstats.Stats(profiler)
    report = {"queries": len(workload), "seconds_profiled": round(elapsed, 3)}
    for key in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(key).print_stats(top)
        report[f"by_{key}_text"] = text.getvalue()
        entries = sorted(stats.stats.items(), key=lambda item: item[1][2 if key == "tottime" else 3], reverse=True)
        report[f"by_{key}"] = [
            {"function": f"{_short(filename)}:{line}({name})", "ncalls": calls, "tottime_s": round(tottime, 4),
             "cumtime_s": round(cumtime, 4)}
            for (filename, line, name), (_, calls, tottime, cumtime, _) in entries[:top]
        ]
    return report


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(REPO) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# -- HTTP -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    try:
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                        found.add(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
        return found


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _log_tail(path: Path, chars: int = 1500) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def _url(base: str, endpoint: str, query: Query) -> str:
    params = [("q", query.q)] + [(facet, value) for facet, values in query.filters.items() for value in values]
    return f"{base}{endpoint}?{urllib.parse.urlencode(params)}"


def _stop(process: subprocess.Popen, workers: set[int]) -> None:
    """Stop the gunicorn master we started (SIGTERM, then SIGKILL), then any of its workers left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pid in workers:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone
        if b"gunicorn" in cmdline:
            os.kill(pid, signal.SIGKILL)


def serve_and_measure(index_root: Path, endpoint: str, workload: list[Query], warmup: list[Query], *,
                      deadline: float, timeout: float, log_path: Path) -> dict:
    """Start gunicorn (2 workers) on the index, warm it, time ``workload`` on ``endpoint``, stop it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PPRNET_INDEX_DIR=str(index_root))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
               "--graceful-timeout", "5", "--log-level", "warning", "bench.wsgi:app"]
    workers: set[int] = set()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            started = _now()
            last = "no answer"
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {process.returncode}: {_log_tail(log_path)}")
                if time.monotonic() > deadline or _now() - started > 90:
                    raise RuntimeError(f"gunicorn did not become healthy in time (last /healthz: {last})")
                try:
                    status, body = _get(f"{base}/healthz", 5)
                    if status == 200:
                        break
                    last = f"{status} {body[:300].decode('utf-8', 'replace')}"
                    if status == 503 and _now() - started > 15:  # the app runs but cannot use the index
                        raise RuntimeError(f"the app reports the index unavailable: {last}")
                except OSError as error:
                    last = repr(error)
                time.sleep(0.2)
            startup_s = _now() - started
            workers |= _children(process.pid)
            for query in warmup:
                if time.monotonic() > deadline:
                    break
                _get(_url(base, endpoint, query), timeout)
            times: list[float] = []
            statuses: dict[str, int] = {}
            truncated = False
            for query in workload:
                if time.monotonic() > deadline:
                    truncated = True
                    break
                begin = _now()
                try:
                    status = _get(_url(base, endpoint, query), timeout)[0]
                except OSError as error:  # timeouts, refused connections
                    status = type(error).__name__
                times.append((_now() - begin) * 1000)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            workers |= _children(process.pid)
            worker_rss = {str(pid): _proc_status(pid) for pid in sorted(workers)}
        finally:
            workers |= _children(process.pid) if process.poll() is None else set()
            _stop(process, workers)
    return {
        "endpoint": endpoint,
        "startup_s": round(startup_s, 2),
        "latency_ms": summary(times),
        "statuses": statuses,
        "errors": sum(count for status, count in statuses.items() if status != "200"),
        "truncated": truncated,
        "worker_rss_mb": worker_rss,
        "max_worker_rss_mb": max((status.get("vmrss_mb", 0) for status in worker_rss.values()), default=None),
        "per_query_ms": [round(value, 3) for value in times],
    }


# -- the run ------------------------------------------------------------------------------------
def machine_info() -> dict:
    info = {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_start": [round(value, 2) for value in os.getloadavg()],
    }
    from importlib.metadata import PackageNotFoundError, version

    for key, package in (("whoosh", "Whoosh-Reloaded"), ("tantivy", "tantivy")):
        try:
            info[key] = version(package)
        except PackageNotFoundError:
            pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def git_info() -> dict:
    """The commit measured, and which engine files had uncommitted changes (others may be editing)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    status = git("status", "--porcelain", "--", "search", "indexer", "webui")
    return {"commit": git("rev-parse", "HEAD").strip(),
            "uncommitted_engine_files": [line[3:] for line in status.splitlines() if len(line) > 3]}


def _class_table(rows: list[dict], references: list[str]) -> dict:
    """Per query class (and "all"): latency summaries of each engine, ours as a multiple of each
    reference's, mean totals and top-10 overlaps. Only queries every engine answered count."""
    by_class = {}
    for cls in list(CLASSES) + ["all"]:
        chosen = [row for row in rows if cls in ("all", row["class"])
                  and all(f"{engine}_ms" in row for engine in ["ours", *references])]
        ours = [row["ours_ms"] for row in chosen]
        entry = {"n": len(chosen), "ours_ms": summary(ours), "ratio": {},
                 "mean_total": {"ours": round(statistics.fmean(row["ours_total"] for row in chosen), 1) if chosen else None},
                 "mean_top10_overlap": {}}
        for name in references:
            entry[f"{name}_ms"] = summary(row[f"{name}_ms"] for row in chosen)
            entry[f"{name}_without_facets_ms"] = summary(row[f"{name}_ms"] - row[f"{name}_facets_ms"] for row in chosen)
            entry["ratio"][name] = ratios(ours, [row[f"{name}_ms"] for row in chosen])
            entry["mean_total"][name] = round(statistics.fmean(row[f"{name}_total"] for row in chosen), 1) if chosen else None
            entry["mean_top10_overlap"][name] = (round(statistics.fmean(row.get(f"{name}_top10_overlap", 0) for row in chosen), 2)
                                                 if chosen else None)
        by_class[cls] = entry
    return by_class


def warmup_queries(workload: list[Query], count: int, size: int, seed: int) -> list[Query]:
    """Warm-up queries: the same mix from another seed, without any query the workload will measure
    (so an engine's result cache cannot answer a measured query from the warm-up)."""
    if not count:
        return []
    measured = {(query.q, tuple(sorted(query.filters.items()))) for query in workload}
    return [query for query in make_workload(count, size, seed=WARMUP_SEED, corpus_seed=seed)
            if (query.q, tuple(sorted(query.filters.items()))) not in measured]


def _serve_size(size: int, index_root: Path, workload: list[Query], warm: list[Query], *, http_seconds: float,
                http_timeout: float, log_path: Path, log: Callable[[str], None]) -> dict:
    """Both endpoints under gunicorn (2 workers) over the index of ``size`` posts."""
    deadline = time.monotonic() + http_seconds
    results = {}
    for endpoint in ("/search", "/api/search"):
        log(f"[{size:>7,} posts] HTTP {endpoint}: gunicorn -w 2 on 127.0.0.1 ...")
        try:
            results[endpoint] = serve_and_measure(index_root, endpoint, workload, warm, deadline=deadline,
                                                  timeout=http_timeout, log_path=log_path)
        except RuntimeError as error:  # reported, and the rest of the results are still written
            results[endpoint] = {"endpoint": endpoint, "failed": str(error)}
            log(f"[{size:>7,} posts] HTTP {endpoint} failed: {error}")
            continue
        latency = results[endpoint]["latency_ms"]
        log(f"[{size:>7,} posts] HTTP {endpoint}: p50 {latency.get('p50', 0):.1f} / p95 "
            f"{latency.get('p95', 0):.1f} ms, {results[endpoint]['errors']} errors,"
            f" worker RSS {results[endpoint]['max_worker_rss_mb']} MB")
    return {"posts": size, "workers": 2, "deadline_s": http_seconds, "endpoints": results}


def _measure_size(size: int, seed: int, queries: int, warmup: int, workdir: Path, references: list[str],
                  log: Callable[[str], None]) -> tuple[dict, tuple[Path, list[Query], list[Query]]]:
    """Build our index and the references of ``size`` posts, then time the workload on all of them."""
    log(f"[{size:>7,} posts] building our index ...")
    index_root = workdir / f"index-{size}"
    builds = {"ours": _in_child(build_ours, size, seed, str(index_root))}
    ours = builds["ours"]
    log(f"[{size:>7,} posts] built in {ours['seconds']:.1f} s ({ours['docs_per_s']:.0f} docs/s,"
        f" {ours['bytes'] / 2**20:.1f} MB, peak RSS {ours['peak_rss_mb']:.0f} MB)")
    paths = {"fts5": str(workdir / f"fts5-{size}.sqlite"), "tantivy": str(workdir / f"tantivy-{size}")}
    paths = {name: paths[name] for name in references}
    for name, path in paths.items():
        builds[name] = _in_child(build_reference, name, size, seed, path)
        log(f"[{size:>7,} posts] {name} built in {builds[name]['seconds']:.1f} s")
    workload = make_workload(queries, size, seed=WORKLOAD_SEED, corpus_seed=seed)
    warm = warmup_queries(workload, warmup, size, seed)
    log(f"[{size:>7,} posts] running {len(warm)} warm-up + {len(workload)} measured queries on each engine ...")
    measured = _in_child(measure_queries, str(index_root), paths, workload, warm)
    for row in measured["rows"]:
        query = workload[row["index"]]
        row.update(q=query.q, filters={facet: list(values) for facet, values in query.filters.items()})
    log(f"[{size:>7,} posts] our engine alone: warm-up and workload again, for its memory ...")
    alone = _in_child(engine_alone, str(index_root), workload, warm)
    table = _class_table(measured["rows"], references)
    result = {
        "posts": size,
        "build": builds,
        "engine_alone": alone,
        "engine_rss_mb": alone["rss_mb"],
        "measuring_process_rss_mb": measured["rss_mb"],
        "queries": table,
        "errors": {engine: sum(f"{engine}_error" in row for row in measured["rows"]) for engine in ["ours", *references]},
        "rows": measured["rows"],
    }
    overall = table["all"]
    log(f"[{size:>7,} posts] p50 / p95 ms: " + "; ".join(
        f"{engine} {overall[f'{engine}_ms'].get('p50', 0):.1f} / {overall[f'{engine}_ms'].get('p95', 0):.1f}"
        for engine in ["ours", *references]) + f"; our engine alone {alone['rss_mb']['after_workload']} MB")
    return result, (index_root, workload, warm)


def dump_responses(index_root: str, size: int, workload: list[Query], path: str) -> int:
    """Append our full-call responses to the workload (``to_dict``, the JSON users get) to ``path``, one
    JSON line per query, for a before/after comparison of two checkouts (``diff`` the files)."""
    from search.engine import SearchEngine

    engine = SearchEngine(index_root)
    with open(path, "a", encoding="utf-8") as out:
        for query in workload:
            response = engine.search(_request(query)).to_dict()
            out.write(json.dumps({"posts": size, **query.to_dict(), "response": response}, sort_keys=True,
                                 ensure_ascii=False) + "\n")
    engine.close()
    return len(workload)


def search_lines() -> dict:
    """Lines of the core library, as ``cat search/*.py | wc -l`` counts them."""
    files = sorted(SEARCH_PACKAGE.glob("*.py"))
    return {"files": len(files), "lines": sum(path.read_bytes().count(b"\n") for path in files)}


def run_benchmark(
    sizes: Iterable[int] = DEFAULT_SIZES,
    *,
    queries: int = 300,
    warmup: int = 100,
    seed: int = synth.DEFAULT_SEED,
    startup_runs: int = STARTUP_RUNS,
    html_posts: int = HTML_POSTS,
    http: bool = False,
    http_seconds: float = 300.0,
    http_timeout: float = 30.0,
    profile: int = 0,
    responses: Path | str | None = None,
    out: Path | str | None = DEFAULT_OUT,
    chart: bool = True,
    log: Callable[[str], None] = print,
) -> dict:
    """Run everything; write the results under ``out`` (unless None). Returns the report.
    ``startup_runs=0`` skips the one-shot and web-app measures, ``html_posts=0`` the HTML build;
    ``responses`` names a file (replaced) for our responses to each size's workload."""
    sizes = sorted(set(int(size) for size in sizes))
    if not fts5_reference.has_fts5():
        raise SystemExit("this Python's sqlite3 has no FTS5: the reference cannot run")
    references = available_references()
    if "tantivy" not in references:
        log("tantivy is not installed (pip install -e '.[bench]'): the run has no tantivy reference")
    began = _now()
    report: dict = {
        "date": dt.date.today().isoformat(),
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "config": {"sizes": sizes, "queries": queries, "warmup_queries": warmup, "corpus_seed": seed,
                   "workload_seed": WORKLOAD_SEED, "warmup_seed": WARMUP_SEED, "page_size": PAGE_SIZE,
                   "mix": CLASSES, "class_counts": class_counts(queries), "references": references,
                   "startup_runs": startup_runs, "html_posts": html_posts,
                   "responses": str(responses) if responses is not None else None},
        "sizes": {},
        "search_lines": search_lines(),
    }
    workdir = Path(tempfile.mkdtemp(prefix="pprnet-bench-"))
    try:
        built: dict[int, tuple[Path, list[Query], list[Query]]] = {}
        if responses is not None:
            Path(responses).unlink(missing_ok=True)
        for size in sizes:
            report["sizes"][str(size)], built[size] = _measure_size(size, seed, queries, warmup, workdir, references, log)
            if responses is not None:
                _in_child(dump_responses, str(built[size][0]), size, built[size][1], str(responses))
                log(f"[{size:>7,} posts] our responses to the workload appended to {responses}")

        if startup_runs and built:
            blog = min(built, key=lambda size: (abs(size - BLOG_POSTS), size))
            log(f"[{blog:>7,} posts] one-shot CLI search and the web app's first search, {startup_runs} fresh processes each ...")
            report["startup"] = {"posts": blog, "one_shot": startup.one_shot(built[blog][0], startup_runs),
                                 "web_app": startup.web_app(built[blog][0], startup_runs)}
        if html_posts:
            log(f"[{html_posts:>7,} posts] writing them as listing pages, then `run.py index` over them ...")
            report["html_index"] = html_index.measure(html_posts, seed, workdir / "html")
            log(f"[{html_posts:>7,} posts] `run.py index` took {report['html_index']['seconds']:.1f} s")

        served = max((size for size in built if size <= HTTP_MAX_POSTS), default=None)
        seed_sized = min((size for size in built if size <= SEED_SIZED_POSTS), default=None)
        if http:
            report["http"] = [
                _serve_size(size, *built[size], http_seconds=http_seconds, http_timeout=http_timeout,
                            log_path=workdir / f"gunicorn-{size}.log", log=log)
                for size in sorted({seed_sized, served} - {None})
            ]
        if profile and served is not None:
            index_root, workload, warm = built[served]
            log(f"[{served:>7,} posts] profiling {min(profile, len(workload))} queries ...")
            report["profile"] = {"posts": served,
                                 **_in_child(profile_queries, str(index_root), workload[:profile], warm)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["loadavg_end"] = [round(value, 2) for value in os.getloadavg()]
    report["elapsed_s"] = round(_now() - began, 1)
    report["issue20"] = issue20_table(report)
    report["targets"] = check_targets(report)
    if out is not None:
        report["files"] = write_outputs(report, Path(out), chart=chart)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="corpus sizes, comma-separated (default 1000,10000; 100000 takes several minutes)")
    parser.add_argument("--queries", type=int, default=300, help="measured queries per size (default 300)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up queries of another seed (default 100)")
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help="synthetic corpus seed")
    parser.add_argument("--startup-runs", type=int, default=STARTUP_RUNS, metavar="N",
                        help=f"fresh processes per one-shot CLI and web-app measure (default {STARTUP_RUNS}; 0 skips them)")
    parser.add_argument("--html-posts", type=int, default=HTML_POSTS, metavar="N",
                        help=f"posts written as HTML pages and indexed by `run.py index` (default {HTML_POSTS:,}; 0 skips)")
    parser.add_argument("--profile", type=int, default=50, metavar="N",
                        help="cProfile N queries at the largest size up to 10,000 (default 50; 0 skips)")
    parser.add_argument("--responses", metavar="FILE",
                        help="also write our responses to each workload query as JSON lines (to diff two checkouts)")
    parser.add_argument("--http", action="store_true", help="also measure /search and /api/search under gunicorn")
    parser.add_argument("--http-seconds", type=float, default=300, help="time budget of the HTTP part (default 300)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="results directory (default bench/results)")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    report = run_benchmark(sizes, queries=args.queries, warmup=args.warmup, seed=args.seed,
                           startup_runs=args.startup_runs, html_posts=args.html_posts, http=args.http,
                           http_seconds=args.http_seconds, profile=args.profile, responses=args.responses, out=args.out,
                           chart=not args.no_chart, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(markdown(report))
    files = report["files"]
    chart = f", {files['chart']}" if files.get("chart") else "" if args.no_chart else " (no chart: matplotlib is not installed)"
    print(f"Written: {files['json']}, {files['markdown']}{chart}")
    return 0


if __name__ == "__main__":
    from bench import run as _module  # run from the importable module, so child processes can find it

    sys.exit(_module.main())
