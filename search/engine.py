"""The search engine: one search request through each step once, over the current index snapshot.

``SearchEngine.search`` is the full call the web page and the command line make; docs/architecture.md
lists its steps (the request path), a module each. A query of three or more clauses has two tiers: the
posts matching most of them are the results (the count and the facets describe them), and those
matching only some follow on later pages, marked ``fewer_words``; when fewer than ``RELAX_BELOW`` posts
match most, every post matching any clause is a result.

A snapshot (one build of the index, search.store) holds what is derived from its stored records when
it opens: the posts without their texts, facet values, the restriction resolvers, date orders. It is
replaced when the index is swapped. Each search has a time budget (``SEARCH_SECONDS``): past it,
scoring stops and the response says the results may be incomplete.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import cached_property
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from search.analysis import STOP_AND_QUESTION_WORDS, contains_run, fold_name, word_terms
from search.answer import CANDIDATE_POSTS, AnswerSentence, practice_answer
from search.did_you_mean import DidYouMean
from search.evidence import RESEARCH_TYPES, evidence_level
from search.explain import QueryMarks, explain
from search.facets import FacetCount, FacetIndex
from search.journals import full_journal_name
from search.post import Post
from search.postings import Postings, PostingsError, PostingsReader
from search.query import ParsedQuery, Restriction, parse_query
from search.request import DEFAULT_PAGE_SIZE, SearchRequest
from search.restrict import Resolution, Resolver, name_words
from search.schema import CATCH_ALL_FIELD, PLAIN_WORD_FIELDS
from search.scoring import Match, Scorer, bm25_idf, top_documents
from search.store import IndexUnavailable, current_build, open_current, read_listings
from search.suggest import Suggester, Suggestion
from search.taxonomy import DEFAULT_TOPICS
from search.vocabulary import VOCABULARY_FILE, Vocabulary

T = TypeVar("T")
_MORE_LIKE_THIS_TERMS = 12
# A query that requires most of its words falls back to any word when fewer posts than a page of
# results (at the default page size) match most of them.
RELAX_BELOW = DEFAULT_PAGE_SIZE
# Seconds of scoring a search may take before it returns what it has (far above the milliseconds of a
# normal search; below gunicorn's 30 s worker timeout).
SEARCH_SECONDS = 3.0
# A journal named by an abbreviation its posts' texts lack ("JCCP") scores for its posts as a word of
# the title would, three times over.
JOURNAL_WEIGHT = 3.0
RELAXED_NOTICE = "Few posts match most of your words, so these results include every post that matches any of them."
PARTIAL_NOTICE = "The search took too long, so these results may be incomplete."
_RECORD_FIELDS = ("doi", "id", "issue_date")  # restricted by exact value, not facets
# How the interpretation line names a field, when not by its own name.
_FIELD_WORDS = {"doi": "DOI", "issue_date": "month", "title": "title has", "implications": "implications have"}
_JSON_KEYS = ("query", "total", "more", "page", "page_size", "sort", "suggestion", "corrected", "notice", "relaxed",
              "partial", "interpreted", "answer", "hits", "facets", "facet_totals")  # SearchResponse.to_dict's


@dataclass(frozen=True)
class Hit:
    post: Post
    score: float
    highlights: dict[str, str]
    matched_fields: tuple[str, ...]
    fewer_words: bool = False  # listed after the results: matches only some of the query's words

    def to_dict(self) -> dict:
        record = self.post.to_dict()
        del record["summary"], record["implications"]
        score = self.score if math.isfinite(self.score) else sys.float_info.max  # JSON has no Infinity
        record.update(score=round(score, 4), highlights=self.highlights, matched_fields=list(self.matched_fields),
                      fewer_words=self.fewer_words)
        return record


@dataclass(frozen=True)
class SearchResponse:
    """The result of one search; ``to_dict`` is the JSON of docs/json-api.md."""

    request: SearchRequest
    total: int   # the results: posts matching the query (most of a question's words)
    page: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    corrected: bool = False
    notice: str | None = None
    relaxed: bool = False   # the any-word query was run (see RELAX_BELOW)
    partial: bool = False   # the time budget ran out: the results may be incomplete
    answer: list[AnswerSentence] | None = None
    more: int = 0           # posts matching only some of the words, listed after the ``total`` results
    interpreted: dict = field(default_factory=dict)  # how the query was read (``interpretation``)
    facet_totals: dict[str, int] = field(default_factory=dict)  # values a facet has in all (listed: facet_limit)

    def interpretation_line(self) -> str:
        """How the query was read, in one line (PubMed's "search details"): ``alliance (also: rapport,
        therapeutic relationship, …) · year 2020 · author Barkham``. Empty when nothing was typed."""
        interpreted = self.interpreted
        words = []
        for word in interpreted.get("words", ()):
            also = interpreted.get("expansions", {}).get(word.lower().strip("?!.,;"))
            words.append(f"{word} (also: {', '.join(also[:3])}{', …' if len(also) > 3 else ''})" if also else word)
        pieces = [" ".join(words)] if words else []
        if interpreted.get("journal"):
            pieces.append(f"journal named: {interpreted['journal']}")
        for entry in [entry for entry in interpreted.get("restrictions", ()) if "suggestions" not in entry]:
            label = f"{'not ' if entry.get('excluded') else ''}{_FIELD_WORDS.get(entry['field'], entry['field'])} {entry['value']}"
            matches = entry.get("matches", [])
            if not matches and entry["field"] not in ("title", "implications"):
                label += " (no posts)"
            elif len(matches) == 1 and matches[0].casefold() != entry["value"].casefold():
                label += f" ({matches[0]})"
            elif len(matches) > 1 and entry["field"] != "year":
                label += f" ({len(matches)} {entry['field']}s)"
            pieces.append(label)
        for entry in interpreted.get("unknown", ()):
            nearest = f"; nearest: {'; '.join(entry['suggestions'])}" if entry.get("suggestions") else ""
            why = entry.get("help") or f"no {entry['field']} of that name{nearest}"
            pieces.append(f"{_FIELD_WORDS.get(entry['field'], entry['field'])} {entry['value']}: {why}")
        return " · ".join(pieces)

    @property
    def results(self) -> list[Hit]:
        """The page's hits without the posts matching fewer words that follow the results."""
        return [hit for hit in self.hits if not hit.fewer_words]

    @property
    def page_count(self) -> int:
        return max(1, -(-(self.total + self.more) // self.request.page_size))

    def to_dict(self) -> dict:
        record = {key: getattr(self.request if key in ("query", "page_size", "sort") else self, key)
                  for key in _JSON_KEYS}
        record.update(answer=[sentence.to_dict() for sentence in self.answer] if self.answer else None,
                      hits=[hit.to_dict() for hit in self.hits],
                      facets={name: [count.to_dict() for count in counts] for name, counts in self.facets.items()})
        return record


class _Snapshot:
    """One opened build of the index and what is derived from its stored records."""

    def __init__(self, root: Path) -> None:
        self.build, self.ix = open_current(root)
        self._lock = threading.Lock()  # Whoosh's readers are not shared between threads: one reads at a time
        self.searcher = self.ix.searcher()
        try:
            self.postings = Postings(self.build)
            self.scorer = Scorer(self.postings, self.searcher, PLAIN_WORD_FIELDS)
            self.posts: dict[int, Post] = {}
            self.facets = FacetIndex()
            self.exact: dict[str, dict[str, list[int]]] = {name: {} for name in _RECORD_FIELDS}
            for docnum, post in enumerate(read_listings(self.build)):  # the texts stay on disk
                self.posts[docnum] = post
                self.facets.add(docnum, post)
                for name, value in (("doi", (post.doi or "").lower()), ("id", post.id), ("issue_date", post.issue_date)):
                    self.exact[name].setdefault(value, []).append(docnum)
        except Exception:
            self.close()
            raise
        self.docnum_of = {post.id: docnum for docnum, post in self.posts.items()}
        self.size = self.facets.size
        known = {name: self.facets.values(name) for name in ("author", "journal", "topic", "type", "year")}
        known["topic"] += [label for label in DEFAULT_TOPICS if label not in known["topic"]]  # the taxonomy's, even without posts
        known["type"] += [label for label in RESEARCH_TYPES if label not in known["type"]]
        self.resolver = Resolver({**known, **{name: list(values) for name, values in self.exact.items()}})
        self.did_you_mean = DidYouMean(lambda: Vocabulary.load(self.build / VOCABULARY_FILE), self.is_indexed,
                                       self.resolver)
        by_id = sorted(self.posts, key=lambda docnum: self.posts[docnum].id)
        self.newest_first = np.array(sorted(by_id, key=lambda d: self.posts[d].issue_date, reverse=True), dtype=np.int64)
        self.oldest_first = np.array(sorted(by_id, key=lambda d: self.posts[d].issue_date), dtype=np.int64)
        self.tie_rank = np.argsort(self.newest_first)  # each post's place in newest_first (docnums are 0..size-1)
        self.evidence = np.array([evidence_level(post.research_types) for post in self.posts.values()], dtype=np.int64)
        # Each journal's name folded and as the words a query names it by (_Search.journal_named), longest
        # first: "Counselling and Psychotherapy Research" is named before "Psychotherapy Research".
        self.journal_words = sorted(
            ((value, fold_name(value), [word for word in name_words(value) if word not in STOP_AND_QUESTION_WORDS])
             for value in self.facets.values("journal")), key=lambda entry: -len(entry[2]))

    def close(self) -> None:
        self.searcher.close()

    def is_indexed(self, word: str) -> bool:
        """Whether the word analyses to terms the index has (a stop word: no terms, so yes)."""
        terms = word_terms(word)
        return not terms or any(self.postings.has_term(CATCH_ALL_FIELD, term) for term in terms)

    def full_post(self, reader: PostingsReader, docnum: int) -> tuple[Post, tuple]:
        """The post with its summary and implications, and its implications' sentence spans."""
        summary, implications, sentences = reader.texts(docnum)
        return self.posts[docnum].with_texts(summary, implications), sentences

    def read_post(self, docnum: int) -> Post:
        """The post with its texts, outside a search."""
        with self.reading() as reader:
            return self.full_post(reader, docnum)[0]

    @contextmanager
    def reading(self):
        """A reader of the postings file (search.postings); a damaged one is IndexUnavailable (a 503)."""
        try:
            with self.postings.reading() as reader:
                yield reader
        except PostingsError as error:
            raise IndexUnavailable(f"{error}: rebuild it with `python run.py index`") from error

    def more_like(self, docnum: int, limit: int) -> list[int]:
        post = self.read_post(docnum)
        with self._lock:
            results = self.searcher.more_like(docnum, CATCH_ALL_FIELD, text=" ".join((post.title, post.summary, post.implications)),
                                              top=limit, numterms=_MORE_LIKE_THIS_TERMS)
            return [hit.docnum for hit in results]

    def mask(self, resolution: Resolution) -> np.ndarray:
        if resolution.field in _RECORD_FIELDS:
            mask = np.zeros(self.size, dtype=bool)
            mask[[d for value in resolution.values for d in self.exact[resolution.field].get(value, ())]] = True
            return mask
        return self.facets.mask_of_any(resolution.field, resolution.values)

    def resolve(self, field_name: str, value: str) -> Resolution:
        if field_name == "doi":
            value = value.lower()
        return self.resolver.resolve(field_name, value)

    @cached_property
    def suggester(self) -> Suggester:
        """Autocomplete entries (built on the first look-up: a command-line search never needs them)."""
        return Suggester(
            [Suggestion(kind, count.value, count=count.count)
             for kind in ("topic", "journal", "author") for count in self.facets.all_counts(kind)]
            + [Suggestion("title", self.posts[d].title, post_id=self.posts[d].id) for d in self.newest_first.tolist()])


class SearchEngine:
    """Searches the index under ``root`` (see :mod:`search.store`). Safe to share between threads."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._opening = threading.Lock()  # held only while a snapshot is swapped
        self._snapshot: _Snapshot | None = None

    def _current(self) -> _Snapshot:
        """The snapshot of the current build; reopened when ``current`` points elsewhere. Raises
        IndexUnavailable when there is no usable index (a 503 page, exit status 2)."""
        build = current_build(self.root)
        snapshot = self._snapshot
        if snapshot is not None and build == snapshot.build:
            return snapshot
        with self._opening:
            if self._snapshot is None or build != self._snapshot.build:
                self._snapshot = _open_snapshot(self.root, build)
        return self._snapshot

    def problem(self) -> str | None:
        """Why no search can be answered now (the current index cannot be opened), or None: the
        snapshot is open (opening it if needed), so the next search runs at once."""
        try:
            self._current()
        except IndexUnavailable as error:
            return str(error)
        return None

    def close(self) -> None:
        with self._opening:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            snapshot.close()

    def _reading(self, work: Callable[[_Snapshot], T]) -> T:
        """``work`` over the current snapshot. A build swapped in (and the old one deleted) between
        finding the snapshot and reading its files is no error: the work is done again on the new one."""
        for _ in range(2):
            snapshot = self._current()
            try:
                return work(snapshot)
            except IndexUnavailable:
                if current_build(self.root) == snapshot.build:
                    raise
        return work(self._current())

    # -- searching ----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """The full search call (see the module notes)."""
        def run(snapshot: _Snapshot) -> SearchResponse:
            with snapshot.reading() as reader:
                return _Search(snapshot, reader, request).run()
        return self._reading(run)

    # -- posts ----------------------------------------------------------------------------------
    def post(self, post_id: str) -> Post | None:
        def read(snapshot: _Snapshot) -> Post | None:
            docnum = snapshot.docnum_of.get(post_id)
            return None if docnum is None else snapshot.read_post(docnum)
        return self._reading(read)

    def more_like_this(self, post_id: str, limit: int = 5) -> list[Post]:
        """Posts that share the most distinctive terms with this one (listing records: summary and
        implications empty), by Whoosh's MoreLikeThis over the catch-all field."""
        def similar(snapshot: _Snapshot) -> list[Post]:
            docnum = snapshot.docnum_of.get(post_id)
            return [] if docnum is None else [snapshot.posts[d] for d in snapshot.more_like(docnum, limit)]
        return self._reading(similar)

    def posts_where(self, facet: str, value: str, *, exclude: str | None = None, limit: int = 10) -> list[Post]:
        """Posts with a facet value (e.g. the same first author), newest first (listing records)."""
        snapshot = self._current()
        mask = snapshot.mask(snapshot.resolve(facet, value))
        return [snapshot.posts[d] for d in snapshot.newest_first[mask[snapshot.newest_first]].tolist()
                if snapshot.posts[d].id != exclude][:limit]

    # -- browsing and autocomplete ----------------------------------------------------------------
    def topic_counts(self) -> list[FacetCount]:
        """Every topic of the taxonomy with its number of posts (zero included), in taxonomy order,
        then any other topic the posts carry."""
        counts = {count.value: count.count for count in self._current().facets.all_counts("topic")}
        labels = list(DEFAULT_TOPICS) + sorted(set(counts) - set(DEFAULT_TOPICS))
        return [FacetCount(label, counts.get(label, 0), False) for label in labels]

    def stats(self) -> dict:
        """What the index holds: post count and the months it covers."""
        snapshot = self._current()
        first, last = (snapshot.posts[int(order[0])].issue_date if snapshot.posts else None
                       for order in (snapshot.oldest_first, snapshot.newest_first))
        return {"posts": len(snapshot.posts), "first_month": first, "last_month": last, "build": snapshot.build.name}

    def latest(self, limit: int = 5) -> list[Post]:
        """The newest posts (listing records: summary and implications empty)."""
        snapshot = self._current()
        return [snapshot.posts[docnum] for docnum in snapshot.newest_first[:limit].tolist()]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Titles, topics, authors and journals with a word starting with ``prefix``."""
        return self._current().suggester.suggest(prefix, limit)


def _open_snapshot(root: Path, build: Path | None) -> _Snapshot:
    """Open the current build. A build swapped out (and deleted) while opening is followed to the new one
    (three tries in all); damaged files raise IndexUnavailable (a 503), never an arbitrary Whoosh error."""
    for attempt in range(3):
        try:
            return _Snapshot(root)
        except Exception as error:
            now = current_build(root)
            if now != build and attempt < 2:
                build = now
                continue
            if isinstance(error, IndexUnavailable):
                raise
            raise IndexUnavailable(f"the index at {now} cannot be read ({error!r}): rebuild it with `python run.py index`") from error


class _Search:
    """One search request over one snapshot (its steps: docs/architecture.md)."""

    def __init__(self, snapshot: _Snapshot, reader: PostingsReader, request: SearchRequest) -> None:
        self.snapshot, self.reader, self.request = snapshot, reader, request
        self.deadline = time.monotonic() + SEARCH_SECONDS
        self.resolutions: dict[Restriction, Resolution] = {}
        self.filters = {facet: [snapshot.resolve(facet, value) for value in values]
                        for facet, values in request.filters.items()}
        # What each facet selects: the values found, and a value no post has as typed (it selects nothing
        # and is listed, selected, with a count of 0).
        self.selections = {facet: tuple(dict.fromkeys(value for r in found for value in (r.values or (r.typed,))))
                           for facet, found in self.filters.items()}
        self.journal: str | None = None  # a journal the plain words name (journal_named)
        self.timed_out = False  # an evaluation of this search passed the deadline
        self.full_posts: dict[int, tuple[Post, tuple]] = {}  # read once per search (hits and answer)

    def full_post(self, docnum: int) -> tuple[Post, tuple]:
        if docnum not in self.full_posts:
            self.full_posts[docnum] = self.snapshot.full_post(self.reader, docnum)
        return self.full_posts[docnum]

    def run(self) -> SearchResponse:
        parsed = parse_query(self.request.query)
        response = self.respond(parsed)
        suggestion = self.snapshot.did_you_mean.suggestion(parsed, response.interpreted.get("unknown", []))
        if suggestion and response.total + response.more == 0 and not response.partial:
            retried = self.respond(parse_query(suggestion))
            if retried.total:
                return replace(retried, suggestion=suggestion, corrected=True)
        return replace(response, suggestion=suggestion)

    def restrict(self, leaf: Restriction) -> np.ndarray:
        """The posts a restriction selects (search.restrict), its resolution kept for the response."""
        if leaf not in self.resolutions:
            self.resolutions[leaf] = self.snapshot.resolve(leaf.fieldname, leaf.value)
        return self.snapshot.mask(self.resolutions[leaf])

    def evaluate(self, query) -> Match:
        match = self.snapshot.scorer.evaluate(self.reader, query, self.restrict, self.deadline)
        self.timed_out |= match.timed_out
        return match

    def respond(self, parsed: ParsedQuery) -> SearchResponse:
        snapshot = self.snapshot
        scores = fewer = None
        relaxed = False
        restricted = np.ones(snapshot.size, dtype=bool)
        for restriction in parsed.restrictions:
            restricted &= self.evaluate(restriction).mask
        for exclusion in parsed.exclusions:
            restricted &= ~self.evaluate(exclusion).mask
        if parsed.is_empty:
            matching = np.zeros(snapshot.size, dtype=bool)
        elif not parsed.clauses:
            matching = restricted  # browsing, or restrictions alone: listed newest first
        else:
            matches = [self.evaluate(clause) for clause in parsed.clauses]
            self.journal_named(parsed, matches)
            scores = np.sum([match.scores for match in matches], axis=0)
            counts = np.sum([match.mask for match in matches], axis=0)
            matching = (counts >= max(1, parsed.required)) & restricted
            if parsed.required > 1:
                some = (counts >= 1) & restricted
                if np.count_nonzero(matching) < RELAX_BELOW:
                    relaxed, matching = True, some
                else:
                    fewer = some & ~matching
        partial = self.timed_out
        allowed = snapshot.facets.allowed(self.selections)
        final = matching if allowed is None else matching & allowed
        if fewer is not None and allowed is not None:
            fewer &= allowed
        total = int(np.count_nonzero(final))
        more = 0 if fewer is None else int(np.count_nonzero(fewer))
        page = min(self.request.page, max(1, -(-(total + more) // self.request.page_size)))
        marks = QueryMarks.of(parsed, snapshot.postings.expand, lambda leaf: self.resolutions.get(leaf, Resolution("", "", ())).values)
        if self.journal:
            marks.selected.setdefault("journal", set()).add(self.journal)
        hits = self.page_of_hits(marks, scores, final, fewer, page) if total + more else []
        answer = None
        if total and scores is not None and not partial:
            best = top_documents(scores, final, snapshot.tie_rank, 0, CANDIDATE_POSTS)
            answer = practice_answer(parsed, [(d, *self.full_post(d)) for d, _ in best], snapshot.postings, self.reader)
        notices = [parsed.notice, RELAXED_NOTICE if relaxed else None, PARTIAL_NOTICE if partial else None]
        facets, facet_totals = snapshot.facets.counts(matching, self.selections, limit=self.request.facet_limit)
        return SearchResponse(
            request=self.request, total=total, page=page, hits=hits,
            facets=facets, facet_totals=facet_totals,
            notice=" ".join(filter(None, notices)) or None, relaxed=relaxed,
            partial=partial, answer=answer, more=more, interpreted=self.interpretation(parsed),
        )

    def journal_named(self, parsed: ParsedQuery, matches: list[Match]) -> None:
        """A journal named by the plain words (its whole name, or an abbreviation): for its posts, each
        clause of the name matches and scores as the best match of that clause in any post (at least
        JOURNAL_WEIGHT times the journal's idf), so naming a journal ranks its posts as the best matches
        of its words, and the query's other words ("Psychotherapy Research 2020") order them."""
        typed = [fold_name(text) for text in parsed.clause_texts]
        words = " ".join(typed).split()
        abbreviated = {fold_name(name) for text in typed if (name := full_journal_name(text))}
        for value, folded, name in self.snapshot.journal_words:
            if not ((len(name) > 1 and contains_run(words, name)) or folded in abbreviated):
                continue
            mask = self.snapshot.facets.mask_of_any("journal", (value,))
            least = JOURNAL_WEIGHT * bm25_idf(int(np.count_nonzero(mask)), self.snapshot.size)
            for match, text in zip(matches, typed):
                if set(text.split()) <= set(name) or full_journal_name(text):
                    match.scores = np.where(mask, max(least, float(match.scores.max(initial=0.0))), match.scores)
                    match.mask |= mask
            self.journal = value
            return

    def page_of_hits(self, marks: QueryMarks, scores: np.ndarray | None, final: np.ndarray, fewer: np.ndarray | None,
                     page: int) -> list[Hit]:
        """The hits of one page: ranked by score (then date, then id), or in date or evidence order;
        the posts of ``final`` first, then those of ``fewer`` (each tier in that order)."""
        size = self.request.page_size
        start, stop = (page - 1) * size, page * size
        shown: list[tuple[int, float, bool]] = []
        for tier, offset in ((final, 0), (fewer, int(np.count_nonzero(final)))):
            if tier is not None and stop > offset:
                shown += [(d, score, offset > 0) for d, score in _ordered(self.snapshot, self.request.sort, scores, tier,
                                                                            max(0, start - offset), stop - offset)]
        posts = [(d, self.full_post(d)[0]) for d, _, _ in shown]
        explanations = explain(self.reader, marks, posts)
        return [Hit(post, score, explanation.highlights, explanation.matched_fields, fewer_words)
                for (_, post), (_, score, fewer_words), explanation in zip(posts, shown, explanations)]

    def interpretation(self, parsed: ParsedQuery) -> dict:
        """How the query was read: its clauses as typed, thesaurus phrases also searched, each restriction
        with the values it selects, and the values no post has (with the nearest known ones)."""
        restrictions = [{**self.resolutions[leaf].to_dict(), "excluded": excluded}
                        for group, excluded in ((parsed.restrictions, False), (parsed.exclusions, True))
                        for query in group for leaf in query.leaves() if leaf in self.resolutions]
        unknown = [entry for entry in restrictions if "suggestions" in entry]
        unknown += [resolution.to_dict() for found in self.filters.values() for resolution in found if resolution.unknown]
        return {"words": list(parsed.clause_texts), "expansions": {typed: list(phrases) for typed, phrases in parsed.expansions},
                "restrictions": restrictions, "unknown": unknown, "journal": self.journal}


def _ordered(snapshot: _Snapshot, sort: str, scores: np.ndarray | None, among: np.ndarray,
             start: int, stop: int) -> list[tuple[int, float]]:
    """The documents of the ``among`` mask ranked start..stop in the sort, with their scores (0 when
    nothing scored: browsing and restrictions alone list the newest first for "relevance")."""
    if scores is not None and sort == "relevance":
        return top_documents(scores, among, snapshot.tie_rank, start, stop)
    documents = snapshot.oldest_first if sort == "oldest" else snapshot.newest_first
    documents = documents[among[documents]]
    if sort == "evidence":  # then by score and tie_rank; without scores, newest first (lexsort is stable)
        secondary = () if scores is None else (snapshot.tie_rank[documents], -scores[documents])
        documents = documents[np.lexsort((*secondary, snapshot.evidence[documents]))]
    return [(d, 0.0 if scores is None else float(scores[d])) for d in documents[start:stop].tolist()]
