"""Bounded pages (issue 21, item 7): a page yields at most MAX_POSTS_PER_PAGE posts, the rest reported;
a page of more than MAX_PAGE_ELEMENTS elements is reported and skipped before it is parsed, however
its tags nest. The attacks that were seen (a 15.5 MB page of 80,788 tiny articles indexed as 80,794
posts in 107 s and 955 MB; 16 MB of 2 million nested divs skipped after 36 s and 1.19 GB) are
replayed, in full where refusing them is cheap and smaller where the page is read.

Each run is a child process with a hang guard (its timeout, far above the measured time) that also
reports its peak memory; the other page of the run still yields its posts.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from indexer.crawl import read_page as crawl_read_page
from indexer.extract import MAX_PAGE_ELEMENTS, MAX_POSTS_PER_PAGE

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_842ed50b2b07adcf.txt"
SEED_POSTS = 6
HANG_GUARD_SECONDS = 120
# Far above what these runs measure (under 150 MB), far below the 1 GB the attacks took.
MEMORY_BOUND_MB = 400

CHILD = """
import json, resource, sys
from indexer.extract import extract_paths
extraction = extract_paths([sys.argv[1]])
print(json.dumps({
    "posts": [[post.id, post.title] for post in extraction.posts],
    "problems": [[problem.path, problem.reason] for problem in extraction.problems],
    "counts": dict(extraction.counts),
    "report": extraction.report(),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _extract_in_child(folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _corpus_with(tmp_path: Path, name: str, page: str) -> tuple[Path, Path]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copyfile(SEED, folder / "000_seed.txt")
    path = folder / name
    path.write_text(page, encoding="utf-8")
    return folder, path


def _tiny_articles(count: int) -> str:
    return "<html><body>" + "".join(
        f"<article><h2>Tiny post {n}</h2><time datetime='2021-01-05'>5 January 2021</time>"
        f"<p>Summary of tiny post number {n} for the bound.</p><h3>Practice Implications</h3><p>Do {n}.</p></article>"
        for n in range(count)
    ) + "</body></html>"


def test_a_page_of_many_tiny_posts_yields_the_first_200_and_reports_the_rest(tmp_path):
    count = 5_000  # 30,000 elements: under the element limit, so the page is read
    folder, page = _corpus_with(tmp_path, "tiny.html", _tiny_articles(count))
    run = _extract_in_child(folder)
    titles = [title for _, title in run["posts"]]
    assert len(titles) == SEED_POSTS + MAX_POSTS_PER_PAGE
    assert titles[SEED_POSTS:] == [f"Tiny post {n}" for n in range(MAX_POSTS_PER_PAGE)]
    unread = count - MAX_POSTS_PER_PAGE
    assert [reason for path, reason in run["problems"]] == [
        f"{unread} more posts not read: a page yields at most {MAX_POSTS_PER_PAGE} posts (the first "
        f"{MAX_POSTS_PER_PAGE} were read)"
    ]
    assert run["problems"][0][0] == str(page)
    assert f"  posts past the {MAX_POSTS_PER_PAGE} a page may yield, not read: {unread}" in run["report"].splitlines()
    assert run["peak_mb"] < MEMORY_BOUND_MB


def test_the_80788_tiny_articles_page_is_reported_and_skipped_before_parsing(tmp_path):
    page = _tiny_articles(80_788)
    assert len(page) > 15_000_000
    folder, path = _corpus_with(tmp_path, "tiny_articles.html", page)
    run = _extract_in_child(folder)
    assert len(run["posts"]) == SEED_POSTS
    assert run["problems"] == [[str(path), f"the page has more than {MAX_PAGE_ELEMENTS:,} elements (tags), over the "
                                           "limit for one page; it was not parsed"]]
    assert run["peak_mb"] < MEMORY_BOUND_MB


def test_2_million_nested_divs_are_reported_and_skipped_before_parsing(tmp_path):
    post = ("<h2>January 2021</h2><h3>Deeply Nested Post Title</h3><p>Smith, J. A. (2018). Alliance ruptures. "
            "Journal of Counseling Psychology, 65(2), 101–112.</p><p>Summary.</p><h4>Practice Implications</h4><p>Do.</p>")
    page = "<html><body>" + "<div>" * 2_000_000 + post + "</body></html>"
    folder, path = _corpus_with(tmp_path, "nested.html", page)
    run = _extract_in_child(folder)
    assert len(run["posts"]) == SEED_POSTS
    assert [problem[0] for problem in run["problems"]] == [str(path)]
    assert "more than 50,000 elements" in run["problems"][0][1]
    assert run["peak_mb"] < MEMORY_BOUND_MB


def test_nesting_over_the_element_limit_is_skipped_and_under_it_is_read(tmp_path):
    post = ("<h2>January 2021</h2><h3>Deeply Nested Post Title</h3><p>Smith, J. A. (2018). Alliance ruptures. "
            "Journal of Counseling Psychology, 65(2), 101–112.</p><p>The buried summary.</p>"
            "<h4>Practice Implications</h4><p>The buried implications.</p>")
    over, under = MAX_PAGE_ELEMENTS + 1, MAX_PAGE_ELEMENTS - 100
    folder, path = _corpus_with(tmp_path, "over.html", "<html><body>" + "<div>" * over + post + "</div>" * over)
    (folder / "under.html").write_text("<html><body>" + "<span>" * under + post + "</span>" * under, encoding="utf-8")
    run = _extract_in_child(folder)
    assert [title for _, title in run["posts"]][SEED_POSTS:] == ["Deeply Nested Post Title"]
    assert [problem[0] for problem in run["problems"]] == [str(path)]


def test_a_text_page_of_more_lines_than_the_limit_is_reported_and_skipped(tmp_path):
    lines = "\n".join(["March 2019", "A Title", "A summary line.", "Practice Implications", "Do it."] * 12_000)
    folder, path = _corpus_with(tmp_path, "lines.txt", lines)
    run = _extract_in_child(folder)
    assert len(run["posts"]) == SEED_POSTS
    assert run["problems"] == [[str(path), f"the page has more than {MAX_PAGE_ELEMENTS:,} lines, over the limit for one "
                                           "page; it was not read"]]


def test_the_readme_states_the_limits_the_code_keeps():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{MAX_PAGE_ELEMENTS:,} elements" in readme
    assert f"at most {MAX_POSTS_PER_PAGE} posts are read from" in readme


def test_the_crawler_reports_a_page_over_the_element_limit_without_parsing_it():
    body = ("<html><body>" + "<div>" * 2_000_000 + "</body></html>").encode()
    content = crawl_read_page(body, "text/html", "https://socialsciences.uottawa.ca/pprnet/blog?p=2",
                              "https://socialsciences.uottawa.ca/pprnet/blog")
    assert content.posts == [] and content.links.post_pages == ()
    assert content.problem == f"unexpected layout: the page has more than {MAX_PAGE_ELEMENTS:,} elements (tags), over " \
                              "the limit for one page; it was not parsed"
