"""The state of a search page, all in its URL, and the view models a results page renders.

Datasette-style: the server computes every link (facet toggles, chips, "clear all", year bars,
pagination, sort, the JSON and Atom twins); templates only render them. Control parameters
(``sort``, ``page``, ``page_size``) never collide with filter parameters (the facet names).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import g, url_for
from werkzeug.datastructures import MultiDict

from search.engine import SearchResponse
from search.request import DEFAULT_PAGE_SIZE, FACETS, SORTS, SearchRequest
from webui.formatting import FACET_TITLES, facet_label, plural

FACET_VISIBLE = 10
YEAR_BAR_STEPS = 10
MAX_YEAR_BARS = 60  # a chart of article years; a stray year such as 1900 does not make it a century wide


def request_from_args(args: MultiDict, *, default_sort: str | None = None) -> SearchRequest:
    """The engine request for query-string arguments. Raises InvalidRequest (a 400 for the caller)."""
    return SearchRequest.from_params(
        query=args.get("q", "").strip(),  # the engine searches the first MAX_QUERY_CHARS and says so
        filters={facet: args.getlist(facet) for facet in FACETS},
        sort=args.get("sort") or default_sort,
        page=args.get("page"),
        page_size=args.get("page_size"),
    )


def _endpoint_path(endpoint: str) -> str:
    """``url_for(endpoint)``, looked up once per request: a results page links hundreds of states."""
    paths = g.setdefault("endpoint_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


class UrlState(SearchRequest):
    """A search request as URL parameters; ``url`` renders it with changes, for any endpoint."""

    @classmethod
    def of(cls, request: SearchRequest) -> "UrlState":
        return cls(request.query, dict(request.filters), request.sort, request.page, request.page_size)

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [("q", self.query)] if self.query else []
        for facet in FACETS:
            pairs += [(facet, value) for value in self.filters.get(facet, ())]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page_size != DEFAULT_PAGE_SIZE:
            pairs.append(("page_size", str(self.page_size)))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, endpoint: str = "pages.search", **changes) -> str:
        state = self if not changes else UrlState(**{**self.__dict__, **changes})
        pairs = state.pairs()
        base = _endpoint_path(endpoint)
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def with_filters(self, filters: Mapping[str, tuple[str, ...]]) -> "UrlState":
        return UrlState(self.query, {k: v for k, v in filters.items() if v}, self.sort, 1, self.page_size)

    def toggled(self, facet: str, value: str) -> "UrlState":
        """The state with ``value`` added to ``facet``'s selection, or removed if it was selected."""
        current = self.filters.get(facet, ())
        if any(_same(value, chosen) for chosen in current):
            values = tuple(chosen for chosen in current if not _same(value, chosen))
        else:
            values = current + (value,)
        return self.with_filters({**self.filters, facet: values})

    def toggle_urls(self, facet: str, values: list[str]) -> list[str]:
        """``self.toggled(facet, value).url()`` for each value, encoding the unchanged parameters
        once (a results page links up to fifty values per facet)."""
        unchanged = self.with_filters({**self.filters, facet: ()})
        pairs = unchanged.pairs()
        cut = next((i for i, (name, _) in enumerate(pairs)
                    if name in FACETS[FACETS.index(facet) + 1:] or name in ("sort", "page_size")), len(pairs))
        before, after = urlencode(pairs[:cut]), urlencode(pairs[cut:])
        base = _endpoint_path("pages.search")
        urls = []
        for value in values:
            middle = urlencode([(facet, chosen) for chosen in self.toggled(facet, value).filters.get(facet, ())])
            query = "&".join(part for part in (before, middle, after) if part)
            urls.append(f"{base}?{query}" if query else base)
        return urls

    def only(self, facet: str, value: str) -> "UrlState":
        return self.with_filters({**self.filters, facet: (value,)})

    def cleared(self) -> "UrlState":
        return self.with_filters({})


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str  # ends with ``#anchor``: after the page reloads, focus returns to this same control
    anchor: str  # the control's element id, the same on every page that shows this value


def facet_anchor(facet: str, value: str) -> str:
    """A stable element id for a facet value's toggle (values may hold any character)."""
    return f"f-{facet}-{hashlib.blake2s(value.strip().casefold().encode(), digest_size=5).hexdigest()}"


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]
    more: list[FacetValue]


@dataclass(frozen=True)
class Chip:
    facet: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class YearBar:
    year: str
    count: int
    height: int  # 0..YEAR_BAR_STEPS, rendered as CSS class h0..h10
    selected: bool
    url: str | None  # None for a year without posts (shown, not a link)


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class ResultsPage:
    """Everything ``search.html`` renders: the engine response plus every link on the page."""

    response: SearchResponse
    state: UrlState
    facets: list[Facet]
    chips: list[Chip]
    clear_url: str
    year_bars: list[YearBar]
    pages: list[PageLink]
    prev_url: str | None
    next_url: str | None
    sorts: tuple[str, ...]
    json_url: str
    atom_url: str
    count_text: str
    suggestion_url: str | None
    original_url: str | None

    @classmethod
    def build(cls, response: SearchResponse) -> "ResultsPage":
        state = UrlState.of(response.request)
        page = response.page
        last = response.page_count
        suggestion_url = None
        original_url = None
        if response.suggestion:
            suggestion_url = UrlState(response.suggestion, state.filters, state.sort, 1, state.page_size).url()
            if response.corrected:
                literal = _literal_query(state.query)
                original_url = UrlState(literal, state.filters, state.sort, 1, state.page_size).url()
        return cls(
            response=response,
            state=state,
            facets=_facets(response, state),
            chips=_chips(response, state),
            clear_url=state.cleared().url(),
            year_bars=_year_bars(response, state),
            pages=_page_links(state, page, last),
            prev_url=state.url(page=page - 1) if page > 1 else None,
            next_url=state.url(page=page + 1) if page < last else None,
            sorts=SORTS,
            json_url=state.url("api.search"),
            atom_url=state.url("pages.atom", page=1),
            count_text=_count_text(response),
            suggestion_url=suggestion_url,
            original_url=original_url,
        )


def _literal_query(query: str) -> str:
    """The query with each plain word quoted, so the engine searches it as typed (no spelling retry)."""
    if any(char in query for char in '":()') or not query.strip():
        return query
    return " ".join(f'"{word}"' if word.isalnum() else word for word in query.split())


def _count_text(response: SearchResponse) -> str:
    shown = response.suggestion if response.corrected else response.request.query
    if shown:
        more = f" · {response.more} more match some of the words" if response.more else ""
        return f"{plural(response.total, 'result')} for “{shown}”{more}"
    return plural(response.total, "summary", "summaries")


def _facets(response: SearchResponse, state: UrlState) -> list[Facet]:
    facets = []
    for name in FACETS:
        counts = response.facets.get(name, [])
        toggle_urls = state.toggle_urls(name, [count.value for count in counts])
        values = []
        for count, url in zip(counts, toggle_urls):
            anchor = facet_anchor(name, count.value)
            values.append(FacetValue(count.value, facet_label(name, count.value), count.count, count.selected,
                                     f"{url}#{anchor}", anchor))
        visible = [v for i, v in enumerate(values) if i < FACET_VISIBLE or v.selected]
        more = [v for i, v in enumerate(values) if i >= FACET_VISIBLE and not v.selected]
        facets.append(Facet(name, FACET_TITLES[name], visible, more))
    return facets


def _chips(response: SearchResponse, state: UrlState) -> list[Chip]:
    chips = []
    for name in FACETS:
        known = {count.value.casefold(): count.value for count in response.facets.get(name, [])}
        for value in state.filters.get(name, ()):
            label = facet_label(name, known.get(value.casefold(), value))
            chips.append(Chip(name, f"{FACET_TITLES[name]}: {label}", state.toggled(name, value).url()))
    return chips


def _year_bars(response: SearchResponse, state: UrlState) -> list[YearBar]:
    """One bar per article year from the first to the last with posts, empty years included (at most
    MAX_YEAR_BARS: the most recent ones)."""
    counts = {int(c.value): c.count for c in response.facets.get("year", []) if c.value.isdigit() and c.count}
    if not counts:
        return []
    highest = max(counts.values())
    selected = {value.strip() for value in state.filters.get("year", ())}
    last = max(counts)
    first = max(min(counts), last - MAX_YEAR_BARS + 1)
    bars = []
    for year in range(first, last + 1):
        count = counts.get(year, 0)
        height = max(1, round(YEAR_BAR_STEPS * count / highest)) if count else 0
        url = state.only("year", str(year)).url() if count else None
        bars.append(YearBar(str(year), count, height, str(year) in selected, url))
    return bars


def _page_links(state: UrlState, page: int, last: int) -> list[PageLink]:
    if last <= 1:
        return []
    numbers = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append(PageLink(None, None))
        links.append(PageLink(number, state.url(page=number), number == page))
        previous = number
    return links
