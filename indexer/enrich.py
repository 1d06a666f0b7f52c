"""Facts read from a post's own words: the kind of research it summarises and its sample size."""
from __future__ import annotations

import re

# Research types, each with the wording that names it. Checked against title, citation and summary.
RESEARCH_TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    "meta-analysis": re.compile(r"\bmeta[- ]?analy(?:s[ie]s|tic|[sz]e)", re.I),
    "randomized controlled trial": re.compile(
        r"(?<!non-)(?<!non )(?<!quasi-)\brandomi[sz]ed(?:,)? (?:controlled |clinical |control )?trial"
        r"|\bRCTs?\b|\brandomly (?:assigned|allocated)\b|\b(?:were|was) randomi[sz]ed\b",
        re.I,
    ),
    "survey": re.compile(r"\bsurvey(?:s|ed)?\b|\bcompleted questionnaires\b", re.I),
    "qualitative": re.compile(
        r"\bqualitative\b|\bthematic analysis\b|\bgrounded theory\b|\binterpretative phenomenological\b"
        r"|\bsemi-structured interviews?\b",
        re.I,
    ),
    "naturalistic": re.compile(
        r"\bnaturalistic\b|\bpractice-based\b|\broutine (?:clinical )?(?:care|practice|settings?)\b"
        r"|\broutinely collected\b|\breal-world\b",
        re.I,
    ),
    "review": re.compile(r"\bsystematic review\b|\bliterature review\b|\bnarrative review\b|\bscoping review\b", re.I),
}
BOOK_CHAPTER = "book chapter"

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
_PEOPLE = (
    r"(?:participants|patients|clients|individuals|people|persons|adults|adolescents|children|youths?|"
    r"students|trainees|therapists|psychotherapists|psychologists|practitioners|clinicians|counsellors|"
    r"counselors|supervisees|veterans|women|men|couples|families|dyads|respondents|outpatients|inpatients)"
)
# "over 26,000 patients", "416 psychotherapists", "2100 American psychologists", "N = 120"
_SAMPLE_SIZE = re.compile(
    rf"(?<![\d.,%$])\b{_NUMBER}(?!\s*(?:%|percent|years|hours|sessions|weeks|months))"
    rf"(?:\s+[A-Za-z][\w-]*){{0,2}}?\s+{_PEOPLE}\b"
    rf"|\b[Nn]\s*=\s*{_NUMBER}\b"
)
# "in 2020 patients...": a year, not a count.
_YEAR_BEFORE = re.compile(r"\b(?:in|since|during|by|until|from|of|before|after)\s+(?:19|20)\d\d$", re.I)


def research_types(title: str, citation: str | None, summary: str, *, is_chapter: bool) -> tuple[str, ...]:
    """The research types the text names, in the order of RESEARCH_TYPE_PATTERNS."""
    text = " ".join(part for part in (title, citation or "", summary) if part)
    found = [name for name, pattern in RESEARCH_TYPE_PATTERNS.items() if pattern.search(text)]
    if is_chapter:
        found.append(BOOK_CHAPTER)
    return tuple(found)


def sample_size(summary: str) -> int | None:
    """The first number of people the summary says were studied, if any."""
    for match in _SAMPLE_SIZE.finditer(summary):
        digits = match.group(1) or match.group(2)
        number = int(digits.replace(",", ""))
        if number >= 2 and not _YEAR_BEFORE.search(summary, 0, match.start() + len(digits)):
            return number
    return None
