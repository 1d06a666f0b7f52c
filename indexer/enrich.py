"""Facts read from a post's own words: the kind of research it summarises and its sample size.

Research types name what the summarised study IS, not what it mentions. The design is read from
the article title in the citation first, then from the sentences that describe this study ("In this
meta-analysis ...", "Firth and colleagues randomly assigned ..."), then the post title, and only
when none names one from the other sentences; a sentence about other work ("Previous RCTs showed
...") never counts. A synthesis outranks the studies it pools: "a meta-analysis of 30 randomized
controlled trials" is a meta-analysis. A routine-care setting makes a study naturalistic only when
no design is named. Labels come from :mod:`search.evidence`.

The site's own "Type of Research" labels win over inferred types when a crawl has them:
:func:`site_research_types` reads such a label and :func:`with_site_types` merges it.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from indexer.citation import parse_citation
from search.evidence import (
    BOOK_CHAPTER,
    COMMENTARY,
    META_ANALYSIS,
    NATURALISTIC,
    QUALITATIVE,
    RCT,
    RESEARCH_TYPES,
    REVIEW,
    SURVEY,
    SYSTEMATIC_REVIEW,
    evidence_level,
    hierarchy_order,
)

_I = re.IGNORECASE

# --- what a piece of text says the design is -------------------------------------------------------

# Ten or more studies pooled or reviewed: a synthesis even when the summary does not name it so.
_MANY_STUDIES = (
    r"\s+(?:the\s+)?(?:data|results|effects?|findings)?\s*(?:from|of|across)?\s*\d{2,}[\d,]*\s+"
    r"(?:[\w-]+\s+){0,2}?(?:studies|trials|RCTs|samples|articles|papers)\b"
)
_SYNTHESIS_PATTERNS: dict[str, re.Pattern[str]] = {
    META_ANALYSIS: re.compile(
        r"\bmeta[- ]?(?:analy(?:s[ie]s|tic(?:ally)?|[sz]ed?)|synthes[ie]s|regression)"
        r"|\b(?:pooled|synthesi[sz]ed|aggregated|combined)" + _MANY_STUDIES,
        _I,
    ),
    SYSTEMATIC_REVIEW: re.compile(
        r"\bsystematic(?:ally)? review(?:s|ed)?\b|\bumbrella review\b|\breview of (?:\d+ )?meta-analyses\b"
        r"|\b(?:examined|reviewed|identified|included|analy[sz]ed|located|coded)" + _MANY_STUDIES,
        _I,
    ),
}
# (Here and below a word boundary comes before the look-behinds at the same place: it is the cheaper
# test, and a search makes it at every character.)
_RANDOMIZED = re.compile(
    r"\b(?<!non-)(?<!non )(?<!quasi-)(?:cluster[- ])?randomi[sz]ed(?:,)? (?:controlled |clinical |control |pilot )?"
    r"(?:trial|study|experiment)\b|\bRCT\b|\b(?<!not )randomly (?:assigned|allocated)\b|\b(?:were|was) randomi[sz]ed\b"
    r"|\brandomi[sz]ation\b",
    _I,
)
# Primary designs, each with its strong wording, in the order they win over each other within one
# piece of text: an RCT whose patients "completed questionnaires" is an RCT, a survey run in the
# NHS is a survey.
_PRIMARY_PATTERNS: dict[str, re.Pattern[str]] = {
    RCT: _RANDOMIZED,
    QUALITATIVE: re.compile(
        r"\bqualitative\b|\bthematic(?:ally)? analy[sz]|\bgrounded theory\b|\binterpretative phenomenological\b"
        r"|\bconsensual qualitative\b|\bphenomenological (?:study|analysis)\b|\bfocus groups?\b"
        r"|\bsemi-structured interviews?\b|\bin-depth interviews?\b|\binterview study\b",
        _I,
    ),
    SURVEY: re.compile(
        r"\bsurvey(?:s|ed|ing)?\b|\bonline questionnaire\b"
        r"|\b(?:completed|responded to|answered|filled (?:in|out)) (?:an? )?(?:online |web-based )?questionnaires?\b",
        _I,
    ),
    NATURALISTIC: re.compile(
        r"\bnaturalistic\b|\bpractice[- ]based\b|\broutinely (?:collected|delivered|treated)\b|\breal[- ]world\b"
        r"|\bobservational\b|\bcohort\b|\barchival\b|\bregistry\b|\beffectiveness study\b"
        r"|\bpractice research network\b",
        _I,
    ),
}
# Interviews and themes: qualitative when no stronger design is named ("interviewed 20 clients").
_QUALITATIVE_WEAK = re.compile(
    r"\binterviewed\b|\binterviews with\b|\bfor themes\b|\bthemes (?:emerged|were identified)\b", _I
)
# Routine-care settings: a study set there without randomisation is naturalistic, but a setting is
# weaker than a design named anywhere (a survey of NHS staff is a survey, a trial in routine care a trial).
_ROUTINE_SETTING = re.compile(
    r"\broutine (?:clinical )?(?:care|practice|settings?|services?|data)\b|\bhealth (?:system|service|care system)\b"
    r"|\bNational Health Service\b|\bNHS\b|\bIAPT\b|\bcommunity (?:mental health )?(?:clinics?|services?|settings?)\b"
    r"|\b(?:university )?(?:counseling|counselling) (?:centers?|centres?)\b|\boutpatient clinics?\b|\bday hospital\b"
    r"|\bprivate practices?\b|\b(?:patients|clients) (?:receiving|who received|treated|seen) |\btherapists treating\b",
    _I,
)
_REVIEW = re.compile(
    r"\b(?:narrative|literature|scoping|critical|integrative|historical) review\b"
    r"|\breview(?:s|ed|ing)?\s+(?:of\s+)?(?:the\s+)?(?:[\w-]+\s+)?(?:literature|research|evidence)\b|\boverview\b",
    _I,
)
_COMMENTARY = re.compile(r"\bcommentary\b|\beditorial\b|\bposition paper\b|\bessay\b|\bopinion piece\b", _I)
# A review or commentary that only the framing of this work can tell ("In this article, X argues").
_THIS_WORK_ARGUES = re.compile(r"\b(?:argues?|argued|proposes?|reflects? on|discusses|makes the case)\b", _I)
# What a synthesis or review pools, which is not its own design: "of 30 randomized controlled trials".
_POOLED_MATERIAL = re.compile(
    r"\b(?:of|from|across|including|included|includes|pooling|pooled|synthesi[sz]ing|combining|combined|"
    r"identified|reviewing|reviewed|examining|examined)\s+(?:the\s+)?(?:results\s+of\s+)?"
    r"(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|several|many|multiple|numerous|all|published)?"
    r"\s*(?:[\w-]+\s+){0,3}?(?:randomi[sz]ed\s+(?:controlled\s+|clinical\s+)?trials|RCTs|trials|studies|"
    r"surveys|qualitative\s+studies|meta-analyses|reviews|experiments)\b",
    _I,
)

# Other work named inside a sentence about this study: "compared with a previous meta-analysis".
_OTHER_WORK_MENTION = re.compile(
    r"\b(?:previous|prior|earlier|past|existing|older|former|other)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:meta-analys[ie]s|systematic reviews?|reviews?|trials?|RCTs?|surveys?|stud(?:y|ies)|research|work)\b",
    _I,
)

# --- which sentences describe this study, and which describe other work ------------------------------

_DESIGN_NOUN = (
    r"(?:study|studies|meta-analys[ie]s|meta-synthesis|trial|RCT|survey|review|paper|article|analysis|"
    r"investigation|research|project|chapter|commentary|experiment|report|book)"
)
# What the authors of this study did: "Swift and Callahan interviewed", "Lutz et al. followed".
_STUDY_VERB = (
    r"(?:conducted|carried out|performed|randomly|randomi[sz]ed|surveyed|interviewed|pooled|reviewed|"
    r"meta-analy[sz]ed|examined|analy[sz]ed|studied|followed|tested|compared|recruited|assessed|investigated|"
    r"asked|identified|included|assigned|estimated|used|describes?|argues?|proposes?|discusses)\b"
)
# One or two surnames (not a common noun opening a sentence), with "et al." if printed. (The capital is
# looked for before the list of nouns: most words fail that cheaper test.)
_AUTHOR_NAMES = (
    r"(?=(?-i:[A-Z]))(?!(?:Studies|Research|Researchers|Trials|Authors|Patients|Clients|Therapists|Participants|"
    r"Others|They|We|It|He|She|This|These|Those|Most|Many|Some|Results|Findings|Data)\b)(?-i:[A-Z])[\w’'-]+"
    r"(?:\s+(?:and|&)\s+(?-i:[A-Z])[\w’'-]+|\s+et\s+al\.?)?"
)
# "In this large survey ...", "the present study": this work named as such, whatever else the sentence says.
_THIS_STUDY_NAMED = re.compile(
    r"\b(?:in|for|with|from|through)\s+(?:this|their|the\s+(?:current|present|authors[’']?))\s+"
    rf"(?:[\w,-]+\s+){{0,5}}?{_DESIGN_NOUN}\b"
    rf"|\b(?:this|the\s+(?:current|present))\s+(?:[\w-]+\s+){{0,3}}?{_DESIGN_NOUN}\b",
    _I,
)
# "Firth and colleagues estimated ...", "The authors pooled ...": this work by what its authors did,
# unless the sentence is about other work ("Previous studies examined ...").
_THIS_STUDY_BY_AUTHORS = re.compile(
    r"\b(?-i:[A-Z])[\w’'-]+\s+(?:and|&)\s+(?:colleagues|co-?authors|collaborators|associates)\b"
    rf"|\b{_AUTHOR_NAMES}\s+(?:\w+\s+)?{_STUDY_VERB}"
    rf"|\bthe\s+(?:authors|researchers|investigators)\s+(?:\w+\s+)?{_STUDY_VERB}",
    _I,
)
_OTHER_WORK = re.compile(
    r"\b(?:previous|prior|past|earlier|other|existing|recent|older|former|some|many|several|numerous|most|few|"
    r"two|three|four|five|a number of|a few|one pre-[\w-]+|one)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:research|stud(?:y|ies)|work|trials|RCTs|meta-analys[ie]s|reviews|surveys|findings|evidence|literature)\b"
    r"|\b(?:research|studies|trials|RCTs|meta-analyses|reviews|surveys|evidence|literature)\s+(?:has|have|had)?\s*"
    r"(?:shown|show|found|find|demonstrated|demonstrate|suggested|suggest|indicated|indicate|established|reported)\b"
    r"|\bthere (?:is|are|was|were) (?:\w+\s+){0,2}?(?:research|evidence|studies|trials)\b"
    r"|\bin (?:surveys|studies|trials|meta-analyses|reviews)\b"
    r"|\((?-i:[A-Z])[\w’'-]+(?: et al\.?| (?:and|&) (?-i:[A-Z])[\w’'-]+)?,? (?:19|20)\d\d[a-z]?\)",
    _I,
)
# Where one sentence ends and the next begins: ". " before a capital (not after an initial like "U.").
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"(])")
# No post summary is longer; a page that is would be cut here, keeping every step bounded.
_SUMMARY_MAX_CHARS = 50_000


def research_types(title: str, citation: str | None, summary: str, *, is_chapter: bool) -> tuple[str, ...]:
    """The research types of the study a post with this citation line summarises: those of
    :func:`article_research_types` for the line's article title."""
    return article_research_types(title, parse_citation(citation).article_title if citation else None, summary,
                                  is_chapter=is_chapter)


