"""The results page and its JSON twin: facet counts (checked against counts computed by hand from the
seed records), disjunctive faceting, chips and clear-all links, highlights, spelling, sorting, browsing
a topic, pagination, the year chart, and the JSON shape of DESIGN.md."""
from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from search.taxonomy import DEFAULT_TOPICS


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def facet_counts(page: BeautifulSoup, facet: str) -> dict[str, int]:
    counts = {}
    for link in page.select(f'aside#facets section.facet[data-facet="{facet}"] a.facet-value'):
        count = link.select_one("span.count")
        label = link.get_text().removesuffix(count.get_text()).strip()
        counts[label] = int(count.get_text())
    return counts


def facet_link(page: BeautifulSoup, facet: str, label: str):
    for link in page.select(f'section.facet[data-facet="{facet}"] a.facet-value'):
        if link.get_text().strip().startswith(label + " "):
            return link
    raise AssertionError(f"no {facet} value {label!r}")


def hand_counts(posts: list[dict], facet: str) -> dict[str, int]:
    counter: Counter = Counter()
    for post in posts:
        if facet == "topic":
            counter.update(post["topics"])
        elif facet == "type":
            counter.update(t[0].upper() + t[1:] for t in post["research_types"])
        elif facet == "journal" and post["journal"]:
            counter[post["journal"]] += 1
        elif facet == "year" and post["year"]:
            counter[str(post["year"])] += 1
        elif facet == "author":
            counter.update(post["authors"])
    return dict(counter)


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text().strip() for a in page.select("article.result h2 a")]


# -- facet counts against the seed records ---------------------------------------------------------
@pytest.mark.parametrize("facet", ["topic", "type", "journal", "year", "author"])
def test_browse_all_facet_counts_match_hand_counts(client, seed_posts, facet):
    page = soup(client.get("/search?page_size=50"))
    assert facet_counts(page, facet) == hand_counts(seed_posts, facet) or facet == "author"
    if facet == "author":  # long facets show the first values, the rest behind "more"
        expected = hand_counts(seed_posts, facet)
        shown = facet_counts(page, facet)
        assert shown and all(expected[name] == count for name, count in shown.items())
        assert len(shown) == len(expected)


def test_selecting_a_topic_keeps_that_topics_counts_and_narrows_the_others(client, seed_posts):
    page = soup(client.get("/search?topic=Training"))
    training = [p for p in seed_posts if "Training" in p["topics"]]
    assert len(training) == 2
    assert facet_counts(page, "topic") == hand_counts(seed_posts, "topic")  # disjunctive
    assert facet_counts(page, "type") == hand_counts(training, "type")
    assert facet_counts(page, "journal") == hand_counts(training, "journal")
    assert facet_counts(page, "year") == hand_counts(training, "year")
    assert "2 summaries" in page.select_one("#result-count").get_text()
    assert facet_link(page, "topic", "Training")["aria-pressed"] == "true"
    assert facet_link(page, "topic", "Attachment")["aria-pressed"] == "false"


def test_two_topics_are_ored_and_other_facets_anded(client, seed_posts):
    page = soup(client.get("/search?topic=Training&topic=Attachment"))
    either = [p for p in seed_posts if {"Training", "Attachment"} & set(p["topics"])]
    assert set(titles(page)) == {p["title"] for p in either}
    assert facet_counts(page, "topic") == hand_counts(seed_posts, "topic")
    assert facet_counts(page, "type") == hand_counts(either, "type")

    page = soup(client.get("/search?topic=Training&topic=Attachment&year=2020"))
    both = [p for p in either if p["year"] == 2020]
    assert set(titles(page)) == {p["title"] for p in both}
    # the year facet counts as if no year were selected; topics count within 2020
    assert facet_counts(page, "year") == hand_counts(either, "year")
    in_2020 = [p for p in seed_posts if p["year"] == 2020]
    assert facet_counts(page, "topic") == hand_counts(in_2020, "topic")


