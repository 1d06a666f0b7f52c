"""The crawl report's numbers, checked against the fake blog (tests/fixtures/site/README.md).

The fake blog's posts run from September 2019 (archive) to February 2021 (live listing), with gaps
the report must name; filters, empty pages and edited posts are arranged per test.
"""
from __future__ import annotations

import shutil

import run
from indexer.crawl_report import crawl_report
from indexer.manifest import FLAG_LAYOUT, FLAG_NO_POSTS
from tests.fixtures.site.harness import (  # noqa: F401 (site and corpus are pytest fixtures)
    ARCHIVE_START,
    POST_PAGES,
    corpus,
    full_crawl,
    manifest_of,
    site,
)
from tests.fixtures.site.server import SITE_DIR

PER_YEAR = {"2019": 1, "2020": 10, "2021": 4}
# Between 2019-09 and 2021-02: four archive months and April 2020 never existed, and the live
# listing has nothing from October to December 2020.
MISSING = ["2019-10", "2019-11", "2019-12", "2020-01", "2020-04", "2020-10", "2020-11", "2020-12"]
SUPERVISION = "2020-09-supervision-in-psychotherapy-the-impact"
GROUP = "2020-05-group-psychotherapy-works-as-well-as"


def test_the_report_of_a_full_crawl(site, corpus):
    full_crawl(site, corpus)
    report = crawl_report(corpus)

    assert report.complete and report.posts == 15
    assert report.posts_per_year == PER_YEAR
    assert (report.first_month, report.last_month) == ("2019-09", "2021-02")
    assert report.missing_months == MISSING
    assert report.single_filter_posts == {} and report.unfiltered_posts == []
    assert report.empty_pages == [] and report.failed_pages == []
    assert not report.compared and report.changed_posts == []
    assert report.pages_by_kind == {"main": 3, "topic": 5, "type": 4, "post": 2, "archive-index": 1, "archive": 6}
    text = report.render()
    assert "posts: 15 (2019: 1, 2020: 10, 2021: 4)" in text
    assert f"months between 2019-09 and 2021-02 with no post (a likely miss): {', '.join(MISSING)}" in text
    assert "since the last crawl: no earlier complete crawl to compare with" in text


def test_posts_seen_in_one_filter_or_none(site, corpus):
    site.data["cat_1"]["25"].remove("2021-02-telepsychology")  # left only under its topic
    site.data["cat_2"]["32"].remove("2021-01-practitioner-well-being")  # left in no filter at all
    site.data["cat_1"]["25"].remove("2021-01-practitioner-well-being")
    full_crawl(site, corpus)
    report = crawl_report(corpus)

    assert report.single_filter_posts == {"2021-02-the-covid-19-telepsychology-revolution": "Topic: Miscellaneous"}
    assert report.unfiltered_posts == ["2021-01-psychological-practitioner-workplace"]
    assert "2021-02-the-covid-19-telepsychology-revolution (Topic: Miscellaneous)" in report.render()


def test_pages_that_yielded_nothing_or_failed(site, corpus):
    maintenance = (SITE_DIR / "maintenance.html").read_bytes()
    site.sticky["/pprnet/eng/pprnet_blog_may2020.html"] = ("body", maintenance)
    site.sticky["/pprnet/blog?cat_2=33&p=2"] = ("body", maintenance)
    site.sticky["/pprnet/blog/" + POST_PAGES[0]] = ("status", 500)
    full_crawl(site, corpus)
    report = crawl_report(corpus)

    empty = dict(report.empty_pages)
    assert set(empty) == {f"{site.origin}/pprnet/eng/pprnet_blog_may2020.html", site.url("cat_2=33&p=2")}
    assert empty[f"{site.origin}/pprnet/eng/pprnet_blog_may2020.html"] == "no post was found on the page"
    assert empty[site.url("cat_2=33&p=2")].startswith("unexpected layout")
    assert [url for url, _ in report.failed_pages] == [f"{site.base_url}/{POST_PAGES[0]}"]
    assert "HTTP 500" in report.failed_pages[0][1]
    assert GROUP not in {post for entry in manifest_of(corpus)["pages"].values() for post in entry["posts"]}
    assert "2020-05" in report.missing_months  # its month has no post now
    flags = {entry["flag"] for entry in manifest_of(corpus)["pages"].values()}
    assert {FLAG_LAYOUT, FLAG_NO_POSTS} <= flags


def test_changed_posts_after_a_second_crawl_with_posts_edited(site, corpus):
    full_crawl(site, corpus)
    key = "2020-09-supervision-attachment-burnout"
    site.articles[key] = site.articles[key].replace("susceptible to burnout", "susceptible to burn-out")
    assert "susceptible to burn-out" in site.articles[key]
    site.archive["pprnet_blog_may2020.html"] = site.archive["pprnet_blog_may2020.html"].replace(b"67 studies", b"68 studies")

    full_crawl(site, corpus)
    report = crawl_report(corpus)

    assert report.compared
    assert report.changed_posts == [GROUP, SUPERVISION]
    assert report.new_posts == [] and report.gone_posts == []
    assert "since the last crawl: 2 posts changed, 0 new, 0 gone" in report.render()

    full_crawl(site, corpus)  # nothing changed since
    assert crawl_report(corpus).changed_posts == []


def test_a_post_that_is_gone_and_one_that_is_new(site, corpus):
    full_crawl(site, corpus)
    site.archive["pprnet_blog_jun2020.html"] = site.archive.pop("pprnet_blog_jun2020.html").replace(
        b"When Therapists Disclose Something About Themselves", b"When Therapists Talk About Themselves"
    )
    full_crawl(site, corpus)
    report = crawl_report(corpus)
    assert report.new_posts == ["2020-06-when-therapists-talk-about-themselves"]
    assert report.gone_posts == ["2020-06-when-therapists-disclose-something-about"]


def test_run_py_crawl_prints_the_report_and_crawl_report_reprints_it_without_fetching(site, corpus, capsys):
    site.data["post_pages"] = POST_PAGES
    site.archive_base = f"{site.origin}/pprnet/eng/"
    command = ["crawl", "--corpus", str(corpus), "--base-url", site.base_url, "--archive-url", site.archive_base,
               "--archive-start", ARCHIVE_START, "--delay", "0"]
    assert run.main(command) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("crawl report: last crawl complete") and "posts: 15 (2019: 1, 2020: 10, 2021: 4)" in printed
    requests = len(site.requests)

    shutil.rmtree(corpus / "crawl" / "pages")  # the report needs the manifest only
    assert run.main(["crawl", "--report", "--corpus", str(corpus)]) == 0
    assert capsys.readouterr().out == printed
    assert len(site.requests) == requests


def test_crawl_report_without_a_crawl_says_so(tmp_path, capsys):
    assert run.main(["crawl", "--report", "--corpus", str(tmp_path)]) == 2
    assert "no crawl in" in capsys.readouterr().err
