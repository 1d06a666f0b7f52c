"""A Crossref work record (the ``message`` of ``api.crossref.org/works``) read against a post's citation.

:func:`agrees` says whether a record is the work the blog's line cites (title, year and first author);
:func:`complete` returns the post with the fields the record completes: the whole author list, volume,
issue, pages (or the article number) where Crossref has them, and what the blog's line lacks (year,
title, journal, DOI). The blog's line stays in ``citation``; what the record adds beyond the flat fields
(authors with given names and ORCID, ISSN, publisher, type, article number) and the blog's own values of
the fields it replaced go in ``Post.crossref``; ``metadata_source`` becomes ``"crossref"``.

Only the fields read here are kept from a record (:func:`trimmed`), so the cache stays small.
"""
from __future__ import annotations

import difflib
import html
import re
import unicodedata

from search.post import METADATA_CROSSREF, Post

# The parts of a work record that are read (Crossref's own names); the rest (references, licences...) is dropped.
KEPT_FIELDS = ("DOI", "type", "title", "subtitle", "author", "container-title", "volume", "issue", "page",
               "article-number", "ISSN", "publisher", "issued", "published-print", "published-online")
_KEPT_AUTHOR_FIELDS = ("given", "family", "name", "suffix", "ORCID", "sequence")
# Titles agree when equal once folded, or this similar (a changed word or two of punctuation in a long title).
_TITLE_SIMILARITY = 0.9
_TAG = re.compile(r"<[^>]{0,200}>")
_NOT_WORD = re.compile(r"[\W_]+")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_INITIAL_PARTS = re.compile(r"[\s.]+")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})  # as the blog's lines are read (indexer.citation)


def trimmed(work: dict) -> dict:
    """The fields of a work record that completion reads."""
    kept = {name: work[name] for name in KEPT_FIELDS if name in work}
    if isinstance(kept.get("author"), list):
        kept["author"] = [{name: author[name] for name in _KEPT_AUTHOR_FIELDS if name in author}
                          for author in kept["author"] if isinstance(author, dict)]
    return kept


def agrees(post: Post, work: dict) -> bool:
    """Whether ``work`` is the work the post's citation names: the title, the year and the first author
    agree (the rule for accepting a bibliographic query's hit)."""
    return bool(post.article_title and post.year and post.authors) and _same_title(post, work) \
        and post.year in _years(work) and _same_first_author(post, work)


def plausible(post: Post, work: dict) -> bool:
    """Whether the record of the post's DOI can be its work: not when both the title and the first author
    disagree with the line (a mistyped DOI that names another work)."""
    if not post.article_title or not post.authors:
        return True
    return _same_title(post, work) or _same_first_author(post, work)


def complete(post: Post, work: dict, *, matched_by: str) -> Post:
    """The post completed from ``work`` (``matched_by``: ``"doi"`` or ``"query"``)."""
    people = [author for author in _list(work.get("author")) if isinstance(author, dict)]
    names = tuple(filter(None, map(_short_name, people)))
    first_page, article_number = _text(work.get("page")), _text(work.get("article-number"))
    changes: dict = {}
    if names and len(names) == len(people) and (not post.authors_complete or len(names) >= len(post.authors)):
        changes.update(authors=names, authors_complete=True, last_author_known=True)
    for field, value in (("volume", _text(work.get("volume"))), ("issue", _text(work.get("issue"))),
                         ("pages", _page_range(first_page) or article_number)):
        if value:
            changes[field] = value
    for field, value in (("year", min(_years(work), default=None)), ("article_title", _title(work)),
                         ("journal", _first(work.get("container-title"))), ("doi", _text(work.get("DOI")))):
        if value and not getattr(post, field):
            changes[field] = value
    changes = {field: value for field, value in changes.items() if value != getattr(post, field)}
    blog = {field: list(value) if isinstance(value, tuple) else value
            for field, value in ((field, getattr(post, field)) for field in changes)}
    details = {
        "matched_by": matched_by,
        "type": _text(work.get("type")),
        "publisher": _text(work.get("publisher")),
        "issn": [issn for issn in map(_text, _list(work.get("ISSN"))) if issn],
        "article_number": article_number,
        "authors": [_person(author) for author in people],
        "blog": blog,
    }
    details = {name: value for name, value in details.items() if value or name == "blog"}
    return post.replace(**changes, metadata_source=METADATA_CROSSREF, crossref=details)


