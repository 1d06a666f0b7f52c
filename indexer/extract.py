"""Files and folders to Post records, with every unreadable page reported and skipped.

The only module that opens corpus files for extraction. ``extract_paths`` walks the inputs, reads
each ``.html``, ``.htm`` or ``.txt`` page, and returns the posts of all pages that could be read
(duplicates merged) together with one :class:`Problem` per page or post that was skipped.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.blocks import canonical_url, html_to_blocks, text_to_blocks
from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.manifest import CrawlCatalog, SiteListings
from indexer.records import build_post, merge_duplicates
from indexer.structure import parse_posts
from indexer.taxonomy import DEFAULT_TOPICS, read_topic_filter
from search.post import Post

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# Real blog pages are well under 1 MB; a page beyond this is refused rather than parsed for minutes.
MAX_PAGE_BYTES = 16 * 1024 * 1024


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
    pages_read: int = 0


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
            posts, skipped = extract_file(path, url=crawled.url if crawled else None)
        except ExtractionError as error:
            result.problems.append(Problem(str(path), str(error)))
            continue
        except OSError as error:
            result.problems.append(Problem(str(path), f"cannot be read: {error.strerror or error}"))
            continue
        result.pages_read += 1
        found.extend(posts)
        if crawled:
            site.note(crawled, posts)
        result.problems.extend(Problem(str(path), reason) for reason in skipped)
    result.posts = site.apply(merge_duplicates(found))
    return result


def extract_file(path: Path, *, url: str | None = None) -> tuple[list[Post], list[str]]:
    """The posts of one page file, and the reasons for posts skipped in it. Raises ExtractionError."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise ExtractionError(
            f"the page is {size / 1024 / 1024:.1f} MB, over the {MAX_PAGE_BYTES // 1024 // 1024} MB limit for one page"
        )
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text = decode_bytes(path.read_bytes(), is_html=is_html)
    return extract_page(text, is_html=is_html, url=url)


def extract_page(text: str, *, is_html: bool, url: str | None = None) -> tuple[list[Post], list[str]]:
    """The posts of one decoded page. Raises ExtractionError when it holds none."""
    if is_html:
        blocks = html_to_blocks(text)
        url = url or canonical_url(text)
    else:
        blocks = text_to_blocks(text)
    page_topics = tuple(option.label for option in read_topic_filter(blocks))
    taxonomy = DEFAULT_TOPICS + tuple(label for label in page_topics if label not in DEFAULT_TOPICS)
    posts: list[Post] = []
    skipped: list[str] = []
    for raw in parse_posts(blocks):
        if raw.issue_date is None:
            skipped.append(f"post {raw.title!r} skipped: no blog month (such as 'January 2021') found on the page")
        elif not raw.summary and not raw.implications:
            skipped.append(f"post {raw.title!r} skipped: it has a title but no summary or implications")
        else:
            posts.append(build_post(raw, url=url, taxonomy=taxonomy))
    if not posts:
        reasons = "; ".join(skipped) or "no post (a title followed by a summary and 'Practice Implications') was found"
        raise ExtractionError(f"no posts: {reasons}")
    return posts, skipped


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


def post_ids(text: str, *, is_html: bool, url: str | None = None) -> list[str]:
    """The ids of a page's posts (stand-in: the full extractor)."""
    try:
        return [post.id for post in extract_page(text, is_html=is_html, url=url)[0]]
    except ExtractionError:
        return []
