"""Metadata that reference managers read from pages: Highwire Press ``citation_*`` meta tags for a post
page (Zotero's connector saves the summarised article, or the blog post when there is none) and COinS
(OpenURL 1.0 ContextObjects in a ``<span class="Z3988">``) for each result of a results page.

COinS use the KEV journal format for articles and the KEV book format otherwise (genre ``book`` for a
cited book or chapter, ``document`` for the blog post), as the OpenURL registry defines them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from webui.references import ARTICLE, BLOG_POST, Reference

_JOURNAL_FORMAT = "info:ofi/fmt:kev:mtx:journal"
_BOOK_FORMAT = "info:ofi/fmt:kev:mtx:book"


def _date(reference: Reference, separator: str) -> str | None:
    if not reference.year:
        return None
    return f"{reference.year}{separator}{reference.month:02d}" if reference.month else str(reference.year)


def highwire_tags(reference: Reference) -> list[tuple[str, str]]:
    """``(name, content)`` pairs for ``<meta name=... content=...>``, one ``citation_author`` per author."""
    tags = [("citation_title", reference.title)]
    tags += [("citation_author", author) for author in reference.authors]
    date = _date(reference, "/")
    if date:
        tags.append(("citation_publication_date", date))
    if reference.kind == ARTICLE:
        tags.append(("citation_journal_title", reference.container or ""))
    elif reference.kind == BLOG_POST:
        tags.append(("citation_publisher", reference.container or ""))
    tags += [(name, value) for name, value in (
        ("citation_volume", reference.volume),
        ("citation_issue", reference.issue),
        ("citation_firstpage", reference.first_page),
        ("citation_lastpage", reference.last_page),
        ("citation_doi", reference.doi),
        ("citation_public_url" if reference.kind == BLOG_POST else "citation_fulltext_html_url", reference.url),
    ) if value]
    return [(name, value) for name, value in tags if value]


def coins_title(reference: Reference) -> str:
    """The ``title`` attribute of a COinS span: a KEV-encoded ContextObject (Jinja escapes the ``&``)."""
    pairs = [("ctx_ver", "Z39.88-2004")]
    if reference.kind == ARTICLE:
        pairs += [("rft_val_fmt", _JOURNAL_FORMAT), ("rft.genre", "article"), ("rft.atitle", reference.title),
                  ("rft.jtitle", reference.container or "")]
    else:
        genre = "document" if reference.kind == BLOG_POST else "book"
        pairs += [("rft_val_fmt", _BOOK_FORMAT), ("rft.genre", genre), ("rft.btitle", reference.title)]
        if reference.kind == BLOG_POST:
            pairs.append(("rft.pub", reference.container or ""))
    if reference.authors:
        family, _, given = reference.authors[0].partition(",")
        pairs += [("rft.aulast", family.strip())] + ([("rft.auinit", given.strip())] if given.strip() else [])
    pairs += [("rft.au", author) for author in reference.authors]
    pairs += [(name, value) for name, value in (
        ("rft.date", _date(reference, "-")),
        ("rft.volume", reference.volume),
        ("rft.issue", reference.issue),
        ("rft.spage", reference.first_page),
        ("rft.epage", reference.last_page),
    ) if value]
    if reference.doi:
        pairs.append(("rft_id", f"info:doi/{reference.doi}"))
    if reference.url:
        pairs.append(("rft_id", reference.url))
    return urlencode([(name, value) for name, value in pairs if value])
