"""The old monthly archive's addresses: ``pprnet_blog_<month><year>.html`` with inconsistent spellings.

Months are spelled in full (``march2013``, ``june2014``), in three letters (``aug2015``,
``feb2016``, ``oct2014``) or as ``sept`` (``sept2014``); ``pprnet_blog.html`` was the current month.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from indexer.page_links import ARCHIVE_FILE

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
# Every spelling an archive address is known to use, to its month number.
_SPELLINGS = {name: number for number, name in enumerate(_MONTHS, 1)} | {
    name[:3]: number for number, name in enumerate(_MONTHS, 1)
} | {"sept": 9}


def spellings(month: int) -> list[str]:
    """The spellings to try for a month, most likely first: full name, three letters, ``sept``."""
    full = _MONTHS[month - 1]
    return list(dict.fromkeys([full, full[:3]] + (["sept"] if month == 9 else [])))


def month_urls(archive_url: str, month: str) -> list[str]:
    """The addresses a month (``YYYY-MM``) may have in the archive folder ``archive_url``."""
    year, number = month.split("-")
    folder = archive_url if archive_url.endswith("/") else archive_url + "/"
    return [urljoin(folder, f"pprnet_blog_{name}{year}.html") for name in spellings(int(number))]


def month_of(url: str) -> str | None:
    """The month (``YYYY-MM``) an archive address names, or None (``pprnet_blog.html``, other pages)."""
    match = ARCHIVE_FILE.match(urlsplit(url).path.rsplit("/", 1)[-1])
    if not match or not match.group(1):
        return None
    number = _SPELLINGS.get(match.group(1).lower())
    return f"{match.group(2)}-{number:02d}" if number else None


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
