"""Issue 22 on small pages: sections read as the HTML standard scopes them, no run-on text as a title,
posts kept without a citation, rel="tag" per post, reader comments, series introductions and wrapper
ids set aside, and each case counted for the extract report."""
from __future__ import annotations

import pytest

from indexer.errors import ExtractionError
from indexer.extract import extract_paths, read_page

CITE = ("Lindqvist, K. M., Okafor, C. A., &amp; Brennan, S. (2019). Routine outcome monitoring and deterioration. "
        "Journal of Consulting and Clinical Psychology, 87(11), 962–974.")
SUMMARY = "Feedback reduced deterioration among clients who were off track by the third session."
IMPLICATIONS = "Therapists may want to pay particular attention to alerts in the first few sessions."
SITE_HEADER = ("<header class='masthead'><p><a href='/'>Mind the Practice Gap</a></p><p>Research for busy clinicians</p>"
               "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav></header>")
SITE_FOOTER = "<aside><h2>Recent Posts</h2><p>An Older Post About Alliance</p></aside><footer><p>Proudly powered by a CMS</p></footer>"


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Blog</title>{head}</head><body>{SITE_HEADER}{body}{SITE_FOOTER}</body></html>"


# --------------------------------------------------------------------------------------------------
# Sectioning: <header>/<footer>/<nav>/<aside> are site chrome only outside <article> and <main>

def test_the_plain_html5_post_page_of_the_issue_yields_its_post():
    page = _page(
        "<article><header><h1>Does Feedback Help?</h1><p><time datetime='2021-01-01'>January 2021</time></p></header>"
        f"<div class='citation'>{CITE}</div><section><p>{SUMMARY}</p></section>"
        f"<section><h2>Practice Implications</h2><p>{IMPLICATIONS}</p></section>"
        "<footer><p>Filed under <a rel='tag' href='/t/f'>Feedback and Progress Monitoring</a> by Dana Whitfield</p></footer>"
        "</article>"
    )
    (post,) = read_page(page, is_html=True).posts
    assert (post.title, post.issue_date, post.summary, post.implications) == ("Does Feedback Help?", "2021-01", SUMMARY, IMPLICATIONS)
    assert post.citation.startswith("Lindqvist, K. M.") and post.journal == "Journal of Consulting and Clinical Psychology"
    assert (post.topics, post.topics_source) == (("Feedback and Progress Monitoring",), "site")


@pytest.mark.parametrize("wrapper", [
    "<main>{}</main>",
    "<article>{}</article>",
    "<main><article>{}</article></main>",
    "<div id='content'><main class='site-main'>{}</main></div>",
])
def test_a_header_and_footer_inside_main_or_an_article_belong_to_the_post(wrapper):
    post = (
        "<header><p class='category'><a href='/c/research'>Research</a></p><h1>Does Feedback Help?</h1>"
        "<p class='excerpt'>A teaser that repeats what the summary says about feedback and deterioration.</p>"
        "<h4 class='author'>Dana Whitfield</h4><p>Posted <time datetime='2020-11-03T10:00'>3 November 2020</time></p></header>"
        f"<p>{CITE}</p><p>{SUMMARY}</p><h2>Practice Implications</h2><p>{IMPLICATIONS}</p>"
        "<footer><p>Tagged therapy, outcome monitoring and feedback systems in community clinics</p>"
        "<nav><a href='/prev'>An Older Post About Alliance</a></nav><aside><h3>Related</h3><p>Another Post</p></aside></footer>"
    )
    (found,) = read_page(_page(wrapper.format(post)), is_html=True).posts
    assert (found.title, found.issue_date, found.summary, found.implications) == ("Does Feedback Help?", "2020-11", SUMMARY, IMPLICATIONS)
    assert found.citation is not None


def test_the_date_in_an_articles_footer_dates_it():
    page = _page(
        f"<main><article><h1>Does Feedback Help?</h1><div class='entry-content'><p>{CITE}</p><p>{SUMMARY}</p>"
        f"<h3>Practice Implications</h3><p>{IMPLICATIONS}</p></div>"
        "<footer class='entry-footer'><span>Published <time datetime='2019-04-17T07:30:00'>April 17, 2019</time></span>"
        "<span>By Dana Whitfield</span></footer></article></main>"
    )
    (post,) = read_page(page, is_html=True).posts
    assert (post.issue_date, post.implications) == ("2019-04", IMPLICATIONS)


