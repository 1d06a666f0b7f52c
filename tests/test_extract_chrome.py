"""No page made only of site chrome yields a post, whatever the order and the markup, and chrome around
a post leaves it whole (property tests), also when the chrome sits in an article's own header and
footer, which the HTML standard makes the post's furniture rather than the site's, and when the blog's
labels are scattered through a post kept without a citation.

The chrome is the real blog's: site headings, the listing introduction and "This month..." teaser,
both filter lists, month headings, archive month links, the old archive's introduction and
signature, navigation and footer lines, reader comments and e-mail lines.
"""
from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.errors import ExtractionError
from indexer.extract import extract_page, post_ids
from search.taxonomy import DEFAULT_TOPICS

INTRO = (
    "The Psychotherapy Practice Research Network (PPRNet) blog began in 2013 in response to psychotherapy "
    "clinicians, researchers, and educators who expressed interest in receiving regular information about current "
    "practice-oriented psychotherapy research. It offers a monthly summary of two or three published psychotherapy "
    "research articles. Each summary is authored by Dr. Tasca and highlights practice implications of selected "
    "articles. Past blogs are available in the archives. This content is only available in English."
)
ARCHIVE_INTRO = (
    "Welcome to the PPRNet Blog. Each month I will summarize two or three recent research articles that have "
    "direct implications for psychotherapy practice. The first blog appeared in March 2013, and by January 2014 "
    "we will have an archive of past summaries."
)
# (text, how it may be rendered: "line" any way, "item" as a list entry, "link" as a filter or archive link)
CHROME = [
    ("Blog", "line"), ("PPRNet Blog", "line"), ("Psychotherapy Practice Research Network", "line"),
    (INTRO, "line"), ("This month...", "line"),
    ("…I blog about who is most responsible for the effects of the alliance, quality of life outcomes, and CBT "
     "for depression", "line"),
    ("This month… I blog about the alliance in couple therapy and feedback", "line"),
    ("The PPRNet blog began in 2013 as a way to share practice-oriented research with clinicians.", "line"),
    ("Type of Research", "line"), ("ALL Types (clear)", "item"), ("Single Study", "item"), ("Meta-Analysis", "item"),
    ("Review", "item"),
    ("Topics", "line"), ("ALL Topics (clear)", "item"),
    *[(label, "item") for label in DEFAULT_TOPICS],
    ("January 2021", "line"), ("PPRNet Blog: June 2013", "line"), ("September 2014", "line"),
    ("June 2014", "link"), ("August 2014", "link"),
    (ARCHIVE_INTRO, "line"), ("Giorgio A. Tasca, Ph.D.", "line"), ("Dr. Giorgio Tasca", "line"),
    ("Home | About PPRNet | Blog | Members | Contact", "line"), ("Back to top", "line"),
    ("© 2021 University of Ottawa", "line"), ("Last updated: June 28, 2013", "line"), ("Contact us", "line"),
    ("Comments", "line"), ("Leave a Reply", "line"), ("Email the author: gtasca@uottawa.ca", "line"),
    ("Corresponding author: c.eubanks@example-university.edu", "line"),
    ("Posted on June 3, 2021 by Dana Whitfield", "line"), ("Next page ›", "line"), ("Subscribe", "line"),
]
HTML_LINE = [
    "<p>{}</p>", "<h1>{}</h1>", "<h2>{}</h2>", "<h3>{}</h3>", "<div>{}</div>", "<p><strong>{}</strong></p>",
    "<font size='+1'><b>{}</b></font><br>", "{}<br><br>", "<td>{}</td>",
]
HTML_ITEM = ["<ul><li>{}</li></ul>", "<li><a href='/pprnet/blog?cat_2=17'>{}</a></li>", "<option value='25'>{}</option>"]
HTML_LINK = ["<a href='pprnet_blog_june2014.html'>{}</a><br>", "<li><a href='/archives/2014-06'>{}</a></li>"]
WRAPPERS = [
    "<html><body>{}</body></html>",
    "<html><body><main><article><header>{}</header></article></main></body></html>",
    "<html><body><article>{}</article></body></html>",
    "<html><body><table><tr>{}</tr></table></body></html>",
    "<html><body><div class='content'>{}</div><footer>© University of Ottawa</footer></body></html>",
    # an article's or main's own header and footer: the post's furniture
    "<html><body><article><header><h1>About This Blog</h1>{}</header><footer>{}</footer></article></body></html>",
    "<html><body><main><header>{}</header><footer><p>Posted in Research</p>{}</footer></main></body></html>",
    "<html><body><main><article><footer>{}</footer></article><aside>{}</aside></main></body></html>",
]


