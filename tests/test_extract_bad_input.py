"""Unreadable or post-less inputs: each is reported with its path and a reason, skipped, and the other
files of the run still yield their posts (``indexer.extract.extract_paths``)."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from indexer.extract import MAX_PAGE_BYTES, extract_paths

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_842ed50b2b07adcf.txt"
LISTING = ROOT / "tests" / "fixtures" / "layouts" / "listing.html"
GOLDEN_POSTS: list[dict] = json.loads((ROOT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))
GOLDEN_IDS = [post["id"] for post in GOLDEN_POSTS]

NESTED_POST = (
    "<h2>January 2021</h2><h3>Deeply Nested Post Title</h3>"
    "<p>Smith, J. A., &amp; Jones, B. (2018). Alliance ruptures in brief therapy. "
    "Journal of Counseling Psychology, 65(2), 101–112.</p>"
    "<p>The summary of a post buried deep inside many divisions.</p>"
    "<h4>Practice Implications</h4><p>The implications of the buried post.</p>"
)


def _folder_with_seed(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copyfile(SEED, folder / "000_seed.txt")
    return folder


def _assert_seed_posts_still_come_out(extraction) -> None:
    assert [post.id for post in extraction.posts[:6]] == GOLDEN_IDS


def _only_problem(extraction, path: Path):
    assert len(extraction.problems) == 1, [str(problem) for problem in extraction.problems]
    problem = extraction.problems[0]
    assert problem.path == str(path)
    assert str(problem).startswith(str(path))
    assert path.name in str(problem)
    # Human-readable: words, not a traceback or a bare exception class name.
    assert len(problem.reason.split()) >= 3, problem.reason
    assert "Traceback" not in problem.reason and "Error(" not in problem.reason
    return problem


BAD_FILES = [
    ("empty.html", b"", "empty"),
    ("blank.txt", b"  \n\t\r\n   \n", "empty"),
    ("picture.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + b"\x00" * 256, "binary"),
    (
        "about.html",
        b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>About us</title></head><body>"
        b"<nav><a href='/'>Home</a></nav><h1>About us</h1>"
        b"<p>The Psychotherapy Practice Research Network brings clinicians and researchers together.</p>"
        b"<p>Contact Dr. Tasca for more information about the network.</p></body></html>",
        "no post",
    ),
]


@pytest.mark.parametrize("name, data, reason_word", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_reported_and_skipped_and_good_file_still_yields(tmp_path, name, data, reason_word):
    folder = _folder_with_seed(tmp_path)
    bad = folder / name
    bad.write_bytes(data)
    extraction = extract_paths([folder])
    problem = _only_problem(extraction, bad)
    assert reason_word in problem.reason.lower()
    assert extraction.pages_read == 1
    assert [post.id for post in extraction.posts] == GOLDEN_IDS


def test_invalid_utf8_text_is_decoded_as_cp1252_and_yields_its_posts(tmp_path):
    folder = _folder_with_seed(tmp_path)
    page = (
        "March 2019\n"
        "Therapist’s Own Therapy – Does It Help?\n"
        "Smith, J. A., & Jones, B. (2018). Personal therapy of therapists. Psychotherapy, 55(1), 10–20.\n"
        "Many therapists seek personal therapy during training… and later in their careers.\n"
        "Practice Implications\n"
        "Personal therapy may help therapists manage the stress of their work.\n"
    ).encode("cp1252")  # ’ – … become the bytes 0x92 0x96 0x85
    bad = folder / "cp1252_dump.txt"
    bad.write_bytes(page)
    assert b"\x92" in page and b"\x96" in page and b"\x85" in page
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    extraction = extract_paths([folder])
    assert extraction.problems == [], [str(problem) for problem in extraction.problems]
    assert extraction.pages_read == 2
    assert [post.id for post in extraction.posts[:6]] == GOLDEN_IDS
    assert len(extraction.posts) == 7
    post = extraction.posts[6]
    assert post.title == "Therapist’s Own Therapy – Does It Help?"
    assert post.issue_date == "2019-03"
    assert post.pages == "10–20"
    assert post.summary == "Many therapists seek personal therapy during training… and later in their careers."
    assert post.implications == "Personal therapy may help therapists manage the stress of their work."


def test_truncated_html_yields_the_posts_before_the_cut(tmp_path):
    listing = LISTING.read_text(encoding="utf-8")
    cut = listing.index("Two factors that affect therapist well-being")  # inside the third post's summary
    folder = _folder_with_seed(tmp_path)
    truncated = folder / "truncated.html"
    truncated.write_text(listing[:cut], encoding="utf-8")

    extraction = extract_paths([folder])
    assert extraction.pages_read == 2
    assert extraction.problems == [], [str(problem) for problem in extraction.problems]
    assert [post.id for post in extraction.posts] == GOLDEN_IDS

    alone = extract_paths([truncated])
    ids = [post.id for post in alone.posts]
    assert ids[:2] == GOLDEN_IDS[:2]
    assert set(ids) <= set(GOLDEN_IDS[:3])  # at most the cut post besides, never a later one
    for post, golden in zip(alone.posts[:2], GOLDEN_POSTS[:2]):
        assert post.summary == golden["summary"]
        assert post.implications == golden["implications"]
        assert post.url.startswith("https://socialsciences.uottawa.ca/pprnet/blog#:~:text=")


@pytest.mark.parametrize("tag", ["div", "span"])
def test_deeply_nested_tags_do_not_crash_and_finish_quickly(tmp_path, tag):
    folder = _folder_with_seed(tmp_path)
    depth = 40_000  # well past any parser's own depth limit, under the page's element limit (50,000)
    nested = folder / f"nested_{tag}.html"
    nested.write_text(
        "<html><body>" + f"<{tag}>" * depth + NESTED_POST + f"</{tag}>" * depth + "</body></html>",
        encoding="utf-8",
    )
    started = time.monotonic()
    extraction = extract_paths([folder])
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"took {elapsed:.1f} s"
    assert extraction.problems == [], [str(problem) for problem in extraction.problems]
    assert [post.id for post in extraction.posts[:6]] == GOLDEN_IDS
    titles = [post.title for post in extraction.posts]
    assert titles[6:] == ["Deeply Nested Post Title"]
    nested_post = extraction.posts[6]
    assert nested_post.summary == "The summary of a post buried deep inside many divisions."
    assert nested_post.implications == "The implications of the buried post."


def test_huge_page_is_reported_over_the_size_limit_quickly(tmp_path):
    folder = _folder_with_seed(tmp_path)
    huge = folder / "huge.html"
    chunk = ("<p>Filler text of a page that keeps going and going without any post in it. </p>\n" * 1000).encode()
    target = 50 * 1024 * 1024
    with huge.open("wb") as out:
        out.write(b"<html><body>")
        written = 0
        while written < target:
            out.write(chunk)
            written += len(chunk)
        out.write(b"</body></html>")
    del chunk
    assert huge.stat().st_size > MAX_PAGE_BYTES

    started = time.monotonic()
    extraction = extract_paths([folder])
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    problem = _only_problem(extraction, huge)
    assert "MB" in problem.reason and "limit" in problem.reason
    assert "50." in problem.reason  # the page's own size is stated
    assert extraction.pages_read == 1
    assert [post.id for post in extraction.posts] == GOLDEN_IDS


def test_missing_file_is_reported_and_the_rest_still_yields(tmp_path):
    folder = _folder_with_seed(tmp_path)
    missing = tmp_path / "no_such_page.html"
    extraction = extract_paths([missing, folder])
    problem = _only_problem(extraction, missing)
    assert "no such file" in problem.reason
    assert extraction.pages_read == 1
    assert [post.id for post in extraction.posts] == GOLDEN_IDS


def test_missing_file_alone_yields_nothing(tmp_path):
    missing = tmp_path / "gone.txt"
    extraction = extract_paths([missing])
    _only_problem(extraction, missing)
    assert extraction.posts == []
    assert extraction.pages_read == 0


def test_folder_ignores_pdf_and_other_non_page_files(tmp_path):
    folder = _folder_with_seed(tmp_path)
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n" + b"\x00" * 64)
    (folder / "notes.md").write_text("Practice Implications\n", encoding="utf-8")
    extraction = extract_paths([folder])
    assert extraction.problems == []
    assert extraction.pages_read == 1
    assert [post.id for post in extraction.posts] == GOLDEN_IDS


def test_several_bad_files_each_reported_once_in_name_order(tmp_path):
    folder = _folder_with_seed(tmp_path)
    for name, data, _ in BAD_FILES:
        (folder / name).write_bytes(data)
    extraction = extract_paths([folder])
    assert [Path(problem.path).name for problem in extraction.problems] == sorted(name for name, _, _ in BAD_FILES)
    assert extraction.pages_read == 1
    assert [post.id for post in extraction.posts] == GOLDEN_IDS
