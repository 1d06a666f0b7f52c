"""Real-browser tests of the web UI: Playwright (sync API) driving Debian's Chromium.

Each test is a user story and asserts what the user sees. The app is served from a real socket on a
free loopback port (``werkzeug.serving.make_server``) over an index built once per module from the seed
corpus; a second app serves an index built from a hostile page written here. Expected numbers (result
counts, which posts match a filter, suggestions) come from the search core itself, so these tests check
that the UI shows what the engine answers, whatever the ranking details.

Chromium is Debian's (``/usr/bin/chromium``); nothing is downloaded. One browser serves the module;
each test gets a fresh context.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from indexer.build import build_index
from tests.live import LiveServer, serve
from search.request import SearchRequest
from search.taxonomy import DEFAULT_TOPICS

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

BURNOUT_TITLES = (
    "Supervision in Psychotherapy: The Impact of Attachment on Burnout",
    "Psychological Practitioner Workplace Well-Being",
)
FIRTH_TITLE = "Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?"
SUPERVISION_DOI = "10.1002/cpp.2494"

HOSTILE_TITLE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PPRNet Blog</title></head>
<body><main>
<h2>January 2021</h2>
<h3>Therapist &lt;script&gt;window.__pwned=1&lt;/script&gt; Resilience &lt;img src=x onerror="window.__pwned=2"&gt; Study</h3>
<p>Smith, J. A., &amp; Jones, B. (2020). Resilience in therapists. Journal of Hostile Testing, 12(3), 45–67.</p>
<p>Resilience matters for therapists. &lt;img src=x onerror="window.__pwned=3"&gt; In this study of 120
therapists, resilience predicted lower burnout and better wellbeing over one year.</p>
<p><strong>Practice Implications:</strong></p>
<p>Therapists should attend to their resilience &lt;b onmouseover="window.__pwned=4"&gt;and&lt;/b&gt; seek
supervision when burnout rises.</p>
</main></body></html>
"""


