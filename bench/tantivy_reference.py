"""The second reference engine: tantivy (a Rust engine, through its Python bindings), doing the same job.

Same documents and query words as ``bench.fts5_reference`` (queries read by ``bench.reference_query``):
the seven fields our plain words search, each tokenized by tantivy's ``en_stem`` (simple tokenizer,
long words dropped, lower case, Snowball English stemmer); a clause is a term query (one word) or a
phrase query (several) in each of its fields, boosted by our field weights (title 3, implications 2,
summary 1, citation 1.2, authors 1.5, journal 1, topics 1.5), the clauses OR-ed (BM25 per field,
summed); ``year:`` a term query on an integer field OR-ed with them, scoring nothing; facet selections
constant-score filters (OR within a facet, AND across). The call returns the total, the top 10 with
the stored record and a ``SnippetGenerator`` snippet (about 200 characters) of the summary and of the
implications, disjunctive counts of the five facets over all matches (terms aggregations on fast
fields, top 50 by count; one aggregation request per distinct set of selections, so one request
without selections), and a vocabulary look-up of each plain word (``doc_freq`` on a field of
lower-cased words). A query with no searchable word and no year (only stop words) finds nothing, an
empty one lists every post; both then rank by issue date, newest first, as FTS5 does.

Differences from FTS5: tantivy's BM25 uses each field's own length statistics (FTS5's ``bm25()`` weights
per-column term frequencies against the row's length), and ties in facet counts are ordered by
tantivy. Like FTS5 it does no synonym expansion, spelling folding or correction.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from bench.reference_query import FIELDS, WEIGHTS, ReferenceQuery, ReferenceResult, read_query
from search.facets import FACET_NAMES, facet_values
from search.post import Post

PAGE_SIZE = 10
MAX_FACET_VALUES = 50
SNIPPET_CHARS = 200  # about FTS5's snippet() of 32 tokens
PREVIEW_CHARS = 240  # without words to highlight (a year or an empty query): the start of the text
STEMMED = "en_stem"
LOWER = "pprnet_lower"  # registered by name at build and at every open
WORDS_FIELD = "words"
WRITER_HEAP_BYTES = 64_000_000
FACET_FIELDS = {facet: f"facet_{facet}" for facet in FACET_NAMES}


def _stemmer() -> tantivy.TextAnalyzer:
    """The query side of ``en_stem``: the same tokenizer and filters, to turn words into its terms."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build())


