"""Synthetic PPRNet-like posts, for measuring speed at scale only.

Every post made here is fake: its id starts with ``synthetic-``, its title ends with ``[synthetic]``,
its DOI uses the reserved example prefix ``10.5555`` and it has no URL. The text is recombined from
the sentences of the six real seed posts (``tests/fixtures/seed_posts.json``) and from sentences
built out of a vocabulary of the field, so term statistics look like the blog's; the citations have
2-8 authors from ~200 surnames, ~40 journals and years 2013-2026. Nothing here is ever written to
``corpus/``: the benchmark indexes these posts into temporary directories.

Generation is lazy and deterministic: post ``i`` of seed ``s`` depends on ``(s, i)`` only, so
:func:`generate_posts` is an iterator (100,000 posts never sit in memory) and :func:`post_at`
rebuilds any one post cheaply (the workload draws its phrases and facet values that way).
"""
from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from indexer.topics import TOPIC_PHRASES
from search.post import Post
from search.taxonomy import DEFAULT_TOPICS

SIZES = (1_000, 10_000, 100_000)
DEFAULT_SEED = 20260
ID_PREFIX = "synthetic-"
TITLE_MARK = "[synthetic]"
DOI_PREFIX = "10.5555/synthetic."  # 10.5555 is the registration agency's example/test prefix

SEED_POSTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seed_posts.json"

SURNAMES: tuple[str, ...] = tuple(
    """
    Abbott Adams Ahmed Alvarez Andersson Anderson Baker Baldwin Barkham Bauer Becker Bennett Berg Bergstrom
    Bhatt Blake Boswell Brennan Brooks Brown Bruno Burke Byrne Campbell Carlsson Carter Castro Chan Chen Clarke
    Coleman Collins Connolly Cooper Costa Cruz Dahl Davies Delgado Diaz Dubois Duncan Dunn Edwards Eriksson
    Evans Farrell Fischer Fitzgerald Fleming Flores Fontaine Foster Fraser Garcia Gibson Gomez Gonzalez Graham
    Grant Green Gupta Hall Hansen Harris Hayes Henderson Hernandez Hoffmann Holm Hughes Hunt Ibrahim Ito Jackson
    Jansen Jensen Johansson Johnson Jones Kaur Keller Kelly Kennedy Khan Kim Klein Koch Kowalski Kramer Kumar
    Lambert Larsen Laurent Lee Lehmann Leroy Lewis Lindqvist Lopez Lund MacDonald Maier Marino Martin Martinez
    Mason Matsumoto Meyer Miller Mitchell Moore Moreau Morgan Morris Muller Murphy Murray Nakamura Nguyen
    Nielsen Novak Nowak O'Brien O'Connor Olsen Ortiz Owens Park Patel Pearson Perez Peters Petrov Pham Phillips
    Powell Price Quinn Ramirez Reed Reyes Richter Rivera Roberts Robinson Rodriguez Rossi Russo Sanchez Sato
    Schmidt Schneider Schroeder Scott Shah Silva Singh Smith Sorensen Stewart Stiles Suzuki Tanaka Tasca Taylor
    Thomas Thompson Torres Turner Vargas Vogel Wagner Walker Wallace Wang Ward Watson Weber Wells White Wilson
    Wolf Wong Wright Yamamoto Young Zhang Zhou Zimmermann Hiebler-Rager Lo-Coco Van-Dijk De-Vries
    """.split()
)

