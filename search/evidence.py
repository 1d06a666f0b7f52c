"""The strength-of-evidence hierarchy of research types: one home for the labels and their order.

A post's ``research_types`` hold labels from ``RESEARCH_TYPES``. Each label belongs to a level,
strongest first: syntheses of many studies, then randomized trials, then naturalistic
(practice-based) studies, surveys, qualitative studies, and last reviews, commentaries and book
chapters. The type facet is ordered by this hierarchy and ``sort=evidence`` ranks by a post's
strongest level (relevance within a level).
"""
from __future__ import annotations

from collections.abc import Iterable

META_ANALYSIS = "meta-analysis"
SYSTEMATIC_REVIEW = "systematic review"
RCT = "randomized controlled trial"
NATURALISTIC = "naturalistic"
SURVEY = "survey"
QUALITATIVE = "qualitative"
REVIEW = "review"
COMMENTARY = "commentary"
BOOK_CHAPTER = "book chapter"

EVIDENCE_LEVELS: tuple[tuple[str, ...], ...] = (
    (META_ANALYSIS, SYSTEMATIC_REVIEW),
    (RCT,),
    (NATURALISTIC,),
    (SURVEY,),
    (QUALITATIVE,),
    (REVIEW, COMMENTARY, BOOK_CHAPTER),
)
RESEARCH_TYPES: tuple[str, ...] = tuple(label for level in EVIDENCE_LEVELS for label in level)
_LEVEL_OF = {label: number for number, level in enumerate(EVIDENCE_LEVELS) for label in level}
UNKNOWN_LEVEL = len(EVIDENCE_LEVELS)  # a post of no known research type: after every known level


def evidence_level(research_types: Iterable[str]) -> int:
    """0 for the strongest level, up to ``UNKNOWN_LEVEL`` for a post of no known type."""
    return min((_LEVEL_OF.get(label, UNKNOWN_LEVEL) for label in research_types), default=UNKNOWN_LEVEL)


def hierarchy_order(label: str) -> tuple[int, str]:
    """A sort key that puts type labels in hierarchy order (unknown labels last, alphabetically)."""
    return (RESEARCH_TYPES.index(label) if label in _LEVEL_OF else len(RESEARCH_TYPES), label)
