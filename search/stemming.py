"""NLTK's Snowball stemmer for English, memoised: stemming is the hot path of indexing."""
from __future__ import annotations

from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer

_SNOWBALL = SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of one lowercase word."""
    return _SNOWBALL.stem(word)
