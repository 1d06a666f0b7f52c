"""Topics inferred from a post's text, for pages that do not say which topics a post belongs to.

Each topic of the taxonomy has a small, reviewed list of phrases. Phrases are matched on Snowball
stems, so "supervisees" meets "supervisee". Precision comes before recall: a topic is given only
when its phrases occur in the title, or several times and in more than one form in the text;
"Miscellaneous" is never inferred. No topic beats a wrong topic.
"""
from __future__ import annotations

import re

from search.stemming import stem

TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "Adherance": ("adherence", "adherent", "treatment fidelity", "treatment integrity", "manual adherence"),
    "Alliance and Therapeutic Relationship": (
        "alliance", "therapeutic relationship", "therapeutic bond", "working relationship",
        "alliance rupture", "real relationship",
    ),
    "Anxiety Disorders": (
        "anxiety disorder", "generalized anxiety", "generalised anxiety", "panic disorder", "panic attack",
        "social anxiety", "phobia", "obsessive compulsive", "gad", "ocd",
    ),
    "Attachment": ("attachment", "attachment insecurity", "attachment style", "secure base", "insecurely attached"),
    "Attendance, Attrition, and Drop-Out": (
        "dropout", "drop out", "attrition", "premature termination", "attendance", "no show",
        "missed session", "unilateral termination",
    ),
    "Client Factors": (
        "client factor", "patient factor", "client characteristic", "patient characteristic",
        "symptom severity", "patient severity", "socioeconomic", "unemployment", "client variable",
    ),
    "Client Preferences": ("client preference", "patient preference", "treatment preference", "shared decision making"),
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)": (
        "cognitive behavioral", "cognitive behavioural", "cognitive behaviour", "cognitive behavior", "cbt",
        "cognitive therapy", "cognitive restructuring", "behavioral activation", "behavioural activation",
    ),
    "Combination Therapy": ("combination therapy", "combination treatment", "combined treatment", "combined with medication"),
    "Common Factors": ("common factor", "nonspecific factor", "non specific factor", "contextual model"),
    "Cost-effectiveness": ("cost effective", "cost effectiveness", "cost benefit", "cost offset", "economic evaluation"),
    "Depression and Depressive Symptoms": (
        "depression", "depressive", "depressed", "major depressive disorder", "dysthymia", "mdd",
    ),
    "Efficacy of Treatments": (
        "efficacy", "efficacious", "treatment effect", "randomized controlled trial", "randomised controlled trial",
        "wait list", "waitlist", "treatment as usual",
    ),
    "Empathy": ("empathy", "empathic", "empathize", "empathise", "empathetic"),
    "Feedback and Progress Monitoring": (
        "outcome monitoring", "progress monitoring", "measurement based care", "client feedback",
        "feedback system", "not on track", "progress feedback",
    ),
    "Group Psychotherapy": (
        "group therapy", "group psychotherapy", "group treatment", "group member", "group cohesion", "group leader",
    ),
    "Illness and Medical Comorbidities": (
        "medical illness", "chronic illness", "medical comorbidity", "comorbid medical", "cancer", "diabetes",
        "chronic pain", "cardiac", "heart disease", "hiv", "physical illness", "medical condition",
    ),
    "Interpersonal Psychotherapy (IPT)": ("interpersonal psychotherapy", "interpersonal therapy", "ipt"),
    "Long-term Outcomes": (
        "long term outcome", "long term follow up", "long term effect", "years after treatment",
        "maintenance of gains", "relapse",
    ),
    "Medications/Pharmacotherapy": (
        "medication", "pharmacotherapy", "antidepressant", "ssri", "psychotropic", "drug treatment",
    ),
    "Neuroscience and Brain": ("brain", "neural", "neuroscience", "fmri", "neuroimaging", "amygdala", "cortex"),
    "Outcomes and Deterioration": (
        "deterioration", "deteriorate", "patient outcome", "client outcome", "treatment outcome",
        "outcome variability", "reliable change", "reliable improvement", "clinically significant",
        "clinically meaningful", "negative effect", "harmful effect",
    ),
    "Personality Disorders": ("personality disorder", "borderline", "bpd", "narcissistic", "antisocial personality"),
    "Placebo Effect": ("placebo", "expectancy effect", "sham treatment"),
    "Practice-Based Research and Practice Research Networks": (
        "practice based", "practice research network", "naturalistic", "routine practice", "routine care",
        "real world", "routinely collected",
    ),
    "Psychodynamic Therapy (PDT)": (
        "psychodynamic", "psychoanalytic", "psychoanalysis", "short term dynamic", "pdt",
        "transference focused",
    ),
    "Resistance and Reactance": ("resistance", "reactance", "ambivalence", "ambivalent"),
    "Self-Reflection and Awareness": (
        "self reflection", "self awareness", "reflective functioning", "reflective capacity", "mentalizing",
        "mentalization", "mentalize", "mentalising", "mentalisation", "mentalise", "self insight",
    ),
    "Suicide and Crisis Intervention": ("suicide", "suicidal", "self harm", "crisis intervention", "crisis line"),
    "Termination": ("termination", "ending therapy", "ending treatment", "final session"),
    "Therapist Factors": (
        "therapist effect", "therapist difference", "differences among therapist", "therapist factor",
        "therapist characteristic", "therapist well being", "therapist wellbeing", "practitioner well being",
        "burnout", "burned out", "burnt out", "personal therapy", "therapist capacity", "therapist attachment",
        "therapist skill", "therapist self care", "therapists are more effective",
    ),
    "Training": (
        "training", "trainee", "supervision", "supervisee", "supervisor", "novice therapist",
        "student therapist", "graduate student", "continuing education",
    ),
    "Transference and Countertransference": ("transference", "countertransference", "counter transference"),
    "Trauma and/or PTSD": ("trauma", "traumatic", "ptsd", "posttraumatic", "post traumatic"),
    "Treatment Length and Frequency": (
        "session frequency", "number of session", "treatment length", "treatment duration", "dose effect",
        "dose response", "brief therapy", "session limit", "good enough level",
    ),
}
NEVER_INFERRED = frozenset({"Miscellaneous"})

