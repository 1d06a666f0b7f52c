"""Text analysis shared by the index writer and the query parser, so both see the same terms.

The content chain: words -> lowercase -> closed compounds split ("wellbeing" -> "well being", like
"well-being") -> British spellings folded to American -> stop words and question words dropped ->
Snowball stems. Positions are kept, so quoted phrases still match exact word sequences. Every piece
is a module-level class or function: Whoosh pickles the analyzers into the index.
"""
from __future__ import annotations

import hashlib
import re
import struct
from functools import lru_cache

import numpy as np

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.support.charset import accent_map

from search.spelling import fold_spelling
from search.stemming import STEM_EXCEPTIONS, stem
from search.thesaurus import SYNONYM_GROUPS

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


class ContentAnalyzer(Analyzer):
    """The content chain in one pass, each distinct word analysed once and remembered.

    Equivalent to ``RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map) | compound split |
    spelling fold | StopFilter | StemFilter``, but a word costs one dictionary look-up once seen:
    analysis is the hot path of indexing and of highlighting. Positions count the kept terms.
    """

    def __init__(self) -> None:
        self._pattern = re.compile(WORD_PATTERN)

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for match, term, part, position in self._walk(value, start_pos, with_concepts=mode == "index"):
            if term is None:
                if removestops:
                    continue
                token.text, token.stopped = part, True
            else:
                token.text, token.stopped = term, False
            token.boost = 1.0
            if keeporiginal:
                token.original = match.group(0)
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """What ``__call__`` yields in index mode, as term -> positions: the writer's fast path (see
        search.schema.ProseField). The same walk as ``_walk``, without a generator step or Token per word:
        a segment break before a segment's first word adds the gap, concepts do not cross a break."""
        positions: dict[str, list[int]] = {}
        position = 0
        for index, segment in enumerate(value.split(SEGMENT_BREAK) if SEGMENT_BREAK in value else (value,)):
            words = self._pattern.findall(segment)
            if not words:
                continue
            if index:
                position += _SEGMENT_GAP
            recent: list[str] = []
            for word in words:
                for term in kept_terms(word):
                    entry = positions.get(term)
                    if entry is None:
                        positions[term] = [position]
                    else:
                        entry.append(position)
                    recent.append(term)
                    if term in _CONCEPTS_BY_LAST_TERM:
                        for concept in _concepts_ending(recent, term):
                            positions.setdefault(concept, []).append(position)
                    position += 1
        return positions

    def _walk(self, value: str, position: int, *, with_concepts: bool):
        """``(match, term, part, position)`` for each part of each word (``term`` None for a stop
        word), then for each concept a kept term completes ``(match, concept, concept, position)``."""
        has_breaks = SEGMENT_BREAK in value
        recent: list[str] = []  # the kept terms so far, for concepts
        previous_end = 0
        for match in self._pattern.finditer(value):
            if has_breaks and value.find(SEGMENT_BREAK, previous_end, match.start()) != -1:
                position += _SEGMENT_GAP
                recent.clear()
            previous_end = match.end()
            for term, part in analyse_word(match.group(0)):
                yield match, term, part, position
                if term is None:
                    continue
                if with_concepts:
                    recent.append(term)
                    if term in _CONCEPTS_BY_LAST_TERM:
                        for concept in _concepts_ending(recent, term):
                            yield match, concept, concept, position
                position += 1


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


@lru_cache(maxsize=200_000)
def analyse_word(raw: str) -> tuple[tuple[str | None, str], ...]:
    """One tokenised word -> ``(term, part)`` for each of its parts; ``term`` is None for a stop word."""
    folded = raw.lower().translate(accent_map)
    analysed = []
    for part in CLOSED_COMPOUNDS.get(folded, (folded,)):
        part = fold_spelling(part)
        stopped = len(part) < 2 or part in STOP_AND_QUESTION_WORDS
        analysed.append((None if stopped else stem(part), part))
    return tuple(analysed)


@lru_cache(maxsize=200_000)
def kept_terms(raw: str) -> tuple[str, ...]:
    """The terms a tokenised word yields, stop words left out."""
    return tuple(term for term, _ in analyse_word(raw) if term is not None)


def _phrase_terms(phrase: str) -> tuple[str, ...]:
    return tuple(term for word in re.findall(WORD_PATTERN, phrase) for term in kept_terms(word))


# Multi-word phrases of the thesaurus, as analysed terms. At index time each occurrence of one is also
# indexed as a single "concept" term (its terms joined by spaces, which no word contains), so the
# query parser can look a phrase up as one term instead of matching positions (search.query).
CONCEPTS: frozenset[tuple[str, ...]] = frozenset(
    terms for group in SYNONYM_GROUPS for phrase in group if len(terms := _phrase_terms(phrase)) >= 2
)


def concept_term(terms: tuple[str, ...]) -> str:
    return " ".join(terms)


_CONCEPTS_BY_LAST_TERM: dict[str, list[tuple[str, ...]]] = {}
for _concept in CONCEPTS:
    _CONCEPTS_BY_LAST_TERM.setdefault(_concept[-1], []).append(_concept)


def _concepts_ending(recent: list[str], last: str):
    """The concept terms that the kept terms up to ``last`` (its end) complete."""
    for concept in _CONCEPTS_BY_LAST_TERM[last]:
        if len(recent) >= len(concept) and tuple(recent[-len(concept):]) == concept:
            yield concept_term(concept)


# Everything above that decides which terms a text yields: an index written with other rules is rebuilt.
ANALYSIS_FINGERPRINT = hashlib.sha256(
    repr((sorted(CONCEPTS), sorted(STOP_AND_QUESTION_WORDS), sorted(CLOSED_COMPOUNDS.items()),
          sorted(STEM_EXCEPTIONS.items()), WORD_PATTERN)).encode()
).hexdigest()[:16]


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
