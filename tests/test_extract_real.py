"""The extractor on the traits of real blog pages (fixtures in ``tests/fixtures/layouts/real/``).

Each fixture is held to its golden records (``golden.json``, field by field). A hand-written table
below states what a reader of each page can check without trusting that file: titles, months,
which posts have a citation, and each post's address. Then the things that must never happen:
chrome as a post, a month read from an introduction, reader comments inside a post.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.blocks import html_to_blocks
from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.extract import extract_paths, post_ids, read_page, text_fragment
from indexer.months import address_month
from indexer.records import merge_duplicates

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "layouts" / "real"
GOLDEN: dict[str, list[dict]] = json.loads((REAL / "golden.json").read_text(encoding="utf-8"))
ARCHIVE = "http://www.med.uottawa.ca/pprnet/eng/"
# The address the crawl manifest gives a stored page; pages not listed say it themselves or have none.
CRAWLED_URLS = {
    "pprnet_blog_june2013.html": ARCHIVE + "pprnet_blog_june2013.html",
    "pprnet_blog_sept2014.html": ARCHIVE + "pprnet_blog_sept2014.html",
}
LISTING = "https://socialsciences.uottawa.ca/pprnet/blog?p=3#:~:text="


def _read(name: str, *, url: str | None = "crawled", file_name: str | None = None):
    path = REAL / name
    is_html = path.suffix == ".html"
    text = decode_bytes(path.read_bytes(), is_html=is_html)
    return read_page(
        text, is_html=is_html, url=CRAWLED_URLS.get(name) if url == "crawled" else url, file_name=file_name or name
    )


# name -> [(month, title, has citation, url)]: read off the pages by hand.
TRAITS = {
    # The live listing: site heading, intro, "This month...", both filter lists, two month headings;
    # a title ending in "It Depends.", one in "Revisited." printed twice, one without citation, one with
    # a series introduction where the citation would be, a 30-word question, ": A systematic review."
    "live_listing_p3.html": [
        ("2019-11", "Does Routine Outcome Monitoring Help Every Client? It Depends.", True,
         LISTING + "Does%20Routine%20Outcome%20Monitoring%20Help%20Every%20Client%3F%20It%20Depends."),
        ("2019-11", "Is Empathy Still the Best Predictor of Outcome? Revisited.", True,
         LISTING + "Is%20Empathy%20Still%20the%20Best%20Predictor%20of%20Outcome%3F%20Revisited."),
        ("2019-11", "What Clinicians Told Us About Practice Research Networks", False,
         LISTING + "What%20Clinicians%20Told%20Us%20About%20Practice%20Research%20Networks"),
        ("2019-10", "Treating Depression in Primary Care: Part 2 of 3", False,
         LISTING + "Treating%20Depression%20in%20Primary%20Care%3A%20Part%202%20of%203"),
        ("2019-10", "When Clients and Therapists Disagree About the Goals of Treatment, Does the Alliance Suffer, "
         "and Can an Early Conversation About Goals Help Clients Stay in Therapy Longer?", True,
         LISTING + "When%20Clients%20and%20Therapists%20Disagree%20About%20the%20Goals%20of%20Treatment%2C%20Does"
         "%20the%20Alliance%20Suffer%2C%20and%20Can%20an%20Early%20Conversation%20About%20Goals%20Help%20Clients"
         "%20Stay%20in%20Therapy%20Longer%3F"),
        ("2019-10", "Group Therapy for Social Anxiety: A systematic review.", True,
         LISTING + "Group%20Therapy%20for%20Social%20Anxiety%3A%20A%20systematic%20review."),
    ],
    # A post's own page inside the site chrome; its month only in <time datetime>.
    "post_in_site_chrome.html": [
        ("2018-05", "Can a Single Session Change Anything? It Depends.", True,
         "https://socialsciences.uottawa.ca/pprnet/blog/single-session-it-depends"),
    ],
    # Old archive month with "PPRNet Blog: June 2013", an introduction naming March 2013 and January 2014,
    # a signature, a series box, e-mail line, abstract link, reader comments; windows-1252 bytes.
    "pprnet_blog_june2013.html": [
        ("2013-06", "Repairing Alliance Ruptures: What Do Therapists Actually Do?", True,
         ARCHIVE + "pprnet_blog_june2013.html#ruptures"),
        ("2013-06", "Can Client Feedback Prevent Dropout in a University Counselling Centre?", True,
         ARCHIVE + "pprnet_blog_june2013.html#feedback"),
    ],
    # Old archive month without a heading (month in the address), month links to other pages, a
    # title ending in a period, a reader comment before a citation-less post that has no anchor.
    "pprnet_blog_sept2014.html": [
        ("2014-09", "Mentalization-Based Treatment for Borderline Personality Disorder: Eight Years Later.", True,
         ARCHIVE + "pprnet_blog_sept2014.html#mbt"),
        ("2014-09", "Why Do Some Clients Get Worse in Therapy?", False,
         ARCHIVE + "pprnet_blog_sept2014.html#why-do-some-clients-get-worse-in-therapy"),
    ],
    # A text copy of an archive month: the first title glued to the menu ("blogWhat ..."), no heading
    # (month from the file name), comments, an e-mail line, the introduction last.
    "pprnet_blog_aug2015.txt": [
        ("2015-08", "What Therapists Can Do When a Client Falls Silent", True, None),
        ("2015-08", "Does Therapy Work for Everyone? It Depends.", False, None),
    ],
    # WordPress single post: "Posted on June 3, 2021 by ...", rel="tag" topics, comments, sidebar.
    "wordpress_single.html": [
        ("2021-06", "Do Clients Know When Therapy Is Working?", True,
         "https://practicegap.example.org/2021/06/03/do-clients-know-when-therapy-is-working/"),
    ],
    # Blogger month page: date headers, "Implications for Practice", post footers and labels.
    "blogger_month.html": [
        ("2015-03", "Does Doing Homework Between Sessions Matter?", True,
         "https://therapyresearchnotes.blogspot.com/2015/03/#7305219981402398812"),
        ("2015-03", "Should Therapists Talk About Themselves?", False,
         "https://therapyresearchnotes.blogspot.com/2015/03/#1928374650912837465"),
    ],
    # Each engine's own page for one post, as its default theme writes it: with a citation, and without.
    # WordPress Twenty Twenty-One: the date only in the entry footer's <time>, rel="tag" there (and one in
    # the sidebar's tag cloud, not this post's), Jetpack related posts inside the content, comments, author bio.
    "wordpress_2021_single.html": [
        ("2021-06", "Do Therapists Know When Clients Are Holding Back?", True,
         "https://practicegap.example.org/2021/06/17/do-therapists-know-when-clients-are-holding-back/"),
    ],
    # WordPress Twenty Twenty: category link above the title, the date as a plain link in the header's
    # list, a sign-off after the implications, comments inside the article, screen-reader labels.
    "wordpress_2020_no_citation.html": [
        ("2021-05", "What We Heard at the Ottawa Practice Research Day", False,
         "https://practicegap.example.org/2021/05/12/what-we-heard-at-the-ottawa-practice-research-day/"),
    ],
    # Hugo Ananke: <main> inside the <article> (its header outside it), an <aside> of related posts in the
    # article, tag links after the implications, Disqus.
    "hugo_ananke_single.html": [
        ("2018-11", "Homework Completion and Outcome in Cognitive Therapy for Depression", True,
         "https://betweensessions.example.net/posts/homework-completion-depression/"),
    ],
    # Hugo PaperMod: breadcrumbs and a description in the header, a table of contents linking to
    # "Practice Implications", tags, previous/next and share links in the post footer, comments.
    "hugo_papermod_no_citation.html": [
        ("2019-04", "Reading the Research on Therapist Self-Disclosure", False,
         "https://betweensessions.example.net/posts/therapist-self-disclosure/"),
    ],
    # Jekyll minima: header with <time>, the citation in bold, related posts and static comments after
    # the article (each comment an <article>).
    "jekyll_minima_single.html": [
        ("2016-09", "Does Therapist Experience Predict Outcome?", True,
         "https://clinicnotes.example.org/2016/09/14/therapist-experience.html"),
    ],
    # Jekyll Minimal Mistakes: the title as a link, rel="tag" and an "Updated" date in the footer, share
    # buttons, pager, comments inside the article, "You may also enjoy" cards (articles with dates).
    "jekyll_mistakes_no_citation.html": [
        ("2017-03", "Ending Therapy Well: What Clients Remember", False,
         "https://clinicnotes.example.org/2017/03/02/ending-therapy-well/"),
    ],
    # Ghost Casper: primary tag above the title, an excerpt and the author's name (a heading) in the header,
    # the comments app, "read more" cards (articles with dates) in an aside.
    "ghost_casper_single.html": [
        ("2019-10", "Brief Mindfulness Training for Therapists in Training", True,
         "https://notesforpractice.example.com/brief-mindfulness-training-for-trainees/"),
    ],
    # Ghost Casper, an essay: a title, a date and a body, neither a citation nor "Practice Implications".
    "ghost_casper_no_citation.html": [
        ("2019-09", "Why This Blog Summarizes Practice-Based Studies", False,
         "https://notesforpractice.example.com/why-practice-based-studies/"),
    ],
    # Drupal Olivero: the page title outside the article, "By Name, 8 June, 2021" in the article header
    # (no machine-readable date anywhere), a Tags field, comments (articles) inside the article.
    "drupal_olivero_single.html": [
        ("2021-06", "Routine Outcome Monitoring in Youth Mental Health Services", True,
         "https://youthpractice.example.ca/node/214"),
    ],
    # Drupal Bartik: the article's <footer> (submitted by ..., Drupal's numeric date) before its text,
    # related posts in the sidebar.
    "drupal_bartik_no_citation.html": [
        ("2021-02", "Our Network's Survey on Video Sessions, One Year Later", False,
         "https://youthpractice.example.ca/node/187"),
    ],
    # Blogger (Simple template): the date header above the post, the citation in italics, <br> paragraphs,
    # labels (rel="tag") and share buttons in the post footer, "N comments:", "You might also like".
    "blogger_single.html": [
        ("2015-10", "Does Group Cohesion Predict Outcome in Group Therapy?", True,
         "https://therapyresearchnotes.blogspot.com/2015/10/group-cohesion.html"),
    ],
    # Blogger (Contempo): <article>, JSON-LD inside the post, <time> in the post header, threaded comments.
    "blogger_contempo_no_citation.html": [
        ("2019-02", "When Should Therapy End? Three Questions From Our Readers", False,
         "https://therapyresearchnotes.blogspot.com/2019/02/when-should-therapy-end.html"),
    ],
    # Medium: generated class names, a subtitle heading, the author, "Follow", read time and date between
    # the title and the citation, clap and response counts, "Responses", "More from", "Recommended".
    "medium_single.html": [
        ("2020-03", "Dropout Is Not One Thing", True,
         "https://medium.com/practice-notes/dropout-is-not-one-thing-5e1f0c2b9a7d"),
    ],
    "medium_no_citation.html": [
        ("2020-11", "Five Questions to Ask Before Recommending Online Therapy", False,
         "https://medium.com/practice-notes/five-questions-before-recommending-online-therapy-91b3d7e2c4a0"),
    ],
}
URL_KINDS = {
    "live_listing_p3.html": "listing", "post_in_site_chrome.html": "post", "pprnet_blog_june2013.html": "archive",
    "pprnet_blog_sept2014.html": "archive", "pprnet_blog_aug2015.txt": None, "wordpress_single.html": "post",
    "blogger_month.html": "archive",
} | {name: "post" for name in TRAITS if name.startswith(("wordpress_20", "hugo_", "jekyll_", "ghost_", "drupal_",
                                                          "blogger_single", "blogger_contempo", "medium_"))}
# Text of the page chrome that must never be in a title, summary or implications.
CHROME = [
    "blog began in 2013", "I blog about", "Type of Research", "ALL Topics", "Welcome to the PPRNet",
    "Giorgio", "Tasca, Ph.D", "@", "Thank you for this summary", "Very helpful for our training clinic",
    "I attended an MBT workshop", "I shared this with our team", "Link to abstract", "Posted by", "Posted on",
    "Labels:", "Leave a Reply", "We started using a one-item rating", "Last updated", "©", "Older Posts",
    "Blog archive", "A note on this month", "Tagged",
    # the engines' pages: bylines, furniture, comments, related posts, subtitles and excerpts
    "says:", "said...", "Leave a comment", "Reply", "Published", "min read", "Written by", "Responses", "Share on",
    "Table of Contents", "Submitted by", "Add new comment", "Disqus", "Categorized", "Tags", "Newer Post", "« Prev",
    "It felt awkward for about two weeks", "Our agency caps therapy", "In our training clinic we ask supervisees",
    "This matches what we see", "I was a client at a service", "We tried a weekly measure",
    "how cohesion was measured", "Spacing the last sessions out has worked", "who else is home is the one I forgot",
    "Dana Whitfield is a counselling psychologist", "Thank you to everyone who came", "Thanks to the clinicians",
    "A latent class study finds", "What the research on video sessions does", "Four weeks of mindfulness practice made",
    "What the small studies", "Repairing Ruptures in the First Month", "Booster Sessions After CBT", "Good Supervision",
    "Deliberate Practice for Therapists", "Privacy Concerns in Teletherapy", "The First Session Decides",
    "Why Therapists Burn Out", "Do Therapists Rate Homework", "Noor Haddad", "Maya Castellanos", "Kwame Asante",
]


def test_every_fixture_has_a_trait_row_and_golden_records():
    pages = sorted(path.name for path in REAL.iterdir() if path.suffix in (".html", ".txt"))
    assert pages == sorted(TRAITS) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(TRAITS))
def test_fixture_titles_months_citations_and_addresses(name):
    posts = _read(name).posts
    assert [(p.issue_date, p.title, p.citation is not None, p.url) for p in posts] == TRAITS[name]
    assert {p.url_kind for p in posts} == {URL_KINDS[name]}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_fixture_equals_golden_records_field_by_field(name):
    actual = [post.to_dict() for post in _read(name).posts]
    assert len(actual) == len(GOLDEN[name])
    for got, expected in zip(actual, GOLDEN[name]):
        differences = [key for key in expected if got[key] != expected[key]]
        assert not differences, f"{name} {expected['title']!r}: {[(k, got[k], expected[k]) for k in differences]}"


@pytest.mark.parametrize("name", sorted(TRAITS))
def test_fixture_posts_hold_no_page_chrome(name):
    for post in _read(name).posts:
        assert post.title.strip() and post.summary.strip()
        assert post.implications.strip() or post.citation is None  # only an uncited post may lack implications
        for text in (post.title, post.summary, post.implications):
            found = [phrase for phrase in CHROME if phrase in text]
            assert not found, f"{name} {post.title!r}: {found}"


def test_series_introduction_is_neither_a_title_nor_the_first_summary_paragraph_and_is_counted():
    page = _read("live_listing_p3.html")
    post = page.posts[3]
    assert post.title == "Treating Depression in Primary Care: Part 2 of 3"
    assert post.summary.startswith("Most people with depression")
    assert "second of three posts" not in post.summary + post.implications
    assert page.counts["series introductions set aside"] == 1


def test_month_comes_from_the_heading_not_from_dates_in_the_introduction():
    # The June 2013 page's introduction names March 2013 and January 2014.
    assert {post.issue_date for post in _read("pprnet_blog_june2013.html").posts} == {"2013-06"}


def test_archive_page_without_heading_takes_its_month_from_the_address_or_else_is_skipped(tmp_path):
    # Stored under a neutral name, the crawl address still dates it.
    data = (REAL / "pprnet_blog_sept2014.html").read_bytes()
    text = decode_bytes(data, is_html=True)
    page = read_page(text, is_html=True, url=ARCHIVE + "pprnet_blog_sept2014.html", file_name="page_0042.html")
    assert {post.issue_date for post in page.posts} == {"2014-09"}
    # With no address and no month in the file name, it is never dated from the introduction
    # ("Since March 2013 ... In June 2014"): the posts are skipped and say why.
    stored = tmp_path / "page_0042.html"
    stored.write_bytes(data)
    extraction = extract_paths([stored])
    assert extraction.posts == []
    assert len(extraction.problems) == 1 and "no blog month" in extraction.problems[0].reason


def test_reader_comments_and_leftover_lines_are_reported_as_unplaced_with_position_and_words():
    unplaced = _read("pprnet_blog_june2013.html").unplaced
    comments = [line for line in unplaced if "Thank you for this summary" in line]
    assert len(comments) == 1
    assert comments[0].startswith("block ") and "after a post's end" in comments[0]
    aug = _read("pprnet_blog_aug2015.txt").unplaced
    assert any("I shared this with our team" in line for line in aug)


def test_rel_tag_links_that_are_topics_become_site_topics():
    (post,) = _read("wordpress_single.html").posts
    assert post.topics == ("Feedback and Progress Monitoring", "Client Factors")
    assert post.topics_source == "site"
    # Category links ("Research", rel="category tag") are not topics.
    assert "Research" not in post.topics


def test_a_local_text_dump_has_no_address():
    assert {(p.url, p.url_kind) for p in _read("pprnet_blog_aug2015.txt").posts} == {(None, None)}


@pytest.mark.parametrize("title, fragment", [
    ("Attendance, Attrition, and Drop-Out", "Attendance%2C%20Attrition%2C%20and%20Drop%2DOut"),
    ("Trauma & PTSD: A Meta-Analysis", "Trauma%20%26%20PTSD%3A%20A%20Meta%2DAnalysis"),
    ("Therapist’s Well-Being", "Therapist%E2%80%99s%20Well%2DBeing"),
])
def test_text_fragment_encodes_dash_ampersand_and_comma(title, fragment):
    assert text_fragment(title) == fragment


def test_merge_keeps_the_most_stable_address():
    listing = _read("pprnet_blog_june2013.html", url="https://socialsciences.uottawa.ca/pprnet/blog?p=39").posts[0]
    archive = _read("pprnet_blog_june2013.html").posts[0]
    own = archive.replace(url="https://socialsciences.uottawa.ca/pprnet/blog/ruptures", url_kind="post")
    assert listing.url_kind == "listing" and listing.url.startswith("https://socialsciences.uottawa.ca/pprnet/blog?p=39#:~:text=Repairing")
    assert [p.url_kind for p in merge_duplicates([listing, archive])] == ["archive"]
    assert [p.url_kind for p in merge_duplicates([archive, listing])] == ["archive"]
    (merged,) = merge_duplicates([listing, own, archive])
    assert (merged.url, merged.url_kind) == ("https://socialsciences.uottawa.ca/pprnet/blog/ruptures", "post")


ALL_PAGES = sorted(
    [path for path in REAL.iterdir() if path.suffix in (".html", ".txt")]
    + [path for path in (ROOT / "tests" / "fixtures" / "layouts").rglob("*") if path.suffix in (".html", ".txt")
       and path.parent.name != "real"]
    + [ROOT / "corpus" / "000_842ed50b2b07adcf.txt"]
)


@pytest.mark.parametrize("path", ALL_PAGES, ids=[path.name for path in ALL_PAGES])
def test_post_ids_equal_the_full_extractors_ids(path):
    is_html = path.suffix == ".html"
    text = decode_bytes(path.read_bytes(), is_html=is_html)
    # As the crawler calls it: with the page's address (a text copy stands for its archive page).
    url = CRAWLED_URLS.get(path.name) or (ARCHIVE + "pprnet_blog_aug2015.html" if path.name.startswith("pprnet_") else None)
    full = merge_duplicates(read_page(text, is_html=is_html, url=url).posts)
    assert post_ids(text, is_html=is_html, url=url) == [post.id for post in full]
    assert full


def test_post_ids_of_a_page_without_posts_is_empty():
    chrome = (REAL / "live_listing_p3.html").read_text(encoding="utf-8").split('<div class="blog-listing">')[0]
    assert post_ids(chrome + "</body></html>", is_html=True, url="https://socialsciences.uottawa.ca/pprnet/blog") == []


# --------------------------------------------------------------------------------------------------
# Small pages for single semantics

CITE = ("Lindqvist, K. M., Okafor, C. A., & Brennan, S. (2019). Routine outcome monitoring and deterioration. "
        "Journal of Consulting and Clinical Psychology, 87(11), 962–974.")
SUMMARY = "Feedback reduced deterioration among clients who were off track by the third session."
IMPLICATIONS = "Therapists may want to pay particular attention to alerts in the first few sessions."


def test_post_page_heading_outside_its_article_is_its_title():
    page = (
        "<html><head><title>Does Feedback Help? | PPRNet Blog | University of Ottawa</title>"
        "<meta property='article:published_time' content='2019-11-01T09:00:00Z'>"
        "<link rel='canonical' href='https://socialsciences.uottawa.ca/pprnet/blog/does-feedback-help'></head><body>"
        "<h1>Blog</h1><p>Past blogs are available in the archives.</p>"
        "<h1 class='page-title'>Does Feedback Help?</h1>"
        f"<article><p>{CITE}</p><p>{SUMMARY}</p><h3>Practice Implications</h3><p>{IMPLICATIONS}</p></article>"
        "</body></html>"
    )
    (post,) = read_page(page, is_html=True).posts
    assert (post.title, post.issue_date, post.citation, post.url_kind) == ("Does Feedback Help?", "2019-11", CITE, "post")
    assert (post.summary, post.implications) == (SUMMARY, IMPLICATIONS)


def test_text_outside_main_is_never_a_post_when_main_holds_the_posts():
    teaser = "<h2>Most read</h2><h3>An Older Post About Alliance</h3><h4>Practice Implications</h4><p>Teaser text here.</p>"
    page = (
        "<html><body><main><h2>November 2019</h2><h3>Does Feedback Help?</h3>"
        f"<p>{CITE}</p><p>{SUMMARY}</p><h4>Practice Implications</h4><p>{IMPLICATIONS}</p></main>"
        f"<div class='region-second'>{teaser}</div></body></html>"
    )
    posts = read_page(page, is_html=True).posts
    assert [(p.title, p.implications) for p in posts] == [("Does Feedback Help?", IMPLICATIONS)]
    # Without <main> the teaser is indistinguishable from a post, and it is read as one.
    assert len(read_page(page.replace("main>", "div>"), is_html=True).posts) == 2


def test_month_heading_a_post_is_listed_under_wins_over_its_publication_time():
    page = (
        "<html><body><h2>January 2021</h2><article><h3>Does Feedback Help?</h3>"
        "<p>Posted <time datetime='2020-12-30'>30 December 2020</time></p>"
        f"<p>{CITE}</p><p>{SUMMARY}</p><h4>Practice Implications</h4><p>{IMPLICATIONS}</p></article></body></html>"
    )
    (post,) = read_page(page, is_html=True).posts
    assert (post.issue_date, post.citation) == ("2021-01", CITE)


@pytest.mark.parametrize("citation", [
    "Becker, E.S…. Powers, M.B. (2019). Exposure therapy for anxiety disorders: A review. Journal of Anxiety Disorders, 1-7.",
    "….Karyotaki, E., & Cuijpers, P. (2020). Internet-based CBT for depression. JAMA Psychiatry, 77(8), 794-804.",
    "Watson, J. Timulak, L. (2019). Emotion-focused therapy for depression. Psychotherapy, 56(1), 20–31.",
    "Andrzej Werbart & Mo Wang (2012). Predictors of outcome in psychoanalysis. Psychoanalytic Psychology, 29, 1-20.",
    "American Psychological Association (2020, March 26). Guidance on psychological tele-assessment. APA.",
])
def test_an_odd_citation_line_after_the_title_stays_the_citation(citation):
    text = f"March 2020\nExposure Works: A Second Look.\n{citation}\n{SUMMARY}\nPractice Implications\n{IMPLICATIONS}\n"
    (post,) = read_page(text, is_html=False).posts
    assert (post.title, post.citation, post.summary) == ("Exposure Works: A Second Look.", citation, SUMMARY)
    assert post.year in (2019, 2020, 2012)


def test_period_title_after_a_short_last_implications_paragraph_in_a_text_dump():
    text = (
        f"April 2016\nDoes Feedback Help?\n{CITE}\n{SUMMARY}\nPractice Implications\n{IMPLICATIONS}\n"
        "These findings are preliminary.\n"
        "Does Therapy Work for Everyone? It Depends.\n"
        "Most summaries of psychotherapy research report average effects, but averages can hide clients who "
        "benefit very little from the therapy they receive.\n"
        "Practice Implications\nTherapists can discuss expectations early.\n"
    )
    posts = read_page(text, is_html=False).posts
    assert [p.title for p in posts] == ["Does Feedback Help?", "Does Therapy Work for Everyone? It Depends."]
    assert posts[0].implications == f"{IMPLICATIONS}\n\nThese findings are preliminary."
    assert posts[1].citation is None and posts[1].issue_date == "2016-04"


@pytest.mark.parametrize("glued", ["blogDoes Feedback Help?", "BlogDoes Feedback Help?", "HomeMembersblogDoes Feedback Help?"])
def test_title_glued_to_a_menu_word_in_a_text_copy(glued):
    text = f"Home\nAbout PPRNet\n{glued}\n{CITE}\n{SUMMARY}\nPractice Implications\n{IMPLICATIONS}\n"
    (post,) = read_page(text, is_html=False, file_name="pprnet_blog_feb2016.txt").posts
    assert (post.title, post.issue_date) == ("Does Feedback Help?", "2016-02")


@pytest.mark.parametrize("address, month", [
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_june2014.html", "2014-06"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_sept2014.html", "2014-09"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_march2013.html", "2013-03"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_aug2015.html", "2015-08"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_feb2016.html", "2016-02"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_Oct2014.htm", "2014-10"),
    ("pprnet_blog_dec2013.txt", "2013-12"),
    ("https://practicegap.example.org/2021/06/03/do-clients-know/", "2021-06"),
    ("2021-01-mentalization-training.html", "2021-01"),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog.html", None),  # the current month: no month in it
    ("https://socialsciences.uottawa.ca/pprnet/blog?p=3", None),
    ("000_842ed50b2b07adcf.txt", None),
    ("https://example.org/posts/mayday-2015-review.html", None),  # "mayday" is not a month name
])
def test_month_from_a_page_address_or_file_name(address, month):
    assert address_month(address) == month


def test_each_article_keeps_its_own_date():
    page = "<html><body>" + "".join(
        f"<article><p class='date'>{shown}</p><h2>{title}</h2><div>Posted <time datetime='{iso}'>{label}</time></div>"
        f"<p>{CITE}</p><p>{SUMMARY}</p><h3>Practice Implications</h3><p>{IMPLICATIONS}</p></article>"
        for shown, title, iso, label in [
            ("January 2021", "Does Feedback Help?", "2021-01-05", "5/1/2021"),
            ("", "Does Feedback Help Everyone?", "2020-12-15", "15/12/2020"),
        ]
    ) + "</body></html>"
    posts = read_page(page, is_html=True).posts
    assert [(p.title, p.issue_date) for p in posts] == [("Does Feedback Help?", "2021-01"), ("Does Feedback Help Everyone?", "2020-12")]


@pytest.mark.parametrize("tail", [" Link to abstract", " [Abstract]", " (PDF)", " Corresponding author: k.lindqvist@example.edu",
                                  " Link to abstract. E-mail: k.lindqvist@example.edu"])
def test_abstract_link_and_e_mail_after_a_citation_are_not_part_of_it(tail):
    text = f"March 2014\nDoes Feedback Help?\n{CITE}{tail}\n{SUMMARY}\nPractice Implications\n{IMPLICATIONS}\n"
    (post,) = read_page(text, is_html=False).posts
    assert post.citation == CITE
    assert (post.journal, post.volume, post.pages) == ("Journal of Consulting and Clinical Psychology", "87", "962–974")


def test_a_post_page_that_prints_its_title_only_in_its_metadata_takes_the_declared_headline():
    page = (
        "<html><head><title>PPRNet Blog | University of Ottawa</title>"
        "<meta property='og:type' content='article'><meta property='og:title' content='Does Feedback Help?'>"
        "<link rel='canonical' href='https://socialsciences.uottawa.ca/pprnet/blog/does-feedback-help'></head><body>"
        "<h1>Blog</h1><article><p>Posted <time datetime='2019-11-01'>1 November 2019</time></p>"
        f"<p>{CITE}</p><p>{SUMMARY}</p><p><b>Practice Implications</b></p><p>{IMPLICATIONS}</p></article></body></html>"
    )
    (post,) = read_page(page, is_html=True).posts
    assert (post.title, post.issue_date, post.citation, post.summary) == ("Does Feedback Help?", "2019-11", CITE, SUMMARY)
    # Without a declared headline the page has no title for its post, and no post is made up.
    with pytest.raises(ExtractionError):
        read_page(page.replace("<meta property='og:title' content='Does Feedback Help?'>", ""), is_html=True)


# Pages whose post is told apart from their furniture by markup alone, which a text copy loses: an
# article's first heading among other headings (Casper's author, Ananke's byline), a date only in a
# <time datetime> or the page's metadata (PaperMod, Minimal Mistakes, WordPress 2020/2021), tag links,
# a subtitle heading, the page's own address.
MARKUP_ONLY = {"ghost_casper_single.html", "ghost_casper_no_citation.html", "hugo_ananke_single.html",
               "hugo_papermod_no_citation.html", "jekyll_mistakes_no_citation.html", "medium_single.html",
               "medium_no_citation.html", "wordpress_2020_no_citation.html", "wordpress_2021_single.html"}
HTML_FIXTURES = sorted(path for path in (ROOT / "tests" / "fixtures" / "layouts").rglob("*.html") if path.name not in MARKUP_ONLY)


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=[path.name for path in HTML_FIXTURES])
def test_a_text_copy_of_an_html_page_yields_the_same_posts(path):
    # A copy of the page's text, one line per block, with no markup left: navigation, footers,
    # sidebars, archive month links and emphasis are plain lines now.
    html = decode_bytes(path.read_bytes(), is_html=True)
    text = "\n".join(("- " if block.kind == "item" else "") + block.text for block in html_to_blocks(html))
    fields = lambda posts: [(p.title, p.issue_date, p.citation, p.summary, p.implications) for p in posts]  # noqa: E731
    from_html = read_page(html, is_html=True, file_name=path.name).posts
    assert fields(read_page(text, is_html=False, file_name=path.name).posts) == fields(from_html)


@pytest.mark.parametrize("json_ld", ["[" * 50_000 + "]" * 50_000, "{not json", '{"@graph": {"@type": "BlogPosting"}}', "null"])
def test_broken_or_hostile_json_ld_is_ignored(json_ld):
    page = (
        f"<html><head><script type='application/ld+json'>{json_ld}</script></head><body><h2>March 2019</h2>"
        f"<h3>Does Feedback Help?</h3><p>{CITE}</p><p>{SUMMARY}</p><h4>Practice Implications</h4><p>{IMPLICATIONS}</p>"
        "</body></html>"
    )
    assert [p.title for p in read_page(page, is_html=True).posts] == ["Does Feedback Help?"]