def article_research_types(title: str, article_title: str | None, summary: str, *, is_chapter: bool) -> tuple[str, ...]:
    """The research types of the summarised study, in hierarchy order (see :mod:`search.evidence`).

    The first source that names a design decides, in this order: the article title in the
    citation; the sentences that describe this study and the one after each (its method); the post
    title; the other sentences, except those about other work. Only when none names a design does a
    routine-care setting, in the same order, make the study naturalistic. A book chapter is a "book
    chapter", and also whatever design its own title names.
    """
    article_title = article_title or ""
    if is_chapter:
        return _in_hierarchy_order(_design(f"{article_title} . {title}") + (BOOK_CHAPTER,))
    sources = []
    for text, this_work in _sources(article_title, summary, title):
        sources.append((text, this_work))
        found = _design(text, this_work=this_work)
        if found:
            return _in_hierarchy_order(found)
    for text, this_work in sources:
        found = _design(text, this_work=this_work, settings_count=True)
        if found:
            return _in_hierarchy_order(found)
    return ()


def _sources(article_title: str, summary: str, title: str) -> Iterator[tuple[str, bool]]:
    """The texts that may name the design, in the order they decide, each with whether it is about this
    work itself. Each is read only when those before it name no design (the summary only when the
    article title names none), and a sentence is looked at for other work only when a source needs it."""
    yield article_title, False
    sentences = _SENTENCE_END.split((summary or "")[:_SUMMARY_MAX_CHARS])
    about_other_work = functools.cache(lambda number: _OTHER_WORK.search(sentences[number]) is not None)
    this_study = _about_this_study(sentences, about_other_work)
    yield " ".join(sentences[number] for number in this_study), True
    yield title or "", False
    taken = set(this_study)
    elsewhere = (number for number in range(len(sentences)) if number not in taken and not about_other_work(number))
    yield " ".join(sentences[number] for number in elsewhere), False