def test_facet_links_toggle_their_value_in_the_url(client):
    page = soup(client.get("/search?q=therapist&topic=Training&sort=newest&page=1"))
    add = facet_link(page, "topic", "Attachment")["href"]
    assert params(add) == {"q": ["therapist"], "topic": ["Training", "Attachment"], "sort": ["newest"]}
    remove = facet_link(page, "topic", "Training")["href"]
    assert params(remove) == {"q": ["therapist"], "sort": ["newest"]}
    journal = facet_link(page, "journal", "Psychotherapy Research")["href"]
    assert params(journal)["journal"] == ["Psychotherapy Research"]
    assert params(journal)["topic"] == ["Training"]


def test_chips_and_clear_all(client):
    page = soup(client.get("/search?q=therapist&topic=Training&topic=Attachment&year=2020"))
    chips = page.select("#chips a.chip")
    assert len(chips) == 3
    by_label = {chip.get_text(): chip["href"] for chip in chips}
    training = next(href for label, href in by_label.items() if "Training" in label)
    assert params(training) == {"q": ["therapist"], "topic": ["Attachment"], "year": ["2020"]}
    year = next(href for label, href in by_label.items() if "2020" in label)
    assert params(year) == {"q": ["therapist"], "topic": ["Training", "Attachment"]}
    for chip in chips:
        assert chip.select_one('span[aria-hidden="true"]').get_text() == "×"
        assert chip.select_one("span.visually-hidden").get_text() == "remove filter"
    assert page.select_one("#chips a.clear-all")["href"] == "/search?q=therapist"
    # following a chip link removes exactly that filter
    after = soup(client.get(training))
    assert len(after.select("#chips a.chip")) == 2


def test_no_chips_without_filters(client):
    page = soup(client.get("/search?q=burnout"))
    assert page.select_one("#chips") is None


def test_filter_values_in_any_case_select_the_stored_value(client):
    page = soup(client.get("/search?topic=training"))
    assert facet_link(page, "topic", "Training")["aria-pressed"] == "true"
    assert len(page.select("article.result")) == 2


# -- results ---------------------------------------------------------------------------------------
def test_burnout_results_are_highlighted(client):
    page = soup(client.get("/search?q=burnout"))
    assert page.select_one("#result-count").get_text() == "3 results for “burnout”"
    assert page.select_one("#result-count").name == "h1"  # the results heading (a sort focuses it)
    cards = page.select("article.result")
    assert len(cards) == 3
    assert page.select(".snippet-summary mark") or page.select(".snippet-implications mark")
    assert all(m.get_text().lower().startswith("burn") or m.get_text() for m in page.select("mark"))
    assert any("burnout" in m.get_text().lower() for m in page.select("mark"))
    first = cards[0]
    assert first.select_one("h2 a")["href"].startswith("/posts/")
    assert first.select_one(".matched-in").get_text().startswith("Matched in: ")
    titled = [card for card in cards if "burnout" in card.select_one("h2").get_text().lower()]
    assert titled and all("title" in card.select_one(".matched-in").get_text() for card in titled)


def test_result_card_fields(client, seed_posts):
    page = soup(client.get("/search?q=author:Firth"))
    card = page.select_one("article.result")
    firth = next(p for p in seed_posts if p["authors"] and p["authors"][0] == "Firth, N.")
    assert card.select_one("h2 a").get_text() == firth["title"]
    assert card.select_one("h2 a")["href"] == f"/posts/{firth['id']}"
    text = card.get_text(" ")
    assert "August 2020" in text
    assert "Firth, N." in card.select_one(".byline").get_text() and "(2019)" in card.select_one(".byline").get_text()
    assert card.select_one(".journal").get_text() == "Journal of Consulting and Clinical Psychology"
    topics = card.select("a.topic")
    assert [a.get_text() for a in topics] == firth["topics"]
    assert params(topics[0]["href"])["topic"] == [firth["topics"][0]]
    assert card.select_one(".snippet-summary") and card.select_one(".snippet-implications")
    assert "authors" in card.select_one(".matched-in").get_text()


