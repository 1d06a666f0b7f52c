"""Rebuild under load (issue 7, item 4), and gunicorn's own limits in front of the app (item 7).

The app runs under gunicorn (2 workers, a free 127.0.0.1 port, the index passed in
``PPRNET_INDEX_DIR``). A bounded load generator (``bench/load.py``: a few client threads, at most
``LOAD_SECONDS`` and ``MAX_REQUESTS``) sends searches while ``python run.py index`` rebuilds the index
three times, alternating two corpora: the seed (6 posts) and the seed plus one page (7 posts). Every
query's total differs between the two, so each answer tells which index gave it. Asserted: zero failed
requests; every answer comes from one complete index (its total is one of the two known totals, and
its hits, facet counts and total agree with each other); both indexes were seen; after the last
rebuild every worker answers from the last index. Gunicorn is always stopped.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.load import Gunicorn, get, run_load
from indexer.build import build_index
from search.engine import SearchEngine
from search.request import SearchRequest

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
REBUILDS = 3
CLIENTS = 4
LOAD_SECONDS = 40.0  # an upper bound: the load stops 0.75 s after the third rebuild
MAX_REQUESTS = 20_000
EXTRA_ID_WORD = "Zanzibar"  # in the extra post only
EXTRA_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PPRNet Blog</title></head>
<body><main>
<h2>March 2021</h2>
<h3>Supervision Protects {EXTRA_ID_WORD} Therapists from Burnout</h3>
<p>Doe, J., &amp; Roe, R. (2021). Supervision and burnout in therapists. Psychotherapy Research, 31(2), 100–110.</p>
<p>Therapists in {EXTRA_ID_WORD} who had regular supervision reported less burnout and better well-being. In this
survey of 200 therapists, the working alliance with the supervisor predicted lower burnout over one year.</p>
<p><strong>Practice Implications:</strong></p>
<p>Therapists should seek supervision and attend to their well-being, mentalizing and burnout.</p>
</main></body></html>
"""
QUERIES = ["", "burnout", "supervision", "therapists", "burnout supervision", "well-being"]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("rebuild-corpora")
    seed, plus = root / "seed", root / "seed-plus-one"
    shutil.copytree(CORPUS, seed)
    shutil.copytree(CORPUS, plus)
    (plus / "extra.html").write_text(EXTRA_PAGE, encoding="utf-8")
    return {"seed": seed, "plus": plus}


@pytest.fixture(scope="module")
def expected(corpora, tmp_path_factory) -> dict[str, dict]:
    """For each corpus: post ids and the total of each query, from the search core itself."""
    answers = {}
    for name, corpus in corpora.items():
        index = tmp_path_factory.mktemp(f"expected-{name}")
        build_index(corpus, index)
        engine = SearchEngine(index)
        try:
            totals = {q: engine.search(SearchRequest(query=q, page_size=50)).total for q in QUERIES}
            ids = {hit.post.id for hit in engine.search(SearchRequest(page_size=50)).hits}
        finally:
            engine.close()
        answers[name] = {"totals": totals, "ids": ids}
    for q in QUERIES:  # each answer tells which index gave it
        assert answers["seed"]["totals"][q] != answers["plus"]["totals"][q], q
        assert answers["seed"]["totals"][q] > 0
    return answers


def _which_index(path: str, status: int, body: bytes, expected: dict) -> str:
    """'seed' or 'plus': the index this answer came from. Fails on an answer from neither, or a mix."""
    assert status == 200, (path, status, body[:300])
    if path.startswith("/healthz"):
        posts = json.loads(body)["posts"]
        return {len(expected["seed"]["ids"]): "seed", len(expected["plus"]["ids"]): "plus"}[posts]
    query = dict(_params(path)).get("q", "")
    if path.startswith("/api/search"):
        data = json.loads(body)
        total = data["total"]
        names = [name for name in expected if expected[name]["totals"][query] == total]
        assert names, (path, total)
        name = names[0]
        assert len(data["hits"]) == total  # page_size=50 holds them all: hits and total agree
        assert {hit["id"] for hit in data["hits"]} <= expected[name]["ids"], path
        assert sum(count["count"] for count in data["facets"]["year"]) <= total
        if query == "":
            assert {hit["id"] for hit in data["hits"]} == expected[name]["ids"]
        return name
    text = body.decode("utf-8")
    count_text = _RESULT_COUNT.search(text).group(1)  # a regex, not a parser: ~1,500 pages per run
    total = int(re.search(r"\d+", count_text).group(0))
    names = [name for name in expected if expected[name]["totals"][query] == total]
    assert names, (path, count_text)
    assert text.count('<article class="result">') == min(total, 10)
    return names[0]


