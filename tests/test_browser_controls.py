"""Real-browser tests of the results page's controls (Playwright driving Debian's Chromium).

- The year chart shows every year of the results, without scrolling, at 360, 800 and 1280 px, over
  articles of 1, 14 and 40 years: each bar inside the chart, its label inside the bar, each link bar
  wide enough to tap, the years of all bars together exactly the years from the first to the last.
- The Sort menu changes the order only when asked: arrow keys move through it without reloading; the
  Sort button applies it; keyboard alone reaches every order; the focus is then on the results heading.
- axe finds nothing serious or critical on the pages this work changed.

Expected numbers (years, orders) come from the search core itself.
"""
from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from search.engine import SearchEngine
from search.request import SearchRequest
from tests.live import serve

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
ORDERS = ("relevance", "newest", "oldest", "evidence")  # as the menu lists them


@pytest.fixture(scope="module")
def servers(request):
    """A server per index fixture, started the first time a test asks for it."""
    started = {}
    with contextlib.ExitStack() as stack:
        def server(fixture: str):
            if fixture not in started:
                started[fixture] = stack.enter_context(serve(request.getfixturevalue(fixture)))
            return started[fixture]

        yield server


@contextlib.contextmanager
def _tab(chromium, base: str, width: int):
    context = chromium.new_context(base_url=base, viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"uncaught JS error: {error}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
        assert not problems, problems
    finally:
        context.close()


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _year_counts(index_dir, query: str) -> dict[int, int]:
    engine = SearchEngine(index_dir)
    try:
        return {int(c.value): c.count for c in engine.search(SearchRequest(query=query)).facets["year"]}
    finally:
        engine.close()


_CHART_JS = """() => {
  const rect = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  const chart = document.getElementById('year-chart');
  return {
    chart: rect(chart), facets: rect(document.getElementById('facets')),
    pageWidth: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth,
    scrolls: chart.scrollWidth > chart.clientWidth + 1,
    bars: Array.from(chart.querySelectorAll('.bar')).map(bar => {
      const label = bar.querySelector('.bar-label');
      return {box: rect(bar), label: rect(label), link: bar.tagName === 'A',
              labelOverflows: Array.from(label.querySelectorAll('*')).concat([label]).some(l => l.scrollWidth > l.clientWidth + 1),
              text: label.textContent, spoken: bar.querySelector('.visually-hidden').textContent};
    }),
  };
}"""


def _spoken_years(spoken: str) -> list[int]:
    first, _, last = spoken.split(":")[0].partition(" to ")
    return list(range(int(first), int(last or first) + 1))


@pytest.mark.parametrize("width", [360, 800, 1280])
@pytest.mark.parametrize("fixture", ["one_year_index", "years_index", "forty_years_index"])
def test_the_year_chart_shows_every_year_at_every_width(chromium, servers, fixture, width):
    server = servers(fixture)
    counts = _year_counts(server.index_dir, "alliance")
    with _tab(chromium, server.url, width) as page:
        page.goto("/search?q=alliance")
        if width < 700:
            page.locator("button#facets-toggle").click()
        expect(page.locator("#year-chart")).to_be_visible()
        chart = page.evaluate(_CHART_JS)
    assert chart["pageWidth"] <= width, f"the page scrolls sideways at {width} px"
    assert not chart["scrolls"], "the chart scrolls: some years are out of sight"
    assert chart["facets"]["left"] - 0.5 <= chart["chart"]["left"] and chart["chart"]["right"] <= chart["facets"]["right"] + 0.5
    years = [year for bar in chart["bars"] for year in _spoken_years(bar["spoken"])]
    assert years == list(range(min(counts), max(counts) + 1))  # every year, once, in order
    for bar in chart["bars"]:
        box, label = bar["box"], bar["label"]
        assert chart["chart"]["left"] - 0.5 <= box["left"] and box["right"] <= chart["chart"]["right"] + 0.5, bar
        assert not bar["labelOverflows"] and box["left"] - 0.5 <= label["left"] and label["right"] <= box["right"] + 0.5, bar
        assert label["bottom"] <= chart["chart"]["bottom"] + 0.5, bar
        if bar["link"]:
            assert box["width"] >= 24, f"a bar narrower than a tap target (24 px): {bar}"
        assert bar["link"] == (sum(counts.get(year, 0) for year in _spoken_years(bar["spoken"])) > 0)


def test_a_bar_of_several_years_filters_the_results_to_them(chromium, servers):
    server = servers("forty_years_index")
    counts = _year_counts(server.index_dir, "alliance")
    with _tab(chromium, server.url, 1280) as page:
        page.goto("/search?q=alliance")
        bar = page.locator("#year-chart a.bar").nth(1)
        years = _spoken_years(bar.locator(".visually-hidden").inner_text())
        assert len(years) == 5
        bar.click()
        page.wait_for_url(lambda url: _params(url).get("year") == [f"{years[0]}-{years[-1]}"])
        expected = sum(counts.get(year, 0) for year in years)
        expect(page.locator("#result-count")).to_have_text(f"{expected} results for “alliance”")
        expect(page.locator("#year-chart a.bar.selected")).to_have_count(1)


_FOCUS_JS = """() => { const el = document.activeElement; const cs = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, cls: String(el.className), outline: cs.outlineStyle, width: cs.outlineWidth}; }"""


def _engine_titles(index_dir, sort: str) -> list[str]:
    engine = SearchEngine(index_dir)
    try:
        return [hit.post.title for hit in engine.search(SearchRequest(query="therapists", sort=sort)).hits]
    finally:
        engine.close()


@pytest.mark.parametrize("width", [1280])
def test_the_sort_menu_by_keyboard_alone_reaches_every_order_and_changes_only_when_asked(chromium, servers, width):
    server = servers("index_root")
    with _tab(chromium, server.url, width) as page:
        navigations = []
        page.on("request", lambda request: navigations.append(request.url) if request.is_navigation_request() else None)
        page.goto("/search?q=therapists")
        for target in ("newest", "oldest", "evidence", "relevance"):
            navigations.clear()
            for _ in range(30):  # Tab from wherever the focus is to the menu
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.id") == "sort":
                    break
            else:
                raise AssertionError("30 Tab presses never reached the Sort menu")
            steps = ORDERS.index(target) - ORDERS.index(page.locator("select#sort").input_value())
            for _ in range(abs(steps)):
                page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
            assert page.locator("select#sort").input_value() == target
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUS_JS)
            assert "sort-submit" in focused["cls"], focused
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))")
            assert navigations == [], f"the menu reloaded the page before the Sort button: {navigations}"
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: (_params(url).get("sort") or ["relevance"]) == [target])
            expect(page.locator("h1#result-count")).to_be_focused()
            focused = page.evaluate(_FOCUS_JS)
            assert focused["outline"] != "none" and focused["width"] != "0px", f"the heading's focus is not shown: {focused}"
            expect(page.locator("select#sort")).to_have_value(target)
            assert [t.strip() for t in page.locator("article.result h2 a").all_inner_texts()] == _engine_titles(
                server.index_dir, target)


