"""The one place the web UI calls ``SearchEngine.search``, with a work-around for an engine bug.

Engine bug (search/engine.py ``_hit``): with ``sortedby`` set, Whoosh puts the sort key in
``hit.score``; for the ascending ``issue_date`` facet that key is bytes (``b'2020-08'``), so
``float(hit.score)`` raises ValueError and ``sort=oldest`` fails. The descending sort works, so
"oldest" is served here as the reverse of "newest": the page's slice of the newest-first order
(at most two engine pages) is fetched and reversed. Drop this once the engine takes the score
only when it ranks by relevance.
"""
from __future__ import annotations

from dataclasses import replace

from search.engine import SearchEngine, SearchResponse
from search.request import SearchRequest


def run_search(engine: SearchEngine, request: SearchRequest) -> SearchResponse:
    if request.sort != "oldest":
        return engine.search(request)
    size = request.page_size
    newest = replace(request, sort="newest", page=1)
    first = engine.search(newest)
    total = first.total
    last_page = max(1, -(-total // size))
    page = min(request.page, last_page)
    # oldest-first items [(page-1)*size, page*size) are newest-first items [total-page*size, total-(page-1)*size)
    start, end = max(0, total - page * size), total - (page - 1) * size
    hits = []
    for number in range(start // size + 1, (end - 1) // size + 2) if end > 0 else ():
        response = first if number == 1 else engine.search(replace(newest, page=number))
        offset = (number - 1) * size
        hits += [hit for i, hit in enumerate(response.hits, start=offset) if start <= i < end]
    hits.reverse()
    return replace(first, request=request, page=page, hits=hits)
