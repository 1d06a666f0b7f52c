"""The field's abbreviations and near-synonyms (``data/thesaurus.txt``), for query-time expansion.

Each line of the data file is a group of equivalent phrases ("cbt" = "cognitive behavioral therapy"
= ...). The query parser asks ``Thesaurus.match`` for the longest phrase that the typed words start
with and searches the other phrases of its group alongside, at a lower weight. Typed words meet a
phrase by their analysed terms (the analysis is given to ``Thesaurus``, which search.analysis itself
builds on), so inflections, derivations and British spellings meet ("emotionally exhausted" is
"emotional exhaustion"). A phrase in capitals (an acronym that is also a word when lowercase: "ACT",
"ROM") matches only when typed in capitals and is never searched as an alternative.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "thesaurus.txt"
# Typed tokens lose surrounding punctuation before matching: "(CBT)", "PTSD?".
SURROUNDING_PUNCTUATION = ".,;:!?\"'()[]{}"

_LINES = (line.strip() for line in DATA_FILE.read_text(encoding="utf-8").splitlines())
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.strip() for phrase in line.split("|")) for line in _LINES if line and not line.startswith("#")
)
LONGEST_PHRASE_WORDS = max(len(phrase.split()) for group in SYNONYM_GROUPS for phrase in group)


def is_case_sensitive(phrase: str) -> bool:
    return phrase != phrase.lower()


@dataclass(frozen=True)
class Expansion:
    """One typed phrase found in the thesaurus, with what to search alongside it."""

    matched: tuple[str, ...]        # the typed words (lowercased) that matched an entry
    alternatives: tuple[str, ...]   # the other phrases of the group, not the typed one


class Thesaurus:
    """Look-ups of typed words among the groups; ``terms_of(text)`` is the analysis they meet by."""

    def __init__(self, terms_of: Callable[[str], tuple[str, ...]]) -> None:
        self._terms_of = terms_of
        self._by_terms: dict[tuple[str, ...], int] = {}
        self._by_words: dict[tuple[str, ...], int] = {}  # phrases in capitals, and those the analysis would change
        for index, group in enumerate(SYNONYM_GROUPS):
            for phrase in group:
                # a single letter of a phrase is dropped by the analysis ("e-therapy" is not "therapy")
                if is_case_sensitive(phrase) or any(len(piece) == 1 for piece in re.split(r"\W+", phrase)):
                    self._by_words[tuple(phrase.split())] = index
                elif terms := terms_of(phrase):
                    self._by_terms.setdefault(terms, index)

    def group_of(self, phrase: str) -> int | None:
        """The group a phrase (as typed) belongs to, or None."""
        for words in (tuple(phrase.split()), tuple(phrase.lower().split())):  # in capitals as typed, or any case
            if words in self._by_words:
                return self._by_words[words]
        return self._by_terms.get(self._terms_of(phrase))

    def match(self, tokens: Sequence[str], max_alternatives: int = 8) -> Expansion | None:
        """The longest thesaurus phrase the typed words start with, or None."""
        words = [token.strip(SURROUNDING_PUNCTUATION) for token in tokens[:LONGEST_PHRASE_WORDS]]
        if not words or not words[0] or not self._terms_of(words[0]):
            return None  # a phrase starts and ends with a word that counts: "how many clients" is not "clients"
        for length in range(len(words), 0, -1):
            if "" in words[:length] or not self._terms_of(words[length - 1]):
                continue
            index = self.group_of(" ".join(words[:length]))
            if index is None:
                continue
            typed = self._terms_of(" ".join(words[:length]))
            alternatives = tuple(phrase for phrase in SYNONYM_GROUPS[index] if not is_case_sensitive(phrase)
                                 and self._terms_of(phrase) != typed)
            return Expansion(tuple(word.lower() for word in words[:length]), alternatives[:max_alternatives])
        return None