# --------------------------------------------------------------------------------------------------
# Serving and browser fixtures (names distinct from tests/conftest.py's)
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The seed corpus, indexed once, served for the whole module."""
    index_dir = tmp_path_factory.mktemp("browser-seed-index")
    build_index(CORPUS, index_dir)
    with serve(index_dir) as server:
        yield server


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A second app over one post whose title and text carry markup that must stay text."""
    corpus = tmp_path_factory.mktemp("browser-hostile-corpus")
    (corpus / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("browser-hostile-index")
    build_index(corpus, index_dir)
    with serve(index_dir) as server:
        yield server


@dataclass
class Tab:
    """A page plus what went wrong on it that the user would notice (or that breaks the page)."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_no_page_errors(self) -> None:
        assert not self.problems, "the page reported errors:\n" + "\n".join(self.problems)


def _open_tab(browser, base: str, **context_options):
    context = browser.new_context(base_url=base, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, base)
    page.on("pageerror", lambda error: tab.problems.append(f"uncaught JS error: {error}"))
    page.on(
        "console",
        lambda msg: tab.problems.append(f"console {msg.type}: {msg.text}")
        if msg.type == "error" and "favicon" not in msg.text
        else None,
    )
    page.on(
        "response",
        lambda resp: tab.problems.append(f"HTTP {resp.status} for {resp.url}")
        if resp.status >= 400 and not resp.url.endswith("/favicon.ico")
        else None,
    )

    def on_dialog(dialog):
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return context, tab


@pytest.fixture
def tab(chromium, live_server):
    context, tab = _open_tab(chromium, live_server.url)
    yield tab
    context.close()


@pytest.fixture
def phone_tab(chromium, live_server):
    context, tab = _open_tab(chromium, live_server.url, viewport={"width": 360, "height": 740})
    yield tab
    context.close()


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------
def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _number_pattern(n: int) -> re.Pattern:
    """Text that shows the number ``n`` as a whole number."""
    return re.compile(rf"(?<![\d.,]){n}(?![\d.,]\d)")


def _engine_titles(server: LiveServer, query: str, **filters: tuple[str, ...]) -> tuple[int, set[str]]:
    response = server.engine.search(SearchRequest(query=query, filters=filters, page_size=50))
    return response.total, {hit["title"] for hit in response.to_dict()["hits"]}


def _facet_value(page: Page, facet: str, value: str):
    return page.locator(f'aside#facets section.facet[data-facet="{facet}"] a.facet-value').filter(
        has_text=re.compile(rf"^\s*{re.escape(value)}(?![\w-])")
    )


def _chip(page: Page, value: str):
    return page.locator("#chips a.chip").filter(has_text=value)


def _result_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("article.result h2 a").all_inner_texts()]


def _expect_results(page: Page, total: int, titles: set[str]) -> None:
    expect(page.locator("#result-count")).to_have_text(_number_pattern(total))
    expect(page.locator("article.result")).to_have_count(len(titles))
    assert set(_result_titles(page)) == titles


_FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  const cs = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName, id: el.id, cls: String(el.className), href: el.getAttribute('href'),
    text: (el.innerText || el.value || '').trim(),
    outlineStyle: cs.outlineStyle, outlineWidth: cs.outlineWidth, boxShadow: cs.boxShadow,
    x: box.x, y: box.y, width: box.width, height: box.height,
    inResult: !!el.closest('article.result'), isResultTitle: el.matches('article.result h2 a'),
  };
}"""


def _has_visible_focus(info: dict) -> bool:
    outline = info["outlineStyle"] != "none" and float(info["outlineWidth"].removesuffix("px") or 0) > 0
    shadow = bool(info["boxShadow"]) and info["boxShadow"] != "none"
    return outline or shadow


_HOSTILE_STATE_JS = """() => ({
  pwned: typeof window.__pwned,
  // a schema.org data block quotes the hostile title as JSON data (never run, its '<' escaped)
  scripts: Array.from(document.scripts).filter(s => s.textContent.includes('__pwned'))
    .filter(s => !(s.type === 'application/ld+json' && !s.textContent.includes('<'))).map(s => s.outerHTML),
  handlers: Array.from(document.querySelectorAll('*'))
    .filter(e => Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on')))
    .map(e => e.outerHTML.slice(0, 160)),
  injectedImages: Array.from(document.querySelectorAll('img[src="x"]')).map(e => e.outerHTML),
})"""


def _assert_inert(tab: Tab, where: str) -> None:
    tab.page.wait_for_load_state("load")
    state = tab.page.evaluate(_HOSTILE_STATE_JS)
    assert state == {"pwned": "undefined", "scripts": [], "handlers": [], "injectedImages": []}, where
    assert tab.dialogs == [], f"{where}: dialogs fired: {tab.dialogs}"


# --------------------------------------------------------------------------------------------------
# 1. Ask a question from the home page
# --------------------------------------------------------------------------------------------------
def test_question_from_home_page_gives_ranked_highlighted_results(tab, live_server):
    page = tab.page
    page.goto("/")
    expect(page.locator("main#main")).to_be_visible()
    expect(page.locator('form[role="search"][action="/search"] input#q[name="q"][type="search"]')).to_have_count(1)
    expect(page.locator("#q")).to_be_focused()
    # What the home page offers: the topics with posts and their counts (the number of the others), the
    # corpus in a line, the latest posts.
    with_posts = [topic for topic in live_server.engine.topic_counts() if topic.count]
    expect(page.locator("ul.topic-grid a")).to_have_count(len(with_posts))
    expect(page.locator("ul.topic-grid a span.count")).to_have_count(len(with_posts))
    expect(page.locator("p.empty-topics")).to_contain_text(f"{36 - len(with_posts)} of the 36 topics have no summaries yet")
    expect(page.locator("#corpus-stats")).to_contain_text(_number_pattern(6))
    expect(page.locator("#latest a").first).to_be_visible()

    question = "how do therapists avoid burnout?"
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert _params(page.url).get("q") == [question]
    expect(page.locator("#q")).to_have_value(question)

    count = page.locator("h1#result-count")
    total, _ = _engine_titles(live_server, question)
    assert total > 0
    expect(count).to_have_text(_number_pattern(total))

    first_title = page.locator("article.result h2 a").first
    expect(first_title).to_have_text(re.compile("^\\s*(" + "|".join(map(re.escape, BURNOUT_TITLES)) + ")\\s*$"))
    marks = page.locator("article.result .snippet-summary mark")
    expect(marks.first).to_be_visible()
    marked_words = [w.lower() for w in page.locator("article.result mark").all_inner_texts()]
    assert any(w.startswith(("burn", "therap")) for w in marked_words), marked_words
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 2. Facets: two topics (OR), chips, clear all, back button
# --------------------------------------------------------------------------------------------------
def test_topic_facets_chips_clear_all_and_back_button(tab, live_server):
    page = tab.page
    query = "therapists"
    first, second = "Attachment", "Client Factors"
    none_total, none_titles = _engine_titles(live_server, query)
    one_total, one_titles = _engine_titles(live_server, query, topic=(first,))
    two_total, two_titles = _engine_titles(live_server, query, topic=(first, second))
    second_total, second_titles = _engine_titles(live_server, query, topic=(second,))
    assert none_total > two_total > one_total > 0  # the seed makes every step visible

    page.goto(f"/search?q={query}")
    expect(page.locator("aside#facets")).to_be_visible()
    _expect_results(page, none_total, none_titles)
    for facet in ("topic", "type", "journal", "author", "year"):
        expect(page.locator(f'aside#facets section.facet[data-facet="{facet}"]')).to_have_count(1)
    expect(page.locator("#chips a.chip")).to_have_count(0)

    _facet_value(page, "topic", first).click()
    page.wait_for_url(lambda url: _params(url).get("topic") == [first])
    _expect_results(page, one_total, one_titles)
    expect(_facet_value(page, "topic", first)).to_have_attribute("aria-pressed", "true")

    _facet_value(page, "topic", second).click()
    page.wait_for_url(lambda url: sorted(_params(url).get("topic", [])) == sorted([first, second]))
    assert _params(page.url).get("q") == [query]
    _expect_results(page, two_total, two_titles)
    assert two_total >= one_total
    for value in (first, second):
        expect(_facet_value(page, "topic", value)).to_have_attribute("aria-pressed", "true")
        expect(_chip(page, value)).to_have_count(1)
    expect(_facet_value(page, "topic", "Training")).not_to_have_attribute("aria-pressed", "true")
    expect(page.locator("#chips a.chip")).to_have_count(2)

    # Removing one chip removes that filter only.
    _chip(page, first).click()
    page.wait_for_url(lambda url: _params(url).get("topic") == [second])
    _expect_results(page, second_total, second_titles)
    expect(page.locator("#chips a.chip")).to_have_count(1)
    expect(_chip(page, second)).to_have_count(1)
    expect(_facet_value(page, "topic", first)).not_to_have_attribute("aria-pressed", "true")

    # "Clear all" removes every filter and keeps the search.
    page.locator("a.clear-all").click()
    page.wait_for_url(lambda url: "topic" not in _params(url))
    expect(page.locator("#chips a.chip")).to_have_count(0)
    _expect_results(page, none_total, none_titles)

    # Back returns to each earlier state.
    page.go_back()
    page.wait_for_url(lambda url: _params(url).get("topic") == [second])
    expect(page.locator("#chips a.chip")).to_have_count(1)
    _expect_results(page, second_total, second_titles)
    page.go_back()
    page.wait_for_url(lambda url: sorted(_params(url).get("topic", [])) == sorted([first, second]))
    expect(page.locator("#chips a.chip")).to_have_count(2)
    _expect_results(page, two_total, two_titles)
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 3. Autocomplete, keyboard only
# --------------------------------------------------------------------------------------------------
def _select_option_by_arrow(page: Page, wanted: str) -> str:
    """Press ArrowDown until the selected option's text contains ``wanted``; return that text."""
    options = page.locator("#suggestions [role=option]")
    selected = page.locator('#suggestions [role=option][aria-selected="true"]')
    seen = []
    for _ in range(options.count() + 1):
        page.keyboard.press("ArrowDown")
        expect(selected).to_have_count(1)
        text = selected.inner_text().strip()
        seen.append(text)
        if wanted in text:
            return text
    raise AssertionError(f"ArrowDown never selected an option with {wanted!r}; selected in turn: {seen}")


def test_autocomplete_with_keyboard_only(tab, live_server):
    page = tab.page
    suggestions = live_server.engine.suggest("burn")
    title = next(s for s in suggestions if s.kind == "title")

    page.goto("/topics")
    expect(page.locator("#q")).not_to_be_focused()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_value("")  # the slash focuses; it is not typed

    page.keyboard.type("burn", delay=40)
    listbox = page.locator('ul#suggestions[role="listbox"]')
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_be_visible()
    expect(listbox).to_be_visible()

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.press("Backspace")
    page.keyboard.type("n", delay=40)
    expect(options.first).to_be_visible()

    _select_option_by_arrow(page, title.label)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/posts/{re.escape(title.post_id)}$"))
    expect(page.locator("h1")).to_have_text(title.label)

    # A topic option leads to that topic's listing.
    topic = next(s for s in live_server.engine.suggest("atta") if s.kind == "topic")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("atta", delay=40)
    expect(options.first).to_be_visible()
    _select_option_by_arrow(page, topic.label)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/search" and _params(url).get("topic") == [topic.label])
    expect(page.locator("article.result").first).to_be_visible()
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 4. Post page: citation, more like this, exports
# --------------------------------------------------------------------------------------------------
def test_post_page_citation_more_like_this_and_exports(tab, live_server):
    page = tab.page
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto("/")
    page.locator("#q").fill("Stiles")
    page.keyboard.press("Enter")
    page.locator("article.result h2 a").first.click()
    page.wait_for_url(re.compile(r"/posts/[^/?#]+$"))
    post_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    post = live_server.engine.post(post_id)
    assert post is not None and post.title == FIRTH_TITLE
    expect(page.locator("h1")).to_have_text(FIRTH_TITLE)
    main = page.locator("main#main")
    expect(main).to_contain_text("Journal of Consulting and Clinical Psychology")
    expect(main).to_contain_text(re.compile("Practice implications", re.I))
    # This citation has no DOI in the source, so the page must not invent a DOI link.
    expect(page.locator('main a[href*="doi.org"]')).to_have_count(0)

    more = page.locator("#more-like-this a")
    expect(more.first).to_be_visible()
    n_more = more.count()
    assert 3 <= n_more <= 5, f"#more-like-this has {n_more} links"
    hrefs = [more.nth(i).get_attribute("href") for i in range(n_more)]
    assert all("/posts/" in h and not h.endswith(post_id) for h in hrefs), hrefs

    with page.expect_download() as download_info:
        page.locator("a.bibtex").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".bib")
    bibtex = Path(download.path()).read_text(encoding="utf-8")
    assert bibtex.lstrip().startswith("@article{"), bibtex
    assert "Barkham" in bibtex and "345--356" in bibtex, bibtex

    with page.expect_download() as download_info:
        page.locator("a.ris").click()
    ris = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert re.match(r"\s*TY  - JOUR", ris) and re.search(r"^ER  -", ris, re.M), ris
    assert "AU  - Firth, N." in ris, ris

    apa = page.locator("#apa")
    expect(apa).to_contain_text("Firth, N.")
    expect(apa).to_contain_text("(2019)")
    page.locator("button.copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert " ".join(copied.split()) == " ".join(apa.inner_text().split())

    # A post with a DOI links it; reached through "More like this".
    supervision = next(p for p in live_server.engine.more_like_this(post_id) if p.doi == SUPERVISION_DOI)
    more.filter(has_text=supervision.title).click()
    expect(page.locator("h1")).to_have_text(supervision.title)
    expect(page.locator(f'main a[href="https://doi.org/{SUPERVISION_DOI}"]')).to_be_visible()
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 5. Accessibility scan
# --------------------------------------------------------------------------------------------------
def test_axe_finds_no_serious_or_critical_violations(tab, live_server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = tab.page
    firth = live_server.engine.search(SearchRequest(query="Stiles")).to_dict()["hits"][0]["id"]
    found = {}
    for path in ("/", "/search?q=burnout", "/search?q=therapists&topic=Attachment", f"/posts/{firth}", "/topics"):
        page.goto(path)
        response = axe.run(page).response
        bad = [v for v in response["violations"] if v.get("impact") in ("serious", "critical")]
        if bad:
            found[path] = [
                f"{v['id']} ({v['impact']}): {v['help']} -- "
                + "; ".join(f"{', '.join(map(str, n['target']))}: {n['html'][:140]}" for n in v["nodes"][:5])
                for v in bad
            ]
    assert not found, "axe violations:\n" + "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in found.items())

    page.goto("/topics")
    main_text = page.locator("main#main").inner_text()
    missing = [t for t in DEFAULT_TOPICS if t not in main_text]
    assert len(DEFAULT_TOPICS) == 36 and not missing, f"/topics does not list {missing}"
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 6. Phone width
# --------------------------------------------------------------------------------------------------
def test_phone_width_has_no_horizontal_scroll_and_collapsible_facets(phone_tab, live_server):
    page = phone_tab.page
    firth = live_server.engine.search(SearchRequest(query="Stiles")).to_dict()["hits"][0]["id"]
    for path in ("/", "/search?q=therapists", f"/posts/{firth}", "/topics"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{path} scrolls sideways at 360 px: scrollWidth {width}"

    page.goto("/search?q=therapists")
    toggle = page.locator("button#facets-toggle")
    facets = page.locator("#facets")
    expect(toggle).to_be_visible()
    expect(facets).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(facets).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    toggle.click()
    expect(facets).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    phone_tab.assert_no_page_errors()


def test_desktop_width_shows_facets_without_toggle(tab):
    tab.page.goto("/search?q=therapists")
    expect(tab.page.locator("#facets")).to_be_visible()
    expect(tab.page.locator("#facets-toggle")).to_be_hidden()


# --------------------------------------------------------------------------------------------------
# 7. Hostile text renders inert
# --------------------------------------------------------------------------------------------------
def test_hostile_post_text_and_query_render_inert(chromium, hostile_server):
    # CSP is bypassed so that escaping alone is tested: the CSP is a second wall, not the first.
    context, tab = _open_tab(chromium, hostile_server.url, bypass_csp=True)
    try:
        page = tab.page
        response = page.goto("/search?q=resilience")
        csp = response.headers.get("content-security-policy", "")
        assert "script-src" in csp or "default-src" in csp, f"no CSP header: {response.headers}"
        script_src = re.search(r"script-src([^;]*)", csp) or re.search(r"default-src([^;]*)", csp)
        assert "'unsafe-inline'" not in script_src.group(1), csp
        assert response.headers.get("x-content-type-options", "").lower() == "nosniff"
        assert response.headers.get("referrer-policy"), response.headers

        expect(page.locator("article.result")).to_have_count(1)
        title_link = page.locator("article.result h2 a")
        expect(title_link).to_contain_text(HOSTILE_TITLE_SCRIPT)  # shown as text, not run, not dropped
        expect(page.locator("article.result mark").first).to_be_visible()
        page.locator("article.result").hover()
        _assert_inert(tab, "results page")

        title_link.click()
        page.wait_for_url(re.compile(r"/posts/"))
        expect(page.locator("h1")).to_contain_text(HOSTILE_TITLE_SCRIPT)
        expect(page.locator("main#main")).to_contain_text('<img src=x onerror="window.__pwned=3">')
        page.locator("main#main").hover()
        _assert_inert(tab, "post page")

        # The suggestion list shows the title as text too.
        page.locator("#q").fill("")
        page.locator("#q").press_sequentially("resil", delay=40)
        expect(page.locator("#suggestions [role=option]").first).to_contain_text(HOSTILE_TITLE_SCRIPT)
        _assert_inert(tab, "autocomplete")

        hostile_query = '"><img src=x onerror="window.__pwned=5"><script>window.__pwned=6</script>'
        page.goto("/search?q=" + quote(hostile_query))
        expect(page.locator("#q")).to_have_value(hostile_query)
        _assert_inert(tab, "results for a hostile query")
        tab.assert_no_page_errors()
    finally:
        context.close()


# --------------------------------------------------------------------------------------------------
# 8. Keyboard only: skip link first, visible focus everywhere, reach and open a result
# --------------------------------------------------------------------------------------------------
def test_keyboard_only_skip_link_visible_focus_and_results(tab, live_server):
    page = tab.page
    page.goto("/topics")
    page.keyboard.press("Tab")
    info = page.evaluate(_FOCUS_STYLE_JS)
    assert info["tag"] == "A" and (info["href"] or "").endswith("#main"), f"first Tab stop: {info}"
    assert re.search(r"skip", info["text"], re.I), f"first Tab stop: {info}"
    assert info["width"] > 1 and info["height"] > 1 and info["x"] >= 0 and info["y"] >= 0, f"skip link off-screen: {info}"
    assert _has_visible_focus(info), f"skip link has no visible focus: {info}"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))

    # From a results page, Tab to the first result with a visible focus at every stop, then open it.
    page.goto("/search?q=burnout")
    no_focus_ring, stops = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUS_STYLE_JS)
        stops.append(f"{info['tag']}#{info['id']}.{info['cls']} {info['text']!r}")
        if info["tag"] != "BODY" and not _has_visible_focus(info):
            no_focus_ring.append(info)
        if info["isResultTitle"]:
            break
    else:
        raise AssertionError("80 Tab presses never reached a result title; stops:\n" + "\n".join(stops))
    assert not no_focus_ring, f"focused without a visible indicator: {no_focus_ring}"
    title = info["text"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/posts/"))
    expect(page.locator("h1")).to_have_text(title)

    # Facet values are announced as toggle buttons, so Space must toggle them as it does a button.
    page.goto("/search?q=therapists")
    value = _facet_value(page, "topic", "Attachment")
    value.focus()
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: _params(url).get("topic") == ["Attachment"])
    expect(_facet_value(page, "topic", "Attachment")).to_have_attribute("aria-pressed", "true")
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 9. Results controls: sort, year chart, spelling, pagination
# --------------------------------------------------------------------------------------------------
def test_sort_year_chart_spelling_and_pagination(tab, live_server):
    page = tab.page
    page.goto("/search?q=therapists")
    newest = live_server.engine.search(SearchRequest(query="therapists", sort="newest")).to_dict()["hits"]
    relevance_first = _result_titles(page)[0]
    assert relevance_first != newest[0]["title"]  # so reordering is visible
    page.locator("select#sort").select_option("newest")
    page.locator("button.sort-submit").click()
    page.wait_for_url(lambda url: _params(url).get("sort") == ["newest"])
    expect(page.locator("article.result h2 a").first).to_have_text(newest[0]["title"])
    assert _result_titles(page) == [h["title"] for h in newest]

    bar = page.locator("#year-chart a.bar").first
    expect(bar).to_be_visible()
    year = _params(bar.get_attribute("href")).get("year")
    assert year and len(year) == 1, bar.get_attribute("href")
    bar.click()
    page.wait_for_url(lambda url: _params(url).get("year") == year)
    total, titles = _engine_titles(live_server, "therapists", year=tuple(year))
    _expect_results(page, total, titles)

    page.goto("/search?q=burnuot")
    response = live_server.engine.search(SearchRequest(query="burnuot")).to_dict()
    assert response["suggestion"] == "burnout"
    spelling = page.locator(".corrected, .did-you-mean a")
    expect(spelling.first).to_be_visible()
    expect(spelling.first).to_contain_text("burnout")
    expect(page.locator("#result-count")).to_have_text(_number_pattern(response["total"]))

    page.goto("/search?q=therapists&page_size=2")
    pager = page.locator('nav[aria-label="Pagination"]')
    expect(pager).to_be_visible()
    page_one = _result_titles(page)
    pager.locator('a[href*="page=2"]').first.click()
    page.wait_for_url(lambda url: _params(url).get("page") == ["2"])
    expect(page.locator("article.result")).to_have_count(2)
    assert not set(_result_titles(page)) & set(page_one)
    tab.assert_no_page_errors()


