"""Tests of search.thesaurus: groups find each other, longest match, case-sensitive acronyms, bounds."""

from collections import Counter

import pytest

from search.thesaurus import (
    MAX_EXPANSIONS_PER_QUERY,
    SYNONYM_GROUPS,
    Expansion,
    find_expansions,
)

ALL_PHRASES = [phrase for group in SYNONYM_GROUPS for phrase in group]
GROUP_MEMBERS = [(group, phrase) for group in SYNONYM_GROUPS for phrase in group]


def _is_case_sensitive(phrase):
    return phrase != phrase.lower()


def _in_group_order(group, phrases):
    """``phrases`` in the order the group lists them."""
    return tuple(phrase for phrase in group if phrase in phrases)


@pytest.mark.parametrize(("group", "phrase"), GROUP_MEMBERS, ids=[p for _, p in GROUP_MEMBERS])
def test_each_member_finds_the_rest_of_its_group(group, phrase):
    typed = phrase.split(" ")
    expansions = find_expansions(typed, max_alternatives=100)
    expected_alternatives = {
        other for other in group if other != phrase and not _is_case_sensitive(other)
    }
    assert expansions == [
        Expansion(tuple(word.lower() for word in typed), 0, _in_group_order(group, expected_alternatives))
    ]


def test_no_phrase_is_in_two_groups():
    lowercase_phrases = Counter(phrase.lower() for phrase in ALL_PHRASES)
    duplicates = sorted(phrase for phrase, count in lowercase_phrases.items() if count > 1)
    assert duplicates == []


@pytest.mark.parametrize("phrase", ALL_PHRASES)
def test_phrases_are_clean_lowercase_words_or_capital_acronyms(phrase):
    assert phrase == phrase.strip()
    assert "  " not in phrase
    if _is_case_sensitive(phrase):
        assert phrase.isupper() and " " not in phrase
    else:
        assert phrase == phrase.lower()


def test_every_group_is_a_real_group_and_there_are_enough():
    assert len(SYNONYM_GROUPS) >= 45
    for group in SYNONYM_GROUPS:
        searchable = [phrase for phrase in group if not _is_case_sensitive(phrase)]
        assert len(group) >= 2
        assert searchable, group


def test_longest_match_wins_for_multi_word_phrases():
    expansions = find_expansions(["online", "therapy", "for", "PTSD"])
    assert [(e.matched, e.start) for e in expansions] == [(("online", "therapy"), 0), (("ptsd",), 3)]

    [cbt] = find_expansions(["cognitive", "behavioral", "therapy"])
    assert cbt.matched == ("cognitive", "behavioral", "therapy")
    assert "cbt" in cbt.alternatives

    [rupture] = find_expansions(["alliance", "rupture", "repair"])
    assert rupture.matched == ("alliance", "rupture")
    assert "alliance" not in rupture.alternatives

    [mdd] = find_expansions(["major", "depression"])
    assert mdd.matched == ("major", "depression")
    assert "major depressive disorder" in mdd.alternatives


def test_matches_are_left_to_right_and_do_not_overlap():
    tokens = "CBT versus DBT for BPD with TAU and meta-analysis follow-up".split()
    expansions = find_expansions(tokens)
    starts = [expansion.start for expansion in expansions]
    assert starts == [0, 2, 4, 6, 8, 9]
    for before, after in zip(expansions, expansions[1:]):
        assert before.start + len(before.matched) <= after.start


def test_matched_words_are_the_typed_ones_lowercased():
    [expansion] = find_expansions(["Cognitive", "Behavioural", "Therapy"])
    assert expansion.matched == ("cognitive", "behavioural", "therapy")
    assert "cognitive behavioural therapy" not in expansion.alternatives
    assert "cognitive behavioral therapy" in expansion.alternatives


@pytest.mark.parametrize(
    ("acronym", "phrase"),
    [
        ("ACT", "acceptance and commitment therapy"),
        ("MI", "motivational interviewing"),
        ("CT", "cognitive therapy"),
        ("ROM", "routine outcome monitoring"),
        ("BA", "behavioral activation"),
        ("BED", "binge eating disorder"),
    ],
)
def test_case_sensitive_acronyms_expand_only_in_capitals(acronym, phrase):
    [expansion] = find_expansions([acronym])
    assert expansion.matched == (acronym.lower(),)
    assert phrase in expansion.alternatives
    assert find_expansions([acronym.lower()]) == []
    assert find_expansions([acronym.capitalize()]) == []


@pytest.mark.parametrize("phrase", ["acceptance and commitment therapy", "motivational interviewing", "cognitive therapy"])
def test_case_sensitive_acronyms_are_never_offered_as_alternatives(phrase):
    [expansion] = find_expansions(phrase.split(" "), max_alternatives=100)
    lowercase_alternatives = {alternative.lower() for alternative in expansion.alternatives}
    assert not lowercase_alternatives & {"act", "mi", "ct", "rom", "ba", "bed", "est"}


def test_acronyms_that_are_not_words_ignore_case():
    for typed in (["cbt"], ["CBT"], ["Cbt"], ["ptsd"], ["PTSD"]):
        assert len(find_expansions(typed)) == 1


@pytest.mark.parametrize(
    "tokens",
    [["therapy"], ["psychotherapy"], ["online"], ["act", "now"], ["clients", "who", "cancel"], [], ["?"], [""]],
)
def test_words_that_are_no_entry_give_no_expansion(tokens):
    assert find_expansions(tokens) == []


def test_therapy_and_psychotherapy_are_not_equivalent():
    for group in SYNONYM_GROUPS:
        assert not {"therapy", "psychotherapy"} <= set(group)
        assert "online" not in group


def test_surrounding_punctuation_is_ignored():
    [expansion] = find_expansions(["(CBT)?"])
    assert expansion.matched == ("cbt",)
    [acronym] = find_expansions(["ACT,"])
    assert acronym.matched == ("act",)


@pytest.mark.parametrize("max_alternatives", [0, 1, 3, 8])
def test_alternatives_are_bounded(max_alternatives):
    for phrase in ALL_PHRASES:
        for expansion in find_expansions(phrase.split(" "), max_alternatives=max_alternatives):
            assert len(expansion.alternatives) <= max_alternatives


def test_default_bound_is_eight_alternatives():
    [telehealth] = find_expansions(["telehealth"])
    assert len(telehealth.alternatives) == 8


def test_expansions_per_query_are_bounded():
    tokens = ["cbt", "dbt", "ptsd", "gad", "mdd", "bpd", "ocd", "adhd", "emdr", "iapt", "nhs", "rct"] * 3
    expansions = find_expansions(tokens)
    assert len(expansions) == MAX_EXPANSIONS_PER_QUERY == 10
    assert [expansion.start for expansion in expansions] == list(range(10))


def test_alternatives_never_repeat_the_typed_phrase():
    for phrase in ALL_PHRASES:
        for expansion in find_expansions(phrase.split(" "), max_alternatives=100):
            assert " ".join(expansion.matched) not in expansion.alternatives
            assert len(set(expansion.alternatives)) == len(expansion.alternatives)
