"""Ranking quality on judged data: the Cranfield collection through our own path, plain Whoosh and FTS5.

    python bench/relevance.py [--collection ../shared/eval/cranfield/cran.tar.gz] [--json out.json]

Cranfield (1,400 aeronautics abstracts, 225 natural-language queries, graded judgments) is read from
its archive at run time and never copied into the project. Each abstract becomes a ``Post`` (title,
abstract as the summary) and is indexed and searched through the project's own path: ``write_index``
(schema, analysis) and ``SearchEngine.search`` (query understanding, weighting, ranking), the top 100
taken as two pages of 50. The two references index title and abstract with their own defaults:

- plain Whoosh: ``StemmingAnalyzer`` on both fields, ``MultifieldParser`` with OR grouping, BM25F;
- SQLite FTS5: ``porter`` tokenizer, the query's words OR-ed, ``ORDER BY bm25``.

Metrics, averaged over the queries with at least one relevant document: nDCG@10 with graded gain
``5 - code`` (code 1 = complete answer ... 4 = minimum interest; 5 and -1, the query's own source
document, count 0), MAP and Recall@100 with a document relevant when its gain is positive. Takes
about a minute.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: python bench/relevance.py
    sys.path.insert(0, str(REPO))

from search.post import Post  # noqa: E402

_ARCHIVE = Path("shared") / "eval" / "cranfield" / "cran.tar.gz"
# ../shared/eval/cranfield/ beside the project (or beside a folder of worktrees holding it)
DEFAULT_COLLECTION = next((folder / _ARCHIVE for folder in REPO.parents if (folder / _ARCHIVE).is_file()),
                          REPO.parent / _ARCHIVE)
DEPTH = 100
_FIELD_LINE = re.compile(r"^\.([ITABW])(?:\s+(\d+))?\s*$")


@dataclass(frozen=True)
class Collection:
    documents: dict[int, tuple[str, str]]     # document number -> (title, abstract)
    queries: dict[int, str]                   # query number (1..225, file order) -> text
    gains: dict[int, dict[int, int]]          # query number -> document number -> graded gain (> 0)


def read_collection(archive: Path) -> Collection:
    """The three files of the SMART distribution, parsed."""
    with tarfile.open(archive) as tar:
        text = {member.name.rsplit("/", 1)[-1]: tar.extractfile(member).read().decode("latin-1")
                for member in tar.getmembers() if member.isfile()}
    documents = {number: (fields.get("T", ""), fields.get("W", ""))
                 for number, fields in _records(text["cran.all.1400"])}
    queries = {position: fields.get("W", "") for position, (_, fields) in enumerate(_records(text["cran.qry"]), 1)}
    gains: dict[int, dict[int, int]] = {}
    for line in text["cranqrel"].splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        query, document, code = map(int, parts)
        if 1 <= code <= 4:
            gains.setdefault(query, {})[document] = 5 - code
    return Collection(documents, queries, gains)


def _records(text: str) -> list[tuple[int, dict[str, str]]]:
    """``.I n`` records of dot-line fields, each field's lines joined by spaces."""
    records: list[tuple[int, dict[str, str]]] = []
    field = None
    for line in text.splitlines():
        marker = _FIELD_LINE.match(line)
        if marker and marker.group(1) == "I":
            records.append((int(marker.group(2)), {}))
            field = None
        elif marker:
            field = marker.group(1)
            records[-1][1][field] = ""
        elif field and records:
            fields = records[-1][1]
            fields[field] = f"{fields[field]} {line.strip()}".strip()
    return records


