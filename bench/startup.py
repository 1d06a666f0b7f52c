"""What a fresh process pays before its first answer: a one-shot CLI search, and the web app's first search.

- **One-shot search**: ``python run.py search --index INDEX --json -- WORD`` (the ``pprnet-search``
  command of this checkout, as README.md documents it), against a plain script that imports Whoosh,
  opens the same index (``whoosh.index.open_dir`` on the build ``INDEX/current`` points at; its schema
  names our analyzers, so unpickling it imports them) and runs ``searcher.search`` for the same word
  over the fields plain words search, with our field weights, printing the top 10 ids as JSON. Each is
  timed from outside (wall time of the whole process, interpreter start included, and its CPU time,
  which a busy machine changes less), one warm-up run of each first (the OS file cache), then ``runs``
  runs of each, interleaved; the medians and their ratios.
- **Web app**: in a fresh process, ``import webui`` and ``create_app({"INDEX_DIR": ...})`` (create),
  then the home page ``GET /`` through the Flask test client (the first request opens the index: the
  page shows its post count), then ``GET /search?q=WORD`` (first search). Timed inside the process
  (interpreter start left out), and the CPU time of all three; ``open`` is create + home page. Median
  of ``runs`` processes.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORD = "burnout"
TIMEOUT_S = 120

_PLAIN_SEARCH = """
import json, sys
import whoosh.index
from whoosh.qparser import MultifieldParser
index = whoosh.index.open_dir(sys.argv[1])
boosts = json.loads(sys.argv[3])
with index.searcher() as searcher:
    query = MultifieldParser(list(boosts), index.schema, fieldboosts=boosts).parse(sys.argv[2])
    results = searcher.search(query, limit=10)
    print(json.dumps({"total": len(results), "ids": [hit["id"] for hit in results]}))
"""

_WEB_APP = """
import json, sys, time
start, start_cpu = time.perf_counter(), time.process_time()
import webui
imported, imported_cpu = time.perf_counter(), time.process_time()
app = webui.create_app({"INDEX_DIR": sys.argv[1]})
created, created_cpu = time.perf_counter(), time.process_time()
client = app.test_client()
home = client.get("/")
opened, opened_cpu = time.perf_counter(), time.process_time()
answer = client.get("/search", query_string={"q": sys.argv[2]})
searched, searched_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": imported - start, "create_s": created - imported, "home_s": opened - created,
                  "first_search_s": searched - opened, "total_cpu_s": searched_cpu - imported_cpu,
                  "statuses": [home.status_code, answer.status_code]}))
"""


def clean_env() -> dict[str, str]:
    """This environment without PPRNET_ settings: the commands use the index they are given."""
    return {name: value for name, value in os.environ.items() if not name.startswith("PPRNET_")}


def children_cpu_s() -> float:
    """User + system CPU seconds of the child processes this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``command`` (run in the checkout) and its stdout; RuntimeError if it fails.
    CPU time is the work the process did whatever else the machine runs; wall time is what a user waits."""
    cpu = children_cpu_s()
    start = time.perf_counter()
    finished = subprocess.run(command, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT_S)
    seconds = time.perf_counter() - start
    if finished.returncode != 0:
        raise RuntimeError(f"{command[1:3]} exited with {finished.returncode}: {finished.stderr[-1500:]}")
    return seconds, children_cpu_s() - cpu, finished.stdout


def one_shot(index_root: str | os.PathLike, runs: int, word: str = WORD) -> dict:
    """The one-shot CLI search against the plain Whoosh script, ``runs`` times each (medians, ratio)."""
    from search.schema import PLAIN_WORD_FIELDS

    build = (Path(index_root) / "current").resolve()
    ours_command = [sys.executable, "run.py", "search", "--index", str(index_root), "--json", "--", word]
    plain_command = [sys.executable, "-c", _PLAIN_SEARCH, str(build), word, json.dumps(PLAIN_WORD_FIELDS)]
    _run(ours_command)
    _run(plain_command)
    ours, plain, ours_cpu, plain_cpu = [], [], [], []
    for _ in range(runs):
        seconds, cpu, ours_output = _run(ours_command)
        ours.append(seconds)
        ours_cpu.append(cpu)
        seconds, cpu, plain_output = _run(plain_command)
        plain.append(seconds)
        plain_cpu.append(cpu)
    ours_median, plain_median = statistics.median(ours), statistics.median(plain)
    return {
        "word": word,
        "ours_command": "python run.py search --index INDEX --json -- " + word,
        "plain_command": "python -c '<open_dir(INDEX/current), MultifieldParser, searcher.search(limit=10)>'",
        "runs": runs,
        "ours_s": [round(value, 3) for value in ours],
        "plain_s": [round(value, 3) for value in plain],
        "ours_median_s": round(ours_median, 3),
        "plain_median_s": round(plain_median, 3),
        "ratio": round(ours_median / plain_median, 2),
        "ours_cpu_s": [round(value, 3) for value in ours_cpu],
        "plain_cpu_s": [round(value, 3) for value in plain_cpu],
        "ours_median_cpu_s": round(statistics.median(ours_cpu), 3),
        "plain_median_cpu_s": round(statistics.median(plain_cpu), 3),
        "cpu_ratio": round(statistics.median(ours_cpu) / statistics.median(plain_cpu), 2),
        "ours_total": json.loads(ours_output).get("total"),
        "plain_total": json.loads(plain_output)["total"],
    }


def web_app(index_root: str | os.PathLike, runs: int, word: str = WORD) -> dict:
    """The web app's import, then its create, open (home page) and first search, in ``runs`` fresh
    processes (medians; the total leaves the import out, as the issue's figure does)."""
    samples = []
    for _ in range(runs):
        _, _, output = _run([sys.executable, "-c", _WEB_APP, str(index_root), word])
        sample = json.loads(output)
        if sample["statuses"] != [200, 200]:
            raise RuntimeError(f"the web app answered {sample['statuses']} (home page, search)")
        samples.append(sample)

    def median(key: str) -> float:
        return round(statistics.median(sample[key] for sample in samples), 3)

    opened = [sample["create_s"] + sample["home_s"] for sample in samples]
    totals = [value + sample["first_search_s"] for value, sample in zip(opened, samples)]
    return {
        "word": word,
        "runs": runs,
        "import_s": median("import_s"),
        "create_s": median("create_s"),
        "home_s": median("home_s"),
        "open_s": round(statistics.median(opened), 3),
        "first_search_s": median("first_search_s"),
        "total_s": round(statistics.median(totals), 3),
        "total_cpu_s": median("total_cpu_s"),
        "samples": [{key: round(value, 4) if isinstance(value, float) else value for key, value in sample.items()}
                    for sample in samples],
    }
