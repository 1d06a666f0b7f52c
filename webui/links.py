"""The links the site gives out: absolute addresses that a request cannot steer, and the one check
that a URL taken from a page is safe to export or to render as a link.

Absolute links (the Atom feed, the ``url`` of BibTeX, RIS and JSON exports, canonical links) start
with the configured ``BASE_URL`` (``PPRNET_BASE_URL``) when it is set; otherwise with the request's
own host, which Flask's ``TRUSTED_HOSTS`` limits (an untrusted ``Host`` header is a 400).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for

WEB_SCHEMES = ("http", "https")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None. A link taken from a page (its
    canonical URL) may be ``javascript:``, ``data:`` or ``vbscript:``, which escaping does not make
    safe to follow: nothing else is ever exported or rendered as a link."""
    if not url:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    if any(ord(char) < 0x21 or char in '"<>\\^`{|}' for char in text):
        return None  # whitespace, control characters or markup inside an address: not one
    return text


def checked_base_url(value) -> str | None:
    """The ``BASE_URL`` setting, checked when the app is created. Raises ValueError for anything but
    an http(s) address without query or fragment (a mistyped setting fails at start, not per link)."""
    if value in (None, ""):
        return None
    text = str(value)
    parts = urlsplit(text)
    if web_url(text) is None or parts.query or parts.fragment:
        raise ValueError(f"BASE_URL must be an http(s) address such as https://search.example.org, not {text!r}")
    return text.rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``url_for(endpoint, **values)``."""
    return external_path(url_for(endpoint, **values))


def external_path(path: str) -> str:
    """The absolute address of an app path such as ``/search?q=x`` (which includes the app's mount
    point): under ``BASE_URL`` when it is set (BASE_URL then names the mount point itself), else under
    the request's host, which Flask has checked against ``TRUSTED_HOSTS`` when that is set."""
    base = current_app.config.get("BASE_URL")
    if not base:
        return request.host_url.rstrip("/") + path
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root):]
    return base + path
