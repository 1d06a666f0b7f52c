""""Did you mean": a corrected query for words that are typos, never for words that are merely absent.

A plain word is left alone when the posts use it (the spelling vocabulary, or its analysed term is
indexed), when it is ordinary English (Zipf frequency >= ORDINARY_ZIPF in ``wordfreq``'s English
list: "matter", "last" and "least" are words, whether or not the blog uses them), when it is typed
in capitals (an acronym), or when nothing close enough is known. Otherwise it becomes the most used
known word one edit away (two for longer words). A capitalised word looks like a name: it is only
corrected to an author's surname, never into a common word.

A word after ``author:``, ``journal:`` or ``topic:`` is checked against that field's own words
(``author:Barkam`` -> ``author:Barkham``), never against the prose vocabulary.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from search.journals import JOURNAL_ABBREVIATIONS
from search.query import ParsedQuery, replace_words, spelling_candidates
from search.vocabulary import Vocabulary

# Zipf 3 = once per million words: wordfreq's "small" English list holds exactly these.
ORDINARY_ZIPF = 3.0


@lru_cache(maxsize=20_000)
def is_ordinary_english(word: str) -> bool:
    """Whether ``word`` is a common English word (wordfreq, offline from the installed package)."""
    from wordfreq import zipf_frequency  # loads its word list on first use

    return zipf_frequency(word, "en", wordlist="small") >= ORDINARY_ZIPF


class DidYouMean:
    """Spelling suggestions over one index snapshot."""

    def __init__(self, vocabulary: Vocabulary, is_indexed: Callable[[str], bool],
                 field_words: dict[str, Iterable[str]]) -> None:
        """``vocabulary``: the posts' words; ``is_indexed(word)``: whether the word's analysed terms are
        in the index; ``field_words``: field -> the values of that field (author names, journals, topics)."""
        self._vocabulary = vocabulary
        self._is_indexed = is_indexed
        self._fields = {name: _words_of(values) for name, values in field_words.items()}
        self._fields.setdefault("journal", Vocabulary()).add_document(" ".join(JOURNAL_ABBREVIATIONS))
        self._surnames = self._fields.get("authors", Vocabulary())
        is_ordinary_english("the")  # load the word list now, not during a user's first search

    def suggestion(self, parsed: ParsedQuery) -> str | None:
        """The query with its typos corrected, or None when there is nothing to correct."""
        corrections = {}
        for word in spelling_candidates(parsed):
            correction = self._plain_correction(word)
            if correction:
                corrections[word] = correction
        field_corrections = {}
        for name, word in parsed.field_words:
            correction = self._field_correction(name, word)
            if correction:
                field_corrections[(name, word)] = correction
        if not corrections and not field_corrections:
            return None
        return replace_words(parsed.text, corrections, field_corrections)

    def _plain_correction(self, word: str) -> str | None:
        if word.isupper() or word in self._vocabulary or self._is_indexed(word) or is_ordinary_english(word.lower()):
            return None
        looks_like_a_name = word[:1].isupper()
        known = self._surnames if looks_like_a_name else self._vocabulary
        correction = known.closest(word, max_edits=_max_edits(word))
        return _in_case_of(word, correction) if correction else None

    def _field_correction(self, name: str, word: str) -> str | None:
        values = self._fields.get(name)
        if values is None or word in values or word.isupper():
            return None
        correction = values.closest(word, max_edits=_max_edits(word))
        return _in_case_of(word, correction) if correction else None


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _words_of(values: Iterable[str]) -> Vocabulary:
    vocabulary = Vocabulary()
    for value in values:
        vocabulary.add_document(value)
    return vocabulary


def _in_case_of(typed: str, correction: str) -> str:
    """The correction written as the word was typed: "Barkam" -> "Barkham", "therpy" -> "therapy"."""
    return correction.capitalize() if typed[:1].isupper() else correction
