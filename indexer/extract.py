"""Files and folders to Post records, with every unreadable page reported and skipped.

The only module that opens corpus files for extraction. ``extract_paths`` walks the inputs, reads
each ``.html``, ``.htm`` or ``.txt`` page, and returns the posts of all pages that could be read
(duplicates merged) together with one :class:`Problem` per page or post that was skipped, one per
block of text no post took, and the count of each case the report shows. A page is read with its
own semantics first (:mod:`indexer.page_meta`: address, kind, date), then by structure
(:mod:`indexer.structure`, which also gives each post its ``rel="tag"`` topics); each post gets the
most stable address this page gives it (``url``/``url_kind``). ``post_ids`` is the cheap structural
pass alone, for the crawler.

Every page is bounded: at most ``MAX_PAGE_BYTES`` and ``MAX_PAGE_ELEMENTS`` elements (lines of a
text page), counted before the page is parsed (a page over either is skipped and reported), and at
most ``MAX_POSTS_PER_PAGE`` posts read from it (the rest reported).
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from indexer.blocks import Block, read_html, text_to_blocks
from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.manifest import CrawlCatalog, SiteListings
from indexer.months import address_month
from indexer.page_meta import PageMeta, is_archive_address, is_listing_address, read_page_meta
from indexer.records import build_post, merge_duplicates, post_id, slugify
from indexer.structure import (
    COMMENTS_SET_ASIDE,
    RUN_ON_TITLES,
    SERIES_SET_ASIDE,
    SIGNATURES_SPLIT,
    WRAPPER_ANCHORS,
    ParsedPage,
    RawPost,
    parse_posts,
)
from indexer.taxonomy import DEFAULT_TOPICS, read_topic_filter
from search.post import TOPICS_FROM_SITE, URL_ARCHIVE, URL_LISTING, URL_POST, Post

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# Real blog pages are well under 1 MB; a page beyond this is refused rather than parsed for minutes.
MAX_PAGE_BYTES = 16 * 1024 * 1024
# A long blog page with a few hundred reader comments has under 10,000 elements (tags); a page with
# more than this (or a text page with more lines) is refused before it is parsed, so nesting or
# repetition cannot make a huge tree.
MAX_PAGE_ELEMENTS = 50_000
_START_TAG = re.compile(r"<[A-Za-z]")
# The blog prints about three posts a month; a page yields at most this many (in page order).
MAX_POSTS_PER_PAGE = 200

# Cases the report counts besides those of the structural parser.
KEPT_BARE = "kept without citation or practice implications"
SITE_TOPICS = "posts with topics from the page's rel=tag links"
NOT_READ = f"posts past the {MAX_POSTS_PER_PAGE} a page may yield, not read"
_COUNTED_CASES = (SITE_TOPICS, SERIES_SET_ASIDE, COMMENTS_SET_ASIDE, WRAPPER_ANCHORS, SIGNATURES_SPLIT, RUN_ON_TITLES,
                  NOT_READ)


@dataclass(frozen=True)
class Problem:
    """Something that was skipped, and why, for a person to read."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Extraction:
    """What a run of the extractor found."""

    posts: list[Post] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unplaced: list[Problem] = field(default_factory=list)
    kept_bare: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    pages_read: int = 0

    def report(self) -> str:
        """The closing summary of a run, for a person: posts, what may be wrong with them, each case
        set aside, and the posts kept with neither a citation nor practice implications."""
        partial = sum(1 for post in self.posts if post.citation and not citation_complete(post))
        return "\n".join([
            f"{len(self.posts)} post{'' if len(self.posts) == 1 else 's'} from {self.pages_read} "
            f"page{'' if self.pages_read == 1 else 's'}",
            f"  without citation: {sum(1 for post in self.posts if not post.citation)}",
            f"  without practice implications: {sum(1 for post in self.posts if not post.implications)}",
            f"  citation lines only partly parsed: {partial}",
            f"  blocks left unplaced: {len(self.unplaced)}",
            f"  posts or pages skipped: {len(self.problems)}",
            f"  {KEPT_BARE}: {len(self.kept_bare)}",
            *(f"    {kept}" for kept in self.kept_bare),
            *(f"  {case}: {self.counts[case]}" for case in _COUNTED_CASES),
        ])


def citation_complete(post: Post) -> bool:
    """Every part of the citation line was read: all authors, the year and the article or book title."""
    return bool(post.authors) and post.authors_complete and post.year is not None and post.article_title is not None


