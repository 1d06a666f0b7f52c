"""The crawler covers the whole blog: listings, filters, per-post pages and the old archive months.

Against the fake blog on loopback (tests/fixtures/site/README.md): the archive months are found from
the blog's archive links, from the links between archive months, and from the address pattern in
each of a month's spellings; every stored page's kind and URL is in the manifest.
"""
from __future__ import annotations

import pytest

from indexer.archive import month_of, month_urls, months_between, spellings
from indexer.crawl import StopReason
from indexer.manifest import (
    ARCHIVE,
    ARCHIVE_INDEX,
    FLAG_NOT_FOUND,
    MAIN,
    POST,
    TOPIC,
    TYPE,
    CrawlCatalog,
    CrawledPage,
    SiteListings,
)
from indexer.page_links import read_links
from search.post import URL_ARCHIVE, URL_LISTING, URL_POST, Post
from tests.fixtures.site.harness import (  # noqa: F401 (site and corpus are pytest fixtures)
    POST_PAGES,
    corpus,
    full_crawl,
    manifest_of,
    posts_by_id,
    site,
)
from tests.fixtures.site.server import FakeSite

ARCHIVE_POSTS = {
    "pprnet_blog_sept2019.html": ["2019-09-empathy-predicts-outcome-across"],
    "pprnet_blog_feb2020.html": ["2020-02-does-client-feedback-help-therapists-who", "2020-02-the-alliance-ruptures-and-how-to-repair"],
    "pprnet_blog_march2020.html": ["2020-03-who-drops-out-of-psychotherapy", "2020-03-homework-compliance-and-outcome-in"],
    "pprnet_blog_may2020.html": ["2020-05-group-psychotherapy-works-as-well-as"],
    "pprnet_blog_jun2020.html": ["2020-06-client-expectations-and-the-outcome-of", "2020-06-when-therapists-disclose-something-about"],
    "pprnet_blog.html": ["2020-07-ending-therapy-well"],
}
LIVE_POSTS = 6
# The fake site's keys of the posts with their own page, and the ids the extractor gives them.
POST_PAGE_IDS = {
    "2021-01-mentalization-training": "2021-01-can-therapists-train-to-improve-their",
    "2020-08-where-patient-lives": "2020-08-why-does-where-a-patient-lives-affect",
}


def archive_targets(site: FakeSite) -> list[str]:
    return [target.rsplit("/", 1)[-1] for target in site.targets() if target.startswith("/pprnet/eng/")]


def test_a_full_crawl_stores_every_kind_of_page_with_its_kind_and_url(site, corpus):
    summary = full_crawl(site, corpus)

    assert summary.complete and summary.failed == 0 and summary.flagged == 0
    assert summary.posts_seen == LIVE_POSTS + sum(map(len, ARCHIVE_POSTS.values()))
    pages = manifest_of(corpus)["pages"]
    kinds = {}
    for url, entry in pages.items():
        assert entry["url"] == url
        kinds.setdefault(entry["listing"]["kind"], []).append(url)
    assert {MAIN, TOPIC, TYPE, POST, ARCHIVE, ARCHIVE_INDEX} == set(kinds)
    assert sorted(POST_PAGE_IDS) == sorted(POST_PAGES)
    assert sorted(kinds[POST]) == sorted(f"{site.base_url}/{key}" for key in POST_PAGES)
    for key, post_id in POST_PAGE_IDS.items():
        assert pages[f"{site.base_url}/{key}"]["posts"] == [post_id]
    assert kinds[ARCHIVE_INDEX] == [f"{site.base_url}/archives"]
    found = {url.rsplit("/", 1)[-1]: pages[url]["posts"] for url in kinds[ARCHIVE] if pages[url]["flag"] != FLAG_NOT_FOUND}
    assert found == ARCHIVE_POSTS
    # The indexer finds each stored page's URL and kind through the manifest.
    catalog = CrawlCatalog()
    for url in kinds[ARCHIVE] + kinds[POST]:
        if pages[url]["file"]:
            page = catalog.lookup(corpus / "crawl" / pages[url]["file"])
            assert (page.url, page.kind) == (url, pages[url]["listing"]["kind"])


