"""Text analysis end to end through a real index of hand-made posts.

British and American spellings meet in both directions (document and query), compounds meet,
every thesaurus group named in issue 3 meets its long forms at a lower weight than the typed word,
phrases stay exact, and stop and question words do not drown the content words.
"""
from __future__ import annotations

import pytest

from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index

FILLER = "qqfill"  # a neutral word used to give posts of a group the same length


def _post(post_id: str, *, title: str = "", summary: str = "", implications: str = "", **extra) -> Post:
    return Post(
        id=post_id,
        url=None,
        issue_date=extra.pop("issue_date", "2021-01"),
        title=title or "Untitled note",
        summary=summary,
        implications=implications,
        **extra,
    )


def _engine(tmp_path_factory, name: str, posts: list[Post]) -> SearchEngine:
    root = tmp_path_factory.mktemp(name)
    write_index(posts, root)
    return SearchEngine(root)


def _ids(engine: SearchEngine, query: str, page_size: int = 50) -> list[str]:
    response = engine.search(SearchRequest(query=query, page_size=page_size))
    return [hit.post.id for hit in response.hits]


# ---------------------------------------------------------------------------------------------
# British / American spelling folding
# ---------------------------------------------------------------------------------------------
SPELLING_PAIRS = [
    ("behaviour", "behavior"),
    ("behaviours", "behaviors"),
    ("counselling", "counseling"),
    ("counsellors", "counselors"),
    ("mentalisation", "mentalization"),
    ("randomised", "randomized"),
    ("organisation", "organization"),
    ("centre", "center"),
    ("programme", "program"),
]


def _folding_posts() -> list[Post]:
    posts = []
    for british, american in SPELLING_PAIRS:
        posts.append(_post(f"gb-{british}", summary=f"The authors examined {british} among trainees."))
        posts.append(_post(f"us-{american}", summary=f"The authors examined {american} among trainees."))
    # Compounds: each written one way only.
    posts.append(_post("compound-hyphen", summary="Clinicians rated their well-being weekly."))
    posts.append(_post("compound-closed", summary="Clinicians rated their wellbeing weekly."))
    posts.append(_post("compound-open", summary="Clinicians rated their well being weekly."))
    # A British spelling in the title and practice implications, not only in the summary.
    posts.append(_post("gb-title", title="Paediatric counselling centres", summary="A survey of staff."))
    posts.append(_post("gb-implications", summary="A survey of managers.", implications="Programmes should be evaluated."))
    return posts


@pytest.fixture(scope="module")
def folding_engine(tmp_path_factory):
    engine = _engine(tmp_path_factory, "folding", _folding_posts())
    yield engine
    engine.close()


@pytest.mark.parametrize(("british", "american"), SPELLING_PAIRS)
def test_american_query_finds_british_document_and_vice_versa(folding_engine, british, american):
    both = {f"gb-{british}", f"us-{american}"}
    assert both <= set(_ids(folding_engine, american))
    assert both <= set(_ids(folding_engine, british))


@pytest.mark.parametrize(("british", "american"), SPELLING_PAIRS)
def test_both_spellings_find_the_same_posts(folding_engine, british, american):
    assert set(_ids(folding_engine, british)) == set(_ids(folding_engine, american))


@pytest.mark.parametrize("query", ["counseling", "counselling", "centers", "programs"])
def test_british_spelling_in_title_or_implications_is_folded(folding_engine, query):
    expected = {"counseling": "gb-title", "counselling": "gb-title", "centers": "gb-title", "programs": "gb-implications"}
    assert expected[query] in _ids(folding_engine, query)


def test_title_prefix_folds_spelling(folding_engine):
    assert _ids(folding_engine, "title:counseling") == ["gb-title"]
    assert _ids(folding_engine, "title:centers") == ["gb-title"]


def test_phrase_with_british_spelling_matches_american_text(folding_engine):
    behaviour_posts = {"gb-behaviour", "us-behavior", "gb-behaviours", "us-behaviors"}  # one stem
    assert set(_ids(folding_engine, '"examined behaviour"')) == behaviour_posts
    assert set(_ids(folding_engine, '"examined behaviors"')) == behaviour_posts
    assert set(_ids(folding_engine, '"examined randomized"')) == {"gb-randomised", "us-randomized"}


COMPOUND_IDS = {"compound-hyphen", "compound-closed", "compound-open"}


@pytest.mark.parametrize("query", ["well-being", "wellbeing", "well being", '"well-being"', '"wellbeing"', '"well being"'])
def test_compounds_meet_in_every_direction(folding_engine, query):
    assert set(_ids(folding_engine, query)) == COMPOUND_IDS


