"""The crawler against a fake copy of the blog on a loopback port (tests/fixtures/site/).

Nothing here touches the internet. Each test gets a fresh server whose answers it can script per
request target (faults), and a corpus folder that already holds the seed dump, which must come out
of every crawl byte for byte as it went in.
"""
from __future__ import annotations

import hashlib
import json
import socket

import pytest

import run
from indexer.crawl import StopReason, listing_url
from indexer.crawl_settings import CrawlSettings
from indexer.extract import extract_paths
from indexer.fetch import USER_AGENT
from indexer.manifest import FLAG_END, FLAG_LAYOUT, FLAG_LOST_POSTS
from search.evidence import RESEARCH_TYPES
from search.post import TOPICS_FROM_SITE
from tests.fixtures.site.harness import (  # noqa: F401 (site and corpus are pytest fixtures)
    BASE_PATH,
    corpus,
    digest as _digest,
    fast_crawl,
    manifest_of,
    posts_by_id,
    site,
    snapshot as _snapshot,
)
from tests.fixtures.site.server import SITE_DIR

# A full crawl of the fake site: main ?p=1..4, topics 4 (2 pages), 21 (2), 32 (3), 33 (2), types 25 (4)
# and 26 (2). Topic 13 is disallowed by robots.txt. The last page of each listing is the empty one.
FULL_CRAWL_PAGES = 19
TITLES = {
    "2021-02-the-covid-19-telepsychology-revolution": "The COVID-19 Telepsychology Revolution",
    "2021-01-psychological-practitioner-workplace": "Psychological Practitioner Workplace Well-Being",
    "2021-01-mentalizing-may-be-a-protective-factor": "Mentalizing May be a Protective Factor for Therapist’s Well-Being",
    "2021-01-can-therapists-train-to-improve-their": "Can Therapists Train to Improve their Capacity to Mentalize?",
    "2020-09-supervision-in-psychotherapy-the-impact": "Supervision in Psychotherapy: The Impact of Attachment on Burnout",
    "2020-08-why-does-where-a-patient-lives-affect": "Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?",
}
SITE_TOPICS = {
    "2021-02-the-covid-19-telepsychology-revolution": {"Miscellaneous"},
    "2021-01-psychological-practitioner-workplace": {"Therapist Factors"},
    "2021-01-mentalizing-may-be-a-protective-factor": {"Therapist Factors"},
    "2021-01-can-therapists-train-to-improve-their": {"Training"},
    "2020-09-supervision-in-psychotherapy-the-impact": {"Attachment", "Therapist Factors", "Training"},
    "2020-08-why-does-where-a-patient-lives-affect": {"Therapist Factors"},
}
# On which page of the main listing each post is (the post's url).
MAIN_PAGE = {
    "2021-02-the-covid-19-telepsychology-revolution": "",
    "2021-01-psychological-practitioner-workplace": "",
    "2021-01-mentalizing-may-be-a-protective-factor": "p=2",
    "2021-01-can-therapists-train-to-improve-their": "p=2",
    "2020-09-supervision-in-psychotherapy-the-impact": "p=3",
    "2020-08-why-does-where-a-patient-lives-affect": "p=3",
}


# --- what a crawl gathers -------------------------------------------------------------------------


