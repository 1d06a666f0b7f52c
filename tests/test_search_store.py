"""The index on disk: atomic swap, schema version stamp, missing indexes, freshness against the
corpus, and the `run.py index` / `run.py search` commands."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import run
from indexer.build import build_index, index_is_current
from indexer.errors import ExtractionError
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.schema import SCHEMA_VERSION
from search.store import (
    BUILDS_DIR,
    CURRENT_LINK,
    META_FILE,
    IndexUnavailable,
    current_build,
    open_current,
    read_meta,
    write_index,
)

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / "corpus"
SEED_POSTS = [
    Post.from_dict(record)
    for record in json.loads((PROJECT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))
]
PROBE_QUERIES = ["burnout supervision", "mentalizing", "author:Summers", "year:[2019 TO 2020]", ""]


def _answers(engine: SearchEngine) -> list[tuple]:
    answers = []
    for query in PROBE_QUERIES:
        response = engine.search(SearchRequest(query=query, page_size=50))
        answers.append((query, response.total, tuple((hit.post.id, round(hit.score, 6)) for hit in response.hits)))
    return answers


def _builds(root: Path) -> list[str]:
    return sorted(entry.name for entry in (root / BUILDS_DIR).iterdir())


class Boom(RuntimeError):
    pass


def _failing_posts(after: int):
    for post in SEED_POSTS[:after]:
        yield post
    raise Boom("the corpus broke half-way")


# ---------------------------------------------------------------------------------------------
# Atomic swap
# ---------------------------------------------------------------------------------------------
def test_a_build_that_fails_half_way_leaves_the_old_index_answering(tmp_path):
    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    before = _answers(engine)
    build_before, builds_before = current_build(tmp_path), _builds(tmp_path)
    assert before[0][1] > 0

    with pytest.raises(Boom):
        write_index(_failing_posts(3), tmp_path)

    assert current_build(tmp_path) == build_before
    assert _builds(tmp_path) == builds_before, "no partial build may be left behind"
    assert not any(name.endswith(".partial") for name in _builds(tmp_path))
    assert _answers(engine) == before  # the engine that was running
    fresh = SearchEngine(tmp_path)
    assert _answers(fresh) == before  # and a new one
    fresh.close()
    engine.close()


def test_a_first_build_that_fails_leaves_no_index(tmp_path):
    with pytest.raises(Boom):
        write_index(_failing_posts(3), tmp_path)
    assert current_build(tmp_path) is None
    assert _builds(tmp_path) == []
    with pytest.raises(IndexUnavailable):
        SearchEngine(tmp_path).search(SearchRequest(query="burnout"))


def test_a_successful_rebuild_swaps_and_removes_the_old_build(tmp_path):
    first = write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    assert engine.search(SearchRequest(query="burnout")).total == 3
    second = write_index(SEED_POSTS[:2], tmp_path)
    assert first != second
    assert current_build(tmp_path) == second.resolve()
    assert _builds(tmp_path) == [second.name]
    assert (tmp_path / CURRENT_LINK).is_symlink()
    assert engine.stats()["posts"] == 2
    assert read_meta(tmp_path)["post_count"] == 2
    engine.close()


def test_a_swap_between_finding_the_index_and_reading_it_is_no_error(tmp_path, monkeypatch):
    """A worker that found the old build current just before a rebuild swapped it out and deleted it
    answers from the new build: a search, a post and similar posts, never a 503."""
    import search.engine

    kept = SEED_POSTS[0].id
    calls = {"search": lambda engine: engine.search(SearchRequest(query="", page_size=50)).total,
             "post": lambda engine: engine.post(kept).id,
             "similar": lambda engine: len(engine.more_like_this(kept, limit=5))}
    for name, call in calls.items():
        root = tmp_path / name
        write_index(SEED_POSTS, root)
        engine = SearchEngine(root)
        assert engine.stats()["posts"] == len(SEED_POSTS)  # the old build's snapshot is open
        old = current_build(root)
        write_index(SEED_POSTS[:2], root)
        assert not old.exists()
        looks = iter([old])  # the first look finds the old build, as it did just before the swap
        with monkeypatch.context() as patch:
            patch.setattr(search.engine, "current_build", lambda root: next(looks, None) or current_build(root))
            answer = call(engine)
        assert answer == {"search": 2, "post": kept, "similar": 1}[name]
        assert engine.stats()["posts"] == 2
        engine.close()


def test_build_index_from_an_empty_corpus_keeps_the_old_index(tmp_path):
    index = tmp_path / "index"
    build_index(CORPUS, index)
    before = current_build(index)
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    (empty / "notes.txt").write_text("Nothing that looks like a post.\n", encoding="utf-8")
    with pytest.raises(ExtractionError):
        build_index(empty, index)
    assert current_build(index) == before
    engine = SearchEngine(index)
    assert engine.stats()["posts"] == 6
    engine.close()


# ---------------------------------------------------------------------------------------------
# Version stamp, missing and damaged indexes, freshness
# ---------------------------------------------------------------------------------------------
@pytest.fixture()
def corpus_copy(tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


def _rewrite_meta(root: Path, **changes) -> None:
    path = current_build(root) / META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_an_index_of_another_schema_version_is_unavailable(tmp_path, corpus_copy):
    index = tmp_path / "index"
    build_index(corpus_copy, index)
    assert index_is_current(corpus_copy, index)
    _rewrite_meta(index, schema_version=SCHEMA_VERSION + 1)
    with pytest.raises(IndexUnavailable, match="schema version") as raised:
        open_current(index)
    assert "run.py index" in str(raised.value)
    with pytest.raises(IndexUnavailable):
        SearchEngine(index).search(SearchRequest(query="burnout"))
    assert index_is_current(corpus_copy, index) is False


def test_a_running_engine_refuses_a_swapped_in_index_of_another_version(tmp_path):
    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    assert engine.search(SearchRequest(query="burnout")).total == 3
    write_index(SEED_POSTS, tmp_path)
    _rewrite_meta(tmp_path, schema_version=0)
    with pytest.raises(IndexUnavailable):
        engine.search(SearchRequest(query="burnout"))


def test_a_missing_index_is_unavailable_with_a_helpful_message(tmp_path):
    engine = SearchEngine(tmp_path / "nowhere")
    with pytest.raises(IndexUnavailable) as raised:
        engine.search(SearchRequest(query="burnout"))
    message = str(raised.value)
    assert "no index" in message and "python run.py index" in message
    with pytest.raises(IndexUnavailable):
        engine.suggest("burn")
    with pytest.raises(IndexUnavailable):
        engine.more_like_this("anything")


@pytest.mark.parametrize("damage", ["delete", "garbage"])
def test_an_index_without_readable_metadata_is_unavailable(tmp_path, damage):
    write_index(SEED_POSTS, tmp_path)
    meta = current_build(tmp_path) / META_FILE
    if damage == "delete":
        meta.unlink()
    else:
        meta.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="rebuild"):
        open_current(tmp_path)


def test_a_dangling_current_link_is_unavailable(tmp_path):
    build = write_index(SEED_POSTS, tmp_path)
    shutil.rmtree(build)
    with pytest.raises(IndexUnavailable, match="run.py index"):
        SearchEngine(tmp_path).search(SearchRequest(query="burnout"))


def test_damaged_whoosh_files_are_unavailable_not_a_crash(tmp_path):
    build = write_index(SEED_POSTS, tmp_path)
    for path in build.iterdir():
        if path.name != META_FILE:
            path.unlink()
    with pytest.raises(IndexUnavailable):
        open_current(tmp_path)


def test_index_is_current_follows_the_corpus(tmp_path, corpus_copy):
    index = tmp_path / "index"
    assert index_is_current(corpus_copy, index) is False  # not built yet
    build_index(corpus_copy, index)
    assert index_is_current(corpus_copy, index) is True
    page = next(corpus_copy.iterdir())
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert index_is_current(corpus_copy, index) is False
    build_index(corpus_copy, index)
    assert index_is_current(corpus_copy, index) is True
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # touched, same size
    assert index_is_current(corpus_copy, index) is False
    build_index(corpus_copy, index)
    (corpus_copy / "new-page.txt").write_text("January 2021\n", encoding="utf-8")
    assert index_is_current(corpus_copy, index) is False


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------
def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT / "run.py"), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    """An index built by `run.py index`, and that command's result."""
    index = tmp_path_factory.mktemp("cli") / "index"
    result = _run("index", "--corpus", str(CORPUS), "--index", str(index))
    return index, result