def test_a_pointer_choice_in_the_menu_sorts_at_once(chromium, servers):
    server = servers("index_root")
    with _tab(chromium, server.url, 1280) as page:
        page.goto("/search?q=therapists")
        menu = page.locator("select#sort")
        menu.dispatch_event("pointerdown")  # a mouse opening the menu
        menu.select_option("oldest")
        page.wait_for_url(lambda url: _params(url).get("sort") == ["oldest"])
        expect(page.locator("h1#result-count")).to_be_focused()
        assert [t.strip() for t in page.locator("article.result h2 a").all_inner_texts()] == _engine_titles(
            server.index_dir, "oldest")


@pytest.mark.parametrize(("fixture", "path", "width"), [
    ("forty_years_index", "/search?q=alliance&year=1985-1989", 1280),  # bars of spans, one selected, its chip
    ("forty_years_index", "/search?q=alliance", 360),
    ("synth_index", "/search?q=therapist", 1280),  # a capped author facet, exports in parts
    ("synth_index", "/facets/author?q=therapist&find=smi", 1280),
])
def test_axe_finds_nothing_serious_on_the_changed_pages(chromium, servers, fixture, path, width):
    """The home, topics and results pages are scanned in tests/test_browser.py; these are the pages
    that only this module's indexes show."""
    from axe_playwright_python.sync_playwright import Axe

    with _tab(chromium, servers(fixture).url, width) as page:
        page.goto(path)
        if width < 700 and page.locator("button#facets-toggle").is_visible():
            page.locator("button#facets-toggle").click()
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        bad = [f"{v['id']} ({v['impact']}): {v['help']} -- {[n['html'][:120] for n in v['nodes'][:3]]}"
               for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, bad


_COUNT_OUTSIDE_CARD_JS = """() => Array.from(document.querySelectorAll('ul.topic-grid a')).filter(a => {
  const card = a.getBoundingClientRect(), count = a.querySelector('.count').getBoundingClientRect();
  return count.right > card.right + 0.5 || count.left < card.left - 0.5;
}).map(a => a.textContent.trim().replace(/\\s+/g, ' '))"""


@pytest.mark.parametrize("width", [1280, 1024, 360])
def test_home_topic_grid_counts_stay_inside_their_cards(chromium, servers, width):
    """Over 600 posts every topic has summaries, so each has a tile: a long unbreakable label
    (Medications/Pharmacotherapy) must not push its count out of the card."""
    with _tab(chromium, servers("synth_index").url, width) as page:
        page.goto("/")
        expect(page.locator("ul.topic-grid a")).to_have_count(36)
        assert "Medications/Pharmacotherapy" in page.locator("ul.topic-grid").inner_text()
        assert page.evaluate(_COUNT_OUTSIDE_CARD_JS) == [], f"at {width} px, counts drawn outside their card"


def test_a_full_reading_list_says_so_instead_of_dropping_a_tick(chromium, servers):
    """The reading list holds what one export holds (500): a tick past that is refused, and said."""
    from webui.state import MAX_EXPORT

    with _tab(chromium, servers("index_root").url, 1280) as page:
        page.goto("/search?q=therapists")
        page.evaluate(f"localStorage.setItem('pprnet-selection', JSON.stringify(Array.from({{length: {MAX_EXPORT}}}, (_, i) => 'kept-' + i)))")
        page.reload()
        box = page.locator("input[type=checkbox][name=id][form=selection]").first
        expect(page.locator(".selection-count")).to_have_text(f"{MAX_EXPORT} summaries selected.")
        box.click()
        expect(box).not_to_be_checked()
        expect(page.locator(".selection-count")).to_have_text(
            f"{MAX_EXPORT} summaries selected, the most one export holds (at most {MAX_EXPORT} summaries): "
            "export them, then clear the selection.")
        assert page.evaluate("JSON.parse(localStorage.getItem('pprnet-selection')).length") == MAX_EXPORT
