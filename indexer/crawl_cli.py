"""The ``crawl`` command: its options (one per :class:`CrawlSettings` field) and what it prints.

``crawl`` fetches the blog, then prints the problems, the run's one-line summary and the crawl
report; ``crawl --report`` prints the report of the last crawl from its manifest, without fetching.
Exit status: 0 done (or stopped at the page cap), 1 a page failed or the crawl could not start,
2 bad options or no crawl to report on, 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from indexer.crawl_settings import add_arguments, from_arguments

# The crawler itself is imported when a crawl runs, so that building the command line stays light.


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``crawl`` subcommand's options (``--corpus`` defaults to the main command's, ./corpus)."""
    parser.add_argument("--corpus", type=Path, default=argparse.SUPPRESS,
                        help="corpus folder; pages go to its crawl/ (default: ./corpus)")
    parser.add_argument("--report", action="store_true", help="print the report of the last crawl without fetching")
    add_arguments(parser)


def run_crawl(args: argparse.Namespace) -> int:
    """Crawl (or, with ``--report``, report) as the options say; messages go to stderr."""
    from indexer.crawl import StopReason, crawl

    if args.report:
        return _print_report(args.corpus)
    try:
        settings = from_arguments(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    progress = _progress if sys.stderr.isatty() else None
    try:
        summary = crawl(settings, args.corpus, progress=progress)
    except OSError as error:
        print(f"error: cannot write the crawl into {args.corpus}: {error}", file=sys.stderr)
        return 1
    finally:
        if progress:
            print(file=sys.stderr)
    for url, reason in summary.problems:
        print(f"problem {url}: {reason}", file=sys.stderr)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(summary.summary(), file=sys.stderr)
    if summary.stopped is not StopReason.ROBOTS_UNREADABLE:
        _print_report(args.corpus)
    return _status(summary)


def _status(summary) -> int:
    from indexer.crawl import StopReason

    if summary.stopped is StopReason.INTERRUPTED:
        return 130
    return 1 if summary.failed or summary.stopped not in (None, StopReason.PAGE_CAP) else 0


def _print_report(corpus: Path) -> int:
    from indexer.crawl_report import crawl_report

    try:
        report = crawl_report(corpus)
    except OSError:
        print(f"error: no crawl in {corpus} (run the crawl first)", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: the crawl manifest in {corpus} cannot be read: {error}", file=sys.stderr)
        return 2
    print(report.render())
    return 0


def _progress(summary, url: str) -> None:
    done = summary.fetched + summary.unchanged + summary.failed
    line = f"crawling: {done} pages ({summary.unchanged} unchanged, {summary.failed} failed)  {url}"
    print(f"\r{line[:120]:<120}", end="", file=sys.stderr, flush=True)
