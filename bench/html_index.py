"""``index`` from HTML pages, end to end: synthetic posts written as blog listing pages, then indexed
by the command a user runs, in a fresh process.

The pages follow the live listing layout the extractor reads (``tests/fixtures/layouts/real/
live_listing_p3.html``): the site chrome (heading, introduction, "This month...", the Type of Research
and Topics filter lists, pager, footer) around month headings (``<h2 class="blog-month">``) and posts
in ``<div class="blog-entry">`` (title ``<h3>``, citation with the journal in ``<em>``, summary, a
"Practice Implications" marker, implications). Posts are listed newest month first, ``POSTS_PER_PAGE``
a page as on the live listing, a month continued on the next page under its heading again. Each
title carries its post number (``[synthetic 123]``), so no two posts of one month share a title (the
extractor would merge them as one post seen twice).

:func:`time_index_command` runs ``python run.py index --corpus C --index I`` in a new process and
times it from outside; inside, the three steps of ``indexer.build.build_index`` (corpus fingerprint,
extraction, writing) are wrapped in timers by a small launcher, so one run gives the total and the
split (empty when those names are gone).
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench import synth
from bench.startup import children_cpu_s, clean_env
from search.post import Post
from search.taxonomy import DEFAULT_TOPICS

REPO = Path(__file__).resolve().parent.parent
POSTS_PER_PAGE = 6
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TYPES = ("Single Study", "Meta-Analysis", "Review")
_SPLIT_MARK = "PPRNET-BENCH-SPLIT "
_INDEXED = re.compile(r"indexed ([\d,]+) posts? from ([\d,]+) pages?")

_LAUNCHER = f"""
import atexit, json, runpy, sys, time
import indexer.build as build
spent = {{}}
def timed(name, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return wrapper
for name in ("corpus_fingerprint", "extract_paths", "write_index"):
    if callable(getattr(build, name, None)):
        setattr(build, name, timed(name, getattr(build, name)))
atexit.register(lambda: print({_SPLIT_MARK!r} + json.dumps(spent), file=sys.stderr))
sys.argv = ["run.py", *sys.argv[1:]]
runpy.run_path("run.py", run_name="__main__")
"""

_HEAD = """<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<title>Blog | Psychotherapy Practice Research Network</title>
</head>
<body class="path-blog">
<a href="#main-content" class="visually-hidden focusable">Skip to main content</a>
<header role="banner"><nav role="navigation" class="main-menu"><ul><li><a href="/pprnet/">Home</a></li>
<li><a href="/pprnet/blog">Blog</a></li><li><a href="/pprnet/contact">Contact us</a></li></ul></nav></header>
<main id="main-content">
<div class="region-content">
<h1>Blog</h1>
<div class="intro">
<p>A synthetic copy of the blog's listing, for measuring the indexer: every post below is generated
and marked [synthetic]. Past blogs are available in the <a href="/pprnet/blog/archives">archives</a>.</p>
</div>
<div class="this-month">
<h2>This month...</h2>
<p>…I blog about synthetic summaries of synthetic studies</p>
</div>
<div class="blog-filters">
"""
_TAIL = """</div>
<nav class="pager" role="navigation"><ul>{pager}</ul></nav>
</div>
</main>
<footer role="contentinfo"><p>Psychotherapy Practice Research Network (synthetic pages)</p></footer>
</body>
</html>
"""


def _filters() -> str:
    blocks = []
    for heading, parameter, labels, first_id in (("Type of Research", "cat_1", _TYPES, 24),
                                                 ("Topics", "cat_2", DEFAULT_TOPICS, 12)):
        items = [f'<li class="filter-item"><a href="/pprnet/blog?{parameter}=All">ALL {heading.split()[0]} (clear)</a></li>']
        items += [f'<li class="filter-item"><a href="/pprnet/blog?{parameter}={first_id + number}">{html.escape(label)}</a></li>'
                  for number, label in enumerate(labels)]
        blocks.append(f'<div class="filter-block">\n<h2>{heading}</h2>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</div>")
    return "\n".join(blocks) + "\n</div>\n"


def _month(issue_date: str) -> str:
    year, month = issue_date.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def _title(post: Post) -> str:
    number = int(post.id.removeprefix(synth.ID_PREFIX))
    return post.title.removesuffix(synth.TITLE_MARK) + f"[synthetic {number}]"


def _entry(post: Post) -> str:
    citation = html.escape(post.citation or "")
    if post.journal:
        journal = html.escape(post.journal)
        citation = citation.replace(f". {journal}, ", f". <em>{journal}</em>, ", 1)
    lines = ['<div class="blog-entry">', f"<h3>{html.escape(_title(post))}</h3>"]
    if citation:
        lines.append(f"<p>{citation}</p>")
    lines += [f"<p>{html.escape(post.summary)}</p>",
              '<p class="practice-implications"><strong>Practice Implications</strong></p>',
              f"<p>{html.escape(post.implications)}</p>", "</div>"]
    return "\n".join(lines)


def _page(posts: list[Post], number: int, pages: int) -> str:
    body = ['<div class="blog-listing">']
    month = None
    for post in posts:
        if post.issue_date != month:
            month = post.issue_date
            body.append(f'<h2 class="blog-month">{_month(month)}</h2>')
        body.append(_entry(post))
    body.append("</div>")
    pager = []
    if number > 1:
        pager.append(f'<li><a href="/pprnet/blog?p={number - 1}">‹ Previous page</a></li>')
    if number < pages:
        pager.append(f'<li><a href="/pprnet/blog?p={number + 1}">Next page ›</a></li>')
    return _HEAD + _filters() + "\n".join(body) + "\n" + _TAIL.format(pager="".join(pager))


def write_listing_pages(posts: Iterable[Post], folder: str | os.PathLike) -> dict:
    """The posts as listing pages ``blog-p0001.html``, ... in ``folder`` (made). Returns the counts."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ordered = sorted(posts, key=lambda post: (post.issue_date, post.id), reverse=True)
    pages = -(-len(ordered) // POSTS_PER_PAGE)
    size = 0
    for number in range(1, pages + 1):
        text = _page(ordered[(number - 1) * POSTS_PER_PAGE:number * POSTS_PER_PAGE], number, pages)
        path = folder / f"blog-p{number:04d}.html"
        path.write_text(text, encoding="utf-8")
        size += path.stat().st_size
    return {"posts": len(ordered), "pages": pages, "bytes": size}


def time_index_command(corpus: str | os.PathLike, index: str | os.PathLike, *, timeout: float = 3600) -> dict:
    """``python run.py index --corpus corpus --index index`` in a fresh process: wall seconds, the posts
    and pages it reports, its CPU seconds, and the seconds inside its fingerprint, extraction and writing
    steps."""
    command = [sys.executable, "-c", _LAUNCHER, "index", "--corpus", str(corpus), "--index", str(index)]
    cpu = children_cpu_s()
    start = time.perf_counter()
    finished = subprocess.run(command, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    cpu = children_cpu_s() - cpu
    if finished.returncode != 0:
        raise RuntimeError(f"`run.py index` exited with {finished.returncode}: {finished.stderr[-1500:]}")
    counted = _INDEXED.search(finished.stdout + finished.stderr)
    posts = int(counted.group(1).replace(",", "")) if counted else None
    split = {}
    for line in finished.stderr.splitlines():
        if line.startswith(_SPLIT_MARK):
            split = {name: round(value, 3) for name, value in json.loads(line[len(_SPLIT_MARK):]).items()}
    return {
        "command": "python run.py index --corpus CORPUS --index INDEX",
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu, 3),
        "posts": posts,
        "pages": int(counted.group(2).replace(",", "")) if counted else None,
        "posts_per_s": round(posts / seconds, 1) if posts else None,
        "fingerprint_s": split.get("corpus_fingerprint"),
        "extraction_s": split.get("extract_paths"),
        "writing_s": split.get("write_index"),
        "rest_s": round(seconds - sum(split.values()), 3) if split else None,
    }


def measure(posts: int, seed: int, workdir: str | os.PathLike) -> dict:
    """Write ``posts`` synthetic posts as pages under ``workdir`` and time indexing them."""
    workdir = Path(workdir)
    start = time.perf_counter()
    pages = write_listing_pages(synth.generate_posts(posts, seed), workdir / "pages")
    generated = time.perf_counter() - start
    timed = time_index_command(workdir / "pages", workdir / "index")
    return {"synthetic_posts": posts, "pages_written": pages["pages"], "pages_bytes": pages["bytes"],
            "posts_per_page": POSTS_PER_PAGE, "generate_s": round(generated, 3), **timed}