def test_research_type_badges(client):
    page = soup(client.get("/search?q=mentalize"))
    badges = [b.get_text() for b in page.select("article.result .badge")]
    assert "Randomized controlled trial" in badges


def test_json_twin_and_feed_are_advertised(client):
    page = soup(client.get("/search?q=burnout&topic=Training"))
    json_link = page.select_one("a.json-link")
    assert json_link.get_text() == "JSON"
    assert json_link["href"] == "/api/search?q=burnout&topic=Training"
    assert page.select_one('link[rel=alternate][type="application/json"]')["href"] == json_link["href"]
    assert page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"] == "/search.atom?q=burnout&topic=Training"
    assert client.get(json_link["href"]).get_json()["total"] == 2


def test_sort_form_works_without_js(client):
    page = soup(client.get("/search?q=therapist&topic=Training&sort=oldest"))
    form = page.select_one("select#sort[name=sort]").find_parent("form")
    assert form["method"] == "get" and form["action"] == "/search#result-count"  # the focus returns to the heading
    assert page.select_one("select#sort option[selected]")["value"] == "oldest"
    hidden = {(i["name"], i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden == {("q", "therapist"), ("topic", "Training")}
    assert form.select_one("button[type=submit]").get_text() == "Sort"


@pytest.mark.parametrize("sort, reverse", [("newest", True), ("oldest", False)])
def test_sorting_by_date(client, sort, reverse):
    data = client.get(f"/api/search?q=therapist&sort={sort}&page_size=50").get_json()
    months = [hit["issue_date"] for hit in data["hits"]]
    assert len(months) == 6 and months == sorted(months, reverse=reverse)


def test_browsing_a_topic_without_query_lists_newest_first(client, seed_posts):
    page = soup(client.get("/search?topic=Therapist+Factors"))
    expected = sorted((p for p in seed_posts if "Therapist Factors" in p["topics"]), key=lambda p: p["issue_date"], reverse=True)
    assert len(expected) == 5
    shown = titles(page)
    assert len(shown) == 5
    months = [p["issue_date"] for p in sorted(expected, key=lambda p: shown.index(p["title"]))]
    assert months == sorted(months, reverse=True)
    assert page.select_one("#result-count").get_text() == "5 summaries"


def test_pagination(client):
    first = soup(client.get("/search?page_size=2"))
    nav = first.select_one('nav[aria-label="Pagination"]')
    assert nav is not None
    assert nav.select_one('a[aria-current="page"]').get_text() == "1"
    next_href = nav.select_one("a[rel=next]")["href"]
    assert params(next_href) == {"page_size": ["2"], "page": ["2"]}
    second = soup(client.get(next_href))
    assert set(titles(first)).isdisjoint(titles(second))
    assert second.select_one('nav[aria-label="Pagination"] a[rel=prev]')
    assert soup(client.get("/search?q=burnout")).select_one('nav[aria-label="Pagination"]') is None


def test_year_chart_bars_filter_to_their_year(client, seed_posts):
    page = soup(client.get("/search?q=therapist"))
    bars = page.select("#year-chart a.bar")
    years = hand_counts(seed_posts, "year")
    assert [params(bar["href"])["year"] for bar in bars] == [[y] for y in sorted(years)]
    for bar in bars:
        classes = [c for c in bar["class"] if c.startswith("h") and c[1:].isdigit()]
        assert len(classes) == 1 and 0 <= int(classes[0][1:]) <= 10
        assert not bar.has_attr("style")
    tallest = max(bars, key=lambda bar: years[params(bar["href"])["year"][0]])
    assert "h10" in tallest["class"]
    filtered = soup(client.get(bars[0]["href"]))
    assert len(filtered.select("article.result")) == years[sorted(years)[0]]


def test_empty_state_suggests_what_to_try(client):
    page = soup(client.get("/search?q=zzzqqqxx"))
    assert page.select_one("#result-count").get_text() == "0 results for “zzzqqqxx”"
    empty = page.select_one(".empty-state")
    assert empty and empty.select("a")
    assert not page.select("article.result")


# -- spelling ------------------------------------------------------------------------------------------
def test_misspelling_with_no_hits_is_corrected(client):
    page = soup(client.get("/search?q=burnuot"))
    corrected = page.select_one(".corrected")
    assert corrected is not None and page.select_one(".did-you-mean") is None
    assert corrected.get_text(" ").startswith("Showing results for")
    link = corrected.select_one("a")
    assert link.get_text() == "burnout" and params(link["href"]) == {"q": ["burnout"]}
    assert "Search instead for" in corrected.get_text()
    assert page.select_one("#result-count").get_text() == "3 results for “burnout”"
    assert page.select("mark")
    # "search instead" really searches the words as typed (no second correction)
    instead = corrected.select("a")[-1]["href"]
    assert soup(client.get(instead)).select_one(".corrected") is None


def test_misspelling_with_hits_gets_did_you_mean(client):
    page = soup(client.get("/search?q=burnuot+training&topic=Training"))
    assert page.select_one(".corrected") is None
    hint = page.select_one(".did-you-mean")
    assert hint.get_text(" ").split() [:3] == ["Did", "you", "mean"]
    link = hint.select_one("a")
    assert link.get_text() == "burnout training"
    assert params(link["href"]) == {"q": ["burnout training"], "topic": ["Training"]}
    assert page.select("article.result")


def test_correct_query_has_no_spelling_hint(client):
    page = soup(client.get("/search?q=burnout"))
    assert page.select_one(".did-you-mean") is None and page.select_one(".corrected") is None


# -- home and topics ----------------------------------------------------------------------------------
def test_home_page(client, seed_posts):
    """Tiles for the topics with summaries, in the taxonomy's order; the number of the others, said
    once, with a link to where they are listed."""
    page = soup(client.get("/"))
    assert page.select_one("#corpus-stats").get_text() == "6 summaries, August 2020 – February 2021"
    grid = page.select("ul.topic-grid > li > a")
    expected = hand_counts(seed_posts, "topic")
    with_posts = [topic for topic in DEFAULT_TOPICS if expected.get(topic)]
    assert 0 < len(with_posts) < 36 and len(grid) == len(with_posts)
    for link, topic in zip(grid, with_posts):
        assert params(link["href"]) == {"topic": [topic]}
        assert int(link.select_one("span.count").get_text()) == expected[topic]
    empty = page.select_one("p.empty-topics")
    assert " ".join(empty.get_text().split()) == (f"{36 - len(with_posts)} of the 36 topics have no summaries yet: "
                                                  "see them with all topics.")
    assert empty.a["href"] == "/topics#no-summaries-yet"
    latest = page.select("#latest a")
    newest = sorted(seed_posts, key=lambda p: p["issue_date"], reverse=True)
    assert latest[0].get_text() == newest[0]["title"]


def test_topics_page_lists_all_36_with_counts(client, seed_posts):
    page = soup(client.get("/topics"))
    links = page.select("ul.topic-grid a")
    expected = hand_counts(seed_posts, "topic")
    shown = {a.get_text().removesuffix(a.select_one(".count").get_text()).strip(): int(a.select_one(".count").get_text()) for a in links}
    assert shown == {topic: count for topic, count in expected.items() if topic in DEFAULT_TOPICS}
    apart = page.select_one("#no-summaries-yet").find_parent("section")
    assert apart.h2.get_text() == f"No summaries yet ({36 - len(shown)} topics)"
    assert [li.get_text() for li in apart.select("li")] == [t for t in DEFAULT_TOPICS if t not in shown]
    assert not apart.select("a")  # nothing to search there


def test_about_page(client):
    page = soup(client.get("/about"))
    text = page.get_text(" ")
    assert page.select_one('a[href="https://socialsciences.uottawa.ca/pprnet/blog"]')
    assert "Tasca" in text and "inferred" in text and "author:" in text


# -- JSON API ------------------------------------------------------------------------------------------
def test_api_search_has_the_design_shape(client):
    data = client.get("/api/search?q=burnout&topic=Training").get_json()
    assert {"query", "total", "page", "page_size", "sort", "suggestion", "corrected", "hits", "facets"} <= set(data)
    assert data["query"] == "burnout" and isinstance(data["total"], int) and data["total"] == 2
    assert data["page"] == 1 and data["page_size"] == 10 and data["sort"] == "relevance"
    assert data["suggestion"] is None and data["corrected"] is False
    hit = data["hits"][0]
    post_fields = {"id", "url", "issue_date", "title", "citation", "authors", "year", "article_title", "journal",
                   "volume", "issue", "pages", "doi", "topics", "topics_source", "research_types", "sample_size"}
    assert post_fields <= set(hit) and not {"summary", "implications"} & set(hit)
    assert isinstance(hit["score"], float) and isinstance(hit["authors"], list) and isinstance(hit["topics"], list)
    assert {"summary", "implications"} <= set(hit["highlights"])
    assert "<mark>" in hit["highlights"]["summary"] + hit["highlights"]["implications"]
    assert set(data["facets"]) == {"topic", "type", "journal", "author", "year"}
    for counts in data["facets"].values():
        for count in counts:
            assert set(count) == {"value", "count", "selected"}
            assert isinstance(count["value"], str) and isinstance(count["count"], int) and isinstance(count["selected"], bool)
    assert {"value": "Training", "count": 2, "selected": True} in data["facets"]["topic"]


def test_api_search_matches_the_page(client):
    data = client.get("/api/search?q=therapist&topic=Attachment").get_json()
    page = soup(client.get("/search?q=therapist&topic=Attachment"))
    assert [hit["title"] for hit in data["hits"]] == titles(page)
    assert {c["value"]: c["count"] for c in data["facets"]["topic"]} == facet_counts(page, "topic")


def test_api_post(client, seed_posts):
    expected = seed_posts[1]
    data = client.get(f"/api/posts/{expected['id']}").get_json()
    assert data["title"] == expected["title"] and data["summary"] == expected["summary"]
    assert data["implications"] == expected["implications"]


def _chart(index_root, query: str = "alliance") -> tuple[BeautifulSoup, dict[int, int]]:
    """The results page of ``query`` over an index, and the engine's article-year counts for it."""
    from search.request import SearchRequest
    from webui import ENGINE_KEY, create_app

    app = create_app({"INDEX_DIR": str(index_root), "TESTING": True})
    try:
        page = BeautifulSoup(app.test_client().get("/search", query_string={"q": query}).get_data(as_text=True), "html.parser")
        facet = app.extensions[ENGINE_KEY].search(SearchRequest(query=query)).facets["year"]
    finally:
        app.extensions[ENGINE_KEY].close()
    return page, {int(count.value): count.count for count in facet}


def _bar_years(bar) -> range:
    """The years a bar stands for, read from what a screen reader hears ("2010 to 2014: ...")."""
    spoken = bar.select_one(".visually-hidden").get_text().split(":")[0]
    first, _, last = spoken.partition(" to ")
    return range(int(first), int(last or first) + 1)


@pytest.mark.parametrize(("fixture", "span", "bars"), [
    ("one_year_index", 1, 1),
    ("years_index", 2, 7),      # 2008-2021: 2008-09 ... 2020-21
    ("forty_years_index", 5, 9),  # 1982-2021: 1982-84, 1985-89, ... 2020-21
])
def test_the_year_chart_shows_every_year_in_at_most_nine_bars(request, fixture, span, bars):
    """Every year from the first to the last with posts is in exactly one bar, empty years too; a bar
    spans ``span`` years, aligned (2010-2014), clipped to the years of the results; each bar with posts
    links to its year or span, and is counted, labelled and heard as such."""
    page, counts = _chart(request.getfixturevalue(fixture))
    box = page.select_one(".year-chart-box")
    assert "article year" in box.h2.get_text()
    assert (f"each bar spans {span} years" in box.select_one(".chart-note").get_text()) == (span > 1)
    found = box.select("#year-chart .bar")
    assert len(found) == bars
    covered = [year for bar in found for year in _bar_years(bar)]
    assert covered == list(range(min(counts), max(counts) + 1))  # every year once, in order
    for bar in found:
        years = _bar_years(bar)
        assert len(years) <= span and (years[0] % span == 0 or years[0] == min(counts))
        count = sum(counts.get(year, 0) for year in years)
        top = bar.select_one(".bar-label").contents[0]
        bottom = bar.select_one(".bar-to")
        assert top == str(years[0])
        assert (bottom.get_text() if bottom else "") == ("" if len(years) == 1 else f"–{str(years[-1])[2:]}")
        assert bar.select_one(".bar-label")["aria-hidden"] == "true"
        assert f": {count} summar" in bar["title"]
        if count:
            value = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
            assert bar.name == "a" and params(bar["href"]) == {"q": ["alliance"], "year": [value]}
        else:
            assert bar.name == "span" and "empty" in bar["class"] and "h0" in bar["class"]


def test_a_bar_of_several_years_filters_to_them_and_stays_marked(years_index):
    """Following a bar of 2008-2009 lists the posts of those years; the bar is marked selected, the
    Year facet presses both years, its chip names the span, and toggling one of the years off clears it."""
    from webui import ENGINE_KEY, create_app

    app = create_app({"INDEX_DIR": str(years_index), "TESTING": True})
    client = app.test_client()
    try:
        chart, counts = _chart(years_index)
        href = chart.select_one("#year-chart a.bar")["href"]
        assert params(href)["year"] == ["2008-2009"]
        page = soup(client.get(href))
        data = client.get("/api/search", query_string={"q": "alliance", "year": "2008-2009"}).get_json()
    finally:
        app.extensions[ENGINE_KEY].close()
    assert data["total"] == counts[2008] + counts[2009] == len(page.select("article.result"))
    assert "selected" in page.select_one("#year-chart a.bar")["class"]
    assert [chip.get_text(" ", strip=True) for chip in page.select("#chips a.chip")][0].startswith("Year: 2008-2009")
    pressed = {a.get_text(" ", strip=True).split()[0]: a for a in page.select('section[data-facet="year"] a.facet-value')
               if a["aria-pressed"] == "true"}
    assert set(pressed) == {"2008", "2009"}
    assert "year" not in params(pressed["2009"]["href"])  # pressing a pressed year removes the span


def test_the_year_facet_lists_years_newest_first(years_index):
    page, counts = _chart(years_index)
    years = [int(a.get_text(" ", strip=True).split()[0]) for a in page.select('section[data-facet="year"] a.facet-value')]
    assert years == sorted(counts, reverse=True)
    assert len(set(counts.values())) > 1  # ordered by year, whatever the counts


def test_skip_link_goes_to_the_results_and_toggles_carry_their_own_anchor(client):
    page = BeautifulSoup(client.get("/search?q=therapists").get_data(as_text=True), "html.parser")
    focusable = page.select("a[href], button, input, select, [tabindex]:not([tabindex='-1'])")
    assert focusable[0].get_text() == "Skip to results" and focusable[0]["href"] == "#results"
    assert page.select_one("#results[tabindex='-1'] > article.result")  # the skip target holds the result cards
    ids = [value["id"] for value in page.select("a.facet-value")]
    assert len(ids) == len(set(ids)) > 5
    for value in page.select("a.facet-value"):
        assert value["href"].endswith("#" + value["id"])
        target = BeautifulSoup(client.get(value["href"].split("#")[0]).get_data(as_text=True), "html.parser")
        same = target.select_one(f"a.facet-value#{value['id']}")  # the same control, toggled
        assert same is not None and same.get_text() == value.get_text().replace(
            value.select_one(".count").get_text(), same.select_one(".count").get_text())
        assert same["aria-pressed"] != value["aria-pressed"]
