"""The ``pprnet-search`` command (also ``python run.py``): extract, index, search, crawl and serve.

With no command it builds the index from the corpus when the index is missing, older than the corpus,
or cannot be read (damaged files, another schema version), then serves the web UI. Folders default
to ``./corpus`` and ``./index`` of the working directory (``PPRNET_INDEX_DIR``, the web app's own
setting, overrides the index), never to the installed package.

Nothing fails silently. Every failure is one line on stderr and a non-zero exit: 2 for a usage error
(an unknown option is named, with the closest known one), an index that cannot be read, a folder that
is not there, a port that cannot be served on or a page past the last; 1 for a build or crawl that
failed; 130 for an interrupted crawl. Messages name the command as it was run (``pprnet-search index``
or ``python run.py index``).

Each command imports only what it uses: the crawler for ``crawl``, the extractor and the index writer
for ``extract`` and ``index``, the search core for ``search``, and the web app (Flask) only to serve.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import errno
import json
import os
import re
import shutil
import socket
import sys
from pathlib import Path

from indexer.crawl_settings import CrawlSettings

DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("index")  # the web app's default too (webui.DEFAULTS)
INDEX_DIR_ENV = "PPRNET_INDEX_DIR"  # the web app's INDEX_DIR setting, read from the environment
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# How the search core's messages advise a repair; shown as the command that was run.
_LIBRARY_ADVICE = "`python run.py "


def default_index_dir() -> Path:
    """``$PPRNET_INDEX_DIR``, else ``./index`` of the working directory."""
    return Path(os.environ.get(INDEX_DIR_ENV) or DEFAULT_INDEX)


def command_name(argv0: str | None = None) -> str:
    """The command as it was run: ``python run.py`` for a script file, else the installed command's
    name (its whole path when that name on the PATH is another program or none)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if argv0.endswith(".py"):
        return f"python {argv0}"
    name = os.path.basename(argv0) or "pprnet-search"
    found = shutil.which(name)
    return name if found and os.path.exists(argv0) and os.path.samefile(found, argv0) else argv0 or name


def plural(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"


def _fail(args: argparse.Namespace, message: str, status: int) -> int:
    """Print ``error: message`` (advice naming the command as it was run) and return ``status``."""
    print(f"error: {message.replace(_LIBRARY_ADVICE, f'`{args.command_name} ')}", file=sys.stderr)
    return status


def _folder(path: Path) -> str:
    return os.path.join(path, "")  # "index/": plainly a folder


def _no_corpus(args: argparse.Namespace) -> str | None:
    """Why the corpus cannot be read, or None when it is a folder."""
    if Path(args.corpus).is_dir():
        return None
    where = "" if Path(args.corpus).is_absolute() else f" in {Path.cwd()}"
    return (f"there is no folder {_folder(args.corpus)}{where} to build the index from: run {args.command_name} "
            "in the folder that holds corpus/, or give --corpus the folder of the blog's pages")


# --------------------------------------------------------------------------------------------------
# extract, index
# --------------------------------------------------------------------------------------------------
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

    problem = _no_corpus(args)
    if problem:
        return _fail(args, problem, 2)
    progress = _progress_bar("indexing") if sys.stderr.isatty() else None
    try:
        report = build_index(args.corpus, args.index, progress=progress)
    except (ExtractionError, IndexWriteError) as error:
        return _fail(args, str(error), 1)
    except OSError as error:  # a full disk, a folder that cannot be written: the old index stays current
        return _fail(args, f"the index could not be built in {args.index} ({error.strerror or error}); "
                     "the index that was there is unchanged", 1)
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


def _progress_bar(label: str):
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)

    return show