def test_run_index_reports_on_stderr_and_exits_zero(cli_index):
    index, result = cli_index
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "indexed 6 posts" in result.stderr
    assert current_build(index) is not None
    assert index_is_current(CORPUS, index)


HIT_KEYS = {
    "id", "url", "issue_date", "title", "citation", "authors", "year", "article_title", "journal", "volume",
    "issue", "pages", "doi", "topics", "topics_source", "research_types", "sample_size", "score", "highlights",
}


def test_run_search_json_has_the_design_keys(cli_index):
    index, _ = cli_index
    result = _run("search", "--index", str(index), "--json", "--", "burnout supervision")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"query", "total", "page", "page_size", "sort", "suggestion", "corrected", "hits", "facets"} <= set(data)
    assert data["query"] == "burnout supervision"
    assert (data["total"], data["page"], data["page_size"], data["sort"]) == (3, 1, 10, "relevance")
    assert data["suggestion"] is None and data["corrected"] is False
    assert data["hits"][0]["title"] == "Supervision in Psychotherapy: The Impact of Attachment on Burnout"
    for hit in data["hits"]:
        assert HIT_KEYS <= set(hit)
        assert "summary" not in hit and "implications" not in hit
        assert {"summary", "implications"} <= set(hit["highlights"])
        assert isinstance(hit["score"], (int, float))
    assert set(data["facets"]) == {"topic", "type", "journal", "author", "year"}
    for counts in data["facets"].values():
        for count in counts:
            assert set(count) == {"value", "count", "selected"}


