"""The crawler stays on the site, and spends its page budget on listings and the archive first
(issue 21, item 3).

Against the fake blog on loopback (tests/fixtures/site/README.md) and a second loopback server on
another port standing for someone else's host. The attacks: a plain link on a listing page to another
host or port (``<a href="http://127.0.0.1:5411/private/admin?token=1">Archives</a>``) was fetched,
with that host's robots.txt, on every run and saved under ``corpus/crawl/``; redirects were checked
but links were not. And a listing page of 10,000 links to post pages spent the crawl's page budget
before the archive was reached.
"""
from __future__ import annotations

import pytest

import run
from indexer.crawl_report import crawl_report
from indexer.crawl_settings import CrawlSettings
from indexer.fetch import Fetcher
from tests.fixtures.site.harness import (  # noqa: F401 (site and corpus are pytest fixtures)
    BASE_PATH,
    corpus,
    fast_crawl,
    full_crawl,
    manifest_of,
    posts_by_id,
    site,
)
from tests.fixtures.site.server import FakeSite

ALL_POSTS = 15  # the live blog's 6 and the archive's 9 (tests/fixtures/site/README.md)


@pytest.fixture
def elsewhere():
    """Someone else's server on another loopback port: nothing may ever be asked of it."""
    with FakeSite() as other:
        yield other


@pytest.fixture
def archive_site():
    """The old archive on a host of its own, so that the archive's folder is not the blog's host."""
    with FakeSite() as other:
        yield other


def with_links(site: FakeSite, target: str, links: str) -> None:
    """Serve ``target`` as it is, with ``links`` (HTML) added at the end of its main content."""
    status, content_type, body = site.render(target)
    assert status == 200
    site.sticky[target] = ("body", body.replace(b"</main>", links.encode() + b"</main>"), content_type)


def stored_urls(corpus) -> list[str]:
    return list(manifest_of(corpus)["pages"])


def test_an_off_site_link_on_a_listing_is_never_requested_on_any_run_and_is_reported(site, corpus, elsewhere, capsys):
    private = f"{elsewhere.origin}/private/admin?token=1"
    with_links(site, BASE_PATH, f'<p><a href="{private}">Archives</a></p>')

    first = fast_crawl(site, corpus)
    second = fast_crawl(site, corpus)

    assert elsewhere.requests == []  # neither the page nor that host's robots.txt
    assert first.complete and second.complete and first.failed == second.failed == 0
    assert first.off_site == second.off_site == 1
    assert "1 off-site links not followed" in second.summary()
    assert all(url.startswith(site.origin) for url in stored_urls(corpus))
    assert len(posts_by_id(corpus)) == 6
    report = crawl_report(corpus)
    assert report.off_site_links == [(private, site.base_url)]
    assert f"links not followed: 1\n  {private}: off-site link, not followed (on {site.base_url})" in report.render()
    assert run.main(["crawl", "--corpus", str(corpus), "--report"]) == 0
    assert f"{private}: off-site link, not followed" in capsys.readouterr().out


def test_only_the_blogs_host_and_the_archives_folder_are_requested(site, corpus, elsewhere, archive_site):
    off_site = [
        f"{elsewhere.origin}/pprnet/blog/a-post-on-another-port",  # looks like a post page
        f"{elsewhere.origin}/pprnet/eng/pprnet_blog_jan2020.html",  # an archive month on another host
        f"{archive_site.origin}/elsewhere/pprnet_blog_dec2019.html",  # the archive's host, outside its folder
        f"{archive_site.origin}/pprnet/eng/../private/pprnet_blog_nov2019.html",  # out of the folder by ..
        f"{elsewhere.origin}/news/archive.html",  # an "archive" link on another host
    ]
    links = "".join(f'<p><a href="{url}">Archive {n}</a></p>' for n, url in enumerate(off_site))
    with_links(site, BASE_PATH, links)

    summary = full_crawl(site, corpus, archive_site=archive_site)

    assert summary.complete and summary.failed == 0 and summary.posts_seen == ALL_POSTS
    assert elsewhere.requests == []
    assert all(target == "/robots.txt" or target.startswith("/pprnet/eng/") for target in archive_site.targets())
    assert all(url.startswith((site.origin, f"{archive_site.origin}/pprnet/eng/")) for url in stored_urls(corpus))
    report = crawl_report(corpus)
    assert sorted(link for link, _ in report.off_site_links) == sorted(off_site)
    assert summary.off_site == len(off_site)