_WORD = re.compile(r"[a-z0-9]+")
# When a topic counts: any phrase in the title, or this many hits in more than one phrase, or many hits.
_MIN_HITS_OF_SEVERAL_PHRASES = 3
_MIN_HITS_OF_ONE_PHRASE = 5


# An apostrophe after a word character (the apostrophe is looked for first: the cheaper test).
_POSSESSIVE = re.compile(r"['’](?<=\w['’])s?\b")


def _stems(text: str) -> str:
    words = _WORD.findall(_POSSESSIVE.sub("", text.lower()))
    return " " + " ".join(map(stem, words)) + " "


_STEMMED_PHRASES = {
    topic: tuple(dict.fromkeys(_stems(phrase) for phrase in phrases)) for topic, phrases in TOPIC_PHRASES.items()
}
_PHRASE_WORDS = {phrase: frozenset(phrase.split()) for phrases in _STEMMED_PHRASES.values() for phrase in phrases}


def infer_topics(title: str, body: str, taxonomy: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The taxonomy labels the text is clearly about, in taxonomy order."""
    stemmed_title = _stems(title)
    stemmed_body = _stems(body)
    # A phrase can only occur in a text that has each of its words, which most texts do not: only
    # such phrases are looked for.
    in_title = _possible_phrases(stemmed_title)
    in_body = _possible_phrases(stemmed_body)
    chosen = []
    for label in taxonomy:
        phrases = _STEMMED_PHRASES.get(label)
        if not phrases or label in NEVER_INFERRED:
            continue
        if any(phrase in stemmed_title for phrase in phrases if phrase in in_title):
            chosen.append(label)
            continue
        hits = [stemmed_body.count(phrase) for phrase in phrases if phrase in in_body]
        total = sum(hits)
        distinct = sum(1 for count in hits if count)
        if (distinct >= 2 and total >= _MIN_HITS_OF_SEVERAL_PHRASES) or total >= _MIN_HITS_OF_ONE_PHRASE:
            chosen.append(label)
    return tuple(chosen)


def _possible_phrases(stemmed: str) -> set[str]:
    """The stemmed phrases whose every word is a word of ``stemmed``."""
    words = set(stemmed.split())
    return {phrase for phrase, phrase_words in _PHRASE_WORDS.items() if phrase_words <= words}
