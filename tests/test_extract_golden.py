"""The extractor against the seed page, its golden records, every layout fixture and small inline layouts.

The golden file (``tests/fixtures/seed_posts.json``) holds the six posts of the seed dump. A hand-written
table below checks what a reader of the page can verify without trusting that file, and the layout
fixtures (README in ``tests/fixtures/layouts/``) render the same six posts in other markups.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.extract import extract_page, extract_paths
from indexer.taxonomy import DEFAULT_TOPICS

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_842ed50b2b07adcf.txt"
GOLDEN = ROOT / "tests" / "fixtures" / "seed_posts.json"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"

GOLDEN_POSTS: list[dict] = json.loads(GOLDEN.read_text(encoding="utf-8"))
GOLDEN_BY_ID = {post["id"]: post for post in GOLDEN_POSTS}


def _seed_posts():
    extraction = extract_paths([SEED])
    assert extraction.problems == [], [str(problem) for problem in extraction.problems]
    assert extraction.pages_read == 1
    return extraction.posts


def _field_differences(actual: dict, expected: dict, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """One line per differing field, naming the post id and the field."""
    differences = []
    for name in sorted(set(actual) | set(expected)):
        if name in ignore:
            continue
        if actual.get(name, "<missing>") != expected.get(name, "<missing>"):
            differences.append(
                f"post {expected.get('id')!r} field {name!r}: expected {expected.get(name, '<missing>')!r:.300}"
                f", got {actual.get(name, '<missing>')!r:.300}"
            )
    return differences


# --------------------------------------------------------------------------------------------------
# The seed against the golden file


def test_seed_yields_exactly_six_posts_with_the_golden_ids_in_page_order():
    posts = _seed_posts()
    assert [post.id for post in posts] == [post["id"] for post in GOLDEN_POSTS]
    assert len(posts) == 6


@pytest.mark.parametrize("index", range(len(GOLDEN_POSTS)), ids=[post["id"] for post in GOLDEN_POSTS])
def test_seed_post_equals_golden_record_field_by_field(index):
    posts = _seed_posts()
    assert len(posts) == len(GOLDEN_POSTS), f"expected {len(GOLDEN_POSTS)} posts, got {[p.id for p in posts]}"
    expected = GOLDEN_POSTS[index]
    actual = posts[index].to_dict()
    differences = _field_differences(actual, expected)
    assert not differences, "\n".join(differences)


def test_to_dict_round_trips_through_json():
    for post in _seed_posts():
        data = post.to_dict()
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
        assert list(data) == list(GOLDEN_POSTS[0])  # field order as declared in DESIGN.md


# --------------------------------------------------------------------------------------------------
# The seed against what a reader of the page can check, independent of the golden file

TITLES_AND_MONTHS = [
    ("The COVID-19 Telepsychology Revolution", "2021-02"),
    ("Psychological Practitioner Workplace Well-Being", "2021-01"),
    ("Mentalizing May be a Protective Factor for Therapist’s Well-Being", "2021-01"),
    ("Can Therapists Train to Improve their Capacity to Mentalize?", "2021-01"),
    ("Supervision in Psychotherapy: The Impact of Attachment on Burnout", "2020-09"),
    ("Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?", "2020-08"),
]

# title -> (authors, year, journal, volume, issue, pages, doi)
CITATIONS = {
    "Psychological Practitioner Workplace Well-Being": (
        ["Summers, E. M.", "Morris, R. C.", "Bhutani, G. E.", "Rao, A. S.", "Clarke, J. C."],
        2020, "Clinical Psychology and Psychotherapy", None, None, None, "10.1002/cpp.2509",
    ),
    "Mentalizing May be a Protective Factor for Therapist’s Well-Being": (
        ["Brugnera, A.", "Zarbo, C.", "Compare, A.", "Talia, A.", "Tasca, G. A.", "Lo Coco, G."],
        2020, "Psychotherapy Research", None, None, None, "10.1080/10503307.2020.1762946",
    ),
    "Can Therapists Train to Improve their Capacity to Mentalize?": (
        ["Ensink, K.", "Maheux, J.", "Normandin, L.", "Sabourin, S.", "Parent, K."],
        2013, "Psychotherapy Research", "23", None, "526–538", "10.1080/10503307.2013.800950",
    ),
    "Supervision in Psychotherapy: The Impact of Attachment on Burnout": (
        ["Hiebler-Rager, M.", "Nausner, L.", "Blaha, A.", "Grimmer, K.", "Korlath, S.", "Mernyi, M.",
         "Unterrainer, H. F."],
        2020, "Clinical Psychology and Psychotherapy", None, None, None, "10.1002/cpp.2494",
    ),
    "Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?": (
        ["Firth, N.", "Saxon, D.", "Stiles, W. B.", "Barkham, M."],
        2019, "Journal of Consulting and Clinical Psychology", "87", "4", "345–356", None,
    ),
}

# title -> (summary start, summary end, implications start, implications end), as printed on the page
TEXT_ENDS = {
    "The COVID-19 Telepsychology Revolution": (
        "The COVID-19 pandemic has changed", "in at least in one third of their clinical work.",
        "These survey results suggest", "regulatory restrictions on the use of telepsychology.",
    ),
    "Psychological Practitioner Workplace Well-Being": (
        "Burnout is a specific form", "were each related to somewhat better well-being.",
        "There is ongoing concern about", "their work with patients and their own well-being.",
    ),
    "Mentalizing May be a Protective Factor for Therapist’s Well-Being": (
        "Therapeutic work can be emotionally demanding", "which in turn led to lower well-being.",
        "Previous research showed a well-documented link", "based on their own personal reactions.",
    ),
    "Can Therapists Train to Improve their Capacity to Mentalize?": (
        "Recently, researchers and clinicians", "showed a significant decline in their reflective capacity to mentalize.",
        "Psychotherapists do not start their training", "challenging encounters with some clients.",
    ),
    "Supervision in Psychotherapy: The Impact of Attachment on Burnout": (
        "Health professionals including psychotherapists", "(R-square change = 0.13 for burnout, and 0.24 for coherence).",
        "Supervision is a key manner", "their ability to manage theirs and others’ emotions.",
    ),
    "Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?": (
        "Patients vary in their outcomes", "mostly White residents had better outcomes.",
        "We know from previous research", "when planning and offering services to patients.",
    ),
}

CHROME = ["Type of Research", "ALL Topics", "This month", "Practice Implications", "Back to top", "I blog about"]


def test_seed_titles_and_months_in_page_order():
    posts = _seed_posts()
    assert [(post.title, post.issue_date) for post in posts] == TITLES_AND_MONTHS


def test_seed_telepsychology_post_has_no_citation():
    post = _seed_posts()[0]
    assert post.title == "The COVID-19 Telepsychology Revolution"
    assert post.citation is None
    assert post.authors == ()
    assert (post.year, post.journal, post.volume, post.issue, post.pages, post.doi, post.article_title) == (None,) * 7


@pytest.mark.parametrize("title", list(CITATIONS))
def test_seed_citation_fields(title):
    by_title = {post.title: post for post in _seed_posts()}
    post = by_title[title]
    authors, year, journal, volume, issue, pages, doi = CITATIONS[title]
    assert post.citation is not None
    assert list(post.authors) == authors
    assert post.year == year
    assert post.journal == journal
    assert post.volume == volume
    assert post.issue == issue
    assert post.pages == pages
    assert post.doi == doi
    assert "…" not in post.authors


def test_seed_citation_lines_are_kept_as_written():
    by_title = {post.title: post for post in _seed_posts()}
    assert by_title["Can Therapists Train to Improve their Capacity to Mentalize?"].citation.endswith(
        "23, 526-538, DOI: 10.1080/10503307.2013.800950"
    )
    assert by_title["Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?"].citation.startswith(
        "Firth, N., Saxon, D., Stiles, W. B., & Barkham, M. (2019). Therapist and clinic effects"
    )


@pytest.mark.parametrize("title", list(TEXT_ENDS))
def test_seed_summary_and_implications_start_and_end_as_on_the_page(title):
    by_title = {post.title: post for post in _seed_posts()}
    post = by_title[title]
    summary_start, summary_end, implications_start, implications_end = TEXT_ENDS[title]
    assert post.summary.startswith(summary_start), post.summary[:120]
    assert post.summary.endswith(summary_end), post.summary[-120:]
    assert post.implications.startswith(implications_start), post.implications[:120]
    assert post.implications.endswith(implications_end), post.implications[-120:]


def _chrome_in(text: str) -> list[str]:
    found = [phrase for phrase in CHROME if phrase.casefold() in text.casefold()]
    # The topic filter list: several of its labels, or the list's own misspelt first entry.
    labels = [label for label in DEFAULT_TOPICS if label in text]
    if "Adherance" in text or len(labels) >= 3:
        found.append(f"topic filter labels {labels}")
    return found


def test_seed_summaries_and_implications_hold_no_page_chrome():
    for post in _seed_posts():
        for name in ("summary", "implications"):
            text = getattr(post, name)
            assert not _chrome_in(text), f"{post.id} {name}: {_chrome_in(text)}"
            # No neighbouring post's title or citation leaked in.
            for other_title, _ in TITLES_AND_MONTHS:
                assert other_title not in text, f"{post.id} {name} holds the title {other_title!r}"
            assert " (2020). " not in text and " (2019). " not in text, f"{post.id} {name} holds a citation"


def _assert_paragraphs_joined_by_blank_line(text: str) -> None:
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert re.search(r"(?<!\n)\n(?!\n)", text) is None, "a single newline inside the text"
    for paragraph in text.split("\n\n"):
        assert paragraph and paragraph == paragraph.strip() and "  " not in paragraph


def test_seed_paragraphs_are_single_paragraphs_without_stray_breaks():
    # Every summary and every implications of the seed is one printed paragraph.
    for post in _seed_posts():
        for text in (post.summary, post.implications):
            _assert_paragraphs_joined_by_blank_line(text)
            assert "\n" not in text


# --------------------------------------------------------------------------------------------------
# Every layout fixture renders the same six posts

LAYOUT_FILES = ["listing.html", "newsletter.html", "br_cp1252.html", "dump_crlf.txt", "per_post"]

# Titles that appear on the fixture pages but are not posts of this page.
NOT_POSTS = [
    "Does Routine Outcome Monitoring Prevent Deterioration?",  # the draft in listing.html's HTML comment
    "Recent posts", "Archives", "Subscribe", "Topics", "This month...", "Blog", "Pagination",
]


@pytest.mark.parametrize("layout", LAYOUT_FILES)
def test_layout_fixture_yields_the_six_golden_records(layout):
    extraction = extract_paths([LAYOUTS / layout])
    assert extraction.problems == [], [str(problem) for problem in extraction.problems]
    by_id = {post.id: post.to_dict() for post in extraction.posts}
    assert sorted(by_id) == sorted(GOLDEN_BY_ID), f"{layout}: ids {[post.id for post in extraction.posts]}"
    assert len(extraction.posts) == 6
    differences = []
    for post_id, expected in GOLDEN_BY_ID.items():
        differences += _field_differences(by_id[post_id], expected, ignore=("url", "url_kind"))
    assert not differences, f"{layout}:\n" + "\n".join(differences)


@pytest.mark.parametrize("layout", [name for name in LAYOUT_FILES if name != "per_post"])
def test_layout_fixture_keeps_page_order(layout):
    posts = extract_paths([LAYOUTS / layout]).posts
    assert [(post.title, post.issue_date) for post in posts] == TITLES_AND_MONTHS


@pytest.mark.parametrize("layout", LAYOUT_FILES)
def test_layout_fixture_has_no_extra_post(layout):
    posts = extract_paths([LAYOUTS / layout]).posts
    titles = [post.title for post in posts]
    for not_a_post in NOT_POSTS:
        assert not_a_post not in titles
    assert not any("Lorem ipsum" in post.summary + post.implications for post in posts)
    assert not any(post.issue_date == "2020-10" for post in posts)
    assert len(titles) == len(set(titles)) == 6


def test_listing_fixture_url_is_the_canonical_page_url_with_a_text_fragment_to_the_title():
    posts = extract_paths([LAYOUTS / "listing.html"]).posts
    assert {post.url_kind for post in posts} == {"listing"}
    by_title = {post.title: post.url for post in posts}
    assert by_title["Psychological Practitioner Workplace Well-Being"] == (
        "https://socialsciences.uottawa.ca/pprnet/blog#:~:text=Psychological%20Practitioner%20Workplace%20Well%2DBeing"
    )
    assert by_title["Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?"] == (
        "https://socialsciences.uottawa.ca/pprnet/blog#:~:text="
        "Why%20Does%20Where%20a%20Patient%20Lives%20Affect%20Their%20Outcomes%20in%20Psychotherapy%3F"
    )


def test_per_post_fixtures_read_one_post_per_page_and_ignore_the_sidebar():
    extraction = extract_paths([LAYOUTS / "per_post"])
    assert extraction.pages_read == 6
    assert len(extraction.posts) == 6
    for post in extraction.posts:
        # Sidebar "Recent posts" lists the other five titles: none of them may become part of this post.
        for other_title, _ in TITLES_AND_MONTHS:
            if other_title != post.title:
                assert other_title not in post.summary + post.implications
        assert not _chrome_in(post.summary + "\n" + post.implications), post.id
        assert post.url and post.url.startswith("https://socialsciences.uottawa.ca/pprnet/blog/")
        assert post.url_kind == "post" and "#" not in post.url


# --------------------------------------------------------------------------------------------------
# Small inline layouts

CITE_A = (
    "Smith, J. A., & Jones, B. (2018). Alliance ruptures in brief therapy. "
    "Journal of Counseling Psychology, 65(2), 101–112. https://doi.org/10.1037/cou0000001"
)
CITE_B = "Lee, K., Park, S., & Kim, H. (2019). Dropout from group therapy. Psychotherapy, 56(1), 20–31."
SUMMARY_1 = "Ruptures in the working alliance are common in brief therapy and often go unnoticed by therapists."
SUMMARY_2 = "In this study, the authors followed clients who reported a rupture after their third session."
IMPL_1 = "Therapists can ask about ruptures directly at the end of each session."
IMPL_2 = "Repairing a rupture may strengthen the alliance rather than weaken it."


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}<title>PPRNet blog</title></head><body>{body}</body></html>"


INLINE_CASES = [
    (
        "inline bold marker inside a paragraph",
        _page(
            "<h2>March 2019</h2><h3>Repairing Alliance Ruptures</h3>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p>"
            f"<p><b>Practice implications:</b> {IMPL_1}</p><p>{IMPL_2}</p>"
        ),
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-03", citation=CITE_A, year=2018,
              doi="10.1037/cou0000001", summary=SUMMARY_1, implications=f"{IMPL_1}\n\n{IMPL_2}")],
    ),
    (
        "lowercase marker in an h4",
        _page(
            "<h2>March 2019</h2><h3>Repairing Alliance Ruptures</h3>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p><p>{SUMMARY_2}</p>"
            f"<h4>practice implications</h4><p>{IMPL_1}</p>"
        ),
        [dict(title="Repairing Alliance Ruptures", summary=f"{SUMMARY_1}\n\n{SUMMARY_2}", implications=IMPL_1)],
    ),
    (
        "title printed twice in a row",
        _page(
            "<h2>March 2019</h2><h3>Repairing Alliance Ruptures</h3><p><strong>Repairing Alliance Ruptures</strong></p>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p><h4>Practice Implications</h4><p>{IMPL_1}</p>"
        ),
        [dict(title="Repairing Alliance Ruptures", citation=CITE_A, authors=("Smith, J. A.", "Jones, B."),
              summary=SUMMARY_1, implications=IMPL_1)],
    ),
    (
        "two months, three posts, one without citation",
        _page(
            "<h2>April 2019</h2>"
            "<h3>Repairing Alliance Ruptures</h3>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p><h4>Practice Implications</h4><p>{IMPL_1}</p>"
            "<h3>A Note on Telehealth Privacy</h3>"
            "<p>Many therapists moved their practice online within a few weeks this spring.</p>"
            "<h4>Practice Implications</h4><p>Check the privacy settings of the video platform you use.</p>"
            "<h2>March 2019</h2>"
            "<h3>Who Drops Out of Group Therapy?</h3>"
            f"<p>{CITE_B}</p><p>Group members who missed early sessions were more likely to leave.</p>"
            "<h4>Practice Implications</h4><p>Follow up quickly after a missed group session.</p>"
        ),
        [
            dict(title="Repairing Alliance Ruptures", issue_date="2019-04", citation=CITE_A,
                 journal="Journal of Counseling Psychology", volume="65", issue="2", pages="101–112",
                 summary=SUMMARY_1, implications=IMPL_1),
            dict(title="A Note on Telehealth Privacy", issue_date="2019-04", citation=None, authors=(), year=None,
                 summary="Many therapists moved their practice online within a few weeks this spring.",
                 implications="Check the privacy settings of the video platform you use."),
            dict(title="Who Drops Out of Group Therapy?", issue_date="2019-03", citation=CITE_B,
                 authors=("Lee, K.", "Park, S.", "Kim, H."), year=2019, journal="Psychotherapy",
                 pages="20–31", doi=None,
                 summary="Group members who missed early sessions were more likely to leave.",
                 implications="Follow up quickly after a missed group session."),
        ],
    ),
    (
        "title in a bold paragraph, summary in divs",
        _page(
            "<div class='content'><p>May 2019</p>"
            "<p><strong>Repairing Alliance Ruptures</strong></p>"
            f"<div>{CITE_A}</div><div>{SUMMARY_1}</div><div>{SUMMARY_2}</div>"
            f"<div><strong>Practice Implications</strong></div><div>{IMPL_1}</div></div>"
        ),
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-05", summary=f"{SUMMARY_1}\n\n{SUMMARY_2}",
              implications=IMPL_1, authors=("Smith, J. A.", "Jones, B."))],
    ),
    (
        "br-only page",
        _page(
            "<div><font face='Arial'><b>June 2019</b><br><br>"
            "<b>Repairing Alliance Ruptures</b><br>"
            f"{CITE_A}<br><br>{SUMMARY_1}<br><br>{SUMMARY_2}<br><br>"
            f"<i>Practice Implications</i><br>{IMPL_1}<br><br>{IMPL_2}<br>"
            "</font></div>"
        ),
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-06", citation=CITE_A,
              summary=f"{SUMMARY_1}\n\n{SUMMARY_2}", implications=f"{IMPL_1}\n\n{IMPL_2}")],
    ),
    (
        "script holding Practice Implications text",
        _page(
            "<h2>July 2019</h2><h3>Repairing Alliance Ruptures</h3>"
            "<script>var labels = ['Practice Implications', 'January 2021'];\n"
            "document.write('<h3>Fake Script Post</h3><p>Practice Implications</p>');</script>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p>"
            "<script type='application/ld+json'>{\"headline\": \"Practice Implications of Nothing\"}</script>"
            f"<h4>Practice Implications</h4><p>{IMPL_1}</p>"
            "<style>.practice-implications:before { content: 'Practice Implications'; }</style>",
            head="<script>window.title = 'Practice Implications';</script>",
        ),
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-07", citation=CITE_A, summary=SUMMARY_1,
              implications=IMPL_1)],
    ),
    (
        "capitals marker with a dash, inline",
        _page(
            "<h2>March 2019</h2><h3>Repairing Alliance Ruptures</h3>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p><p><b>PRACTICE IMPLICATIONS</b> – {IMPL_1}</p>"
        ),
        [dict(title="Repairing Alliance Ruptures", summary=SUMMARY_1, implications=IMPL_1)],
    ),
    (
        "citation-less post after a post with two implications paragraphs",
        _page(
            "<h2>April 2019</h2><h3>Repairing Alliance Ruptures</h3>"
            f"<p>{CITE_A}</p><p>{SUMMARY_1}</p><h4>Practice Implications</h4><p>{IMPL_1}</p><p>{IMPL_2}</p>"
            "<h3>A Note on Telehealth Privacy</h3><p>Many therapists moved online this spring.</p>"
            "<h4>Practice Implications</h4><p>Check the privacy settings of your platform.</p>"
        ),
        [
            dict(title="Repairing Alliance Ruptures", implications=f"{IMPL_1}\n\n{IMPL_2}"),
            dict(title="A Note on Telehealth Privacy", citation=None, issue_date="2019-04",
                 summary="Many therapists moved online this spring.",
                 implications="Check the privacy settings of your platform."),
        ],
    ),
    (
        "table cells",
        _page(
            "<table><tr><td><font size='4'><b>September 2019</b></font></td></tr>"
            "<tr><td><b>Repairing Alliance Ruptures</b></td></tr>"
            f"<tr><td><i>{CITE_A}</i></td></tr><tr><td>{SUMMARY_1}</td></tr>"
            f"<tr><td>PRACTICE IMPLICATIONS</td></tr><tr><td>{IMPL_1}</td></tr>"
            "<tr><td>&nbsp;</td></tr><tr><td><a href='#'>Read on the blog ›</a></td></tr></table>"
        ),
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-09", citation=CITE_A, summary=SUMMARY_1,
              implications=IMPL_1)],
    ),
]

TEXT_CASES = [
    (
        "text dump with a trailing footer",
        "Blog\nAugust 2019\nRepairing Alliance Ruptures\n"
        f"{CITE_A}\n{SUMMARY_1}\n{SUMMARY_2}\nPractice Implications\n{IMPL_1}\n{IMPL_2}\n\n"
        "Back to top\n© University of Ottawa\nContact us\n",
        [dict(title="Repairing Alliance Ruptures", issue_date="2019-08", citation=CITE_A,
              summary=f"{SUMMARY_1}\n\n{SUMMARY_2}", implications=f"{IMPL_1}\n\n{IMPL_2}")],
    ),
]


def _check_posts(posts, expected: list[dict]) -> None:
    assert [post.title for post in posts] == [fields["title"] for fields in expected]
    for post, fields in zip(posts, expected):
        for name, value in fields.items():
            assert getattr(post, name) == value, f"{post.title!r} field {name!r}: expected {value!r}, got {getattr(post, name)!r}"
        _assert_paragraphs_joined_by_blank_line(post.summary)
        _assert_paragraphs_joined_by_blank_line(post.implications)
        assert not _chrome_in(post.summary + "\n" + post.implications), _chrome_in(post.summary + post.implications)


@pytest.mark.parametrize("name, html, expected", INLINE_CASES, ids=[case[0] for case in INLINE_CASES])
def test_inline_html_layout(name, html, expected):
    posts, skipped = extract_page(html, is_html=True)
    assert skipped == []
    _check_posts(posts, expected)


@pytest.mark.parametrize("name, text, expected", TEXT_CASES, ids=[case[0] for case in TEXT_CASES])
def test_inline_text_layout(name, text, expected):
    posts, skipped = extract_page(text, is_html=False)
    assert skipped == []
    _check_posts(posts, expected)


def test_inline_marker_text_after_the_colon_starts_the_implications():
    html = INLINE_CASES[0][1]
    (post,), _ = extract_page(html, is_html=True)
    assert post.implications.startswith("Therapists can ask about ruptures")
    assert "Practice" not in post.implications.split("\n\n")[0][:30]
    assert "implications" not in post.implications.lower()


def test_inline_script_post_is_not_extracted():
    html = INLINE_CASES[6][1]
    posts, _ = extract_page(html, is_html=True)
    assert [post.title for post in posts] == ["Repairing Alliance Ruptures"]
    assert "Fake Script Post" not in posts[0].summary + posts[0].implications
    assert "var labels" not in posts[0].summary + posts[0].implications
