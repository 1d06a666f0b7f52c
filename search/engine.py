"""The search engine: one warm searcher over the current index, reopened when the index is swapped.

``SearchEngine.search`` is the full call the web page and the CLI make: parse (search.query), score
every document (search.scoring: Whoosh's BM25F, computed as vectors), filter by facets, rank or sort
by date or strength of evidence (search.evidence), paginate, explain each hit (search.matches:
highlights and "matched in"), count facets disjunctively (search.facets), suggest a spelling
(search.did_you_mean, with an automatic retry when a misspelled query finds nothing), and quote a
practice answer from the best posts' implications (search.answer). A question that no post answers
with most of its words is searched again with any of them (``ParsedQuery.relaxed``). Each index snapshot keeps what is
derived from it (posts without their texts, facet values, vocabulary, score caches, autocomplete,
an LRU of responses) and is replaced when ``current`` points to a new build. All calls are
serialised by a lock: a Whoosh searcher is not meant to be shared by threads at once; processes
scale out instead.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from whoosh import scoring

from search.analysis import word_terms
from search.answer import CANDIDATE_POSTS, AnswerSentence, practice_answer
from search.did_you_mean import DidYouMean
from search.facets import FacetCount, FacetIndex
from search.matches import explain, query_marks, unmatched
from search.post import Post
from search.query import ParsedQuery, parse_query
from search.evidence import UNKNOWN_LEVEL, evidence_level
from search.request import MAX_PAGE_SIZE, SearchRequest
from search.schema import CATCH_ALL_FIELD, post_from_record
from search.scoring import TermScorer, top_documents
from search.suggest import Suggester, Suggestion
from search.store import IndexUnavailable, current_build, open_current
from search.taxonomy import DEFAULT_TOPICS
from search.vocabulary import VOCABULARY_FILE, Vocabulary

RELAXED_NOTICE = "No post has most of these words, so posts with any of them are shown."
_MORE_LIKE_THIS_TERMS = 12
_CACHED_RESPONSES = 256


@dataclass(frozen=True)
class Hit:
    post: Post
    score: float
    highlights: dict[str, str]
    matched_fields: tuple[str, ...]

    def to_dict(self) -> dict:
        record = self.post.to_dict()
        del record["summary"], record["implications"]
        record.update(score=round(self.score, 4), highlights=self.highlights, matched_fields=list(self.matched_fields))
        return record


@dataclass(frozen=True)
class SearchResponse:
    """The result of one search; ``to_dict`` is the JSON of DESIGN.md."""

    request: SearchRequest
    total: int
    page: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    corrected: bool = False
    notice: str | None = None
    searched_query: str = ""
    answer: list[AnswerSentence] | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.page_size))

    def to_dict(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "page": self.page,
            "page_size": self.request.page_size,
            "sort": self.request.sort,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "notice": self.notice,
            "answer": [sentence.to_dict() for sentence in self.answer] if self.answer else None,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [count.to_dict() for count in counts] for name, counts in self.facets.items()},
        }


@dataclass
class _Snapshot:
    """One opened index: its searcher and everything precomputed from its stored records.

    ``posts`` holds each post without its summary and implications (memory: the texts are read back
    with ``full_post`` for the page of hits and the post page); listings return such records.
    """

    build: Path
    searcher: object
    posts: dict[int, Post] = field(default_factory=dict)
    docnum_of: dict[str, int] = field(default_factory=dict)
    facets: FacetIndex = field(default_factory=FacetIndex)
    newest_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # document numbers
    present: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # mask of the documents
    evidence: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # level of each document
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    scorer: TermScorer | None = None
    suggester: Suggester | None = None
    did_you_mean: DidYouMean | None = None
    responses: dict[tuple, SearchResponse] = field(default_factory=dict)  # least recently used first

    @classmethod
    def open(cls, root: Path) -> "_Snapshot":
        build, ix = open_current(root)
        snapshot = cls(build=build, searcher=ix.searcher(weighting=scoring.BM25F()))
        try:
            for docnum, stored in snapshot.searcher.reader().iter_docs():
                post = post_from_record(stored["record"])
                snapshot.posts[docnum] = post.replace(summary="", implications="")  # the texts stay on disk
                snapshot.docnum_of[post.id] = docnum
                snapshot.facets.add(docnum, post)
        except BaseException:
            snapshot.searcher.close()  # a damaged or vanished build: release its files
            raise
        snapshot.vocabulary = Vocabulary.load(build / VOCABULARY_FILE)
        snapshot.scorer = TermScorer(snapshot.searcher, len(snapshot.posts))
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
        snapshot.newest_first = np.array(sorted(
            snapshot.posts, key=lambda docnum: (snapshot.posts[docnum].issue_date, snapshot.posts[docnum].id), reverse=True
        ), dtype=np.int64)
        snapshot.present = np.zeros(snapshot.facets.size, dtype=bool)
        snapshot.present[list(snapshot.posts)] = True
        snapshot.evidence = np.full(snapshot.facets.size, UNKNOWN_LEVEL, dtype=np.int64)
        for docnum, post in snapshot.posts.items():
            snapshot.evidence[docnum] = evidence_level(post.research_types)
        return snapshot

    def is_indexed(self, word: str) -> bool:
        """Whether the word analyses to terms the index has (a spelling variant, a stop word: no terms)."""
        terms = word_terms(word)
        return not terms or any(self.searcher.doc_frequency(CATCH_ALL_FIELD, term) for term in terms)

    def full_post(self, docnum: int) -> Post:
        """The post with its summary and implications (read from the index's stored record)."""
        return post_from_record(self.searcher.stored_fields(docnum)["record"])


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
    """Searches the index under ``root`` (see :mod:`search.store`)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None

    # -- snapshot management -------------------------------------------------------------
    def _current(self) -> _Snapshot:
        """The snapshot of the current build; reopened when ``current`` points elsewhere.

        Raises IndexUnavailable when there is no usable index.
        """
        build = current_build(self.root)
        if self._snapshot is None or build != self._snapshot.build:
            old, self._snapshot = self._snapshot, _open_snapshot(self.root, build)
            if old is not None:
                old.searcher.close()
        return self._snapshot

    def clear_cache(self) -> None:
        """Forget remembered responses (benchmarks measure computed ones)."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.responses.clear()

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.searcher.close()
                self._snapshot = None

    # -- searching ----------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """The full search call; repeated requests (paging back, toggling a facet back, the browse
        page) are answered from a small cache that lives as long as the index snapshot."""
        with self._lock:
            snapshot = self._current()
            key = request.cache_key()
            response = snapshot.responses.pop(key, None) or self._search(snapshot, request)
            if request.page_size <= MAX_PAGE_SIZE:  # an export's 500 hits are not kept
                snapshot.responses[key] = response  # most recently used last
            if len(snapshot.responses) > _CACHED_RESPONSES:
                del snapshot.responses[next(iter(snapshot.responses))]
            return response

    def _search(self, snapshot: _Snapshot, request: SearchRequest) -> SearchResponse:
        filters = self._canonical_filters(snapshot, request)
        parsed = parse_query(request.query)
        suggestion = snapshot.did_you_mean.suggestion(parsed)
        response = self._run(snapshot, request, filters, parsed, suggestion)
        if response.total == 0 and parsed.relaxed is not None:  # no post has enough of the words: any word
            notice = " ".join(filter(None, (parsed.notice, RELAXED_NOTICE)))
            response = self._run(snapshot, request, filters, replace(parsed, query=parsed.relaxed, relaxed=None, notice=notice), suggestion)
        if response.total == 0 and suggestion:
            retried = self._run(snapshot, request, filters, parse_query(suggestion), suggestion)
            if retried.total:
                return replace(retried, corrected=True)
        return response

    def _run(self, snapshot: _Snapshot, request: SearchRequest, filters, parsed: ParsedQuery, suggestion):
        scores = None  # every document's score (search.scoring); None when browsing
        if not parsed.text:
            matching = snapshot.present  # browsing: every post
        elif parsed.is_empty:
            matching = np.zeros(snapshot.facets.size, dtype=bool)
        else:
            scores = snapshot.scorer.scores(parsed.query)
            matching = scores != 0
        # Sets of documents are boolean masks over document numbers (search.facets).
        allowed = snapshot.facets.allowed(filters)
        final = matching if allowed is None else matching & allowed
        facets = snapshot.facets.counts(matching, filters)
        total = int(np.count_nonzero(final))
        hits: list[Hit] = []
        page = request.page
        if total:
            page = min(page, -(-total // request.page_size))
            hits = self._page_of_hits(snapshot, request, parsed, scores, final, page, restricted=allowed is not None)
        answer = None
        if total and scores is not None:
            candidates = top_documents(scores, final if allowed is not None else None, 0, CANDIDATE_POSTS)
            answer = practice_answer(parsed, [snapshot.full_post(docnum) for docnum, _ in candidates],
                                     lambda term: snapshot.searcher.doc_frequency(CATCH_ALL_FIELD, term), len(snapshot.posts))
        return SearchResponse(
            request=request,
            total=total,
            page=page,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notice=parsed.notice,
            searched_query=parsed.text,
            answer=answer,
        )

    def _page_of_hits(
        self, snapshot: _Snapshot, request: SearchRequest, parsed: ParsedQuery, scores: np.ndarray | None,
        final: np.ndarray, page: int, restricted: bool,
    ) -> list[Hit]:
        """The hits of one page: ranked by BM25F, or in date order with each hit's relevance score."""
        size = request.page_size
        start, stop = (page - 1) * size, page * size
        if not parsed.text:
            shown = _by_evidence(snapshot, final, None)[start:stop] if request.sort == "evidence" else _in_date_order(snapshot, request, final, start, stop)
            return [_unscored_hit(snapshot.full_post(docnum)) for docnum in shown]
        if request.sort == "relevance":
            scored = top_documents(scores, final if restricted else None, start, stop)
        elif request.sort == "evidence":
            scored = [(docnum, float(scores[docnum])) for docnum in _by_evidence(snapshot, final, scores)[start:stop]]
        else:
            shown = _in_date_order(snapshot, request, final, start, stop)
            scored = [(docnum, float(scores[docnum])) for docnum in shown]
        marks = query_marks(parsed.query)
        posts = [(snapshot.full_post(docnum), score) for docnum, score in scored]
        return [_hit(post, score, explain(post, marks)) for post, score in posts]

    @staticmethod
    def _canonical_filters(snapshot: _Snapshot, request: SearchRequest) -> dict[str, tuple[str, ...]]:
        """Selected facet values in their stored spelling; a value no post has is kept (it counts 0)."""
        return {
            facet: tuple(snapshot.facets.canonical(facet, value) or value for value in values)
            for facet, values in request.filters.items()
        }

    # -- posts ----------------------------------------------------------------------------
    def post(self, post_id: str) -> Post | None:
        with self._lock:
            snapshot = self._current()
            docnum = snapshot.docnum_of.get(post_id)
            return None if docnum is None else snapshot.full_post(docnum)

    def more_like_this(self, post_id: str, limit: int = 5) -> list[Post]:
        """Posts whose summaries share the most distinctive terms with this one's (listing records:
        summary and implications empty)."""
        with self._lock:
            snapshot = self._current()
            docnum = snapshot.docnum_of.get(post_id)
            if docnum is None:
                return []
            post = snapshot.full_post(docnum)
            text = " ".join((post.title, post.summary, post.implications))
            results = snapshot.searcher.more_like(
                docnum, CATCH_ALL_FIELD, text=text, top=limit, numterms=_MORE_LIKE_THIS_TERMS
            )
            return [snapshot.posts[hit.docnum] for hit in results]

    def posts_where(self, facet: str, value: str, *, exclude: str | None = None, limit: int = 10) -> list[Post]:
        """Posts with a facet value (e.g. the same first author), newest first (listing records)."""
        with self._lock:
            snapshot = self._current()
            canonical = snapshot.facets.canonical(facet, value)
            if canonical is None:
                return []
            posts = [snapshot.posts[d] for d in snapshot.facets.documents_with_any(facet, [canonical])]
            posts = [post for post in posts if post.id != exclude]
            return sorted(posts, key=lambda post: post.issue_date, reverse=True)[:limit]

    # -- browsing and autocomplete ----------------------------------------------------------
    def topic_counts(self) -> list[FacetCount]:
        """Every topic of the taxonomy with its number of posts (zero included), in taxonomy order,
        then any other topic the posts carry."""
        with self._lock:
            counts = {count.value: count.count for count in self._current().facets.all_counts("topic")}
        labels = list(DEFAULT_TOPICS) + sorted(set(counts) - set(DEFAULT_TOPICS))
        return [FacetCount(label, counts.get(label, 0), False) for label in labels]

    def stats(self) -> dict:
        """What the index holds: post count and the months it covers."""
        with self._lock:
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
        with self._lock:
            posts = self._current().posts.values()
            return sorted(posts, key=lambda post: post.issue_date, reverse=True)[:limit]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Titles, topics, authors and journals with a word starting with ``prefix``."""
        with self._lock:
            return self._current().suggester.suggest(prefix, limit)


def _in_date_order(snapshot: _Snapshot, request: SearchRequest, final: np.ndarray, start: int, stop: int) -> list[int]:
    """The documents of ``final`` (a mask) from ``start`` to ``stop`` in date order, newest (or oldest) first."""
    by_date = snapshot.newest_first[::-1] if request.sort == "oldest" else snapshot.newest_first
    return by_date[final[by_date]][start:stop].tolist()


def _by_evidence(snapshot: _Snapshot, final: np.ndarray, scores: np.ndarray | None) -> list[int]:
    """The documents of ``final`` strongest evidence first (search.evidence); within a level by score,
    or newest first when browsing."""
    documents = snapshot.newest_first[final[snapshot.newest_first]]
    if scores is None:
        return documents[np.lexsort((np.arange(len(documents)), snapshot.evidence[documents]))].tolist()
    # ties as in the relevance order: lower document number first
    return documents[np.lexsort((documents, -scores[documents], snapshot.evidence[documents]))].tolist()


def _hit(post: Post, score: float, explanation) -> Hit:
    return Hit(post=post, score=float(score), highlights=explanation.highlights,
               matched_fields=explanation.matched_fields)


def _unscored_hit(post: Post) -> Hit:
    """A post listed without a query (browsing): no score, the start of its texts."""
    return _hit(post, 0.0, unmatched(post))