def test_archive_months_come_from_links_then_from_each_spelling_of_the_address(site, corpus):
    full_crawl(site, corpus)
    asked = archive_targets(site)

    # Linked: from the blog's archives page (February 2020, "this month") and from February (March).
    assert asked[:3] == ["pprnet_blog_feb2020.html", "pprnet_blog.html", "pprnet_blog_march2020.html"]
    # Then each month from the start that no page gave, spelling by spelling until one exists.
    assert asked[3:] == [
        "pprnet_blog_september2019.html", "pprnet_blog_sep2019.html", "pprnet_blog_sept2019.html",
        "pprnet_blog_october2019.html", "pprnet_blog_oct2019.html",
        "pprnet_blog_november2019.html", "pprnet_blog_nov2019.html",
        "pprnet_blog_december2019.html", "pprnet_blog_dec2019.html",
        "pprnet_blog_january2020.html", "pprnet_blog_jan2020.html",
        "pprnet_blog_april2020.html", "pprnet_blog_apr2020.html",
        "pprnet_blog_may2020.html",
        "pprnet_blog_june2020.html", "pprnet_blog_jun2020.html",
    ]  # July 2020 is "pprnet_blog.html"; August 2020 on is the live listing's
    pages = manifest_of(corpus)["pages"]
    missing = pages[f"{site.origin}/pprnet/eng/pprnet_blog_april2020.html"]
    assert missing["flag"] == FLAG_NOT_FOUND and missing["status"] == 404 and missing["error"] is None
    assert manifest_of(corpus)["errors"] == {}  # a 404 under one spelling is not an error


def test_a_second_crawl_asks_the_archive_again_conditionally_and_finds_the_same(site, corpus):
    full_crawl(site, corpus)
    first = archive_targets(site)
    count = len(site.requests)

    summary = full_crawl(site, corpus)

    assert summary.fetched == 0 and summary.failed == 0 and summary.new_posts == 0
    assert archive_targets(site)[len(first):] == first
    later = [seen for seen in site.requests[count:] if seen.target.startswith("/pprnet/eng/")]
    assert {seen.status for seen in later} == {304, 404}


def test_the_archive_on_another_host_is_read_with_that_hosts_robots_txt(site, corpus):
    archive_site = FakeSite().start()
    try:
        summary = full_crawl(site, corpus, archive_site=archive_site)
        assert summary.complete and summary.failed == 0
        assert archive_site.targets()[0] == "/robots.txt"
        assert not [target for target in site.targets() if target.startswith("/pprnet/eng/")]
        assert "pprnet_blog_sept2019.html" in archive_targets(archive_site)
    finally:
        archive_site.close()
    assert len(posts_by_id(corpus)) == LIVE_POSTS + sum(map(len, ARCHIVE_POSTS.values()))


def test_an_archive_host_whose_robots_txt_fails_is_skipped_not_fatal(site, corpus):
    archive_site = FakeSite().start()
    try:
        archive_site.sticky["/robots.txt"] = ("status", 503)
        summary = full_crawl(site, corpus, archive_site=archive_site)
        assert archive_site.targets() == ["/robots.txt"] * 3  # retries=2, then the host is left alone
    finally:
        archive_site.close()
    assert summary.complete and summary.failed == 1 and summary.stopped is None
    assert "robots.txt could not be read" in summary.problems[0][1]
    assert summary.posts_seen == LIVE_POSTS


def test_the_page_cap_stops_inside_the_archive_and_the_next_run_continues(site, corpus):
    first = full_crawl(site, corpus, max_pages=24)
    assert first.stopped is StopReason.PAGE_CAP
    second = full_crawl(site, corpus)
    assert second.complete and second.resumed == 24
    targets = [target for target in site.targets() if target != "/robots.txt"]
    assert len(targets) == len(set(targets))  # nothing asked twice
    assert first.new_posts + second.new_posts == LIVE_POSTS + sum(map(len, ARCHIVE_POSTS.values()))


def test_no_archive_url_means_no_archive(site, corpus):
    summary = full_crawl(site, corpus, archive_url="")
    assert summary.complete and not archive_targets(site)
    assert "/pprnet/blog/archives" not in site.targets()


# --- the pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (1, ["january", "jan"]),
        (3, ["march", "mar"]),
        (5, ["may"]),  # one spelling
        (6, ["june", "jun"]),
        (9, ["september", "sep", "sept"]),  # sept2014
        (10, ["october", "oct"]),  # oct2014
    ],
)
def test_spellings_of_a_month(month, expected):
    assert spellings(month) == expected