# -- the three systems: each returns query number -> ranked document numbers (at most DEPTH) --------
def rank_ours(collection: Collection, workdir: Path) -> dict[int, list[int]]:
    from search.engine import SearchEngine
    from search.request import MAX_PAGE_SIZE, SearchRequest
    from search.store import write_index

    posts = [Post(id=f"cran-{number}", url=None, issue_date="1960-01", title=title, summary=abstract)
             for number, (title, abstract) in collection.documents.items()]
    write_index(posts, workdir / "ours")
    engine = SearchEngine(workdir / "ours")
    ranked = {}
    try:
        for number, text in collection.queries.items():
            found: list[int] = []
            for page in range(1, DEPTH // MAX_PAGE_SIZE + 1):
                response = engine.search(SearchRequest(query=text, page=page, page_size=MAX_PAGE_SIZE))
                if response.page != page:
                    break
                found += [int(hit.post.id.removeprefix("cran-")) for hit in response.hits]
            ranked[number] = found[:DEPTH]
    finally:
        engine.close()
    return ranked


def rank_plain_whoosh(collection: Collection, workdir: Path) -> dict[int, list[int]]:
    from whoosh import index, qparser
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(doc=ID(stored=True), title=TEXT(analyzer=StemmingAnalyzer()),
                    abstract=TEXT(analyzer=StemmingAnalyzer()))
    (workdir / "whoosh").mkdir()
    ix = index.create_in(str(workdir / "whoosh"), schema)
    with ix.writer() as writer:
        for number, (title, abstract) in collection.documents.items():
            writer.add_document(doc=str(number), title=title, abstract=abstract)
    parser = qparser.MultifieldParser(["title", "abstract"], schema, group=qparser.OrGroup)
    ranked = {}
    with ix.searcher() as searcher:
        for number, text in collection.queries.items():
            results = searcher.search(parser.parse(text), limit=DEPTH)
            ranked[number] = [int(hit["doc"]) for hit in results]
    ix.close()
    return ranked


def rank_fts5(collection: Collection, workdir: Path) -> dict[int, list[int]]:
    connection = sqlite3.connect(workdir / "fts5.sqlite")
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(title, abstract, tokenize='porter')")
    connection.executemany("INSERT INTO docs(rowid, title, abstract) VALUES (?, ?, ?)",
                           [(number, title, abstract) for number, (title, abstract) in collection.documents.items()])
    ranked = {}
    for number, text in collection.queries.items():
        words = dict.fromkeys(re.findall(r"\w+", text.lower()))
        match = " OR ".join(f'"{word}"' for word in words)
        rows = connection.execute(
            f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT {DEPTH}", (match,)
        ).fetchall() if words else []
        ranked[number] = [row[0] for row in rows]
    connection.close()
    return ranked


# -- metrics ----------------------------------------------------------------------------------------
def ndcg_at(ranking: list[int], gains: dict[int, int], depth: int = 10) -> float:
    dcg = sum(gains.get(document, 0) / math.log2(rank + 2) for rank, document in enumerate(ranking[:depth]))
    ideal = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(sorted(gains.values(), reverse=True)[:depth]))
    return dcg / ideal if ideal else 0.0


def average_precision(ranking: list[int], gains: dict[int, int]) -> float:
    found, total = 0, 0.0
    for rank, document in enumerate(ranking, 1):
        if gains.get(document, 0) > 0:
            found += 1
            total += found / rank
    return total / len(gains) if gains else 0.0


def recall_at(ranking: list[int], gains: dict[int, int], depth: int = DEPTH) -> float:
    return sum(1 for document in ranking[:depth] if document in gains) / len(gains) if gains else 0.0


def evaluate(collection: Collection, ranked: dict[int, list[int]]) -> dict[str, float]:
    judged = [number for number in collection.queries if collection.gains.get(number)]
    def mean(metric: Callable) -> float:
        return round(sum(metric(ranked.get(number, []), collection.gains[number]) for number in judged) / len(judged), 4)
    return {"queries": len(judged), "ndcg@10": mean(ndcg_at), "map": mean(average_precision),
            "recall@100": mean(recall_at)}


SYSTEMS: dict[str, Callable[[Collection, Path], dict[int, list[int]]]] = {
    "ours": rank_ours,
    "plain Whoosh (BM25F, StemmingAnalyzer)": rank_plain_whoosh,
    "SQLite FTS5 (porter, bm25)": rank_fts5,
}


def run(archive: Path) -> dict[str, dict]:
    collection = read_collection(archive)
    results = {}
    with tempfile.TemporaryDirectory(prefix="pprnet-relevance-") as workdir:
        for name, rank in SYSTEMS.items():
            began = time.perf_counter()
            results[name] = {**evaluate(collection, rank(collection, Path(workdir))),
                             "seconds": round(time.perf_counter() - began, 1)}
    return results


def markdown(results: dict[str, dict]) -> str:
    lines = ["| system | nDCG@10 | MAP | Recall@100 | queries |", "|---|---:|---:|---:|---:|"]
    for name, result in results.items():
        lines.append(f"| {name} | {result['ndcg@10']:.3f} | {result['map']:.3f} | {result['recall@100']:.3f} |"
                     f" {result['queries']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION, help="cran.tar.gz")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    if not args.collection.is_file():
        print(f"error: no Cranfield archive at {args.collection}", file=sys.stderr)
        return 2
    results = run(args.collection)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
