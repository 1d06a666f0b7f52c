"""British/American spelling folding for the search analyzer.

``fold_spelling`` maps one lowercase token to its American spelling, so that
"behaviour" and "behavior", "randomised" and "randomized", or "counselling"
and "counseling" become the same indexed term.  It runs on every token of
every document, before the Snowball stemmer, in both the indexing and the
query analyzer.

Folding is conservative: a word is changed only when it is a British
variant.  Three layers do the work, their word lists in
``data/spelling_variants.toml``:

* ``IRREGULAR_SPELLINGS``: pairs listed one by one ("grey", "whilst",
  "practise", "catalogue", "fulfil"...);
* ``FRAGMENTS_ANYWHERE`` and its kin: British roots replaced wherever they
  occur ("haem", "paed", "oestr", "plough", "judgement", "defence"...);
* suffix rules (-our, -ise, -yse, -re, doubled l), each with sets of
  words it must not touch ("advise", "hour", "acre", "controlled"...).

American words and words that are not spelling variants come back unchanged.
The rules were checked against the Debian British and American word lists.
"""

import functools
import re
import tomllib
from pathlib import Path

_TABLES = tomllib.loads((Path(__file__).resolve().parent / "data" / "spelling_variants.toml").read_text(encoding="utf-8"))

IRREGULAR_SPELLINGS: dict[str, str] = _TABLES["irregular"]
FRAGMENTS_ANYWHERE: dict[str, str] = _TABLES["fragments_anywhere"]
FRAGMENTS_AT_START: dict[str, str] = _TABLES["fragments_at_start"]
FRAGMENTS_AT_END: dict[str, str] = _TABLES["fragments_at_end"]
OUR_TAILS = frozenset(_TABLES["our"]["tails"])
OUR_EXCEPTION_ENDINGS = frozenset(_TABLES["our"]["exception_endings"])
OUR_EXCEPTIONS = frozenset(_TABLES["our"]["exceptions"])
MIN_OUR_BASE_LENGTH = _TABLES["our"]["min_base_length"]
ISE_ENDINGS = tuple(_TABLES["ise"]["endings"])
ISE_EXCEPTION_ENDINGS = frozenset(_TABLES["ise"]["exception_endings"])
ISE_EXCEPTIONS = frozenset(_TABLES["ise"]["exceptions"])
MIN_ISE_BASE_LENGTH = _TABLES["ise"]["min_base_length"]
YSE_ENDINGS = tuple(_TABLES["yse"]["endings"])
RE_ENDINGS: dict[str, str] = _TABLES["re"]["endings"]
RE_PRECEDING_CONSONANTS = frozenset(_TABLES["re"]["preceding_consonants"])
RE_EXCEPTION_ENDINGS = frozenset(_TABLES["re"]["exception_endings"])
RE_EXCEPTIONS = frozenset(_TABLES["re"]["exceptions"])
MIN_RE_BASE_LENGTH = _TABLES["re"]["min_base_length"]
DOUBLED_L_ENDINGS = tuple(_TABLES["doubled_l"]["endings"])
ONE_SYLLABLE_LL_ROOTS = frozenset(_TABLES["doubled_l"]["one_syllable_roots"])
DOUBLED_L_EXCEPTION_BASES = frozenset(_TABLES["doubled_l"]["exception_bases"])
VOWELS = frozenset("aeiou")
OUR_WORD = re.compile(r"^(?P<stem>[a-z]+)our(?P<tail>[a-z]*)$")


def _has_vowel(text: str) -> bool:
    """True if ``text`` contains a vowel letter (``y`` counts, except first)."""
    return any(letter in VOWELS for letter in text) or "y" in text[1:]


def _ends_with_any(word: str, endings: frozenset[str]) -> bool:
    return any(word.endswith(ending) for ending in endings)


def _matching_ending(word: str, endings: tuple[str, ...]) -> str | None:
    """The first of ``endings`` (longest first) that ``word`` ends with."""
    if not word.endswith(endings):
        return None
    return next(ending for ending in endings if word.endswith(ending))


