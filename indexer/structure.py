"""The structural parser: a block sequence to raw posts (month, title, citation, summary, implications).

Works from what every rendering of the blog shares, whatever the tags: month headings ("January
2021"), a short title line, an optional APA citation right after it, summary paragraphs, the
"Practice Implications" marker and the implications paragraphs. A post starts at a title that is
followed by a citation, at a title right after a month heading, or, between two markers, at the
first title-like block after the previous post's implications. Site chrome is never part of a post.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.blocks import HEADING, ITEM, Block
from indexer.citation import looks_like_citation

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
_MONTH_HEADING = re.compile(
    r"^(?:posted(?:\s+(?:on|in))?:?\s*)?(?:\w+day,?\s+)?(" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?((?:19|20)\d\d)\s*[.:]?$",
    re.I,
)
_MONTH_ANYWHERE = re.compile(
    r"\b(" + "|".join(name for name in MONTHS if len(name) > 3) + r")\s+((?:19|20)\d\d)\b", re.I
)
_MARKER = re.compile(r"^practi[cs]e\s+implications?\b\s*[:.\-–—]?\s*", re.I)
# Short lines of page furniture that text dumps and old pages carry between or after posts.
_FURNITURE = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bback to top\b|\blast updated\b|\bunsubscribe\b"
    r"|\b(?:previous|next|older|newer) (?:issues?|posts?|page|entries)\b|\bview in (?:your )?browser\b"
    r"|^\W*(?:home|contact(?: us)?|share(?: this)?|print|top|menu|search|read more|continue reading)\W*$",
    re.I,
)
_MAX_FURNITURE_WORDS = 30
_SENTENCE_END = re.compile(r"[.;,]['\"’”)]*$")
_MAX_TITLE_CHARS = 220
_MAX_TITLE_WORDS = 32


@dataclass(frozen=True)
class RawPost:
    """A post as found on the page, before citation parsing and enrichment."""

    issue_date: str | None
    title: str
    citation: str | None
    summary: tuple[str, ...]
    implications: tuple[str, ...]


def month_of(text: str) -> str | None:
    """``"January 2021"`` (and ``"Posted: Jan 5, 2021"``) to ``"2021-01"``; None for other text."""
    match = _MONTH_HEADING.match(text.strip())
    if not match:
        return None
    return f"{match.group(2)}-{MONTHS[match.group(1).lower()]:02d}"


def parse_posts(blocks: list[Block]) -> list[RawPost]:
    """All posts in a page's blocks, in page order."""
    content = _without_repeats([block for block in blocks if not block.chrome])
    kinds = [_classify(block) for block in content]
    starts = _post_starts(content, kinds)
    fallback_month = _month_anywhere(blocks)
    posts = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(content)
        posts.append(_read_post(content, kinds, start, end, fallback_month))
    return posts


# Block classes.
_MONTH, _MARK, _CITATION, _TITLE_LIKE, _TEXT, _FURNITURE_LINE = "month", "marker", "citation", "title", "text", "furniture"


def _classify(block: Block) -> str:
    text = block.text
    if len(text.split()) <= _MAX_FURNITURE_WORDS and _FURNITURE.search(text):
        return _FURNITURE_LINE
    if month_of(text):
        return _MONTH
    if _MARKER.match(text):
        return _MARK
    if looks_like_citation(text):
        return _CITATION
    if _is_title_like(block):
        return _TITLE_LIKE
    return _TEXT


def _is_title_like(block: Block) -> bool:
    text = block.text
    if len(text) > _MAX_TITLE_CHARS or len(text.split()) > _MAX_TITLE_WORDS:
        return False
    if _SENTENCE_END.search(text) or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'‘“"):
        return False
    return True


def _without_repeats(blocks: list[Block]) -> list[Block]:
    """Drop a block that repeats the one before it (a title printed twice is one title)."""
    kept: list[Block] = []
    for block in blocks:
        if kept and kept[-1].text.casefold() == block.text.casefold():
            continue
        kept.append(block)
    return kept


def _post_starts(blocks: list[Block], kinds: list[str]) -> list[int]:
    starts = set()
    for i, kind in enumerate(kinds):
        if kind == _CITATION and i > 0 and kinds[i - 1] == _TITLE_LIKE:
            starts.add(i - 1)
        elif kind == _MONTH and i + 1 < len(kinds) and kinds[i + 1] == _TITLE_LIKE and _has_body(kinds, i + 1):
            starts.add(i + 1)
    markers = [i for i, kind in enumerate(kinds) if kind == _MARK]
    previous = -1
    for marker in markers:
        if not any(previous < start < marker for start in starts):
            start = _title_between(blocks, kinds, previous, marker)
            if start is not None:
                starts.add(start)
        previous = marker
    return sorted(starts)


def _has_body(kinds: list[str], title: int) -> bool:
    """A title is real when text follows it before the next month heading."""
    for kind in kinds[title + 1:]:
        if kind == _MONTH:
            return False
        if kind in (_TEXT, _CITATION, _MARK):
            return True
    return False


def _title_between(blocks: list[Block], kinds: list[str], previous_marker: int, marker: int) -> int | None:
    """The start of the post whose marker is ``marker``, when no citation or month pointed at it."""
    region = range(previous_marker + 1, marker)
    if previous_marker >= 0:
        # After the previous post's implications (at least one paragraph), the first title-like block.
        for i in region:
            if kinds[i] == _TITLE_LIKE and i > previous_marker + 1 and blocks[i].kind != ITEM:
                return i
        return None
    # The page's first post: the last title-like block before its first paragraph of prose,
    # a heading or bold one when the page marks titles that way.
    titles = []
    for i in region:
        if kinds[i] == _TITLE_LIKE:
            titles.append(i)
        elif kinds[i] == _TEXT and titles:
            break
    marked = [i for i in titles if blocks[i].kind == HEADING or blocks[i].emphasised]
    return (marked or titles or [None])[-1]


def _read_post(blocks: list[Block], kinds: list[str], start: int, end: int, fallback_month: str | None) -> RawPost:
    title = blocks[start].text
    position = start + 1
    citation = None
    if position < end and kinds[position] == _CITATION:
        citation = blocks[position].text
        position += 1
    summary: list[str] = []
    implications: list[str] = []
    target = summary
    for i in range(position, end):
        kind = kinds[i]
        if kind == _MONTH:
            break
        if kind == _FURNITURE_LINE:
            continue
        if kind == _MARK:
            target = implications
            rest = _MARKER.sub("", blocks[i].text, count=1)
            if rest:
                implications.append(rest)
            continue
        if target is implications and kind == _TITLE_LIKE and blocks[i].kind != ITEM:
            break  # page chrome after the last post ("Back to top", a footer line)
        target.append(blocks[i].text)
    return RawPost(
        issue_date=_month_before(blocks, kinds, start) or fallback_month,
        title=title,
        citation=citation,
        summary=tuple(summary),
        implications=tuple(implications),
    )


def _month_before(blocks: list[Block], kinds: list[str], start: int) -> str | None:
    for i in range(start - 1, -1, -1):
        if kinds[i] == _MONTH:
            return month_of(blocks[i].text)
    return None


def _month_anywhere(blocks: list[Block]) -> str | None:
    """For one-post pages without a month heading: the first month named in the page, chrome last."""
    for block in sorted(blocks, key=lambda block: block.chrome):
        match = _MONTH_ANYWHERE.search(block.text)
        if match:
            return f"{match.group(2)}-{MONTHS[match.group(1).lower()]:02d}"
    return None
