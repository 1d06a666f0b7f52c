"""Table-driven tests of search.spelling_variants: British spellings fold to American, nothing else moves."""

import pytest

from search.spelling_variants import IRREGULAR_SPELLINGS, fold_spelling

# (british, american): both must fold to the American form.
VARIANT_PAIRS = [
    # -ise/-ize and its inflections
    ("organise", "organize"),
    ("organised", "organized"),
    ("organises", "organizes"),
    ("organising", "organizing"),
    ("organisation", "organization"),
    ("organisations", "organizations"),
    ("organisational", "organizational"),
    ("organiser", "organizer"),
    ("randomised", "randomized"),
    ("randomisation", "randomization"),
    ("mentalise", "mentalize"),
    ("mentalising", "mentalizing"),
    ("mentalisation", "mentalization"),
    ("recognise", "recognize"),
    ("recognisable", "recognizable"),
    ("realise", "realize"),
    ("realisation", "realization"),
    ("emphasise", "emphasize"),
    ("summarise", "summarize"),
    ("characterise", "characterize"),
    ("characterised", "characterized"),
    ("prioritise", "prioritize"),
    ("conceptualise", "conceptualize"),
    ("conceptualisation", "conceptualization"),
    ("operationalise", "operationalize"),
    ("standardise", "standardize"),
    ("standardised", "standardized"),
    ("normalise", "normalize"),
    ("utilise", "utilize"),
    ("utilisation", "utilization"),
    ("minimise", "minimize"),
    ("maximise", "maximize"),
    ("categorise", "categorize"),
    ("hospitalise", "hospitalize"),
    ("hospitalisation", "hospitalization"),
    ("internalise", "internalize"),
    ("internalising", "internalizing"),
    ("externalise", "externalize"),
    ("externalising", "externalizing"),
    ("stigmatise", "stigmatize"),
    ("apologise", "apologize"),
    ("criticise", "criticize"),
    ("specialise", "specialize"),
    ("specialised", "specialized"),
    ("generalise", "generalize"),
    ("generalisability", "generalizability"),
    ("socialise", "socialize"),
    ("symbolise", "symbolize"),
    ("individualise", "individualize"),
    ("individualised", "individualized"),
    ("visualise", "visualize"),
    ("finalise", "finalize"),
    ("memorise", "memorize"),
    ("sensitise", "sensitize"),
    ("desensitise", "desensitize"),
    ("desensitisation", "desensitization"),
    ("traumatise", "traumatize"),
    ("traumatised", "traumatized"),
    ("hypothesise", "hypothesize"),
    ("hypothesised", "hypothesized"),
    ("relativise", "relativize"),
    ("cognisant", "cognizant"),
    ("patronisingly", "patronizingly"),
    # -yse/-yze
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("analysing", "analyzing"),
    ("paralyse", "paralyze"),
    ("paralysed", "paralyzed"),
    ("catalyse", "catalyze"),
    # -our/-or
    ("behaviour", "behavior"),
    ("behaviours", "behaviors"),
    ("behavioural", "behavioral"),
    ("behaviourally", "behaviorally"),
    ("behaviourism", "behaviorism"),
    ("colour", "color"),
    ("coloured", "colored"),
    ("colourful", "colorful"),
    ("favour", "favor"),
    ("favourable", "favorable"),
    ("favourite", "favorite"),
    ("honour", "honor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("neighbourhood", "neighborhood"),
    ("humour", "humor"),
    ("rumour", "rumor"),
    ("tumour", "tumor"),
    ("vigour", "vigor"),
    ("rigour", "rigor"),
    ("harbour", "harbor"),
    ("endeavour", "endeavor"),
    ("endeavours", "endeavors"),
    ("savour", "savor"),
    ("odour", "odor"),
    ("armour", "armor"),
    ("clamour", "clamor"),
    ("candour", "candor"),
    ("demeanour", "demeanor"),
    ("misdemeanour", "misdemeanor"),
    ("colourised", "colorized"),
    # -re/-er
    ("centre", "center"),
    ("centres", "centers"),
    ("centred", "centered"),
    ("centring", "centering"),
    ("epicentre", "epicenter"),
    ("theatre", "theater"),
    ("fibre", "fiber"),
    ("metre", "meter"),
    ("centimetre", "centimeter"),
    ("litre", "liter"),
    ("calibre", "caliber"),
    ("meagre", "meager"),
    ("sombre", "somber"),
    ("spectre", "specter"),
    ("lustre", "luster"),
    ("manoeuvre", "maneuver"),
    ("manoeuvring", "maneuvering"),
    # doubled l
    ("counselling", "counseling"),
    ("counselled", "counseled"),
    ("counsellor", "counselor"),
    ("counsellors", "counselors"),
    ("travelled", "traveled"),
    ("travelling", "traveling"),
    ("traveller", "traveler"),
    ("modelling", "modeling"),
    ("modelled", "modeled"),
    ("labelled", "labeled"),
    ("labelling", "labeling"),
    ("cancelled", "canceled"),
    ("signalling", "signaling"),
    ("fuelled", "fueled"),
    ("levelled", "leveled"),
    ("totalling", "totaling"),
    ("channelled", "channeled"),
    ("trialled", "trialed"),
    ("dialled", "dialed"),
    ("councillor", "councilor"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("skilful", "skillful"),
    ("wilful", "willful"),
    ("instalment", "installment"),
    # ae/oe -> e
    ("anaemia", "anemia"),
    ("anaesthesia", "anesthesia"),
    ("haematology", "hematology"),
    ("paediatric", "pediatric"),
    ("paediatrics", "pediatrics"),
    ("paediatrician", "pediatrician"),
    ("orthopaedic", "orthopedic"),
    ("oesophagus", "esophagus"),
    ("oestrogen", "estrogen"),
    ("foetus", "fetus"),
    ("foetal", "fetal"),
    ("diarrhoea", "diarrhea"),
    ("gynaecology", "gynecology"),
    ("leukaemia", "leukemia"),
    ("encyclopaedia", "encyclopedia"),
    ("aetiology", "etiology"),
    ("aetiological", "etiological"),
    ("haemorrhage", "hemorrhage"),
    ("oedema", "edema"),
    ("ischaemic", "ischemic"),
    ("hypoglycaemia", "hypoglycemia"),
    ("homoeopathy", "homeopathy"),
    ("coeliac", "celiac"),
    ("dyspnoea", "dyspnea"),
    # irregular pairs and British roots
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("judgemental", "judgmental"),
    ("acknowledgement", "acknowledgment"),
    ("cheque", "check"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practising", "practicing"),
    ("defence", "defense"),
    ("defences", "defenses"),
    ("offence", "offense"),
    ("licence", "license"),
    ("pretence", "pretense"),
    ("catalogue", "catalog"),
    ("analogue", "analog"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("mould", "mold"),
    ("plough", "plow"),
    ("tyre", "tire"),
    ("aluminium", "aluminum"),
    ("draught", "draft"),
    ("kerb", "curb"),
    ("storey", "story"),
    ("storeys", "stories"),
    ("whilst", "while"),
    ("amongst", "among"),
    ("artefact", "artifact"),
    ("speciality", "specialty"),
    ("enquiry", "inquiry"),
    ("orientated", "oriented"),
    ("learnt", "learned"),
    ("sulphur", "sulfur"),
    ("jewellery", "jewelry"),
    ("marvellous", "marvelous"),
]

# Words that are not British variants: they must come back as they are.
UNCHANGED_WORDS = [
    # -ise words spelled -ise in American too
    "advise", "advised", "adviser", "revise", "revised", "supervise", "supervised",
    "supervision", "supervisor", "exercise", "exercises", "compromise", "uncompromising",
    "enterprise", "expertise", "franchise", "promise", "promising", "premise", "premises",
    "surprise", "surprisingly", "wise", "otherwise", "likewise", "rise", "rising", "arise",
    "raise", "praise", "noise", "poise", "cruise", "bruise", "disguise", "precise",
    "precisely", "concise", "paradise", "advertise", "improvise", "devise", "televise",
    "comprise", "despise", "chastise", "merchandise", "treatise", "sunrise", "crises",
    "analyses", "analysis", "paralysis", "size", "prize", "seize",
    # -our words spelled -our in American too
    "four", "hour", "hours", "hourly", "your", "yours", "our", "ours", "tour", "tourism",
    "pour", "poured", "flour", "sour", "detour", "contour", "troubadour", "glamour",
    "devour", "scour", "courage", "encourage", "encouragement", "journal",
    # -re words spelled -re in American too (or another word as -er)
    "acre", "massacre", "mediocre", "genre", "ogre", "lucre", "macabre", "cadre", "timbre",
    "are", "more", "here", "there", "where", "were", "before", "require", "care", "share",
    "hatred", "inbred", "string", "hamstring", "centered",
    # doubled l kept in American too
    "called", "filled", "spelling", "telling", "selling", "dwelling", "willing",
    "compelling", "excelled", "propelled", "rebelled", "controlled", "enrolled",
    "installed", "fulfilled", "storytelling", "bestseller", "upskilled", "recalled",
    "appalling", "chancellor", "cancellation", "excellent", "all", "well", "will", "still",
    "small", "skill", "full", "ill", "bell",
    # ae/oe words that are not variants
    "aesthetic", "algae", "aerobic", "shoestring", "does", "goes", "poem", "coefficient",
    "heroes", "oedipal",
    # American spellings and plain words
    "is", "was", "his", "this", "house", "cause", "because", "pause", "use", "base", "case",
    "police", "practice", "practiced", "program", "behavior", "color", "center", "analyze",
    "counseling", "organize", "dialogue", "dialog", "monologue", "therapy", "client",
]


@pytest.mark.parametrize(("british", "american"), VARIANT_PAIRS)
def test_british_and_american_fold_to_the_american_form(british, american):
    assert fold_spelling(british) == american
    assert fold_spelling(american) == american


@pytest.mark.parametrize("word", UNCHANGED_WORDS)
def test_words_that_are_not_variants_are_unchanged(word):
    assert fold_spelling(word) == word


@pytest.mark.parametrize("american", sorted(set(IRREGULAR_SPELLINGS.values())))
def test_every_irregular_target_is_a_fixed_point(american):
    assert fold_spelling(american) == american


@pytest.mark.parametrize(("british", "american"), VARIANT_PAIRS)
def test_folding_is_idempotent(british, american):
    assert fold_spelling(fold_spelling(british)) == fold_spelling(british)


def test_tables_are_big_enough():
    assert len(VARIANT_PAIRS) >= 120
    assert len(UNCHANGED_WORDS) >= 60
    assert len({british for british, _ in VARIANT_PAIRS}) == len(VARIANT_PAIRS)


def test_results_are_memoised():
    fold_spelling.cache_clear()
    fold_spelling("behaviour")
    fold_spelling("behaviour")
    assert fold_spelling.cache_info().hits >= 1


def test_empty_and_odd_tokens_are_returned_as_they_are():
    for token in ("", "a", "ll", "re", "ise", "our", "2019", "ptsd", "x-ray"):
        assert fold_spelling(token) == token
