"""The search engine: searchers over the current index, reopened when the index is swapped.

``SearchEngine.search`` is the full call the web page and the CLI make: parse (search.query), score
every document (search.scoring: the weighting model's scores as vectors, equal to Whoosh's own
search), filter by facets, rank in a total order (score, then date, then id), sort by date or by
strength of evidence (search.evidence), paginate, explain each hit (search.matches: highlights
and "matched in"), count facets disjunctively (search.facets), suggest a spelling (search.did_you_mean,
with an automatic retry when a misspelled query finds nothing), and quote a practice answer from the
best posts' implications (search.answer). A query that requires most of its words (a question) has
two tiers: the posts matching most of the words are the results (the count and the facets describe
them), and the posts matching only some follow them on later pages, marked ``fewer_words``; when fewer
than ``RELAX_BELOW`` posts match most of the words, every post matching any word is a result (the
response says so). Each search
has a time budget (``SEARCH_SECONDS``): past it, scoring stops and the response says the results may
be incomplete.

Each index snapshot keeps what is derived from it (posts without their texts, facet values,
vocabulary, autocomplete, LRUs of responses and of recently shown full posts; a blog-sized index is
prepared whole when it opens, see PREPARED_POSTS) and a pool of searchers: a Whoosh searcher is not
meant to be used by two threads at once, so each search takes one (opening another when all are
busy: they share the index's bytes) and gives it back. No lock is held across a search; a lock is
held only while a new snapshot is opened after a swap.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from search.analysis import word_terms
from search.answer import CANDIDATE_POSTS, AnswerSentence, practice_answer
from search.answer import prepare as prepare_answers
from search.did_you_mean import DidYouMean
from search.evidence import UNKNOWN_LEVEL, evidence_level
from search.facets import FacetCount, FacetIndex
from search.matches import explain, query_marks, unmatched
from search.matches import prepare as prepare_explanations
from search.post import Post
from search.query import ParsedQuery, parse_query
from search.request import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SearchRequest
from search.schema import CATCH_ALL_FIELD, post_from_record
from search.scoring import PostWeighting, TermScorer, top_documents
from search.suggest import Suggester, Suggestion
from search.store import IndexUnavailable, current_build, open_current
from search.taxonomy import DEFAULT_TOPICS
from search.vocabulary import VOCABULARY_FILE, Vocabulary

_MORE_LIKE_THIS_TERMS = 12
_CACHED_RESPONSES = 128  # recent responses per snapshot: paging back, toggling a facet back
# An index of at most this many posts (the blog's scale) is prepared when it opens: every post kept in
# full, its texts analysed for highlights and "matched in" and its implications split into sentences
# for the answer (the caches of search.highlight and search.answer hold them all), so no search pays
# for the first sight of a post. About 0.7 s at 1,000 posts.
PREPARED_POSTS = 1024
_CACHED_POSTS = PREPARED_POSTS  # full posts (with their texts) kept per snapshot: all of a prepared index, ~3 MB
# A query that requires most of its words falls back to any word when fewer posts than a page of
# results (at the default page size) match most of them: a few posts leave a reader without
# alternatives, while the any-word results still rank first the posts that match the most words.
RELAX_BELOW = DEFAULT_PAGE_SIZE
# Seconds of scoring a search may take before it returns what it has (far above the ~10-100 ms of a
# normal search at 1,000-10,000 posts; below gunicorn's 30 s worker timeout).
SEARCH_SECONDS = 3.0
RELAXED_NOTICE = "Few posts match most of your words, so these results include every post that matches any of them."
PARTIAL_NOTICE = "The search took too long, so these results may be incomplete."


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
    """The result of one search; ``to_dict`` is the JSON of DESIGN.md."""

    request: SearchRequest
    total: int   # the results: posts matching the query (most of a question's words)
    page: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    corrected: bool = False
    notice: str | None = None
    searched_query: str = ""
    relaxed: bool = False   # the any-word query was run (see RELAX_BELOW)
    partial: bool = False   # the time budget ran out: the results may be incomplete
    answer: list[AnswerSentence] | None = None
    more: int = 0           # posts matching only some of the words, listed after the ``total`` results
    facet_totals: dict[str, int] = field(default_factory=dict)  # values a facet has in all (listed: facet_limit)

    @property
    def results(self) -> list[Hit]:
        """The page's hits without the posts matching fewer words that follow the results."""
        return [hit for hit in self.hits if not hit.fewer_words]

    @property
    def page_count(self) -> int:
        return max(1, -(-(self.total + self.more) // self.request.page_size))

    def to_dict(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "more": self.more,
            "page": self.page,
            "page_size": self.request.page_size,
            "sort": self.request.sort,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "notice": self.notice,
            "relaxed": self.relaxed,
            "partial": self.partial,
            "answer": [sentence.to_dict() for sentence in self.answer] if self.answer else None,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [count.to_dict() for count in counts] for name, counts in self.facets.items()},
            "facet_totals": self.facet_totals,
        }


@dataclass
class _Worker:
    """One searcher and its score vectors' cache: used by one search at a time."""

    searcher: object
    scorer: TermScorer


@dataclass
class _Snapshot:
    """One opened index: a pool of searchers and everything precomputed from its stored records.

    ``posts`` holds each post without its summary and implications (memory: the texts are read back
    with ``full_post`` for the page of hits and the post page); listings return such records.
    """

    build: Path
    ix: object
    posts: dict[int, Post] = field(default_factory=dict)
    docnum_of: dict[str, int] = field(default_factory=dict)
    facets: FacetIndex = field(default_factory=FacetIndex)
    newest_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # document numbers
    oldest_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tie_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # place in newest_first
    present: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # mask of the documents
    evidence: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # level of each document
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    suggester: Suggester | None = None
    did_you_mean: DidYouMean | None = None
    responses: dict[tuple, SearchResponse] = field(default_factory=dict)  # least recently used first
    full_posts: dict[int, Post] = field(default_factory=dict)  # least recently used first
    _idle: list[_Worker] = field(default_factory=list)
    _guard: threading.Lock = field(default_factory=threading.Lock)  # held for a list or dict operation only
    _retired: bool = False

    @classmethod
    def open(cls, root: Path) -> "_Snapshot":
        build, ix = open_current(root)
        snapshot = cls(build=build, ix=ix)
        try:
            with snapshot.worker() as worker:
                reader = worker.searcher.reader()
                prepare = reader.doc_count() <= PREPARED_POSTS
                for docnum, stored in reader.iter_docs():
                    post = post_from_record(stored["record"])
                    snapshot.posts[docnum] = post.replace(summary="", implications="")  # the texts stay on disk
                    if prepare:
                        snapshot.full_posts[docnum] = post
                        prepare_explanations(post)
                        prepare_answers(post)
                    snapshot.docnum_of[post.id] = docnum
                    snapshot.facets.add(docnum, post)
        except BaseException:
            snapshot.retire()  # a damaged or vanished build: release its searchers
            raise
        snapshot.vocabulary = Vocabulary.load(build / VOCABULARY_FILE)
        snapshot.did_you_mean = DidYouMean(snapshot.vocabulary, snapshot.is_indexed, {
            field: [count.value for count in snapshot.facets.all_counts(facet)]
            for field, facet in (("authors", "author"), ("journal", "journal"), ("topics", "topic"))
        })
        snapshot.suggester = Suggester(
            [Suggestion(kind, count.value, count=count.count)
             for kind in ("topic", "journal", "author") for count in snapshot.facets.all_counts(kind)]
            + [Suggestion("title", post.title, post_id=post.id)
               for post in sorted(snapshot.posts.values(), key=lambda post: post.issue_date, reverse=True)]
        )
        posts = snapshot.posts
        by_id = sorted(posts, key=lambda docnum: posts[docnum].id)
        newest = sorted(by_id, key=lambda docnum: posts[docnum].issue_date, reverse=True)  # stable: id within a month
        snapshot.newest_first = np.array(newest, dtype=np.int64)
        snapshot.oldest_first = np.array(sorted(by_id, key=lambda docnum: posts[docnum].issue_date), dtype=np.int64)
        snapshot.tie_rank = np.zeros(snapshot.facets.size, dtype=np.int64)
        snapshot.tie_rank[snapshot.newest_first] = np.arange(len(newest))
        snapshot.present = np.zeros(snapshot.facets.size, dtype=bool)
        snapshot.present[list(posts)] = True
        snapshot.evidence = np.full(snapshot.facets.size, UNKNOWN_LEVEL, dtype=np.int64)
        for docnum, post in posts.items():
            snapshot.evidence[docnum] = evidence_level(post.research_types)
        return snapshot

    def is_indexed(self, word: str) -> bool:
        """Whether the word analyses to terms the index has (a spelling variant, a stop word: no terms)."""
        terms = word_terms(word)
        if not terms:
            return True
        with self.worker() as worker:
            return any(worker.searcher.doc_frequency(CATCH_ALL_FIELD, term) for term in terms)

    @contextmanager
    def worker(self):
        """A searcher for this thread's search, returned to the pool afterwards."""
        with self._guard:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            searcher = self.ix.searcher(weighting=PostWeighting())
            worker = _Worker(searcher, TermScorer(searcher, searcher.doc_count_all()))
        try:
            yield worker
        finally:
            with self._guard:
                if not self._retired:
                    self._idle.append(worker)
                    worker = None
            if worker is not None:
                worker.searcher.close()

    def retire(self) -> None:
        """Close the idle searchers; busy ones are closed when their search ends."""
        with self._guard:
            self._retired = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.searcher.close()

    def cached(self, key: tuple) -> SearchResponse | None:
        with self._guard:
            response = self.responses.pop(key, None)
            if response is not None:
                self.responses[key] = response  # most recently used last
            return response

    def remember(self, key: tuple, response: SearchResponse) -> None:
        with self._guard:
            self.responses[key] = response
            if len(self.responses) > _CACHED_RESPONSES:
                del self.responses[next(iter(self.responses))]

    def full_post(self, searcher, docnum: int) -> Post:
        """The post with its summary and implications (read from the index's stored record, then kept
        among the most recently shown)."""
        with self._guard:
            post = self.full_posts.pop(docnum, None)
            if post is not None:
                self.full_posts[docnum] = post
                return post
        post = post_from_record(searcher.stored_fields(docnum)["record"])
        with self._guard:
            self.full_posts[docnum] = post
            if len(self.full_posts) > _CACHED_POSTS:
                del self.full_posts[next(iter(self.full_posts))]
        return post


def _open_snapshot(root: Path, build: Path | None, attempts: int = 3) -> _Snapshot:
    """Open the current build. A build swapped out (and deleted) while opening is followed to the new one;
    damaged files raise IndexUnavailable (a 503), never an arbitrary Whoosh error."""
    for attempt in range(attempts):
        try:
            return _Snapshot.open(root)
        except Exception as error:
            now = current_build(root)
            if now != build and attempt + 1 < attempts:
                build = now
                continue
            if isinstance(error, IndexUnavailable):
                raise
            raise IndexUnavailable(f"the index at {now} cannot be read ({error!r}): rebuild it with `python run.py index`") from error
    raise AssertionError("unreachable")


class SearchEngine:
    """Searches the index under ``root`` (see :mod:`search.store`). Safe to share between threads."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._opening = threading.Lock()  # held only while a snapshot is swapped
        self._snapshot: _Snapshot | None = None

    # -- snapshot management -------------------------------------------------------------
    def _current(self) -> _Snapshot:
        """The snapshot of the current build; reopened when ``current`` points elsewhere.

        Raises IndexUnavailable when there is no usable index.
        """
        build = current_build(self.root)
        snapshot = self._snapshot
        if snapshot is not None and build == snapshot.build:
            return snapshot
        with self._opening:
            snapshot = self._snapshot
            if snapshot is None or build != snapshot.build:
                old, snapshot = snapshot, _open_snapshot(self.root, build)
                self._snapshot = snapshot
                if old is not None:
                    old.retire()
        return snapshot

    def clear_cache(self) -> None:
        """Forget remembered responses (benchmarks measure computed ones)."""
        snapshot = self._snapshot
        if snapshot is not None:
            with snapshot._guard:
                snapshot.responses.clear()

    def close(self) -> None:
        with self._opening:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            snapshot.retire()

    # -- searching ----------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """The full search call; repeated requests (paging back, toggling a facet back, the browse
        page) are answered from a small cache that lives as long as the index snapshot."""
        snapshot = self._current()
        key = request.cache_key()
        response = snapshot.cached(key)
        if response is None:
            with snapshot.worker() as worker:
                response = self._search(snapshot, worker, request)
            if not response.partial and request.page_size <= MAX_PAGE_SIZE:  # an export's 500 hits are not kept
                snapshot.remember(key, response)
        return response

    def _search(self, snapshot: _Snapshot, worker: _Worker, request: SearchRequest) -> SearchResponse:
        deadline = time.monotonic() + SEARCH_SECONDS
        filters = self._canonical_filters(snapshot, request)
        parsed = parse_query(request.query)
        suggestion = snapshot.did_you_mean.suggestion(parsed)
        response = self._run(snapshot, worker, request, filters, parsed, suggestion, deadline)
        if response.total + response.more == 0 and suggestion and not response.partial:
            retried = self._run(snapshot, worker, request, filters, parse_query(suggestion), suggestion, deadline)
            if retried.total:
                return replace(retried, corrected=True)
        return response

    def _run(self, snapshot: _Snapshot, worker: _Worker, request: SearchRequest, filters, parsed: ParsedQuery,
             suggestion, deadline: float) -> SearchResponse:
        scores = None  # every document's score (search.scoring); None when browsing
        fewer = None   # mask of the posts matching only some of a question's words
        relaxed = partial = False
        if not parsed.text:
            matching = snapshot.present  # browsing: every post
        elif parsed.is_empty:
            matching = np.zeros(snapshot.facets.size, dtype=bool)
        else:
            # Every post is scored by the any-word query; one that requires most words sets the tiers.
            scores = worker.scorer.scores(parsed.query if parsed.relaxed is None else parsed.relaxed, deadline)
            partial = worker.scorer.timed_out
            matching = scores != 0
            if parsed.relaxed is not None and not partial:
                most = worker.scorer.scores(parsed.query, deadline) != 0
                partial = worker.scorer.timed_out
                if np.count_nonzero(most) < RELAX_BELOW:
                    relaxed = not partial
                elif not partial:
                    matching, fewer = most, matching & ~most
        # Sets of documents are boolean masks over document numbers (search.facets).
        allowed = snapshot.facets.allowed(filters)
        final = matching if allowed is None else matching & allowed
        if fewer is not None and allowed is not None:
            fewer &= allowed
        facets, facet_totals = snapshot.facets.counts(matching, filters, limit=request.facet_limit)
        total = int(np.count_nonzero(final))
        more = 0 if fewer is None else int(np.count_nonzero(fewer))
        hits: list[Hit] = []
        page = request.page
        if total + more:
            page = min(page, -(-(total + more) // request.page_size))
            hits = self._page_of_hits(snapshot, worker.searcher, request, parsed, scores, final, fewer, page)
        answer = None
        if total and scores is not None and not partial:
            candidates = top_documents(scores, final, snapshot.tie_rank, 0, CANDIDATE_POSTS)
            answer = practice_answer(parsed, [snapshot.full_post(worker.searcher, docnum) for docnum, _ in candidates],
                                     lambda term: worker.searcher.doc_frequency(CATCH_ALL_FIELD, term), len(snapshot.posts))
        notices = [parsed.notice, RELAXED_NOTICE if relaxed else None, PARTIAL_NOTICE if partial else None]
        return SearchResponse(
            request=request,
            total=total,
            page=page,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notice=" ".join(filter(None, notices)) or None,
            searched_query=parsed.text,
            relaxed=relaxed,
            partial=partial,
            answer=answer,
            more=more,
            facet_totals=facet_totals,
        )

    def _page_of_hits(
        self, snapshot: _Snapshot, searcher, request: SearchRequest, parsed: ParsedQuery, scores: np.ndarray | None,
        final: np.ndarray, fewer: np.ndarray | None, page: int,
    ) -> list[Hit]:
        """The hits of one page: ranked by score (then date, then id), or in date order with each hit's
        score; the posts of ``final`` first, then those of ``fewer`` (each tier in that order)."""
        size = request.page_size
        start, stop = (page - 1) * size, page * size
        if not parsed.text:
            return [_unscored_hit(snapshot.full_post(searcher, docnum))
                    for docnum, _ in _ordered(snapshot, request, None, final, start, stop)]
        marks = query_marks(parsed.query)
        hits = []
        for tier, offset in ((final, 0), (fewer, int(np.count_nonzero(final)))):
            if tier is None or stop <= offset:
                continue
            for docnum, score in _ordered(snapshot, request, scores, tier, max(0, start - offset), stop - offset):
                post = snapshot.full_post(searcher, docnum)
                hits.append(_hit(post, score, explain(post, marks), fewer_words=offset > 0))
        return hits

    @staticmethod
    def _canonical_filters(snapshot: _Snapshot, request: SearchRequest) -> dict[str, tuple[str, ...]]:
        """Selected facet values in their stored spelling (a surname alone selects every author of that
        surname); a value no post has is kept (it counts 0)."""
        return {
            facet: tuple(dict.fromkeys(stored for value in values for stored in snapshot.facets.expand(facet, value)))
            for facet, values in request.filters.items()
        }

    # -- posts ----------------------------------------------------------------------------
    def post(self, post_id: str) -> Post | None:
        snapshot = self._current()
        docnum = snapshot.docnum_of.get(post_id)
        if docnum is None:
            return None
        with snapshot.worker() as worker:
            return snapshot.full_post(worker.searcher, docnum)

    def more_like_this(self, post_id: str, limit: int = 5) -> list[Post]:
        """Posts whose summaries share the most distinctive terms with this one's (listing records:
        summary and implications empty)."""
        snapshot = self._current()
        docnum = snapshot.docnum_of.get(post_id)
        if docnum is None:
            return []
        with snapshot.worker() as worker:
            post = snapshot.full_post(worker.searcher, docnum)
            text = " ".join((post.title, post.summary, post.implications))
            results = worker.searcher.more_like(
                docnum, CATCH_ALL_FIELD, text=text, top=limit, numterms=_MORE_LIKE_THIS_TERMS
            )
            return [snapshot.posts[hit.docnum] for hit in results]

    def posts_where(self, facet: str, value: str, *, exclude: str | None = None, limit: int = 10) -> list[Post]:
        """Posts with a facet value (e.g. the same first author), newest first (listing records)."""
        snapshot = self._current()
        values = snapshot.facets.expand(facet, value)
        posts = [snapshot.posts[d] for d in snapshot.facets.documents_with_any(facet, values)]
        posts = [post for post in posts if post.id != exclude]
        return sorted(posts, key=lambda post: post.issue_date, reverse=True)[:limit]

    # -- browsing and autocomplete ----------------------------------------------------------
    def topic_counts(self) -> list[FacetCount]:
        """Every topic of the taxonomy with its number of posts (zero included), in taxonomy order,
        then any other topic the posts carry."""
        counts = {count.value: count.count for count in self._current().facets.all_counts("topic")}
        labels = list(DEFAULT_TOPICS) + sorted(set(counts) - set(DEFAULT_TOPICS))
        return [FacetCount(label, counts.get(label, 0), False) for label in labels]

    def stats(self) -> dict:
        """What the index holds: post count and the months it covers."""
        snapshot = self._current()
        months = sorted(post.issue_date for post in snapshot.posts.values())
        return {
            "posts": len(snapshot.posts),
            "first_month": months[0] if months else None,
            "last_month": months[-1] if months else None,
            "build": snapshot.build.name,
        }

    def latest(self, limit: int = 5) -> list[Post]:
        """The newest posts (listing records: summary and implications empty)."""
        snapshot = self._current()
        return [snapshot.posts[docnum] for docnum in snapshot.newest_first[:limit].tolist()]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Titles, topics, authors and journals with a word starting with ``prefix``."""
        return self._current().suggester.suggest(prefix, limit)