# --------------------------------------------------------------------------------------------------
# 10. The skip link, focus after a facet toggle (the year chart and the sort menu:
#     tests/test_browser_controls.py)
# --------------------------------------------------------------------------------------------------
def test_keyboard_reaches_the_first_result_in_three_tab_presses(tab, live_server):
    page = tab.page
    page.goto("/search?q=therapists")
    page.keyboard.press("Tab")
    info = page.evaluate(_FOCUS_STYLE_JS)
    assert info["text"] == "Skip to results" and info["href"] == "#results" and _has_visible_focus(info), info
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    info = page.evaluate(_FOCUS_STYLE_JS)
    assert info["isResultTitle"] and _has_visible_focus(info), info
    first = live_server.engine.search(SearchRequest(query="therapists")).to_dict()["hits"][0]["title"]
    assert info["text"] == first
    tab.assert_no_page_errors()


_FOCUSED_CONTROL_JS = """() => { const el = document.activeElement;
  return {id: el.id, pressed: el.getAttribute('aria-pressed'), text: el.textContent.trim(), cls: String(el.className)}; }"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}])
def test_focus_stays_on_the_facet_value_the_user_toggled(chromium, live_server, viewport):
    context, tab = _open_tab(chromium, live_server.url, viewport=viewport)
    try:
        page = tab.page
        page.goto("/search?q=therapists")
        if viewport["width"] < 700:
            page.locator("button#facets-toggle").click()
        control = _facet_value(page, "topic", "Attachment")
        control_id = control.get_attribute("id")
        control.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: _params(url).get("topic") == ["Attachment"])
        expect(page.locator(f"#{control_id}")).to_be_focused()
        focused = page.evaluate(_FOCUSED_CONTROL_JS)
        assert focused["id"] == control_id and focused["pressed"] == "true" and "Attachment" in focused["text"]
        page.keyboard.press("Space")  # and back: still the same control
        page.wait_for_url(lambda url: "topic" not in _params(url))
        expect(page.locator(f"#{control_id}")).to_be_focused()
        assert page.evaluate(_FOCUSED_CONTROL_JS)["pressed"] == "false"
        tab.assert_no_page_errors()
    finally:
        context.close()


# --------------------------------------------------------------------------------------------------
# A question's two tiers
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiers_server(tiers):
    with serve(tiers.root) as server:
        yield server


def test_posts_matching_fewer_words_stand_under_their_own_heading(chromium, tiers_server, tiers):
    from axe_playwright_python.sync_playwright import Axe

    context, tab = _open_tab(chromium, tiers_server.url)
    try:
        page = tab.page
        page.goto("/search?" + urlencode({"q": tiers.question, "page_size": 20}))
        assert page.locator("#result-count").inner_text().startswith("18 results for")
        heading = page.locator("#fewer-words")
        assert heading.inner_text() == "5 more posts match only some of your words"
        heading.scroll_into_view_if_needed()
        assert heading.is_visible()
        cards = page.locator(".result-cards article.result")
        assert cards.count() == 20
        above, below = cards.nth(17).bounding_box(), cards.nth(18).bounding_box()
        box = heading.bounding_box()
        assert above["y"] + above["height"] <= box["y"] and box["y"] + box["height"] <= below["y"]
        bad = [v["id"] for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, bad
        tab.assert_no_page_errors()
    finally:
        context.close()
