"""The Post record: one summarised research article, as every part of the system sees it."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

TOPICS_FROM_SITE = "site"
TOPICS_INFERRED = "inferred"

# Which address ``Post.url`` is: the post's own page, its month on the old archive (with an anchor),
# or a listing page with a text-fragment link to the title.
URL_POST = "post"
URL_ARCHIVE = "archive"
URL_LISTING = "listing"

# Where the citation fields come from: the blog's line, or Crossref's record of the work (``Post.crossref``).
METADATA_BLOG = "blog"
METADATA_CROSSREF = "crossref"
# Characters no later layer can carry (UTF-8, XML, BibTeX, RIS): lone surrogates, control characters
# but tab and newlines, and the noncharacters U+FFFE/U+FFFF. A Post replaces them with U+FFFD.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _clean(value):
    if isinstance(value, (tuple, list)):
        return type(value)(map(_clean, value))
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return _BAD_CHARACTERS.sub("\ufffd", value) if isinstance(value, str) else value


@dataclass(frozen=True, kw_only=True)
class Post:
    """One blog summary. JSON uses the same field names (docs/json-api.md). However a record is made
    (extraction, a test, a stored record read back), its text holds no character from _BAD_CHARACTERS."""

    id: str
    url: str | None
    url_kind: str | None = None
    issue_date: str
    title: str
    citation: str | None = None
    authors: tuple[str, ...] = ()
    authors_complete: bool = True
    # The last of ``authors`` is the work's last author: a complete list, or one that names it after a gap.
    last_author_known: bool = True
    year: int | None = None
    article_title: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    summary: str = ""
    implications: str = ""
    topics: tuple[str, ...] = ()
    topics_source: str = TOPICS_INFERRED
    research_types: tuple[str, ...] = ()
    sample_size: int | None = None
    metadata_source: str = METADATA_BLOG
    # Crossref's record beyond the fields above (authors with given names and ORCID, ISSN, publisher,
    # type, article number) and, under "blog", the blog's own values of the fields it completed.
    crossref: dict | None = None

    def __post_init__(self) -> None:
        values = self.__dict__
        texts = [value if isinstance(value, str) else "\n".join(map(str, value)) for value in values.values()
                 if isinstance(value, (str, tuple))]
        if _BAD_CHARACTERS.search("\n".join(texts)) or (self.crossref and _clean(self.crossref) != self.crossref):
            values.update((name, _clean(value)) for name, value in values.items())

    def to_dict(self) -> dict:
        """The JSON form: tuples become lists, field order as declared."""
        return {name: list(value) if isinstance(value, tuple) else value for name, value in vars(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "Post":
        """Inverse of :meth:`to_dict`; unknown keys are ignored, lists become tuples."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: tuple(value) if isinstance(value, list) else value
                      for key, value in data.items() if key in names})

    def replace(self, **changes) -> "Post":
        return dataclasses.replace(self, **changes)

    def with_texts(self, summary: str, implications: str) -> "Post":
        """This post (without its texts, as listings hold it) with the texts an index stored: both were
        cleaned when the post was made, so they are not checked again."""
        post = object.__new__(Post)
        post.__dict__.update(self.__dict__, summary=summary, implications=implications)
        return post
