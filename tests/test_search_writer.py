"""The build's fast paths write exactly what Whoosh's own paths write.

- ``BulkSegmentWriter`` (search.segment_writer) against Whoosh's ``SegmentWriter`` on the seed posts
  and 300 synthetic ones: the same terms, postings, term statistics, field lengths, stored documents
  and columns, and byte-identical postings and term files; also when its postings spill to run files.
- ``ContentAnalyzer.term_positions`` (the writer's analysis) against the analyzer's token stream in
  index mode, on generated text with segment breaks, compounds, stop words and thesaurus phrases.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import synth
from search.analysis import SEGMENT_BREAK, content_analyzer
from search.post import Post
from search.schema import build_schema, document_for
from search.segment_writer import BulkSegmentWriter
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

SEED_POSTS = Path(__file__).parent / "fixtures" / "seed_posts.json"


def _posts() -> list[Post]:
    seed = [Post.from_dict(record) for record in json.loads(SEED_POSTS.read_text(encoding="utf-8"))]
    return seed + list(synth.generate_posts(300, 11))


def _write(directory: Path, posts: list[Post], *, bulk: bool, limitmb: int = 256, parallel: bool = False,
           offload_after: int | None = None):
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), build_schema())
    if bulk:
        writer = BulkSegmentWriter(ix, limitmb=limitmb, compound=False, offload_after=offload_after,
                                   parallel_min_postings=0 if parallel else 10**12)
    else:
        writer = ix.writer(limitmb=limitmb, compound=False)
    for post in posts:
        writer.add_document(**document_for(post))
    writer.commit()
    return ix


def _postings(reader, fieldname: str, term: bytes) -> list[tuple]:
    matcher = reader.postings(fieldname, term)
    postings = []
    while matcher.is_active():
        postings.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return postings


def _term_statistics(reader, fieldname: str, term: bytes) -> tuple:
    info = reader.term_info(fieldname, term)
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())


def _segment_file(directory: Path, suffix: str) -> bytes:
    (path,) = directory.glob(f"*{suffix}")
    return path.read_bytes()


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    posts = _posts()
    root = tmp_path_factory.mktemp("writers")
    whoosh_ix = _write(root / "whoosh", posts, bulk=False)
    bulk = {
        "bulk": _write(root / "bulk", posts, bulk=True),
        "spilled": _write(root / "spilled", posts, bulk=True, limitmb=1),  # six runs and a buffer
        "parallel": _write(root / "parallel", posts, bulk=True, parallel=True),
        "spilled-parallel": _write(root / "spilled-parallel", posts, bulk=True, limitmb=1, parallel=True),
        # the catch-all field analysed by a worker process from the 50th document on
        "offloaded": _write(root / "offloaded", posts, bulk=True, offload_after=50),
        "offloaded-spilled-parallel": _write(root / "offloaded-spilled-parallel", posts, bulk=True, limitmb=1,
                                             parallel=True, offload_after=50),
    }
    yield root, len(posts), whoosh_ix, bulk
    for ix in (whoosh_ix, *bulk.values()):
        ix.close()


BULK_VARIANTS = ["bulk", "spilled", "parallel", "spilled-parallel", "offloaded", "offloaded-spilled-parallel"]


@pytest.mark.parametrize("name", BULK_VARIANTS)
def test_bulk_writer_writes_the_same_postings_and_statistics(indexes, name):
    root, count, whoosh_ix, bulk = indexes
    ix = bulk[name]
    with whoosh_ix.reader() as expected, ix.reader() as actual:
        terms = list(expected.all_terms())
        assert list(actual.all_terms()) == terms
        assert len(terms) > 3000
        for fieldname, term in terms:
            assert _postings(actual, fieldname, term) == _postings(expected, fieldname, term), (fieldname, term)
            assert _term_statistics(actual, fieldname, term) == _term_statistics(expected, fieldname, term)
        for fieldname, field in build_schema().items():
            assert actual.field_length(fieldname) == expected.field_length(fieldname)
            if not field.scorable:
                continue
            assert actual.min_field_length(fieldname) == expected.min_field_length(fieldname)
            assert actual.max_field_length(fieldname) == expected.max_field_length(fieldname)
            assert [actual.doc_field_length(d, fieldname) for d in range(count)] == \
                   [expected.doc_field_length(d, fieldname) for d in range(count)]
        assert list(actual.iter_docs()) == list(expected.iter_docs())
        for column in ("year", "issue_date"):
            assert list(actual.column_reader(column)) == list(expected.column_reader(column))


@pytest.mark.parametrize("suffix", [".pst", ".trm"])
@pytest.mark.parametrize("name", BULK_VARIANTS)
def test_bulk_writer_files_are_byte_identical(indexes, suffix, name):
    root = indexes[0]
    assert _segment_file(root / name, suffix) == _segment_file(root / "whoosh", suffix)


def test_a_document_that_fails_half_way_leaves_nothing_behind(tmp_path):
    good = _posts()[:2]
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix)
    writer.add_document(**document_for(good[0]))
    broken = document_for(good[1].replace(title="Zyzzogeton therapy"))
    broken["year"] = "not a year"  # the NUMERIC field raises after the prose fields were analysed
    with pytest.raises(ValueError):
        writer.add_document(**broken)
    writer.add_document(**document_for(good[1]))
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 2
        assert [fields["id"] for fields in searcher.all_stored_fields()] == [good[0].id, good[1].id]
        assert "zyzzogeton" not in {term.decode() for term in searcher.reader().lexicon("text")}
        assert {term.decode() for term in searcher.reader().lexicon("id")} == {good[0].id, good[1].id}
    ix.close()


# -- the analysis fast path --------------------------------------------------------------------
_WORDS = st.sampled_from(
    "the of and client clients therapist well-being wellbeing well being dropout drop out behaviour "
    "therapeutic alliance working alliance cognitive behavioral therapy CBT a I 2021 n=120 e.g. "
    "Müller café rupture repair ... , ; ( ) ! mindfulness-based".split()
)
_TEXT = st.lists(st.one_of(_WORDS, st.just(SEGMENT_BREAK), st.just(SEGMENT_BREAK * 2)), max_size=60).map(" ".join)


def _positions_from_tokens(analyzer, text: str) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True, mode="index"):
        positions.setdefault(token.text, []).append(token.pos)
    return positions


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_term_positions_equal_the_token_stream(text):
    analyzer = content_analyzer()
    assert analyzer.term_positions(text) == _positions_from_tokens(analyzer, text)


def test_term_positions_of_a_catch_all_value():
    analyzer = content_analyzer()
    for post in _posts()[:20]:
        text = document_for(post)["text"]
        assert analyzer.term_positions(text) == _positions_from_tokens(analyzer, text)


def test_prose_field_index_equals_whooshs_token_stream_path():
    schema = build_schema()
    for post in _posts()[:20]:
        document = document_for(post)
        for fieldname in ("text", "title", "implications", "topics"):
            field = schema[fieldname]
            assert field.index(document[fieldname]) == list(TEXT.index(field, document[fieldname])), fieldname


# -- failures of the worker processes ------------------------------------------------------------
def test_a_dead_worker_fails_the_build_without_hanging(tmp_path):
    posts = _posts()[:40]
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix, offload_after=10)
    for post in posts[:20]:
        writer.add_document(**document_for(post))
    writer._offload._process.kill()
    with pytest.raises(RuntimeError, match="analysis worker"):
        for post in posts[20:]:
            writer.add_document(**document_for(post))
        writer.commit()
    writer.cancel()
    ix.close()


def test_a_failing_worker_leaves_the_old_index_serving(tmp_path, monkeypatch):
    from search.store import current_build, write_index

    old = write_index(_posts()[:6], tmp_path)

    def broken(self, fieldname, connection):
        raise MemoryError("simulated")

    monkeypatch.setattr(BulkSegmentWriter, "_analyse_offloaded", broken)
    with pytest.raises(RuntimeError, match="analysis worker"):
        write_index(synth.generate_posts(1_050, 5), tmp_path)
    assert current_build(tmp_path) == old
    assert [entry.name for entry in (tmp_path / "builds").iterdir()] == [old.name]


def test_documents_without_the_offloaded_field_keep_the_lengths_aligned(tmp_path):
    documents = [document_for(post) for post in _posts()[:30]]
    for document in documents[::3]:
        del document["text"]  # every third document lacks the catch-all field
    indexes = []
    for name, bulk in (("whoosh", False), ("bulk", True)):
        directory = tmp_path / name
        directory.mkdir()
        ix = whoosh_index.create_in(str(directory), build_schema())
        writer = BulkSegmentWriter(ix, offload_after=2) if bulk else ix.writer()
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        indexes.append(ix)
    with indexes[0].reader() as expected, indexes[1].reader() as actual:
        assert [actual.doc_field_length(d, "text") for d in range(30)] == \
               [expected.doc_field_length(d, "text") for d in range(30)]
        assert actual.field_length("text") == expected.field_length("text")
        for fieldname, term in expected.all_terms():
            assert _postings(actual, fieldname, term) == _postings(expected, fieldname, term)
    for ix in indexes:
        ix.close()
