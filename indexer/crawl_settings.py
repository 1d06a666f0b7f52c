"""The crawler's settings in one place: where it starts and how politely and boundedly it fetches.

:class:`CrawlSettings` is the only home of the defaults; the ``crawl`` command (``cli``) builds its
options from the fields and their ``help``/``metavar`` metadata (so ``--help`` shows these defaults),
and the fetcher and crawler read them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

USER_AGENT = "pprnet-search/0.1 (+https://github.com/pprnet-search; research summaries search)"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_EMAIL = re.compile(r"^[^\s@();<>]+@[^\s@();<>]+\.[^\s@();<>]+$")


def _option(help_text: str, metavar: str | None = None) -> dict:
    return {"metadata": {"help": help_text, "metavar": metavar}}


@dataclass(frozen=True)
class CrawlSettings:
    """How one crawl runs. Every field is a ``crawl`` command-line option (``base_url`` -> ``--base-url``)."""

    base_url: str = field(
        default="https://socialsciences.uottawa.ca/pprnet/blog",
        **_option("the blog listing to start from", "URL"),
    )
    archive_url: str = field(
        default="http://www.med.uottawa.ca/pprnet/eng/",
        **_option("the folder of the old monthly archive (pprnet_blog_<month><year>.html); '' skips it", "URL"),
    )
    archive_start: str = field(
        default="2013-01",
        **_option("the first month (YYYY-MM) to look for in the old archive by its address pattern", "YYYY-MM"),
    )
    delay: float = field(default=2.0, **_option("seconds to wait between two requests", "SECONDS"))
    timeout: float = field(
        default=30.0,
        **_option("seconds one request may take in all (connect, headers, body, redirects)", "SECONDS"),
    )
    max_pages: int = field(default=1000, **_option("stop after requesting this many pages (the next run continues)", "N"))
    max_bytes: int = field(
        default=16 * 1024 * 1024,
        **_option("the largest page accepted, on the wire and decompressed", "BYTES"),
    )
    retries: int = field(default=3, **_option("further attempts after a timeout, a dropped connection, 429 or 5xx", "N"))
    backoff: float = field(default=1.0, **_option("seconds before the first retry (doubling each time)", "SECONDS"))
    max_backoff: float = field(default=60.0, **_option("the longest wait between two retries", "SECONDS"))
    max_retry_after: float = field(
        default=300.0,
        **_option("the longest Retry-After honoured; a longer one fails the page until the next run", "SECONDS"),
    )
    max_listing_pages: int = field(default=500, **_option("the most pages one listing may have", "N"))
    user_agent: str = field(default=USER_AGENT, **_option("the User-Agent header", "TEXT"))
    crossref: bool = field(
        default=True,
        **_option("after the pages, complete the posts' citations from Crossref (--no-crossref: the blog's lines only)"),
    )
    crossref_url: str = field(default="https://api.crossref.org", **_option("Crossref's REST API", "URL"))
    mailto: str = field(
        default="",
        **_option("your e-mail address, sent to Crossref in the User-Agent as its etiquette asks", "EMAIL"),
    )

    def __post_init__(self) -> None:
        problems = []
        for name in ("base_url", "archive_url", "crossref_url"):
            value = getattr(self, name)
            parts = urlsplit(value)
            if (value or name != "archive_url") and (parts.scheme not in ("http", "https") or not parts.hostname):
                problems.append(f"--{name.replace('_', '-')} must be an http(s) URL, not {value!r}")
        if self.mailto and not _EMAIL.match(self.mailto):
            problems.append(f"--mailto must be an e-mail address such as name@example.org, not {self.mailto!r}")
        if not _MONTH.match(self.archive_start):
            problems.append(f"--archive-start must be a month such as 2013-01, not {self.archive_start!r}")
        for name in ("delay", "backoff", "max_backoff", "max_retry_after", "retries"):
            if getattr(self, name) < 0:
                problems.append(f"--{name.replace('_', '-')} must be 0 or more")
        for name in ("timeout", "max_pages", "max_bytes", "max_listing_pages"):
            if getattr(self, name) <= 0:
                problems.append(f"--{name.replace('_', '-')} must be more than 0")
        if problems:
            raise ValueError("; ".join(problems))
