"""The ``pprnet-search`` command (also ``python run.py``): extract, index, search, crawl and serve.

With no command it builds the index from the corpus when the index is missing, older than the corpus,
or cannot be read (damaged files, another schema version), then serves the web UI. Folders default
to ``./corpus`` and ``./index`` of the working directory (``PPRNET_INDEX_DIR`` overrides the index),
never to the installed package. Every failure is one line on stderr and a non-zero exit: 2 for a
usage error or an index that cannot be read, 1 for a build or crawl that failed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from search.store import IndexUnavailable
from webui import CONFIG_PREFIX, DEFAULTS
from webui.formatting import plural

DEFAULT_CORPUS = Path("corpus")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
INDEX_DIR_ENV = f"{CONFIG_PREFIX}_INDEX_DIR"


def default_index_dir() -> Path:
    """The web app's own default: ``$PPRNET_INDEX_DIR``, else ``./index`` of the working directory."""
    return Path(os.environ.get(INDEX_DIR_ENV) or DEFAULTS["INDEX_DIR"])


def cmd_extract(args: argparse.Namespace) -> int:
    """Parse page files or folders and print their posts."""
    from indexer.extract import extract_paths

    extraction = extract_paths(args.paths)
    for problem in extraction.problems:
        print(f"skipped {problem}", file=sys.stderr)
    for unplaced in extraction.unplaced:
        print(f"unplaced {unplaced}", file=sys.stderr)
    if args.json:
        json.dump([post.to_dict() for post in extraction.posts], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for post in extraction.posts:
            byline = f"{post.authors[0].split(',')[0]} et al. ({post.year})" if post.authors else "no citation"
            print(f"{post.issue_date}  {post.title}  [{byline}]")
            if post.topics:
                print(f"          topics ({post.topics_source}): {', '.join(post.topics)}")
    print(extraction.report(), file=sys.stderr)
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
    except OSError as error:  # a full disk, a folder that cannot be written: the old index stays current
        print(f"error: the index could not be built in {args.index} ({error.strerror or error}); "
              "the index that was there is unchanged", file=sys.stderr)
        return 1
    finally:
        if progress:
            print(file=sys.stderr)
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    for cut in report.cuts:
        print(f"post {cut} (the most a post holds)", file=sys.stderr)
    print(f"indexed {plural(report.post_count, 'post')} from {plural(report.pages_read, 'page')} into {report.build_dir}",
          file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search the index and print ranked results (or the JSON of the web API)."""
    from search.engine import SearchEngine
    from search.facets import FACETS
    from search.request import InvalidRequest, SearchRequest

    try:
        request = SearchRequest.from_params(
            query=" ".join(args.query),
            filters={facet.name: getattr(args, facet.name) for facet in FACETS},
            sort=args.sort,
            page=args.page,
        )
        response = SearchEngine(args.index).search(request)
    except InvalidRequest as error:
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
    more = f" (and {response.more} matching some of the words)" if response.more else ""
    print(f"{response.total} results{more}" + (f", {first}-{first + len(response.hits) - 1} shown" if response.hits else ""))
    for rank, hit in enumerate(response.hits, start=first):
        post = hit.post
        if hit.fewer_words and (rank == first or not response.hits[rank - first - 1].fewer_words):
            print(f"\n-- {response.more} more matching only some of the words --")
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
    """Fetch the live blog politely into <corpus>/crawl/ (resumable; a re-run downloads only what
    changed), then print the crawl report; ``--report`` reprints the last report without fetching."""
    from indexer.crawl_cli import run_crawl

    return run_crawl(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web UI (development server; production runs the same app under gunicorn). Refuses
    to start on an index that cannot be read (IndexUnavailable: exit 2)."""
    from search.store import verify_index
    from webui import create_app, serves_any_host

    problem = verify_index(args.index)
    if problem:
        raise IndexUnavailable(problem)
    app = create_app({"INDEX_DIR": str(Path(args.index).resolve())})
    print(f"Serving pprnet-search on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    if not serves_any_host(app) and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("Only loopback host names (localhost, 127.0.0.1, [::1]) are answered; to serve others set "
              "PPRNET_BASE_URL or PPRNET_TRUSTED_HOSTS (see README.md, Configuration).", file=sys.stderr, flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


def rebuild_reason(corpus: Path, index: Path) -> str | None:
    """Why the default command must build the index before serving, or None when it can serve it as
    it is: the index is missing, cannot be read (a missing or truncated file, unreadable metadata,
    another schema version: checked by opening it and reading every stored post), or is older than
    the corpus."""
    from indexer.build import index_is_current
    from search.store import current_build, verify_index

    if current_build(index) is None and not (Path(index) / "current").exists():
        return f"there is no index in {_folder(index)} yet"
    problem = verify_index(index)
    if problem:
        return f"the index in {_folder(index)} cannot be used: {_without_advice(problem)}"
    if not index_is_current(corpus, index):
        return f"the index in {_folder(index)} is older than the pages in {_folder(corpus)}"
    return None


def _folder(path: Path) -> str:
    return os.path.join(path, "")  # "index/": plainly a folder


def _without_advice(problem: str) -> str:
    """The reason without its "run `python run.py index`" advice: the default command is doing just that."""
    return re.sub(r":?\s*(run|rebuild it with) `python run\.py index`.*$", "", problem)


def cmd_default(args: argparse.Namespace) -> int:
    """Build the index from the corpus when it is missing, stale or unreadable, then serve."""
    from search.store import verify_index

    reason = rebuild_reason(args.corpus, args.index)
    if reason:
        print(f"{reason[0].upper()}{reason[1:]}: building it from the pages in {_folder(args.corpus)} ...", file=sys.stderr)
        status = cmd_index(args)
        if status:
            if verify_index(args.index) is not None:
                return status
            print(f"warning: the rebuild failed; serving the index that was there in {args.index}", file=sys.stderr)
    return cmd_serve(args)


def _hidden_default(help_text: str) -> dict:
    """A subcommand option whose default comes from the same option of the main command, so that
    ``pprnet-search --index X serve`` and ``pprnet-search serve --index X`` mean the same."""
    return {"default": argparse.SUPPRESS, "help": help_text}


def build_parser() -> argparse.ArgumentParser:
    from search.facets import FACETS
    from search.request import SORTS

    index_help = f"index folder (default: ${INDEX_DIR_ENV}, else ./index)"
    corpus_help = "folder of pages (default: ./corpus)"
    parser = argparse.ArgumentParser(
        description="Full-text, faceted search over the PPRNet blog's research summaries.",
        epilog="With no command: build the index from the corpus if it is missing, stale or unreadable, "
        f"then serve the UI on http://{DEFAULT_HOST}:{DEFAULT_PORT} (or --host/--port).",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=corpus_help)
    parser.add_argument("--index", type=Path, default=default_index_dir(), help=index_help)
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to serve on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default: {DEFAULT_PORT})")
    parser.set_defaults(handler=cmd_default)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    extract = commands.add_parser("extract", help="print the posts found in page files or folders",
                                  description="Print the posts found in page files or folders.")
    extract.add_argument("paths", nargs="+", metavar="PATH", help=".html, .htm or .txt files, or folders of them")
    extract.add_argument("--json", action="store_true", help="print a JSON array of posts")
    extract.set_defaults(handler=cmd_extract)

    index = commands.add_parser("index", help="build the search index from the corpus (atomically)",
                                description="Build the search index from the corpus into a new folder and swap it "
                                "in atomically; also repairs a missing or damaged index.")
    index.add_argument("--corpus", type=Path, **_hidden_default(corpus_help))
    index.add_argument("--index", type=Path, **_hidden_default(index_help))
    index.set_defaults(handler=cmd_index)

    search = commands.add_parser("search", help="search the index",
                                 description="Search the index and print ranked results (or the JSON of the web API).")
    search.add_argument("query", nargs="*", metavar="QUERY", help="words, phrases, author:, journal:, year:, ...")
    search.add_argument("--index", type=Path, **_hidden_default(index_help))
    search.add_argument("--json", action="store_true", help="print the JSON of GET /api/search")
    for facet in FACETS:
        search.add_argument(facet.option, dest=facet.name, action="append", default=[], metavar=facet.name[0].upper(),
                            help=f"only posts with this {facet.label.lower()} (repeatable: OR)")
    search.add_argument("--sort", default="relevance", choices=SORTS,
                        help="order of the results (default: relevance)")
    search.add_argument("--page", type=int, default=1, help="page of results, 10 a page (default: 1)")
    search.set_defaults(handler=cmd_search)

    from indexer.crawl_cli import add_crawl_arguments

    crawl = commands.add_parser("crawl", help="fetch the live blog politely into the corpus (resumable), then report",
                                description="Fetch the live blog and its old archive politely into <corpus>/crawl/ "
                                "(resumable), then print the crawl report.")
    add_crawl_arguments(crawl)
    crawl.set_defaults(handler=cmd_crawl)

    serve = commands.add_parser("serve", help="serve the web UI on an existing index",
                                description="Serve the web UI on an existing index (development server; "
                                "see README.md for gunicorn).")
    serve.add_argument("--index", type=Path, **_hidden_default(index_help))
    serve.add_argument("--host", **_hidden_default(f"address to serve on (default: {DEFAULT_HOST})"))
    serve.add_argument("--port", type=int, **_hidden_default(f"port to serve on (default: {DEFAULT_PORT})"))
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status. Raises SystemExit only for usage errors and ``--help``."""
    args = build_parser().parse_args(argv)
    # Post text is full of curly quotes and dashes: never die on a terminal that cannot show them.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent on io.StringIO (output captured in-process)
        if reconfigure:
            reconfigure(errors="replace")
    try:
        return args.handler(args)
    except IndexUnavailable as error:  # missing, damaged, another version: one line, no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