def _ordered(snapshot: _Snapshot, request: SearchRequest, scores: np.ndarray | None, among: np.ndarray,
             start: int, stop: int) -> list[tuple[int, float]]:
    """The documents of the ``among`` mask ranked start..stop in the request's sort, with their scores
    (0 when browsing: ``scores`` None, and "relevance" lists the newest first)."""
    if scores is not None and request.sort == "relevance":
        return top_documents(scores, among, snapshot.tie_rank, start, stop)
    if request.sort == "evidence":
        shown = _by_evidence(snapshot, among, scores)[start:stop]
    else:
        shown = _in_date_order(snapshot, request, among, start, stop)
    return [(docnum, 0.0 if scores is None else float(scores[docnum])) for docnum in shown]


def _in_date_order(snapshot: _Snapshot, request: SearchRequest, final: np.ndarray, start: int, stop: int) -> list[int]:
    """The documents of ``final`` (a mask) from ``start`` to ``stop`` in date order, newest (or oldest) first."""
    by_date = snapshot.oldest_first if request.sort == "oldest" else snapshot.newest_first
    return by_date[final[by_date]][start:stop].tolist()


def _by_evidence(snapshot: _Snapshot, final: np.ndarray, scores: np.ndarray | None) -> list[int]:
    """The documents of ``final`` strongest evidence first (search.evidence); within a level by score
    (then date, then id, as the relevance order), or newest first when browsing."""
    documents = snapshot.newest_first[final[snapshot.newest_first]]
    if scores is None:
        return documents[np.lexsort((np.arange(len(documents)), snapshot.evidence[documents]))].tolist()
    return documents[np.lexsort((snapshot.tie_rank[documents], -scores[documents], snapshot.evidence[documents]))].tolist()


def _hit(post: Post, score: float, explanation, fewer_words: bool = False) -> Hit:
    return Hit(post=post, score=float(score), highlights=explanation.highlights,
               matched_fields=explanation.matched_fields, fewer_words=fewer_words)


def _unscored_hit(post: Post) -> Hit:
    """A post listed without a query (browsing): no score, the start of its texts."""
    return _hit(post, 0.0, unmatched(post))
