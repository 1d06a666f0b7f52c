"""British/American spelling folding for the search analyzer (search.analysis).

``fold_spelling`` maps one lowercase token to its American spelling, so that "behaviour" and
"behavior", "randomised" and "randomized", or "counselling" and "counseling" become the same indexed
term. Folding is conservative: a word is changed only when it is a British variant. Three layers do
the work, their word lists (and the reason for each) in ``data/spelling_variants.toml``:

* ``IRREGULAR_SPELLINGS``: pairs listed one by one ("grey", "whilst", "practise", "catalogue"...);
* fragments: British roots replaced anywhere, at the start or at the end of a word ("haem", "paed",
  "oestr", "plough", "judgement", "defence"...);
* suffix rules (-our, -ise, -yse, -re, doubled l), each with sets of words it must not touch
  ("advise", "hour", "acre", "controlled"...).

The rules were checked against the Debian British and American word lists.
"""

import re
import tomllib
from collections.abc import Callable
from functools import lru_cache, reduce
from pathlib import Path

TABLES = tomllib.loads((Path(__file__).resolve().parent / "data" / "spelling_variants.toml").read_text(encoding="utf-8"))
IRREGULAR_SPELLINGS: dict[str, str] = TABLES["irregular"]
# The suffix rules' tables, their lists as tuples (``str.endswith`` takes a tuple of endings).
_OUR, _ISE, _RE, _LL = (
    {key: tuple(value) if isinstance(value, list) else value for key, value in TABLES[name].items()}
    for name in ("our", "ise", "re", "doubled_l")
)
VOWELS = frozenset("aeiou")
OUR_WORD = re.compile(r"^(?P<stem>[a-z]+)our(?P<tail>[a-z]*)$")


def _fold_fragments(word: str) -> str:
    for british, american in TABLES["fragments_anywhere"].items():
        word = word.replace(british, american)
    for british, american in TABLES["fragments_at_start"].items():
        if word.startswith(british):
            word = american + word[len(british):]
    for british, american in TABLES["fragments_at_end"].items():
        if word.endswith(british):
            word = word[: -len(british)] + american
    return word


def _fold_our(word: str) -> str:
    match = OUR_WORD.match(word)
    if match is None or match["tail"] not in _OUR["tails"]:
        return word
    base = match["stem"] + "our"
    if len(base) < _OUR["min_base_length"] or base in _OUR["exceptions"] or base.endswith(_OUR["exception_endings"]):
        return word
    return match["stem"] + "or" + match["tail"]


def _suffix_rule(endings: dict[str, str], keeps: Callable[[str, str], bool]) -> Callable[[str], str]:
    """A rule that gives a word ending in one of ``endings`` (the first that fits: longest first) its
    American ending, unless ``keeps(stem, ending)``."""
    british = tuple(endings)

    def rule(word: str) -> str:
        if not word.endswith(british):
            return word
        ending = next(ending for ending in british if word.endswith(ending))
        stem = word[: -len(ending)]
        return word if keeps(stem, ending) else stem + endings[ending]

    return rule


def _keeps_ise(stem: str, ending: str) -> bool:
    base = stem + "ise"
    # -ize verbs always have a consonant before the suffix: this leaves
    # out raise, praise, noise, poise, cruise, bruise, disguise...
    return (
        len(base) < _ISE["min_base_length"]
        or stem[-1] in VOWELS
        or base in _ISE["exceptions"]
        or base.endswith(_ISE["exception_endings"])
    )


def _keeps_re(stem: str, ending: str) -> bool:
    base = stem + "re"
    return (
        len(base) < _RE["min_base_length"]
        or stem[-1] not in _RE["preceding_consonants"]
        # centred, mitred, centring; not inbred, hatred, hamstring
        or (ending in ("red", "ring") and (stem[-1] != "t" or stem.endswith("st")))
        or base in _RE["exceptions"]
        or base.endswith(_RE["exception_endings"])
    )


def _keeps_doubled_l(stem: str, ending: str) -> bool:
    # stem: "counse" of "counselling". Only an unstressed final syllable (counsel, travel, dial) drops
    # its l in American: the stem ends in a vowel and has another vowel before it (``y`` counts, except
    # first), so one-syllable "spell", "call" stay.
    return (
        len(stem) < 3
        or stem[-1] not in "aeio"
        or (VOWELS.isdisjoint(stem[:-1]) and "y" not in stem[1:-1])
        or stem + "l" in _LL["exception_bases"]
        or (stem + "ll").endswith(_LL["one_syllable_roots"])
    )


# Applied in this order, each to the output of the one before, so that "colourised" becomes
# "colorised" and then "colorized".
SUFFIX_RULES = (
    _fold_our,
    _suffix_rule({ending: "iz" + ending[2:] for ending in _ISE["endings"]}, _keeps_ise),
    # "analyse", not "lyse"
    _suffix_rule({ending: "lyz" + ending[3:] for ending in TABLES["yse"]["endings"]}, lambda stem, _: len(stem) < 2),
    _suffix_rule(_RE["endings"], _keeps_re),
    _suffix_rule({ending: ending[1:] for ending in _LL["endings"]}, _keeps_doubled_l),
)


@lru_cache(maxsize=65536)
def fold_spelling(word: str) -> str:
    """Return the American spelling of one lowercase token (unchanged if it is no British variant)."""
    if word in IRREGULAR_SPELLINGS:
        return IRREGULAR_SPELLINGS[word]
    return reduce(lambda folded, rule: rule(folded), SUFFIX_RULES, _fold_fragments(word))
