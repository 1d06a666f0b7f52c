"""References (webui.references) and Zotero's metadata (webui.zotero): APA 7 as a student would cite,
Highwire ``citation_*`` tags on post pages and COinS on results pages, checked against their specs
by parsing the pages."""
from __future__ import annotations

import json

from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from search.post import Post
from webui.references import (
    apa_authors, apa_text, article_reference, blog_reference, find_links, primary_reference,
)

FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
BRUGNERA = "2021-01-mentalizing-may-be-a-protective-factor"
TELEPSYCHOLOGY = "2021-02-the-covid-19-telepsychology-revolution"

POST = Post(
    id="p", url=None, issue_date="2020-08", title="A & B", citation="Firth, N., & Saxon, D. (2019). ...",
    authors=("Firth, N.", "Saxon, D."), year=2019, article_title="Costs_of 100% {care}",
    journal="J & K", volume="87", issue="4", pages="345–356", doi="10.1/x_y",
)


def test_apa_journal_article():
    assert apa_text(article_reference(POST)) == (
        "Firth, N., & Saxon, D. (2019). Costs_of 100% {care}. J & K, 87(4), 345–356. https://doi.org/10.1/x_y")
    single = POST.replace(authors=("Firth, N.",), volume=None, issue=None, pages=None)
    assert apa_text(article_reference(single)) == (
        "Firth, N. (2019). Costs_of 100% {care}. J & K. Advance online publication. https://doi.org/10.1/x_y")


@pytest.mark.parametrize("authors, complete, expected", [
    (("A, A.",), True, "A, A."),
    (("A, A.", "B, B."), True, "A, A., & B, B."),
    # 21+ authors (APA 7, 9.8): the first 19, an ellipsis, the last; no ampersand
    (tuple(f"A{i}, B." for i in range(25)), True, ", ".join(f"A{i}, B." for i in range(19)) + ", . . . A24, B."),
    (tuple(f"A{i}, B." for i in range(20)), True, ", ".join(f"A{i}, B." for i in range(19)) + ", & A19, B."),
    # the blog elided authors: the ellipsis where they were left out, never an "&" that claims a full list
    (("Brugnera, A.", "Zarbo, C.", "Lo Coco, G."), False, "Brugnera, A., Zarbo, C., . . . Lo Coco, G."),
    (("Smith, J.",), False, "Smith, J., . . ."),
])
def test_apa_author_lists(authors, complete, expected):
    assert apa_authors(authors, complete) == expected


def test_apa_list_ending_in_et_al_keeps_the_gap_at_the_end():
    # "Smith, J., Lee, K., et al.": Lee is not the last author, so no ellipsis before him
    assert apa_authors(("Smith, J.", "Lee, K."), False, last_known=False) == "Smith, J., Lee, K., . . ."


def test_unreadable_citation_is_shown_as_written():
    bare = POST.replace(authors=(), journal=None, citation="As written (2019).")
    assert apa_text(article_reference(bare)) == "As written (2019)."


def test_cite_this_summary_is_a_blog_post_by_its_author_at_its_own_address():
    reference = blog_reference(POST.replace(url="https://socialsciences.uottawa.ca/pprnet/blog/x", url_kind="post"))
    assert apa_text(reference) == (
        "Tasca, G. A. (2020, August). A & B [Blog post]. PPRNet blog. https://socialsciences.uottawa.ca/pprnet/blog/x")
    archive = "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_aug2020.html#a-b"
    assert blog_reference(POST.replace(url=archive, url_kind="archive"), "https://s.example/posts/p").url == archive
    # a listing page (whose posts move on) or an address that is not http(s) is never cited: this site's page is
    listing = "https://socialsciences.uottawa.ca/pprnet/blog?p=3#:~:text=A"
    assert blog_reference(POST.replace(url=listing, url_kind="listing"), "https://s.example/posts/p").url == (
        "https://s.example/posts/p")
    assert blog_reference(POST.replace(url="javascript:alert(1)", url_kind="post")).url is None


def test_a_post_without_citation_is_cited_as_the_blog_post():
    post = POST.replace(citation=None, authors=(), journal=None, article_title=None, doi=None)
    assert article_reference(post) is None
    assert primary_reference(post) == blog_reference(post)