def test_crawl_of_the_fake_site_stores_every_listing_page_with_its_manifest_entry(site, corpus):
    report = fast_crawl(site, corpus)

    assert (report.fetched, report.unchanged, report.failed, report.flagged) == (FULL_CRAWL_PAGES, 0, 0, 0)
    assert (report.new_posts, report.posts_seen, report.disallowed) == (6, 6, 1)
    assert report.complete and report.requests == FULL_CRAWL_PAGES + 1  # + robots.txt
    assert report.summary().startswith(f"crawl: {FULL_CRAWL_PAGES} pages fetched, 0 unchanged, 0 failed")
    assert "6 new posts" in report.summary()

    manifest = manifest_of(corpus)
    assert manifest["run"]["complete"] is True
    assert manifest["errors"] == {}
    assert [option["label"] for option in manifest["filters"]["topic"]] == [
        "Attachment", "Efficacy of Treatments", "Miscellaneous", "Therapist Factors", "Training",
    ]
    assert [option["label"] for option in manifest["filters"]["type"]] == ["Single studies", "Meta-analyses and reviews"]
    pages = manifest["pages"]
    assert len(pages) == FULL_CRAWL_PAGES
    for url, entry in pages.items():
        assert entry["url"] == url and entry["final_url"] == url and entry["status"] == 200
        assert entry["fetched_at"] and entry["etag"] and entry["last_modified"]
        stored = corpus / "crawl" / entry["body_file"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry["sha256"]
    first = pages[site.url()]
    assert first["listing"] == {"kind": "main", "filter_id": None, "label": None, "page": 1}
    assert first["file"] == "pages/main-p0001.html"
    assert len(first["posts"]) == 2
    topic = pages[site.url("cat_2=32&p=2")]
    assert topic["listing"] == {"kind": "topic", "filter_id": "32", "label": "Therapist Factors", "page": 2}
    kind = pages[site.url("cat_1=26")]
    assert kind["listing"] == {"kind": "type", "filter_id": "26", "label": "Meta-analyses and reviews", "page": 1}
    # The page after a listing's last: no posts, kept on disk (outside what the indexer reads) and flagged.
    end = pages[site.url("p=4")]
    assert end["flag"] == FLAG_END and end["file"] is None and end["posts"] == []
    assert (corpus / "crawl" / end["body_file"]).is_file() and end["body_file"].startswith(".flagged/")


def test_index_reads_the_crawl_with_site_topics_site_types_and_listing_urls(site, corpus):
    fast_crawl(site, corpus)
    extraction = extract_paths([corpus])
    posts = {post.id: post for post in extraction.posts}

    # The seed dump and the crawled pages hold the same six posts: merged, not doubled.
    assert extraction.problems == []
    assert sorted(posts) == sorted(TITLES)
    for post_id, post in posts.items():
        assert post.title == TITLES[post_id]
        assert post.topics_source == TOPICS_FROM_SITE
        assert set(post.topics) == SITE_TOPICS[post_id]
        assert "Efficacy of Treatments" not in post.topics  # that listing is disallowed by robots.txt
        assert post.url.split("#")[0] == site.url(MAIN_PAGE[post_id])  # a text fragment may follow
    # The site's "Meta-analyses and reviews" names two levels; the inferred "randomized controlled trial"
    # is at neither, so the site's labels replace it.
    assert posts["2021-01-can-therapists-train-to-improve-their"].research_types == ("meta-analysis", "review")
    telepsychology = posts["2021-02-the-covid-19-telepsychology-revolution"]
    assert telepsychology.research_types == ("survey",)  # "Single studies" names no level: the inferred type stays
    assert all(set(post.research_types) <= set(RESEARCH_TYPES) for post in posts.values())


def test_run_py_crawl_then_index_then_search(site, corpus, tmp_path, capsys):
    status = run.main(["crawl", "--base-url", site.base_url, "--archive-url", "", "--corpus", str(corpus), "--delay", "0",
                       "--no-crossref"])
    assert status == 0
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith(f"crawl: {FULL_CRAWL_PAGES} pages fetched, 0 unchanged, 0 failed")

    index = tmp_path / "index"
    assert run.main(["index", "--corpus", str(corpus), "--index", str(index)]) == 0
    assert "indexed 6 posts" in capsys.readouterr().err
    assert run.main(["search", "--index", str(index), "--json", "--topic", "Attachment", "--", "supervision"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert [hit["id"] for hit in response["hits"]] == ["2020-09-supervision-in-psychotherapy-the-impact"]
    assert response["hits"][0]["topics_source"] == "site"


def test_run_py_crawl_refuses_a_base_url_that_is_not_http(corpus, capsys):
    assert run.main(["crawl", "--base-url", "ftp://example.org/blog", "--corpus", str(corpus)]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (corpus / "crawl").exists()


def test_listing_urls_and_the_default_base_url():
    DEFAULT_BASE_URL = CrawlSettings().base_url
    assert DEFAULT_BASE_URL == "https://socialsciences.uottawa.ca/pprnet/blog"
    assert listing_url(DEFAULT_BASE_URL, "main") == DEFAULT_BASE_URL
    assert listing_url(DEFAULT_BASE_URL, "main", page=3) == DEFAULT_BASE_URL + "?p=3"
    assert listing_url(DEFAULT_BASE_URL, "topic", "4", 2) == DEFAULT_BASE_URL + "?cat_2=4&p=2"
    assert listing_url(DEFAULT_BASE_URL + "?p=7#x", "type", "25") == DEFAULT_BASE_URL + "?cat_1=25"


# --- politeness ------------------------------------------------------------------------------------


def test_politeness_delay_robots_txt_and_user_agent(site, corpus):
    delay = 0.2
    report = fast_crawl(site, corpus, delay=delay)
    assert report.complete and report.failed == 0

    seen = site.requests
    assert seen[0].target == "/robots.txt"
    gaps = [later.at - earlier.at for earlier, later in zip(seen, seen[1:])]
    assert min(gaps) >= delay * 0.9, gaps  # one request at a time, the delay between them
    assert all(request.headers.get("User-Agent") == USER_AGENT for request in seen)
    assert "pprnet-search" in USER_AGENT
    assert not [target for target in site.targets() if target.startswith(("/pprnet/blog?cat_2=13", "/pprnet/private"))]
    assert manifest_of(corpus)["robots"]["disallowed"] == [site.url("cat_2=13")]


def test_a_second_crawl_downloads_nothing_when_nothing_changed(site, corpus):
    fast_crawl(site, corpus)
    before = _snapshot(corpus)
    first_count = len(site.requests)

    report = fast_crawl(site, corpus)

    assert (report.fetched, report.unchanged, report.failed, report.new_posts) == (0, FULL_CRAWL_PAGES, 0, 0)
    second = site.requests[first_count:]
    pages = [request for request in second if request.target != "/robots.txt"]
    assert len(pages) == FULL_CRAWL_PAGES
    assert all(request.headers.get("If-None-Match") for request in pages)
    assert all(request.headers.get("If-Modified-Since") for request in pages)
    assert all(request.status == 304 for request in pages)
    assert _snapshot(corpus) == before  # not one stored page rewritten
    assert len(posts_by_id(corpus)) == 6


def test_a_server_without_conditional_get_leaves_identical_pages_untouched(site, corpus):
    fast_crawl(site, corpus)
    before = _snapshot(corpus)
    manifest = corpus / "crawl" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["pages"].values():
        entry["etag"] = entry["last_modified"] = None  # as if the server sent neither
    manifest.write_text(json.dumps(data), encoding="utf-8")

    report = fast_crawl(site, corpus)

    assert report.fetched == FULL_CRAWL_PAGES and report.new_posts == 0
    assert _snapshot(corpus) == before


def test_a_changed_page_is_downloaded_again(site, corpus):
    fast_crawl(site, corpus)
    site.data["page_size"] = 3  # the site re-paginates: every listing page changes
    report = fast_crawl(site, corpus)
    assert report.failed == 0 and report.fetched > 0 and report.new_posts == 0
    assert len(posts_by_id(corpus)) == 6


# --- faults ----------------------------------------------------------------------------------------


def test_connection_refused_is_retried_then_recorded(corpus, capsys, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}{BASE_PATH}"

    report = fast_crawl(base_url, corpus)

    assert report.failed == 1 and report.fetched == 0 and not report.complete
    assert report.stopped is StopReason.ROBOTS_UNREADABLE
    error = manifest_of(corpus)["errors"][f"http://127.0.0.1:{port}/robots.txt"]
    assert "connection refused" in error["error"] and error["attempts"] == 3
    assert "0 pages fetched, 0 unchanged, 1 failed" in report.summary()
    # The command line says so and exits non-zero (with a tiny backoff, for test speed).
    command = ["crawl", "--base-url", base_url, "--corpus", str(corpus), "--delay", "0", "--max-pages", "5", "--backoff", "0.01"]
    assert run.main(command) == 1
    assert "connection refused" in capsys.readouterr().err


def test_dns_failure_is_recorded(corpus, monkeypatch):
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # a failed look-up, without asking DNS
    report = fast_crawl("http://nonexistent.invalid/pprnet/blog", corpus)
    assert report.failed == 1 and not report.complete
    error = manifest_of(corpus)["errors"]["http://nonexistent.invalid/robots.txt"]
    assert "DNS lookup failed" in error["error"]


def test_a_timeout_is_retried(site, corpus):
    site.script[f"{BASE_PATH}?p=2"].append(("sleep", 0.6))
    report = fast_crawl(site, corpus, timeout=0.2)
    assert report.failed == 0 and report.fetched == FULL_CRAWL_PAGES
    assert len(site.requests_for("p=2")) == 2
    assert manifest_of(corpus)["pages"][site.url("p=2")]["attempts"] == 2


def test_a_page_that_always_times_out_is_recorded_and_retried_by_the_next_run(site, corpus):
    site.sticky[f"{BASE_PATH}?cat_1=26"] = ("sleep", 0.4)
    report = fast_crawl(site, corpus, timeout=0.15, retries=1)
    assert report.failed == 1 and report.complete
    assert len(site.requests_for("cat_1=26")) == 2
    manifest = manifest_of(corpus)
    assert "timed out" in manifest["errors"][site.url("cat_1=26")]["error"]
    assert "timed out" in manifest["pages"][site.url("cat_1=26")]["error"]

    del site.sticky[f"{BASE_PATH}?cat_1=26"]
    again = fast_crawl(site, corpus)
    assert again.failed == 0 and manifest_of(corpus)["errors"] == {}
    assert "meta-analysis" in posts_by_id(corpus)["2021-01-can-therapists-train-to-improve-their"].research_types


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_recorded_without_retry_and_keep_the_stored_copy(site, corpus, status):
    fast_crawl(site, corpus)
    stored = corpus / "crawl" / "pages" / "main-p0002.html"
    before = _digest(stored)
    site.sticky[f"{BASE_PATH}?p=2"] = ("status", status)
    site.sticky[f"{BASE_PATH}?cat_2=21"] = ("status", status)
    count = len(site.requests)

    report = fast_crawl(site, corpus)

    assert report.failed == 2 and report.complete
    later = site.requests[count:]
    assert [request.target for request in later].count(f"{BASE_PATH}?p=2") == 1  # not retried
    errors = manifest_of(corpus)["errors"]
    assert errors[site.url("p=2")]["status"] == status and f"HTTP {status}" in errors[site.url("p=2")]["error"]
    assert errors[site.url("cat_2=21")]["status"] == status
    assert _digest(stored) == before
    posts = posts_by_id(corpus)  # the stored copies still give every post and topic
    assert len(posts) == 6
    assert posts["2021-02-the-covid-19-telepsychology-revolution"].topics == ("Miscellaneous",)


def test_429_with_retry_after_is_honoured_then_succeeds(site, corpus):
    site.script[f"{BASE_PATH}?p=2"].append(("status", 429, {"Retry-After": "1"}))
    report = fast_crawl(site, corpus)
    assert report.failed == 0 and report.fetched == FULL_CRAWL_PAGES
    first, second = site.requests_for("p=2")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.95


def test_429_asking_for_a_very_long_wait_is_recorded_not_waited_for(site, corpus):
    site.sticky[f"{BASE_PATH}?cat_2=4"] = ("status", 429, {"Retry-After": "86400"})
    report = fast_crawl(site, corpus)
    assert report.failed == 1 and len(site.requests_for("cat_2=4")) == 1
    assert "86400" in manifest_of(corpus)["errors"][site.url("cat_2=4")]["error"]


def test_500_then_success(site, corpus):
    site.script[f"{BASE_PATH}?p=3"].extend([("status", 500), ("status", 503)])
    report = fast_crawl(site, corpus)
    assert report.failed == 0 and report.fetched == FULL_CRAWL_PAGES
    assert [request.status for request in site.requests_for("p=3")] == [500, 503, 200]
    assert manifest_of(corpus)["pages"][site.url("p=3")]["attempts"] == 3


def test_500_every_time_fails_the_page_and_the_next_run_recovers(site, corpus):
    site.sticky[f"{BASE_PATH}?p=3"] = ("status", 500)
    report = fast_crawl(site, corpus)
    assert report.failed == 1
    assert len(site.requests_for("p=3")) == 3  # retries=2
    assert "HTTP 500" in manifest_of(corpus)["errors"][site.url("p=3")]["error"]
    assert not (corpus / "crawl" / "pages" / "main-p0003.html").exists()

    del site.sticky[f"{BASE_PATH}?p=3"]
    again = fast_crawl(site, corpus)
    assert again.failed == 0 and manifest_of(corpus)["errors"] == {}
    assert (corpus / "crawl" / "pages" / "main-p0003.html").is_file()


def test_a_redirect_loop_is_recorded(site, corpus):
    site.sticky[f"{BASE_PATH}?p=2"] = ("redirect", f"{BASE_PATH}?p=2")
    report = fast_crawl(site, corpus)
    assert report.failed == 1 and report.complete
    assert "redirect loop" in manifest_of(corpus)["errors"][site.url("p=2")]["error"]
    assert 2 <= len(site.requests_for("p=2")) <= 11


def test_a_redirect_to_a_disallowed_path_is_not_followed(site, corpus):
    site.sticky[f"{BASE_PATH}?p=2"] = ("redirect", "/pprnet/private/login")
    report = fast_crawl(site, corpus)
    assert report.failed == 1
    assert not [target for target in site.targets() if target.startswith("/pprnet/private")]
    assert "robots.txt" in manifest_of(corpus)["errors"][site.url("p=2")]["error"]


def test_a_truncated_body_is_retried_and_never_stored(site, corpus):
    site.script[f"{BASE_PATH}?p=2"].append(("truncate",))
    site.sticky[f"{BASE_PATH}?cat_2=33"] = ("truncate",)
    report = fast_crawl(site, corpus)

    assert report.failed == 1
    assert len(site.requests_for("p=2")) == 2  # truncated once, then whole
    assert "truncated body" in manifest_of(corpus)["errors"][site.url("cat_2=33")]["error"]
    assert not (corpus / "crawl" / "pages" / "topic-33-p0001.html").exists()
    stored = (corpus / "crawl" / "pages" / "main-p0002.html").read_bytes()
    assert stored.rstrip().endswith(b"</html>")


def test_a_page_in_an_unexpected_layout_is_kept_aside_and_flagged(site, corpus):
    maintenance = (SITE_DIR / "maintenance.html").read_bytes()
    site.sticky[f"{BASE_PATH}?p=2"] = ("body", maintenance)
    site.sticky[f"{BASE_PATH}?cat_1=26"] = ("body", b'{"error": "maintenance"}', "application/json")

    report = fast_crawl(site, corpus)

    assert report.flagged == 2 and report.failed == 0 and report.complete
    pages = manifest_of(corpus)["pages"]
    entry = pages[site.url("p=2")]
    assert entry["flag"] == FLAG_LAYOUT and "unexpected layout" in entry["flag_reason"]
    assert entry["file"] is None and (corpus / "crawl" / entry["body_file"]).read_bytes() == maintenance
    assert site.url("p=3") not in pages  # the main listing stops at the odd page...
    assert pages[site.url("cat_1=26")]["flag"] == FLAG_LAYOUT
    # ...but its posts still come in through the topic and type listings, and nothing odd is indexed.
    extraction = extract_paths([corpus])
    assert len(extraction.posts) == 6 and extraction.problems == []


def test_a_page_that_suddenly_lists_no_posts_keeps_its_stored_copy(site, corpus):
    fast_crawl(site, corpus)
    stored = corpus / "crawl" / "pages" / "main-p0002.html"
    before = _digest(stored)
    site.sticky[f"{BASE_PATH}?p=2"] = ("body", site.listing([]))

    report = fast_crawl(site, corpus)

    assert report.flagged == 1 and report.failed == 0
    assert "flagged" in report.summary()
    entry = manifest_of(corpus)["pages"][site.url("p=2")]
    assert entry["flag"] == FLAG_LOST_POSTS and "pages/main-p0002.html is kept" in entry["flag_reason"]
    assert entry["file"] == "pages/main-p0002.html" and _digest(stored) == before
    assert (corpus / "crawl" / ".flagged" / "main-p0002.html").is_file()
    assert len(posts_by_id(corpus)) == 6

    del site.sticky[f"{BASE_PATH}?p=2"]
    healed = fast_crawl(site, corpus)
    assert healed.flagged == 0
    assert manifest_of(corpus)["pages"][site.url("p=2")]["flag"] is None


def test_an_unreadable_manifest_is_set_aside_not_overwritten(site, corpus):
    crawl_dir = corpus / "crawl"
    crawl_dir.mkdir()
    (crawl_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    report = fast_crawl(site, corpus)
    assert report.complete and report.fetched == FULL_CRAWL_PAGES
    assert any("could not be read" in note for note in report.notes)
    aside = list(crawl_dir.glob("manifest.json.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == "{not json"


# --- interruption and the page cap ---------------------------------------------------------------


def test_an_interrupted_crawl_resumes_without_loss(site, corpus):
    done: list[str] = []

    def interrupt_after_five(url, record):
        done.append(url)
        if len(done) == 5:
            raise KeyboardInterrupt

    first = fast_crawl(site, corpus, on_page=interrupt_after_five)
    assert first.stopped is StopReason.INTERRUPTED and not first.complete
    manifest = manifest_of(corpus)
    assert manifest["run"]["complete"] is False and set(manifest["pages"]) == set(done)
    count = len(site.requests)

    second = fast_crawl(site, corpus)

    assert second.complete and second.resumed == 5
    assert second.fetched == FULL_CRAWL_PAGES - 5
    again = {f"{site.origin}{request.target}" for request in site.requests[count:]}
    assert not again & set(done)  # nothing done before the interruption was requested again
    assert first.new_posts + second.new_posts == 6
    posts = posts_by_id(corpus)
    assert {post_id: set(post.topics) for post_id, post in posts.items()} == SITE_TOPICS


def test_the_page_cap_stops_the_crawl_and_the_next_run_continues(site, corpus, capsys):
    command = ["crawl", "--base-url", site.base_url, "--archive-url", "", "--corpus", str(corpus), "--delay", "0", "--max-pages", "3"]
    assert run.main(command) == 0
    err = capsys.readouterr().err
    assert "crawl: 3 pages fetched" in err and "stopped: the page cap (--max-pages) was reached" in err
    assert len(manifest_of(corpus)["pages"]) == 3

    report = fast_crawl(site, corpus)
    assert report.resumed == 3 and report.fetched == FULL_CRAWL_PAGES - 3 and report.complete
    page_targets = [target for target in site.targets() if target != "/robots.txt"]
    assert len(page_targets) == len(set(page_targets)) == FULL_CRAWL_PAGES  # no page fetched twice
