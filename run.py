"""pprnet-search command line: extract, index, search and serve (see README.md).

``python run.py`` with no arguments builds the index from ``corpus/`` when it is missing, older
than the corpus, or cannot be read (damaged files, another schema version), then serves the web UI.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = PROJECT_DIR / "corpus"
DEFAULT_INDEX = PROJECT_DIR / "index"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def cmd_extract(args: argparse.Namespace) -> int:
    """Parse page files or folders and print their posts."""
    from indexer.extract import extract_paths

    extraction = extract_paths(args.paths)
    for problem in extraction.problems:
        print(f"skipped {problem}", file=sys.stderr)
    if args.json:
        json.dump([post.to_dict() for post in extraction.posts], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for post in extraction.posts:
            byline = f"{post.authors[0].split(',')[0]} et al. ({post.year})" if post.authors else "no citation"
            print(f"{post.issue_date}  {post.title}  [{byline}]")
            if post.topics:
                print(f"          topics ({post.topics_source}): {', '.join(post.topics)}")
        print(f"{len(extraction.posts)} posts from {extraction.pages_read} pages", file=sys.stderr)
    return 0 if extraction.pages_read else 1


def cmd_index(args: argparse.Namespace) -> int:
    """Build the index from the corpus and swap it in atomically."""
    from indexer.build import build_index
    from indexer.errors import ExtractionError
    from search.store import IndexWriteError

    progress = _progress_bar("indexing") if sys.stderr.isatty() else None
    try:
        report = build_index(args.corpus, args.index, progress=progress)
    except (ExtractionError, IndexWriteError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if progress:
            print(file=sys.stderr)
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"indexed {report.post_count} posts from {report.pages_read} pages into {report.build_dir}", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search the index and print ranked results (or the JSON of the web API)."""
    from search.engine import SearchEngine
    from search.facets import FACETS
    from search.request import InvalidRequest, SearchRequest
    from search.store import IndexUnavailable

    try:
        request = SearchRequest.from_params(
            query=" ".join(args.query),
            filters={facet.name: getattr(args, facet.name) for facet in FACETS},
            sort=args.sort,
            page=args.page,
        )
        response = SearchEngine(args.index).search(request)
    except (InvalidRequest, IndexUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(response.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _print_results(response)
    return 0


def _print_results(response) -> None:
    import html
    import re

    if response.corrected:
        print(f"No results for {response.request.query!r}; showing results for {response.suggestion!r}.")
    elif response.suggestion:
        print(f"Did you mean: {response.suggestion}")
    if response.notice:
        print(response.notice)
    first = (response.page - 1) * response.request.page_size + 1
    print(f"{response.total} results" + (f", {first}-{first + len(response.hits) - 1} shown" if response.hits else ""))
    for rank, hit in enumerate(response.hits, start=first):
        post = hit.post
        byline = f"{post.authors[0].split(',')[0]}{' et al.' if len(post.authors) > 1 else ''} ({post.year})" if post.authors else ""
        print(f"\n{rank}. {post.title}  [{post.issue_date}]  score {hit.score:.2f}")
        if byline or post.journal:
            print(f"   {byline}  {post.journal or ''}".rstrip())
        snippet = re.sub(r"</?mark>", "*", hit.highlights["implications"])
        print(f"   {html.unescape(snippet)}")
        print(f"   id: {post.id}")


def _progress_bar(label: str):
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)

    return show


def cmd_crawl(args: argparse.Namespace) -> int:
    """Fetch the live blog politely into <corpus>/crawl/ (resumable; a re-run downloads only what changed)."""
    from urllib.parse import urlsplit

    from indexer.crawl import crawl

    parts = urlsplit(args.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        print(f"error: --base-url must be an http(s) URL, not {args.base_url!r}", file=sys.stderr)
        return 2
    if args.delay < 0 or args.max_pages < 1:
        print("error: --delay must be 0 or more and --max-pages at least 1", file=sys.stderr)
        return 2
    progress = _crawl_progress() if sys.stderr.isatty() else None
    try:
        report = crawl(args.base_url, args.corpus, delay=args.delay, max_pages=args.max_pages, progress=progress)
    except OSError as error:
        print(f"error: cannot write the crawl into {args.corpus}: {error}", file=sys.stderr)
        return 1
    finally:
        if progress:
            print(file=sys.stderr)
    for url, reason in report.problems:
        print(f"problem {url}: {reason}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    if report.stopped == "interrupted":
        return 130
    return 1 if report.failed or (report.stopped and not report.stopped.startswith("the page cap")) else 0


def _crawl_progress():
    def show(report, url: str) -> None:
        done = report.fetched + report.unchanged + report.failed
        line = f"crawling: {done} pages ({report.unchanged} unchanged, {report.failed} failed)  {url}"
        print(f"\r{line[:120]:<120}", end="", file=sys.stderr, flush=True)

    return show


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web UI (development server; production runs the same app under gunicorn)."""
    from webui import create_app

    app = create_app({"INDEX_DIR": str(args.index)})
    print(f"Serving pprnet-search on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


def rebuild_reason(corpus: Path, index: Path) -> str | None:
    """Why the default command must build the index before serving, or None when it can serve it as
    it is: the index is missing, cannot be read (a missing or truncated file, unreadable metadata,
    another schema version: checked by opening it and reading every stored post), or is older than
    the corpus."""
    from indexer.build import index_is_current
    from search.store import verify_index

    problem = verify_index(index)
    if problem:
        return problem
    if not index_is_current(corpus, index):
        return f"the index is older than the corpus in {corpus}"
    return None


def cmd_default(args: argparse.Namespace) -> int:
    """Build the index from corpus/ when it is missing, stale or unreadable, then serve."""
    from search.store import verify_index

    reason = rebuild_reason(args.corpus, args.index)
    if reason:
        print(f"Building the index from {args.corpus} ({reason}) ...", file=sys.stderr)
        status = cmd_index(args)
        if status:
            if verify_index(args.index) is not None:
                return status
            print("warning: the rebuild failed; serving the index that was there", file=sys.stderr)
    return cmd_serve(args)


def build_parser() -> argparse.ArgumentParser:
    from search.facets import FACETS

    parser = argparse.ArgumentParser(
        prog="run.py",
        description=__doc__.splitlines()[0],
        epilog="With no command: build the index from corpus/ if it is missing or stale, then serve "
        f"the UI on http://{DEFAULT_HOST}:{DEFAULT_PORT}.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    extract = commands.add_parser("extract", help="print the posts found in page files or folders")
    extract.add_argument("paths", nargs="+", metavar="PATH", help=".html, .htm or .txt files, or folders of them")
    extract.add_argument("--json", action="store_true", help="print a JSON array of posts")
    extract.set_defaults(handler=cmd_extract)

    index = commands.add_parser("index", help="build the search index from the corpus (atomically)")
    index.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of pages (default: corpus/)")
    index.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder (default: index/)")
    index.set_defaults(handler=cmd_index)

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query", nargs="*", metavar="QUERY", help="words, phrases, author:, journal:, year:, ...")
    search.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder (default: index/)")
    search.add_argument("--json", action="store_true", help="print the JSON of GET /api/search")
    for facet in FACETS:
        search.add_argument(facet.option, dest=facet.name, action="append", default=[], metavar=facet.name[0].upper(),
                            help=f"only posts with this {facet.label.lower()} (repeatable: OR)")
    search.add_argument("--sort", default="relevance", choices=("relevance", "newest", "oldest"))
    search.add_argument("--page", type=int, default=1)
    search.set_defaults(handler=cmd_search)

    crawl = commands.add_parser("crawl", help="fetch the live blog politely into the corpus (resumable)")
    crawl.add_argument("--base-url", default="https://socialsciences.uottawa.ca/pprnet/blog", metavar="URL",
                       help="the blog listing to start from (default: the live PPRNet blog)")
    crawl.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder; pages go to its crawl/ (default: corpus/)")
    crawl.add_argument("--delay", type=float, default=2.0, metavar="SECONDS", help="wait between requests (default: 2)")
    crawl.add_argument("--max-pages", type=int, default=1000, metavar="N", help="stop after requesting N pages (default: 1000)")
    crawl.set_defaults(handler=cmd_crawl)

    serve = commands.add_parser("serve", help="serve the web UI")
    serve.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder (default: index/)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = argparse.Namespace(
            handler=cmd_default, corpus=DEFAULT_CORPUS, index=DEFAULT_INDEX, host=DEFAULT_HOST, port=DEFAULT_PORT
        )
    # Post text is full of curly quotes and dashes: never die on a terminal that cannot show them.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent on io.StringIO (output captured in-process)
        if reconfigure:
            reconfigure(errors="replace")
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
