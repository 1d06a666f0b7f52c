"""Real-browser tests of references, reading lists, print and the practice answer (Playwright driving
Debian's Chromium, as tests/test_browser.py; the server and browser fixtures follow that file's pattern).

A student ticks three results on two pages, comes back, exports them and gets three entries; a post
prints as a handout without navigation; a clinician's question gets the answer box, an author look-up none.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import rispy
from playwright.sync_api import expect

from indexer.build import build_index
from tests.live import serve
from tests.reading_list import bib_entries, reading_list_posts
from search.engine import SearchEngine
from search.request import SearchRequest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("references-browser-index")
    build_index(CORPUS, index_dir)
    return index_dir


@pytest.fixture(scope="module")
def base_url(seed_index):
    with serve(seed_index) as server:
        yield server.url


@pytest.fixture
def page(chromium, base_url):
    context = chromium.new_context(base_url=base_url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


def _titles_in_order(seed_index: Path, page_size: int) -> list[list[str]]:
    engine = SearchEngine(seed_index)
    try:
        first = engine.search(SearchRequest(sort="newest", page_size=page_size))
        return [[hit.post.title for hit in engine.search(SearchRequest(sort="newest", page=n, page_size=page_size)).hits]
                for n in range(1, first.page_count + 1)]
    finally:
        engine.close()


def _tick(page, title: str) -> None:
    page.locator("article.result").filter(has_text=title).locator('input[type=checkbox][name="id"]').check()


def test_select_three_results_on_two_pages_and_export_them(page, seed_index):
    pages = _titles_in_order(seed_index, 2)
    chosen = [pages[0][0], pages[0][1], pages[1][1]]
    page.goto("/search?sort=newest&page_size=2")
    _tick(page, chosen[0])
    _tick(page, chosen[1])
    expect(page.locator(".selection-count")).to_have_text("2 summaries selected.")
    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    _tick(page, chosen[2])
    expect(page.locator(".selection-count")).to_have_text("3 summaries selected.")
    # a later visit still has the selection
    page.goto("/search?sort=newest&page_size=2")
    for title in chosen[:2]:
        expect(page.locator("article.result").filter(has_text=title).locator("input[name=id]")).to_be_checked()
    with page.expect_download() as download_info:
        page.locator("button.export-bib").click()
    download = download_info.value
    assert download.suggested_filename == "pprnet-selection.bib"
    entries = bib_entries(Path(download.path()).read_text(encoding="utf-8"))
    assert len(entries) == 3
    engine = SearchEngine(seed_index)
    try:
        posts = [hit.post for hit in engine.search(SearchRequest(page_size=50)).hits if hit.post.title in chosen]
    finally:
        engine.close()
    expected = {(post.article_title or post.title) for post in posts}
    # the titles as written, less the braces that keep their acronyms' capitals ("The {COVID-19} ...")
    assert {" ".join(entry["title"].replace("{", "").replace("}", "").split()) for entry in entries} == expected
    # clearing empties the reading list
    page.locator("button.selection-clear").click()
    expect(page.locator("input[name=id]:checked")).to_have_count(0)


def test_print_preview_of_a_post_has_no_navigation(page):
    page.goto("/search?q=Firth")
    page.locator("article.result h2 a").first.click()
    page.wait_for_url(re.compile(r"/posts/"))
    page.emulate_media(media="print")
    for selector in ("header.site-header", "form.search-form", "nav.site-nav", "footer.site-footer", ".breadcrumb",
                     "button.copy", "a.bibtex", ".related"):
        assert page.locator(selector).count(), selector
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#apa")).to_be_visible()
    expect(page.locator("section.implications")).to_be_visible()


def test_print_preview_of_results_is_a_clean_list(page):
    page.goto("/search?q=burnout")
    page.emulate_media(media="print")
    expect(page.locator("article.result").first).to_be_visible()
    for selector in ("header.site-header", "aside#facets", "form#selection", ".toolbar"):
        expect(page.locator(selector).first).to_be_hidden()


def test_answer_box_on_a_question_and_none_on_an_author_look_up(page):
    page.goto("/")
    page.locator("#q").fill("How can novice therapists improve their capacity to mentalize?")
    page.keyboard.press("Enter")
    box = page.locator("section.answer")
    expect(box).to_be_visible()
    expect(box.locator("li").first.locator("mark").first).to_be_visible()
    source = box.locator("a.answer-source").first
    expect(source).to_have_text(re.compile(r"^[\w'-]+( et al\.)? \(\d{4}\)$|^PPRNet blog \(\d{4}\)$"))
    source.click()
    page.wait_for_url(re.compile(r"/posts/"))
    page.goto("/search?q=author%3ABrugnera")
    expect(page.locator("article.result").first).to_be_visible()
    expect(page.locator("section.answer")).to_have_count(0)


def test_copy_on_a_post_without_citation_copies_the_full_blog_post_reference(page, base_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.goto("/search?q=telepsychology")
    page.locator("article.result h2 a", has_text="The COVID-19 Telepsychology Revolution").click()
    page.wait_for_url(re.compile(r"/posts/"))
    expect(page.locator("#cite-heading")).to_have_text("Cite this summary")
    page.locator("button.copy").click()
    expect(page.locator(".copy-status").first).to_have_text("Copied to the clipboard.")
    copied = " ".join(page.evaluate("navigator.clipboard.readText()").split())
    # the seed dump gives the post no address of its own on the blog: this site's page of it is cited
    assert copied == ("Tasca, G. A. (2021, February). The COVID-19 Telepsychology Revolution [Blog post]. PPRNet blog. "
                      f"{base_url}/posts/2021-02-the-covid-19-telepsychology-revolution")
    # and on a post with a citation, the summary's own Copy button copies the blog-post reference
    page.goto("/search?q=Brugnera")
    page.locator("article.result h2 a").first.click()
    page.wait_for_url(re.compile(r"/posts/"))
    page.locator("button.copy-summary").click()
    copied = " ".join(page.evaluate("navigator.clipboard.readText()").split())
    assert copied == " ".join(page.locator("#apa-summary").inner_text().split()) and "[Blog post]" in copied


def test_without_javascript_the_ticks_of_a_page_export(chromium, base_url, seed_index):
    context = chromium.new_context(base_url=base_url, java_script_enabled=False, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        titles = _titles_in_order(seed_index, 3)[0]
        tab.goto("/search?sort=newest&page_size=3")
        _tick(tab, titles[0])
        _tick(tab, titles[2])
        with tab.expect_download() as download_info:
            tab.locator("button.export-ris").click()
        records = rispy.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
        assert len(records) == 2
    finally:
        context.close()


# -- Zotero's connector, reproduced ----------------------------------------------------------------------
# How Zotero's connector picks what a page gives it (zotero/translators): every web translator whose
# detectWeb answers is a candidate, and the one with the lowest priority number is used for the one click.
# Reproduced here from the translators' documented detection rules:
# - unAPI (priority 300): a <link rel="unapi-server"> and <abbr class="unapi-id" title=...> elements;
# - COinS (310): span.Z3988[title] whose ContextObject yields an item type (journal format -> journalArticle,
#   book format -> book, or document for genre "document");
# - Embedded Metadata (320): <meta name|property> with a known prefix (citation_, dc., dcterms., prism.,
#   eprints., og:, ...); citation_journal_title makes it a journalArticle, citation_title guesses one;
# - DOI (400): a DOI in the page's text or links.
_ZOTERO_JS = """() => {
  const candidates = [];
  if (document.querySelector('link[rel="unapi-server"]') && document.querySelector('abbr.unapi-id[title]'))
    candidates.push({translator: 'unAPI', priority: 300});
  const items = [];
  for (const span of document.querySelectorAll('span.Z3988[title]')) {
    const pairs = new URLSearchParams(span.getAttribute('title'));
    const format = pairs.get('rft_val_fmt') || '';
    let itemType = null;
    if (format.endsWith(':journal')) itemType = 'journalArticle';
    else if (format.endsWith(':book')) itemType = pairs.get('rft.genre') === 'document' ? 'document' : 'book';
    if (!itemType) continue;
    items.push({itemType, title: pairs.get('rft.atitle') || pairs.get('rft.btitle'),
                publicationTitle: pairs.get('rft.jtitle'), creators: pairs.getAll('rft.au'),
                date: pairs.get('rft.date'), DOI: (pairs.getAll('rft_id').find(id => id.startsWith('info:doi/')) || '').slice(9)});
  }
  if (items.length) candidates.push({translator: 'COinS', priority: 310});
  const prefixes = /^(citation_|dc\\.|dcterms\\.|prism\\.|eprints\\.|bepress_|og:|article:)/i;
  const metas = Array.from(document.querySelectorAll('meta')).map(m => m.getAttribute('name') || m.getAttribute('property') || '')
    .filter(name => prefixes.test(name));
  if (metas.length) candidates.push({translator: 'Embedded Metadata', priority: 320});
  if (/\\b10\\.\\d{4,9}\\/[^\\s"<>]+/.test(document.body.innerText)) candidates.push({translator: 'DOI', priority: 400});
  candidates.sort((a, b) => a.priority - b.priority);
  return {chosen: candidates.length ? candidates[0].translator : null, candidates: candidates.map(c => c.translator),
          items, highwire: metas.filter(name => name.toLowerCase().startsWith('citation_'))};
}"""


def test_zotero_saves_the_article_and_scholar_finds_no_article_tags(page, seed_index):
    engine = SearchEngine(seed_index)
    try:
        firth = next(hit.post for hit in engine.search(SearchRequest(query="Firth")).hits)
    finally:
        engine.close()
    page.goto(f"/posts/{firth.id}")
    seen = page.evaluate(_ZOTERO_JS)
    assert seen["chosen"] == "COinS" and seen["highwire"] == []  # nothing for Google Scholar to take as the paper
    assert len(seen["items"]) == 1  # one click, one item: the summarised article, not the blog post
    item = seen["items"][0]
    assert item["itemType"] == "journalArticle" and item["title"] == firth.article_title
    assert item["publicationTitle"] == firth.journal and item["creators"] == list(firth.authors)
    # a post that cites no article gives the blog post itself
    page.goto("/search?q=telepsychology")
    page.locator("article.result h2 a", has_text="The COVID-19 Telepsychology Revolution").click()
    page.wait_for_url(re.compile(r"/posts/"))
    seen = page.evaluate(_ZOTERO_JS)
    assert seen["chosen"] == "COinS" and seen["items"][0]["itemType"] == "document"
    assert seen["items"][0]["creators"] == ["Tasca, G. A."]
    # a results page offers each result
    page.goto("/search?sort=newest")
    seen = page.evaluate(_ZOTERO_JS)
    assert seen["chosen"] == "COinS" and len(seen["items"]) == page.locator("article.result").count() > 1


# -- a reading list of 500 ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_list_url(tmp_path_factory):
    from search.store import write_index

    posts = reading_list_posts(520)
    root = tmp_path_factory.mktemp("reading-list-index")
    write_index(posts, root)
    with serve(root) as server:
        yield server.url, [post.id for post in posts]


def test_a_reading_list_of_500_exports_and_the_501st_is_refused(chromium, big_list_url):
    url, ids = big_list_url
    context = chromium.new_context(base_url=url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        tab.goto("/search?q=responsiveness&page_size=10")
        expect(tab.locator(".selection-bar")).to_contain_text("Export selected (up to 500):")
        on_page = tab.locator("article.result input[name=id]").evaluate_all("boxes => boxes.map(box => box.value)")
        chosen = [post_id for post_id in ids if post_id not in on_page][:499]
        tab.evaluate("ids => localStorage.setItem('pprnet-selection', JSON.stringify(ids))", chosen)
        tab.reload()
        expect(tab.locator(".selection-count")).to_have_text("499 summaries selected.")
        boxes = tab.locator("article.result input[name=id]")
        boxes.nth(0).check()
        expect(tab.locator(".selection-count")).to_have_text("500 summaries selected.")
        boxes.nth(1).click()  # the 501st: refused, and the page says why
        expect(boxes.nth(1)).not_to_be_checked()
        expect(tab.locator(".selection-count")).to_contain_text("at most 500 summaries")
        with tab.expect_download() as download_info:
            tab.locator("button.export-bib").click()
        text = Path(download_info.value.path()).read_text(encoding="utf-8")
        entries = bib_entries(text)
        assert len(entries) == 500
        assert {entry["title"] for entry in entries} == {f"Study {int(post_id[-4:])}" for post_id in chosen + [on_page[0]]}
    finally:
        context.close()
