"""Hostile input for the web app and the command line, and the checks every answer must pass.

Hypothesis strategies: arbitrary query text (unicode of every class, control characters and NUL,
10,000-character queries, unbalanced quotes and parentheses, ``field:`` with no value, ranges,
wildcards alone, every operator alone, unknown fields), query strings (huge or negative page
numbers, repeated parameters, raw bytes that are not UTF-8), command-line options and words. The
checks: each answer is 200 or 400 (414 only for a query string over the limit) with well-formed HTML,
XML or JSON, no trace, within ``TIME_LIMIT`` CPU seconds (and a looser wall-clock bound); a CLI
search exits 0 or 2. ``tests/test_reliability_hostile.py`` runs them for 500 examples a target,
``bench/fuzz_long.py`` for 20,000.
"""
from __future__ import annotations

import contextlib
import gc
import io
import json
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, urlencode

from bs4 import BeautifulSoup
from hypothesis import HealthCheck
from hypothesis import strategies as st

import run
from webui import MAX_QUERY_STRING_BYTES

# Per request or CLI call: CPU seconds of this process (the work done, whatever else the machine runs),
# and a looser wall-clock bound that still catches a hang. The garbage collector is paused while a call
# is timed: a full collection of the test process's heap (thousands of examples) is not the call's work.
TIME_LIMIT = 2.0
WALL_TIME_LIMIT = 10.0