def _lower() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for field in FIELDS:
        builder.add_text_field(field, stored=field in ("summary", "implications"), tokenizer_name=STEMMED)
    for field in FACET_FIELDS.values():
        if field != FACET_FIELDS["year"]:
            builder.add_text_field(field, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field(FACET_FIELDS["year"], indexed=True, fast=True)
    builder.add_unsigned_field("issued", fast=True)  # YYYYMM, for listing by date
    builder.add_text_field(WORDS_FIELD, tokenizer_name=LOWER, index_option="basic")
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def _document(post: Post) -> tantivy.Document:
    document = tantivy.Document()
    texts = {"title": post.title, "summary": post.summary, "implications": post.implications,
             "citation": " ".join(filter(None, (post.citation, post.article_title))),
             "authors": " ; ".join(post.authors), "journal": post.journal or "", "topics": " ; ".join(post.topics)}
    for field in FIELDS:
        document.add_text(field, texts[field])
    for facet, values in facet_values(post).items():
        for value in dict.fromkeys(values):
            if facet == "year":
                document.add_integer(FACET_FIELDS[facet], int(value))
            else:
                document.add_text(FACET_FIELDS[facet], value)
    year, _, month = post.issue_date.partition("-")
    document.add_unsigned("issued", int(year) * 100 + int(month or 0))
    document.add_text(WORDS_FIELD, " ".join((post.title, post.summary, post.implications, post.citation or "")))
    document.add_bytes("record", json.dumps(post.to_dict(), ensure_ascii=False).encode("utf-8"))
    return document


def build(posts: Iterable[Post], path: str | Path) -> int:
    """Write a tantivy index of ``posts`` into the folder ``path`` (made; it must be new or empty).
    One indexing thread, as our build and FTS5's. Returns the number of posts."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(path))
    index.register_tokenizer(LOWER, _lower())
    writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
    count = 0
    for post in posts:
        writer.add_document(_document(post))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class TantivyReference:
    """One opened index written by :func:`build`, one searcher; ``search`` is the full call."""

    def __init__(self, path: str | Path) -> None:
        self.index = tantivy.Index.open(str(path))
        self.index.register_tokenizer(LOWER, _lower())
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.stemmer = _stemmer()

    def close(self) -> None:
        self.searcher = self.index = None

    def _text_query(self, read: ReferenceQuery, query: str) -> Query | None:
        """The clauses and years OR-ed; all posts for an empty query; None when nothing can match."""
        should: list[tuple[Occur, Query]] = []
        for clause in read.clauses:
            terms = self.stemmer.analyze(" ".join(clause.words))
            if not terms:
                continue
            for field in (clause.field,) if clause.field else FIELDS:
                if len(terms) == 1:
                    matcher = Query.term_query(self.schema, field, terms[0])
                else:
                    matcher = Query.phrase_query(self.schema, field, terms)
                should.append((Occur.Should, Query.boost_query(matcher, WEIGHTS[field])))
        if read.years:
            years = Query.term_set_query(self.schema, FACET_FIELDS["year"], list(read.years))
            should.append((Occur.Should, Query.const_score_query(years, 0.0)))
        if should:
            return Query.boolean_query(should)
        return Query.all_query() if not query.strip() else None

    def _filtered(self, text: Query, selections: Mapping[str, tuple[str, ...]], ignoring: str | None = None) -> Query:
        musts = [(Occur.Must, text)]
        for facet, values in selections.items():
            if facet == ignoring:
                continue
            terms = [int(value) for value in values] if facet == "year" else list(values)
            matcher = Query.term_set_query(self.schema, FACET_FIELDS[facet], terms)
            musts.append((Occur.Must, Query.const_score_query(matcher, 0.0)))
        return Query.boolean_query(musts) if len(musts) > 1 else text

    def search(self, query: str, filters: Mapping[str, Iterable[str]] | None = None) -> ReferenceResult:
        searcher = self.searcher
        read = read_query(query)
        selections = {facet: tuple(values) for facet, values in (filters or {}).items() if values}
        text = self._text_query(read, query)
        if text is None:
            text = Query.empty_query()
        restricted = self._filtered(text, selections)
        scored = bool(read.clauses)
        if scored:
            result = searcher.search(restricted, PAGE_SIZE)
        else:
            result = searcher.search(restricted, PAGE_SIZE, order_by_field="issued")
        snippets = {}
        if scored and result.hits:
            for field in ("summary", "implications"):
                generator = tantivy.SnippetGenerator.create(searcher, text, self.schema, field)
                generator.set_max_num_chars(SNIPPET_CHARS)
                snippets[field] = generator
        hits = []
        for score, address in result.hits:
            document = searcher.doc(address)
            hit = {"post": json.loads(bytes(document.get_first("record"))), "score": score}
            for field in ("summary", "implications"):
                if scored:
                    hit[field] = snippets[field].snippet_from_doc(document).to_html()
                else:
                    hit[field] = (document.get_first(field) or "")[:PREVIEW_CHARS]
            hits.append(hit)

        facets_start = time.perf_counter()
        facets = self._facet_counts(text, selections)
        facets_ms = (time.perf_counter() - facets_start) * 1000

        unknown = tuple(word for word in read.plain_words if searcher.doc_freq(WORDS_FIELD, word) == 0)
        return ReferenceResult(result.count, hits, facets, unknown, facets_ms)

    def _facet_counts(self, text: Query, selections: Mapping[str, tuple[str, ...]]) -> dict[str, list[tuple[str, int]]]:
        """Disjunctive counts: each facet over the matches of the other facets' selections. Facets that
        see the same selections share one aggregation request."""
        groups: dict[str | None, list[str]] = {}
        for facet in FACET_NAMES:
            groups.setdefault(facet if facet in selections else None, []).append(facet)
        counts: dict[str, list[tuple[str, int]]] = {}
        for ignoring, facets in groups.items():
            request = {facet: {"terms": {"field": FACET_FIELDS[facet], "size": MAX_FACET_VALUES}} for facet in facets}
            answer = self.searcher.aggregate(self._filtered(text, selections, ignoring), request)
            for facet in facets:
                buckets = answer.get(facet, {}).get("buckets", [])
                counts[facet] = [(str(int(bucket["key"])) if facet == "year" else str(bucket["key"]), bucket["doc_count"])
                                 for bucket in buckets]
        return {facet: counts[facet] for facet in FACET_NAMES}
