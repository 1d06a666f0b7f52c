""""Did you mean": a corrected query for words that are typos, never for words that are merely absent.

A plain word is left alone when the posts use it (the spelling vocabulary, or its analysed term is
indexed), when it is ordinary English (Zipf frequency >= ORDINARY_ZIPF in ``wordfreq``'s English
list: "matter", "last" and "least" are words, whether or not the blog uses them), when it is typed
in capitals (an acronym), or when nothing close enough is known. Otherwise it becomes the most used
known word one edit away (two for longer words). A capitalised word looks like a name: it is only
corrected to an author's surname, never into a common word.

A restriction's value that selects nothing (``author:Barkam``) becomes the nearest value of its own
field (search.restrict), never a word of the prose; one that selects something is never corrected.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from search.analysis import STOP_AND_QUESTION_WORDS
from search.query import ParsedQuery, replace_words
from search.restrict import Resolver
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

    def __init__(self, load_vocabulary: Callable[[], Vocabulary], is_indexed: Callable[[str], bool],
                 resolver: Resolver) -> None:
        """``load_vocabulary()``: the posts' words (read when first needed); ``is_indexed(word)``: whether
        the word's analysed terms are in the index; ``resolver``: the fields' known values."""
        self._load_vocabulary = load_vocabulary
        self._vocabulary: Vocabulary | None = None
        self._is_indexed = is_indexed
        self._resolver = resolver

    def suggestion(self, parsed: ParsedQuery, unknown: list[dict]) -> str | None:
        """The query with its typos and unknown field values corrected, or None when there is nothing
        to correct. ``unknown``: the restrictions that selected nothing, with their nearest values."""
        corrections = {word: correction for word in parsed.plain_words  # plain_words: no numbers
                       if word.lower() not in STOP_AND_QUESTION_WORDS and (correction := self._plain_correction(word))}
        field_corrections = {(entry["field"], entry["value"]): entry["suggestions"][0]
                             for entry in unknown if entry.get("suggestions")}
        suggestion = replace_words(parsed.text, corrections, field_corrections)
        return suggestion if suggestion != parsed.text else None

    def _plain_correction(self, word: str) -> str | None:
        if word.isupper() or self._is_indexed(word) or is_ordinary_english(word.lower()):
            return None
        if self._vocabulary is None:
            self._vocabulary = self._load_vocabulary()
        if word in self._vocabulary:
            return None
        if word[:1].isupper():  # a name: only ever a known surname
            nearest = self._resolver.nearest("author", word)
            return nearest[0] if nearest else None
        return self._vocabulary.closest(word, max_edits=1 if len(word) <= 5 else 2)