def test_a_redirect_off_the_site_is_not_followed(site, corpus, elsewhere, archive_site):
    site.sticky[f"{BASE_PATH}?p=2"] = ("redirect", f"{elsewhere.origin}/private/admin?token=1")
    archive_site.sticky["/pprnet/eng/pprnet_blog_feb2020.html"] = ("redirect", "/private/pprnet_blog_feb2020.html")

    summary = full_crawl(site, corpus, archive_site=archive_site)

    assert elsewhere.requests == []
    assert "/private/pprnet_blog_feb2020.html" not in archive_site.targets()
    errors = manifest_of(corpus)["errors"]
    assert errors[site.url("p=2")]["error"] == f"redirected to {elsewhere.origin}/private/admin?token=1: off-site link, not followed"
    assert "off-site link, not followed" in errors[f"{archive_site.origin}/pprnet/eng/pprnet_blog_feb2020.html"]["error"]
    assert summary.failed == 2


def test_a_page_of_thousands_of_post_links_cannot_spend_the_budget_of_listings_and_archive(site, corpus):
    links = "".join(f'<a href="{BASE_PATH}/spam-{n}">Post {n}</a> ' for n in range(10_000))
    with_links(site, BASE_PATH, f"<p>{links}</p>")
    whole = 45  # a full crawl asks 41 pages (19 listing pages, 1 archive index, 19 archive addresses, 2 post pages)

    summary = full_crawl(site, corpus, max_pages=whole)

    assert summary.complete and summary.posts_seen == ALL_POSTS
    spam = [target for target in site.targets() if target.startswith(f"{BASE_PATH}/spam-")]
    assert len(spam) <= 6  # at most one post page per post the listings showed
    assert any("links to post pages not followed: more than the 6 posts the listings showed" in note for note in summary.notes)
    assert len(manifest_of(corpus)["pages"]) <= whole


@pytest.mark.parametrize(
    ("url", "on_site"),
    [
        ("https://blog.test/pprnet/blog?p=2", True),
        ("https://blog.test:443/anything/else.html", True),  # the blog's whole host
        ("http://blog.test/pprnet/blog", False),  # another scheme is another site
        ("https://blog.test:8443/pprnet/blog", False),  # another port
        ("https://evil.test/pprnet/blog/post", False),
        ("http://old.test/pprnet/eng/pprnet_blog_oct2014.html", True),
        ("http://OLD.test:80/pprnet/eng/sub/page.html", True),
        ("http://old.test/pprnet/eng", False),  # the folder is /pprnet/eng/ and below
        ("http://old.test/pprnet/other/pprnet_blog_oct2014.html", False),
        ("http://old.test/pprnet/eng/../private/x", False),
        ("http://old.test/pprnet/eng/%2E%2E/private/x", False),
        ("http://old.test:8080/pprnet/eng/pprnet_blog_oct2014.html", False),
        ("https://old.test/pprnet/eng/pprnet_blog_oct2014.html", False),
    ],
)
def test_what_is_on_the_site(url, on_site):
    fetcher = Fetcher(CrawlSettings(base_url="https://blog.test/pprnet/blog", archive_url="http://old.test/pprnet/eng/"))
    assert fetcher.on_site(url) is on_site


def test_without_an_archive_only_the_blogs_host_is_on_the_site():
    fetcher = Fetcher(CrawlSettings(base_url="https://blog.test/pprnet/blog", archive_url=""))
    assert fetcher.on_site("https://blog.test/x") and not fetcher.on_site("http://www.med.uottawa.ca/pprnet/eng/x.html")
