"""How long the web pages take to render on the real seed corpus, in-process (Flask test client).

    python bench/pages.py [--repeat 30] [--out bench/results]

Builds the index of ``corpus/`` in a temporary directory, then renders, warm, every page a user
visits: home, results for each evaluation query of ``/work/shared/eval/queries.json`` (with and
without a facet selected), a post page, topics, the JSON twin and autocomplete. Each request is
timed end to end through the WSGI app (routing, engine, template, headers); the engine's response
cache, if it has one, is cleared before each one, so a result page is measured as computed, not as
remembered. Reports p50 /
p95 / max per page kind against issue 4's bar (a results page under 50 ms).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from indexer.build import build_index  # noqa: E402
from webui import ENGINE_KEY, create_app  # noqa: E402

EVAL_QUERIES = [PROJECT.parent / "shared" / "eval" / "queries.json", PROJECT / "tests" / "fixtures" / "search" / "queries.json"]
RESULTS_PAGE_TARGET_MS = 50.0


def _eval_queries() -> list[str]:
    for path in EVAL_QUERIES:
        if path.exists():
            return [item["q"] for item in json.loads(path.read_text(encoding="utf-8"))["queries"]]
    raise SystemExit("no evaluation queries found")


def _pages(first_post_id: str) -> dict[str, list[str]]:
    queries = _eval_queries()
    return {
        "home": ["/"],
        "results": [f"/search?q={q}" for q in queries],
        "results + topic": [f"/search?q={q}&topic=Therapist+Factors" for q in queries],
        "post": [f"/posts/{first_post_id}"],
        "topics": ["/topics"],
        "api/search": [f"/api/search?q={q}" for q in queries],
        "api/suggest": ["/api/suggest?q=bur", "/api/suggest?q=Barkh", "/api/suggest?q=train"],
    }


def measure(repeat: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as root:
        build_index(PROJECT / "corpus", root)
        app = create_app({"INDEX_DIR": root})
        # Forget remembered responses before each request, where the engine keeps any (it may not).
        clear_cache = getattr(app.extensions[ENGINE_KEY], "clear_cache", lambda: None)
        client = app.test_client()
        first_post = client.get("/api/search?q=&sort=newest").get_json()["hits"][0]["id"]
        report = {}
        for kind, urls in _pages(first_post).items():
            for url in urls:  # warm: searcher open, caches of terms and templates filled
                client.get(url)
            times = []
            for _ in range(repeat):
                for url in urls:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
            times.sort()
            report[kind] = {
                "n": len(times),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
                "max_ms": round(times[-1], 2),
            }
        return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    args = parser.parse_args(argv)
    report = measure(args.repeat)
    lines = ["| page | n | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {kind} | {row['n']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |" for kind, row in report.items()]
    met = report["results"]["p95_ms"] < RESULTS_PAGE_TARGET_MS
    lines.append(f"\nResults page p95 {report['results']['p95_ms']} ms: {'meets' if met else 'misses'} the {RESULTS_PAGE_TARGET_MS:g} ms bar.")
    print("\n".join(lines))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{date.today().isoformat()}-pages.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