def test_the_sites_own_header_footer_and_sidebar_stay_chrome():
    # Outside <article> and <main>, a heading in the site's header and the sidebar's posts are never posts.
    page = _page(f"<div><h2>March 2019</h2><h3>Does Feedback Help?</h3><p>{CITE}</p><p>{SUMMARY}</p>"
                 f"<h4>Practice Implications</h4><p>{IMPLICATIONS}</p></div>")
    page = page.replace("<footer>", "<footer><h3>Is Empathy Still the Best Predictor?</h3><p>" + CITE + "</p>"
                        "<p>Practice Implications</p><p>Empathy text.</p>")
    assert [post.title for post in read_page(page, is_html=True).posts] == ["Does Feedback Help?"]


# --------------------------------------------------------------------------------------------------
# No run-on text as a title; a signature glued to the next paragraph

ARCHIVE_MONTH = (
    "<html><body><table><tr><td>"
    "<p align='center'><font size='5'><b>PPRNet Blog: November 2012</b></font></p>"
    "<p><font face='Arial' size='2'>{glued}</font></p>"
    "<p><a name='alliance'></a><font size='3'><b>Does the Alliance Predict Outcome in Group Therapy?</b></font></p>"
    f"<p><font size='2'>{CITE}</font></p><p><font size='2'>{SUMMARY}</font></p>"
    f"<p><font size='2'><u>Practice Implications</u></font></p><p><font size='2'>{IMPLICATIONS}</font></p>"
    "</td></tr></table></body></html>"
)
GLUED = ("At the PPRNet conference in November 2012, several clinicians asked how a research network decides which "
         "questions to study. This blog is one answer. Each month it will summarize research our members asked for.")


@pytest.mark.parametrize("signature", ["Giorgio A. Tasca", "Giorgio A. Tasca, Ph.D.", "Dr. Giorgio Tasca"])
def test_a_signature_glued_to_the_next_paragraph_is_no_title(signature):
    page = read_page(ARCHIVE_MONTH.format(glued=signature + GLUED), is_html=True)
    assert [post.title for post in page.posts] == ["Does the Alliance Predict Outcome in Group Therapy?"]
    assert page.posts[0].issue_date == "2012-11"
    assert page.counts["signatures glued to the next paragraph split off"] == 1
    assert not any("Tasca" in post.summary + post.implications for post in page.posts)


def test_a_run_of_sentences_after_a_month_heading_is_no_title():
    text = f"November 2012\n{GLUED}\n{SUMMARY} More text follows here about the study.\nPractice Implications\n{IMPLICATIONS}\n"
    with pytest.raises(ExtractionError):
        read_page(text, is_html=False)
    # A title with a short second sentence is still a title.
    text = "November 2012\nDoes Feedback Help? It Depends.\n" + text.split("\n", 2)[2]
    assert [post.title for post in read_page(text, is_html=False).posts] == ["Does Feedback Help? It Depends."]


# --------------------------------------------------------------------------------------------------
# A post with a title, a date and a body is kept without a citation

def test_a_dated_post_without_citation_or_implications_is_kept_and_an_undated_one_is_reported(tmp_path):
    essay = ("<p>Most of the research summarized on psychotherapy blogs comes from randomized trials, and trials "
             "tell us what can work under the best conditions.</p><p>Studies from ordinary services tell us what does.</p>")
    dated = tmp_path / "dated.html"
    dated.write_text(_page(f"<article><h1>Why Practice-Based Studies Matter</h1><p><time datetime='2019-09-02'>"
                           f"Sep 2, 2019</time></p>{essay}</article>"), encoding="utf-8")
    undated = tmp_path / "undated.html"
    undated.write_text(_page(f"<article><h1>About This Blog</h1>{essay}</article>"), encoding="utf-8")
    extraction = extract_paths([tmp_path])
    (post,) = extraction.posts
    assert (post.title, post.issue_date, post.citation, post.implications) == ("Why Practice-Based Studies Matter", "2019-09", None, "")
    assert post.summary.startswith("Most of the research")
    assert [problem.path for problem in extraction.problems] == [str(undated)]
    assert "neither a citation nor 'Practice Implications'" in extraction.problems[0].reason
    lines = extraction.report().splitlines()
    kept = lines.index("  kept without citation or practice implications: 1")
    assert lines[kept + 1] == f"    {dated}: 'Why Practice-Based Studies Matter'"