def test_compound_phrase_keeps_the_following_word_adjacent(folding_engine):
    """Splitting "wellbeing" into two positions must not break a phrase that continues after it."""
    assert set(_ids(folding_engine, '"wellbeing weekly"')) == COMPOUND_IDS
    assert set(_ids(folding_engine, '"their well-being weekly"')) == COMPOUND_IDS


# ---------------------------------------------------------------------------------------------
# Thesaurus: every group named in issue 3
# ---------------------------------------------------------------------------------------------
# Each group: the distinct written forms (each analyses to different terms); one post per form.
THESAURUS_GROUPS: dict[str, list[str]] = {
    "cbt": ["CBT", "cognitive behavioral therapy"],
    "dbt": ["DBT", "dialectical behavior therapy"],
    "ipt": ["IPT", "interpersonal psychotherapy"],
    "pdt": ["PDT", "psychodynamic therapy"],
    "eft": ["EFT", "emotion-focused therapy"],
    "act": ["ACT", "acceptance and commitment therapy"],
    "mbt": ["MBT", "mentalization-based treatment"],
    "ptsd": ["PTSD", "posttraumatic stress disorder"],
    "gad": ["GAD", "generalized anxiety disorder"],
    "mdd": ["MDD", "major depressive disorder"],
    "bpd": ["BPD", "borderline personality disorder"],
    "rct": ["RCT", "randomized controlled trial"],
    "tau": ["TAU", "treatment as usual"],
    "tele": ["telepsychology", "teletherapy", "telehealth", "videoconference", "online therapy"],
    "burnout": ["burnout", "burned out"],
    "dropout": ["dropout", "attrition", "premature termination"],
}
# Other spellings a person types, with the form whose post must rank first.
EXTRA_TYPED = {
    "cbt": [("cognitive behavioural therapy", "cognitive behavioral therapy"), ("cbt", "CBT")],
    "dropout": [("drop-out", "dropout"), ("drop out", "dropout")],
    "gad": [("generalised anxiety disorder", "generalized anxiety disorder")],
    "rct": [("randomised controlled trial", "randomized controlled trial")],
    "burnout": [("burn-out", "burned out")],  # "burn-out" and "burned out" stem alike
}
_WORDS_PER_POST = 12


def _thesaurus_post(group: str, index: int, form: str) -> Post:
    sentence = f"Outcomes with {form} were tracked"
    padding = [FILLER] * (_WORDS_PER_POST - len(sentence.split()))
    return _post(f"syn-{group}-{index}", title=f"Report {index}", summary=" ".join([sentence, *padding]) + ".")


def _thesaurus_posts() -> list[Post]:
    return [_thesaurus_post(group, i, form) for group, forms in THESAURUS_GROUPS.items() for i, form in enumerate(forms)]


@pytest.fixture(scope="module")
def thesaurus_engine(tmp_path_factory):
    engine = _engine(tmp_path_factory, "thesaurus", _thesaurus_posts())
    yield engine
    engine.close()


THESAURUS_CASES = [
    (group, typed, forms.index(typed)) for group, forms in THESAURUS_GROUPS.items() for typed in forms
] + [
    (group, typed, THESAURUS_GROUPS[group].index(own)) for group, extras in EXTRA_TYPED.items() for typed, own in extras
]


# "ACT" is matched only in capitals and never offered as an alternative (lowercase "act" is the
# verb), so the long form does not bring in the posts that write "ACT": by design (search/thesaurus.py).
NOT_OFFERED = {("act", "acceptance and commitment therapy"): {"syn-act-0"}}


@pytest.mark.parametrize(("group", "typed", "own"), THESAURUS_CASES, ids=[f"{g}:{t}" for g, t, _ in THESAURUS_CASES])
def test_thesaurus_group_meets_and_the_typed_form_ranks_first(thesaurus_engine, group, typed, own):
    """Every post of the group is found; the post that writes what was typed scores above the posts
    found only through the expansion (which must weigh less than the typed word)."""
    response = thesaurus_engine.search(SearchRequest(query=typed, page_size=50))
    scores = {hit.post.id: hit.score for hit in response.hits}
    group_ids = [f"syn-{group}-{i}" for i in range(len(THESAURUS_GROUPS[group]))]
    expected = [post_id for post_id in group_ids if post_id not in NOT_OFFERED.get((group, typed), set())]
    missing = [THESAURUS_GROUPS[group][group_ids.index(post_id)] for post_id in expected if post_id not in scores]
    assert not missing, f"{typed!r} does not find the posts that write {missing}"
    own_id = group_ids[own]
    outranking = {
        THESAURUS_GROUPS[group][group_ids.index(post_id)]: round(scores[post_id], 3)
        for post_id in expected
        if post_id != own_id and scores[post_id] >= scores[own_id]
    }
    assert not outranking, (
        f"{typed!r} (score {scores[own_id]:.3f}) is outscored by posts that write only {outranking}: "
        "the expansion should weigh less than the typed word"
    )


