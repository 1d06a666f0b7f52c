"""The field's abbreviations and near-synonyms, for query-time expansion.

A curated table of groups of equivalent phrases ("cbt" = "cognitive
behavioral therapy" = "cognitive-behavioural therapy" ...).  The query
parser calls ``find_expansions`` on the words a person typed and searches
the other phrases of each matched group alongside, at a lower weight.

Precision comes first: a group holds only true equivalents, so an expansion
never drags in unrelated posts ("therapy" and "psychotherapy" are not one
group, and "online" alone expands to nothing).

Phrases are lowercase, except acronyms that are also English words or
common tokens when lowercase ("ACT", "MI", "CT", "ROM", "BA", "BED",
"EST"): those are written in capitals, match only when typed in capitals,
and are never offered as alternatives, because the index is lowercase and
searching "act" would match the verb.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

MAX_EXPANSIONS_PER_QUERY = 10

# Each group: its phrases, the most useful first (alternatives are offered
# in this order, cut at max_alternatives).  British spellings come last:
# the analyzer folds them to American anyway, they are here so that a
# British phrase as typed is recognised.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # Treatments
    ("cbt", "cognitive behavioral therapy", "cognitive-behavioral therapy",
     "cognitive behavior therapy", "cognitive behavioural therapy",
     "cognitive-behavioural therapy", "cognitive behaviour therapy"),
    # "CT" alone is also a CT scan or Connecticut; in a psychotherapy
    # research query typed in capitals it is Beck's cognitive therapy.
    ("CT", "cognitive therapy"),
    ("dbt", "dialectical behavior therapy", "dialectical behavioral therapy",
     "dialectical behaviour therapy", "dialectical behavioural therapy"),
    ("ipt", "interpersonal psychotherapy", "interpersonal therapy"),
    ("pdt", "psychodynamic therapy", "psychodynamic psychotherapy"),
    ("stpp", "short-term psychodynamic psychotherapy",
     "short term psychodynamic psychotherapy", "brief psychodynamic psychotherapy"),
    ("eft", "emotion-focused therapy", "emotion focused therapy",
     "emotionally focused therapy", "emotionally-focused therapy"),
    ("ACT", "acceptance and commitment therapy", "acceptance-commitment therapy"),
    ("mbt", "mentalization-based treatment", "mentalization based treatment",
     "mentalization-based therapy", "mentalization based therapy",
     "mentalisation-based treatment", "mentalisation based treatment",
     "mentalisation-based therapy"),
    ("MI", "motivational interviewing"),
    ("emdr", "eye movement desensitization and reprocessing",
     "eye movement desensitisation and reprocessing"),
    ("mbct", "mindfulness-based cognitive therapy", "mindfulness based cognitive therapy"),
    ("mbsr", "mindfulness-based stress reduction", "mindfulness based stress reduction"),
    ("cft", "compassion-focused therapy", "compassion focused therapy"),
    ("tfp", "transference-focused psychotherapy", "transference focused psychotherapy"),
    ("schema therapy", "schema-focused therapy", "schema focused therapy"),
    ("cpt", "cognitive processing therapy"),
    ("tf-cbt", "trauma-focused cbt", "trauma-focused cognitive behavioral therapy",
     "trauma focused cognitive behavioral therapy",
     "trauma-focused cognitive behavioural therapy"),
    ("cbt-i", "cbti", "cognitive behavioral therapy for insomnia",
     "cognitive behavioural therapy for insomnia"),
    ("BA", "behavioral activation", "behavioural activation"),
    ("group therapy", "group psychotherapy"),
    ("couple therapy", "couples therapy", "marital therapy"),
    ("psychoeducation", "psycho-education", "psycho education"),
    ("tau", "treatment as usual", "treatment-as-usual", "usual care"),
    ("waitlist", "wait-list", "wait list", "waiting list"),
    ("ebp", "evidence-based practice", "evidence based practice"),
    ("EST", "empirically supported treatment", "empirically-supported treatment",
     "evidence-based treatment", "evidence based treatment"),
    ("common factors", "nonspecific factors", "non-specific factors"),
    # Delivery
    ("telehealth", "teletherapy", "telepsychology", "telemental health",
     "videoconferencing", "video therapy", "online therapy", "remote therapy",
     "e-therapy", "videoconference", "tele-mental health", "video-conferencing",
     "telepsychotherapy"),
    # Self-guided programs are not therapy by video: a group of their own.
    ("internet-delivered therapy", "internet-based therapy",
     "internet-delivered treatment", "internet-based treatment",
     "internet delivered therapy", "internet based therapy"),
    ("icbt", "internet-delivered cbt", "internet-based cbt", "internet cbt"),
    ("iapt", "improving access to psychological therapies", "nhs talking therapies"),
    ("nhs", "national health service"),
    # Diagnoses
    ("ptsd", "posttraumatic stress disorder", "post-traumatic stress disorder",
     "post traumatic stress disorder"),
    ("cptsd", "c-ptsd", "complex ptsd", "complex posttraumatic stress disorder",
     "complex post-traumatic stress disorder"),
    ("gad", "generalized anxiety disorder", "generalised anxiety disorder"),
    ("mdd", "major depressive disorder", "major depression"),
    ("bpd", "borderline personality disorder"),
    ("ocd", "obsessive-compulsive disorder", "obsessive compulsive disorder"),
    ("adhd", "attention-deficit/hyperactivity disorder",
     "attention deficit hyperactivity disorder",
     "attention-deficit hyperactivity disorder",
     "attention deficit/hyperactivity disorder"),
    ("social anxiety disorder", "social phobia"),
    ("BED", "binge eating disorder", "binge-eating disorder"),
    ("bipolar disorder", "bipolar affective disorder", "manic-depressive illness",
     "manic depressive illness"),
    ("smi", "serious mental illness", "severe mental illness"),
    ("aud", "alcohol use disorder"),
    ("depression", "depressive symptoms", "depressive symptomatology"),
    ("anxiety", "anxiety disorders", "anxiety disorder", "anxiety symptoms"),
    ("nssi", "non-suicidal self-injury", "nonsuicidal self-injury",
     "non-suicidal self injury", "nonsuicidal self injury"),
    ("self-harm", "self harm", "deliberate self-harm", "deliberate self harm"),
    ("suicidal ideation", "suicidal thoughts", "suicidal thinking"),
    ("ipv", "intimate partner violence"),
    ("dsm", "diagnostic and statistical manual of mental disorders"),
    ("ssri", "selective serotonin reuptake inhibitor",
     "selective serotonin re-uptake inhibitor"),
    ("ssris", "selective serotonin reuptake inhibitors",
     "selective serotonin re-uptake inhibitors"),
    # Research designs
    ("rct", "randomized controlled trial", "randomized clinical trial",
     "randomized control trial", "randomised controlled trial",
     "randomised clinical trial"),
    ("rcts", "randomized controlled trials", "randomized clinical trials",
     "randomised controlled trials", "randomised clinical trials"),
    ("meta-analysis", "meta analysis", "metaanalysis"),
    ("meta-analyses", "meta analyses", "metaanalyses"),
    ("follow-up", "follow up", "followup"),
    ("post-treatment", "posttreatment", "post treatment"),
    ("cost-effectiveness", "cost effectiveness"),
    # Process and the therapist
    ("alliance", "therapeutic alliance", "working alliance", "therapeutic relationship",
     "helping alliance"),
    ("rupture", "ruptures", "alliance rupture", "alliance ruptures", "therapeutic rupture"),
    ("mentalizing", "mentalization", "reflective functioning", "reflective function",
     "mentalising", "mentalisation"),
    ("emotion regulation", "emotional regulation", "affect regulation"),
    ("emotion dysregulation", "emotional dysregulation"),
    ("countertransference", "counter-transference", "counter transference"),
    ("self-disclosure", "self disclosure", "therapist self-disclosure",
     "therapist disclosure"),
    ("homework", "homework assignments", "between-session homework",
     "between-session assignments", "between-session tasks"),
    ("feedback", "routine outcome monitoring", "ROM", "progress monitoring",
     "outcome monitoring", "routine outcome measurement", "measurement-based care",
     "feedback-informed treatment"),
    ("deterioration", "getting worse", "client deterioration", "patient deterioration"),
    ("dropout", "drop-out", "drop out", "attrition", "premature termination",
     "premature discontinuation", "unilateral termination"),
    ("dropouts", "drop-outs", "drop outs"),
    ("supervision", "clinical supervision", "psychotherapy supervision"),
    ("burnout", "burn-out", "burned out", "burnt out", "emotional exhaustion"),
    ("vicarious trauma", "vicarious traumatization", "vicarious traumatisation"),
    ("well-being", "wellbeing", "well being"),
    ("multicultural competence", "cultural competence", "multicultural competency",
     "cultural competency"),
    ("lgbtq", "lgbt", "lgbtq+", "lgbtqia+", "sexual and gender minority",
     "sexual and gender minorities"),
)

# Typed tokens lose surrounding punctuation before matching: "(CBT)", "PTSD?".
SURROUNDING_PUNCTUATION = ".,;:!?\"'()[]{}"


def _is_case_sensitive(phrase: str) -> bool:
    return phrase != phrase.lower()


def _build_phrase_index() -> dict[tuple[str, ...], int]:
    """Each phrase's words (lowercase, or capitals if case-sensitive) -> its group's index."""
    phrase_index: dict[tuple[str, ...], int] = {}
    for group_index, group in enumerate(SYNONYM_GROUPS):
        for phrase in group:
            phrase_index[tuple(phrase.split(" "))] = group_index
    return phrase_index


GROUP_OF_PHRASE = _build_phrase_index()
LONGEST_PHRASE_WORDS = max(len(words) for words in GROUP_OF_PHRASE)


@dataclass(frozen=True)
class Expansion:
    """One typed phrase found in the thesaurus, with what to search alongside it."""

    matched: tuple[str, ...]        # the typed words (lowercased) that matched an entry
    start: int                      # index of the first matched token in the input list
    alternatives: tuple[str, ...]   # the other phrases of the group, not the typed one


def _lookup(typed_words: tuple[str, ...]) -> int | None:
    """The group of a run of typed words: lowercase match, or exact capitals."""
    lowercase_words = tuple(word.lower() for word in typed_words)
    group_index = GROUP_OF_PHRASE.get(lowercase_words)
    if group_index is not None:
        return group_index
    return GROUP_OF_PHRASE.get(typed_words) if typed_words != lowercase_words else None


def _alternatives(group_index: int, typed_phrase: str, max_alternatives: int) -> tuple[str, ...]:
    others = (
        phrase
        for phrase in SYNONYM_GROUPS[group_index]
        if phrase.lower() != typed_phrase and not _is_case_sensitive(phrase)
    )
    return tuple(islice(others, max_alternatives))


def find_expansions(tokens: Sequence[str], *, max_alternatives: int = 8) -> list[Expansion]:
    """Thesaurus entries among the typed words, longest match first, left to right.

    ``tokens`` are the query's words as typed (case kept).  Matches do not
    overlap; at most MAX_EXPANSIONS_PER_QUERY are returned, each with at
    most ``max_alternatives`` alternatives.
    """
    words = [token.strip(SURROUNDING_PUNCTUATION) for token in tokens]
    expansions: list[Expansion] = []
    position = 0
    while position < len(words) and len(expansions) < MAX_EXPANSIONS_PER_QUERY:
        for length in range(min(LONGEST_PHRASE_WORDS, len(words) - position), 0, -1):
            typed_words = tuple(words[position:position + length])
            if "" in typed_words:
                continue
            group_index = _lookup(typed_words)
            if group_index is None:
                continue
            matched = tuple(word.lower() for word in typed_words)
            alternatives = _alternatives(group_index, " ".join(matched), max_alternatives)
            expansions.append(Expansion(matched, position, alternatives))
            position += length
            break
        else:
            position += 1
    return expansions
