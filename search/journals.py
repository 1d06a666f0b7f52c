"""Common abbreviations of the journals the blog summarises, as users type them after ``journal:``.

One table: an abbreviation (lowercase, dots dropped, spaces single) -> the journal's full name as
citations print it. ``journal:JCCP`` searches "JCCP" and "Journal of Consulting and Clinical
Psychology" alike (search.query).
"""
from __future__ import annotations

import re

JOURNAL_ABBREVIATIONS: dict[str, str] = {
    "jccp": "Journal of Consulting and Clinical Psychology",
    "j consult clin psychol": "Journal of Consulting and Clinical Psychology",
    "jcp": "Journal of Clinical Psychology",
    "j clin psychol": "Journal of Clinical Psychology",
    "jcop": "Journal of Counseling Psychology",
    "j couns psychol": "Journal of Counseling Psychology",
    "cpp": "Clinical Psychology and Psychotherapy",
    "clin psychol psychother": "Clinical Psychology and Psychotherapy",
    "cpr": "Clinical Psychology Review",
    "clin psychol rev": "Clinical Psychology Review",
    "cp:sp": "Clinical Psychology: Science and Practice",
    "clin psychol sci pract": "Clinical Psychology: Science and Practice",
    "psychother res": "Psychotherapy Research",
    "psychotherapy res": "Psychotherapy Research",
    "couns psychother res": "Counselling and Psychotherapy Research",
    "jama": "Journal of the American Medical Association",
    "jama psychiatry": "JAMA Psychiatry",
    "ajp": "American Journal of Psychiatry",
    "am j psychiatry": "American Journal of Psychiatry",
    "bjp": "British Journal of Psychiatry",
    "br j psychiatry": "British Journal of Psychiatry",
    "bjcp": "British Journal of Clinical Psychology",
    "br j clin psychol": "British Journal of Clinical Psychology",
    "psychol med": "Psychological Medicine",
    "brat": "Behaviour Research and Therapy",
    "behav res ther": "Behaviour Research and Therapy",
    "jad": "Journal of Affective Disorders",
    "j affect disord": "Journal of Affective Disorders",
    "jpi": "Journal of Psychotherapy Integration",
    "j psychother integr": "Journal of Psychotherapy Integration",
    "psychol psychother": "Psychology and Psychotherapy: Theory, Research and Practice",
    "am psychol": "American Psychologist",
    "psychol bull": "Psychological Bulletin",
    "world psychiatry": "World Psychiatry",
    "lancet psychiatry": "The Lancet Psychiatry",
}

_SEPARATORS = re.compile(r"[\s.]+")


def full_journal_name(typed: str) -> str | None:
    """The full name of the journal an abbreviation stands for, or None."""
    return JOURNAL_ABBREVIATIONS.get(_SEPARATORS.sub(" ", typed.lower()).strip())