JOURNALS: tuple[str, ...] = (
    "Psychotherapy Research",
    "Journal of Consulting and Clinical Psychology",
    "Psychotherapy",
    "Clinical Psychology and Psychotherapy",
    "Journal of Counseling Psychology",
    "Clinical Psychology Review",
    "Behaviour Research and Therapy",
    "Journal of Clinical Psychology",
    "Counselling and Psychotherapy Research",
    "Psychology and Psychotherapy: Theory, Research and Practice",
    "Professional Psychology: Research and Practice",
    "Journal of Psychotherapy Integration",
    "Administration and Policy in Mental Health",
    "Cognitive Behaviour Therapy",
    "Cognitive Therapy and Research",
    "Behavior Therapy",
    "Journal of Affective Disorders",
    "Depression and Anxiety",
    "Journal of Anxiety Disorders",
    "Psychological Medicine",
    "British Journal of Psychiatry",
    "JAMA Psychiatry",
    "American Journal of Psychiatry",
    "World Psychiatry",
    "Canadian Psychology",
    "Canadian Journal of Psychiatry",
    "International Journal of Group Psychotherapy",
    "Group Dynamics: Theory, Research, and Practice",
    "Journal of Personality Disorders",
    "Personality Disorders: Theory, Research, and Treatment",
    "Psychodynamic Psychiatry",
    "Journal of the American Psychoanalytic Association",
    "Attachment and Human Development",
    "Journal of Traumatic Stress",
    "Psychological Trauma: Theory, Research, Practice, and Policy",
    "Suicide and Life-Threatening Behavior",
    "Training and Education in Professional Psychology",
    "The Clinical Supervisor",
    "Journal of Psychiatric Research",
    "Psychiatric Services",
    "BMC Psychiatry",
)

RESEARCH_TYPES: tuple[str, ...] = (
    "randomized controlled trial", "meta-analysis", "survey", "naturalistic", "qualitative", "review",
    "book chapter",
)
_TYPE_WEIGHTS = (30, 14, 22, 16, 10, 6, 2)

