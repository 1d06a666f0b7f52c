"""The practice answer: sentences quoted from the practice implications that answer a question.

A query's plain-word clauses are its *concepts* (a word or a thesaurus phrase, with its equivalents).
A concept weighs its idf in the index, less when its words are everyday English (``_everyday``: "keep",
"use", "better"; never a word of the thesaurus). Only the posts ranked first (``CANDIDATE_POSTS``) are
read, and only a sentence, or two adjacent sentences of one paragraph, is quoted when it holds

- the most specific of the concepts that some post holds (when no post holds any, nothing is quoted), and
- at least MIN_COVERAGE of the weight of all the concepts (those no post holds included).

A sentence holds a concept when it holds one of its terms or of their derivations (a stem of seven
letters or more and the indexed terms it begins or that begin it: "supervision" meets
"supervisory", "psychologists" "psychological"). Sentence bounds were found when the index was built
(search.schema.sentence_spans) and where each term stands is read from the postings file: nothing is
analysed at query time. Up to ``MAX_SENTENCES`` quotes from different posts, the best coverage first,
each with its post and the short citation of its article. Never for look-ups: a query of restrictions
alone, or words that only name an author or journal of the posts.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh.query import AndNot, Not, Phrase, Query, Term

from search.analysis import WORD_PATTERN, fold_name
from search.explain import marked_text
from search.post import Post
from search.postings import Postings, PostingsReader
from search.query import THESAURUS, ParsedQuery, Restriction
from search.schema import CATCH_ALL_FIELD, PARTS
from search.scoring import bm25_idf

MAX_SENTENCES = 3
CANDIDATE_POSTS = 5
MIN_COVERAGE = 0.65
MIN_SENTENCE_WORDS = 5
EVERYDAY_WORDS = Path(__file__).resolve().parent / "data" / "everyday_words.txt"
SPECIFIC_ZIPF = 4.5
EVERYDAY_ZIPF = 5.5
EVERYDAY_SHARE = 0.25
_DERIVATION_LETTERS = 7
DERIVATION_WEIGHT = 0.9  # a derived word ("supervisory" for "supervision") is nearly the word
_IMPLICATIONS = PARTS.index("implications")
BLOG_CITATION = "PPRNet blog"
_WORD = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class AnswerSentence:
    """One quoted passage; ``marked`` is the passage as HTML (escaped, matched words in ``<mark>``)."""

    post_id: str
    sentence: str
    citation: str
    marked: str

    def to_dict(self) -> dict:
        return {"post_id": self.post_id, "sentence": self.sentence, "citation": self.citation}


@dataclass(frozen=True)
class _Concept:
    terms: dict[str, float]    # term -> share of the concept (1 typed, less for an equivalent)
    related: dict[str, float]  # the terms and their derivations, with their shares
    weight: float              # idf in the index, less for everyday words
    present: bool              # some post holds it


def short_citation(post: Post) -> str:
    """``Firth et al. (2019)``, ``Firth (2019)``; the blog post when the post cites no author."""
    if post.authors:
        surname = post.authors[0].split(",")[0].strip()
        more = " et al." if len(post.authors) > 1 or not post.authors_complete else ""
        return f"{surname}{more} ({post.year or 'n.d.'})"
    year = post.issue_date[:4] if post.issue_date else "n.d."
    return f"{BLOG_CITATION} ({year})"


def practice_answer(parsed: ParsedQuery, candidates: Sequence[tuple[int, Post, tuple]], postings: Postings,
                    reader: PostingsReader) -> list[AnswerSentence] | None:
    """The answer to ``parsed`` from ``candidates``: (document, full post, its sentence spans), best
    ranked first. None when nothing answers it."""
    if not parsed.clauses or not candidates or _names_a_post(parsed, [post for _, post, _ in candidates]):
        return None
    concepts = [_concept(clause, typed, postings) for clause, typed in zip(parsed.clauses, parsed.clause_texts)]
    concepts = [concept for concept in concepts if concept.terms]
    present = [index for index, concept in enumerate(concepts) if concept.present]
    if not present:
        return None
    rarest = max(present, key=lambda index: concepts[index].weight)  # the most specific concept some post holds
    total = sum(concept.weight for concept in concepts)
    documents = np.unique([docnum for docnum, _, _ in candidates[:CANDIDATE_POSTS]])
    found: dict[tuple[int, str], list[tuple[int, int]]] = {}  # (document, term) -> spans in the implications
    for term in {term for concept in concepts for term in concept.related}:
        holding = reader.holding(CATCH_ALL_FIELD, term, documents, 1 << _IMPLICATIONS)  # occurrences read where it stands
        if not len(holding):
            continue
        occurrences, owners = reader.occurrences(CATCH_ALL_FIELD, term, holding)
        inside = occurrences["part"] == _IMPLICATIONS
        for owner, start, end in zip(owners[inside].tolist(), occurrences["start"][inside].tolist(),
                                     occurrences["end"][inside].tolist()):
            found.setdefault((owner, term), []).append((start, end))
    best = []
    for rank, (docnum, post, spans) in enumerate(candidates[:CANDIDATE_POSTS]):
        if (passage := _best_passage(post.implications, spans, docnum, concepts, rarest, total, found)) is not None:
            key, start, end, marks = passage
            best.append((key, -rank, post, post.implications[start:end], marks, start))
    best.sort(key=lambda item: item[:2], reverse=True)
    return [AnswerSentence(post.id, text, short_citation(post),
                           marked_text(text, [(s - offset, e - offset) for s, e in marks]))
            for _, _, post, text, marks, offset in best[:MAX_SENTENCES]] or None


def _best_passage(text: str, spans: tuple, docnum: int, concepts: list[_Concept], rarest: int, total: float, found: dict):
    """(rank key, start, end, marked spans) of the best quotable sentence or adjacent pair, or None."""
    starts = [start for start, _, _ in spans]
    held: list[dict[int, float]] = [{} for _ in spans]  # sentence -> concept index -> share of the concept held
    marks: list[list[tuple[int, int]]] = [[] for _ in spans]
    for index, concept in enumerate(concepts):
        for term, share in concept.related.items():
            for start, end in found.get((docnum, term), ()):
                sentence = bisect_right(starts, start) - 1
                if 0 <= sentence < len(spans) and start < spans[sentence][1]:
                    held[sentence][index] = max(held[sentence].get(index, 0.0), share)
                    marks[sentence].append((start, end))
    choices = [(i, i) for i in range(len(spans))]
    choices += [(i, i + 1) for i in range(len(spans) - 1) if spans[i][2] == spans[i + 1][2]]
    best = None
    for first, last in choices:
        shares: dict[int, float] = {}
        for sentence in range(first, last + 1):
            for index, share in held[sentence].items():
                shares[index] = max(shares.get(index, 0.0), share)
        if rarest not in shares or len(text[spans[first][0]:spans[last][1]].split()) < MIN_SENTENCE_WORDS:
            continue
        coverage = sum(share * concepts[index].weight for index, share in shares.items()) / total
        if coverage < MIN_COVERAGE:
            continue
        key = (len(shares), first == last, round(coverage, 3))  # a second sentence must add a concept
        if best is None or key > best[0]:
            best = (key, spans[first][0], spans[last][1], [span for s in range(first, last + 1) for span in marks[s]])
    return best


def _concept(clause: Query, typed: str, postings: Postings) -> _Concept:
    """A clause's content terms with their shares, its weight and whether some post holds it."""
    terms: dict[str, float] = {}

    def walk(node: Query, boost: float) -> None:
        if isinstance(node, (Not, Restriction)):
            return
        if isinstance(node, AndNot):
            walk(node.a, boost * node.boost)
        elif isinstance(node, (Term, Phrase)) and node.fieldname == CATCH_ALL_FIELD:
            for word in node.words if isinstance(node, Phrase) else [node.text] if isinstance(node.text, str) else []:
                terms[word] = max(terms.get(word, 0.0), min(1.0, boost * node.boost))
        elif not node.is_leaf():
            for child in node.children():
                walk(child, boost * node.boost)

    walk(clause, 1.0)
    frequency = max((postings.doc_frequency(CATCH_ALL_FIELD, term) for term in terms), default=0)
    words = _WORD.findall(typed.lower())
    everyday = min((_everyday(word) for word in words), default=1.0)
    return _Concept(terms, _derivations(terms, postings), bm25_idf(frequency, postings.documents) * everyday, frequency > 0)


