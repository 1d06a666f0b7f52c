"""HTTP for the crawler: one polite client that fetches bytes and knows nothing of posts.

:class:`Fetcher` sends one request at a time, waits ``delay`` seconds between requests, stays on the
site (only the blog's host and the old archive's folder are ever requested, links and redirects
alike, besides the robots.txt of their hosts: ``on_site``), obeys each site's robots.txt (a site
is a scheme, host and port; only sites whose robots.txt it has read may be requested), names the
project in its User-Agent, sends conditional requests (``If-None-Match`` / ``If-Modified-Since``)
and retries timeouts, dropped connections, truncated bodies, 429 and 5xx with exponential
backoff, honouring ``Retry-After``. Everything else it reports as a :class:`FetchError` whose
message is written for a person (it ends up in the manifest and the summary).

Every request is bounded: ``timeout`` is a deadline for the whole request (connect, headers, body,
redirects), enforced by shutting the socket when it passes, so a server that trickles bytes cannot
hold the crawler; the body is read in chunks and decompressed as it streams, and both the bytes on
the wire and the decompressed bytes are capped at ``max_bytes`` (robots.txt takes the same path).
"""
from __future__ import annotations

import contextlib
import email.utils
import functools
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import unquote, urljoin, urlsplit

from protego import Protego

from indexer.crawl_settings import USER_AGENT, CrawlSettings

__all__ = ["OFF_SITE", "USER_AGENT", "Disallowed", "FetchError", "Fetcher", "Response"]

# The token robots.txt groups are matched against (the product name of the User-Agent).
ROBOTS_AGENT = "pprnet-search"
MAX_ROBOTS_BYTES = 512 * 1024
OFF_SITE = "off-site link, not followed"
_CHUNK_BYTES = 64 * 1024
# Content-Encoding -> zlib window bits (gzip framing; zlib or gzip framing auto-detected for deflate).
_DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 32 + zlib.MAX_WBITS}
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_RETRIED_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


@dataclass(frozen=True)
class Response:
    """A page as the server sent it. ``status`` 304 means unchanged since the copy we hold (no body)."""

    url: str
    final_url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    attempts: int


