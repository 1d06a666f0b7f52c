"""The index schema and its version, and how a post becomes an indexed document (analysed once).

A post's texts are its *parts* (``PARTS``): the catch-all field ``text`` holds them all, the title and
the practice implications are also indexed on their own, so a match there counts more (the weights
below). ``document_for`` analyses each part once (search.analysis.analyse) and hands the same terms to
Whoosh's writer (``ProseField`` indexes them as given) and to the postings file (search.postings),
which the scorer, the highlighter and the practice answer read. The journal is not a part: a word
that only occurs in a journal's name ("Clinical ...") does not make a post match ("clinics"); a
journal is found by its name or abbreviation (search.restrict).
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.fields import ID, TEXT, Schema

from search.analysis import ContentPositions, analyse, content_analyzer
from search.post import Post
from search.postings import PostingsWriter

# Bump when the schema or the analysis changes: an index of another version is rebuilt, not misread.
SCHEMA_VERSION = 10

# The parts of a post in the catch-all field, in order (a part's index is its bit in the postings).
PARTS = ("title", "implications", "summary", "citation", "authors", "topics")
CATCH_ALL_FIELD = "text"
# How much a plain word counts in each part. The title counts 1.5 times, not more: its field is short,
# so BM25 already scores a word in it high (bench/relevance.py).
FIELD_BOOSTS: dict[str, float] = {"title": 1.5, "implications": 2, "summary": 1, "citation": 1, "authors": 1, "topics": 1}
# Plain words search the catch-all (every part once) and, again, the title and the implications, so
# that each part's weight is its FIELD_BOOSTS.
PLAIN_WORD_FIELDS: dict[str, float] = {CATCH_ALL_FIELD: 1.0, "title": FIELD_BOOSTS["title"] - 1,
                                       "implications": FIELD_BOOSTS["implications"] - 1}
_POSITION_GAP = 10  # between parts of the catch-all: no phrase matches across two parts
ABBREVIATIONS = frozenset(  # for NLTK's Punkt, which splits the implications into sentences at build time
    "e.g i.e al etc vs cf approx ca dr mr mrs ms prof fig figs no nos vol pp p ed eds st jr sr u.s u.k "
    "incl esp resp viz min max".split()
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class ProseField(TEXT):
    """A prose field: the content analyzer, positions as search.analysis.ContentPositions. Indexes a
    document's value as given when it is already analysed (a mapping of term -> positions)."""

    def __init__(self) -> None:
        super().__init__(analyzer=content_analyzer(), multitoken_query="phrase")
        self.format = ContentPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, dict):
            yield from super().index(value, **kwargs)
            return
        for text, positions in value.items():
            yield text.encode("utf-8"), len(positions), len(positions) * self.format.field_boost, self.format.encode(positions)


def build_schema() -> Schema:
    """The indexed fields, and the id; a post's texts are in the postings file, its other fields in
    the build's listings (search.store)."""
    return Schema(id=ID(stored=True, unique=True), text=ProseField(), title=ProseField(), implications=ProseField())


def post_parts(post: Post) -> dict[str, str]:
    """The texts of a post as the index holds them, by part. The citation part is the article's title
    and year (the rest of the citation line is names and numbers the other parts hold or no one seeks)."""
    article = post.article_title or post.citation or ""
    year = str(post.year) if post.year is not None else ""
    return {
        "title": post.title,
        "implications": post.implications,
        "summary": post.summary,
        "citation": f"{article} {year}".strip(),
        "authors": ", ".join(post.authors),
        "topics": " ; ".join(post.topics),
    }


def document_for(post: Post, docnum: int, postings: PostingsWriter) -> dict:
    """The fields Whoosh indexes and stores for one post (document ``docnum``), its terms and texts
    recorded in ``postings`` too."""
    postings.add_texts(post.summary, post.implications, sentence_spans(post.implications))
    analysed = {part: analyse(text) for part, text in post_parts(post).items()}
    catch_all, offset = [], 0
    for part in PARTS:
        catch_all.append((analysed[part], offset))
        if analysed[part]:
            offset += analysed[part][-1].position + _POSITION_GAP
    return {
        "id": post.id,
        CATCH_ALL_FIELD: postings.add(docnum, CATCH_ALL_FIELD, catch_all),
        **{part: postings.add(docnum, part, [(analysed[part], 0)]) for part in ("title", "implications")},
    }


@lru_cache(maxsize=1)
def _sentence_tokenizer():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer  # for building only

    parameters = PunktParameters()
    parameters.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


def sentence_spans(text: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, paragraph) of each sentence of ``text``: NLTK Punkt within each paragraph."""
    spans, start = [], 0
    for paragraph, chunk in enumerate(_PARAGRAPH_BREAK.split(text)):
        start = text.index(chunk, start)
        spans += [(start + first, start + last, paragraph) for first, last in _sentence_tokenizer().span_tokenize(chunk)]
        start += len(chunk)
    return tuple(spans)

