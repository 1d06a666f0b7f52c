"""The state of a search page, all in its URL, and the view models a results page renders.

Datasette-style: the server computes every link (facet toggles, chips, "clear all", year bars,
pagination, sort, the JSON and Atom twins, the exports); templates only render them. Control
parameters (``sort``, ``page``, ``page_size``) never collide with filter parameters (the facet names).

Every cap says so and offers the rest: a facet lists at most the engine's ``MAX_FACET_VALUES`` values
and then links the page of all of them; a result set exports ``MAX_EXPORT`` posts a file, in parts.
The year chart shows every year of the results in at most ``MAX_YEAR_BARS`` bars, a bar for a span of
years where single years would not fit.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import g, url_for
from werkzeug.datastructures import MultiDict

from search.engine import SearchResponse
from search.facets import FacetCount
from search.restrict import year_bounds
from search.request import DEFAULT_PAGE_SIZE, FACETS, SORTS, SearchRequest
from webui.formatting import FACET_TITLES, facet_label, plural
from webui.reference_files import FORMATS

FACET_VISIBLE = 10
YEAR_BAR_STEPS = 10
# The bars that fit the narrowest chart (the 16rem column; a phone's is wider), each wide enough for its
# year and to be tapped: more years than this are shown in bars of a span of years each.
MAX_YEAR_BARS = 9
YEAR_SPANS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # years a bar may span, aligned (2010-2014)
MAX_EXPORT = 500  # posts in one exported file
MAX_EXPORT_PARTS = 20  # files offered for one result set (10,000 posts); narrower searches export the rest


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


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _covers(facet: str, chosen: str, value: str) -> bool:
    """Whether the selected ``chosen`` selects ``value``: the same value, or a span of years holding it."""
    if _same(chosen, value):
        return True
    bounds = year_bounds(chosen) if facet == "year" and value.isdigit() else None
    return bounds is not None and bounds[0] <= int(value) <= bounds[1]


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
        """The state with ``value`` added to ``facet``'s selection, or removed if it was selected (with
        any span of years that selected it)."""
        current = self.filters.get(facet, ())
        if any(_covers(facet, chosen, value) for chosen in current):
            values = tuple(chosen for chosen in current if not _covers(facet, chosen, value))
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
    total: int  # the values this facet has in the results, listed or not
    all_url: str | None  # the page of all of them, when the engine listed fewer

    @property
    def noun(self) -> str:
        return self.title.lower() + "s"


@dataclass(frozen=True)
class Chip:
    facet: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class YearBar:
    first: int
    last: int  # the same as ``first`` for a bar of one year
    count: int
    height: int  # 0..YEAR_BAR_STEPS, rendered as CSS class h0..h10
    selected: bool
    url: str | None  # None for years without posts (shown, not a link)

    @property
    def label(self) -> tuple[str, str]:
        """The bar's two label lines: ``("2013", "")``, ``("2010", "–14")``, ``("1998", "–2002")``."""
        if self.first == self.last:
            return str(self.first), ""
        end = str(self.last)[2:] if self.first // 100 == self.last // 100 else str(self.last)
        return str(self.first), f"–{end}"

    @property
    def spoken(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} to {self.last}"


