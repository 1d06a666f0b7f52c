"""The index schema and its version: what is indexed, how, and under which names users query it."""
from __future__ import annotations

import json

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import content_analyzer, name_analyzer, vocabulary_analyzer
from search.post import Post

# Bump when the schema or the analysis changes: an index of another version is rebuilt, not misread.
SCHEMA_VERSION = 2

# Field weights for plain words (BM25F): title and practice implications above the summary.
FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "implications": 2.0,
    "summary": 1.0,
    "citation": 1.2,
    "authors": 1.5,
    "journal": 1.0,
    "topics": 1.5,
}
DEFAULT_FIELDS = tuple(FIELD_BOOSTS)

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
    text = content_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, multitoken_query="phrase"),
        summary=TEXT(analyzer=text, multitoken_query="phrase"),
        implications=TEXT(analyzer=text, multitoken_query="phrase"),
        citation=TEXT(analyzer=text, multitoken_query="phrase"),
        authors=TEXT(analyzer=name_analyzer(), multitoken_query="phrase"),
        journal=TEXT(analyzer=text, multitoken_query="phrase"),
        topics=TEXT(analyzer=text, multitoken_query="phrase"),
        types=TEXT(analyzer=text, multitoken_query="phrase"),
        doi=ID(),
        year=NUMERIC(int, sortable=True),
        issue_date=ID(sortable=True),
        vocabulary=TEXT(analyzer=vocabulary_analyzer(), phrase=False),
        record=STORED(),
    )


def document_for(post: Post) -> dict:
    """The fields the index stores for one post."""
    document = {
        "id": post.id,
        "title": post.title,
        "summary": post.summary,
        "implications": post.implications,
        "citation": " ".join(filter(None, (post.citation, post.article_title))),
        "authors": " ; ".join(post.authors),
        "journal": post.journal or "",
        "topics": " ; ".join(post.topics),
        "types": " ; ".join(post.research_types),
        "issue_date": post.issue_date,
        "vocabulary": " ".join((post.title, post.summary, post.implications, post.citation or "")),
        "record": json.dumps(post.to_dict(), ensure_ascii=False),
    }
    if post.doi:
        document["doi"] = post.doi.lower()
    if post.year is not None:
        document["year"] = post.year
    return document


def post_from_record(record: str) -> Post:
    return Post.from_dict(json.loads(record))
