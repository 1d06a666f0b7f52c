"""The most one post may hold in the index: the length of each text field and of each list.

A real post is far below every limit (its summary and implications are a few thousand characters,
its citation one line). A page that gives a post more, broken or hostile, has the post cut here on
its way into the index, and each cut is reported; so the size of every page, feed, API answer and
export that shows posts has an upper bound (README.md, "Response sizes"). Text is cut and ends with
``…``; an address or DOI that is too long is dropped, since a cut one would lead somewhere else.
"""
from __future__ import annotations

from search.post import Post

CUT_MARK = "…"
# Characters each text field keeps at most (summary and implications: what the search core reads of
# a field, five times a long summary).
MAX_CHARS = {
    "title": 300,
    "citation": 1_500,
    "article_title": 500,
    "journal": 200,
    "volume": 50,
    "issue": 50,
    "pages": 50,
    "summary": 20_000,
    "implications": 20_000,
}
DROPPED_OVER = {"url": 1_000, "doi": 200}
# Lists: (most items, most characters of one item, most characters of all items together).
MAX_ITEMS = {"authors": (100, 100, 2_000), "topics": (50, 200, 2_000), "research_types": (20, 100, 500)}


def within_limits(post: Post) -> tuple[Post, list[str]]:
    """The post cut to the limits, and what was cut (one sentence each; none for a post within them)."""
    changes: dict = {}
    cuts: list[str] = []
    for name, limit in MAX_CHARS.items():
        value = getattr(post, name)
        if value is not None and len(value) > limit:
            changes[name] = _cut(value, limit)
            cuts.append(f"{name} cut from {len(value):,} to {limit:,} characters")
    for name, limit in DROPPED_OVER.items():
        value = getattr(post, name)
        if value is not None and len(value) > limit:
            changes[name] = None
            cuts.append(f"{name} dropped: {len(value):,} characters, over {limit:,}")
    for name, (most, each, in_all) in MAX_ITEMS.items():
        items = getattr(post, name)
        kept = tuple(_cut(item, each) for item in items[:most])
        while sum(map(len, kept)) > in_all:
            kept = kept[:-1]
        if kept != items:
            changes[name] = kept
            cuts.append(f"{name} cut: {len(kept)} of {len(items)} kept (at most {most}, of {each} characters each, {in_all:,} in all)")
    if "authors" in changes:
        changes["authors_complete"] = False  # the list is no longer whole
    return (post.replace(**changes) if changes else post), cuts


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK
