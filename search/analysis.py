"""Text analysis shared by the index writer, the query parser and the highlighter, so all see the same terms.

The content chain is a Whoosh pipeline of small filters, one walk over the text:
words (``SegmentTokenizer``) -> lowercase -> accents folded -> closed compounds split ("wellbeing" ->
"well being", like "well-being") -> British spellings folded to American (search.spelling_variants)
-> stop words and question words dropped -> Snowball stems (search.stemming) -> a position gap at
each segment break -> in index mode, thesaurus phrases also indexed as one "concept" term. Positions
count the kept terms, so quoted phrases match exact word sequences. Every piece is a module-level
class: Whoosh pickles the analyzers into the index.

``ANALYSIS_FINGERPRINT`` is computed from what the chain does (a probe text through it) and from the
word lists, the thesaurus and the NLTK version: the index records it, and an index written with
other rules is rebuilt (search.store).
"""
from __future__ import annotations

import hashlib
import re
import struct
from functools import lru_cache

import numpy as np
from whoosh.analysis import (
    CharsetFilter, CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Tokenizer,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.formats import Positions
from whoosh.support.charset import accent_map
from whoosh.system import _INT_SIZE, pack_uint

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
CLOSED_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "wellbeing": ("well", "being"),
    "dropout": ("drop", "out"),
    "dropouts": ("drop", "outs"),
    "followup": ("follow", "up"),
    "followups": ("follow", "ups"),
    "posttreatment": ("post", "treatment"),
    "pretreatment": ("pre", "treatment"),
    "posttraumatic": ("post", "traumatic"),
    "countertransference": ("counter", "transference"),
    "selfesteem": ("self", "esteem"),
    "burnedout": ("burned", "out"),
}

WORD_PATTERN = r"\w+(?:\.?\w+)*"
# Between two parts of one field value: positions jump, so no phrase matches across the break.
SEGMENT_BREAK = "\u2029"
_SEGMENT_GAP = 10


class SegmentTokenizer(Tokenizer):
    """Words of ``WORD_PATTERN``; each token carries ``segment``, the number of segment breaks before it."""

    def __init__(self) -> None:
        self._words = RegexTokenizer(WORD_PATTERN)

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, value, **kwargs):
        if SEGMENT_BREAK not in value:
            for token in self._words(value, **kwargs):
                token.segment = 0
                yield token
            return
        segment, previous_end = 0, 0
        start_char = kwargs.get("start_char", 0)
        for token in self._words(value, chars=True, **{k: v for k, v in kwargs.items() if k != "chars"}):
            start = token.startchar - start_char
            if value.find(SEGMENT_BREAK, previous_end, start) != -1:
                segment += 1
            previous_end = token.endchar - start_char
            token.segment = segment
            yield token


class CompoundSplitFilter(Filter):
    """A closed compound ("wellbeing") becomes its parts ("well", "being"), as if written apart."""

    def __call__(self, tokens):
        for token in tokens:
            parts = CLOSED_COMPOUNDS.get(token.text)
            if parts is None:
                yield token
                continue
            for part in parts:
                token.text = part
                yield token


class SpellingVariantFilter(Filter):
    """British spellings folded to American ("behaviour" -> "behavior")."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_spelling(token.text)
            yield token


class SegmentGapFilter(Filter):
    """Positions jump by ``_SEGMENT_GAP`` at each segment break (after stop words are renumbered)."""

    def __call__(self, tokens):
        for token in tokens:
            if token.positions and getattr(token, "segment", 0):
                token.pos += token.segment * _SEGMENT_GAP
            yield token


class ConceptFilter(Filter):
    """In index mode, each thesaurus phrase ending at a term is also indexed as one concept term (its
    terms joined by spaces, which no word contains), at the phrase's last position, so the query can
    look a phrase of the thesaurus up as one term instead of matching positions. Not across segments."""

    def __call__(self, tokens):
        by_last = concepts_by_last_term()
        recent: list[str] = []
        segment = 0
        for token in tokens:
            if token.mode != "index" or token.stopped:
                yield token
                continue
            if getattr(token, "segment", 0) != segment:
                segment, recent = token.segment, []
            term = token.text
            yield token
            recent.append(term)
            for concept in by_last.get(term, ()):
                if tuple(recent[-len(concept):]) == concept:
                    token.text = concept_term(concept)
                    yield token
            token.text = term


def _chain(with_concepts: bool) -> list:
    items = [
        SegmentTokenizer(), LowercaseFilter(), CharsetFilter(accent_map), CompoundSplitFilter(),
        SpellingVariantFilter(), StopFilter(stoplist=STOP_AND_QUESTION_WORDS, minsize=2),
        StemFilter(stemfn=stem, cachesize=0),  # stem() is memoised; Whoosh's LFU cache costs more than it saves
        SegmentGapFilter(),
    ]
    return items + [ConceptFilter()] if with_concepts else items


class ContentAnalyzer(CompositeAnalyzer):
    """The content chain (see the module notes). Pickled without its items: an index always analyses
    with this program's rules, and the fingerprint makes an index written with other rules rebuilt."""

    def __init__(self) -> None:
        super().__init__(*_chain(with_concepts=True))

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()


