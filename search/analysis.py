"""Text analysis: the one chain that turns text into terms, for the index, the query and everything read back.

The content chain is a Whoosh pipeline, one walk over the text: words (``WORD_PATTERN``) -> each
word's terms (``terms_of_word``, with search.spelling_variants and search.stemming) -> in index mode,
thesaurus phrases also as one "concept" term. Positions count the kept terms, so quoted phrases match
exact word sequences.

``analyse`` runs the chain once over a text when the index is built and returns every term with its
position and characters; the index writer, the postings file read by the scorer, the highlighter and
the practice answer all use that one output (search.schema, search.postings). Queries run the same
steps over what was typed (``phrase_terms``: each word's terms). Every piece is a module-level class:
Whoosh pickles the analyzers into the index.

``analysis_fingerprint`` is computed from what the chain does (a probe text through it) and from the
word lists, the thesaurus and the NLTK version: the index records it, and an index written with
other rules is rebuilt (search.store).
"""
from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.formats import Positions
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint

from search import spelling_variants, stemming, thesaurus
from search.spelling_variants import fold_spelling
from search.stemming import stem

# Words that carry no content in a clinician's question ("how do I help clients who ...").
QUESTION_WORDS = frozenset(
    "what which who whom whose why how where when does do did doing done i me my mine our ours "
    "should could would might must shall there their theirs they them these those about any some "
    "into onto than then so such very really just also only even much many more most own same other "
    "its his her hers him he she was were been being am has had having get gets got help helps "
    "way ways tell know".split()
)
STOP_AND_QUESTION_WORDS = frozenset(STOP_WORDS) | QUESTION_WORDS - {"being", "help", "helps", "more", "most"}

# Closed compounds that people also write as two words or hyphenated; split so all forms meet.
CLOSED_COMPOUNDS: dict[str, tuple[str, ...]] = {parts.replace(" ", ""): tuple(parts.split()) for parts in (
    "well being", "drop out", "drop outs", "follow up", "follow ups", "post treatment", "pre treatment",
    "post traumatic", "counter transference", "self esteem", "burned out",
)}

WORD_PATTERN = r"\w+(?:\.?\w+)*"


class Term(NamedTuple):
    """One term of an analysed text: where it stands among the terms, and the characters it covers
    (a concept term covers its phrase, from its first word to its last)."""

    text: str
    position: int
    start: int
    end: int


class TermsFilter(Filter):
    """Each word becomes its terms (``terms_of_word``); positions count the terms kept, from the first
    word's place on (as Whoosh's StopFilter renumbers them)."""

    def __call__(self, tokens):
        position = None
        for token in tokens:
            for term in terms_of_word(token.text):
                if token.positions:
                    position = token.pos if position is None else position + 1
                    token.pos = position
                token.text = term
                yield token


@lru_cache(maxsize=200_000)
def terms_of_word(word: str) -> tuple[str, ...]:
    """A word's terms: lowercase, accents folded, a closed compound split ("wellbeing" -> "well being"),
    British spellings folded to American, stop and question words (and single letters) dropped, each
    stemmed. Memoised: the same words come back text after text."""
    folded = word.lower().translate(accent_map)
    parts = (fold_spelling(part) for part in CLOSED_COMPOUNDS.get(folded, (folded,)))
    return tuple(stem(part) for part in parts if len(part) >= 2 and part not in STOP_AND_QUESTION_WORDS)


class ConceptFilter(Filter):
    """In index mode, each thesaurus phrase ending at a term is also indexed as one concept term (its
    terms joined by spaces, which no word contains) at the phrase's last position, covering the
    phrase's characters, so a query looks a phrase of the thesaurus up as one term."""

    def __call__(self, tokens):
        terms: list[str] = []   # the terms so far
        starts: list[int] = []  # and their first characters
        for token in tokens:
            term, start = token.text, getattr(token, "startchar", 0)
            yield token
            if token.mode != "index":
                continue
            terms.append(term)
            starts.append(start)
            for length in _CONCEPT_LENGTHS.get(term, ()):
                if len(terms) >= length and tuple(terms[-length:]) in CONCEPTS:
                    token.text = concept_term(tuple(terms[-length:]))
                    if hasattr(token, "startchar"):
                        token.startchar = starts[-length]
                    yield token
            token.text = term
            if hasattr(token, "startchar"):
                token.startchar = start


class ContentAnalyzer(CompositeAnalyzer):
    """The content chain (see the module notes). Pickled without its items: an index always analyses
    with this program's rules, and the fingerprint makes an index written with other rules rebuilt."""

    def __init__(self) -> None:
        super().__init__(RegexTokenizer(WORD_PATTERN), TermsFilter(), ConceptFilter())

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()


