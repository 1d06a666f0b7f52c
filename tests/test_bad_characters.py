"""Bad characters are data, not crashes (issue 21, item 4).

Lone surrogates (a JSON-LD ``\\ud800`` escape), C0 and C1 control characters, DEL and the
noncharacters U+FFFE/U+FFFF are replaced by U+FFFD when a Post record is made, whoever makes it:
extraction from a page, or code that builds a Post directly. Then every route and export of the web
app, over an index of such posts, answers 200 with text that any client can read.
"""
from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ElementTree

import bibtexparser
from bibtexparser.bparser import BibTexParser
import pytest
import rispy

from indexer.extract import extract_paths
from search.post import Post
from search.request import FACETS
from search.store import write_index
from webui import create_app

# One of each kind; "\x85" (NEL) and "\x0c" are also white space to str.split, so they may vanish.
BAD = ["\x01", "\x02", "\x08", "\x1b", "\x7f", "\x9b", "\ufffe", "\uffff", "\ud800", "\udfff"]
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abAB]", re.I)
WORD = "feedback"

# A post page whose article heading, citation, summary and implications hold control characters, raw
# and as character references, and whose JSON-LD address holds lone surrogates (JSON escapes).
PAGE_WITH_HEADING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Feedback | Practice Gap</title>
<script type="application/ld+json">{"@type": "BlogPosting", "datePublished": "2021-06-03",
 "url": "https://practicegap.example.org/2021/06/feedback-\\ud800-\\udfff-\\u0001/"}</script></head>
<body><main><article>
<header><h1>Does Feedback Help Clients\x01 Who Are Off Track\x7f?</h1>
<p><time datetime="2021-06-03">June 3, 2021</time></p></header>
<p>Lindqvist, K. M., Okafor, C. A., &amp; Brennan, S. (2019). Routine outcome\x1b monitoring and feedback\x9b for
clients at risk. Journal of Consulting\x02 and Clinical Psychology, 87(11), 962–974. https://doi.org/10.1037/ccp\x080441</p>
<p>Feedback\ufffe reduced deterioration among 2,318 clients who were off track by the third session&#1;, and it made
no difference\uffff for clients who were improving &#x7F; as expected &#xD800;.</p>
<h2>Practice Implications</h2>
<p>Therapists\x1b may want to pay particular attention to feedback alerts in the first few sessions&#x9B;.</p>
</article></main></body></html>
"""
# A post page with no heading: its title is the JSON-LD headline, which holds a lone surrogate.
PAGE_WITH_HEADLINE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Practice Gap</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{"@type": "BlogPosting", "datePublished": "2021-05-20",
 "headline": "Empathy \\ud83d Online \\udfff: Does Feedback Survive the Screen?",
 "url": "https://practicegap.example.org/2021/05/empathy-\\udc00/"}</script></head>
<body><main><article><p>Posted <time datetime="2021-05-20">May 20, 2021</time></p>
<p>Morales-Vidal, P., &amp; Hart, J. E. (2020). Empathy in video sessions\x01. Psychotherapy, 57(3), 301–309.</p>
<p>Clients in video sessions rated their therapists’ empathy almost as high as clients seen in person\x02, and
feedback on empathy helped in both settings.</p>
<h2>Practice Implications</h2><p>Empathy can be conveyed on a screen\x7f.</p>
</article></main></body></html>
"""
# The fields a page's text reaches through extraction.
PAGE_FIELDS = ("url", "title", "citation", "article_title", "journal", "doi", "summary", "implications")


def _unreadable(value) -> list[str]:
    texts = value if isinstance(value, (list, tuple)) else [value]
    return [text for text in texts if isinstance(text, str) and _UNREADABLE.search(text)]


def _direct_post() -> Post:
    """A Post built without extraction, with bad characters in every text field."""
    bad = "".join(BAD)
    return Post(
        id="2021-04-direct-record", url=f"https://practicegap.example.org/direct-{bad}/", url_kind="post",
        issue_date="2021-04", title=f"Feedback in a Record Built{bad} Directly", citation=f"Brennan, S. (2018{bad}).",
        authors=(f"Brennan{bad}, S.", "Okafor, C. A."), year=2018, article_title=f"Feedback{bad} at scale",
        journal=f"Journal{bad} of Feedback", volume=f"7{bad}", issue=f"2{bad}", pages=f"1{bad}–9", doi=f"10.1000/x{bad}y",
        summary=f"A summary about feedback{bad} with every bad character.", implications=f"Feedback{bad} helps.",
        topics=(f"Feedback{bad}",), research_types=(f"survey{bad}",),
    )


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-pages")
    (folder / "feedback.html").write_text(PAGE_WITH_HEADING, encoding="utf-8")
    (folder / "empathy.html").write_text(PAGE_WITH_HEADLINE, encoding="utf-8")
    return extract_paths([folder])