def _design(text: str, *, this_work: bool = False, settings_count: bool = False) -> tuple[str, ...]:
    """The design ``text`` names: syntheses first, else the first primary design in precedence order,
    else a review or commentary. ``this_work`` says the text is about this work itself, so that
    "argues" or "discusses" there make it a commentary; with ``settings_count`` a routine-care
    setting makes it naturalistic."""
    text = _OTHER_WORK_MENTION.sub(" ", text)
    if not text.strip():
        return ()
    synthesis = tuple(label for label, pattern in _SYNTHESIS_PATTERNS.items() if pattern.search(text))
    if synthesis:
        return synthesis
    own = _POOLED_MATERIAL.sub(" ", text)
    for label, pattern in _PRIMARY_PATTERNS.items():
        if pattern.search(own):
            return (label,)
    if _QUALITATIVE_WEAK.search(own):
        return (QUALITATIVE,)
    if _REVIEW.search(own):
        return (REVIEW,)
    if _COMMENTARY.search(own) or (this_work and _THIS_WORK_ARGUES.search(own)):
        return (COMMENTARY,)
    if settings_count and _ROUTINE_SETTING.search(own):
        return (NATURALISTIC,)
    return ()


def _about_this_study(sentences: list[str], about_other_work: Callable[[int], bool]) -> list[int]:
    """The numbers of the sentences about this study, each with the sentence after it (unless that one
    is about other work)."""
    found: list[int] = []
    follows_this_study = False
    for number, sentence in enumerate(sentences):
        if _is_this_study(sentence, lambda: about_other_work(number)):
            found.append(number)
            follows_this_study = True
        elif follows_this_study and not about_other_work(number):
            found.append(number)
            follows_this_study = False
        else:
            follows_this_study = False
    return found


