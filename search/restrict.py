"""Restrictions: what a typed ``field:value`` or a facet filter selects, one resolver per field.

A restriction is the same whether it is typed in the query (``author:"Tasca GA"``), chosen in a facet
(``?author=Tasca GA``) or given on the command line (``--author``): ``resolve`` turns the value into
the stored values it selects, and the engine keeps the posts that carry one of them. The forms each
field takes are in docs/query-language.md (an author's initials narrow as in PubMed: the typed ones
begin the author's). A value that selects nothing is *unknown* (a year in a valid form is known even
when no post has it): the resolution carries the nearest known values of that field.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property

from search.analysis import contains_run, fold_name, phrase_terms
from search.evidence import BOOK_CHAPTER, COMMENTARY, META_ANALYSIS, NATURALISTIC, QUALITATIVE, RCT, REVIEW, SURVEY, SYSTEMATIC_REVIEW
from search.journals import full_journal_name

MAX_SUGGESTIONS = 3
# Usual names of the research types, folded (lowercase, hyphens and dots as spaces) -> the type.
TYPE_NAMES: dict[str, str] = {
    **dict.fromkeys(("meta analysis", "meta analyses", "metaanalysis", "ma", "meta"), META_ANALYSIS),
    **dict.fromkeys(("systematic review", "systematic reviews", "sr"), SYSTEMATIC_REVIEW),
    **dict.fromkeys(("rct", "rcts", "randomized controlled trial", "randomised controlled trial", "randomized trial",
                     "randomised trial", "randomized clinical trial", "randomised clinical trial", "trial", "trials",
                     "randomized", "randomised", "clinical trial", "controlled trial"), RCT),
    **dict.fromkeys(("naturalistic", "observational", "practice based", "routine practice", "cohort",
                     "longitudinal", "naturalistic study"), NATURALISTIC),
    **dict.fromkeys(("survey", "surveys", "questionnaire", "cross sectional"), SURVEY),
    **dict.fromkeys(("qualitative", "interview", "interviews", "thematic analysis", "grounded theory"), QUALITATIVE),
    **dict.fromkeys(("review", "reviews", "narrative review", "literature review"), REVIEW),
    **dict.fromkeys(("commentary", "comment", "editorial"), COMMENTARY),
    **dict.fromkeys(("book chapter", "chapter", "book"), BOOK_CHAPTER),
}
_YEAR = re.compile(r"^(?:(?P<op>[<>]=?)\s*(?P<bound>\d{1,4})|(?P<first>\d{1,4})\s*(?:-|–|\.\.)\s*(?P<last>\d{1,4})|(?P<one>\d{1,4}))$")
_YEAR_RANGE = re.compile(r"^(?P<open>[\[{])\s*(?P<start>\d{1,4})?\s*TO\s*(?P<end>\d{1,4})?\s*(?P<close>[\]}])?$", re.I)
YEAR_HELP = "year takes a year (2019), a range (2015-2020 or [2015 TO 2020]) or a comparison (>2019, <=2015)"
_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|(?:[A-Za-z]\.\s*){1,3})$")


@dataclass(frozen=True)
class Resolution:
    """What one typed value of a field selects: stored values (empty: nothing), and for an unknown
    value the nearest known ones, or a sentence on the form the field takes."""

    field: str
    typed: str
    values: tuple[str, ...]
    unknown: bool = False
    suggestions: tuple[str, ...] = ()
    help: str | None = None

    def to_dict(self) -> dict:
        entry = {"field": self.field, "value": self.typed, "matches": list(self.values)}
        if self.unknown:
            entry.update(suggestions=list(self.suggestions), help=self.help)
        return entry


class Resolver:
    """The resolvers of one index: ``known`` maps each field to its stored values (authors, journals,
    topics, types, years as text, DOIs, ids, issue dates)."""

    def __init__(self, known: dict[str, list[str]]) -> None:
        self._known = known
        self._folded_values: dict[str, dict[str, str]] = {}  # each field's, made when first needed

    def _folded(self, field: str) -> dict[str, str]:
        """The field's values by their folded form (fold_name)."""
        if field not in self._folded_values:
            self._folded_values[field] = {fold_name(value): value for value in self._known.get(field, ())}
        return self._folded_values[field]

    @cached_property
    def _authors(self) -> list[tuple[tuple[str, str], str]]:
        return [(_split_author(value), value) for value in self._known.get("author", ())]

    @cached_property
    def _topic_terms(self) -> list[tuple[set[str], str]]:
        return [(set(phrase_terms(label)), label) for label in self._known.get("topic", ())]

    def resolve(self, field: str, typed: str) -> Resolution:
        typed = typed.strip()
        if field == "year":
            return self._year(typed)
        exact = self._folded(field).get(fold_name(typed))
        find = {"author": self._author, "journal": self._journal, "topic": self._topic, "type": self._type}.get(field)
        values = [exact] if exact is not None else find(typed) if find else ()
        if values:
            return Resolution(field, typed, tuple(values))
        return Resolution(field, typed, (), unknown=True, suggestions=self.nearest(field, typed))

    def nearest(self, field: str, typed: str) -> tuple[str, ...]:
        """Known values of the field closest to ``typed`` (authors by surname), best first."""
        if field == "author":  # each surname as first stored (get_close_matches ranks by score, then name)
            choices = {surname: value.split(",")[0].strip() for (surname, _), value in reversed(self._authors)}
            key, cutoff = _split_author(typed)[0] or fold_name(typed), 0.75
        else:
            choices, key, cutoff = self._folded(field), fold_name(typed), 0.6
        found = difflib.get_close_matches(key, list(choices), n=MAX_SUGGESTIONS, cutoff=cutoff)
        return tuple(choices[name] for name in found)

    # -- the fields ------------------------------------------------------------------------------
    def _author(self, typed: str) -> list[str]:
        for surname, initials in _author_forms(typed):
            found = [value for (known, known_initials), value in self._authors
                     if known == surname and known_initials.startswith(initials)]
            if not found and len(surname) >= 3:  # a surname of several words, typed in part ("Hiebler")
                found = [value for (known, known_initials), value in self._authors
                         if surname in known.split() and known_initials.startswith(initials)]
            if found:
                return found
        return []

    def _journal(self, typed: str) -> list[str]:
        full = full_journal_name(typed)
        if full and (value := self._folded("journal").get(fold_name(full))) is not None:
            return [value]
        words = name_words(typed)  # none: no journal (contains_run would find an empty run in every name)
        return [value for value in self._known.get("journal", ()) if words and contains_run(name_words(value), words)]

    def _topic(self, typed: str) -> list[str]:
        wanted = set(phrase_terms(typed))
        return [label for terms, label in self._topic_terms if wanted and wanted <= terms]

    def _type(self, typed: str) -> list[str]:
        name = TYPE_NAMES.get(fold_name(typed))
        return [name] if name else []

    def _year(self, typed: str) -> Resolution:
        bounds = year_bounds(typed)
        if bounds is None:
            return Resolution("year", typed, (), unknown=True, help=YEAR_HELP)
        low, high = bounds
        years = [value for value in self._known.get("year", ()) if low <= int(value) <= high]
        return Resolution("year", typed, tuple(sorted(years, reverse=True)))


