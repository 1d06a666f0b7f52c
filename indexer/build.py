"""Corpus folder -> search index: extract every page, complete the citations from the Crossref answers
the crawl cached (no network), then write and swap in a new index atomically.

The index records a fingerprint of the corpus it was built from (file names, sizes, times), so
``python run.py`` can tell whether the index is missing or older than the corpus. Each post enters
the index within the limits of :mod:`indexer.post_limits`; the report names every post that was cut.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer.crossref import CACHE_DIR, complete_from_cache
from indexer.errors import ExtractionError
from indexer.extract import PAGE_SUFFIXES, Problem, extract_paths
from indexer.manifest import CRAWL_DIR, MANIFEST_NAME
from indexer.post_limits import within_limits
from search.store import current_build, index_problem, read_meta, write_index


@dataclass(frozen=True)
class BuildReport:
    build_dir: Path
    post_count: int
    pages_read: int
    problems: list[Problem]
    cuts: list[Problem]  # posts cut to the limits of indexer.post_limits: (post id, what was cut)


def corpus_fingerprint(corpus: str | os.PathLike) -> str:
    """A digest of the corpus's page files, crawl manifests and Crossref answers: names, sizes and
    modification times."""
    corpus = Path(corpus)
    digest = hashlib.sha256()
    for path in sorted(
        p for p in corpus.rglob("*")
        if (p.suffix.lower() in PAGE_SUFFIXES or p.name == MANIFEST_NAME or p.parent.name == CACHE_DIR) and p.is_file()
    ):
        stat = path.stat()
        digest.update(f"{path.relative_to(corpus)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def index_is_current(corpus: str | os.PathLike, index_root: str | os.PathLike) -> bool:
    """True when the index is usable by this program (schema, analysis, files intact) and was built
    from this corpus as it is."""
    if index_problem(index_root) is not None:
        return False
    meta = read_meta(index_root) or {}
    return meta.get("source", {}).get("corpus_fingerprint") == corpus_fingerprint(corpus)


def build_index(
    corpus: str | os.PathLike,
    index_root: str | os.PathLike,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Extract the corpus and swap in a new index. Raises ExtractionError when no post was found,
    leaving the index that was there (if any) in place."""
    fingerprint = corpus_fingerprint(corpus)
    extraction = extract_paths([corpus])
    if not extraction.posts:
        details = "; ".join(map(str, extraction.problems[:5]))
        kept = f"the index in {index_root} is unchanged" if current_build(index_root) else "no index was built"
        raise ExtractionError(f"no posts found in {corpus}, so {kept}. {details}".strip())
    total = len(extraction.posts)
    posts, cuts = [], []
    for post in complete_from_cache(extraction.posts, Path(corpus) / CRAWL_DIR):
        kept, cut = within_limits(post)
        posts.append(kept)
        cuts.extend(Problem(post.id, reason) for reason in cut)
    build_dir = write_index(
        posts,
        index_root,
        source={"corpus": str(Path(corpus).resolve()), "corpus_fingerprint": fingerprint},
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    return BuildReport(build_dir, total, extraction.pages_read, extraction.problems, cuts)