# -- reading a record --------------------------------------------------------------------------------------
def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str | None:
    """A record's string (markup such as ``<i>`` removed, entities decoded), one line, or None."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = unicodedata.normalize("NFC", html.unescape(_TAG.sub("", str(value)))).translate(_HYPHENS)
    text = " ".join(text.split())
    return text or None


def _first(value) -> str | None:
    return next(filter(None, map(_text, _list(value))), None)


def _title(work: dict) -> str | None:
    title, subtitle = _first(work.get("title")), _first(work.get("subtitle"))
    if title and subtitle and not _fold(title).endswith(_fold(subtitle)):
        return f"{title}: {subtitle}"
    return title


def _years(work: dict) -> set[int]:
    """The years of the record's dates (issued, print and online): an article online in 2019 and in print
    in 2020 is cited under either, depending on the version read."""
    years = set()
    for name in ("issued", "published-print", "published-online"):
        parts = (work.get(name) or {}).get("date-parts") if isinstance(work.get(name), dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] else None
        if first and isinstance(first[0], int):
            years.add(first[0])
    return years


def _page_range(page: str | None) -> str | None:
    """``"526-538"`` with the en dash the blog's lines use."""
    return re.sub(r"\s*[-\u2010-\u2015]+\s*", "\u2013", page) if page else None


def _short_name(author: dict) -> str | None:
    """``"Lo Coco, G."`` (the ``authors`` form); an organisation by its name."""
    family, given = _text(author.get("family")), _text(author.get("given"))
    if not family:
        return _text(author.get("name")) or given
    initials = _initials(given) if given else ""
    suffix = _text(author.get("suffix"))
    return ", ".join(filter(None, (family, initials, suffix)))


def _initials(given: str) -> str:
    """``"Giorgio A."`` -> ``"G. A."``; ``"Jean-Philippe"`` -> ``"J.-P."``."""
    words = []
    for word in _INITIAL_PARTS.split(given):
        parts = [part for part in word.split("-") if part]
        if parts:
            words.append("-".join(f"{part[0]}." for part in parts))
    return " ".join(words)


def _person(author: dict) -> dict:
    """One author as kept in ``Post.crossref``: family and given names, the ORCID iD (bare), the sequence."""
    orcid = _ORCID.search(_text(author.get("ORCID")) or "")
    person = {
        "family": _text(author.get("family")),
        "given": _text(author.get("given")),
        "name": None if author.get("family") else _text(author.get("name")),
        "suffix": _text(author.get("suffix")),
        "orcid": orcid.group(1) if orcid else None,
    }
    return {name: value for name, value in person.items() if value}


# -- agreement -----------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: how titles and names are compared."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_WORD.sub(" ", ascii_text.casefold()).split())


def _same_title(post: Post, work: dict) -> bool:
    ours = _fold(post.article_title or "")
    candidates = {_fold(title) for title in (_title(work), _first(work.get("title"))) if title}
    return bool(ours) and any(
        ours == theirs or difflib.SequenceMatcher(None, ours, theirs).ratio() >= _TITLE_SIMILARITY
        for theirs in candidates
    )


def _same_first_author(post: Post, work: dict) -> bool:
    people = [author for author in _list(work.get("author")) if isinstance(author, dict)]
    first = next((author for author in people if author.get("sequence") == "first"), people[0] if people else None)
    if first is None or not post.authors:
        return False
    theirs = _fold(_text(first.get("family")) or _text(first.get("name")) or "")
    ours = _fold(post.authors[0].split(",")[0])
    return bool(ours) and ours == theirs
