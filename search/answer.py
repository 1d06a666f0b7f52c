"""The practice answer: a few sentences quoted from the practice implications that best answer a query.

For a question or a topic query, every sentence of the implications of the best-ranked posts is scored
with the search's own analysis (search.analysis, concepts included) against the terms of the parsed
query, thesaurus expansions at their lower weight: a sentence's *coverage* is the share of the query's
typed information (idf-weighted terms) it holds. The best sentence of each post competes; up to
``MAX_SENTENCES`` from different posts are quoted word for word, each with its post and the short
citation of its article. Nothing is generated or paraphrased. A post whose implications as a whole
cannot cover enough (or not more than the sentences already kept) is skipped without splitting its
sentences: the answer is the same (tests/test_fast_paths.py), and cheaper.

No answer when no sentence covers at least ``MIN_COVERAGE`` of the query (it would answer another
question), and never for look-ups: a query on the author, journal, year or DOI fields, or plain words that
only name a hit's author or journal.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from whoosh.query import AndNot, Not, Phrase, Query, Term

from search import highlight
from search.analysis import concept_term, concepts_by_last_term, content_analyzer, name_analyzer
from search.matches import query_marks
from search.post import Post
from search.query import EXPANSION_WEIGHT, ParsedQuery
from search.schema import CATCH_ALL_FIELD

MAX_SENTENCES = 3
# Half of the query's idf-weighted typed terms: a topic query of one or two words is answered by any
# sentence on that topic; a question of several concepts needs a sentence that holds most of them.
MIN_COVERAGE = 0.5
MIN_SENTENCE_WORDS = 5
CANDIDATE_POSTS = 10
# Work per post is bounded: sentences are read from the start of its implications only, as much as
# the highlighter analyses (``_coverage_bound`` relies on its analysis holding every sentence's terms).
MAX_IMPLICATIONS_CHARS = highlight.MAX_ANALYSED_CHARS
LOOKUP_FIELDS = frozenset({"authors", "journal", "year", "doi"})
TYPED_WEIGHT = 1.0
ABBREVIATIONS = frozenset(
    "e.g i.e al etc vs cf approx ca dr mr mrs ms prof fig figs no nos vol pp p ed eds st jr sr u.s u.k "
    "incl esp resp viz min max".split()
)
BLOG_CITATION = "PPRNet blog"

_ANALYZER = content_analyzer()
_NAMES = name_analyzer()
_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class AnswerSentence:
    """One quoted sentence; ``marked`` is the sentence as HTML (escaped, matched words in ``<mark>``)."""

    post_id: str
    sentence: str
    citation: str
    marked: str
    coverage: float

    def to_dict(self) -> dict:
        return {"post_id": self.post_id, "sentence": self.sentence, "citation": self.citation}


@lru_cache(maxsize=1)
def _sentence_tokenizer() -> PunktSentenceTokenizer:
    parameters = PunktParameters()
    parameters.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


def split_sentences(text: str) -> list[str]:
    """Sentences of each paragraph (NLTK Punkt with this module's abbreviations; no trained model)."""
    return list(_sentences(text or ""))


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    sentences = []
    for paragraph in _PARAGRAPHS.split(text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_sentence_tokenizer().tokenize(paragraph))
    return tuple(sentences)


def prepare(post: Post) -> None:
    """Split the post's implications into sentences and analyse them, ahead of any search (kept in this
    module's caches: the sentences of 4,096 texts, the terms of 20,000 sentences)."""
    for sentence in _sentences(post.implications[:MAX_IMPLICATIONS_CHARS]):
        _sentence_terms(sentence)


def short_citation(post: Post) -> str:
    """``Firth et al. (2019)``, ``Firth (2019)``; the blog post when the post cites no author."""
    if post.authors:
        surname = post.authors[0].split(",")[0].strip()
        more = " et al." if len(post.authors) > 1 or not post.authors_complete else ""
        return f"{surname}{more} ({post.year or 'n.d.'})"
    year = post.issue_date[:4] if post.issue_date else "n.d."
    return f"{BLOG_CITATION} ({year})"


def query_weights(query: Query) -> dict[str, float] | None:
    """Each searched content term with its weight (1 typed, less for thesaurus expansions and the loose
    words of a typed phrase); None when the query looks something up by author, journal, year or DOI."""
    weights: dict[str, float] = {}  # from the catch-all field, where plain words and synonyms go
    fielded: dict[str, float] = {}  # from other content fields (title:, topic:, and plain words' copies)

    def walk(node: Query, boost: float, negated: bool) -> bool:
        if isinstance(node, Term):
            if node.fieldname in LOOKUP_FIELDS:
                return negated  # a negated look-up is no look-up
            if not negated and isinstance(node.text, str):
                into = weights if node.fieldname == CATCH_ALL_FIELD else fielded
                into[node.text] = min(TYPED_WEIGHT, max(into.get(node.text, 0.0), boost * node.boost))
            return True
        if isinstance(node, Phrase):  # a quoted phrase: each of its words counts as typed
            return all([walk(Term(node.fieldname, word, boost=node.boost), boost, negated) for word in node.words])
        if isinstance(node, Not):
            return walk(node.query, boost, True)
        if isinstance(node, AndNot):
            return walk(node.a, boost * node.boost, negated) and walk(node.b, boost, True)
        if node.is_leaf():
            return negated or getattr(node, "fieldname", None) not in LOOKUP_FIELDS
        return all([walk(child, boost * node.boost, negated) for child in node.children()])

    if not walk(query, 1.0, False):
        return None
    return {**fielded, **weights}


def practice_answer(
    parsed: ParsedQuery,
    ranked_posts: Sequence[Post],
    document_frequency: Callable[[str], int],
    document_count: int,
) -> list[AnswerSentence] | None:
    """The answer to ``parsed`` from the implications of ``ranked_posts`` (full posts, best first), or None."""
    if not parsed.text or parsed.is_empty or not ranked_posts:
        return None
    weights = query_weights(parsed.query)
    if not weights or _names_a_hit(weights, ranked_posts):
        return None

    idf = {term: math.log(document_count / (document_frequency(term) + 1)) + 1 for term in weights}
    typed = [term for term, weight in weights.items() if weight >= TYPED_WEIGHT]
    total = sum(idf[term] for term in typed) or sum(weights[term] * idf[term] for term in weights)
    if total <= 0:
        return None
    best: list[tuple[float, float, int, str, Post]] = []
    for rank, post in enumerate(ranked_posts):
        implications = post.implications[:MAX_IMPLICATIONS_CHARS]
        bound = _coverage_bound(implications, weights, idf, total)
        if bound < MIN_COVERAGE or (len(best) >= MAX_SENTENCES and round(bound, 2) <= _last_kept(best)):
            continue  # no sentence of this post can be quoted
        scored = []
        for sentence in _sentences(implications):
            terms = _sentence_terms(sentence)
            if len(terms) < MIN_SENTENCE_WORDS:
                continue
            matched = [term for term in weights if term in terms]
            if not _about_the_query(matched, weights):
                continue  # only the loose words of a phrase: not about the query
            coverage = min(1.0, sum(weights[term] * idf[term] for term in matched) / total)
            density = len(matched) / len(terms)
            scored.append((coverage, density, sentence))
        if scored:
            coverage, density, sentence = max(scored, key=lambda item: (item[0], item[1]))
            if coverage >= MIN_COVERAGE:
                best.append((coverage, density, -rank, sentence, post))
    if not best:
        return None
    best.sort(key=lambda item: (round(item[0], 2), item[2], item[1]), reverse=True)
    return [
        AnswerSentence(post.id, sentence, short_citation(post), highlight.marked_text(sentence, query_marks(parsed.query).for_part("implications")), coverage)
        for coverage, _, _, sentence, post in best[:MAX_SENTENCES]
    ]


def _coverage_bound(implications: str, weights: dict[str, float], idf: dict[str, float], total: float) -> float:
    """The most any sentence of ``implications`` can cover of the query (0 when none is about it): what
    the implications as a whole cover (a sentence holds a part of their terms, and its coverage sums a
    part of theirs, in the same order). Their terms are those the highlighter analysed; a concept counts
    when its words occur. Saves splitting and analysing the sentences of posts that cannot be quoted."""
    held = set(highlight.analysed_text(implications, False).terms)
    matched = [term for term in weights if term in held or (" " in term and held.issuperset(term.split(" ")))]
    if not _about_the_query(matched, weights):
        return 0.0
    return min(1.0, sum(weights[term] * idf[term] for term in matched) / total)


def _last_kept(best: list[tuple[float, float, int, str, Post]]) -> float:
    """The rounded coverage a later-ranked post must beat to be quoted (ties go to the earlier post)."""
    return sorted((round(item[0], 2) for item in best), reverse=True)[MAX_SENTENCES - 1]


def _about_the_query(matched: list[str], weights: dict[str, float]) -> bool:
    return any(weights[term] >= EXPANSION_WEIGHT for term in matched)


def _names_a_hit(weights: dict[str, float], posts: Sequence[Post]) -> bool:
    """Whether the typed words only name an author (surnames) or a journal of one of the posts."""
    typed = {term for term, weight in weights.items() if weight >= TYPED_WEIGHT}
    if not typed:
        return False
    for post in posts:
        journal = _journal_terms(post.journal or "")
        if journal and typed == journal:
            return True
        surnames = {term for author in post.authors for term in _analysed(author.split(",")[0])}
        if typed <= surnames:
            return True
    return False


@lru_cache(maxsize=10_000)
def _journal_terms(journal: str) -> frozenset[str]:
    return frozenset(token.text for token in _ANALYZER(journal))


@lru_cache(maxsize=10_000)
def _analysed(text: str) -> frozenset[str]:
    return frozenset(token.text for token in _ANALYZER(text)) | frozenset(token.text for token in _NAMES(text))


@lru_cache(maxsize=20_000)
def _sentence_terms(sentence: str) -> frozenset[str]:
    """The sentence's terms as the index holds them: its words' terms (analysed as the highlighter does,
    from the cached terms of each word) and the thesaurus concepts they hold in a row (as the index's
    ConceptFilter adds them)."""
    terms = highlight.AnalysedText(sentence, False).terms
    by_last = concepts_by_last_term()
    concepts = {concept_term(concept) for place, term in enumerate(terms) for concept in by_last.get(term, ())
                if terms[max(0, place + 1 - len(concept)):place + 1] == concept}
    return frozenset(terms).union(concepts)