@st.composite
def chrome_pages(draw):
    pieces = draw(st.lists(st.sampled_from(CHROME), min_size=1, max_size=25))
    if draw(st.booleans()):
        lines = []
        for text, role in pieces:
            prefix = draw(st.sampled_from(["- ", "• ", ""])) if role == "item" else ""
            lines.append(prefix + text)
        separator = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
        return separator.join(lines), False
    parts = [_render(draw, text, role) for text, role in pieces]
    wrapper = draw(st.sampled_from(WRAPPERS))
    split = draw(st.integers(0, len(parts)))
    return wrapper.format("\n".join(parts[:split]), "\n".join(parts[split:])), True


def _render(draw, text: str, role: str) -> str:
    templates = {"line": HTML_LINE, "item": HTML_ITEM + HTML_LINE, "link": HTML_LINK}[role]
    return draw(st.sampled_from(templates)).format(html.escape(text))


# Found by Hypothesis: filter labels outside a list (a topic after a month heading, a topic and the
# types' "clear" option under it) were read as a post kept without citation for its 12 words.
SCATTERED_LABELS = (
    "<html><body>" + "<p>Blog</p>\n" * 8 + "<p>January 2021</p>\n<p>Adherance</p>\n" + "<p>Blog</p>\n" * 4
    + "<p>Neuroscience and Brain</p>\n<ul><li>ALL Types (clear)</li></ul>\n<p>Blog</p>\n"
    "<p>Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)</p></body></html>"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chrome_pages())
@example((SCATTERED_LABELS, True))
def test_a_page_made_only_of_site_chrome_yields_no_post(page):
    text, is_html = page
    with pytest.raises(ExtractionError, match="no post"):
        extract_page(text, is_html=is_html, url="https://socialsciences.uottawa.ca/pprnet/blog")
    assert post_ids(text, is_html=is_html) == []