class FetchError(Exception):
    """A request that failed for good (after any retries). ``status`` is the HTTP status, if any."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts


class Disallowed(FetchError):
    """robots.txt forbids the URL; it was not requested."""


class _Transient(Exception):
    """A failure worth another try: timeouts, dropped connections, truncated bodies, 429, 5xx."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class Fetcher:
    """A polite HTTP client. Not thread-safe: the crawler uses one, one request at a time.

    Politeness and bounds come from :class:`CrawlSettings` (delay, timeout, retries, backoff,
    max_bytes, user agent...); ``sleep`` and ``clock`` are injectable for tests.
    """

    def __init__(
        self,
        settings: CrawlSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = settings or CrawlSettings()
        self.settings = settings
        self.delay = settings.delay  # raised by a robots.txt Crawl-delay
        self.timeout = settings.timeout
        self.requests_made = 0
        # site (scheme://host:port) -> its parsed robots.txt (None: it has none, everything is allowed)
        self._robots: dict[str, Protego | None] = {}
        self._deadline: _Deadline | None = None
        self._sleep = sleep
        self._clock = clock
        self._next_request_at = 0.0
        # (site, path prefix) of the places it may request: the blog's whole host, the archive's folder
        self._scope = [(site_of(settings.base_url), "/")]
        if settings.archive_url:
            self._scope.append((site_of(settings.archive_url), urlsplit(settings.archive_url).path.rstrip("/") + "/"))
        self._opener = urllib.request.build_opener(
            _RedirectHandler(self), _DeadlineHTTPHandler(self), _DeadlineHTTPSHandler(self)
        )

    # robots.txt ---------------------------------------------------------------------------------

    def load_robots(self, site_url: str) -> bool:
        """Read the robots.txt of ``site_url``'s site; True when it has one. A missing one (4xx)
        allows everything; an unreachable one (network error, 5xx, 429) raises FetchError and the
        site stays off limits: RFC 9309 says to assume complete disallow."""
        robots_url = urljoin(site_url, "/robots.txt")
        site = site_of(site_url)
        try:
            response = self.get(robots_url, max_bytes=MAX_ROBOTS_BYTES, check_robots=False)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                self._robots[site] = None  # no robots.txt: everything is allowed
                return False
            raise FetchError(
                robots_url,
                f"robots.txt could not be read ({error.reason}), so nothing was crawled on {site}",
                status=error.status,
                attempts=error.attempts,
            ) from error
        robots = Protego.parse(response.body.decode("utf-8", errors="replace"))
        self._robots[site] = robots
        crawl_delay = robots.crawl_delay(ROBOTS_AGENT)
        if crawl_delay:
            self.delay = max(self.delay, min(float(crawl_delay), 60.0))
        return True

    def knows_site(self, url: str) -> bool:
        """Has the robots.txt of ``url``'s site been read (with or without finding one)?"""
        return site_of(url) in self._robots

    def on_site(self, url: str) -> bool:
        """Is ``url`` on the blog's host (``base_url``'s scheme, host and port) or in the archive's folder
        (``archive_url`` and below, without ``..``)? Nothing else is requested but their robots.txt."""
        site, path = site_of(url), unquote(urlsplit(url).path or "/")
        return any(
            site == scope_site and path.startswith(folder) and (folder == "/" or ".." not in path.split("/"))
            for scope_site, folder in self._scope
        )

    def allowed(self, url: str) -> bool:
        """May the crawler request ``url``? Only on the site (``on_site``), on sites whose robots.txt was
        read, where it allows it."""
        site = site_of(url)
        if site not in self._robots or not self.on_site(url):
            return False
        robots = self._robots[site]
        return robots is None or robots.can_fetch(url, ROBOTS_AGENT)

    # requests -----------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        check_robots: bool = True,
    ) -> Response:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given). Raises FetchError, and
        Disallowed for a URL off the site or that robots.txt disallows (unless ``check_robots`` is
        False: for robots.txt itself)."""
        if check_robots and not self.on_site(url):
            raise Disallowed(url, f"{OFF_SITE}: it is neither on the blog's host nor in the archive's folder")
        if check_robots and not self.allowed(url):
            raise Disallowed(url, "robots.txt disallows it")
        attempt = 0
        while True:
            attempt += 1
            self._wait_turn()
            try:
                return self._request(url, etag, last_modified, max_bytes or self.settings.max_bytes, attempt)
            except _Transient as problem:
                if attempt > self.settings.retries:
                    raise FetchError(
                        url, f"{problem.reason} (gave up after {attempt} attempts)", status=problem.status, attempts=attempt
                    ) from None
                if problem.retry_after is not None:
                    wait = problem.retry_after
                    if wait > self.settings.max_retry_after:
                        raise FetchError(
                            url,
                            f"{problem.reason}; the server asks to wait {wait:.0f} s (over {self.settings.max_retry_after:.0f} s)",
                            status=problem.status,
                            attempts=attempt,
                        ) from None
                else:
                    wait = min(self.settings.backoff * 2 ** (attempt - 1), self.settings.max_backoff)
                self._next_request_at = max(self._next_request_at, self._clock() + wait)
            finally:
                self._next_request_at = max(self._next_request_at, self._clock() + self.delay)

    def _wait_turn(self) -> None:
        pause = self._next_request_at - self._clock()
        if pause > 0:
            self._sleep(pause)

    def _request(self, url: str, etag: str | None, last_modified: str | None, max_bytes: int, attempt: int) -> Response:
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            "Accept-Encoding": "gzip, identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self.requests_made += 1
        self._deadline = deadline = _Deadline(self.timeout)
        try:
            response = self._exchange(url, headers, max_bytes, attempt)
        except (_Transient, FetchError):
            if deadline.expired:
                raise _Transient(f"timed out: no complete answer within {self.timeout:g} s") from None
            raise
        finally:
            deadline.cancel()
        if deadline.expired:  # the cut may look like the end of a body without a Content-Length
            raise _Transient(f"timed out: no complete answer within {self.timeout:g} s")
        return response

    def connection_factory(self, connection_class: type) -> Callable[..., http.client.HTTPConnection]:
        """What urllib calls to make a connection: one the current request's deadline can cut."""
        return functools.partial(connection_class, deadline=self._deadline)

    def _exchange(self, url: str, headers: dict, max_bytes: int, attempt: int) -> Response:
        try:
            with self._opener.open(urllib.request.Request(url, headers=headers), timeout=self.timeout) as response:
                body = _read_body(response, max_bytes)
                return Response(
                    url=url,
                    final_url=response.geturl(),
                    status=response.status,
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                    attempts=attempt,
                )
        except urllib.error.HTTPError as error:
            with contextlib.closing(error):
                return self._http_error(url, error, attempt)
        except urllib.error.URLError as error:
            raise self._network_error(url, error.reason, attempt) from None
        except http.client.IncompleteRead as error:
            raise _Transient(
                f"truncated body: {len(error.partial)} bytes received, {len(error.partial) + (error.expected or 0)} announced"
            ) from None
        except (TimeoutError, socket.timeout):
            raise _Transient(f"timed out after {self.timeout:g} s") from None
        except (http.client.HTTPException, ConnectionError) as error:
            raise _Transient(f"connection failed: {error!r}") from None
        except OSError as error:
            raise self._network_error(url, error, attempt) from None

    def _http_error(self, url: str, error: urllib.error.HTTPError, attempt: int) -> Response:
        code = error.code
        if code == 304:
            return Response(
                url=url,
                final_url=error.geturl() or url,
                status=304,
                body=b"",
                etag=error.headers.get("ETag"),
                last_modified=error.headers.get("Last-Modified"),
                content_type=None,
                attempts=attempt,
            )
        if code in _REDIRECT_CODES:
            # urllib gives up on a redirect that comes back to a URL it has seen (or after ten hops).
            reason = str(error.reason)
            if "disallows" in reason or OFF_SITE in reason:
                raise FetchError(url, reason, status=code, attempts=attempt)
            raise FetchError(url, f"redirect loop (HTTP {code}, last to {error.geturl()})", status=code, attempts=attempt)
        if code in _RETRIED_STATUS:
            raise _Transient(f"HTTP {code} {error.reason}", status=code, retry_after=_retry_after(error.headers.get("Retry-After")))
        raise FetchError(url, f"HTTP {code} {error.reason}", status=code, attempts=attempt)

    def _network_error(self, url: str, reason: object, attempt: int) -> Exception:
        if isinstance(reason, socket.gaierror):
            host = urlsplit(url).hostname
            message = f"DNS lookup failed for {host}: {reason.strerror or reason}"
            if reason.errno == socket.EAI_AGAIN:
                return _Transient(message)
            return FetchError(url, message, attempts=attempt)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return _Transient(f"timed out after {self.timeout:g} s")
        if isinstance(reason, ConnectionRefusedError):
            return _Transient("connection refused")
        if isinstance(reason, (ConnectionError, http.client.HTTPException)):
            return _Transient(f"connection failed: {reason!r}")
        if isinstance(reason, OSError) and not isinstance(reason, ssl.SSLError):
            return _Transient(f"network error: {reason.strerror or reason}")
        return FetchError(url, f"cannot fetch: {reason}", attempts=attempt)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to URLs on the site (``Fetcher.on_site``) that robots.txt allows."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 (urllib's signature)
        target = urljoin(req.full_url, newurl)
        if not self._fetcher.on_site(target):
            raise urllib.error.HTTPError(req.full_url, code, f"redirected to {target}: {OFF_SITE}", headers, fp)
        if not self._fetcher.allowed(target):
            raise urllib.error.HTTPError(req.full_url, code, f"redirected to {target}, which robots.txt disallows", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def site_of(url: str) -> str:
    """``scheme://host:port`` of a URL: the unit robots.txt rules (RFC 9309)."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port that is not a number: a site of its own, never requested
        port = parts.netloc.rpartition(":")[2]
    return f"{parts.scheme}://{parts.hostname or ''}:{port}".lower()


class _Deadline:
    """The total time one request may take. When it passes, the sockets of the request's connections
    are shut down, which ends a connect, a read of headers or a read of the body in progress."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()
        self._timer.join()

    def _cut(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection:
    """A connection whose socket its request's deadline watches (mixed into http.client's classes).

    The socket is watched from the moment it is connected, before a TLS handshake, through
    http.client's ``_create_connection`` hook (an instance attribute it sets for this purpose).
    """

    def __init__(self, *args, deadline: _Deadline, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = self._connect_watched

    def _connect_watched(self, *args, **kwargs) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        self._deadline.watch(sock)
        return sock


class _WatchedHTTPConnection(_WatchedConnection, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, http.client.HTTPSConnection):
    pass


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self._fetcher = fetcher

    def http_open(self, req):  # noqa: D102 (urllib's signature)
        return self.do_open(self._fetcher.connection_factory(_WatchedHTTPConnection), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self._fetcher = fetcher

    def https_open(self, req):  # noqa: D102 (urllib's signature)
        return self.do_open(self._fetcher.connection_factory(_WatchedHTTPSConnection), req, context=self._context)


def _read_body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The whole body, decompressed as it streams in; over ``max_bytes`` on the wire or decompressed
    is a FetchError, a body shorter than its Content-Length or a cut gzip stream is truncated."""
    url = response.geturl()
    length = response.headers.get("Content-Length")
    expected = int(length) if length is not None and length.strip().isdigit() else None
    if expected is not None and expected > max_bytes:
        raise FetchError(url, f"the page is {expected} bytes, over the {max_bytes}-byte limit")
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in _DECODERS and encoding != "identity":
        raise FetchError(url, f"the page is sent with Content-Encoding {encoding!r}, which the crawler does not read")
    decoder = zlib.decompressobj(_DECODERS[encoding]) if encoding in _DECODERS else None
    parts: list[bytes] = []
    received = size = 0
    try:
        while chunk := response.read1(_CHUNK_BYTES):
            received += len(chunk)
            if received > max_bytes:
                raise FetchError(url, f"the page is over the {max_bytes}-byte limit")
            pieces = [chunk]
            if decoder is not None:  # a chunk at a time: at most the cap plus one chunk in memory
                pieces = []
                while chunk:
                    pieces.append(decoder.decompress(chunk, min(_CHUNK_BYTES, max_bytes - size + 1)))
                    size += len(pieces[-1])
                    chunk = decoder.unconsumed_tail if size <= max_bytes else b""
            else:
                size += len(chunk)
            if size > max_bytes:
                raise FetchError(url, f"the page decompresses to over the {max_bytes}-byte limit")
            parts.extend(pieces)
        if decoder is not None:
            parts.append(decoder.flush())
            if size + len(parts[-1]) > max_bytes:
                raise FetchError(url, f"the page decompresses to over the {max_bytes}-byte limit")
            if not decoder.eof:
                raise _Transient("truncated or corrupt gzip body: the compressed stream ends early")
    except zlib.error as error:
        raise _Transient(f"truncated or corrupt gzip body: {error}") from None
    if expected is not None and received < expected:
        raise _Transient(f"truncated body: {received} bytes received, {expected} announced")
    return b"".join(parts)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
