"""A damaged index (issue 7, item 5; issue 14): a deleted or truncated segment file, a lost table of
contents, ``pprnet-index.json`` from another schema version or unreadable, a ``current`` pointer that
is a symlink loop, a directory, or a link to a missing build.

- A fresh app reports it: ``/healthz`` is 503 with the reason, every page is the friendly 503 in the
  site's look, the API answers 503 JSON. Never a 500, never a trace.
- A running app that loaded the index before the damage keeps serving (it holds the index in memory)
  while ``/healthz`` reports the damage on disk; never a 500.
- ``run.py index`` repairs it (a new build is swapped in; the running app picks it up).
- ``python run.py`` (the default command) rebuilds a missing, stale or unreadable index before it serves.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import cli
from indexer.build import build_index
from search.schema import SCHEMA_VERSION
from search.store import META_FILE, current_build, index_problem, verify_index
from webui import ENGINE_KEY, create_app

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
PAGES = ["/", "/search?q=burnout", "/search", f"/posts/{FIRTH}", f"/posts/{FIRTH}.bib", "/topics", "/about",
         "/search.atom?q=burnout"]
API = ["/api/search?q=burnout", "/api/suggest?q=bur", f"/api/posts/{FIRTH}"]


def _build(root: Path) -> Path:
    return current_build(root)


def _segments(root: Path) -> list[Path]:
    segments = sorted(_build(root).glob("*.seg"))
    assert segments
    return segments


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:  # in place, as a failing disk or an interrupted copy would leave it
        handle.truncate(size)


def _rewrite_meta(root: Path, **changes) -> None:
    path = _build(root) / META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta), encoding="utf-8")


DAMAGES = {
    "segment deleted": lambda root: [p.unlink() for p in _segments(root)],
    "segment emptied": lambda root: [_truncate(p, 0) for p in _segments(root)],
    "segment cut in half": lambda root: [_truncate(p, p.stat().st_size // 2) for p in _segments(root)],
    "segment lost its last byte": lambda root: [_truncate(p, p.stat().st_size - 1) for p in _segments(root)],
    "table of contents deleted": lambda root: [p.unlink() for p in _build(root).glob("*.toc")],
    "another schema version": lambda root: _rewrite_meta(root, schema_version=SCHEMA_VERSION + 1),
    "schema version missing": lambda root: _rewrite_meta(root, schema_version=None),
    "metadata unreadable": lambda root: (_build(root) / META_FILE).write_text("{not json", encoding="utf-8"),
    "metadata deleted": lambda root: (_build(root) / META_FILE).unlink(),
    "build directory deleted": lambda root: shutil.rmtree(_build(root)),
    # An index written before file sizes were recorded: the damage shows only when Whoosh reads it.
    "old-style metadata, segment cut": lambda root: (
        _rewrite_meta(root, files=None), [_truncate(p, p.stat().st_size // 2) for p in _segments(root)]),
    "old-style metadata, segment zeroed": lambda root: (
        _rewrite_meta(root, files=None), [p.write_bytes(b"\0" * p.stat().st_size) for p in _segments(root)]),
}


def _repoint(root: Path, target: str) -> None:
    link = root / "current.tmp"
    link.symlink_to(target)
    link.replace(root / "current")


def _directory_for_pointer(root: Path) -> None:
    (root / "current").unlink()
    (root / "current").mkdir()
    (root / "current" / "notes.txt").write_text("left by hand", encoding="utf-8")


DAMAGES.update({
    "pointer is a symlink loop": lambda root: _repoint(root, "current"),
    "pointer is a directory": _directory_for_pointer,
    "pointer to a missing build": lambda root: _repoint(root, "builds/20200101T000000000000-1"),
})
REASONS = {
    "pointer is a symlink loop": "symlink loop",
    "pointer is a directory": "is a directory",
    "pointer to a missing build": "no index",
    "segment deleted": "missing",
    "segment emptied": "bytes",
    "segment cut in half": "bytes",
    "segment lost its last byte": "bytes",
    "table of contents deleted": "missing",
    "another schema version": "schema version",
    "schema version missing": "schema version",
    "metadata unreadable": META_FILE,
    "metadata deleted": META_FILE,
    "build directory deleted": "no index",
    "old-style metadata, segment cut": "cannot be read",
    "old-style metadata, segment zeroed": "cannot be read",
}


def _app(root: Path):
    return create_app({"INDEX_DIR": str(root)})  # not TESTING: errors are handled as in production


def _assert_friendly_503(response) -> None:
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "Error" in text
    page = BeautifulSoup(text, "html.parser")
    assert page.select_one("header a[href='/']") and page.select_one("main#main") and page.select_one("footer")
    assert "not available" in page.h1.get_text()
    assert page.select_one("form[role=search]")


def _assert_all_unavailable(client, reason: str) -> None:
    health = client.get("/healthz")
    assert health.status_code == 503
    data = health.get_json()
    assert data["status"] == "unavailable" and reason in data["reason"] and "run.py index" in data["reason"]
    for url in PAGES:
        _assert_friendly_503(client.get(url))
    for url in API:
        response = client.get(url)
        assert response.status_code == 503 and response.get_json()["error"], url


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_fresh_app_reports_the_damage_and_run_py_index_repairs_it(index_copy, damage, capsys):
    DAMAGES[damage](index_copy)
    app = _app(index_copy)
    client = app.test_client()
    try:
        _assert_all_unavailable(client, REASONS[damage])
        assert verify_index(index_copy) is not None
        assert cli.rebuild_reason(CORPUS, index_copy) is not None

        assert cli.main(["index", "--corpus", str(CORPUS), "--index", str(index_copy)]) == 0
        assert "indexed 6 posts" in capsys.readouterr().err
        assert index_problem(index_copy) is None and verify_index(index_copy) is None
        assert cli.rebuild_reason(CORPUS, index_copy) is None
        health = client.get("/healthz")  # the same running app picks up the repaired index
        assert health.status_code == 200 and health.get_json()["posts"] == 6
        for url in PAGES + API:
            assert client.get(url).status_code == 200, url
        assert [p.name for p in (index_copy / "builds").iterdir()] == [_build(index_copy).name]  # damage gone
    finally:
        app.extensions[ENGINE_KEY].close()


@pytest.mark.parametrize("damage", ["segment deleted", "segment emptied", "segment cut in half",
                                    "table of contents deleted", "another schema version", "metadata deleted"])
def test_a_running_app_keeps_serving_what_it_loaded_and_health_reports_the_damage(index_copy, damage):
    app = _app(index_copy)
    client = app.test_client()
    try:
        before = client.get("/api/search?q=burnout&page_size=50").get_json()
        assert client.get("/healthz").status_code == 200
        DAMAGES[damage](index_copy)
        for url in PAGES + API:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)  # served from memory
        assert client.get("/api/search?q=burnout&page_size=50").get_json() == before
        assert client.get("/api/search?q=supervision+attachment").get_json()["total"] > 0
        health = client.get("/healthz")
        assert health.status_code == 503 and REASONS[damage] in health.get_json()["reason"]
    finally:
        app.extensions[ENGINE_KEY].close()


def test_a_damaged_build_swapped_in_under_a_running_app_is_503_not_500(index_copy, tmp_path):
    """A running app over a good index, then `current` moves to a damaged build: 503 (never 500), and
    the next good build is picked up."""
    app = _app(index_copy)
    client = app.test_client()
    try:
        assert client.get("/api/search?q=burnout").status_code == 200
        other = tmp_path / "other"
        build_index(CORPUS, other)
        for segment in _segments(other):
            _truncate(segment, segment.stat().st_size // 3)
        damaged = _build(other)
        shutil.move(str(damaged), str(index_copy / "builds" / damaged.name))
        link = index_copy / "current.tmp"
        link.symlink_to(Path("builds") / damaged.name)
        link.replace(index_copy / "current")
        for url in PAGES:
            _assert_friendly_503(client.get(url))
        assert client.get("/healthz").status_code == 503
        build_index(CORPUS, index_copy)
        assert client.get("/healthz").status_code == 200
        assert client.get("/search?q=burnout").status_code == 200
    finally:
        app.extensions[ENGINE_KEY].close()


# --------------------------------------------------------------------------------------------------
# python run.py: rebuild before serving when the index is missing, stale or unreadable
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return corpus


def test_rebuild_reason(index_copy, corpus_copy, tmp_path):
    assert "no index" in cli.rebuild_reason(corpus_copy, tmp_path / "none")
    built = tmp_path / "built"
    build_index(corpus_copy, built)
    assert cli.rebuild_reason(corpus_copy, built) is None
    page = next(corpus_copy.iterdir())
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "older than the pages" in cli.rebuild_reason(corpus_copy, built)
    for damage in ("segment cut in half", "another schema version", "old-style metadata, segment zeroed"):
        root = tmp_path / damage.replace(" ", "-")
        shutil.copytree(index_copy, root, symlinks=True)
        DAMAGES[damage](root)
        assert REASONS[damage] in cli.rebuild_reason(CORPUS, root), damage


@pytest.fixture
def default_command(monkeypatch, corpus_copy, tmp_path):
    """`python run.py` with its corpus and index folders moved to tmp and serving replaced by a probe
    that records what it would serve (the decision is tested, not the server)."""
    index = tmp_path / "index"
    served: list[dict] = []

    def fake_serve(args):
        served.append({"index": Path(args.index), "host": args.host, "build": current_build(args.index),
                       "problem": verify_index(args.index)})
        return 0

    monkeypatch.setattr(cli, "DEFAULT_CORPUS", corpus_copy)
    monkeypatch.setenv("PPRNET_INDEX_DIR", str(index))
    monkeypatch.setattr(cli, "cmd_serve", fake_serve)
    return corpus_copy, index, served


def test_python_run_py_builds_a_missing_index_then_serves(default_command, capsys):
    corpus, index, served = default_command
    assert cli.main([]) == 0
    assert len(served) == 1 and served[0]["problem"] is None and served[0]["host"] == "127.0.0.1"
    assert "building it from the pages" in capsys.readouterr().err


def test_python_run_py_serves_a_current_index_without_rebuilding(default_command, capsys):
    corpus, index, served = default_command
    build_index(corpus, index)
    before = current_build(index)
    assert cli.main([]) == 0
    assert served[0]["build"] == before
    assert "Building" not in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["segment deleted", "segment cut in half", "table of contents deleted",
                                    "another schema version", "metadata unreadable",
                                    "old-style metadata, segment zeroed"])
def test_python_run_py_rebuilds_an_unreadable_index_before_serving(default_command, damage, capsys):
    corpus, index, served = default_command
    build_index(corpus, index)  # current with the corpus: only the damage can trigger the rebuild
    damaged = current_build(index)
    DAMAGES[damage](index)
    assert cli.main([]) == 0
    assert len(served) == 1 and served[0]["problem"] is None and served[0]["build"] != damaged
    assert "building it from the pages" in capsys.readouterr().err


def test_python_run_py_serves_the_old_index_when_the_corpus_is_gone(default_command, capsys):
    corpus, index, served = default_command
    build_index(corpus, index)
    shutil.rmtree(corpus)
    assert cli.main([]) == 0
    assert served and served[0]["problem"] is None
    assert "note: there is no folder" in capsys.readouterr().err  # said, then served as it is


def test_python_run_py_fails_clearly_with_no_corpus_and_no_index(default_command, capsys):
    corpus, index, served = default_command
    shutil.rmtree(corpus)
    assert cli.main([]) != 0
    assert served == []
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err
