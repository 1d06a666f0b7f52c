"""NLTK's Snowball stemmer for English, memoised (stemming is the hot path of indexing), with a few
corrections where Snowball conflates words a clinician keeps apart or splits words they join."""
from __future__ import annotations

import sys
from functools import lru_cache


# NLTK's English Snowball stemmer, imported without SciPy. Importing any part of NLTK runs
# ``nltk/__init__``, which imports ``nltk.collocations`` and with it SciPy when SciPy is installed:
# seconds and tens of MB more in every web worker, for statistics the stemmer never uses. NLTK guards
# each SciPy import with ``except ImportError``, so SciPy is hidden while NLTK loads (unless something
# already imported it) and restored right after.
_HIDE_SCIPY = "scipy" not in sys.modules
if _HIDE_SCIPY:
    sys.modules["scipy"] = None  # makes `import scipy...` raise ImportError
try:
    from nltk.stem.snowball import SnowballStemmer
finally:
    if _HIDE_SCIPY:
        del sys.modules["scipy"]
_SNOWBALL = SnowballStemmer("english")

# Words (already in American spelling) whose Snowball stem is wrong for this field:
# "mentalizing" -> "mental" would make every "mental health" match a query about mentalizing;
# "counselors" -> "counselor" would keep "counseling" from finding the counsellors.
STEM_EXCEPTIONS: dict[str, str] = {
    **dict.fromkeys(
        ("mentalize", "mentalizes", "mentalized", "mentalizing", "mentalization", "mentalizations"), "mentaliz"
    ),
    **dict.fromkeys(("counselor", "counselors"), "counsel"),
    # "effective(ly)" and "effectiveness" are how well something works; "effect(s)" is what it does
    # ("therapist effects", "side effects"): Snowball makes all of them "effect".
    **dict.fromkeys(("effective", "effectively", "effectiveness", "ineffective", "ineffectively",
                     "ineffectiveness"), "effectiv"),
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one lowercase word."""
    return STEM_EXCEPTIONS.get(word) or _SNOWBALL.stem(word)
