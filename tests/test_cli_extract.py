"""``python run.py extract PATH... [--json]`` as a user runs it, in a subprocess from the project root."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_842ed50b2b07adcf.txt"
LISTING = ROOT / "tests" / "fixtures" / "layouts" / "listing.html"
REAL = ROOT / "tests" / "fixtures" / "layouts" / "real"
GOLDEN_POSTS: list[dict] = json.loads((ROOT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))
TITLES = [post["title"] for post in GOLDEN_POSTS]


def run_extract(*args: str | os.PathLike) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "run.py", "extract", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_json_output_for_the_seed_equals_the_golden_records():
    result = run_extract(SEED, "--json")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    posts = json.loads(result.stdout)
    assert isinstance(posts, list) and len(posts) == 6
    assert [post["id"] for post in posts] == [post["id"] for post in GOLDEN_POSTS]
    for actual, expected in zip(posts, GOLDEN_POSTS):
        for name in expected:
            assert actual[name] == expected[name], f"post {expected['id']!r} field {name!r}"
        assert set(actual) == set(expected)
    # Non-ASCII stays readable in the JSON text.
    assert "Therapist’s Well-Being" in result.stdout
    assert "345–356" in result.stdout


def test_json_option_may_come_before_the_path():
    result = run_extract("--json", SEED)
    assert result.returncode == 0, result.stderr
    assert [post["title"] for post in json.loads(result.stdout)] == TITLES


def test_json_output_for_a_folder_and_a_layout_keeps_the_page_url(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copyfile(LISTING, folder / "listing.html")
    result = run_extract(folder, "--json")
    assert result.returncode == 0, result.stderr
    posts = json.loads(result.stdout)
    assert [post["title"] for post in posts] == TITLES
    assert {post["url"].split("#:~:text=")[0] for post in posts} == {"https://socialsciences.uottawa.ca/pprnet/blog"}
    assert {post["url_kind"] for post in posts} == {"listing"}


def test_readable_output_lists_the_six_titles_in_order():
    result = run_extract(SEED)
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    lines = result.stdout.splitlines()
    title_lines = [line for line in lines if any(title in line for title in TITLES)]
    assert len(title_lines) == 6
    for line, post in zip(title_lines, GOLDEN_POSTS):
        assert post["title"] in line
        assert line.startswith(post["issue_date"])
    assert "Summers et al. (2020)" in result.stdout
    assert "no citation" in title_lines[0]
    assert "6 posts" in result.stderr
    assert not result.stdout.lstrip().startswith("[")  # not JSON without --json


def test_skipped_files_are_named_on_stderr_and_the_good_one_still_counts(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copyfile(SEED, folder / "000_seed.txt")
    (folder / "empty_page.html").write_bytes(b"")
    (folder / "picture.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    missing = tmp_path / "missing_page.html"
    result = run_extract(folder, missing, "--json")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    assert [post["title"] for post in json.loads(result.stdout)] == TITLES
    stderr_lines = result.stderr.splitlines()
    for name, reason in (("empty_page.html", "empty"), ("picture.html", "binary"), ("missing_page.html", "no such file")):
        matching = [line for line in stderr_lines if name in line]
        assert len(matching) == 1, (name, result.stderr)
        assert reason in matching[0].lower()
    # Problems go to stderr only: stdout stays valid JSON.
    assert "empty_page.html" not in result.stdout


def test_one_good_and_one_bad_file_exits_zero(tmp_path):
    bad = tmp_path / "about.html"
    bad.write_text("<html><body><h1>About us</h1><p>We are a research network.</p></body></html>", encoding="utf-8")
    result = run_extract(SEED, bad)
    assert result.returncode == 0, result.stderr
    assert "about.html" in result.stderr
    assert sum(title in result.stdout for title in TITLES) == 6


def test_only_a_missing_file_exits_non_zero(tmp_path):
    missing = tmp_path / "nowhere.txt"
    result = run_extract(missing, "--json")
    assert result.returncode != 0
    _no_traceback(result)
    assert "nowhere.txt" in result.stderr
    assert result.stdout.strip() in ("", "[]")


def test_only_unreadable_files_exits_non_zero(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run_extract(empty)
    assert result.returncode != 0
    _no_traceback(result)
    assert "empty.txt" in result.stderr
    assert not any(title in result.stdout for title in TITLES)


def test_help_exits_zero_with_usage():
    result = run_extract("--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert "--json" in result.stdout
    assert "PATH" in result.stdout


def test_no_path_is_a_usage_error():
    result = run_extract()
    assert result.returncode != 0
    assert "usage:" in result.stderr
    _no_traceback(result)


def test_report_counts_posts_missing_parts_and_unplaced_blocks_of_real_pages():
    # 30 posts on the 21 real-trait pages; twelve have no citation (two on the listing, one on each
    # archive month, one on the Blogger month page, seven engine pages); one of them has no practice
    # implications either (the Ghost essay); two citations elide authors ("… Fischer, A.", "et al.").
    result = run_extract(REAL, "--json")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    assert len(json.loads(result.stdout)) == 30
    lines = result.stderr.splitlines()
    unplaced = [line for line in lines if line.startswith("unplaced ")]
    # Reader comments are named with their file, position and first words, never printed as posts.
    assert any("pprnet_blog_june2013.html: block" in line and "Thank you for this summary" in line for line in unplaced)
    assert "Thank you for this summary" not in result.stdout
    assert "30 posts from 21 pages" in lines
    assert "  without citation: 12" in lines
    assert "  without practice implications: 1" in lines
    assert "  citation lines only partly parsed: 2" in lines
    assert f"  blocks left unplaced: {len(unplaced)}" in lines
    # Each case set aside is counted; the post kept without citation or implications is named.
    kept = lines.index("  kept without citation or practice implications: 1")
    assert lines[kept + 1] == f"    {REAL / 'ghost_casper_no_citation.html'}: 'Why This Blog Summarizes Practice-Based Studies'"
    assert "  series introductions set aside: 2" in lines  # the listing's, and the June 2013 note
    # the September 2014 reader's comment, a WordPress sign-off, a Medium thank-you line
    assert "  signed lines after the implications (reader comments, sign-offs) set aside: 3" in lines
    assert "  posts with topics from the page's rel=tag links: 6" in lines
    assert "  posts past the 200 a page may yield, not read: 0" in lines
