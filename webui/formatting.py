"""Small display helpers shared by templates and views (registered as Jinja filters)."""
from __future__ import annotations

import re

from search.post import Post

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
FACET_TITLES = {"topic": "Topic", "type": "Research type", "journal": "Journal", "author": "Author", "year": "Year"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def month_label(issue_date: str | None) -> str:
    """``2021-01`` -> ``January 2021``; anything else as given."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", issue_date or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return issue_date or ""
    return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown: research types start with a capital."""
    if facet == "type" and value:
        return value[0].upper() + value[1:]
    return value


def byline(post: Post, max_authors: int = 3) -> str:
    """``Firth, N., Saxon, D., & Stiles, W. B. et al. (2019)`` shortened for cards."""
    authors = list(post.authors)
    if not authors:
        text = ""
    elif len(authors) == 1:
        text = authors[0]
    elif len(authors) <= max_authors:
        text = ", ".join(authors[:-1]) + ", & " + authors[-1]
    else:
        text = ", ".join(authors[:max_authors]) + " et al."
    if post.year:
        text = f"{text} ({post.year})" if text else f"({post.year})"
    return text


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def xml_text(text) -> str:
    """Text with the characters XML 1.0 forbids removed (Jinja still escapes it)."""
    return _CONTROL_CHARS.sub("", "" if text is None else str(text))


def register_filters(app) -> None:
    app.jinja_env.filters.update(month=month_label, type_label=lambda value: facet_label("type", value), facet_label=facet_label, byline=byline, xml=xml_text)
    app.jinja_env.globals.update(plural=plural, FACET_TITLES=FACET_TITLES)