@pytest.fixture(scope="module")
def client(extracted, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-index")
    write_index(extracted.posts + [_direct_post()], root)
    return create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()


def test_extraction_keeps_the_text_and_replaces_every_bad_character(extracted):
    assert extracted.problems == [], [str(problem) for problem in extracted.problems]
    assert len(extracted.posts) == 2
    for post in extracted.posts:
        record = post.to_dict()
        assert {name: _unreadable(value) for name, value in record.items() if _unreadable(value)} == {}
    heading, headline = sorted(extracted.posts, key=lambda post: post.issue_date, reverse=True)
    assert heading.title == "Does Feedback Help Clients\ufffd Who Are Off Track\ufffd?"
    # Every field the page's text reached holds the replacement where a bad character was.
    assert [name for name in PAGE_FIELDS if "\ufffd" not in getattr(heading, name)] == []
    assert heading.url == "https://practicegap.example.org/2021/06/feedback-\ufffd-\ufffd-\ufffd/"
    assert headline.title == "Empathy \ufffd Online \ufffd: Does Feedback Survive the Screen?"
    assert headline.url == "https://practicegap.example.org/2021/05/empathy-\ufffd/"


def test_a_post_built_directly_has_every_bad_character_replaced():
    record = _direct_post().to_dict()
    assert {name: _unreadable(value) for name, value in record.items() if _unreadable(value)} == {}
    bad_fields = [name for name, value in record.items() if isinstance(value, str) and "\ufffd" in value]
    assert set(bad_fields) >= {"url", "title", "citation", "article_title", "journal", "volume", "issue", "pages",
                               "doi", "summary", "implications"}
    assert record["authors"][0] == "Brennan" + "\ufffd" * len(BAD) + ", S."
    assert Post.from_dict(json.loads(json.dumps(record))) == _direct_post()


def test_a_bad_character_only_in_the_crossref_record_is_replaced():
    """Crossref's record is stored and exported (BibTeX, RIS) like the other fields."""
    clean = {"publisher": "Feedback Press", "author": [{"given": "Sam", "family": "Brennan"}]}
    for bad in BAD:
        record = {"publisher": f"Feedback{bad} Press", "author": [{"given": f"Sam{bad}", "family": "Brennan"}]}
        post = Post(id="2021-04-direct-record", url=None, issue_date="2021-04", title="T", crossref=record)
        assert post.crossref == {"publisher": "Feedback\ufffd Press",
                                 "author": [{"given": "Sam\ufffd", "family": "Brennan"}]}
    assert Post(id="x", url=None, issue_date="2021-04", title="T", crossref=clean).crossref == clean


def _requests(app_client):
    """Every route of the URL map with every method it accepts, for the posts above and every facet
    (a route with another argument fails here until this test names its values)."""
    ids = ["2021-06-does-feedback-help-clients-who-are-off", "2021-04-direct-record"]
    params = {"q": WORD, "id": ids}
    values = {"post_id": ids, "facet": list(FACETS)}
    for rule in app_client.application.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for chosen in itertools.product(*(values[name] for name in names)):
                url = rule.rule
                for name, value in zip(names, chosen):
                    url = url.replace(f"<{name}>", value)
                yield method, url, params


def test_every_route_and_export_answers_readable_text_over_such_an_index(client, extracted):
    checked = []
    for method, url, params in _requests(client):
        response = client.open(url, method=method, query_string=params if method == "GET" else None,
                               data=params if method != "GET" else None)
        assert response.status_code == 200, (method, url, response.status_code)
        body = response.get_data().decode("utf-8")  # strict: no lone surrogate was encoded
        assert not _UNREADABLE.search(body), (url, _UNREADABLE.findall(body)[:5])
        assert not _ESCAPED_SURROGATE.search(body), url
        if url.endswith(".bib"):
            assert bibtexparser.loads(body, parser=BibTexParser(ignore_nonstandard_types=False)).entries, url  # @online too
        elif url.endswith(".ris"):
            assert rispy.loads(body), url
        elif url.endswith(".atom"):
            ElementTree.fromstring(body)
        elif response.mimetype.endswith("json"):
            json.loads(body)
        checked.append(url)
    # The exports and pages of both posts, and the result-set exports, were among them.
    assert {"/posts/2021-04-direct-record.bib", "/search.ris", "/export.json", "/search.atom", "/api/search"} <= set(checked)
    assert "\ufffd" in client.get("/posts/2021-06-does-feedback-help-clients-who-are-off").get_data(as_text=True)
