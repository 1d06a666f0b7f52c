"""What the reading-list tests share (tests/test_exports.py, tests/test_browser_references.py): a long
list of posts to export, and the reading of a BibTeX export."""
from __future__ import annotations

import bibtexparser
from bibtexparser.bparser import BibTexParser

from search.post import Post


def reading_list_posts(count: int) -> list[Post]:
    """``count`` posts on therapist responsiveness with ids of the usual length (a month and a slug of
    about 40 characters), post ``n`` summarising the article "Study n"."""
    return [Post(id=f"2020-{1 + n % 12:02d}-therapist-responsiveness-in-session-{n:04d}", url=None,
                 issue_date=f"2020-{1 + n % 12:02d}", title=f"Therapist responsiveness in session {n}",
                 citation=f"Author{n}, A. (2019). Study {n}. Psychotherapy Research, 29, {n}-{n + 9}.",
                 authors=(f"Author{n}, A.",), year=2019, article_title=f"Study {n}", journal="Psychotherapy Research",
                 volume="29", pages=f"{n}–{n + 9}", summary="A study of responsiveness.", implications="Listen.")
            for n in range(count)]


def bib_entries(text: str) -> list[dict]:
    """bibtexparser's reading, with the entry types biblatex adds (``@online``, the blog post) kept."""
    return bibtexparser.loads(text, parser=BibTexParser(ignore_nonstandard_types=False, common_strings=True)).entries