def test_a_listing_of_teasers_is_not_a_page_of_posts():
    teasers = "".join(
        f"<article><h2><a href='/2021/0{n}/post'>{title}</a></h2><p><time datetime='2021-0{n}-02'>date</time></p>"
        "<p>Most of the research summarized on psychotherapy blogs comes from randomized trials, and trials tell "
        "us what can work under the best [&hellip;]</p><p><a href='/more'>Continue reading</a></p></article>"
        for n, title in enumerate(["Why Practice-Based Studies Matter", "What Clients Remember"], 1)
    )
    with pytest.raises(ExtractionError):
        read_page(_page(teasers), is_html=True, url="https://practicegap.example.org/2021/")


def test_a_title_with_a_line_or_two_is_not_a_post():
    page = _page("<article><h1>Subscribe to Our Newsletter</h1><p><time datetime='2019-09-02'>Sep 2, 2019</time></p>"
                 "<p>Get each summary by e-mail.</p></article>")
    with pytest.raises(ExtractionError):
        read_page(page, is_html=True)


# A dated title over lines that are no sentence (a site's own sections, each a label): 21 words, no body.
SECTION_LABELS = ["Members of the Practice Research Network", "Upcoming Workshops and Conference Events",
                  "Annual Reports and Newsletters", "Training Opportunities for Clinicians in Ottawa"]


@pytest.mark.parametrize("markup", ["<ul><li>{}</li></ul>", "<p>{}</p>", "<h3>{}</h3>", "{}<br>"])
def test_lines_without_a_sentence_are_no_body_for_a_post_without_citation(markup):
    def page(lines):
        return _page("<article><h1>Network Resources</h1><p><time datetime='2019-09-02'>Sep 2, 2019</time></p>"
                     + "".join(markup.format(line) for line in lines) + "</article>")

    with pytest.raises(ExtractionError, match="no post"):
        read_page(page(SECTION_LABELS), is_html=True)
    # The same words as sentences are its body.
    (post,) = read_page(page([f"{line} are listed below." for line in SECTION_LABELS]), is_html=True).posts
    assert (post.title, post.issue_date, post.citation) == ("Network Resources", "2019-09", None)


# --------------------------------------------------------------------------------------------------
# rel="tag" topics per post on pages of several posts

def _tagged_post(title: str, tags: list[str], month: str = "Tuesday, March 24, 2015") -> str:
    links = ", ".join(f"<a href='/search/label/{tag}' rel='tag'>{tag}</a>" for tag in tags)
    return (f"<div class='date-outer'><h2 class='date-header'><span>{month}</span></h2><div class='post hentry'>"
            f"<h3 class='post-title'>{title}</h3><div class='post-body'>{CITE}<br /><br />{SUMMARY}<br /><br />"
            f"<b>Implications for Practice</b><br />{IMPLICATIONS}</div>"
            f"<div class='post-footer'><span class='post-labels'>Labels: {links}</span></div></div></div>")


def test_rel_tag_topics_apply_to_their_own_post_on_a_page_of_several_posts():
    page = ("<html><body><div class='blog-posts'>"
            + _tagged_post("Does Feedback Help?", ["Feedback and Progress Monitoring", "homework"])
            + _tagged_post("Should Therapists Talk About Themselves?", ["Self-Reflection and Awareness"])
            + _tagged_post("Does Empathy Predict Outcome?", [])
            + "</div><div class='sidebar'><a href='/search/label/Training' rel='tag'>Training</a></div></body></html>")
    page_result = read_page(page, is_html=True)
    assert [(post.title, post.topics_source) for post in page_result.posts] == [
        ("Does Feedback Help?", "site"), ("Should Therapists Talk About Themselves?", "site"),
        ("Does Empathy Predict Outcome?", "inferred")]
    assert page_result.posts[0].topics == ("Feedback and Progress Monitoring",)
    assert page_result.posts[1].topics == ("Self-Reflection and Awareness",)
    assert "Training" not in page_result.posts[2].topics
    assert page_result.counts["posts with topics from the page's rel=tag links"] == 2


def test_rel_tag_topics_of_each_article():
    page = _page("".join(
        f"<article><h2>{title}</h2><p><time datetime='2021-0{n}-05'>date</time></p><p>{CITE}</p><p>{SUMMARY}</p>"
        f"<h3>Practice Implications</h3><p>{IMPLICATIONS}</p><footer><a rel='tag' href='/t'>{tag}</a></footer></article>"
        for n, (title, tag) in enumerate([("Does Feedback Help?", "Empathy"), ("Does Training Help?", "Training")], 1)
    ))
    assert [post.topics for post in read_page(page, is_html=True).posts] == [("Empathy",), ("Training",)]


# --------------------------------------------------------------------------------------------------
# Reader comments without a "Comments" line; a series introduction; wrapper ids

