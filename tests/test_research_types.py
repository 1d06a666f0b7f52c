"""Research types table: what the summarised study IS, read from titles and summaries as a reader would.

Each case is a post as the blog writes one (a title, the citation when the study's own title tells,
two or three summary sentences with the usual mentions of other work) and the types a reader gives
it. Also: sample sizes of syntheses, the site's "Type of Research" labels and how they win.
"""
from __future__ import annotations

import pytest

from indexer.enrich import research_types, sample_size, site_research_types, with_site_types
from search.evidence import (
    BOOK_CHAPTER,
    COMMENTARY,
    META_ANALYSIS as MA,
    NATURALISTIC as NAT,
    QUALITATIVE as QUAL,
    RCT,
    REVIEW,
    SURVEY,
    SYSTEMATIC_REVIEW as SR,
)

# (why, post title, citation or None, summary, is_chapter, expected types)
CASES = [
    # --- syntheses: a meta-analysis of trials is a meta-analysis
    ("meta-analysis of RCTs", "Does CBT Work for Insomnia?", None,
     "Insomnia is common. In this meta-analysis of 30 randomized controlled trials, Smith and colleagues pooled "
     "the effects of CBT for insomnia on sleep onset.", False, (MA,)),
    ("meta-analysis in the article title, RCTs in the summary", "The Alliance Matters",
     "Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance in adult psychotherapy: "
     "A meta-analytic synthesis. Psychotherapy, 55(4), 316–340.",
     "The alliance has been studied in many RCTs. Patients were randomly assigned in most of the included trials.",
     False, (MA,)),
    ("systematic review with meta-analysis is both", "Internet Therapy for Depression",
     "Karyotaki, E., … Cuijpers, P. (2021). Internet-based cognitive behavioral therapy for depression: "
     "A systematic review and individual patient data network meta-analysis. JAMA Psychiatry, 78(4), 361-371.",
     "Internet therapy is growing. The authors pooled data from 39 trials.", False, (MA, SR)),
    ("systematic review without pooling", "What Do We Know About Supervision?", None,
     "Supervision is part of training. In this systematic review of 32 studies, Watkins and colleagues "
     "summarised what is known about supervision outcomes.", False, (SR,)),
    ("network meta-analysis", "Which Therapy for Depression?", None,
     "Cuijpers and colleagues conducted a network meta-analysis comparing seven psychotherapies across "
     "331 randomized trials.", False, (MA,)),
    ("qualitative meta-synthesis is a synthesis", "Clients' Views of Helpful Events", None,
     "In this meta-synthesis of 51 qualitative studies, Timulak and colleagues identified categories of "
     "helpful events.", False, (MA,)),
    # --- randomized trials
    ("RCT named in the article title", "Can Therapists Train to Mentalize?",
     "Ensink, K., Maheux, J., … & Parent, K. (2013). The impact of mentalization training on the reflective "
     "function of novice therapists: A randomized controlled trial, Psychotherapy Research, 23, 526-538.",
     "Students in both groups completed questionnaires about reflective functioning.", False, (RCT,)),
    ("randomly assigned by X and colleagues", "Feedback in Routine Care", None,
     "Previous meta-analyses showed that feedback helps. Delgadillo and colleagues randomly assigned 2,233 patients "
     "in routine care clinics to feedback or treatment as usual.", False, (RCT,)),
    ("cluster randomised trial", "Training Therapists in Schools", None,
     "In this cluster randomised trial, 40 schools were allocated to a training programme or to usual practice.",
     False, (RCT,)),
    ("RCT in this study, surveys mentioned elsewhere", "Video Therapy Works", None,
     "In surveys, therapists doubted video therapy. In this trial, 120 patients were randomized to video or "
     "in-person CBT.", False, (RCT,)),
    # --- naturalistic / practice-based
    ("routine care, no randomisation", "Why Does Where a Patient Lives Matter?", None,
     "Previous research shows therapist effects. In this large study of over 26,000 patients receiving "
     "psychological therapy in the UK health system, Firth and colleagues estimated clinic effects.",
     False, (NAT,)),
    ("practice research network", "Therapist Effects in Counselling Centres", None,
     "Data came from a practice research network of 45 university counseling centers. In this study, "
     "Kivlighan and colleagues examined outcomes of 10,000 clients.", False, (NAT,)),
    ("naturalistic cohort", "Does Early Change Predict Outcome?", None,
     "In this naturalistic cohort of 1,500 outpatients, Lutz and colleagues followed early change.",
     False, (NAT,)),
    ("routinely collected data", "Dropout in the NHS", None,
     "Dropout is costly. The authors analysed routinely collected data from 12 IAPT services.", False, (NAT,)),
    # --- surveys
    ("survey in the article title", "Psychological Practitioner Well-Being",
     "Summers, E.M., Morris, R.C., & Clarke, J.C. (2020). A survey of psychological practitioner workplace "
     "well-being. Clinical Psychology and Psychotherapy.",
     "Research has shown high burnout. Over 1,600 practitioners in the NHS responded.", False, (SURVEY,)),
    ("this survey, with a pre-pandemic survey mentioned", "The Telepsychology Revolution", None,
     "In one pre-pandemic survey, 75% of psychologists would not refer patients. In this large survey of over "
     "2100 American psychologists, Pierce and colleagues documented use of telepsychology.", False, (SURVEY,)),
    ("questionnaires in the sentence after this study", "Supervision and Burnout", None,
     "There is some research on supervision. In this study, Hiebler-Rager and colleagues assessed burnout. "
     "The sample included 346 supervisees who completed questionnaires about supervision.", False, (SURVEY,)),
    ("survey run in the NHS is a survey", "Burnout in the NHS", None,
     "Summers and colleagues conducted a large-scale survey of practitioners working in the UK's NHS.",
     False, (SURVEY,)),
    # --- qualitative
    ("interviews with thematic analysis", "How Clients Experience Endings", None,
     "In this study, Knox and colleagues interviewed 12 clients about termination and used thematic analysis "
     "of the transcripts.", False, (QUAL,)),
    ("grounded theory on non-improvement", "No Change?",
     "De Smet, M. M., Meganck, R., & Desmet, M. (2019). No change? A grounded theory analysis of depressed "
     "patients' perspectives on non-improvement in psychotherapy. Frontiers in Psychology, 10, 588.",
     "Most RCTs report average effects.", False, (QUAL,)),
    ("consensual qualitative research", "Therapists' Dreams About Clients", None,
     "Hill and colleagues used consensual qualitative research to analyse semi-structured interviews with "
     "13 therapists.", False, (QUAL,)),
    # --- chapters, reviews, commentaries
    ("book chapter by citation kind", "The Efficacy of Psychotherapy",
     "Lambert, M. J. (2013). The efficacy and effectiveness of psychotherapy. In M. J. Lambert (Ed.), Bergin and "
     "Garfield's handbook of psychotherapy and behavior change (6th ed., pp. 169-218). New York: Wiley.",
     "Lambert reviews hundreds of randomized trials and meta-analyses.", True, (BOOK_CHAPTER,)),
    ("7th edition chapter", "Therapist Effects and the Law of Variability",
     "Barkham, M., Lutz, W., Lambert, M. J., & Saxon, D. (2021). Therapist effects, effective therapists, and the "
     "law of variability. In M. Barkham, W. Lutz, & L. G. Castonguay (Eds.), Bergin and Garfield's handbook of "
     "psychotherapy and behavior change (7th ed.). Wiley. Chapter 9.",
     "In this chapter, the authors summarise naturalistic studies of therapist effects.", True, (BOOK_CHAPTER,)),
    ("narrative review", "Mentalizing in Psychotherapy", None,
     "In this narrative review, Luyten and colleagues describe the development of mentalizing.", False, (REVIEW,)),
    ("review of the research", "What Makes Group Therapy Work?", None,
     "Burlingame and colleagues provide an overview of the research on group cohesion.", False, (REVIEW,)),
    ("commentary", "Is CBT the Gold Standard?",
     "Leichsenring, F, & Steinert, C. (2017). Is cognitive behavioral therapy the gold standard for psychotherapy? "
     "The need for plurality in treatment and research. JAMA, 318(14), 1323-1324.",
     "In this commentary, Leichsenring and Steinert question whether RCTs of CBT justify calling it the gold "
     "standard.", False, (COMMENTARY,)),
    ("an article that argues", "Beyond Evidence-Based Treatments", None,
     "Meta-analyses have shown small differences between therapies. In this article, Wampold argues that common "
     "factors deserve more attention.", False, (COMMENTARY,)),
    # --- designs told by what the named authors did, without the design's name
    ("studies pooled without the word meta-analysis", "Homework in CBT", None,
     "Homework is a core part of CBT. Kazantzis and colleagues pooled the results of 23 studies (N = 2,183) that "
     "measured homework compliance.", False, (MA,)),
    ("many studies reviewed", "Effects of Psychotherapy for Children", None,
     "Weisz and colleagues reviewed 447 studies spanning 50 years of research on youth psychotherapy.",
     False, (SR,)),
    ("two authors interviewed clients", "What Do Clients Want From Therapy?", None,
     "Swift and Callahan interviewed 20 clients about what they wanted from therapy. Responses were coded for "
     "themes.", False, (QUAL,)),
    ("the researchers randomly allocated", "Exercise and Depression", None,
     "Exercise is often recommended. The researchers randomly allocated 80 students with mild depression to an "
     "exercise group or to a control group.", False, (RCT,)),
    ("outpatient clinics, no design named", "Therapists Who Doubt Themselves", None,
     "Nissen-Lie and colleagues studied 70 therapists treating 255 patients at 16 outpatient clinics in Norway.",
     False, (NAT,)),
    ("other work examined many trials; this study in a clinic", "Early Alliance", None,
     "Previous studies examined 45 trials of the alliance. In this study, 300 clients at a community clinic "
     "rated the alliance after session 3.", False, (NAT,)),
    ("a whole book that reviews the evidence", "The Great Psychotherapy Debate",
     "Wampold, B. E., & Imel, Z. E. (2015). The great psychotherapy debate (2nd ed.). New York: Routledge.",
     "In this book, Wampold and Imel review the evidence on common and specific factors.", False, (REVIEW,)),
    ("an author who describes and argues", "Deliberate Practice", None,
     "Rousmaniere describes how therapists can use deliberate practice. He argues that therapists rarely receive "
     "feedback on their skills.", False, (COMMENTARY,)),
    ("a name that argued long ago is a mention", "Silence in Therapy", None,
     "Freud argued that silence is resistance. Ladany and colleagues asked 12 therapists about their use of "
     "silence; transcripts were analysed with consensual qualitative research.", False, (QUAL,)),
    # --- other work named inside a sentence about this study
    ("other work only in the opening clause", "A Trial of Brief CBT", None,
     "Unlike previous research, Smith and colleagues randomly assigned 80 patients to CBT or a waitlist.",
     False, (RCT,)),
    ("a previous meta-analysis compared with", "How Therapists Use Research", None,
     "In this study, the authors compared their results with a previous meta-analysis of 40 trials. They "
     "surveyed 300 therapists online.", False, (SURVEY,)),
    ("earlier meta-analyses rated by survey respondents", "Do Therapists Read Meta-Analyses?", None,
     "In this survey, therapists rated how often they used findings from earlier meta-analyses.",
     False, (SURVEY,)),
    ("a recent meta-analysis is this one", "Alliance in Youth Therapy", None,
     "In this recent meta-analysis, Karver and colleagues pooled 28 trials.", False, (MA,)),
    # --- mention-only traps: no type
    ("previous RCTs only", "Why Patients Drop Out", None,
     "Previous RCTs showed that a third of patients drop out. Dropout is costly for clinics.", False, ()),
    ("research has shown", "Burnout Among Therapists", None,
     "Research has shown that meta-analyses of burnout interventions are rare. Several surveys found high "
     "burnout. Therapists should look after themselves.", False, ()),
    ("parenthetical citations", "Empathy Matters", None,
     "Empathy predicts outcome (Elliott et al., 2018). Randomized trials of empathy training exist (Smith, 2019).",
     False, ()),
    ("random effects model is not randomisation", "Effects Over Time", None,
     "The authors used a random effects model to estimate change in 300 clients.", False, ()),
    ("not randomly assigned, in routine care", "Choosing a Therapy", None,
     "In this study, patients were not randomly assigned; they chose CBT or psychodynamic therapy in routine "
     "care at 12 clinics.", False, (NAT,)),
    ("non-randomized trial", "An Open Trial of Group Therapy", None,
     "In this non-randomized trial, clinics chose their own treatment.", False, ()),
]


