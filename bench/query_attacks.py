"""Hostile queries and posts, timed through the full search call (issue 14.1, query and highlight bounds).

    python bench/query_attacks.py [--posts 3000] [--repeats 25000]

Builds two indexes in a temporary directory: one post repeating "burnout" ``--repeats`` times in its
summary and implications, and ``--posts`` synthetic posts (bench/synth.py). Then times, with the code
on ``sys.path``: a search for the repeated word (highlighting is the cost), wildcard queries (on
unique-per-post fields and on words), and a fielded boost of 400 nines (is the JSON still valid?).
Prints one JSON object. To measure another checkout, run this file from that checkout's root with
``PYTHONPATH=.`` (its ``search`` package is then the one imported).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

from bench import synth  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.post import Post  # noqa: E402
from search.request import SearchRequest  # noqa: E402
from search.store import write_index  # noqa: E402

WILDCARD_QUERIES = ("id:20* doi:10.* issue_date:20*", "the*", "ther* pro* con*", "a*")
BOOST_QUERY = "title:burnout^" + "9" * 400


def _timed(engine: SearchEngine, query: str, runs: int) -> tuple[float, object]:
    times = []
    response = None
    clear_cache = getattr(engine, "clear_cache", lambda: None)  # where the engine remembers responses
    for _ in range(runs):
        started = time.perf_counter()
        response = engine.search(SearchRequest(query=query))
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2), response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, object] = {"code": str(Path(sys.modules["search"].__file__).parent.parent)}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        text = "burnout " * args.repeats
        write_index([Post(id="repeat", url=None, issue_date="2021-01", title="Repeats",
                          summary=text, implications=text)], root / "repeat")
        engine = SearchEngine(root / "repeat")
        results[f"highlight_{args.repeats}_repeats_ms"], _ = _timed(engine, "burnout", 1)
        engine.close()

        write_index(synth.generate_posts(args.posts), root / "synthetic")
        engine = SearchEngine(root / "synthetic")
        for query in WILDCARD_QUERIES:
            milliseconds, response = _timed(engine, query, args.runs)
            results[f"{query} (ms, total)"] = [milliseconds, response.total]
        _, response = _timed(engine, BOOST_QUERY, 1)
        try:
            json.dumps(response.to_dict(), allow_nan=False)
            results["boost_json_valid"] = True
        except ValueError:
            results["boost_json_valid"] = False
        results["boost_top_score"] = str(response.hits[0].score) if response.hits else None
        engine.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
