"""The index on disk: built into a fresh directory, then swapped in atomically through a symlink.

Layout of an index root::

    ROOT/current -> builds/20260126T180000-1234   (symlink, replaced atomically)
    ROOT/builds/<build>/                           (Whoosh files, postings.bin/.json, listings.json,
                                                    vocabulary.json, pprnet-index.json)

A reader follows ``current`` and sees the old index or the new one, never a half-written one; a build
that fails (a full disk, a bad post) removes its own directory and raises, and leaves ``current``
untouched. ``pprnet-index.json`` records the schema version, so an index written by another version is
reported as unusable instead of being misread, and the name and size of every index file, so a deleted
or truncated file is reported (``index_problem``) before Whoosh reads it. A reader reads each index file
whole into memory when it opens the index (no ``mmap``, no file handle kept), once per opened index,
shared by its searchers: a file damaged under a running reader cannot touch it (with ``mmap``,
truncating a file in place killed the process with SIGBUS), and nothing is left open for the garbage
collector to close.

Damaged states are reported, never raised as arbitrary errors: a ``current`` that is a directory, a
symlink loop, a link to a missing or unreadable build (``index_problem``; ``open_current`` raises
``IndexUnavailable``). A new build repairs them: it replaces whatever ``current`` is and removes the
builds left by builds that died (their writing process is gone). One build writes to a root at a
time: it holds an exclusive ``flock`` on ``ROOT/build.lock`` from start to clean-up (the kernel drops
it if the process dies), and a second build stops at once with ``IndexBusy``.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile

from search.analysis import analysis_fingerprint
from search.post import Post
from search.postings import Postings, PostingsWriter
from search.schema import SCHEMA_VERSION, build_schema, document_for
from search.vocabulary import VOCABULARY_FILE, Vocabulary

CURRENT_LINK = "current"
BUILDS_DIR = "builds"
LOCK_FILE = "build.lock"
META_FILE = "pprnet-index.json"
LISTINGS_FILE = "listings.json"  # each post without its texts, in document order
# Whoosh's writer pools postings in memory up to this, then spills sorted runs to merge at commit. A
# build is a batch job: more memory buys fewer spills (bench/run.py measures the build).
_WRITER_MEMORY_MB = 512


class IndexUnavailable(Exception):
    """There is no usable index at the given root; the message says why and how to fix it."""


class IndexWriteError(Exception):
    """A build could not be written (disk full, no permission); the previous index is still current."""


class IndexBusy(IndexWriteError):
    """Another build is writing to the same index root; this one changed nothing."""


class _InMemoryStorage(FileStorage):
    """A read-only Whoosh storage that reads each file whole, once: every searcher reads the same bytes."""

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)
        self._contents: dict[str, bytes] = {}

    def open_file(self, name, **kwargs):
        contents = self._contents.get(name)
        if contents is None:
            with open(self._fpath(name), "rb") as handle:
                contents = self._contents[name] = handle.read()
        return BufferFile(contents, name=name)


def write_index(
    posts: Iterable[Post],
    root: str | os.PathLike,
    *,
    source: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Build a new index of ``posts`` under ``root`` and make it current. Returns its directory.

    ``source`` is stored in the index metadata (e.g. a fingerprint of the corpus it came from).
    ``progress`` is called with the number of posts written so far. Raises IndexBusy when another
    build holds the root's lock.
    """
    with _build_lock(Path(root)):
        builds = Path(root) / BUILDS_DIR
        builds.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        partial = builds / f"{name}.partial"
        final = builds / name
        try:
            partial.mkdir()
            count = _write_documents(partial, posts, progress)
            meta = {
                "schema_version": SCHEMA_VERSION,
                "analysis": fingerprint(),
                "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "post_count": count,
                "source": source or {},
                "files": {entry.name: entry.stat().st_size for entry in sorted(partial.iterdir())  # read back by _check
                          if entry.is_file() and entry.name != META_FILE and not entry.name.endswith("LOCK")},
            }
            (partial / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            os.rename(partial, final)
        except BaseException as error:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(error, OSError):
                raise IndexWriteError(f"the new index could not be written under {builds} ({error.strerror or error}); "
                                      "the previous index is still in use") from error
            raise
        _point_current_at(Path(root), final)
        _remove_old_builds(builds, keep={final.name})
        return final


@contextlib.contextmanager
def _build_lock(root: Path):
    """Hold the exclusive lock of ``root`` (see the module notes), or raise IndexBusy at once."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise IndexBusy(f"another index build ({lock.read().strip() or 'a running process'}) is writing to "
                            f"{root}; this one stopped and changed nothing: try again when it has finished") from None
        lock.truncate(0)
        lock.write(f"process {os.getpid()}")
        lock.flush()
        yield


def _write_documents(directory: Path, posts: Iterable[Post], progress: Callable[[int], None] | None) -> int:
    """Index the posts with Whoosh's own writer (one segment: document numbers in order from 0) and
    write their postings file and spelling vocabulary beside it. An error half way cancels the writer
    (``with`` does) and leaves the directory to the caller."""
    ix = whoosh_index.create_in(str(directory), build_schema())
    vocabulary = Vocabulary()
    postings = PostingsWriter()
    listings = []
    with ix.writer(limitmb=_WRITER_MEMORY_MB) as writer:
        for post in posts:
            writer.add_document(**document_for(post, len(listings), postings))
            vocabulary.add_document(" ".join((post.title, post.summary, post.implications, post.citation or "")))
            listings.append(post.replace(summary="", implications="").to_dict())
            if progress:
                progress(len(listings))
    postings.write(directory)
    vocabulary.save(directory / VOCABULARY_FILE)
    (directory / LISTINGS_FILE).write_text(json.dumps(listings, ensure_ascii=False), encoding="utf-8")
    return len(listings)


def read_listings(build: Path) -> list[Post]:
    """The posts of a build without their summaries and implications (for listings and facets), in
    document order: what a reader needs when it opens, whatever the length of the posts' texts."""
    return [Post.from_dict(record) for record in json.loads((build / LISTINGS_FILE).read_text(encoding="utf-8"))]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """This program's analysis fingerprint (search.analysis), computed once."""
    return analysis_fingerprint()


def _point_current_at(root: Path, build: Path) -> None:
    """Swap ``current`` to ``build`` atomically. A ``current`` that is not a link (a directory or file
    left by hand or by another program) is moved into ``builds/`` first, to be removed as a stale build."""
    link = root / CURRENT_LINK
    if not link.is_symlink() and link.exists():
        os.rename(link, root / BUILDS_DIR / f"{CURRENT_LINK}-{os.getpid()}.stale")
    temporary = root / f"{CURRENT_LINK}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    os.symlink(Path(BUILDS_DIR) / build.name, temporary)
    os.replace(temporary, link)


def _remove_old_builds(builds: Path, keep: set[str]) -> None:
    """Old builds go, and the partial builds of processes that died; one whose process still runs stays."""
    for entry in builds.iterdir():
        if entry.name not in keep and not (entry.name.endswith(".partial") and _writer_alive(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)


def _writer_alive(name: str) -> bool:
    """Whether the process that named a partial build ``<time>-<pid>.partial`` still runs (this host)."""
    try:
        pid = int(name.removesuffix(".partial").rsplit("-", 1)[1])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):  # no pid in the name, or no such process
        return False
    except PermissionError:  # it runs, as another user
        pass
    return pid != os.getpid()


def _pointer(root: str | os.PathLike) -> tuple[Path | None, str | None]:
    """The build ``current`` points at, or None and why not (a sentence ending in the fix)."""
    link = Path(root) / CURRENT_LINK
    fix = "run `python run.py index` to build it"
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None, f"no index at {root}: {fix}"
    except OSError:
        kind = "a directory" if link.is_dir() else "not a link"
        return None, f"the index pointer {link} is {kind}, not a link to a build: run `python run.py index` to replace it"
    build = Path(os.path.normpath(link.parent / target))
    try:
        os.stat(build)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, f"the index pointer {link} is a symlink loop: run `python run.py index` to replace it"
        if error.errno == errno.ENOENT:
            return None, f"no index at {root} (its pointer leads to the missing build {target}): {fix}"
        return None, f"the index build {build} cannot be read ({error.strerror}): run `python run.py index` to rebuild it"
    return build.resolve(), None


def current_build(root: str | os.PathLike) -> Path | None:
    """The directory ``current`` points at, or None when there is no usable pointer."""
    return _pointer(root)[0]


def read_meta(root: str | os.PathLike) -> dict | None:
    """The current index's metadata, or None when there is none or it cannot be read."""
    build = current_build(root)
    return None if build is None else _build_meta(build)


def _build_meta(build: Path) -> dict | None:
    try:
        return json.loads((build / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check(root: str | os.PathLike) -> tuple[Path | None, str | None]:
    build, problem = _pointer(root)
    if problem:
        return build, problem
    if not build.is_dir():
        return build, f"no index at {root} ({build} is not a directory): run `python run.py index` to build it"
    if not os.access(build, os.R_OK | os.X_OK):
        return build, f"the index build {build} cannot be read (permission denied): run `python run.py index` to rebuild it"
    meta = _build_meta(build)  # the meta of the build just checked, not of whatever `current` is by now
    if meta is None:
        return build, f"the index at {build} has no readable {META_FILE}: rebuild it with `python run.py index`"
    if meta.get("schema_version") != SCHEMA_VERSION:
        return build, (
            f"the index at {build} was written by schema version {meta.get('schema_version')}, "
            f"this program reads version {SCHEMA_VERSION}: rebuild it with `python run.py index`"
        )
    if meta.get("analysis") != fingerprint():
        return build, (
            f"the index at {build} was written with other text analysis (thesaurus, stop words): "
            "rebuild it with `python run.py index`"
        )
    for name, size in (meta.get("files") or {}).items():  # builds made before sizes were recorded: unchecked
        try:
            actual = (build / name).stat().st_size
        except OSError:
            actual = None
        if actual != size:
            damage = (f"the index file {name} is missing" if actual is None
                      else f"the index file {name} has {actual} bytes, not the {size} it was written with")
            return build, f"the index at {build} is damaged ({damage}): rebuild it with `python run.py index`"
    return build, None


def index_problem(root: str | os.PathLike) -> str | None:
    """Why the current index cannot be used (missing, other schema version, damaged files), or None.

    Cheap (a few ``stat`` calls): for health checks. A swap between looking and checking is retried."""
    for _ in range(3):
        build, problem = _check(root)
        if problem is None or current_build(root) == build:
            return problem
    return problem


def verify_index(root: str | os.PathLike) -> str | None:
    """Like :func:`index_problem`, then also open the index and read what a reader opens with (Whoosh's
    segment, the postings table, the listings): the check made once before serving, whose cost does not
    grow with the length of the posts' texts. Returns the problem, or None when the index is usable."""
    problem = index_problem(root)
    if problem:
        return problem
    try:
        build, ix = open_current(root)  # an Index holds nothing to close (its storage reads files whole)
        with ix.reader() as reader:
            if reader.doc_count() != len(read_listings(build)) or Postings(build).documents != reader.doc_count():
                return (f"the index at {build} is damaged (its files disagree on the number of posts): "
                        "rebuild it with `python run.py index`")
    except IndexUnavailable as error:
        return str(error)
    except Exception as error:  # Whoosh raises many kinds for damaged files
        return f"the index at {current_build(root)} cannot be read ({error!r}): rebuild it with `python run.py index`"
    return None


def open_current(root: str | os.PathLike) -> tuple[Path, whoosh_index.Index]:
    """Open the current index. Raises IndexUnavailable with a reason a person can act on."""
    build, problem = _check(root)
    if problem:
        raise IndexUnavailable(problem)
    try:
        return build, _InMemoryStorage(str(build)).open_index()
    except Exception as error:  # Whoosh raises many kinds for damaged files
        raise IndexUnavailable(f"the index at {build} cannot be opened ({error}): rebuild it with `python run.py index`") from error