POST = [
    ("Does Routine Outcome Monitoring Help Every Client? It Depends.", "title"),
    ("Lindqvist, K. M., Okafor, C. A., & Brennan, S. (2019). Routine outcome monitoring and feedback for clients at "
     "risk of deterioration. Journal of Consulting and Clinical Psychology, 87(11), 962–974.", "line"),
    ("Routine outcome monitoring asks clients to complete a brief symptom measure before each session, and "
     "feedback alerts the therapist when a client is not on track.", "line"),
    ("Practice Implications", "line"),
    ("Monitoring outcomes session by session is most useful for the clients who are not improving.", "line"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chrome_pages(), st.sampled_from(["<h3>{}</h3>", "<p><b>{}</b></p>", "<p>{}</p>"]), st.sampled_from(["<p>{}</p>", "{}<br><br>"]))
def test_chrome_before_a_post_leaves_the_post_whole(page, title_markup, line_markup):
    text, is_html = page
    if is_html:
        post = "".join((title_markup if role == "title" else line_markup).format(html.escape(line)) for line, role in POST)
        text = text.replace("</body>", f"<h2>March 2019</h2>{post}</body>")
    else:
        text += "\nMarch 2019\n" + "\n".join(line for line, _ in POST)
    posts, _ = extract_page(text, is_html=is_html)
    assert [(p.title, p.issue_date) for p in posts] == [(POST[0][0], "2019-03")]
    assert posts[0].summary == POST[2][0]
    assert posts[0].implications == POST[4][0]


@st.composite
def article_posts(draw):
    """A post in an <article> as blog engines write it: the title in the article's <header> with chrome
    lines after it, chrome in the article's <footer>, the site's chrome around it."""
    def chrome_lines(max_size):
        return "".join(_render(draw, text, role) for text, role in draw(st.lists(st.sampled_from(CHROME), max_size=max_size)))
    title = html.escape(POST[0][0])
    body = "".join(f"<p>{html.escape(line)}</p>" for line, _ in POST[1:3])
    article = (
        f"<article><header><h1>{title}</h1>{chrome_lines(6)}<p><time datetime='2019-03-05'>March 5, 2019</time></p>"
        f"{chrome_lines(4)}</header>{body}<h2>{POST[3][0]}</h2><p>{html.escape(POST[4][0])}</p>"
        f"<footer>{chrome_lines(8)}</footer></article>"
    )
    if draw(st.booleans()):
        article = f"<main>{article}</main>"
    return f"<html><body><header>{chrome_lines(6)}</header><h2>March 2019</h2>{article}<footer>{chrome_lines(6)}</footer></body></html>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_posts())
def test_chrome_in_an_articles_header_and_footer_leaves_the_post_whole(page):
    posts, _ = extract_page(page, is_html=True)
    assert [(p.title, p.issue_date, p.citation) for p in posts] == [(POST[0][0], "2019-03", POST[1][0])]
    assert posts[0].summary == POST[2][0]
    assert posts[0].implications == POST[4][0]


# The blog's headings, filter labels and navigation lines, which a copy of the page may print anywhere.
LABELS = [(text, role) for text, role in CHROME if role == "item"] + [
    ("Blog", "line"), ("PPRNet Blog", "line"), ("Type of Research", "line"), ("Topics", "line"),
    ("Home | About PPRNet | Blog | Members | Contact", "line"), ("Back to top", "line"),
]
ESSAY = [
    "Why This Blog Summarizes Practice-Based Studies",
    "Most of the research summarized on psychotherapy blogs comes from randomized trials, and trials tell us what "
    "can work under the best conditions.",
    "Studies from ordinary services tell us what does, with the clients and the therapists we actually see.",
]


@st.composite
def labelled_essays(draw):
    """A post without citation or implications under its month heading, labels before the heading, between
    its title and its text, between its paragraphs and after it; as HTML or as a text copy."""
    gaps = [draw(st.lists(st.sampled_from(LABELS), max_size=3)) for _ in range(4)]
    if draw(st.booleans()):
        def lines(gap):
            return [(draw(st.sampled_from(["- ", "• ", ""])) if role == "item" else "") + text for text, role in gap]
        text = "\n".join([*lines(gaps[0]), "September 2019", ESSAY[0], *lines(gaps[1]), ESSAY[1], *lines(gaps[2]),
                          ESSAY[2], *lines(gaps[3])])
        return text, False
    def html_lines(gap):
        return "".join(_render(draw, text, role) for text, role in gap)
    title = draw(st.sampled_from(["<h3>{}</h3>", "<p><b>{}</b></p>", "<p>{}</p>"])).format(ESSAY[0])
    body = (f"{html_lines(gaps[0])}<h2>September 2019</h2>{title}{html_lines(gaps[1])}<p>{ESSAY[1]}</p>"
            f"{html_lines(gaps[2])}<p>{ESSAY[2]}</p>{html_lines(gaps[3])}")
    return f"<html><body>{body}</body></html>", True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labelled_essays())
def test_labels_scattered_through_a_post_without_citation_are_neither_its_title_nor_its_body(page):
    text, is_html = page
    posts, _ = extract_page(text, is_html=is_html)
    assert [(p.title, p.issue_date, p.citation, p.implications) for p in posts] == [(ESSAY[0], "2019-09", None, "")]
    assert posts[0].summary == f"{ESSAY[1]}\n\n{ESSAY[2]}"
