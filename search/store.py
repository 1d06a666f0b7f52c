"""The index on disk: built into a fresh directory, then swapped in atomically through a symlink.

Layout of an index root::

    ROOT/current -> builds/20260126T180000-1234   (symlink, replaced atomically)
    ROOT/builds/<build>/                           (Whoosh files + pprnet-index.json)

A reader follows ``current`` and sees the old index or the new one, never a half-written one; a
build that fails leaves ``current`` untouched. ``pprnet-index.json`` records the schema version, so
an index written by another version is reported as unusable instead of being misread.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index

from search.post import Post
from search.schema import SCHEMA_VERSION, build_schema, document_for

CURRENT_LINK = "current"
BUILDS_DIR = "builds"
META_FILE = "pprnet-index.json"
_WRITER_MEMORY_MB = 256


class IndexUnavailable(Exception):
    """There is no usable index at the given root; the message says why and how to fix it."""


def write_index(
    posts: Iterable[Post],
    root: str | os.PathLike,
    *,
    source: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Build a new index of ``posts`` under ``root`` and make it current. Returns its directory.

    ``source`` is stored in the index metadata (e.g. a fingerprint of the corpus it came from).
    ``progress`` is called with the number of posts written so far.
    """
    root = Path(root)
    builds = root / BUILDS_DIR
    builds.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    partial = builds / f"{name}.partial"
    final = builds / name
    try:
        partial.mkdir()
        count = _write_documents(partial, posts, progress)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "post_count": count,
            "source": source or {},
        }
        (partial / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _point_current_at(root, final)
    _remove_old_builds(builds, keep={final.name})
    return final


def _write_documents(directory: Path, posts: Iterable[Post], progress: Callable[[int], None] | None) -> int:
    ix = whoosh_index.create_in(str(directory), build_schema())
    count = 0
    writer = ix.writer(limitmb=_WRITER_MEMORY_MB)
    try:
        for post in posts:
            writer.add_document(**document_for(post))
            count += 1
            if progress:
                progress(count)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    return count


def _point_current_at(root: Path, build: Path) -> None:
    temporary = root / f"{CURRENT_LINK}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(Path(BUILDS_DIR) / build.name, temporary)
    os.replace(temporary, root / CURRENT_LINK)


def _remove_old_builds(builds: Path, keep: set[str]) -> None:
    """Old builds go; searchers that still hold their files open keep reading them (POSIX)."""
    for entry in builds.iterdir():
        if entry.name in keep:
            continue
        if entry.name.endswith(".partial") and time.time() - entry.stat().st_mtime < 3600:
            continue  # another build may be writing it right now
        shutil.rmtree(entry, ignore_errors=True)


def current_build(root: str | os.PathLike) -> Path | None:
    """The directory ``current`` points at, or None when there is no index."""
    link = Path(root) / CURRENT_LINK
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return (link.parent / target).resolve()


def read_meta(root: str | os.PathLike) -> dict | None:
    """The current index's metadata, or None when there is none or it cannot be read."""
    build = current_build(root)
    if build is None:
        return None
    try:
        return json.loads((build / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_current(root: str | os.PathLike) -> tuple[Path, whoosh_index.Index]:
    """Open the current index. Raises IndexUnavailable with a reason a person can act on."""
    build = current_build(root)
    if build is None or not build.is_dir():
        raise IndexUnavailable(f"no index at {root}: run `python run.py index` to build it")
    meta = read_meta(root)
    if meta is None:
        raise IndexUnavailable(f"the index at {build} has no readable {META_FILE}: rebuild it with `python run.py index`")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"the index at {build} was written by schema version {meta.get('schema_version')}, "
            f"this program reads version {SCHEMA_VERSION}: rebuild it with `python run.py index`"
        )
    try:
        return build, whoosh_index.open_dir(str(build))
    except Exception as error:  # Whoosh raises many kinds for damaged files
        raise IndexUnavailable(f"the index at {build} cannot be opened ({error}): rebuild it with `python run.py index`") from error