@pytest.mark.parametrize(
    "why, title, citation, summary, is_chapter, expected", CASES, ids=[case[0] for case in CASES]
)
def test_research_types(why, title, citation, summary, is_chapter, expected):
    assert research_types(title, citation, summary, is_chapter=is_chapter) == expected


def test_the_table_covers_every_kind_of_study():
    assert len(CASES) >= 30
    labels = {label for *_, expected in CASES for label in expected}
    assert labels == {MA, SR, RCT, NAT, SURVEY, QUAL, REVIEW, COMMENTARY, BOOK_CHAPTER}
    assert sum(expected == () for *_, expected in CASES) >= 5  # mention-only traps


SAMPLE_SIZES = [
    ("Across k = 26 studies, N = 2,043 clients were included.", 2043),
    ("The meta-analysis pooled 26 studies with a total of 2,043 participants.", 2043),
    ("Studies with fewer than 20 participants were excluded; the 53 studies included 4,120 patients.", 4120),
    ("The review included 295 studies (N = 30,000) published since 1978.", 30000),
    ("Of the 31 trials, published between 2001 and 2019, most were small.", None),
    ("In 26 trials, 68% of patients improved.", None),
    ("The authors pooled N = 45 studies.", None),
]


@pytest.mark.parametrize("summary, expected", SAMPLE_SIZES, ids=[s[:40] for s, _ in SAMPLE_SIZES])
def test_sample_size_of_syntheses_is_the_total_of_people(summary, expected):
    assert sample_size(summary) == expected