# The vocabulary of the field, slotted into sentence and title templates. Within each list the
# earlier entries are drawn more often (Zipf weights), so a few terms are common and most are rare,
# as in real text; ``focus`` is drawn from the post's own topics (indexer.topics phrases).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "population": (
        "adult outpatients", "adolescents", "university students", "older adults", "veterans", "couples",
        "families", "clients in routine care", "patients with chronic pain", "first responders",
        "psychotherapy trainees", "community clinic clients", "refugees", "people with eating disorders",
        "patients with borderline personality disorder", "clients with panic disorder", "parents",
        "patients on a waiting list", "clients with substance use problems", "health professionals",
        "children", "nurses", "physicians", "graduate students", "inpatients", "military personnel",
        "perinatal women", "new mothers", "fathers", "Indigenous clients", "immigrants", "sexual minority clients",
        "transgender adults", "unemployed adults", "people experiencing homelessness", "prisoners",
        "athletes", "caregivers", "cancer survivors", "people with diabetes", "people living with HIV",
        "patients with psychosis", "clients with social anxiety", "people with obsessive-compulsive disorder",
        "patients with treatment-resistant depression", "survivors of childhood abuse", "bereaved adults",
        "workers on sick leave", "emerging adults", "school counsellors", "novice therapists",
        "experienced therapists", "couples in distress", "adolescents who self-harm",
    ),
    "intervention": (
        "cognitive-behavioural therapy", "interpersonal psychotherapy", "psychodynamic therapy",
        "group psychotherapy", "mentalization-based treatment", "dialectical behaviour therapy",
        "emotion-focused therapy", "acceptance and commitment therapy", "behavioural activation",
        "mindfulness-based cognitive therapy", "exposure therapy", "EMDR", "schema therapy",
        "motivational interviewing", "brief dynamic therapy", "telepsychology", "internet-delivered CBT",
        "routine outcome monitoring", "clinical supervision", "deliberate practice", "pharmacotherapy",
        "combination treatment", "psychoeducation", "couple therapy", "family therapy",
        "cognitive processing therapy", "prolonged exposure", "compassion-focused therapy",
        "transference-focused psychotherapy", "solution-focused brief therapy", "narrative therapy",
        "person-centred therapy", "metacognitive therapy", "problem-solving therapy", "guided self-help",
        "stepped care", "collaborative care", "walk-in single sessions", "video therapy", "app-based support",
        "peer support", "yoga", "aerobic exercise", "antidepressant medication", "ketamine-assisted therapy",
        "trauma-focused CBT", "parent training", "attachment-based family therapy", "integrative therapy",
        "measurement-based care", "brief psychodynamic psychotherapy", "cognitive remediation",
    ),
    "outcome": (
        "depressive symptoms", "anxiety", "burnout", "well-being", "dropout", "symptom distress",
        "quality of life", "relapse", "treatment response", "deterioration", "suicidal ideation",
        "functioning", "self-esteem", "emotion regulation", "reflective functioning", "attendance",
        "recovery", "remission", "interpersonal problems", "client satisfaction",
        "behaviour problems", "post-traumatic stress", "insomnia", "work engagement", "loneliness",
        "rumination", "worry", "panic attacks", "hopelessness", "self-harm", "alcohol use", "binge eating",
        "psychological flexibility", "resilience", "compassion fatigue", "vicarious trauma",
        "occupational stress", "sick leave", "return to work", "health care costs", "hospital admissions",
        "medication adherence", "marital satisfaction", "parenting stress", "social functioning",
        "perceived stress", "reliable improvement", "clinically significant change", "early response",
        "sudden gains", "premature termination", "no-shows", "negative effects",
    ),
    "construct": (
        "the working alliance", "therapist empathy", "attachment security", "mentalizing",
        "countertransference", "client expectations", "treatment preferences", "therapist self-efficacy",
        "session frequency", "treatment length", "alliance ruptures", "feedback", "therapist effects",
        "clinic effects", "resistance", "reactance", "common factors", "self-reflection",
        "socioeconomic deprivation", "placebo response", "adherence", "therapist competence",
        "shame", "perfectionism", "hope", "goal consensus", "collaboration", "negative process",
        "therapist self-disclosure", "cultural humility", "facilitative interpersonal skills",
        "therapist anxiety", "epistemic trust", "personal therapy", "therapist caseload", "supervisor support",
        "client motivation", "readiness to change", "homework compliance", "emotional arousal",
        "insight", "corrective experiences", "repair of ruptures", "therapist responsiveness",
        "professional self-doubt", "the real relationship", "transference interpretations",
        "client attachment avoidance", "attachment anxiety", "childhood adversity", "comorbidity",
        "symptom severity at intake", "personality pathology", "therapist age", "therapist experience",
    ),
    "design": (
        "randomized controlled trial", "meta-analysis", "naturalistic study", "survey",
        "qualitative study", "cohort study", "multilevel analysis", "practice-based study",
        "systematic review", "longitudinal study", "pilot trial", "secondary analysis",
        "non-inferiority trial", "cluster randomized trial", "case series", "benchmarking study",
        "network meta-analysis", "mixed-methods study", "cross-sectional survey", "registry study",
    ),
    "setting": (
        "community mental health clinics", "university counselling centres", "private practice",
        "primary care", "inpatient units", "a national psychological therapies service", "online settings",
        "hospital outpatient clinics", "training clinics", "rural and remote areas", "schools",
        "workplaces", "military health services", "forensic settings", "emergency departments",
        "residential treatment", "employee assistance programs", "a psychotherapy research network",
        "specialist trauma services", "eating disorder services",
    ),
    "measure": (
        "the Outcome Questionnaire-45", "the PHQ-9", "the GAD-7", "the Working Alliance Inventory",
        "the Beck Depression Inventory", "the CORE-OM", "the Reflective Functioning Questionnaire",
        "the Maslach Burnout Inventory", "the Hamilton Rating Scale for Depression", "the PCL-5",
        "the Inventory of Interpersonal Problems", "the Session Rating Scale", "the Experiences in Close Relationships scale",
        "the WHO-5 Well-Being Index", "the Difficulties in Emotion Regulation Scale", "weekly symptom ratings",
        "clinician ratings", "structured clinical interviews", "session recordings", "diary entries",
    ),
    "method": (
        "multilevel models", "effect sizes", "growth curve models", "mediation analyses",
        "moderator analyses", "propensity score matching", "latent class analysis", "survival analysis",
        "thematic analysis", "intention-to-treat analyses", "hierarchical linear modelling",
        "random-effects models", "dyadic data analysis", "machine learning", "reliable change indices",
        "cross-lagged panel models", "network analysis", "interpretative phenomenological analysis",
    ),
    "timepoint": (
        "post-treatment", "six-month follow-up", "twelve-month follow-up", "the fourth session",
        "mid-treatment", "two-year follow-up", "intake", "termination", "the third session",
        "three-month follow-up", "five-year follow-up", "discharge",
    ),
    "direction": ("greater", "smaller", "faster", "slower", "larger", "more durable", "fewer", "lower", "higher",
                  "modest", "negligible", "substantial"),
    "clinician_action": (
        "monitor progress session by session", "ask clients for feedback on the alliance",
        "attend to ruptures early", "discuss treatment preferences at intake",
        "seek supervision when treatment stalls", "adapt the frequency of sessions",
        "reflect on their own attachment style", "watch for signs of burnout",
        "plan termination collaboratively", "offer telepsychology when travel is a barrier",
        "measure outcomes routinely", "address shame directly", "invite clients to set goals",
        "consider combining medication and psychotherapy", "practise mentalizing in training",
        "explore client expectations early", "validate ambivalence about change", "use session-by-session alerts",
        "schedule booster sessions", "tailor treatment to cultural background", "assess suicide risk at every session",
        "protect time for self-care", "record sessions for deliberate practice", "involve family members when appropriate",
    ),
}
_VOCABULARY_WEIGHTS = {name: [1.0 / rank ** 0.5 for rank in range(1, len(values) + 1)]
                       for name, values in VOCABULARY.items()}

