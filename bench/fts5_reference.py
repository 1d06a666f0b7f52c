"""The reference engine: SQLite FTS5 from Python's ``sqlite3``, doing what our search call does.

Same documents, same query words, same page: ``porter`` tokenizer, ``bm25()`` with our field weights
(search.schema.FIELD_BOOSTS: title 1.5, implications 2, the other parts and the journal 1), the top 10
with ``snippet()`` of the summary and the implications, the total, disjunctive ``GROUP BY`` counts
for the five facets (topic, type and author through join tables; journal and year in ``docs``) and
a vocabulary look-up of each plain word (the cheap half of our "Did you mean" check).

What it does not do (and ours does): thesaurus expansion, British/American folding, compound
splitting and Snowball stemming (FTS5's porter is close), spelling correction of unknown words.
Queries are read by ``bench.reference_query`` (our stop and question words dropped with our own list),
so every engine searches for the same content words.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.reference_query import FIELDS as FTS_COLUMNS
from bench.reference_query import WEIGHTS
from bench.reference_query import ReferenceResult, read_query
from search.facets import FACET_NAMES as FACETS
from search.post import Post

BM25_WEIGHTS = ", ".join(f"{WEIGHTS[column]:g}" for column in FTS_COLUMNS)
SUMMARY_COLUMN = FTS_COLUMNS.index("summary")
IMPLICATIONS_COLUMN = FTS_COLUMNS.index("implications")
TOKENIZER = "porter unicode61 remove_diacritics 2"
MAX_FACET_VALUES = 50
PAGE_SIZE = 10

# Facet -> (table, value column) for multi-valued facets kept in join tables.
JOIN_FACETS = {"topic": "f_topic", "type": "f_type", "author": "f_author"}
DOC_FACETS = {"journal": "journal", "year": "year"}
assert set(JOIN_FACETS) | set(DOC_FACETS) == set(FACETS), "the reference counts every facet of search.facets"

_SCHEMA = f"""
CREATE TABLE docs(doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, issue_date TEXT, year INTEGER, journal TEXT);
CREATE TABLE records(doc INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5({", ".join(FTS_COLUMNS)}, tokenize='{TOKENIZER}');
CREATE TABLE f_topic(value TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(value, doc)) WITHOUT ROWID;
CREATE TABLE f_type(value TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(value, doc)) WITHOUT ROWID;
CREATE TABLE f_author(value TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(value, doc)) WITHOUT ROWID;
CREATE TABLE words(word TEXT PRIMARY KEY) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX f_topic_doc ON f_topic(doc, value);
CREATE INDEX f_type_doc ON f_type(doc, value);
CREATE INDEX f_author_doc ON f_author(doc, value);
CREATE INDEX docs_journal ON docs(journal);
CREATE INDEX docs_year ON docs(year);
"""
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{2,}")


def has_fts5() -> bool:
    try:
        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter')")
        connection.close()
        return True
    except sqlite3.OperationalError:
        return False


def build(posts: Iterable[Post], path: str | Path) -> int:
    """Write an FTS5 database of ``posts`` to ``path`` (replaced). Returns the number of posts."""
    path = Path(path)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    count = 0
    try:
        connection.executescript(_SCHEMA)
        vocabulary: set[str] = set()
        with connection:
            for doc, post in enumerate(posts, start=1):
                connection.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                                   (doc, post.id, post.issue_date, post.year, post.journal))
                connection.execute("INSERT INTO records VALUES (?, ?)",
                                   (doc, json.dumps(post.to_dict(), ensure_ascii=False)))
                connection.execute(
                    f"INSERT INTO fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc, post.title, post.summary, post.implications,
                     " ".join(filter(None, (post.citation, post.article_title))),
                     " ; ".join(post.authors), post.journal or "", " ; ".join(post.topics)),
                )
                for table, values in (("f_topic", post.topics), ("f_type", post.research_types),
                                      ("f_author", post.authors)):
                    connection.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
                                           [(value, doc) for value in values])
                text = " ".join((post.title, post.summary, post.implications, post.citation or ""))
                vocabulary.update(word.lower() for word in _VOCABULARY_WORD.findall(text))
                count += 1
            connection.executemany("INSERT INTO words VALUES (?)", [(word,) for word in sorted(vocabulary)])
            connection.executescript(_INDEXES)
            # ``ORDER BY rank`` is then bm25 with our weights, and FTS5 can hand rows over best first
            # (so snippet() runs for the 10 rows shown only).
            connection.execute("INSERT INTO fts(fts, rank) VALUES ('rank', ?)", (f"bm25({BM25_WEIGHTS})",))
            connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return count


@dataclass(frozen=True)
class Translated:
    """A workload query as FTS5 sees it: a MATCH expression and/or a year condition."""

    match: str | None
    years: tuple[int, ...] = ()
    plain_words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.match is None and not self.years


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def translate(query: str) -> Translated:
    """Our query syntax (read by :func:`bench.reference_query.read_query`) -> FTS5: clauses OR-ed,
    each a quoted phrase, a fielded one behind its column filter."""
    read = read_query(query)
    parts = [(f"{clause.field} : " if clause.field else "") + _quoted(" ".join(clause.words)) for clause in read.clauses]
    return Translated(" OR ".join(parts) if parts else None, read.years, read.plain_words)


class Fts5Reference:
    """One connection to a database written by :func:`build`; ``search`` is the full call."""

    def __init__(self, path: str | Path) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.execute("CREATE TEMP TABLE m(doc INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.connection.close()

    def search(self, query: str, filters: Mapping[str, Iterable[str]] | None = None) -> ReferenceResult:
        execute = self.connection.execute
        translated = translate(query)
        selections = {facet: tuple(values) for facet, values in (filters or {}).items() if values}

        execute("DELETE FROM m")
        if translated.match is not None:
            execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (translated.match,))
        if translated.years:
            marks = ", ".join("?" * len(translated.years))
            execute(f"INSERT OR IGNORE INTO m SELECT doc FROM docs WHERE year IN ({marks})", translated.years)
        if not query.strip():
            execute("INSERT INTO m SELECT doc FROM docs")  # browsing: every post

        where, params = _conditions(selections)
        total = execute(f"SELECT count(*) FROM m WHERE {where}", params).fetchone()[0]

        if translated.match is not None:
            # ``rank`` is bm25() with our weights (set at build); FTS5 returns rows best first, so the
            # snippets are made for the 10 rows shown only.
            restricted = f" AND rowid IN (SELECT m.doc FROM m WHERE {where})" if selections else ""
            rows = execute(
                f"SELECT r.record, top.score, top.summary, top.implications FROM ("
                f"SELECT rowid AS doc, rank AS score,"
                f" snippet(fts, {SUMMARY_COLUMN}, '<mark>', '</mark>', ' … ', 32) AS summary,"
                f" snippet(fts, {IMPLICATIONS_COLUMN}, '<mark>', '</mark>', ' … ', 32) AS implications"
                f" FROM fts WHERE fts MATCH ?{restricted} ORDER BY rank LIMIT {PAGE_SIZE}"
                f") AS top JOIN records r ON r.doc = top.doc ORDER BY top.score",
                (translated.match, *(params if selections else ())),
            ).fetchall()
        else:
            rows = execute(
                f"SELECT r.record, 0.0, substr(fts.summary, 1, 240), substr(fts.implications, 1, 240) FROM ("
                f"SELECT d.doc FROM m JOIN docs d ON d.doc = m.doc WHERE {where}"
                f" ORDER BY d.issue_date DESC, d.id DESC LIMIT {PAGE_SIZE}"
                f") AS top JOIN records r ON r.doc = top.doc JOIN fts ON fts.rowid = top.doc",
                params,
            ).fetchall()
        hits = [{"post": json.loads(record), "score": -score, "summary": summary, "implications": implications}
                for record, score, summary, implications in rows]

        facets = {}
        facets_start = time.perf_counter()
        for facet in FACETS:
            where, params = _conditions(selections, ignoring=facet)
            if facet in JOIN_FACETS:
                # CROSS JOIN: drive from the matching rows (SQLite would otherwise scan the whole table).
                sql = (f"SELECT t.value, count(*) AS c FROM m CROSS JOIN {JOIN_FACETS[facet]} t ON t.doc = m.doc"
                       f" WHERE {where} GROUP BY t.value ORDER BY c DESC, t.value LIMIT {MAX_FACET_VALUES}")
            else:
                column = DOC_FACETS[facet]
                sql = (f"SELECT d.{column}, count(*) AS c FROM m CROSS JOIN docs d ON d.doc = m.doc"
                       f" WHERE d.{column} IS NOT NULL AND {where}"
                       f" GROUP BY d.{column} ORDER BY c DESC, d.{column} LIMIT {MAX_FACET_VALUES}")
            facets[facet] = [(str(value), count) for value, count in execute(sql, params)]
        facets_ms = (time.perf_counter() - facets_start) * 1000

        unknown = tuple(word for word in translated.plain_words
                        if execute("SELECT 1 FROM words WHERE word = ?", (word,)).fetchone() is None)
        return ReferenceResult(total, hits, facets, unknown, facets_ms)


def _conditions(selections: Mapping[str, tuple[str, ...]], *, ignoring: str | None = None) -> tuple[str, list]:
    """SQL restricting ``m.doc`` to the selections (OR within a facet, AND across), except ``ignoring``."""
    clauses: list[str] = []
    params: list = []
    for facet, values in selections.items():
        if facet == ignoring:
            continue
        marks = ", ".join("?" * len(values))
        if facet in JOIN_FACETS:
            clauses.append(f"m.doc IN (SELECT doc FROM {JOIN_FACETS[facet]} WHERE value IN ({marks}))")
            params += list(values)
        elif facet == "year":
            clauses.append(f"m.doc IN (SELECT doc FROM docs WHERE year IN ({marks}))")
            params += [int(value) for value in values]
        else:
            clauses.append(f"m.doc IN (SELECT doc FROM docs WHERE journal IN ({marks}))")
            params += list(values)
    return (" AND ".join(clauses) or "1"), params
