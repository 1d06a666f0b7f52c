"""Writing the index through Whoosh's own writer, and builds that fail or die.

- A document that fails half way leaves nothing of itself in the index.
- A full disk during a build: one clear error (``IndexWriteError``), the old index keeps serving, no
  build directory left behind. A build killed with SIGKILL leaves no process; the next build removes
  its directory.
"""
from __future__ import annotations

import errno
import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import StructFile

from bench import synth
from search.engine import SearchEngine
from search.post import Post
from search.postings import PostingsWriter
from search.request import SearchRequest
from search.schema import build_schema, document_for
from search.store import BUILDS_DIR, IndexWriteError, current_build, write_index

SEED_POSTS = Path(__file__).parent / "fixtures" / "seed_posts.json"
PROJECT = Path(__file__).resolve().parent.parent


def _posts() -> list[Post]:
    seed = [Post.from_dict(record) for record in json.loads(SEED_POSTS.read_text(encoding="utf-8"))]
    return seed + list(synth.generate_posts(300, 11))


def test_a_document_that_fails_half_way_leaves_nothing_behind(tmp_path):
    good = _posts()[:2]
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    postings = PostingsWriter()
    with ix.writer() as writer:
        writer.add_document(**document_for(good[0], 0, postings))
        broken = document_for(good[1].replace(title="Zyzzogeton therapy"), 1, PostingsWriter())
        broken["title"] = 12345  # the last field (by name) raises after the others were indexed
        with pytest.raises(ValueError):
            writer.add_document(**broken)
        writer.add_document(**document_for(good[1], 1, postings))
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 2
        assert [fields["id"] for fields in searcher.all_stored_fields()] == [good[0].id, good[1].id]
        assert {term.decode() for term in searcher.reader().lexicon("id")} == {good[0].id, good[1].id}
    ix.close()


# -- a full disk and a killed build -------------------------------------------------------------
# Whoosh's writer, cancelled after a failed write, leaves its half-written files to the garbage
# collector (a ResourceWarning each): collected here, inside this test.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_is_one_clear_error_and_the_old_index_keeps_serving(tmp_path, monkeypatch):
    old = write_index(_posts()[:6], tmp_path)
    engine = SearchEngine(tmp_path)
    before = engine.search(SearchRequest(query="therapy")).to_dict()
    written = {"bytes": 0}
    real_write = StructFile.write

    def filling_write(self, data):  # the disk fills up after 200 kB of index files
        written["bytes"] += len(data)
        if written["bytes"] > 200_000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(self, data)

    monkeypatch.setattr(StructFile, "write", filling_write)
    with pytest.raises(IndexWriteError) as failure:
        write_index(_posts(), tmp_path)
    message = str(failure.value)
    del failure  # its traceback holds the cancelled writer
    assert "No space left on device" in message and "previous index is still in use" in message
    assert "\n" not in message
    monkeypatch.undo()
    gc.collect()
    assert current_build(tmp_path) == old
    assert [entry.name for entry in (tmp_path / BUILDS_DIR).iterdir()] == [old.name]
    assert engine.search(SearchRequest(query="therapy")).to_dict() == before
    engine.close()


_KILLED_BUILD = """
import sys
from bench import synth
from search.store import write_index

def posts():
    for number, post in enumerate(synth.generate_posts(100_000, 3)):
        if number == 50:
            print("writing", flush=True)
        yield post

write_index(posts(), sys.argv[1])
"""


def test_a_killed_build_leaves_no_process_and_the_next_build_removes_its_directory(tmp_path):
    old = write_index(_posts()[:6], tmp_path)
    build = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD, str(tmp_path)], cwd=PROJECT,
                             stdout=subprocess.PIPE, text=True)
    assert build.stdout.readline().strip() == "writing"
    children_before = _children(build.pid)
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    build.stdout.close()
    assert children_before == set()  # the build never forks
    partial = [entry.name for entry in (tmp_path / BUILDS_DIR).iterdir() if entry.name.endswith(".partial")]
    assert len(partial) == 1 and current_build(tmp_path) == old
    new = write_index(_posts()[:3], tmp_path)
    assert sorted(entry.name for entry in (tmp_path / BUILDS_DIR).iterdir()) == [new.name]


def _children(pid: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found = (task / "children").read_text().split() if (task / "children").exists() else []
        children |= {int(child) for child in found}
    return children