_RESULT_COUNT = re.compile(r'<h1 id="result-count"[^>]*>([^<]*)</h1>')


def _params(path: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(path).query, keep_blank_values=True)


def _paths() -> list[str]:
    paths = []
    for q in QUERIES:
        paths.append("/api/search?" + urlencode({"q": q, "page_size": 50}))
        paths.append("/search?" + urlencode({"q": q}))
    paths.append("/healthz")
    return paths


def _rebuild(corpus: Path, index: Path) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "index", "--corpus", str(corpus),
                             "--index", str(index)], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started, result.stderr.strip().splitlines()[-1]


def test_three_rebuilds_under_load_lose_nothing_and_never_mix(corpora, expected, tmp_path, capsys):
    index = tmp_path / "index"
    build_index(corpora["seed"], index)
    paths = _paths()
    order = ["plus", "seed", "plus"][:REBUILDS]
    rebuild_times: list[float] = []
    stop = threading.Event()
    with Gunicorn(index, workers=2, log_path=tmp_path / "gunicorn.log") as server:
        for path in paths * 2:  # both workers have opened the index
            _which_index(path, *get(server.port, path), expected)
        outcome: dict = {}

        def load() -> None:
            outcome["report"] = run_load(server.port, lambda client, n: paths[(client * 5 + n) % len(paths)],
                                         clients=CLIENTS, duration=LOAD_SECONDS, max_requests=MAX_REQUESTS,
                                         stop=stop, keep_bodies=True)

        loader = threading.Thread(target=load, name="load", daemon=True)
        loader.start()
        try:
            time.sleep(0.5)
            for name in order:
                seconds, _ = _rebuild(corpora[name], index)
                rebuild_times.append(seconds)
                time.sleep(0.75)  # let every worker answer from the new index before the next swap
        finally:
            stop.set()
            loader.join(timeout=60)
        assert not loader.is_alive()
        report = outcome["report"]
        after = [_which_index(path, *get(server.port, path), expected) for path in paths * 3]
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")

    results = report.results
    failed = [(r.path, r.status, r.error) for r in results if r.status != 200]
    assert failed == [], failed[:10]
    seen = [_which_index(r.path, r.status, r.body, expected) for r in results]
    assert set(seen) == {"seed", "plus"}
    assert set(after) == {order[-1]}, "every worker answers from the last build"
    assert "Traceback" not in log and "Exception" not in log, log[-2000:]
    summary = report.summary()
    switches = sum(1 for a, b in zip(seen, seen[1:]) if a != b)
    with capsys.disabled():
        print(f"\nrebuild under load: {len(results)} requests in {report.wall_seconds:.1f} s "
              f"({summary['requests_per_second']}/s, {CLIENTS} clients, 2 workers), {len(failed)} failed, "
              f"{seen.count('seed')} from the 6-post index, {seen.count('plus')} from the 7-post index, "
              f"{switches} switches between them; p50 {summary['overall']['p50_ms']} ms, "
              f"p99 {summary['overall']['p99_ms']} ms, max {summary['overall']['max_ms']} ms; "
              f"rebuilds took {', '.join(f'{s:.1f}' for s in rebuild_times)} s")


def test_gunicorn_limits_in_front_of_the_app(tmp_path, index_root):
    """Over-long request lines and huge bodies get 4xx from gunicorn or the app, never a 500 or a trace."""
    with Gunicorn(index_root, workers=1, log_path=tmp_path / "gunicorn.log") as server:
        for request in (
            f"GET /search?q={'x' * 20_000} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            f"GET /search?q={'x' * 9_000} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /search HTTP/1.1\r\nHost: x\r\n" + "X-Big: " + "y" * 10_000 + "\r\nConnection: close\r\n\r\n",
            "GET /search HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-{i}: y\r\n" for i in range(200)) + "Connection: close\r\n\r\n",
            "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n" + "z" * 65_536,
            "GET /api/search?q=burnout HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n",
            "GARBAGE\r\n\r\n",
            "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ):
            status, head, body = _raw(server.port, request)
            assert 400 <= status < 500, (request[:80], status, head)
            assert b"Traceback" not in body and b"root:x" not in body
        assert get(server.port, "/search?q=burnout")[0] == 200
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-2000:]


def _raw(port: int, request: str) -> tuple[int, str, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request.encode("latin-1"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    assert match, data[:200]
    return int(match.group(1)), head.decode("latin-1"), body
