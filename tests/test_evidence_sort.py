"""Evidence you can see: ``sort=evidence`` (strongest level first, relevance within a level), the type
facet in hierarchy order, on the seed index and through the web page."""
from __future__ import annotations

from bs4 import BeautifulSoup

from search.engine import SearchEngine
from search.evidence import evidence_level, hierarchy_order
from search.request import SearchRequest


def _hits(index_root, **request):
    engine = SearchEngine(index_root)
    try:
        return engine.search(SearchRequest(page_size=50, **request))
    finally:
        engine.close()


def test_evidence_sort_orders_levels_then_relevance(index_root):
    relevance = _hits(index_root, query="therapists")
    by_evidence = _hits(index_root, query="therapists", sort="evidence")
    assert by_evidence.total == relevance.total > 2
    assert {hit.post.id for hit in by_evidence.hits} == {hit.post.id for hit in relevance.hits}
    levels = [evidence_level(hit.post.research_types) for hit in by_evidence.hits]
    assert levels == sorted(levels) and len(set(levels)) > 1
    for level in set(levels):  # within a level, the relevance order
        same = [hit.post.id for hit in relevance.hits if evidence_level(hit.post.research_types) == level]
        assert [hit.post.id for hit in by_evidence.hits if evidence_level(hit.post.research_types) == level] == same


def test_evidence_sort_when_browsing_and_paging(index_root):
    every = _hits(index_root, sort="evidence")
    levels = [evidence_level(hit.post.research_types) for hit in every.hits]
    assert levels == sorted(levels)
    engine = SearchEngine(index_root)
    try:
        pages = [engine.search(SearchRequest(sort="evidence", page=n, page_size=2)).hits for n in (1, 2, 3)]
    finally:
        engine.close()
    assert [hit.post.id for page in pages for hit in page] == [hit.post.id for hit in every.hits]


def test_type_facet_in_hierarchy_order(index_root):
    values = [count.value for count in _hits(index_root).facets["type"]]
    assert len(values) > 1 and values == sorted(values, key=hierarchy_order)


def test_results_page_offers_the_evidence_sort(client):
    page = BeautifulSoup(client.get("/search?q=therapists&sort=evidence").get_data(as_text=True), "html.parser")
    option = page.select_one('select#sort option[value="evidence"]')
    assert option.has_attr("selected") and option.get_text() == "Strongest evidence first"
    assert client.get("/api/search?sort=evidence").get_json()["sort"] == "evidence"