def year_bounds(typed: str) -> tuple[int, int] | None:
    """The first and last year a typed year value stands for (inclusive), or None if it is no year form."""
    typed = typed.strip().strip('"')
    ranged = _YEAR_RANGE.match(typed)
    if ranged:
        low = int(ranged["start"]) + (ranged["open"] == "{") if ranged["start"] else 0
        high = int(ranged["end"]) - (ranged["close"] == "}") if ranged["end"] else 9999
        return low, high
    match = _YEAR.match(typed)
    if not match:
        return None
    if match["one"] or match["first"]:
        return int(match["one"] or match["first"]), int(match["one"] or match["last"])
    bound, op = int(match["bound"]), match["op"]
    return {">": (bound + 1, 9999), ">=": (bound, 9999), "<": (0, bound - 1), "<=": (0, bound)}[op]


def _split_author(value: str) -> tuple[str, str]:
    """A stored or typed "Surname, Given names" as (folded surname, initials): ("tasca", "ga")."""
    surname, _, given = value.partition(",")
    return fold_name(surname), "".join(word[0] for word in fold_name(given).split())


def _author_forms(typed: str) -> list[tuple[str, str]]:
    """The (folded surname, initials) a typed name may mean, the likeliest first."""
    if "," in typed:
        return [_split_author(typed)]
    words = typed.split()
    forms = []
    if len(words) > 1 and _INITIALS.match(words[-1]) and not typed.isupper():  # PubMed: "Tasca GA"
        forms.append((fold_name(" ".join(words[:-1])), fold_name(words[-1]).replace(" ", "")))
    forms.append((fold_name(typed), ""))  # a surname of one or more words: "Lo Coco"
    if len(words) > 1:  # given names first: "G. A. Tasca", "Giorgio Tasca"
        forms.append((fold_name(words[-1]), "".join(word[0] for word in fold_name(" ".join(words[:-1])).split())))
    return forms


def name_words(name: str) -> list[str]:
    """A journal's or a typed name's words as names are compared (fold_name, without commas and colons)."""
    return fold_name(name).replace(",", " ").replace(":", " ").split()