class ContentPositions(Positions):
    """Whoosh's ``Positions`` format with positions stored as little-endian 32-bit integers instead
    of a pickled list of deltas."""

    def encode(self, poslist):
        return pack_uint(len(poslist)) + _positions_packer(len(poslist))(*poslist)

    def decode_positions(self, valuestring):
        return np.frombuffer(valuestring, dtype="<u4", offset=_COUNT_SIZE).tolist()


_COUNT_SIZE = len(pack_uint(0))  # the count Whoosh's pack_uint writes before the positions


@lru_cache(maxsize=1024)
def _positions_packer(count: int):
    return struct.Struct(f"<{count}I").pack


def content_analyzer() -> ContentAnalyzer:
    """The analyzer of the prose fields (the catch-all text, the title, the implications)."""
    return ContentAnalyzer()


_CONTENT = ContentAnalyzer()
_WORD = re.compile(WORD_PATTERN)


def analyse(text: str) -> list[Term]:
    """Every term of ``text`` through the content chain in index mode (concept terms included), with
    positions and characters: what the index holds for it."""
    return [Term(token.text, token.pos, token.startchar, token.endchar)
            for token in _CONTENT(text, positions=True, chars=True, mode="index")]


def phrase_terms(phrase: str) -> tuple[str, ...]:
    """The terms a text yields through the content chain (no concept terms), stop words left out."""
    return tuple(term for word in _WORD.findall(phrase) for term in terms_of_word(word))


word_terms = lru_cache(maxsize=100_000)(phrase_terms)  # the same, memoised for the words looked up again and again


def concept_term(terms: tuple[str, ...]) -> str:
    return " ".join(terms)


# The multi-word phrases of the thesaurus, as analysed terms; the lengths of those ending with each term,
# shortest first (the ConceptFilter looks that far back).
CONCEPTS: frozenset[tuple[str, ...]] = frozenset(
    terms for group in thesaurus.SYNONYM_GROUPS for phrase in group if len(terms := phrase_terms(phrase)) >= 2
)
_CONCEPT_LENGTHS: dict[str, list[int]] = {}
for _length, _last in sorted({(len(concept), concept[-1]) for concept in CONCEPTS}):
    _CONCEPT_LENGTHS.setdefault(_last, []).append(_length)


def contains_run(sequence: Sequence, part: Sequence) -> bool:
    """Whether ``part`` occurs in ``sequence`` as a contiguous run (of terms, or of a name's words)."""
    return any(sequence[i:i + len(part)] == part for i in range(len(sequence) - len(part) + 1))


def fold_name(text: str) -> str:
    """A name as names are compared: lowercase, accents folded, hyphens and dots as spaces, spaces single
    ("Müller-Lüdenscheidt, H.F." -> "muller ludenscheidt, h f")."""
    folded = text.translate(accent_map).casefold().replace("-", " ").replace(".", " ")
    return " ".join(folded.split())


# A probe for the fingerprint: ordinary prose, and every word a rule names.
_PROBE_PROSE = (
    "The therapists' wellbeing and well-being: randomised trials of counselling behaviour, "
    "mentalising and mentalization, colour, centre, analyse, travelled, paediatric oestrogen. "
    "Cognitive behavioural therapy; online therapy via video-conferencing; drop-out and dropouts."
)


def analysis_fingerprint() -> str:
    """The digest (see the module notes), computed anew on each call from the modules' current tables
    (tests change one and see the digest change)."""
    from importlib.metadata import version  # the stemmer's version: a new Snowball can stem differently

    words = sorted({
        *STOP_AND_QUESTION_WORDS, *CLOSED_COMPOUNDS, *spelling_variants.IRREGULAR_SPELLINGS,
        *stemming.STEM_EXCEPTIONS, *(word for group in thesaurus.SYNONYM_GROUPS for word in group),
    })
    probe = _PROBE_PROSE + " " + " ".join(words)
    analysed = [term[:3] for term in analyse(probe)]  # text, position, first character
    tables = (
        sorted(STOP_AND_QUESTION_WORDS), sorted(CLOSED_COMPOUNDS.items()),
        sorted(spelling_variants.TABLES.items()), sorted(stemming.STEM_EXCEPTIONS.items()),
        thesaurus.SYNONYM_GROUPS, WORD_PATTERN,
    )
    return hashlib.sha256(repr((analysed, tables, version("nltk"))).encode()).hexdigest()[:16]
