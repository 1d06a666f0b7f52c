"""The thesaurus (search.thesaurus, data/thesaurus.txt): groups find each other by their analysed
terms, the longest phrase wins, acronyms in capitals are case-sensitive, alternatives are bounded."""
import re

import pytest

from search.analysis import phrase_terms
from search.query import THESAURUS
from search.thesaurus import SYNONYM_GROUPS, is_case_sensitive

ALL_PHRASES = [phrase for group in SYNONYM_GROUPS for phrase in group]
GROUP_MEMBERS = [(group, phrase) for group in SYNONYM_GROUPS for phrase in group]


@pytest.mark.parametrize(("group", "phrase"), GROUP_MEMBERS, ids=[p for _, p in GROUP_MEMBERS])
def test_each_member_finds_the_rest_of_its_group(group, phrase):
    expansion = THESAURUS.match(phrase.split(" "), max_alternatives=100)
    assert expansion is not None and expansion.matched == tuple(word.lower() for word in phrase.split(" "))
    expected = [other for other in group if not is_case_sensitive(other) and phrase_terms(other) != phrase_terms(phrase)]
    assert list(expansion.alternatives) == expected[:100]


def test_no_two_groups_share_a_phrase():
    """Phrases meet by their terms: no two groups may hold phrases of the same terms (a phrase with a
    one-letter word, which the analysis drops, meets by its words: "c-ptsd" is not "ptsd")."""
    groups_of_terms: dict[tuple, set[int]] = {}
    for index, group in enumerate(SYNONYM_GROUPS):
        for phrase in group:
            if not is_case_sensitive(phrase) and not any(len(piece) == 1 for piece in re.split(r"\W+", phrase)):
                groups_of_terms.setdefault(phrase_terms(phrase), set()).add(index)
    assert sorted(terms for terms, groups in groups_of_terms.items() if len(groups) > 1) == []


@pytest.mark.parametrize("phrase", ALL_PHRASES)
def test_phrases_are_clean_lowercase_words_or_capital_acronyms(phrase):
    assert phrase == phrase.strip() and "  " not in phrase
    if is_case_sensitive(phrase):
        assert phrase.isupper() and " " not in phrase
    else:
        assert phrase == phrase.lower() and phrase_terms(phrase)


def test_every_group_is_a_real_group():
    assert len(SYNONYM_GROUPS) >= 80
    for group in SYNONYM_GROUPS:
        assert len(group) >= 2 and any(not is_case_sensitive(phrase) for phrase in group), group


@pytest.mark.parametrize(("typed", "matched", "alternative"), [
    ("online therapy for PTSD", "online therapy", "telehealth"),
    ("cognitive behavioral therapy", "cognitive behavioral therapy", "cbt"),
    ("alliance rupture repair", "alliance rupture", "rupture"),
    ("major depression", "major depression", "major depressive disorder"),
    # Typed words meet a phrase by their terms: inflections, derivations and spellings.
    ("emotionally exhausted therapists", "emotionally exhausted", "burnout"),
    ("burning out", "burning out", "burnout"),
    ("quitting therapy early", "quitting therapy", "dropout"),
    ("Cognitive Behavioural Therapy", "cognitive behavioural therapy", "cbt"),
    ("e-therapy", "e-therapy", "telehealth"),
])
def test_the_longest_phrase_of_analysed_words_wins(typed, matched, alternative):
    expansion = THESAURUS.match(typed.split())
    assert expansion.matched == tuple(matched.split()) and alternative in expansion.alternatives


@pytest.mark.parametrize("typed", ["how many clients quit", "the alliance with", "does supervision help"])
def test_a_phrase_neither_starts_nor_ends_with_a_stop_word(typed):
    expansion = THESAURUS.match(typed.split())
    assert expansion is None or expansion.matched[0] not in ("how", "the", "does")


@pytest.mark.parametrize(("acronym", "phrase"), [
    ("ACT", "acceptance and commitment therapy"), ("MI", "motivational interviewing"), ("CT", "cognitive therapy"),
    ("ROM", "routine outcome monitoring"), ("BA", "behavioral activation"), ("BED", "binge eating disorder"),
])
def test_case_sensitive_acronyms_expand_only_in_capitals(acronym, phrase):
    expansion = THESAURUS.match([acronym])
    assert expansion.matched == (acronym.lower(),) and phrase in expansion.alternatives
    assert THESAURUS.match([acronym.lower()]) is None and THESAURUS.match([acronym.capitalize()]) is None


@pytest.mark.parametrize("phrase", ["acceptance and commitment therapy", "motivational interviewing", "cognitive therapy"])
def test_case_sensitive_acronyms_are_never_offered_as_alternatives(phrase):
    expansion = THESAURUS.match(phrase.split(" "), max_alternatives=100)
    assert not {alternative.lower() for alternative in expansion.alternatives} & {"act", "mi", "ct", "rom", "ba", "bed", "est"}


@pytest.mark.parametrize("typed", [["cbt"], ["CBT"], ["Cbt"], ["ptsd"], ["PTSD"], ["(CBT)?"]])
def test_acronyms_that_are_not_words_ignore_case_and_punctuation(typed):
    assert THESAURUS.match(typed).matched in (("cbt",), ("ptsd",))


@pytest.mark.parametrize("tokens", [["therapy"], ["psychotherapy"], ["online"], ["act", "now"], [], ["?"], [""]])
def test_words_that_are_no_entry_give_no_expansion(tokens):
    assert THESAURUS.match(tokens) is None


def test_therapy_and_psychotherapy_are_not_equivalent():
    for group in SYNONYM_GROUPS:
        assert not {"therapy", "psychotherapy"} <= set(group) and "online" not in group


@pytest.mark.parametrize("max_alternatives", [0, 1, 3, 8])
def test_alternatives_are_bounded_and_never_repeat_the_typed_phrase(max_alternatives):
    for phrase in ALL_PHRASES:
        expansion = THESAURUS.match(phrase.split(" "), max_alternatives=max_alternatives)
        assert len(expansion.alternatives) <= max_alternatives
        assert " ".join(expansion.matched) not in expansion.alternatives
        assert len(set(expansion.alternatives)) == len(expansion.alternatives)