def test_expansion_stays_inside_its_group(thesaurus_engine):
    """"CBT" must not bring in DBT or IPT posts just because they also say "therapy"."""
    assert set(_ids(thesaurus_engine, "CBT")) == {"syn-cbt-0", "syn-cbt-1"}
    assert set(_ids(thesaurus_engine, "PTSD")) == {"syn-ptsd-0", "syn-ptsd-1"}


def test_lowercase_act_is_the_verb_not_the_therapy(thesaurus_engine):
    assert "syn-act-1" not in _ids(thesaurus_engine, "act")


# ---------------------------------------------------------------------------------------------
# Phrases and questions
# ---------------------------------------------------------------------------------------------
def _phrase_and_question_posts() -> list[Post]:
    """An attrition post that never writes "drop out", and distractors that each hold one content word
    of the question (in the summary) among many stop and question words."""
    return [
        _post("three-level", summary="Outcomes were estimated with a three-level model of clients within therapists."),
        _post("levels-of-three", summary="Outcomes were estimated with a model of three levels of patients and therapists."),
        _post(
            "attrition",
            title="Predicting attrition from outpatient psychotherapy",
            summary="Attrition was high: one client in three had a premature termination of treatment.",
            implications="Ask about expectations at intake to reduce attrition.",
        ),
        _post(
            "question-words",
            title="What, who, how and why?",
            summary="What do they do, who does what, how and why do they do it, and when should they do it?",
            implications="When in doubt, ask who does what and how.",
        ),
        _post(
            "early-only",
            title="Session notes",
            summary="What happens early, who says what, and how do they see it when it is all over?",
        ),
        _post(
            "clients-only",
            title="Voices",
            summary="What do clients want? Who are they, what do they say, and how would they know?",
        ),
        _post("helps-only", title="Peer support", summary="Peer support helps supervisors who feel alone."),
        _post("unrelated", title="Supervision of trainees", summary="Supervisors who reflect do better."),
    ]


@pytest.fixture(scope="module")
def prose_engine(tmp_path_factory):
    engine = _engine(tmp_path_factory, "prose", _phrase_and_question_posts())
    yield engine
    engine.close()


def test_phrase_matches_the_exact_sequence_only(prose_engine):
    assert _ids(prose_engine, '"three-level model"') == ["three-level"]
    assert _ids(prose_engine, '"three level model"') == ["three-level"]
    assert _ids(prose_engine, '"model of three levels"') == ["levels-of-three"]


def test_unquoted_words_match_both_orders(prose_engine):
    assert {"three-level", "levels-of-three"} <= set(_ids(prose_engine, "three-level model"))


def test_a_question_ranks_the_attrition_post_first(prose_engine):
    found = _ids(prose_engine, "what helps clients who drop out early?")
    assert found and found[0] == "attrition", found


def test_question_words_alone_do_not_rank_a_post_above_content(prose_engine):
    found = _ids(prose_engine, "what helps with attrition?")
    assert found[0] == "attrition", found


# ---------------------------------------------------------------------------------------------
# Field weights survive quoting and expansion
# ---------------------------------------------------------------------------------------------
def _weight_posts() -> list[Post]:
    body = "Sessions were held weekly for a year with families"
    advice = "Plan sessions with families in mind"
    return [
        _post("w-title", title="Telehealth in rural clinics", summary=f"{body}.", implications=f"{advice}."),
        _post("w-summary", title="Rural clinics", summary=f"Telehealth: {body}.", implications=f"{advice}."),
        _post("w-plain", title="Rural clinics", summary=f"{body}.", implications=f"{advice}."),
        _post("w-other", title="Supervision", summary="Supervisors reflect on trainees.", implications="Reflect more."),
    ]


@pytest.fixture(scope="module")
def weights_engine(tmp_path_factory):
    engine = _engine(tmp_path_factory, "weights", _weight_posts())
    yield engine
    engine.close()


def test_a_title_match_outranks_a_summary_match(weights_engine):
    assert _ids(weights_engine, "telehealth") == ["w-title", "w-summary"]


def test_quoting_one_word_keeps_the_field_weights(weights_engine):
    """'"telehealth"' is the word telehealth: the title match must still weigh more than the summary's."""
    assert _ids(weights_engine, '"telehealth"') == ["w-title", "w-summary"]