@pytest.mark.parametrize(
    ("address", "month"),
    [
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_march2013.html", "2013-03"),
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_june2014.html", "2014-06"),
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_sept2014.html", "2014-09"),
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_oct2014.html", "2014-10"),
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_aug2015.html", "2015-08"),
        ("http://www.med.uottawa.ca/pprnet/eng/PPRNet_Blog_Feb2016.html", "2016-02"),
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog.html", None),  # the current month: no month in it
        ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_summer2015.html", None),
        ("https://socialsciences.uottawa.ca/pprnet/blog?p=2", None),
    ],
)
def test_the_month_an_archive_address_names(address, month):
    assert month_of(address) == month


def test_month_urls_and_months_between():
    assert month_urls("http://x.test/pprnet/eng", "2014-09") == [
        "http://x.test/pprnet/eng/pprnet_blog_september2014.html",
        "http://x.test/pprnet/eng/pprnet_blog_sep2014.html",
        "http://x.test/pprnet/eng/pprnet_blog_sept2014.html",
    ]
    assert months_between("2013-11", "2014-02") == ["2013-11", "2013-12", "2014-01", "2014-02"]
    assert months_between("2014-02", "2014-01") == []


def test_links_and_filters_read_from_a_page():
    page = """<html><body>
    <a href="/pprnet/blog">Blog</a>
    <select name="cat_1"><option value="All">- Any -</option><option value="24">Book chapters</option></select>
    <ul><li><a href="?cat_2=All">ALL Topics (clear)</a></li><li><a href="?cat_2=14">Alliance</a></li>
        <li><a href="/pprnet/blog?cat_2=51&amp;x=1">Training &amp; Supervision</a></li></ul>
    <nav><a href="?cat_2=14&amp;p=2">2</a></nav>
    <article><h3><a href="/pprnet/blog/the-alliance-matters#top">The Alliance Matters</a></h3></article>
    <p>Past blogs are in the <a href="/pprnet/blog/archives">archives</a>;
       <a href="http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_oct2014.html#post2">October 2014</a>,
       <a href="pprnet_blog.html">this month</a>, <a href="mailto:pprnet@uottawa.ca">write</a>.</p>
    </body></html>"""
    links = read_links(page, "https://site.test/pprnet/blog?p=3", "https://site.test/pprnet/blog")
    assert links.filters == {
        TOPIC: [{"id": "14", "label": "Alliance"}, {"id": "51", "label": "Training & Supervision"}],
        TYPE: [{"id": "24", "label": "Book chapters"}],
    }
    assert links.post_pages == ("https://site.test/pprnet/blog/the-alliance-matters",)
    assert links.archive_indexes == ("https://site.test/pprnet/blog/archives",)
    assert links.archive_months == (
        "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_oct2014.html",
        "https://site.test/pprnet/pprnet_blog.html",
    )


def test_archive_start_is_the_first_month_probed(site, corpus):
    full_crawl(site, corpus, archive_start="2020-04")
    asked = archive_targets(site)
    assert "pprnet_blog_sept2019.html" not in asked and asked[3] == "pprnet_blog_april2020.html"


# --- the address each post keeps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "url_kind", "expected"),
    [
        # Its own page and its archive month stay, whatever listings it was also seen on.
        ("https://b.test/pprnet/blog/the-alliance", URL_POST, "https://b.test/pprnet/blog/the-alliance"),
        ("http://a.test/eng/pprnet_blog_oct2014.html#alliance", URL_ARCHIVE, "http://a.test/eng/pprnet_blog_oct2014.html#alliance"),
        # A listing address moves to the main listing page where it was seen, keeping its text fragment.
        ("https://b.test/pprnet/blog?cat_2=14#:~:text=The%20Alliance", URL_LISTING, "https://b.test/pprnet/blog?p=3#:~:text=The%20Alliance"),
        ("https://b.test/pprnet/blog?cat_2=14", None, "https://b.test/pprnet/blog?p=3"),
    ],
)
def test_site_listings_keep_the_most_stable_address(url, url_kind, expected):
    post = Post(id="2014-10-the-alliance", url=url, url_kind=url_kind, issue_date="2014-10", title="The Alliance")
    listings = SiteListings()
    listings.note(CrawledPage("https://b.test/pprnet/blog?cat_2=14", TOPIC, "14", "Alliance"), [post])
    listings.note(CrawledPage("https://b.test/pprnet/blog?p=3", MAIN, None, None), [post])
    (applied,) = listings.apply([post])
    assert applied.url == expected
    assert applied.topics == ("Alliance",)