def test_find_links_doi_or_title_searches():
    assert find_links(POST).doi_url == "https://doi.org/10.1/x_y"
    links = find_links(POST.replace(doi=None))
    assert links.doi_url is None
    assert parse_qs(urlsplit(links.pubmed_url).query) == {"term": ["Costs_of 100% {care}"]}
    assert parse_qs(urlsplit(links.scholar_url).query) == {"q": ['"Costs_of 100% {care}"']}


# -- pages ---------------------------------------------------------------------------------------------
def _page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _meta(page: BeautifulSoup) -> list[tuple[str, str]]:
    return [(tag["name"], tag["content"]) for tag in page.select("head meta[name^=citation_]")]


def test_post_page_tells_zotero_the_article_and_scholar_nothing(client, seed_posts):
    page = _page(client, f"/posts/{FIRTH}")
    # no Highwire, Dublin Core or PRISM tags: Google Scholar's guidelines read them as "this page is the paper"
    assert not page.select('meta[name^="citation_"], meta[name^="DC."], meta[name^="dc."], meta[name^="prism."]')
    spans = page.select("span.Z3988")
    assert len(spans) == 1
    pairs = _coins(spans[0])
    post = next(p for p in seed_posts if p["id"] == FIRTH)
    assert dict(pairs)["rft.atitle"] == post["article_title"] and dict(pairs)["rft.jtitle"] == post["journal"]
    assert [v for k, v in pairs if k == "rft.au"] == post["authors"]
    posting = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert posting["@type"] == "BlogPosting" and posting["url"] == f"http://localhost/posts/{FIRTH}"
    assert posting["citation"]["@type"] == "ScholarlyArticle" and posting["citation"]["name"] == post["article_title"]
    assert posting["author"] == {"@type": "Person", "familyName": "Tasca", "givenName": "G. A."}


def test_coins_of_an_incomplete_list_with_a_doi_names_no_author(client):
    # Zotero's COinS translator looks an item without authors up by its DOI: the whole list, not the blog's part
    pairs = _coins(_page(client, f"/posts/{BRUGNERA}").select_one("span.Z3988"))
    assert ("rft_id", "info:doi/10.1080/10503307.2020.1762946") in pairs
    assert not [k for k, _ in pairs if k.startswith("rft.au")]


def test_post_without_citation_describes_the_blog_post(client):
    page = _page(client, f"/posts/{TELEPSYCHOLOGY}")
    pairs = dict(_coins(page.select_one("span.Z3988")))
    assert pairs["rft.genre"] == "document" and pairs["rft.btitle"] == "The COVID-19 Telepsychology Revolution"
    assert pairs["rft.au"] == "Tasca, G. A." and pairs["rft.date"] == "2021-02"
    posting = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert "citation" not in posting and posting["datePublished"] == "2021-02"


def test_post_page_offers_both_citations_and_exports(client):
    page = _page(client, f"/posts/{BRUGNERA}")
    assert page.select_one("#apa").get_text().startswith("Brugnera, A., Zarbo, C., Compare, A., Talia, A., Tasca, G. A., . . . Lo Coco, G. (2020).")
    assert page.select_one(".incomplete")
    summary = page.select_one("#apa-summary").get_text()
    assert summary.startswith("Tasca, G. A. (2021, January). Mentalizing May be a Protective Factor") and "[Blog post]. PPRNet blog." in summary
    assert [b["data-target"] for b in page.select("button.copy, button.copy-summary")] == ["apa", "apa-summary"]
    assert page.select_one("a.csl-json")["href"] == f"/posts/{BRUGNERA}.json"


def test_post_without_citation_copies_a_full_reference(client):
    page = _page(client, f"/posts/{TELEPSYCHOLOGY}")
    assert page.select_one("#cite-heading").get_text() == "Cite this summary"
    copied = page.select_one("#" + page.select_one("button.copy")["data-target"]).get_text()
    assert copied.startswith("Tasca, G. A. (2021, February). The COVID-19 Telepsychology Revolution [Blog post]. PPRNet blog. http")
    assert not page.select("#apa-summary")  # offered once, not twice


def _coins(span) -> list[tuple[str, str]]:
    return parse_qsl(span["title"], keep_blank_values=True, strict_parsing=True)