# --------------------------------------------------------------------------------------------------
# Well-formedness checks
# --------------------------------------------------------------------------------------------------
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Every non-void element is closed, in order; the document starts with a doctype."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        if tag not in _VOID:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag) -> None:
        if tag in _VOID:
            self.errors.append(f"end tag of void <{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def assert_valid_html(text: str) -> BeautifulSoup:
    """Well-formed, in the site's look (header, main, footer, search form), no trace."""
    checker = _Balance()
    checker.feed(text)
    checker.close()
    assert checker.doctype, text[:200]
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed: {checker.stack}"
    assert "Traceback" not in text
    page = BeautifulSoup(text, "html.parser")
    assert page.select_one("main#main") and page.select_one("header") and page.select_one("footer")
    assert page.select_one("form[role=search] input#q")
    return page


def assert_search_json(data: dict) -> None:
    assert isinstance(data["total"], int) and data["total"] >= 0
    assert isinstance(data["hits"], list) and len(data["hits"]) <= data["page_size"] <= 50
    assert 1 <= data["page"] and isinstance(data["facets"], dict)


@contextlib.contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_http(client, path: str, query_string: str) -> int:
    """Send one GET and check the answer. Returns the status."""
    with _gc_paused():
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(f"{path}?{query_string}" if query_string else path)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    try:
        assert cpu < TIME_LIMIT and elapsed < WALL_TIME_LIMIT, f"{path}?{query_string[:200]}: {cpu:.2f} s CPU, {elapsed:.2f} s"
        status = response.status_code
        if len(query_string) > MAX_QUERY_STRING_BYTES:
            assert status == 414, (path, status)
        else:
            assert status in (200, 400), (path, status, query_string[:300])
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and 'File "' not in body
        if path.startswith("/api/"):
            assert response.mimetype == "application/json"
            data = json.loads(body)
            if status != 200:
                assert isinstance(data["error"], str)
            elif path == "/api/search":
                assert_search_json(data)
            else:
                assert isinstance(data["suggestions"], list) and len(data["suggestions"]) <= 8
                for entry in data["suggestions"]:
                    assert entry["url"].startswith("/")
        elif path == "/search.atom" and status == 200:
            assert response.mimetype == "application/atom+xml"
            root = ET.fromstring(response.data)
            assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        else:
            assert response.mimetype == "text/html"
            assert_valid_html(body)
        return status
    finally:
        response.close()


def run_cli(argv: list[str]) -> tuple[int, str, str, float, float]:
    """``run.main(argv)`` in-process with stdout and stderr captured as a strict UTF-8 terminal would
    take them (run.main switches them to errors="replace").
    Returns (status, out, err, wall seconds, CPU seconds)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    with _gc_paused(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            status = run.main(argv)
        except SystemExit as exit_:  # argparse rejects an option value: a usage error, status 2
            status = exit_.code
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    out.flush()
    err.flush()
    texts = out.buffer.getvalue().decode("utf-8"), err.buffer.getvalue().decode("utf-8")
    return status, *texts, elapsed, cpu


def check_cli(index: Path, options: list[str], words: list[str]) -> int:
    status, out, err, elapsed, cpu = run_cli(["search", "--index", str(index), *options, "--", *words])
    assert cpu < TIME_LIMIT and elapsed < WALL_TIME_LIMIT, (words, cpu, elapsed)
    assert status in (0, 2), (status, err[-500:])
    assert "Traceback" not in err and "Traceback" not in out
    if status == 0 and "--json" in options:
        assert_search_json(json.loads(out))
    if status == 2:
        assert out == "" and "error" in err
    return status


# --------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "+", "-", "(", ")", '"', "'", "*", "?", "~", "^",
             ":", "[", "]", "{", "}", "\\", "/", "&&", "||", "!", "<", ">", "=", "%", "&", ";", "#", "…", "–")
FIELDS = ("author", "journal", "year", "topic", "type", "title", "implications", "summary", "doi", "citation",
          "authors", "topics", "types", "vocabulary", "nosuchfield", "AUTHOR", "Title", "x.y", "_", "a-b")
WORDS = ("burnout", "supervision", "therapist", "mentalizing", "Firth", "Barkham", "2020", "10.1002/cpp.2494",
         "well-being", "CBT", "telepsychology", "the", "what", "a", "theraputic", "résumé", "ΨΥΧΗ", "心理",
         "🙂", "\u202e", "\u200b", "ﬁ", "İ", "ß", "<script>alert(1)</script>", "javascript:alert(1)", '"onerror=x')
_ANY_CHAR = st.characters(exclude_categories=("Cs",))  # every class but surrogates (no UTF-8 for them)
_CONTROL = st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\ufffe\uffff")
_WORD = st.sampled_from(WORDS) | st.text(_ANY_CHAR, min_size=1, max_size=12)
_NUMBER = st.integers(-(10**30), 10**30).map(str) | st.sampled_from(["*", "", "0", "-1", "2020", "1e9", "١٢"])

ATOM = st.one_of(
    st.sampled_from(OPERATORS),
    _WORD,
    st.sampled_from(FIELDS).map(lambda field: field + ":"),  # a field with no value
    st.tuples(st.sampled_from(FIELDS), _WORD).map(lambda pair: f"{pair[0]}:{pair[1]}"),
    st.tuples(st.sampled_from(FIELDS), st.sampled_from("[{"), _NUMBER, _NUMBER, st.sampled_from(["]", "}", ""]))
    .map(lambda t: f"{t[0]}:{t[1]}{t[2]} TO {t[3]}{t[4]}"),  # ranges, open and unclosed
    st.sampled_from(["*", "?", "**", "*?", "?*", "a*", "ab*", "the*", "th?r*", "*ing", "?x", "x^9", "x~2", "x^-1"]),
    st.tuples(st.sampled_from('"('), _WORD).map("".join),  # unbalanced
)
_COMPOSED = st.lists(ATOM, max_size=25).map(" ".join)
_LONG = st.tuples(st.one_of(ATOM, st.sampled_from(["(", '"', "NOT ", "a* ", "x" * 100])), st.integers(1, 10_000)).map(
    lambda pair: (pair[0] * pair[1])[:10_000]  # up to 10,000 characters
)
QUERY = st.one_of(
    _COMPOSED,
    st.text(_ANY_CHAR, max_size=300),
    st.text(_CONTROL | _ANY_CHAR, max_size=50),
    _LONG,
    st.sampled_from(["", " ", "\x00", "NOT NOT x", "NOT AND x", "x ANDNOT ANDNOT y", "(" * 1000 + "x", '"' * 3,
                     "OR (", "year:[2020 TO", "author:", "*", "?", "x" * 10_000]),
)
# As the command line gets it: also lone surrogates (bytes that were not UTF-8, via surrogateescape).
CLI_QUERY = QUERY | st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | _ANY_CHAR, max_size=30)

_PARAM_VALUE = st.one_of(
    st.text(_ANY_CHAR | _CONTROL, max_size=40),
    _NUMBER,
    st.sampled_from(["relevance", "newest", "oldest", "RANDOM", "1", "50", "51", "0", "-5", "99999999999999999999",
                     "9" * 5000, " 2 ", "NaN", "Training", "Firth, N.", "survey", "Psychotherapy Research"]),
)
PARAMS = st.lists(
    st.tuples(
        st.sampled_from(["q", "page", "page_size", "sort", "topic", "type", "journal", "author", "year", "unknown",
                         "q[]", "", "Q", "page ", "callback"]),
        _PARAM_VALUE,
    ),
    max_size=8,
)


def encode_query(pairs: list[tuple[str, str]]) -> str:
    """A query string of ``pairs``, every character percent-encoded as a browser would."""
    return urlencode(pairs, quote_via=quote)


QUERY_STRING = st.one_of(
    st.tuples(QUERY, PARAMS).map(lambda qp: encode_query([("q", qp[0]), *qp[1]])),
    st.tuples(QUERY, QUERY).map(lambda qq: encode_query([("q", qq[0]), ("q", qq[1])])),  # repeated parameter
    st.binary(max_size=300).map(lambda raw: "q=" + quote_from_bytes(raw)),  # not UTF-8
    st.binary(max_size=100).map(lambda raw: quote_from_bytes(raw, safe="=&")),  # not even key=value
)
PATHS = st.sampled_from(["/search", "/search.atom", "/api/search", "/api/suggest"])

CLI_OPTION = st.one_of(
    st.just("--json"),
    st.tuples(st.sampled_from(["--sort", "--page", "--topic", "--type", "--journal", "--author", "--year"]),
              _PARAM_VALUE).map(lambda pair: f"{pair[0]}={pair[1]}"),
)
CLI_OPTIONS = st.lists(CLI_OPTION, max_size=5)
CLI_WORDS = st.one_of(CLI_QUERY.map(lambda q: [q]), st.lists(CLI_QUERY, max_size=5))

FUZZ_SETTINGS = dict(deadline=None, database=None, print_blob=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.filter_too_much])