def _is_this_study(sentence: str, about_other_work: Callable[[], bool]) -> bool:
    """True when the sentence names this work, or says what its authors did and is not about other
    work, except in an opening clause ("Unlike previous research, Smith and colleagues randomly ...")."""
    if _THIS_STUDY_NAMED.search(sentence):
        return True
    by_authors = _THIS_STUDY_BY_AUTHORS.search(sentence)
    if by_authors is None or not about_other_work():
        return by_authors is not None
    comma = sentence.find(", ")
    return 0 < comma < by_authors.start() and not _OTHER_WORK.search(sentence, comma)


def _in_hierarchy_order(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(labels), key=hierarchy_order))


# --- the site's own labels ------------------------------------------------------------------------------

# The wording of a site's "Type of Research" label that names each hierarchy label.
_SITE_LABEL_WORDS: dict[str, re.Pattern[str]] = {
    META_ANALYSIS: re.compile(r"\bmeta[- ]?analy|\bmeta[- ]?synthes", _I),
    SYSTEMATIC_REVIEW: re.compile(r"\bsystematic\b", _I),
    RCT: re.compile(r"\brandomi[sz]|\bRCTs?\b|\btrials?\b", _I),
    NATURALISTIC: re.compile(r"\bnaturalistic|\bpractice[- ]based|\beffectiveness|\bobservational|\broutine", _I),
    SURVEY: re.compile(r"\bsurvey|\bquestionnaire", _I),
    QUALITATIVE: re.compile(r"\bqualitative|\binterview", _I),
    REVIEW: re.compile(r"(?<!systematic )\breviews?\b|\boverviews?\b", _I),
    COMMENTARY: re.compile(r"\bcommentar|\beditorial|\bopinion|\bessays?\b|\bposition papers?\b", _I),
    BOOK_CHAPTER: re.compile(r"\bchapters?\b|\bbooks?\b", _I),
}
_SITE_LABEL_MAX_CHARS = 200


