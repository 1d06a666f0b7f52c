"""A search request as the engine takes it, validated from user parameters (HTTP or command line)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from search.facets import FACET_NAMES, MAX_FACET_VALUES
from search.restrict import YEAR_HELP, year_bounds

FACETS = FACET_NAMES  # the filter names (the facets themselves: search.facets.FACETS)
SORTS = ("relevance", "newest", "oldest", "evidence")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_PAGE = 1000
MAX_VALUES_PER_FACET = 20


class InvalidRequest(ValueError):
    """A parameter a person can fix; the message says which and how."""


@dataclass(frozen=True)
class SearchRequest:
    """What to search: query text, facet selections (OR within a facet, AND across), order, page."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    facet_limit: int | None = MAX_FACET_VALUES  # values listed a facet (None: all)

    @classmethod
    def from_params(
        cls,
        *,
        query: str | None = None,
        filters: Mapping[str, Iterable[str]] | None = None,
        sort: str | None = None,
        page: str | int | None = None,
        page_size: str | int | None = None,
    ) -> "SearchRequest":
        """Validate raw parameters. Raises InvalidRequest."""
        sort = (sort or "relevance").strip().lower()
        if sort not in SORTS:
            raise InvalidRequest(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        clean_filters: dict[str, tuple[str, ...]] = {}
        for facet, values in (filters or {}).items():
            if facet not in FACETS:
                raise InvalidRequest(f"unknown filter {facet!r}: use {', '.join(FACETS)}")
            chosen = tuple(dict.fromkeys(value.strip() for value in values if value and value.strip()))
            if facet == "year" and (wrong := [value for value in chosen if year_bounds(value) is None]):
                raise InvalidRequest(f"{YEAR_HELP}, not {wrong[0]!r}")
            if len(chosen) > MAX_VALUES_PER_FACET:
                raise InvalidRequest(f"at most {MAX_VALUES_PER_FACET} values may be selected for {facet}")
            if chosen:
                clean_filters[facet] = chosen
        return cls(
            query=query or "",
            filters=clean_filters,
            sort=sort,
            page=_bounded_int("page", page, default=1, low=1, high=MAX_PAGE),
            page_size=_bounded_int("page_size", page_size, default=DEFAULT_PAGE_SIZE, low=1, high=MAX_PAGE_SIZE),
        )


def _bounded_int(name: str, raw: str | int | None, *, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    text = str(raw).strip().removeprefix("-")
    if not (text.isascii() and text.isdigit()):  # int() would take "１２", "1_0" and "+1"
        raise InvalidRequest(f"{name} must be a whole number, not {str(raw)[:20]!r}")
    if len(text.lstrip("0")) > len(str(high)):  # more digits than the bound: never read in full
        raise InvalidRequest(f"{name} must be between {low} and {high}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidRequest(f"{name} must be between {low} and {high}, not {value}")
    return value
