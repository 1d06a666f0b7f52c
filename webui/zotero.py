"""Metadata that reference managers and search engines read from pages: COinS for the works a page
cites, and a schema.org description of a post page as what it is, a blog post about an article.

A post page is the blog's summary of an article, not the article. So it carries no Highwire Press
``citation_*`` tags (nor Dublin Core ``DC.*``): Google Scholar's inclusion guidelines read those as
"this page is the article" and would index the summary as the paper. It carries one COinS (an OpenURL
1.0 ContextObject in a ``<span class="Z3988">``, the format made for pages that cite works), which
Zotero's connector reads before any meta tags (its COinS translator has a higher priority than Embedded
Metadata), so one click saves the summarised article (or the blog post, for a post that cites none);
and a JSON-LD ``BlogPosting`` whose ``citation`` is the ``ScholarlyArticle``, for search engines.
Results pages carry one COinS per result, so Zotero offers them all.

COinS use the KEV journal format for articles and the KEV book format otherwise (genre ``book`` for a
cited book or chapter, ``document`` for the blog post), as the OpenURL registry defines them. An author
list the blog left incomplete is not given as if whole: with a DOI, the ContextObject names no author
(Zotero's COinS translator then fetches the whole record by the DOI); without one, it names the known
authors (KEV has no way to say "and others").
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


def coins_title(reference: Reference) -> str:
    """The ``title`` attribute of a COinS span: a KEV-encoded ContextObject (Jinja escapes the ``&``)."""
    pairs = [("ctx_ver", "Z39.88-2004")]
    if reference.kind == ARTICLE:
        pairs += [("rft_val_fmt", _JOURNAL_FORMAT), ("rft.genre", "article"), ("rft.atitle", reference.title),
                  ("rft.jtitle", reference.container or "")]
        pairs += [("rft.issn", issn) for issn in reference.issn[:1]]
    else:
        genre = "document" if reference.kind == BLOG_POST else "book"
        pairs += [("rft_val_fmt", _BOOK_FORMAT), ("rft.genre", genre), ("rft.btitle", reference.title)]
        if reference.kind == BLOG_POST:
            pairs.append(("rft.pub", reference.container or ""))
    if reference.names and (reference.authors_complete or not reference.doi):
        family, given = reference.names[0]
        pairs += [("rft.aulast", family)] + ([("rft.aufirst", given)] if given else [])
        pairs += [("rft.au", ", ".join(filter(None, name))) for name in reference.names]
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


def blog_posting(blog: Reference, article: Reference | None, page_url: str) -> dict:
    """schema.org JSON-LD for a post page: a ``BlogPosting`` (this page, with the blog's address of the
    post as ``sameAs``) whose ``citation`` is the ``ScholarlyArticle`` it summarises."""
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": blog.title,
        "url": page_url,
        "sameAs": blog.url if blog.url != page_url else None,
        "datePublished": _date(blog, "-"),
        "author": _agent(*blog.names[0]),
        "isPartOf": {"@type": "Blog", "name": blog.container},
    }
    if article is not None:
        posting["citation"] = {
            "@type": "ScholarlyArticle",
            "name": article.title,
            "author": [_agent(*name) for name in article.names],
            "datePublished": str(article.year) if article.year else None,
            "isPartOf": {"@type": "Periodical", "name": article.container} if article.container else None,
            "sameAs": article.doi_url,
        }
        posting["citation"] = {name: value for name, value in posting["citation"].items() if value}
    return {name: value for name, value in posting.items() if value}


def _agent(family: str, given: str) -> dict:
    """A schema.org author: a ``Person``, or an ``Organization`` for a name without given names."""
    if given:
        return {"@type": "Person", "familyName": family, "givenName": given}
    return {"@type": "Organization", "name": family}