def _derivations(terms: dict[str, float], postings: Postings) -> dict[str, float]:
    """The terms and the derivations of the typed ones among the indexed terms (see the module notes),
    each with the share of the concept it stands for."""
    related = dict(terms)
    for term, share in terms.items():
        if share >= 1.0 and len(term) >= _DERIVATION_LETTERS and " " not in term:  # typed words only
            derived = postings.expand(CATCH_ALL_FIELD, term + "*")
            derived += [term[:size] for size in range(_DERIVATION_LETTERS, len(term)) if postings.has_term(CATCH_ALL_FIELD, term[:size])]
            for other in derived:
                related[other] = max(related.get(other, 0.0), share * DERIVATION_WEIGHT)
    return related


@lru_cache(maxsize=20_000)
def _everyday(word: str) -> float:
    """How much a typed word counts by how everyday it is in English (its Zipf frequency): from 1 down
    to EVERYDAY_SHARE ("keep", "children"); a word of the thesaurus always counts whole."""
    if THESAURUS.group_of(word) is not None:
        return 1.0
    zipf = everyday_words().get(word, 0.0)
    step = min(1.0, max(0.0, (zipf - SPECIFIC_ZIPF) / (EVERYDAY_ZIPF - SPECIFIC_ZIPF)))
    return 1.0 - step * (1.0 - EVERYDAY_SHARE)


@lru_cache(maxsize=1)
def everyday_words() -> dict[str, float]:
    """Every English word of Zipf frequency SPECIFIC_ZIPF or more, with it (wordfreq's English list)."""
    lines = (line.split() for line in EVERYDAY_WORDS.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return {word: float(zipf) for word, zipf in lines}


def _names_a_post(parsed: ParsedQuery, posts: Sequence[Post]) -> bool:
    """Whether the typed words only name an author (surnames) or the journal of one of the posts."""
    typed = {fold_name(word) for word in parsed.plain_words}
    return bool(typed) and any(
        typed <= {word for author in post.authors for word in fold_name(author.split(",")[0]).split()}
        or typed <= set(fold_name(post.journal or "").split()) - {"of", "and", "the"} for post in posts)