class ContentPositions(Positions):
    """Whoosh's ``Positions`` format with positions stored as little-endian 32-bit integers instead
    of a pickled list of deltas: decoding them (phrase matching) is one C call."""

    def encode(self, poslist):
        return pack_uint(len(poslist)) + _positions_packer(len(poslist))(*poslist)

    def decode_positions(self, valuestring):
        return np.frombuffer(valuestring, dtype="<u4", offset=_INT_SIZE).tolist()


@lru_cache(maxsize=1024)
def _positions_packer(count: int):
    return struct.Struct(f"<{count}I").pack


_WORD_ANALYZER = CompositeAnalyzer(*_chain(with_concepts=False))


@lru_cache(maxsize=200_000)
def word_terms(raw: str) -> tuple[str, ...]:
    """The terms one word (or a short text) yields through the content chain, stop words left out."""
    return tuple(token.text for token in _WORD_ANALYZER(raw))


def phrase_terms(phrase: str) -> tuple[str, ...]:
    return tuple(term for word in re.findall(WORD_PATTERN, phrase) for term in word_terms(word))


def concept_term(terms: tuple[str, ...]) -> str:
    return " ".join(terms)


def _concepts() -> frozenset[tuple[str, ...]]:
    """Multi-word phrases of the thesaurus, as analysed terms."""
    return frozenset(
        terms for group in thesaurus.SYNONYM_GROUPS for phrase in group if len(terms := phrase_terms(phrase)) >= 2
    )


CONCEPTS: frozenset[tuple[str, ...]] = _concepts()


@lru_cache(maxsize=1)
def concepts_by_last_term() -> dict[str, tuple[tuple[str, ...], ...]]:
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for concept in sorted(CONCEPTS):
        by_last.setdefault(concept[-1], []).append(concept)
    return {term: tuple(concepts) for term, concepts in by_last.items()}


def content_analyzer() -> ContentAnalyzer:
    """The analyzer of every prose field (the catch-all text, title, implications, topics, types)."""
    return ContentAnalyzer()


def name_analyzer():
    """Author names: words, lowercase, accents folded (Müller = Muller); no stemming."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_AND_QUESTION_WORDS, minsize=2)
    )


# A probe for the fingerprint: ordinary prose with segment breaks, and every word a rule names.
_PROBE_PROSE = (
    "The therapists' wellbeing and well-being: randomised trials of counselling behaviour, "
    "mentalising and mentalization, colour, centre, analyse, travelled, paediatric oestrogen. "
    f"Cognitive behavioural therapy{SEGMENT_BREAK}online therapy via video-conferencing; drop-out and dropouts."
)


def analysis_fingerprint() -> str:
    """A digest of what the content and name chains do: a probe text through fresh analyzers (index
    mode, with positions), plus the word lists, the thesaurus and the NLTK version. Computed anew on
    each call from the modules' current tables (tests change one and see the digest change)."""
    import nltk  # the stemmer's version: a new Snowball can stem differently

    words = sorted({
        *STOP_AND_QUESTION_WORDS, *CLOSED_COMPOUNDS, *spelling_variants.IRREGULAR_SPELLINGS,
        *stemming.STEM_EXCEPTIONS, *(word for group in thesaurus.SYNONYM_GROUPS for word in group),
    })
    probe = _PROBE_PROSE + SEGMENT_BREAK + " ".join(words)
    chain = CompositeAnalyzer(*_chain(with_concepts=False))
    analysed = [(token.text, token.pos) for token in chain(probe, positions=True, mode="index")]
    names = [token.text for token in name_analyzer()("Müller, A. ; O'Brien, J. ; van der Berg, K.")]
    tables = (
        sorted(STOP_AND_QUESTION_WORDS), sorted(CLOSED_COMPOUNDS.items()),
        sorted(spelling_variants.IRREGULAR_SPELLINGS.items()), sorted(stemming.STEM_EXCEPTIONS.items()),
        thesaurus.SYNONYM_GROUPS, WORD_PATTERN, _SEGMENT_GAP,
    )
    digest = hashlib.sha256(repr((analysed, names, tables, nltk.__version__)).encode())
    return digest.hexdigest()[:16]


ANALYSIS_FINGERPRINT = analysis_fingerprint()