def site_research_types(label: str) -> tuple[str, ...]:
    """The hierarchy labels a site's "Type of Research" label names, in hierarchy order; () when it
    names none ("Single studies" names no design).

    >>> site_research_types("Meta-analyses and reviews")
    ('meta-analysis', 'review')
    """
    if not isinstance(label, str):
        return ()
    label = label[:_SITE_LABEL_MAX_CHARS]
    return tuple(name for name in RESEARCH_TYPES if name in _SITE_LABEL_WORDS and _SITE_LABEL_WORDS[name].search(label))


def with_site_types(inferred: tuple[str, ...], site: tuple[str, ...]) -> tuple[str, ...]:
    """The research types of a post the site lists under ``site`` labels (from :func:`site_research_types`).

    The site names levels of evidence; inferred types at one of those levels stay (the site's
    "Meta-analyses and reviews" keeps an inferred "systematic review"), the others go, and when
    none is left the site's own labels are the post's types.
    """
    if not site:
        return inferred
    levels = {evidence_level((label,)) for label in site}
    kept = tuple(label for label in inferred if evidence_level((label,)) in levels)
    return _in_hierarchy_order(kept or site)


# --- sample size ------------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
_PEOPLE = (
    r"(?:participants|patients|clients|individuals|people|persons|adults|adolescents|children|youths?|"
    r"students|trainees|therapists|psychotherapists|psychologists|practitioners|clinicians|counsellors|"
    r"counselors|supervisees|veterans|women|men|couples|families|dyads|respondents|outpatients|inpatients)"
)
# "over 26,000 patients", "416 psychotherapists", "2100 American psychologists", "N = 120"
_SAMPLE_SIZE = re.compile(
    rf"\b(?<![\d.,%$]){_NUMBER}(?!\s*(?:%|percent|years|hours|sessions|weeks|months))"
    rf"(?:\s+[A-Za-z][\w-]*){{0,2}}?\s+{_PEOPLE}\b"
    rf"|\b[Nn]\s*=\s*{_NUMBER}\b(?!\s*(?:studies|trials|samples|articles|effect sizes|papers))"
)
# A total stated as such, which wins over the first count: "a total of 2,043", "N = 2,043".
_TOTAL_SAMPLE = re.compile(
    r"\b(?:a\s+total\s+of|total\s+(?:sample|N)\s+(?:of|was|=)|combined\s+sample\s+of|totall?ing)\s+"
    rf"(?:over\s+|more\s+than\s+)?{_NUMBER}"
    rf"(?!\s*(?:%|percent|studies|trials|samples|articles|effect sizes|papers))\b"
    rf"|\bN\s*=\s*{_NUMBER}\b(?!\s*(?:studies|trials|samples|articles|effect sizes|papers))"
)
# "in 2020 patients...": a year, not a count.
_YEAR_BEFORE = re.compile(r"\b(?:in|since|during|by|until|from|of|before|after)\s+(?:19|20)\d\d$", re.I)
# A count that is not the sample: "fewer than 20 participants", "at least 10 patients".
_NOT_THE_SAMPLE_BEFORE = re.compile(r"\b(?:fewer|less)\s+than\s*$|\bat\s+least\s*$|\bminimum\s+of\s*$", re.I)


def sample_size(summary: str) -> int | None:
    """The number of people the summary says were studied: a stated total ("a total of 2,043",
    "N = 2,043", as meta-analyses report it) if any, else the first count of people; never a year,
    a percentage, a number of studies or an inclusion threshold."""
    summary = (summary or "")[:_SUMMARY_MAX_CHARS]
    for pattern in (_TOTAL_SAMPLE, _SAMPLE_SIZE):
        for match in pattern.finditer(summary):
            digits = next(group for group in match.groups() if group)
            start = match.start() + match.group().index(digits)
            number = int(digits.replace(",", ""))
            if number < 2 or _YEAR_BEFORE.search(summary, 0, start + len(digits)):
                continue
            if _NOT_THE_SAMPLE_BEFORE.search(summary, max(0, start - 30), start):
                continue
            return number
    return None
