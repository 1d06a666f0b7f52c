"""What a post is cited as: the summarised article, and the blog post itself ("Cite this summary").

A :class:`Reference` is built from a :class:`~search.post.Post` once and every format is written from
it (APA here; BibTeX, RIS and CSL-JSON in :mod:`webui.reference_files`; COinS in :mod:`webui.zotero`).
A citation completed from Crossref (``Post.metadata_source``) is cited whole, with its authors' given
names; an author list the blog elided or garbled (``Post.authors_complete`` false) stays marked
incomplete in every format, each in its own way, with its last author kept last when the blog names it
(``Post.last_author_known``). Addresses are kept only when they are http(s).

APA 7 is written by hand rather than with citeproc-py's APA 7 style: CSL data cannot say that an author
list is incomplete (citeproc prints an elided list as if whole, the very error to avoid), and its blog-post
form drops the ``[Blog post]`` description.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus

from search.post import METADATA_CROSSREF, URL_ARCHIVE, URL_POST, Post
from webui.formatting import MONTHS, month_label
from webui.links import web_url

BLOG_NAME = "PPRNet blog"
BLOG_AUTHOR = "Tasca, G. A."
APA_MAX_AUTHORS = 20
APA_ELLIPSIS = ". . ."

ARTICLE = "article"      # a journal article
DOCUMENT = "document"    # a cited work without a journal (book, chapter, report)
BLOG_POST = "blog-post"  # the PPRNet summary itself

_DASHES = re.compile(r"\s*[\u2010-\u2015-]+\s*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Reference:
    """One citable work, its fields already cleaned to one line each."""

    kind: str
    authors: tuple[str, ...]
    authors_complete: bool
    title: str
    year: int | None = None
    month: int | None = None
    container: str | None = None  # journal, or the blog's name
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    doi: str | None = None
    url: str | None = None         # the blog post's address (an article is found by its DOI)
    note: str | None = None        # where the article was summarised, or what the blog post summarises
    as_written: str | None = None  # the citation line, for an article whose fields could not be read
    last_author_known: bool = True  # an incomplete list's last name is the work's last author
    names: tuple[tuple[str, str], ...] = ()  # (family, given) per author, given names in full where known
    issn: tuple[str, ...] = ()
    publisher: str | None = None
    blog_author_count: int | None = None  # how many authors the blog's line named, when Crossref's list is longer

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None


def one_line(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """``"345–356"`` -> ``("345", "356")``; an article number alone -> ``("e123", None)``."""
    if not pages:
        return None, None
    parts = [part for part in _DASHES.split(pages.strip()) if part]
    if len(parts) >= 2:
        return parts[0], parts[-1]
    return (parts[0] if parts else None), None


def has_article(post: Post) -> bool:
    """Whether the post cites an article whose fields could be read (else only the blog post is cited)."""
    return bool(post.citation) and bool(post.authors or post.journal or post.article_title)


def article_reference(post: Post, page_url: str | None = None) -> Reference | None:
    """The summarised work, or None when the post gives no readable citation. ``page_url``: as for
    :func:`blog_reference` (the summary's address goes in the note)."""
    if not has_article(post):
        return None
    first, last = page_range(post.pages)
    readable = bool(post.authors and post.journal)
    crossref = (post.crossref or {}) if post.metadata_source == METADATA_CROSSREF else {}
    blog_authors = crossref.get("blog", {}).get("authors")
    return Reference(
        kind=ARTICLE if post.journal else DOCUMENT,
        authors=tuple(one_line(author) for author in post.authors),
        authors_complete=post.authors_complete,
        title=one_line(post.article_title or post.title).rstrip("."),
        year=post.year,
        container=one_line(post.journal) or None,
        volume=one_line(post.volume) or None,
        issue=one_line(post.issue) or None,
        first_page=first,
        last_page=last,
        doi=one_line(post.doi) or None,
        note=_summary_note(post, page_url),
        as_written=None if readable else one_line(post.citation),
        last_author_known=post.last_author_known,
        names=_names(post, crossref),
        issn=tuple(one_line(issn) for issn in crossref.get("issn", ())),
        publisher=one_line(crossref.get("publisher")) or None,
        blog_author_count=len(blog_authors) if blog_authors is not None and len(blog_authors) < len(post.authors) else None,
    )


def _names(post: Post, crossref: dict) -> tuple[tuple[str, str], ...]:
    """(family, given) per author: Crossref's given names when it gave the list, else the initials."""
    people = crossref.get("authors") or ()
    if len(people) == len(post.authors):
        return tuple((one_line(person.get("family") or person.get("name")), one_line(person.get("given")))
                     for person in people)
    return tuple(name_parts(author) for author in post.authors)


def name_parts(author: str) -> tuple[str, str]:
    """``"Lo Coco, G."`` -> ``("Lo Coco", "G.")``; a name without a comma is an organisation's: ``(name, "")``."""
    family, _, given = one_line(author).partition(",")
    return family.strip(), given.strip()


def _summary_note(post: Post, page_url: str | None = None) -> str:
    """Where the article was summarised (the post's address is the summary's, never the article's)."""
    address = summary_url(post, page_url)
    return f"Summarised on the {BLOG_NAME} ({month_label(post.issue_date)}): {one_line(post.title)}" + (
        f". {address}" if address else "")


def summary_url(post: Post, page_url: str | None = None) -> str | None:
    """The address of the summary: the post's own page on the blog, else its archive month page (with an
    anchor), else ``page_url`` (this site's page of the post), never a listing page, whose posts move."""
    if post.url_kind in (URL_POST, URL_ARCHIVE) and web_url(post.url):
        return web_url(post.url)
    return web_url(page_url)


def blog_reference(post: Post, page_url: str | None = None) -> Reference:
    """The summary as a blog post by the blog's author, dated by its blog month; ``page_url`` is the
    address cited when the blog gives the post none of its own (:func:`summary_url`)."""
    year, month = _year_month(post.issue_date)
    note = None
    if post.citation:
        note = f"Summary of: {one_line(post.citation)}"
    return Reference(
        kind=BLOG_POST,
        authors=(BLOG_AUTHOR,),
        authors_complete=True,
        title=one_line(post.title).rstrip("."),
        year=year,
        month=month,
        container=BLOG_NAME,
        url=summary_url(post, page_url),
        note=note,
        names=(name_parts(BLOG_AUTHOR),),
    )


def primary_reference(post: Post, page_url: str | None = None) -> Reference:
    """What an export of this post holds: the article it summarises, else the blog post."""
    return article_reference(post, page_url) or blog_reference(post, page_url)


def _year_month(issue_date: str | None) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", issue_date or "")
    if not match:
        return None, None
    month = int(match.group(2))
    return int(match.group(1)), month if 1 <= month <= 12 else None


# -- APA 7 -------------------------------------------------------------------------------------------
def apa_authors(authors: tuple[str, ...], complete: bool, last_known: bool = True) -> str:
    """APA 7: up to 20 names with ``&`` before the last; more, or an elided list, as the first names
    (at most 19), an ellipsis and the last name; a list whose last author is unknown ("et al." on the
    blog) ends with the ellipsis, never with an ``&`` that claims the list whole."""
    if not authors:
        return ""
    if complete and len(authors) <= APA_MAX_AUTHORS:
        if len(authors) == 1:
            return authors[0]
        return ", ".join(authors[:-1]) + ", & " + authors[-1]
    if len(authors) == 1 or not (complete or last_known):
        return ", ".join(authors[:APA_MAX_AUTHORS - 1]) + f", {APA_ELLIPSIS}"
    head = authors[:min(len(authors) - 1, APA_MAX_AUTHORS - 1)]
    return ", ".join(head) + f", {APA_ELLIPSIS} " + authors[-1]


def apa_segments(reference: Reference) -> list[tuple[str, bool]]:
    """The APA 7 reference as ``(text, italic)`` segments; the template escapes each one."""
    if reference.kind == BLOG_POST:
        date = f"{reference.year or 'n.d.'}" + (f", {MONTHS[reference.month - 1]}" if reference.month else "")
        tail = f" {reference.url}" if reference.url else ""
        return [(f"{apa_authors(reference.authors, True)} ({date}). {reference.title} [Blog post]. "
                 f"{reference.container}.{tail}", False)]
    if reference.as_written:
        return [(reference.as_written, False)]
    authors = apa_authors(reference.authors, reference.authors_complete, reference.last_author_known)
    head = f"{authors} ({reference.year or 'n.d.'}). "
    if reference.kind == DOCUMENT:
        segments = [(head, False), (reference.title, True), (".", False)]
    else:
        segments = [(head + f"{reference.title}. ", False), (reference.container or "", True)]
        if reference.volume:
            segments += [(", ", False), (reference.volume, True)]
            if reference.issue:
                segments.append((f"({reference.issue})", False))
            if reference.first_page:
                pages = f"{reference.first_page}–{reference.last_page}" if reference.last_page else reference.first_page
                segments.append((f", {pages}", False))
            segments.append((".", False))
        else:
            segments.append((". Advance online publication.", False))
    if reference.doi_url:
        segments.append((f" {reference.doi_url}", False))
    return segments


def apa_text(reference: Reference) -> str:
    return "".join(text for text, _ in apa_segments(reference))


# -- finding the article ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FindLinks:
    """Where to read the summarised article: its DOI, else title searches in PubMed and Google Scholar."""

    doi_url: str | None
    pubmed_url: str | None
    scholar_url: str | None


def find_links(post: Post) -> FindLinks:
    if post.doi:
        return FindLinks(f"https://doi.org/{one_line(post.doi)}", None, None)
    if not post.article_title:
        return FindLinks(None, None, None)
    title = one_line(post.article_title)
    return FindLinks(
        None,
        f"https://pubmed.ncbi.nlm.nih.gov/?term={quote_plus(title)}",
        f"https://scholar.google.com/scholar?q={quote_plus(chr(34) + title + chr(34))}",
    )
