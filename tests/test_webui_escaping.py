"""Hostile post text stays text: an index built from a page whose title, citation, summary and
implications carry ``<script>``, ``javascript:`` and ``"onerror=`` must come out inert everywhere."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from indexer.build import build_index
from webui import create_app

HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PPRNet Blog</title></head>
<body><main>
<h2>January 2021</h2>
<h3>Burnout &lt;script&gt;alert(1)&lt;/script&gt; and Resilience in "onerror=alert(2) Therapists</h3>
<p>Smith, J. A., &amp; Jones, B. (2020). Resilience &lt;script&gt;alert(3)&lt;/script&gt; in therapists javascript:alert(4).
Journal of &lt;b&gt;Hostile&lt;/b&gt; Testing, 12(3), 45–67.</p>
<p>Resilience matters for therapists. &lt;script&gt;alert(5)&lt;/script&gt; &lt;img src=x "onerror=alert(6)&gt; In this study
of 120 therapists, resilience predicted lower burnout and better wellbeing over one year. See javascript:alert(7).</p>
<p><strong>Practice Implications:</strong></p>
<p>Therapists should attend to their resilience &lt;script&gt;alert(8)&lt;/script&gt; and seek supervision when burnout rises.</p>
</main></body></html>
"""
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    (corpus / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    index = tmp_path_factory.mktemp("hostile-index")
    build_index(corpus, index)
    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    post = client.get("/api/search?q=resilience").get_json()["hits"][0]
    assert SCRIPT in post["title"] and "javascript:" in post["citation"]  # the fixture really is hostile
    return client, post["id"]


def assert_inert_html(text: str) -> BeautifulSoup:
    assert "<script>alert" not in text
    assert "<b>Hostile" not in text and "<img src=x" not in text
    page = BeautifulSoup(text, "html.parser")
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":  # a data block, never run: JSON with "<" escaped
            assert "<" not in script.string and json.loads(script.string)["@type"] == "BlogPosting"
            continue
        assert script.get("src") in ("/static/app.js", "/static/selection.js") and not script.string
    for element in page.find_all(True):
        assert not [name for name in element.attrs if name.lower().startswith("on")], element
        for name in ("href", "src", "action"):
            assert not str(element.get(name, "")).strip().lower().startswith("javascript:"), element
    assert not page.select("img")
    for mark_parent in page.select("mark"):
        assert not mark_parent.find(True)  # <mark> holds text only
    return page


def test_results_page_is_inert(hostile):
    client, _ = hostile
    for url in ("/search?q=resilience", "/search?q=burnout", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
                "/search?q=alert", "/search?author=Smith%2C+J.+A."):
        response = client.get(url)
        assert response.status_code == 200
        assert_inert_html(response.get_data(as_text=True))
    page = BeautifulSoup(client.get("/search?q=resilience").get_data(as_text=True), "html.parser")
    assert SCRIPT in page.select_one("article.result h2 a").get_text()  # shown as text
    assert page.select("article.result mark")


def test_post_page_and_exports_are_inert(hostile):
    client, post_id = hostile
    response = client.get(f"/posts/{post_id}")
    page = assert_inert_html(response.get_data(as_text=True))
    assert page.h1.get_text() == client.get(f"/api/posts/{post_id}").get_json()["title"]
    assert SCRIPT in page.h1.get_text()
    assert "javascript:alert(4)" in page.select_one(".citation").get_text()
    assert "<b>Hostile</b>" in page.select_one("#apa").get_text()
    bib = client.get(f"/posts/{post_id}.bib").get_data(as_text=True)
    assert "\\textbackslash" not in bib and bib.count("{") - bib.count("\\{") == bib.count("}") - bib.count("\\}")
    ris = client.get(f"/posts/{post_id}.ris").get_data(as_text=True)
    assert all(line == "" or line[2:6] == "  - " for line in ris.split("\r\n"))


def test_query_text_is_escaped(hostile):
    client, _ = hostile
    evil = '"><script>alert(9)</script><a href="javascript:alert(10)">'
    response = client.get("/search", query_string={"q": evil, "topic": evil})
    text = response.get_data(as_text=True)
    assert "<script>alert(9)" not in text and '<a href="javascript' not in text
    page = assert_inert_html(text)
    assert page.select_one("#q")["value"] == evil


def test_atom_feed_is_inert(hostile):
    client, _ = hostile
    response = client.get("/search.atom?q=resilience")
    assert b"<script>" not in response.data and b"<b>Hostile" not in response.data
    root = ET.fromstring(response.data)
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    assert SCRIPT in entry.find("{http://www.w3.org/2005/Atom}title").text


def test_api_json_is_inert_and_exact(hostile):
    client, post_id = hostile
    for url in ("/api/suggest?q=burnout", "/api/suggest?q=resilience", "/api/search?q=resilience", f"/api/posts/{post_id}"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert b"<script>" not in response.data and b"<" not in response.data, url
        json.loads(response.data)
    suggestions = client.get("/api/suggest?q=burnout").get_json()["suggestions"]
    assert any(SCRIPT in s["label"] for s in suggestions)
