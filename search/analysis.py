"""Text analysis shared by the index writer and the query parser, so both see the same terms.

The content chain: words -> lowercase -> closed compounds split ("wellbeing" -> "well being", like
"well-being") -> British spellings folded to American -> stop words and question words dropped ->
Snowball stems. Positions are kept, so quoted phrases still match exact word sequences. Every piece
is a module-level class or function: Whoosh pickles the analyzers into the index.
"""
from __future__ import annotations

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import STOP_WORDS
from whoosh.support.charset import accent_map

from search.spelling import fold_spelling
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


class CompoundSplitFilter(Filter):
    """Splits closed compounds into their parts, one position each, and renumbers what follows."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        shift = 0
        for token in tokens:
            parts = CLOSED_COMPOUNDS.get(token.text)
            if parts is None:
                if token.positions:
                    token.pos += shift
                yield token
                continue
            first_position = token.pos + shift if token.positions else None
            for offset, part in enumerate(parts):
                token.text = part
                if first_position is not None:
                    token.pos = first_position + offset
                yield token
            shift += len(parts) - 1


class SpellingFoldFilter(Filter):
    """British spellings to American ("behaviour" -> "behavior"), token by token."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_spelling(token.text)
            yield token


def content_analyzer():
    """The analyzer of every prose field (title, summary, implications, citation, topics, types)."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | CompoundSplitFilter()
        | SpellingFoldFilter()
        | StopFilter(stoplist=STOP_AND_QUESTION_WORDS, minsize=2)
        | StemFilter(stemfn=stem, cachesize=-1)
    )


def name_analyzer():
    """Author names: words, lowercase, accents folded (Müller = Muller); no stemming."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_AND_QUESTION_WORDS, minsize=2)
    )


def vocabulary_analyzer():
    """The spelling vocabulary: real lowercase words, never stems, for "Did you mean"."""
    return RegexTokenizer(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?") | LowercaseFilter()