_SENTENCE_TEMPLATES: tuple[str, ...] = (
    "In this {design}, {population} receiving {intervention} reported {direction} improvement in {outcome} than those in usual care.",
    "The authors examined whether {construct} predicted {outcome} among {population} treated in {setting}.",
    "Clients whose therapists scored high on {construct} showed {direction} change in {outcome} by {timepoint}.",
    "A {design} of {population} found that {construct} was associated with {outcome} at {timepoint}.",
    "{construct_cap} explained a small but meaningful share of the variance in {outcome}.",
    "Compared with {intervention}, {intervention2} led to {direction} reductions in {outcome} at {timepoint}.",
    "Effects on {outcome} were moderated by {construct} and by the number of sessions attended.",
    "Therapists in {setting} rated {construct} as central to their work with {population}.",
    "Rates of {outcome} differed across {setting}, even after controlling for case mix.",
    "Participants completed measures of {outcome} and {construct} at intake and at {timepoint}.",
    "The link between {construct} and {outcome} was stronger for {population} than for other clients.",
    "The study focused on {focus} and its relation to {outcome} in {setting}.",
    "Outcomes were assessed with {measure} and analysed with {method}.",
    "Findings on {focus} were consistent across {setting} and {setting2}.",
    "Previous research on {focus} has relied mostly on {measure}.",
    "Using {method}, the authors separated the effects of {focus} from those of {construct}.",
    "Clients reported that {focus} mattered more to them than {construct}.",
    "Qualitative interviews with {population} described {construct} as a turning point in {intervention}.",
)

_IMPLICATION_TEMPLATES: tuple[str, ...] = (
    "Clinicians working with {population} may want to {clinician_action}.",
    "These findings suggest that therapists should {clinician_action}, especially in {setting}.",
    "Practitioners who offer {intervention} could {clinician_action} to reduce {outcome}.",
    "Training programs might teach trainees to {clinician_action}.",
    "Paying attention to {construct} may help prevent {outcome} among {population}.",
    "Therapists may wish to keep {focus} in mind when working in {setting}.",
    "Routine use of {measure} can help clinicians notice {focus} early.",
)

_TITLE_TEMPLATES: tuple[str, ...] = (
    "{construct_cap} and {outcome} in {population}",
    "Does {intervention} reduce {outcome}?",
    "{intervention_cap} for {population}: the role of {construct}",
    "When {construct} matters for {outcome}",
    "{outcome_cap} after {intervention} in {setting}",
    "What predicts {outcome} among {population}?",
    "{construct_cap}, {construct2} and therapy outcomes",
    "{focus_cap} and {outcome} in {setting}",
    "What {population} say about {focus}",
)

_ARTICLE_TITLE_TEMPLATES: tuple[str, ...] = (
    "{construct_cap} as a predictor of {outcome} in {intervention}: a {design}",
    "{intervention_cap} versus {intervention2} for {population}: a {design}",
    "The association between {construct} and {outcome} among {population}",
    "{outcome_cap} in {setting}: a {design}",
    "{focus_cap} in {intervention}: a {design}",
)