@pytest.mark.parametrize(
    ("options", "query", "expected"),
    [
        (["--topic", "Training", "--year", "2020"], "", {"2020-09-supervision-in-psychotherapy-the-impact"}),
        (
            ["--topic", "Training", "--topic", "Attachment"],
            "",
            {
                "2020-09-supervision-in-psychotherapy-the-impact",
                "2021-01-can-therapists-train-to-improve-their",
                "2021-01-mentalizing-may-be-a-protective-factor",
            },
        ),
        (["--journal", "Psychotherapy Research", "--sort", "newest"], "therapists", {
            "2021-01-can-therapists-train-to-improve-their",
            "2021-01-mentalizing-may-be-a-protective-factor",
        }),
        (["--author", "Barkham, M."], "", {"2020-08-why-does-where-a-patient-lives-affect"}),
        (["--author", "Firth"], "", {"2020-08-why-does-where-a-patient-lives-affect"}),  # a surname alone
        (["--author", "barkham"], "therapists", {"2020-08-why-does-where-a-patient-lives-affect"}),
        (["--type", "randomized controlled trial"], "mentalizing", {"2021-01-can-therapists-train-to-improve-their"}),
    ],
)
def test_run_search_with_filters(cli_index, capsys, options, query, expected):
    """In-process (run.main) to keep the suite fast; the subprocess tests cover the real entry point."""
    index, _ = cli_index
    assert run.main(["search", "--index", str(index), "--json", *options, "--", query]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {hit["id"] for hit in data["hits"]} == expected
    assert data["total"] == len(expected)
    selected = {(facet, c["value"]) for facet, counts in data["facets"].items() for c in counts if c["selected"]}
    assert len(selected) == len(options) // 2 - options.count("--sort")


def test_run_search_prints_readable_results(cli_index, capsys):
    index, _ = cli_index
    assert run.main(["search", "--index", str(index), "--", "burnuot"]) == 0
    out = capsys.readouterr().out
    assert "burnout" in out
    assert "Supervision in Psychotherapy: The Impact of Attachment on Burnout" in out
    assert "3 results" in out
    assert "<mark>" not in out


def test_run_search_on_an_unbuilt_index_fails_clearly(tmp_path):
    result = _run("search", "--index", str(tmp_path / "no-index"), "--json", "--", "burnout")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "error" in result.stderr and "no index" in result.stderr and "run.py index" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_search_rejects_a_bad_page(cli_index, capsys):
    index, _ = cli_index
    assert run.main(["search", "--index", str(index), "--page", "0", "--", "burnout"]) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "page" in captured.err


def test_run_search_on_an_unbuilt_index_fails_in_process_too(tmp_path, capsys):
    assert run.main(["search", "--index", str(tmp_path / "no-index"), "--", "burnout"]) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no index" in captured.err