def extract_paths(paths: Iterable[str | os.PathLike]) -> Extraction:
    """Every post in the given files and folders (folders are walked for page files, in name order).

    Pages stored by the crawler (``corpus/crawl/``) are read with the URL and listing their manifest
    records: posts listed under a site Topic or Type of Research get those (site topics win over
    inferred ones), and the URL of the main listing page where they were seen.
    """
    result = Extraction()
    found: list[Post] = []
    catalog = CrawlCatalog()
    site = SiteListings()
    for path in _page_files(paths, result.problems):
        crawled = catalog.lookup(path)
        try:
            page = extract_file(path, url=crawled.url if crawled else None)
        except ExtractionError as error:
            result.problems.append(Problem(str(path), str(error)))
            continue
        except OSError as error:
            result.problems.append(Problem(str(path), f"cannot be read: {error.strerror or error}"))
            continue
        result.pages_read += 1
        found.extend(page.posts)
        if crawled:
            site.note(crawled, page.posts)
        result.problems.extend(Problem(str(path), reason) for reason in page.skipped)
        result.unplaced.extend(Problem(str(path), reason) for reason in page.unplaced)
        result.kept_bare.extend(
            Problem(str(path), f"{post.title!r}") for post in page.posts if post.citation is None and not post.implications
        )
        result.counts.update(page.counts)
    result.posts = site.apply(merge_duplicates(found))
    return result


@dataclass(frozen=True)
class PageResult:
    """One page's posts, the reasons posts were skipped, the blocks no post took, and the counted cases."""

    posts: list[Post]
    skipped: list[str]
    unplaced: list[str]
    counts: Counter = field(default_factory=Counter)


def extract_file(path: Path, *, url: str | None = None) -> PageResult:
    """The posts of one page file, skipped posts and unplaced blocks. Raises ExtractionError."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise ExtractionError(
            f"the page is {size / 1024 / 1024:.1f} MB, over the {MAX_PAGE_BYTES // 1024 // 1024} MB limit for one page"
        )
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text = decode_bytes(path.read_bytes(), is_html=is_html)
    return read_page(text, is_html=is_html, url=url, file_name=path.name)


def extract_page(text: str, *, is_html: bool, url: str | None = None) -> tuple[list[Post], list[str]]:
    """The posts of one decoded page and the reasons for posts skipped in it. Raises ExtractionError
    when it holds none."""
    page = read_page(text, is_html=is_html, url=url)
    return page.posts, page.skipped


def post_ids(text: str, *, is_html: bool, url: str | None = None) -> list[str]:
    """The ids of a page's posts, found structurally (no citation parsing, enrichment or topics):
    the same ids the full extractor gives, cheaply. An empty list when the page holds no post."""
    structure = _page_structure(text, is_html=is_html, url=url, file_name=None)
    stubs = [
        Post(id=post_id(raw.issue_date, raw.title), url=None, issue_date=raw.issue_date, title=raw.title)
        for raw in structure.postable
    ]
    return [post.id for post in merge_duplicates(stubs)]


def read_page(text: str, *, is_html: bool, url: str | None = None, file_name: str | None = None) -> PageResult:
    """Everything extraction learns from one decoded page. Raises ExtractionError when it holds no post.

    ``url`` (from the crawl manifest) wins over the page's own canonical address; ``file_name`` is
    the last place a blog month is looked for.
    """
    structure = _page_structure(text, is_html=is_html, url=url, file_name=file_name)
    page_topics = tuple(option.label for option in read_topic_filter(structure.blocks))
    taxonomy = DEFAULT_TOPICS + tuple(label for label in page_topics if label not in DEFAULT_TOPICS)
    kind = page_kind(structure.url, structure.meta, len(structure.postable))
    posts = [
        build_post(
            raw,
            url=post_url(structure.url, kind, raw),
            url_kind=kind if structure.url else None,
            taxonomy=taxonomy,
            site_topics=_site_topics(raw, taxonomy),
        )
        for raw in structure.postable
    ]
    if not posts:
        reasons = "; ".join(structure.skipped) or "no post (a title followed by a summary and 'Practice Implications') was found"
        raise ExtractionError(f"no posts: {reasons}")
    counts = structure.parsed.counts.copy()
    counts[NOT_READ] += structure.parsed.unread
    counts[SITE_TOPICS] += sum(1 for post in posts if post.topics_source == TOPICS_FROM_SITE)
    return PageResult(posts, structure.skipped, [str(item) for item in structure.parsed.unplaced], counts)


@dataclass(frozen=True)
class _Structure:
    blocks: list[Block]
    meta: PageMeta
    url: str | None
    parsed: ParsedPage
    postable: list[RawPost]
    skipped: list[str]


def _page_structure(text: str, *, is_html: bool, url: str | None, file_name: str | None) -> _Structure:
    _check_elements(text, is_html=is_html)
    if is_html:
        page = read_html(text)
        blocks, meta = page.blocks, read_page_meta(page.meta)
    else:
        blocks, meta = text_to_blocks(text), PageMeta()
    url = url or meta.url
    labels = frozenset(label.casefold() for label in DEFAULT_TOPICS)
    titles = tuple(title for title in (meta.headline, meta.title) if title)
    parsed = parse_posts(
        blocks, page_titles=titles, headline=meta.headline if meta.single_post else None, topic_labels=labels,
        limit=MAX_POSTS_PER_PAGE,
    )
    # A post the page does not date near it: the page's own date when it is one post, else the month
    # in the page address or file name.
    page_month = (meta.published if len(parsed.posts) == 1 else None) or address_month(url) or address_month(file_name)
    postable: list[RawPost] = []
    skipped: list[str] = []
    if parsed.unread:
        skipped.append(
            f"{parsed.unread} more posts not read: a page yields at most {MAX_POSTS_PER_PAGE} posts (the first "
            f"{MAX_POSTS_PER_PAGE} were read)"
        )
    for raw in parsed.posts:
        raw = raw if raw.issue_date else dataclasses.replace(raw, issue_date=page_month)
        if raw.issue_date is None and raw.citation is None and not raw.implications:
            skipped.append(
                f"post {raw.title!r} skipped: it has neither a citation nor 'Practice Implications', and the page "
                "does not date it (such a post needs a title, a date and a body)"
            )
        elif raw.issue_date is None:
            skipped.append(
                f"post {raw.title!r} skipped: no blog month found (no month heading, <time>, dated line, "
                "or month in the page address or file name)"
            )
        elif not raw.summary and not raw.implications:
            skipped.append(f"post {raw.title!r} skipped: it has a title but no summary or implications")
        else:
            postable.append(raw)
    return _Structure(blocks, meta, url, parsed, postable, skipped)


def _check_elements(text: str, *, is_html: bool) -> None:
    """Raise ExtractionError when an HTML page has more than ``MAX_PAGE_ELEMENTS`` start tags, or a text
    page more lines (counted without parsing: a tag count bounds the tree a parser would build, however deep)."""
    if not is_html:
        if text.count("\n") > MAX_PAGE_ELEMENTS:
            raise ExtractionError(
                f"the page has more than {MAX_PAGE_ELEMENTS:,} lines, over the limit for one page; it was not read"
            )
        return
    if text.count("<") <= MAX_PAGE_ELEMENTS:
        return
    if sum(1 for _ in itertools.islice(_START_TAG.finditer(text), MAX_PAGE_ELEMENTS + 1)) > MAX_PAGE_ELEMENTS:
        raise ExtractionError(
            f"the page has more than {MAX_PAGE_ELEMENTS:,} elements (tags), over the limit for one page; it was not parsed"
        )


def page_kind(url: str | None, meta: PageMeta, post_count: int) -> str | None:
    """Which address a page is for its posts: an old archive month, a post's own page, or a listing."""
    if not url:
        return None
    if is_archive_address(url):
        return URL_ARCHIVE
    if post_count == 1 and not is_listing_address(url):
        return URL_POST
    if post_count > 1 and address_month(url):
        return URL_ARCHIVE
    return URL_LISTING


