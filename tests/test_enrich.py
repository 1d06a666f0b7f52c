"""Table-driven tests of the facts read from a post's words: sample size, research types and inferred topics."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.enrich import BOOK_CHAPTER, research_types, sample_size
from indexer.taxonomy import DEFAULT_TOPICS
from indexer.topics import infer_topics

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_POSTS: list[dict] = json.loads((ROOT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))

# --------------------------------------------------------------------------------------------------
# sample_size

SAMPLE_SIZES = [
    ("In this large study of over 26,000 patients receiving psychological therapy in the UK.", 26000),
    ("In this survey of 416 psychotherapists in Italy, Brugnera and colleagues asked therapists.", 416),
    ("In this large survey of over 2100 American psychologists, Pierce and colleagues documented use.", 2100),
    ("Participants (N = 120) were assigned to two conditions.", 120),
    ("The final sample (N=1,250) completed all measures.", 1250),
    ("Of these, n = 57 adolescents completed treatment.", 57),
    ("Over 1,600 practitioners responded to questionnaires about well-being.", 1600),
    ("The sample included 346 supervisees with a wide range of experience (0 to 50 years).", 346),
    ("The study followed 85 couples over two years.", 85),
    ("In 2019, 300 clients were surveyed about their preferences.", 300),
    ("There were 462 therapists in the study treating over 26,000 patients.", 462),  # the first count given
    ("Prior to the pandemic only about 21% of psychologists ever used telepsychology.", None),
    ("Mentalizing training involved 30 hours of workshops.", None),
    ("Things changed in 2020 patients and therapists moved online.", None),
    ("Since 2019 clients have been offered video sessions.", None),
    ("Patients attended 12 sessions on average.", None),
    ("Average age of patients was 38.4 years (SD = 12.94) and 69.3% were women.", None),
    ("In surveys among UK practitioners, 48% felt depressed.", None),
    ("There were 3.5 patients per therapist.", None),
    ("After 8 weeks patients reported fewer symptoms.", None),
    ("Drop-out rates from therapy was 33%.", None),
    ("The therapists were interviewed about their work with clients.", None),
    ("", None),
]


@pytest.mark.parametrize("sentence, expected", SAMPLE_SIZES, ids=[s[:40] or "empty" for s, _ in SAMPLE_SIZES])
def test_sample_size(sentence, expected):
    assert sample_size(sentence) == expected


@pytest.mark.parametrize("post", GOLDEN_POSTS, ids=[post["id"] for post in GOLDEN_POSTS])
def test_sample_size_of_the_seed_summaries(post):
    assert sample_size(post["summary"]) == post["sample_size"]


def test_sample_size_seed_values_as_a_reader_sees_them():
    by_title = {post["title"]: post for post in GOLDEN_POSTS}
    assert sample_size(by_title["The COVID-19 Telepsychology Revolution"]["summary"]) == 2100  # not 21 (a %)
    assert sample_size(by_title["Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?"]["summary"]) == 26000
    assert sample_size(by_title["Can Therapists Train to Improve their Capacity to Mentalize?"]["summary"]) is None


# --------------------------------------------------------------------------------------------------
# research_types

MA, SR, RCT, SURVEY, QUAL, NAT, REVIEW = (
    "meta-analysis", "systematic review", "randomized controlled trial", "survey", "qualitative", "naturalistic",
    "review",
)

RESEARCH_TYPES = [
    ("A meta-analysis of 50 studies of the alliance.", (MA,)),
    ("Two meta-analyses found the same effect.", ()),  # other work, not this study
    ("This meta analysis pooled 20 trials.", (MA,)),
    ("In this meta-analytic review of 40 trials, the authors pooled effects.", (MA,)),
    ("In this randomized controlled trial, clients received CBT.", (RCT,)),
    ("In this randomised controlled trial, clients received CBT.", (RCT,)),
    ("A randomized clinical trial compared two treatments.", (RCT,)),
    ("A randomised trial compared two treatments.", (RCT,)),
    ("A randomised, controlled trial compared two treatments.", (RCT,)),
    ("In this RCT, therapists were trained.", (RCT,)),
    ("Several RCTs showed benefits.", ()),  # other work, not this study
    ("Patients were randomly assigned to CBT or a waitlist.", (RCT,)),
    ("Patients were randomized to CBT or a waitlist.", (RCT,)),
    ("Patients were randomly allocated to CBT or to treatment as usual.", (RCT,)),
    ("In this non-randomized trial, clinics chose their own treatment.", ()),
    ("A non-randomised controlled trial compared two clinics.", ()),
    ("The authors used a random effects model.", ()),
    ("In this survey of 416 psychotherapists in Italy.", (SURVEY,)),
    ("Psychologists were surveyed about telepsychology.", (SURVEY,)),
    ("In this qualitative study of eight clients.", (QUAL,)),
    ("A thematic analysis of semi-structured interviews with therapists.", (QUAL,)),
    ("The authors used grounded theory.", (QUAL,)),
    ("An interpretative phenomenological analysis of client accounts.", (QUAL,)),
    ("The quality of the alliance predicted outcome.", ()),
    ("In this naturalistic study of a university clinic.", (NAT,)),
    ("Data came from patients treated in routine care.", (NAT,)),
    ("A practice-based study in community clinics.", (NAT,)),
    ("Results from real-world settings.", (NAT,)),
    ("Routine outcome monitoring was used in the trial.", ()),
    ("A systematic review of 30 studies.", (SR,)),
    ("A scoping review of the literature.", (REVIEW,)),
    ("A narrative review of the field.", (REVIEW,)),
    ("A cohort study of veterans.", (NAT,)),  # an observational cohort
    ("A meta-analysis of randomized controlled trials.", (MA,)),  # a synthesis, not the trials it pools
    ("", ()),
]


@pytest.mark.parametrize("summary, expected", RESEARCH_TYPES, ids=[s[:45] or "empty" for s, _ in RESEARCH_TYPES])
def test_research_types_from_summary_wording(summary, expected):
    assert research_types("A Title", None, summary, is_chapter=False) == expected


def test_research_types_read_title_and_citation_too():
    citation = (
        "Ensink, K., Maheux, J., Normandin, L., Sabourin, S., … & Parent, K. (2013). The impact of "
        "mentalization training on the reflective function of novice therapists: A randomized controlled "
        "trial, Psychotherapy Research, 23, 526-538, DOI: 10.1080/10503307.2013.800950"
    )
    assert research_types("Can Therapists Train?", citation, "Students were trained.", is_chapter=False) == (RCT,)
    assert research_types("A Meta-Analysis of Dropout", None, "No wording here.", is_chapter=False) == (MA,)


def test_book_chapter_flag_is_added_last():
    assert research_types("Efficacy", None, "A narrative overview.", is_chapter=True) == (BOOK_CHAPTER,)
    assert BOOK_CHAPTER == "book chapter"
    # A chapter is a chapter whatever its summary mentions; its own title can add a design.
    assert research_types("Efficacy", None, "A systematic review of trials.", is_chapter=True) == (BOOK_CHAPTER,)
    assert research_types("Alliance: A meta-analysis", None, "Text.", is_chapter=True) == (MA, BOOK_CHAPTER)
    assert research_types("Efficacy", None, "A systematic review of trials.", is_chapter=False) == (SR,)


@pytest.mark.parametrize("post", GOLDEN_POSTS, ids=[post["id"] for post in GOLDEN_POSTS])
def test_research_types_of_the_seed_posts(post):
    assert list(research_types(post["title"], post["citation"], post["summary"], is_chapter=False)) == post["research_types"]


# --------------------------------------------------------------------------------------------------
# infer_topics

DEPRESSION = "Depression and Depressive Symptoms"
ANXIETY = "Anxiety Disorders"


def _seed_text(post: dict) -> str:
    # The text the record builder gives the topic inference: article title, summary, implications.
    return " ".join(filter(None, (post["article_title"], post["summary"], post["implications"])))


@pytest.mark.parametrize("post", GOLDEN_POSTS, ids=[post["id"] for post in GOLDEN_POSTS])
def test_infer_topics_of_the_seed_posts(post):
    assert list(infer_topics(post["title"], _seed_text(post), DEFAULT_TOPICS)) == post["topics"]


def test_seed_topics_as_a_reader_would_assign_them():
    by_title = {post["title"]: post for post in GOLDEN_POSTS}
    mentalizing = by_title["Mentalizing May be a Protective Factor for Therapist’s Well-Being"]
    topics = infer_topics(mentalizing["title"], _seed_text(mentalizing), DEFAULT_TOPICS)
    assert "Self-Reflection and Awareness" in topics and "Attachment" in topics
    assert ANXIETY not in topics  # "attachment anxiety" six times
    well_being = by_title["Psychological Practitioner Workplace Well-Being"]
    assert DEPRESSION not in infer_topics(well_being["title"], _seed_text(well_being), DEFAULT_TOPICS)  # "depressed" x3
    telepsychology = by_title["The COVID-19 Telepsychology Revolution"]
    assert infer_topics(telepsychology["title"], _seed_text(telepsychology), DEFAULT_TOPICS) == ()


TOPIC_CASES = [
    (
        "depressed three times in passing",
        "Burnout Among Clinicians",
        "Many clinicians felt depressed at work. Some were depressed at home. Others were depressed by the news.",
        {"includes": {"Therapist Factors"}, "excludes": {DEPRESSION}},
    ),
    (
        "attachment anxiety is not an anxiety disorder",
        "Attachment Anxiety and Burnout",
        "Attachment anxiety was common. Attachment anxiety predicted stress. High attachment anxiety, "
        "attachment anxiety and attachment avoidance were measured, and attachment anxiety mattered most.",
        {"includes": {"Attachment"}, "excludes": {ANXIETY}},
    ),
    (
        "severe anxiety in passing",
        "Telehealth Access",
        "Telehealth helps those with severe anxiety, and anxiety about travel, and anxiety about cost.",
        {"includes": set(), "excludes": {ANXIETY}},
    ),
    (
        "miscellaneous in the title is never inferred",
        "Miscellaneous Notes From the Editor",
        "Miscellaneous items of miscellaneous news, miscellaneous again.",
        {"equals": ()},
    ),
    (
        "a title that names a topic gets it",
        "Empathy Predicts Outcome",
        "A short summary with no topic words.",
        {"equals": ("Empathy",)},
    ),
    (
        "title naming two topics",
        "Group Therapy for Social Anxiety",
        "A short summary.",
        {"equals": (ANXIETY, "Group Psychotherapy")},  # taxonomy order
    ),
    (
        "abbreviations in the title",
        "CBT for PTSD",
        "A short summary.",
        {"equals": ("Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Trauma and/or PTSD")},
    ),
    (
        "a body topic needs several forms or many hits",
        "A Note on Practice",
        "The therapeutic alliance matters. The alliance predicts outcome. Alliance ruptures happen.",
        {"equals": ("Alliance and Therapeutic Relationship",)},
    ),
    (
        "one form twice in the body is not enough",
        "A Note on Practice",
        "The alliance matters and the alliance predicts outcome.",
        {"equals": ()},
    ),
    (
        "depression five times is a topic",
        "A Note on Practice",
        "Depression is common. Depression recurs. Depression is costly. Depressed clients and depressive symptoms.",
        {"equals": (DEPRESSION,)},
    ),
]


@pytest.mark.parametrize("name, title, body, expect", TOPIC_CASES, ids=[case[0] for case in TOPIC_CASES])
def test_infer_topics_precision(name, title, body, expect):
    topics = infer_topics(title, body, DEFAULT_TOPICS)
    if "equals" in expect:
        assert topics == expect["equals"]
    else:
        assert expect["includes"] <= set(topics), topics
        assert not (expect["excludes"] & set(topics)), topics
    assert "Miscellaneous" not in topics


def test_infer_topics_only_returns_labels_of_the_given_taxonomy_in_its_order():
    assert infer_topics("Empathy and Training", "", ("Training", "Empathy")) == ("Training", "Empathy")
    assert infer_topics("Empathy and Training", "", ("Empathy",)) == ("Empathy",)
    assert infer_topics("Empathy and Training", "", ("Miscellaneous", "Unknown Label")) == ()