SITE_LABELS = [
    ("Meta-analyses and reviews", (MA, REVIEW)),
    ("Meta-Analyses & Systematic Reviews", (MA, SR)),
    ("Single studies", ()),
    ("Book chapters", (BOOK_CHAPTER,)),
    ("Randomized controlled trials", (RCT,)),
    ("Qualitative research", (QUAL,)),
    ("Surveys", (SURVEY,)),
    ("Naturalistic / practice-based studies", (NAT,)),
    ("Commentaries", (COMMENTARY,)),
    ("  ", ()),
    ("All", ()),
]


@pytest.mark.parametrize("label, expected", SITE_LABELS, ids=[label for label, _ in SITE_LABELS])
def test_site_research_types(label, expected):
    assert site_research_types(label) == expected


def test_site_types_replace_inferred_ones_at_other_levels():
    meta_and_reviews = site_research_types("Meta-analyses and reviews")
    assert with_site_types((RCT,), meta_and_reviews) == (MA, REVIEW)  # inferred wrongly: the site's labels
    assert with_site_types((SR,), meta_and_reviews) == (SR,)  # a level the site names: the precise label stays
    assert with_site_types((MA, SR), meta_and_reviews) == (MA, SR)
    assert with_site_types((), site_research_types("Book chapters")) == (BOOK_CHAPTER,)
    assert with_site_types((SURVEY,), site_research_types("Single studies")) == (SURVEY,)  # names no level
    assert with_site_types((SURVEY,), ()) == (SURVEY,)
