"""NLTK's Snowball stemmer for English, memoised (stemming is the hot path of indexing), with a few
corrections where Snowball conflates words a clinician keeps apart or splits words they join."""
from __future__ import annotations

from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer

_SNOWBALL = SnowballStemmer("english")

# Words (already in American spelling) whose Snowball stem is wrong for this field:
# "mentalizing" -> "mental" would make every "mental health" match a query about mentalizing;
# "counselors" -> "counselor" would keep "counseling" from finding the counsellors.
STEM_EXCEPTIONS: dict[str, str] = {
    **dict.fromkeys(
        ("mentalize", "mentalizes", "mentalized", "mentalizing", "mentalization", "mentalizations"), "mentaliz"
    ),
    **dict.fromkeys(("counselor", "counselors"), "counsel"),
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one lowercase word."""
    return STEM_EXCEPTIONS.get(word) or _SNOWBALL.stem(word)
