"""The fetcher's bounds against hostile servers on loopback: a gzip bomb and a trickling server.

Bounds are loose (five times the cap or the deadline); bench/crawler_attacks.py gives the figures.
"""
from __future__ import annotations

import gzip
import time
import tracemalloc

import pytest

from bench.hostile_site import HostileSite, gzip_bomb
from indexer.crawl_settings import CrawlSettings
from indexer.fetch import FetchError, Fetcher

CAP = 1024 * 1024  # the body cap for these tests: 1 MB


def fetcher(site, **options) -> Fetcher:
    """A fetcher whose blog is ``site`` (the only host it may request)."""
    settings = {"base_url": site.url("/"), "delay": 0, "timeout": 1.0, "retries": 0, "max_bytes": CAP} | options
    return Fetcher(CrawlSettings(**settings))


def test_a_gzip_bomb_is_cut_at_the_body_cap_in_memory_and_never_returned():
    with HostileSite(bomb_bytes=256 * CAP) as site:
        client = fetcher(site)
        client.load_robots(site.url("/"))
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="decompresses to over the 1048576-byte limit"):
                client.get(site.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(site.bomb) < CAP  # under the cap on the wire, 256 times it decompressed
    assert peak < 5 * CAP, f"peak {peak} bytes"


def test_robots_txt_takes_the_same_capped_path():
    with HostileSite(bomb_bytes=256 * CAP, bomb_robots=True) as site:
        client = fetcher(site)
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="robots.txt could not be read"):
                client.load_robots(site.url("/"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not client.allowed(site.url("/page"))  # unreadable robots.txt: the host stays off limits
    assert peak < 5 * CAP, f"peak {peak} bytes"


def test_a_gzip_page_under_the_cap_is_decompressed(tmp_path):
    from tests.fixtures.site.server import FakeSite

    page = b"<html><body>" + b"<p>words</p>" * 1000 + b"</body></html>"
    site = FakeSite().start()
    try:
        site.sticky["/pprnet/blog"] = ("body", gzip.compress(page), "text/html", {"Content-Encoding": "gzip"})
        client = fetcher(site)
        client.load_robots(site.base_url)
        assert client.get(site.base_url).body == page
    finally:
        site.close()


def test_a_truncated_gzip_stream_is_a_transient_failure():
    from tests.fixtures.site.server import FakeSite

    cut = gzip.compress(b"<html>" + bytes(range(256)) * 400 + b"</html>")[:-20]
    site = FakeSite().start()
    try:
        site.sticky["/pprnet/blog"] = ("body", cut, "text/html", {"Content-Encoding": "gzip"})
        client = fetcher(site, retries=1, backoff=0.01)
        client.load_robots(site.base_url)
        with pytest.raises(FetchError, match="truncated or corrupt gzip body") as error:
            client.get(site.base_url)
        assert error.value.attempts == 2  # retried once
    finally:
        site.close()


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_server_is_cut_at_the_request_deadline(path):
    deadline = 1.0
    with HostileSite(trickle_every=0.05) as site:  # far more often than any per-read timeout
        client = fetcher(site, timeout=deadline)
        client.load_robots(site.url("/"))
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out: no complete answer within 1 s"):
            client.get(site.url(path))
        elapsed = time.monotonic() - started
    assert elapsed < 5 * deadline, elapsed


def test_the_deadline_covers_every_attempt_separately():
    with HostileSite(trickle_every=0.05) as site:
        client = fetcher(site, timeout=0.5, retries=1, backoff=0.01)
        client.load_robots(site.url("/"))
        started = time.monotonic()
        with pytest.raises(FetchError, match="gave up after 2 attempts") as error:
            client.get(site.url("/trickle"))
        elapsed = time.monotonic() - started
    assert error.value.attempts == 2
    assert elapsed < 5 * 2 * 0.5, elapsed


def test_the_bomb_helper_really_is_a_bomb():
    bomb = gzip_bomb(8 * CAP)
    assert len(bomb) < CAP // 64 and len(gzip.decompress(bomb)) == 8 * CAP
