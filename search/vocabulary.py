"""The spelling vocabulary: the real words of the indexed posts, with how many posts use each.

Written beside the index at build time and read by the engine for "Did you mean": it holds words as
people write them, never stems, so a suggestion is always a real word.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

VOCABULARY_FILE = "vocabulary.json"
_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?")


class Vocabulary:
    """Words and their document counts, bucketed by first letter for near-miss look-ups."""

    def __init__(self, counts: dict[str, int] | None = None) -> None:
        self._counts: Counter[str] = Counter(counts)
        self._by_initial: dict[str, list[str]] | None = None

    def add_document(self, text: str) -> None:
        self._counts.update(set(_WORD.findall(text.lower())))
        self._by_initial = None

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._counts

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self._counts, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """The vocabulary saved at ``path``; an empty one when the file is missing or unreadable."""
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return cls()

    def closest(self, word: str, max_edits: int) -> str | None:
        """The most used word within ``max_edits`` edits of ``word`` that starts with the same letter."""
        word = word.lower()
        if not word:
            return None
        if self._by_initial is None:
            self._by_initial = defaultdict(list)
            for known in self._counts:
                self._by_initial[known[0]].append(known)
        ranks = ((edit_distance(word, candidate, max_edits), -self._counts[candidate], candidate)
                 for candidate in self._by_initial.get(word[0], ())
                 if abs(len(candidate) - len(word)) <= max_edits and candidate != word)
        best = min((rank for rank in ranks if rank[0] <= max_edits), default=None)
        return best[2] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions; stops early past ``limit`` (returns limit+1)."""
    previous_previous = previous = list(range(len(b) + 1))  # the row before the previous one is read from i = 2
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]