def post_url(page_url: str | None, kind: str | None, raw: RawPost) -> str | None:
    """The post's address on this page: the page itself, an anchor in it, or a text-fragment link to its title."""
    if not page_url:
        return None
    base = page_url.split("#", 1)[0]
    if kind == URL_ARCHIVE:
        return f"{base}#{raw.anchor or slugify(raw.title)}"
    if kind == URL_LISTING:
        return f"{base}#:~:text={text_fragment(raw.title)}"
    return base


def text_fragment(text: str) -> str:
    """``text`` percent-encoded for a ``#:~:text=`` directive ('-', '&' and ',' encoded too)."""
    return quote(" ".join(text.split()), safe="").replace("-", "%2D")


def _site_topics(raw: RawPost, taxonomy: tuple[str, ...]) -> tuple[str, ...]:
    """The post's ``rel="tag"`` labels that are topics of the taxonomy (as the taxonomy spells them)."""
    labels = {label.casefold(): label for label in taxonomy}
    return tuple(dict.fromkeys(labels[tag.casefold()] for tag in raw.tags if tag.casefold() in labels))


def _page_files(paths: Iterable[str | os.PathLike], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            files.extend(
                sorted(
                    path
                    for path in given.rglob("*")
                    if path.suffix.lower() in PAGE_SUFFIXES
                    and path.is_file()
                    and not any(part.startswith(".") for part in path.relative_to(given).parts)
                )
            )
        elif given.is_file():
            files.append(given)
        else:
            problems.append(Problem(str(given), "no such file or folder"))
    return files
