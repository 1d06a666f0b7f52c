"""pprnet-search command line: extract, index, search and serve (see README.md).

``python run.py`` with no arguments builds the index from ``corpus/`` when it is missing or older
than the corpus, then serves the web UI.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = PROJECT_DIR / "corpus"


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    extract = commands.add_parser("extract", help="print the posts found in page files or folders")
    extract.add_argument("paths", nargs="+", metavar="PATH", help=".html, .htm or .txt files, or folders of them")
    extract.add_argument("--json", action="store_true", help="print a JSON array of posts")
    extract.set_defaults(handler=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
