"""Blog months (``YYYY-MM``) from the places a page states them: headings, dated lines, ISO dates, addresses.

A month heading groups the posts below it ("January 2021", "PPRNet Blog: June 2013"); a dated line
("June 3, 2021", "Posted on June 3, 2021 by Jane Doe", "Tuesday, March 10, 2015", "By Jane Doe, 3
June, 2021", "6 min read · Jun 3, 2021", Drupal's "Submitted by admin on Tue, 06/08/2021 - 10:02")
dates the post it stands by; ``<time datetime>``,
``article:published_time`` and JSON-LD give ISO dates; old archive pages name their month only in
their address (``pprnet_blog_sept2014.html``). A month named inside
running text (an introduction that mentions other dates) is never read.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_HEADING = re.compile(
    r"^(?:(?:pprnet\s+)?blog\s*[:\-–—]?\s*)?(" + _NAMES + r")\.?,?\s+((?:19|20)\d\d)\s*[.:]?$", re.I
)
_DATED_LINE = re.compile(
    r"^(?:(?:posted|published|written)(?:\s+on)?:?\s+"  # "Posted on", "Published"
    r"|by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:,|\bon\b|[|·•–—-])\s*"  # "By Dana Whitfield, "
    r"|[^|·•–—]{1,40}\s[|·•–—]\s+)?"  # "6 min read · "
    r"(?:\w+day,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(" + _NAMES
    + r")\.?,?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?((?:19|20)\d\d)\b(?:\s*(?:by|at|[|·•–—-])\s+.{0,80})?\s*[.:]?$",
    re.I,
)
# Drupal's default date format, month first: "Submitted by admin on Tue, 06/08/2021 - 10:02".
_DRUPAL_DATED_LINE = re.compile(
    r"^(?:(?:submitted|posted) by .{1,60}? on\s+)?(?:mon|tue|wed|thu|fri|sat|sun)\w*,\s+(0[1-9]|1[0-2])/[0-3]\d/"
    r"((?:19|20)\d\d)\s+-\s+\d\d:\d\d$",
    re.I,
)
_MAX_DATED_LINE_WORDS = 16
_ISO_MONTH = re.compile(r"^\s*((?:19|20)\d\d)-(0[1-9]|1[0-2])")
_ADDRESS_MONTH_NAME = re.compile(r"(?<![a-z])(" + _NAMES + r")[-_ ]?((?:19|20)\d\d)(?!\d)", re.I)
_ADDRESS_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/](0[1-9]|1[0-2])(?:[-_/]|$)")


def _month(name: str, year: str) -> str:
    return f"{year}-{MONTHS[name.lower()]:02d}"


def heading_month(text: str) -> str | None:
    """A month heading: ``"January 2021"``, ``"PPRNet Blog: June 2013"`` -> ``"2021-01"``; else None."""
    match = _MONTH_HEADING.match(text.strip())
    return _month(match.group(1), match.group(2)) if match else None


def dated_line_month(text: str) -> str | None:
    """A dated line or byline: ``"Posted on June 3, 2021 by Jane Doe"`` -> ``"2021-06"``; else None."""
    if len(text.split()) > _MAX_DATED_LINE_WORDS:
        return None
    match = _DATED_LINE.match(text.strip())
    if match:
        return _month(match.group(1), match.group(2))
    match = _DRUPAL_DATED_LINE.match(text.strip())
    return f"{match.group(2)}-{match.group(1)}" if match else None


def iso_month(value: str) -> str | None:
    """``"2021-06-03T09:00:00Z"`` -> ``"2021-06"``; None when the value does not start with a date."""
    match = _ISO_MONTH.match(value)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def address_month(address: str | None) -> str | None:
    """The month a page address or file name names: ``pprnet_blog_sept2014.html`` -> ``2014-09``,
    ``/2021/06/slug`` -> ``2021-06``."""
    if not address:
        return None
    parts = urlsplit(address)
    path = unquote(parts.path if parts.scheme else address)
    name = path.rsplit("/", 1)[-1]
    match = _ADDRESS_MONTH_NAME.search(name)
    if match:
        return _month(match.group(1), match.group(2))
    match = _ADDRESS_YEAR_MONTH.search(path)
    return f"{match.group(1)}-{match.group(2)}" if match else None