def _fold_fragments(word: str) -> str:
    for british, american in FRAGMENTS_ANYWHERE.items():
        if british in word:
            word = word.replace(british, american)
    for british, american in FRAGMENTS_AT_START.items():
        if word.startswith(british):
            word = american + word[len(british):]
    for british, american in FRAGMENTS_AT_END.items():
        if word.endswith(british):
            word = word[: -len(british)] + american
    return word


def _fold_our(word: str) -> str:
    match = OUR_WORD.match(word)
    if match is None or match["tail"] not in OUR_TAILS:
        return word
    base = match["stem"] + "our"
    if (
        len(base) < MIN_OUR_BASE_LENGTH
        or base in OUR_EXCEPTIONS
        or _ends_with_any(base, OUR_EXCEPTION_ENDINGS)
    ):
        return word
    return match["stem"] + "or" + match["tail"]


def _fold_ise(word: str) -> str:
    ending = _matching_ending(word, ISE_ENDINGS)
    if ending is None:
        return word
    stem = word[: -len(ending)]
    base = stem + "ise"
    # -ize verbs always have a consonant before the suffix: this leaves
    # out raise, praise, noise, poise, cruise, bruise, disguise...
    if (
        len(base) < MIN_ISE_BASE_LENGTH
        or stem[-1] in VOWELS
        or base in ISE_EXCEPTIONS
        or _ends_with_any(base, ISE_EXCEPTION_ENDINGS)
    ):
        return word
    return stem + "iz" + ending[2:]


def _fold_yse(word: str) -> str:
    ending = _matching_ending(word, YSE_ENDINGS)
    if ending is None or len(word) < len(ending) + 2:  # "analyse", not "lyse"
        return word
    return word[: -len(ending)] + "lyz" + ending[3:]


def _fold_re(word: str) -> str:
    british_ending = _matching_ending(word, tuple(RE_ENDINGS))
    if british_ending is None:
        return word
    stem = word[: -len(british_ending)]
    base = stem + "re"
    if (
        len(base) < MIN_RE_BASE_LENGTH
        or stem[-1] not in RE_PRECEDING_CONSONANTS
        # centred, mitred, centring; not inbred, hatred, hamstring
        or (british_ending in ("red", "ring") and (stem[-1] != "t" or stem.endswith("st")))
        or base in RE_EXCEPTIONS
        or _ends_with_any(base, RE_EXCEPTION_ENDINGS)
    ):
        return word
    return stem + RE_ENDINGS[british_ending]


def _fold_doubled_l(word: str) -> str:
    ending = _matching_ending(word, DOUBLED_L_ENDINGS)
    if ending is None:
        return word
    stem = word[: -len(ending)]  # "counse" of "counselling"
    # Only an unstressed final syllable (counsel, travel, dial) drops its l
    # in American: the stem ends in a vowel and has another vowel before it
    # (so one-syllable "spell", "call" stay).
    if (
        len(stem) < 3
        or stem[-1] not in "aeio"
        or not _has_vowel(stem[:-1])
        or stem + "l" in DOUBLED_L_EXCEPTION_BASES
        or _ends_with_any(stem + "ll", ONE_SYLLABLE_LL_ROOTS)
    ):
        return word
    return stem + ending[1:]


# Applied in this order, each to the output of the one before, so that "colourised" becomes
# "colorised" and then "colorized".
SUFFIX_RULES = (_fold_our, _fold_ise, _fold_yse, _fold_re, _fold_doubled_l)


@functools.lru_cache(maxsize=65536)
def fold_spelling(word: str) -> str:
    """Return the American spelling of one lowercase token.

    Words that are not British variants are returned unchanged.
    """
    if word in IRREGULAR_SPELLINGS:
        return IRREGULAR_SPELLINGS[word]
    folded = _fold_fragments(word)
    for rule in SUFFIX_RULES:
        folded = rule(folded)
    return folded
