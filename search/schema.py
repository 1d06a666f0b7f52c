"""The index schema and its version: what is indexed, how, and under which names users query it."""
from __future__ import annotations

import json

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import SEGMENT_BREAK, ContentPositions, content_analyzer, name_analyzer
from search.post import Post

# Bump when the schema or the analysis changes: an index of another version is rebuilt, not misread.
SCHEMA_VERSION = 6

# Plain words search the catch-all field ``text`` (every part of a post, once) and, again, the title
# and the practice implications on their own, so a match there counts more: each part's effective
# weight is below. One catch-all instead of seven fields makes a query several times cheaper to run.
# The title counts 1.5 times, not more: its field is short, so BM25 already scores a word in it high,
# and at 3x the generic words of a title ("therapy", "study", "method") outranked the one rare word of
# the query that stands in a summary (bench/relevance.py: Cranfield nDCG@10 0.367 at 3x, 0.391 at 1.5x).
FIELD_BOOSTS: dict[str, float] = {
    "title": 1.5,
    "implications": 2,
    "summary": 1,
    "citation": 1,
    "authors": 1,
    "journal": 1,
    "topics": 1,
}
CATCH_ALL_FIELD = "text"
PLAIN_WORD_FIELDS: dict[str, float] = {
    CATCH_ALL_FIELD: 1.0,
    "title": FIELD_BOOSTS["title"] - 1.0,
    "implications": FIELD_BOOSTS["implications"] - 1.0,
}

# What users type before a colon -> the field it searches.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "authors": ("author", "au", "by"),
    "journal": ("source", "jo"),
    "topics": ("topic",),
    "types": ("type",),
    "year": ("py",),
    "implications": ("implication", "practice"),
}


def build_schema() -> Schema:
    """Prose fields are analysed alike; the whole Post is stored once, as JSON, in ``record``."""
    return Schema(
        id=ID(stored=True, unique=True),
        text=_prose(),
        title=_prose(),
        implications=_prose(),
        authors=TEXT(analyzer=name_analyzer(), multitoken_query="phrase"),
        journal=_prose(),
        topics=_prose(),
        types=_prose(),
        doi=ID(),
        year=NUMERIC(int, sortable=True),
        issue_date=ID(sortable=True),
        record=STORED(),
    )


def _prose() -> TEXT:
    """A prose field: the content analyzer, and positions (for phrases) in our own format."""
    field = TEXT(analyzer=content_analyzer(), multitoken_query="phrase")
    field.format = ContentPositions(field_boost=field.format.field_boost)
    return field


def post_parts(post: Post) -> dict[str, str]:
    """The texts of a post as the index holds them, by part; the catch-all field holds every part but
    the research types (search.matches looks for a query's terms in the same texts)."""
    return {
        "title": post.title,
        "implications": post.implications,
        "summary": post.summary,
        "citation": " ".join(filter(None, (post.citation, post.article_title))),
        "authors": " ; ".join(post.authors),
        "journal": post.journal or "",
        "topics": " ; ".join(post.topics),
        "types": " ; ".join(post.research_types),
    }


def document_for(post: Post) -> dict:
    """The fields the index stores for one post."""
    parts = post_parts(post)
    catch_all = SEGMENT_BREAK.join(text for part, text in parts.items() if text and part != "types")
    document = {
        "id": post.id,
        CATCH_ALL_FIELD: catch_all,
        "title": post.title,
        "implications": post.implications,
        "authors": parts["authors"],
        "journal": parts["journal"],
        "topics": parts["topics"],
        "types": parts["types"],
        "issue_date": post.issue_date,
        "record": json.dumps(post.to_dict(), ensure_ascii=False),
    }
    if post.doi:
        document["doi"] = post.doi.lower()
    if post.year is not None:
        document["year"] = post.year
    return document


def post_from_record(record: str) -> Post:
    return Post.from_dict(json.loads(record))