@dataclass(frozen=True)
class ExportPart:
    """One file of a result set's export: results ``first`` to ``last``, a URL per format."""

    first: int
    last: int
    urls: dict[str, str]  # extension -> URL


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
    year_span: int  # years a bar spans
    pages: list[PageLink]
    prev_url: str | None
    next_url: str | None
    sorts: tuple[str, ...]
    json_url: str
    atom_url: str
    count_text: str
    suggestion_url: str | None
    original_url: str | None
    past_end: str | None  # a page number past the last page, said
    exports: list[ExportPart]  # the result set in files of MAX_EXPORT, at most MAX_EXPORT_PARTS

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
        year_span, year_bars = _year_bars(response, state)
        past_end = None
        if state.page > last:
            past_end = f"There is no page {state.page}: these results fill {plural(last, 'page')}, so this is page {last}."
        return cls(
            response=response,
            state=state,
            facets=_facets(response, state),
            chips=_chips(response, state),
            clear_url=state.cleared().url(),
            year_bars=year_bars,
            year_span=year_span,
            pages=_page_links(state, page, last),
            prev_url=state.url(page=page - 1) if page > 1 else None,
            next_url=state.url(page=page + 1) if page < last else None,
            sorts=SORTS,
            json_url=state.url("api.search"),
            atom_url=state.url("pages.atom", page=1),
            count_text=_count_text(response),
            suggestion_url=suggestion_url,
            original_url=original_url,
            past_end=past_end,
            exports=_export_parts(response, state),
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


def facet_page_url(state: UrlState, name: str) -> str:
    """The page that lists every value of a facet for these results."""
    return _with_query(url_for("pages.facet", facet=name), state.url(page=1).partition("?")[2])


def listed(name: str, counts: list[FacetCount]) -> list[FacetCount]:
    """A facet's counts in the order pages list them: the engine's, but years newest first."""
    if name == "year":
        return sorted(counts, key=lambda count: -int(count.value) if count.value.isdigit() else 0)
    return counts


def facet_values(state: UrlState, name: str, counts: list[FacetCount]) -> list[FacetValue]:
    """Facet counts as the controls that toggle them."""
    toggle_urls = state.toggle_urls(name, [count.value for count in counts])
    values = []
    for count, url in zip(counts, toggle_urls):
        anchor = facet_anchor(name, count.value)
        values.append(FacetValue(count.value, facet_label(name, count.value), count.count, count.selected,
                                 f"{url}#{anchor}", anchor))
    return values


def _facets(response: SearchResponse, state: UrlState) -> list[Facet]:
    facets = []
    for name in FACETS:
        values = facet_values(state, name, listed(name, response.facets.get(name, [])))
        visible = [v for i, v in enumerate(values) if i < FACET_VISIBLE or v.selected]
        more = [v for i, v in enumerate(values) if i >= FACET_VISIBLE and not v.selected]
        total = response.facet_totals.get(name, len(values))
        all_url = facet_page_url(state, name) if total > sum(v.count > 0 for v in values) else None
        facets.append(Facet(name, FACET_TITLES[name], visible, more, total, all_url))
    return facets


def _chips(response: SearchResponse, state: UrlState) -> list[Chip]:
    chips = []
    for name in FACETS:
        known = {count.value.casefold(): count.value for count in response.facets.get(name, [])}
        for value in state.filters.get(name, ()):
            label = facet_label(name, known.get(value.casefold(), value))
            chips.append(Chip(name, f"{FACET_TITLES[name]}: {label}", state.toggled(name, value).url()))
    return chips


def _year_bars(response: SearchResponse, state: UrlState) -> tuple[int, list[YearBar]]:
    """The years a bar spans, and the bars: every article year from the first to the last with posts,
    empty years included, in at most MAX_YEAR_BARS bars (each a single year when they fit, else an
    aligned span of years: 2010-2014, 2015-2019). A bar links to its year or span."""
    counts = {int(c.value): c.count for c in response.facets.get("year", []) if c.value.isdigit() and c.count}
    if not counts:
        return 1, []
    selected = {int(c.value) for c in response.facets["year"] if c.selected and c.value.isdigit()}
    first, last = min(counts), max(counts)
    span = next((span for span in YEAR_SPANS if last // span - first // span < MAX_YEAR_BARS), YEAR_SPANS[-1])
    spans = [(max(start, first), min(start + span - 1, last))
             for start in range(first - first % span, last + 1, span)]
    totals = [sum(counts.get(year, 0) for year in range(start, end + 1)) for start, end in spans]
    highest = max(totals)
    bars = []
    for (start, end), count in zip(spans, totals):
        height = max(1, round(YEAR_BAR_STEPS * count / highest)) if count else 0
        value = str(start) if start == end else f"{start}-{end}"
        url = state.only("year", value).url() if count else None
        chosen = count > 0 and all(year in selected for year in range(start, end + 1) if year in counts)
        bars.append(YearBar(start, end, count, height, chosen, url))
    return span, bars


def _export_parts(response: SearchResponse, state: UrlState) -> list[ExportPart]:
    """The result set (its ``total`` results, not the posts matching fewer words) in files of MAX_EXPORT."""
    query = state.url(page=1, page_size=DEFAULT_PAGE_SIZE).partition("?")[2]
    parts = []
    for part in range(1, min(math.ceil(response.total / MAX_EXPORT), MAX_EXPORT_PARTS) + 1):
        suffix = "&".join(filter(None, (query, f"part={part}" if part > 1 else "")))
        urls = {extension: _with_query(_endpoint_path(f"exports.results_file_{extension}"), suffix) for extension in FORMATS}
        parts.append(ExportPart((part - 1) * MAX_EXPORT + 1, min(part * MAX_EXPORT, response.total), urls))
    return parts


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