def test_coins_one_per_result_per_openurl_kev(client, seed_posts):
    page = _page(client, "/search?page_size=50")
    cards = page.select("article.result")
    assert len(cards) == len(seed_posts)
    by_id = {p["id"]: p for p in seed_posts}
    for card in cards:
        spans = card.select("span.Z3988")
        assert len(spans) == 1 and not spans[0].get_text()
        pairs = _coins(spans[0])
        keys = dict(pairs)
        post = by_id[card.select_one("input[name=id]")["value"]]
        assert pairs[0] == ("ctx_ver", "Z39.88-2004")
        if post["journal"]:
            assert keys["rft_val_fmt"] == "info:ofi/fmt:kev:mtx:journal" and keys["rft.genre"] == "article"
            assert keys["rft.atitle"] == post["article_title"] and keys["rft.jtitle"] == post["journal"]
            if post["authors_complete"] or not post["doi"]:
                assert [v for k, v in pairs if k == "rft.au"] == post["authors"]
                assert keys["rft.aulast"] == post["authors"][0].split(",")[0]
            else:  # left for Zotero to complete from the DOI
                assert "rft.au" not in keys
            assert keys["rft.date"] == str(post["year"])
        else:
            assert keys["rft_val_fmt"] == "info:ofi/fmt:kev:mtx:book" and keys["rft.genre"] == "document"
            assert keys["rft.btitle"] == post["title"] and keys["rft.au"] == "Tasca, G. A."
        if post["doi"]:
            assert ("rft_id", f"info:doi/{post['doi']}") in pairs
        # every key is one the KEV journal or book format defines
        allowed = {"ctx_ver", "rft_val_fmt", "rft_id", "rft.genre", "rft.atitle", "rft.jtitle", "rft.btitle",
                   "rft.aulast", "rft.aufirst", "rft.au", "rft.issn", "rft.date", "rft.volume", "rft.issue", "rft.spage",
                   "rft.epage", "rft.pub"}
        assert set(keys) <= allowed


def _card(page: BeautifulSoup, post_id: str):
    return page.select_one(f'article.result input[name=id][value="{post_id}"]').find_parent("article")


def test_result_cards_link_the_article(client):
    page = _page(client, "/search?page_size=50")
    firth = _card(page, FIRTH)  # no DOI: title searches
    assert "pubmed.ncbi.nlm.nih.gov" in firth.select_one("a.pubmed")["href"]
    assert "scholar.google.com" in firth.select_one("a.scholar")["href"]
    assert not firth.select("a.doi")
    brugnera = _card(page, BRUGNERA)
    assert brugnera.select_one("a.doi")["href"] == "https://doi.org/10.1080/10503307.2020.1762946"
    assert firth.select_one(".sample-size").get_text() == "26,000 participants"


def test_cards_and_post_pages_show_the_completed_reference(tmp_path):
    from search.store import write_index
    from tests.test_exports import COMPLETED
    from webui import ENGINE_KEY, create_app

    post = COMPLETED.replace(summary="Therapists who mentalize report more well-being.", implications="Reflect.")
    write_index([post], tmp_path)
    app = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True})
    try:
        client = app.test_client()
        page = _page(client, f"/posts/{post.id}")
        assert page.select_one("#apa").get_text().startswith(
            "Brugnera, A., Zarbo, C., Compare, A., Talia, A., Tasca, G. A., Rinaldi, M., Ferraro, L., Bassi, E., "
            "Marchetti, P., & Lo Coco, G. (2020).")
        assert " ".join(page.select_one(".completed").get_text().split()) == (
            "The blog's citation names 3 of the 10 authors: the full list is from Crossref's record of the article.")
        assert not page.select(".incomplete")
        assert page.select_one(".as-written").find_parent("p").get_text().count("Lo Coco") == 1  # the blog's line
        pairs = _coins(page.select_one("span.Z3988"))
        assert [v for k, v in pairs if k == "rft.au"][-1] == "Lo Coco, Gianluca" and ("rft.issn", "1050-3307") in pairs
        card = _card(_page(client, "/search?q=mentalize"), post.id)
        assert " ".join(card.select_one(".completed").get_text().split()) == (
            "all 10 authors from Crossref (the blog names 3)")
    finally:
        app.extensions[ENGINE_KEY].close()