_SLOT = re.compile(r"\{(\w+?)(2)?(_cap)?\}")
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"])")


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(summary sentences, implication sentences) of the six real seed posts."""
    posts = json.loads(SEED_POSTS.read_text(encoding="utf-8"))
    summary: list[str] = []
    implications: list[str] = []
    for post in posts:
        summary += [s.strip() for s in _SENTENCE_SPLIT.split(post["summary"]) if len(s.split()) >= 4]
        implications += [s.strip() for s in _SENTENCE_SPLIT.split(post["implications"]) if len(s.split()) >= 4]
    return tuple(summary), tuple(implications)


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, count + 1)]


_SURNAME_WEIGHTS = _zipf_weights(len(SURNAMES), 0.8)
_JOURNAL_WEIGHTS = _zipf_weights(len(JOURNALS), 1.0)
# Topics from the most written about to the least (a guess at the blog's mix), Zipf-weighted.
_TOPICS_BY_POPULARITY: tuple[str, ...] = (
    "Therapist Factors", "Alliance and Therapeutic Relationship", "Outcomes and Deterioration", "Training",
    "Depression and Depressive Symptoms", "Client Factors", "Efficacy of Treatments", "Anxiety Disorders",
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Feedback and Progress Monitoring",
    "Attendance, Attrition, and Drop-Out", "Attachment", "Practice-Based Research and Practice Research Networks",
    "Psychodynamic Therapy (PDT)", "Trauma and/or PTSD", "Treatment Length and Frequency", "Group Psychotherapy",
    "Personality Disorders", "Common Factors", "Empathy", "Long-term Outcomes", "Medications/Pharmacotherapy",
    "Self-Reflection and Awareness", "Client Preferences", "Termination", "Suicide and Crisis Intervention",
    "Illness and Medical Comorbidities", "Combination Therapy", "Cost-effectiveness",
    "Interpersonal Psychotherapy (IPT)", "Resistance and Reactance", "Transference and Countertransference",
    "Placebo Effect", "Neuroscience and Brain", "Adherance", "Miscellaneous",
)
assert sorted(_TOPICS_BY_POPULARITY) == sorted(DEFAULT_TOPICS)
_TOPIC_WEIGHTS = _zipf_weights(len(_TOPICS_BY_POPULARITY), 0.8)
_MONTHS = [(year, month) for year in range(2013, 2027) for month in range(1, 13)]


# How many values of each list one post draws (its "cast"): a summary keeps returning to a few
# outcomes and constructs, which keeps each term's document frequency realistic.
_CAST_SIZE = {"population": 2, "intervention": 2, "outcome": 3, "construct": 3, "design": 2, "setting": 2,
              "measure": 2, "method": 2, "timepoint": 2, "direction": 3, "clinician_action": 3}


def _cast(rng: random.Random, focus: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    cast: dict[str, tuple[str, ...]] = {"focus": tuple(rng.sample(focus, min(len(focus), 3)))}
    for name, size in _CAST_SIZE.items():
        chosen: list[str] = []
        while len(chosen) < size:
            value = rng.choices(VOCABULARY[name], weights=_VOCABULARY_WEIGHTS[name])[0]
            if value not in chosen:
                chosen.append(value)
        cast[name] = tuple(chosen)
    return cast


def _draw(name: str, rng: random.Random, cast: dict[str, tuple[str, ...]]) -> str:
    return rng.choice(cast[name])


def _fill(template: str, rng: random.Random, cast: dict[str, tuple[str, ...]]) -> str:
    used: dict[str, str] = {}

    def slot(match: re.Match) -> str:
        name, second, cap = match.groups()
        value = _draw(name, rng, cast)
        if second:  # differs from the first slot of the same list ("Compared with X, Y ...")
            for _ in range(16):
                if value != used.get(name):
                    break
                value = _draw(name, rng, cast)
        used.setdefault(name, value)
        return value[0].upper() + value[1:] if cap else value

    return _SLOT.sub(slot, template)


def _spelled(surname: str) -> str:
    """Surnames of two words are listed with a hyphen; only the hyphenated family names keep it."""
    return surname.replace("-", " ") if surname in _TWO_WORD_SURNAMES else surname


_TWO_WORD_SURNAMES = frozenset({"Van-Dijk", "De-Vries", "Lo-Coco"})


def _initials(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTW"
    return " ".join(f"{rng.choice(letters)}." for _ in range(rng.choice((1, 1, 2))))


def _text(rng: random.Random, seed_pool: tuple[str, ...], seed_count: int, templates: tuple[str, ...],
          count: int, cast: dict[str, tuple[str, ...]]) -> str:
    """``count`` sentences: ``seed_count`` of them from the real posts, the others from templates."""
    sentences = [_fill(rng.choice(templates), rng, cast) for _ in range(count - seed_count)]
    for _ in range(seed_count):
        sentences.insert(rng.randint(0, len(sentences)), rng.choice(seed_pool))
    return " ".join(sentences)


def _focus(topics: list[str]) -> tuple[str, ...]:
    """Phrases of the post's topics (what its text is about), or the vocabulary's constructs."""
    phrases = [phrase for topic in topics for phrase in TOPIC_PHRASES.get(topic, ()) if len(phrase) > 3]
    return tuple(phrases) or VOCABULARY["construct"]


def post_at(index: int, seed: int = DEFAULT_SEED) -> Post:
    """Synthetic post number ``index`` of ``seed``: the same post every time."""
    rng = random.Random(f"pprnet-synth:{seed}:{index}")
    summary_pool, implication_pool = seed_sentences()

    issue_year, issue_month = rng.choice(_MONTHS)
    year = max(2013, issue_year - rng.choice((0, 0, 1, 1, 1, 2)))
    surnames: list[str] = []
    wanted = rng.randint(2, 8)
    while len(surnames) < wanted:
        surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
        if surname not in surnames:
            surnames.append(surname)
    authors = [f"{_spelled(surname)}, {_initials(rng)}" for surname in surnames]
    journal = rng.choices(JOURNALS, weights=_JOURNAL_WEIGHTS)[0]
    topics: list[str] = []
    for topic in rng.choices(_TOPICS_BY_POPULARITY, weights=_TOPIC_WEIGHTS, k=rng.randint(1, 3)):
        if topic not in topics:
            topics.append(topic)
    types = tuple(dict.fromkeys(rng.choices(RESEARCH_TYPES, weights=_TYPE_WEIGHTS, k=rng.choice((0, 1, 1, 1, 2)))))
    sample_size = None if rng.random() < 0.2 else int(math.exp(rng.uniform(math.log(12), math.log(30_000))))

    cast = _cast(rng, _focus(topics))
    article_title = _fill(rng.choice(_ARTICLE_TITLE_TEMPLATES), rng, cast)
    volume = str(year - 1990 + rng.randint(0, 40))
    issue = str(rng.randint(1, 12))
    first_page = rng.randint(1, 1200)
    pages = f"{first_page}–{first_page + rng.randint(6, 24)}"
    doi = f"{DOI_PREFIX}{seed}.{index}" if rng.random() < 0.85 else None
    shown = authors if len(authors) <= 7 else authors[:6] + ["…", authors[-1]]
    author_text = ", ".join(shown[:-1]) + (", & " if shown[-2] != "…" else " ") + shown[-1]
    citation = f"{author_text} ({year}). {article_title}. {journal}, {volume}({issue}), {pages}."
    if doi:
        citation += f" https://doi.org/{doi}"

    title = f"{_fill(rng.choice(_TITLE_TEMPLATES), rng, cast)} {TITLE_MARK}"
    return Post(
        id=f"{ID_PREFIX}{index:06d}",
        url=None,
        issue_date=f"{issue_year:04d}-{issue_month:02d}",
        title=title,
        citation=citation,
        authors=tuple(authors),
        year=year,
        article_title=article_title,
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        summary=_text(rng, summary_pool, rng.choice((0, 1, 1, 2)), _SENTENCE_TEMPLATES, rng.randint(13, 18), cast),
        implications=_text(rng, implication_pool, rng.choice((0, 0, 1)), _IMPLICATION_TEMPLATES, rng.randint(3, 6), cast),
        topics=tuple(topics),
        research_types=types,
        sample_size=sample_size,
    )


def generate_posts(count: int, seed: int = DEFAULT_SEED) -> Iterator[Post]:
    """Posts 0 .. count-1 of ``seed``, one at a time."""
    for index in range(count):
        yield post_at(index, seed)


if __name__ == "__main__":  # a peek: python bench/synth.py 3
    import sys

    sys.stdout.write(json.dumps([p.to_dict() for p in generate_posts(int(sys.argv[1]) if len(sys.argv) > 1 else 2)],
                                indent=2, ensure_ascii=False) + "\n")