@pytest.mark.parametrize("comment", [
    "Thank you for this summary. I have started asking clients how each session went for them. – Marie, Gatineau",
    "Very helpful for our training clinic. — R. Singh",
    "I shared this with our team. Posted by Lena, August 14, 2015",
    "Sam K. says: we tried this in our clinic and it worked well for us.",
    "Great post, I will try this with my clients next week. June 4, 2021 at 10:00 am",
])
def test_a_reader_comment_without_a_comments_line_is_not_appended_to_the_implications(comment):
    text = (f"March 2015\nDoes Feedback Help?\n{CITE.replace('&amp;', '&')}\n{SUMMARY}\nPractice Implications\n"
            f"{IMPLICATIONS}\n{comment}\n")
    page = read_page(text, is_html=False)
    (post,) = page.posts
    assert post.implications == IMPLICATIONS
    assert page.counts["signed lines after the implications (reader comments, sign-offs) set aside"] == 1
    assert any(comment.split()[0] in line for line in page.unplaced)


def test_the_first_implications_paragraph_is_kept_even_when_it_is_signed():
    signed = "Therapists can ask about alerts openly. – G. T."
    text = f"March 2015\nDoes Feedback Help?\n{SUMMARY}\nPractice Implications\n{signed}\n"
    assert read_page(text, is_html=False).posts[0].implications == signed


@pytest.mark.parametrize("introduction", [
    "This is the second of three posts on treating depression in primary care settings.",
    "This post is part 2 of a series on feedback in routine care.",
    "This month’s blog continues our series on the therapeutic alliance.",
])
def test_a_series_introduction_is_not_a_title_citation_or_summary(introduction):
    for order in ([introduction, CITE], [CITE, introduction]):
        text = "\n".join(["March 2015", "Does Feedback Help?", *order, SUMMARY, "Practice Implications", IMPLICATIONS])
        page = read_page(text.replace("&amp;", "&"), is_html=False)
        (post,) = page.posts
        assert (post.title, post.summary, post.implications) == ("Does Feedback Help?", SUMMARY, IMPLICATIONS)
        assert post.citation is not None
        assert page.counts["series introductions set aside"] == 1


@pytest.mark.parametrize("opening", [
    "The last in a series of randomized trials found that clients improved when feedback was used.",
    "This study is the second in a series of trials on exposure, and its sample was the largest.",
    "In a series of studies, Lindqvist and colleagues followed clients through routine care.",
])
def test_a_summary_that_mentions_a_series_of_studies_keeps_its_first_paragraph(opening):
    text = "\n".join(["March 2015", "Does Feedback Help?", CITE.replace("&amp;", "&"), opening, SUMMARY,
                     "Practice Implications", IMPLICATIONS])
    (post,) = read_page(text, is_html=False).posts
    assert post.summary == f"{opening}\n\n{SUMMARY}"


def _archive(posts: str, wrapper: str) -> str:
    return f"<html><body><h1>PPRNet Blog: June 2013</h1>{wrapper.format(posts)}</body></html>"


def _archive_post(title: str, anchor: str = "") -> str:
    return (f"{anchor}<p><b>{title}</b></p><p>{CITE}</p><p>{SUMMARY}</p><p><u>Practice Implications</u></p>"
            f"<p>{IMPLICATIONS}</p>")


ARCHIVE_URL = "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_june2013.html"


def test_an_anchor_is_never_taken_from_a_wrapper_around_several_posts():
    posts = _archive_post("Does Feedback Help?") + _archive_post("Does Training Help?", "<a name='training'></a>")
    page = read_page(_archive(posts, "<table><tr><td id='main-column'>{}</td></tr></table>"), is_html=True, url=ARCHIVE_URL)
    assert [post.url for post in page.posts] == [ARCHIVE_URL + "#does-feedback-help", ARCHIVE_URL + "#training"]
    assert page.counts["anchors refused because their element wraps other posts"] == 1


def test_an_anchor_of_the_posts_own_wrapper_or_title_is_kept():
    posts = ("<div class='post' id='post-12'>" + _archive_post("Does Feedback Help?") + "</div>"
             + _archive_post("Does Training Help?").replace("<p><b>Does", "<p id='training'><b>Does"))
    page = read_page(_archive(posts, "<div>{}</div>"), is_html=True, url=ARCHIVE_URL)
    assert [post.url for post in page.posts] == [ARCHIVE_URL + "#post-12", ARCHIVE_URL + "#training"]
    assert page.counts["anchors refused because their element wraps other posts"] == 0