# --------------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------------
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
    except InvalidRequest as error:
        return _fail(args, str(error), 2)
    try:
        response = SearchEngine(args.index).search(request)
    except IndexUnavailable as error:  # missing, damaged, another version: one line, no traceback
        return _fail(args, str(error), 2)
    if request.page > response.page_count:
        found = plural(response.total + response.more, "result")
        return _fail(args, f"page {request.page} is past the end: {found} fill "
                     f"{plural(response.page_count, 'page')} of {request.page_size}", 2)
    if args.json:
        json.dump(response.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _print_results(response)
    return 0


def _print_results(response) -> None:
    import html

    if response.corrected:
        print(f"No results for {response.request.query!r}; showing results for {response.suggestion!r}.")
    elif response.suggestion:
        print(f"Did you mean: {response.suggestion}")
    if response.notice:
        print(response.notice)
    first = (response.page - 1) * response.request.page_size + 1
    more = f" (and {response.more} matching some of the words)" if response.more else ""
    shown = f", {first}-{first + len(response.hits) - 1} shown" if response.page_count > 1 else ""
    print(f"{plural(response.total, 'result')}{more}{shown}")
    if line := response.interpretation_line():
        print(f"Searched for: {line}")
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


# --------------------------------------------------------------------------------------------------
# crawl
# --------------------------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    """Fetch the live blog politely into <corpus>/crawl/ (resumable; a re-run downloads only what
    changed), then print the problems, the run's summary and the crawl report; ``--report`` reprints
    the last report without fetching."""
    from indexer.crawl import StopReason, crawl

    if args.report:
        return _print_crawl_report(args)
    try:
        settings = CrawlSettings(**{setting.name: getattr(args, setting.name)
                                    for setting in dataclasses.fields(CrawlSettings)})
    except ValueError as error:
        return _fail(args, str(error), 2)
    progress = _crawl_progress if sys.stderr.isatty() else None
    try:
        summary = crawl(settings, args.corpus, progress=progress)
    except OSError as error:
        return _fail(args, f"cannot write the crawl into {args.corpus}: {error}", 1)
    finally:
        if progress:
            print(file=sys.stderr)
    for url, reason in summary.problems:
        print(f"problem {url}: {reason}", file=sys.stderr)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(summary.summary(), file=sys.stderr)
    if summary.stopped is not StopReason.ROBOTS_UNREADABLE:
        _print_crawl_report(args)
    if summary.stopped is StopReason.INTERRUPTED:
        return 130
    return 1 if summary.failed or summary.stopped not in (None, StopReason.PAGE_CAP) else 0


def _print_crawl_report(args: argparse.Namespace) -> int:
    from indexer.crawl_report import crawl_report

    try:
        report = crawl_report(args.corpus)
    except OSError:
        return _fail(args, f"no crawl in {_folder(args.corpus)}: run `{args.command_name} crawl` first", 2)
    except ValueError as error:
        return _fail(args, f"the crawl manifest in {_folder(args.corpus)} cannot be read: {error}", 2)
    print(report.render())
    return 0


def _crawl_progress(summary, url: str) -> None:
    done = summary.fetched + summary.unchanged + summary.failed
    line = f"crawling: {done} pages ({summary.unchanged} unchanged, {summary.failed} failed)  {url}"
    print(f"\r{line[:120]:<120}", end="", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# serve, and the default command
# --------------------------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web UI (werkzeug's server; production runs the same app under gunicorn). Refuses an
    index that cannot be read, and a host and port it cannot listen on, before saying it serves."""
    from search.store import verify_index

    problem = verify_index(args.index)
    if problem:
        return _fail(args, problem, 2)
    try:
        listening = _listening_socket(args.host, args.port)
    except OSError as error:
        return _fail(args, _cannot_listen(args.host, args.port, error), 2)
    from werkzeug.serving import make_server

    from webui import LOOPBACK_HOSTS, create_app, serves_any_host

    with listening:
        app = create_app({"INDEX_DIR": str(Path(args.index).resolve())})
        server = make_server(args.host, args.port, app, threaded=True, fd=listening.fileno())
    print(f"Serving pprnet-search on http://{args.host}:{server.port}  (Ctrl+C to stop)", flush=True)
    if not serves_any_host(app) and not {args.host, f"[{args.host}]"} & LOOPBACK_HOSTS:
        print("Only loopback host names (localhost, 127.0.0.1, [::1]) are answered; to serve others set "
              "PPRNET_BASE_URL or PPRNET_TRUSTED_HOSTS (see README.md, Configuration).", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port as werkzeug's server would open it. Raises OSError."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(get_sockaddr(host, port, family))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {host}: it is not an address of this machine; choose another with --host"
    if error.errno == errno.EADDRINUSE:
        why = f"port {port} is in use by another program (another pprnet-search?)"
    elif error.errno == errno.EACCES:
        why = f"port {port} needs privileges this user does not have"
    else:
        why = error.strerror or str(error)
    return f"cannot serve on {host}:{port}: {why}; choose another with --port"


def rebuild_reason(corpus: Path, index: Path) -> str | None:
    """Why the default command must build the index before serving, or None when it can serve it as
    it is: the index is missing, cannot be read (a missing or truncated file, unreadable metadata,
    another schema version: checked by opening it and reading every stored post), or is older than
    the corpus (a missing corpus folder makes no index older)."""
    from indexer.build import index_is_current
    from search.store import current_build, verify_index

    if current_build(index) is None and not (Path(index) / "current").exists():
        return f"there is no index in {_folder(index)} yet"
    problem = verify_index(index)
    if problem:
        return f"the index in {_folder(index)} cannot be used: {_without_advice(problem)}"
    if Path(corpus).is_dir() and not index_is_current(corpus, index):
        return f"the index in {_folder(index)} is older than the pages in {_folder(corpus)}"
    return None


def _without_advice(problem: str) -> str:
    """The reason without its "run `python run.py index`" advice: the default command is doing just that."""
    return re.sub(rf":?\s*(run|rebuild it with) {re.escape(_LIBRARY_ADVICE)}index`.*$", "", problem)


def cmd_default(args: argparse.Namespace) -> int:
    """Build the index from the corpus when it is missing, stale or unreadable, then serve."""
    from search.store import verify_index

    reason = rebuild_reason(args.corpus, args.index)
    missing = _no_corpus(args)
    if reason and missing:
        return _fail(args, f"{reason}, and {missing}", 2)
    if missing:
        print(f"note: there is no folder {_folder(args.corpus)} here: serving the index in {_folder(args.index)} as it is",
              file=sys.stderr)
    if reason:
        print(f"{reason[0].upper()}{reason[1:]}: building it from the pages in {_folder(args.corpus)} ...", file=sys.stderr)
        status = cmd_index(args)
        if status:
            if verify_index(args.index) is not None:
                return status
            print(f"warning: the rebuild failed; serving the index that was there in {args.index}", file=sys.stderr)
    return cmd_serve(args)


# --------------------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors that name what was wrong: an unknown option (with the closest known
    one) or an unknown command (with the closest command). It records its options and commands."""

    def __init__(self, *args, **kwargs) -> None:
        self.options: list[str] = []
        self.commands: dict[str, _Parser] = {}
        self.typed: list[str] = []
        super().__init__(*args, **kwargs)

    def add_argument(self, *names, **kwargs):
        self.options += [name for name in names if name.startswith("-")]
        return super().add_argument(*names, **kwargs)

    def parse_args(self, args=None, namespace=None):
        self.typed = list(sys.argv[1:] if args is None else args)
        return super().parse_args(self.typed, namespace)

    def error(self, message: str):
        """Usage and one line naming the problem, exit 2 (the unknown options and commands that argparse
        reports at the top level are told with the closest known ones)."""
        command = next((token for token in self.typed if token in self.commands), None)
        parser = self.commands.get(command, self)
        known = self.options + (parser.options if parser is not self else [])
        unknown = _unknown_option(self.typed, known)
        wrong = re.search(r"invalid choice: (['\"])(.*?)\1", message) if self.commands and command is None else None
        if unknown:
            message = f"unknown option {unknown}{_did_you_mean(unknown, known)}"
        elif wrong:
            message = (f"unknown command {wrong[2]!r}{_did_you_mean(wrong[2], list(self.commands))}; "
                       f"the commands are {', '.join(self.commands)}")
        parser.print_usage(sys.stderr)
        parser.exit(2, f"{parser.prog}: error: {message}\n")


def _unknown_option(typed: list[str], known: list[str]) -> str | None:
    """The first option typed (before a lone ``--``) that is neither known nor the abbreviation of
    exactly one known option (as argparse allows)."""
    for token in typed:
        if token == "--":
            return None
        name = token.split("=", 1)[0]
        if not name.startswith("-") or name == "-" or name.lstrip("-").replace(".", "", 1).isdigit():
            continue  # a value: a word, or a negative number
        if name not in known and sum(option.startswith(name) for option in known if name.startswith("--")) != 1:
            return name
    return None


def _did_you_mean(typed: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(typed, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def build_parser(prog: str | None = None) -> _Parser:
    from search.facets import FACETS
    from search.request import SORTS

    index_help = f"index folder (default: ${INDEX_DIR_ENV}, else ./index)"
    corpus_help = "folder of pages (default: ./corpus)"
    parser = _Parser(
        prog=prog or command_name(),
        description="Full-text, faceted search over the PPRNet blog's research summaries.",
        epilog="With no command: build the index from the corpus if it is missing, stale or unreadable, "
        f"then serve the UI on http://{DEFAULT_HOST}:{DEFAULT_PORT} (or --host/--port).",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=corpus_help)
    parser.add_argument("--index", type=Path, default=default_index_dir(), help=index_help)
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to serve on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default: {DEFAULT_PORT})")
    parser.set_defaults(handler=cmd_default)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler, summary: str, description: str) -> _Parser:
        parser.commands[name] = subparsers.add_parser(name, help=summary, description=description)
        parser.commands[name].set_defaults(handler=handler)
        return parser.commands[name]

    extract = command("extract", cmd_extract, "print the posts found in page files or folders",
                      "Print the posts found in page files or folders.")
    extract.add_argument("paths", nargs="+", metavar="PATH", help=".html, .htm or .txt files, or folders of them")
    extract.add_argument("--json", action="store_true", help="print a JSON array of posts")

    index = command("index", cmd_index, "build the search index from the corpus (atomically)",
                    "Build the search index from the corpus into a new folder and swap it in atomically; "
                    "also repairs a missing or damaged index.")
    index.add_argument("--corpus", type=Path, **_hidden_default(corpus_help))
    index.add_argument("--index", type=Path, **_hidden_default(index_help))

    search = command("search", cmd_search, "search the index",
                     "Search the index and print ranked results (or the JSON of the web API).")
    search.add_argument("query", nargs="*", metavar="QUERY", help="words, phrases, author:, journal:, year:, ...")
    search.add_argument("--index", type=Path, **_hidden_default(index_help))
    search.add_argument("--json", action="store_true", help="print the JSON of GET /api/search")
    for facet in FACETS:
        search.add_argument(facet.option, dest=facet.name, action="append", default=[], metavar=facet.name[0].upper(),
                            help=f"only posts with this {facet.label.lower()} (repeatable: OR)")
    search.add_argument("--sort", default="relevance", choices=SORTS, help="order of the results (default: relevance)")
    search.add_argument("--page", help="page of results, 10 a page (default: 1)")

    crawl = command("crawl", cmd_crawl, "fetch the live blog politely into the corpus (resumable), then report",
                    "Fetch the live blog and its old archive politely into <corpus>/crawl/ (resumable), "
                    "then print the crawl report.")
    crawl.add_argument("--corpus", type=Path, **_hidden_default("corpus folder; pages go to its crawl/ (default: ./corpus)"))
    crawl.add_argument("--report", action="store_true", help="print the report of the last crawl without fetching")
    for setting in dataclasses.fields(CrawlSettings):  # one option per setting, its default shown
        option, help_text = f"--{setting.name.replace('_', '-')}", f"{setting.metadata['help']} (default: %(default)s)"
        if isinstance(setting.default, bool):  # --crossref / --no-crossref
            crawl.add_argument(option, dest=setting.name, default=setting.default,
                               action=argparse.BooleanOptionalAction, help=help_text)
        else:
            crawl.add_argument(option, dest=setting.name, type=type(setting.default), default=setting.default,
                               metavar=setting.metadata["metavar"], help=help_text)

    serve = command("serve", cmd_serve, "serve the web UI on an existing index",
                    "Serve the web UI on an existing index (development server; see README.md for gunicorn).")
    serve.add_argument("--index", type=Path, **_hidden_default(index_help))
    serve.add_argument("--host", **_hidden_default(f"address to serve on (default: {DEFAULT_HOST})"))
    serve.add_argument("--port", type=int, **_hidden_default(f"port to serve on (default: {DEFAULT_PORT})"))
    return parser


def _hidden_default(help_text: str) -> dict:
    """A subcommand option whose default comes from the same option of the main command, so that
    ``pprnet-search --index X serve`` and ``pprnet-search serve --index X`` mean the same."""
    return {"default": argparse.SUPPRESS, "help": help_text}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status. Raises SystemExit only for usage errors and ``--help``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.command_name = parser.prog
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
