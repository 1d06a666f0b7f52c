"""The benchmark harness end to end on a small synthetic corpus: correctness of the harness, not speed.

300 synthetic posts, 30 queries of the workload's mix, no HTTP. Checks that every query got an
answer from both engines, that every number the report promises is there and positive, that the
FTS5 reference counts the same documents as we do for plain one-word queries (within reason: the
analysis differs a little), and that the JSON and Markdown files are written.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench import fts5_reference, synth
from bench.run import run_benchmark, summary, warmup_queries
from bench.workload import class_counts, make_workload

POSTS = 300
QUERIES = 30


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-results")
    return run_benchmark([POSTS], queries=QUERIES, warmup=10, http=False, out=out, log=lambda line: None)


def test_synthetic_posts_are_deterministic_and_marked():
    first = list(synth.generate_posts(20, seed=7))
    assert first == list(synth.generate_posts(20, seed=7))
    assert first[5] == synth.post_at(5, seed=7)
    assert first != list(synth.generate_posts(20, seed=8))
    for post in first:
        assert post.id.startswith("synthetic-") and post.title.endswith("[synthetic]") and post.url is None
        assert 2 <= len(post.authors) <= 8
        assert 2013 <= post.year <= 2026 and "2013-01" <= post.issue_date <= "2026-12"
        assert 1 <= len(post.topics) <= 3
        assert post.doi is None or post.doi.startswith("10.5555/")


def test_workload_mix_is_the_specified_one():
    assert class_counts(300) == {"words": 120, "question": 75, "phrase": 45, "fielded": 30, "facets": 30}
    workload = make_workload(QUERIES, POSTS)
    assert workload == make_workload(QUERIES, POSTS)
    assert sum(query.cls == "facets" for query in workload) == class_counts(QUERIES)["facets"]
    for query in workload:
        if query.cls == "facets":
            assert len(query.filters) == 2
        if query.cls == "question":
            assert 5 <= len(query.q.split()) <= 12


def test_warmup_never_repeats_a_measured_query():
    workload = make_workload(300, 10_000)
    warm = warmup_queries(workload, 100, 10_000, synth.DEFAULT_SEED)
    assert 80 <= len(warm) <= 100
    measured = {(query.q, tuple(sorted(query.filters.items()))) for query in workload}
    assert not measured & {(query.q, tuple(sorted(query.filters.items()))) for query in warm}


def test_translation_to_fts5():
    assert fts5_reference.translate("How do I help clients with burnout?").match == '"help" OR "clients" OR "burnout"'
    assert fts5_reference.translate('"attachment insecurity"').match == '"attachment insecurity"'
    assert fts5_reference.translate('journal:"Psychotherapy Research"').match == 'journal : "psychotherapy research"'
    assert fts5_reference.translate("author:Barkham").match == 'authors : "barkham"'
    translated = fts5_reference.translate("year:2019")
    assert translated.match is None and translated.years == (2019,)


def test_summary_statistics():
    values = [float(value) for value in range(1, 101)]
    stats = summary(values)
    assert stats["n"] == 100 and stats["p50"] == pytest.approx(50.5) and stats["max"] == 100
    assert stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]
    assert summary([]) == {"n": 0}


def test_every_query_answered_by_both_engines(report):
    result = report["sizes"][str(POSTS)]
    rows = result["rows"]
    assert len(rows) == QUERIES
    assert result["errors"] == {"ours": 0, "fts5": 0}
    for row in rows:
        assert row["ours_ms"] > 0 and row["fts5_ms"] > 0
        assert row["ours_facets"] == 5 and row["fts5_facets"] == 5
        assert row["ours_hits"] == min(10, row["ours_total"])
        assert row["fts5_hits"] == min(10, row["fts5_total"])


def test_numbers_present_and_positive(report):
    result = report["sizes"][str(POSTS)]
    for engine in ("ours", "fts5"):
        build = result["build"][engine]
        assert build["posts"] == POSTS
        for key in ("seconds", "docs_per_s", "bytes", "peak_rss_mb"):
            assert build[key] > 0, (engine, key)
    assert result["engine_rss_mb"]["after_workload"] > 0
    for cls, row in result["queries"].items():
        assert row["n"] == (QUERIES if cls == "all" else class_counts(QUERIES)[cls])
        for engine in ("ours_ms", "fts5_ms"):
            stats = row[engine]
            assert 0 < stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]
            assert stats["mean"] > 0
        assert row["ratio"]["median_of_ratios"] > 0
        assert row["ratio"]["p50_ratio"] > 0 and row["ratio"]["p95_ratio"] > 0
    assert report["machine"]["cores"] >= 1 and report["machine"]["python"]


def test_reference_counts_agree_for_one_word_queries(report):
    rows = [row for row in report["sizes"][str(POSTS)]["rows"]
            if row["class"] == "words" and " " not in row["q"] and "-" not in row["q"]]
    assert rows
    close = [row for row in rows
             if abs(row["ours_total"] - row["fts5_total"]) <= max(3, 0.25 * max(row["ours_total"], row["fts5_total"]))]
    # Stemmers, spelling folding and synonyms differ a little; most one-word counts must still agree.
    assert len(close) >= 0.75 * len(rows), [(row["q"], row["ours_total"], row["fts5_total"]) for row in rows]


def test_results_files_written(report):
    files = report["files"]
    written = json.loads(Path(files["json"]).read_text(encoding="utf-8"))
    assert written["sizes"][str(POSTS)]["queries"]["all"]["n"] == QUERIES
    assert written["machine"]["python"] == report["machine"]["python"]
    markdown = Path(files["markdown"]).read_text(encoding="utf-8")
    assert "## Build" in markdown and "## Query latency" in markdown and "## By query class" in markdown
    assert f"| {POSTS} |" in markdown
    if importlib.util.find_spec("matplotlib") is None:
        assert files["chart"] is None
    else:
        assert Path(files["chart"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_render_benchmark_renders_every_page_kind():
    """bench/pages.py: every page kind answers 200 and is timed (correctness of the harness)."""
    from bench.pages import measure

    report = measure(repeat=1)
    assert set(report) == {"home", "results", "results + topic", "post", "topics", "api/search", "api/suggest"}
    for kind, row in report.items():
        assert row["n"] >= 1 and 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"], kind