@pytest.mark.parametrize("typed", ["telepsychology", "teletherapy"])
def test_a_one_word_alternative_keeps_the_field_weights(weights_engine, typed):
    """Found through the thesaurus, "telehealth" in a title still weighs more than in a summary."""
    assert _ids(weights_engine, typed) == ["w-title", "w-summary"]


# ---------------------------------------------------------------------------------------------
# The analysis fingerprint: any change to what the chain does rebuilds the index
# ---------------------------------------------------------------------------------------------
def _fresh_fingerprint() -> str:
    from search import analysis, spelling_variants

    caches = (spelling_variants.fold_spelling, analysis.word_terms, analysis.terms_of_word)
    for cached in caches:
        cached.cache_clear()
    try:
        return analysis.analysis_fingerprint()
    finally:
        for cached in caches:
            cached.cache_clear()


def test_the_fingerprint_is_stable():
    from search.store import fingerprint

    assert _fresh_fingerprint() == fingerprint()


def test_a_changed_folding_rule_changes_the_fingerprint(monkeypatch):
    from search import spelling_variants

    before = _fresh_fingerprint()
    monkeypatch.setitem(spelling_variants.IRREGULAR_SPELLINGS, "whilst", "whilest")
    assert _fresh_fingerprint() != before


def test_a_changed_spelling_table_changes_the_fingerprint(monkeypatch):
    """Every table of data/spelling_variants.toml counts, not only the irregular pairs."""
    from search import spelling_variants

    before = _fresh_fingerprint()
    monkeypatch.setitem(spelling_variants.TABLES["fragments_anywhere"], "qqbrit", "qqamer")
    assert _fresh_fingerprint() != before


def test_a_changed_suffix_rule_changes_the_fingerprint(monkeypatch):
    """A rule changed in code (not a table): seen through the probe text only."""
    from search import spelling_variants

    before = _fresh_fingerprint()
    monkeypatch.setattr(spelling_variants, "SUFFIX_RULES", spelling_variants.SUFFIX_RULES[1:])  # no -our rule
    assert _fresh_fingerprint() != before


def test_a_new_stop_word_changes_the_fingerprint(monkeypatch):
    from search import analysis

    before = _fresh_fingerprint()
    monkeypatch.setattr(analysis, "STOP_AND_QUESTION_WORDS", analysis.STOP_AND_QUESTION_WORDS | {"therapy"})
    assert _fresh_fingerprint() != before


def test_a_new_thesaurus_entry_changes_the_fingerprint(monkeypatch):
    from search import thesaurus

    before = _fresh_fingerprint()
    monkeypatch.setattr(thesaurus, "SYNONYM_GROUPS", thesaurus.SYNONYM_GROUPS + (("qqalpha", "qqbeta therapy"),))
    assert _fresh_fingerprint() != before


def test_another_stemmer_changes_the_fingerprint(monkeypatch):
    from search import stemming

    before = _fresh_fingerprint()
    stemming.stem.cache_clear()
    monkeypatch.setattr(stemming, "_SNOWBALL", type("Identity", (), {"stem": staticmethod(lambda word: word)})())
    try:
        assert _fresh_fingerprint() != before
    finally:
        stemming.stem.cache_clear()


def test_an_index_with_another_fingerprint_is_not_current(index_root, monkeypatch):
    """`python run.py` rebuilds: the build's "is the index current" check sees the fingerprint."""
    from pathlib import Path

    from indexer.build import index_is_current
    from search import store

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert index_is_current(corpus, index_root)
    monkeypatch.setattr(store, "fingerprint", lambda: "another-chain")
    assert not index_is_current(corpus, index_root)


def test_the_chain_is_a_pipeline_of_filters():
    from whoosh.analysis import RegexTokenizer

    from search.analysis import ConceptFilter, ContentAnalyzer, TermsFilter, content_analyzer

    analyzer = content_analyzer()
    assert isinstance(analyzer, ContentAnalyzer)
    assert [type(item) for item in analyzer.items] == [RegexTokenizer, TermsFilter, ConceptFilter]
    assert [token.text for token in analyzer("The counsellors' wellbeing")] == ["counsel", "well", "be"]


@pytest.mark.parametrize(("text", "positions"), [
    ("the alliance in the first session", [("allianc", 1), ("first", 2), ("session", 3)]),  # from the first kept word's place
    ("wellbeing of a client", [("well", 0), ("be", 1), ("client", 2)]),  # a compound's parts in a row
    ("a b c therapy", [("therapi", 3)]),
])
def test_positions_count_the_terms_kept_from_the_first_words_place(text, positions):
    from search.analysis import content_analyzer

    tokens = content_analyzer()(text, positions=True)
    assert [(token.text, token.pos) for token in tokens] == positions
