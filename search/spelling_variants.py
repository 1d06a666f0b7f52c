"""British/American spelling folding for the search analyzer.

``fold_spelling`` maps one lowercase token to its American spelling, so that
"behaviour" and "behavior", "randomised" and "randomized", or "counselling"
and "counseling" become the same indexed term.  It runs on every token of
every document, before the Snowball stemmer, in both the indexing and the
query analyzer.

Folding is conservative: a word is changed only when it is a British
variant.  Three layers do the work:

* ``IRREGULAR_SPELLINGS``: pairs listed one by one ("grey", "whilst",
  "practise", "catalogue", "fulfil"...);
* ``FRAGMENTS_ANYWHERE`` and its kin: British roots replaced wherever they
  occur ("haem", "paed", "oestr", "plough", "judgement", "defence"...);
* suffix rules (-our, -ise, -yse, -re, doubled l), each with frozensets of
  words it must not touch ("advise", "hour", "acre", "controlled"...).

American words and words that are not spelling variants come back unchanged.
The rules were checked against the Debian British and American word lists.
"""

import functools
import re

# Irregular pairs, every inflection spelled out.
IRREGULAR_SPELLINGS: dict[str, str] = {
    "grey": "gray",
    "greys": "grays",
    "greyed": "grayed",
    "greying": "graying",
    "greyish": "grayish",
    "greyness": "grayness",
    "ageing": "aging",
    "cheque": "check",
    "cheques": "checks",
    "chequered": "checkered",
    "practise": "practice",
    "practised": "practiced",
    "practises": "practices",
    "practising": "practicing",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "catalogued": "cataloged",
    "cataloguing": "cataloging",
    "analogue": "analog",
    "analogues": "analogs",
    "tyre": "tire",
    "tyres": "tires",
    "aluminium": "aluminum",
    "kerb": "curb",
    "kerbs": "curbs",
    "storey": "story",
    "storeys": "stories",
    "whilst": "while",
    "amongst": "among",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "manoeuvred": "maneuvered",
    "manoeuvring": "maneuvering",
    "manoeuvrable": "maneuverable",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "enrol": "enroll",
    "enrols": "enrolls",
    "enrolment": "enrollment",
    "enrolments": "enrollments",
    "instil": "instill",
    "instils": "instills",
    "distil": "distill",
    "distils": "distills",
    "enthral": "enthrall",
    "enthrals": "enthralls",
    "appal": "appall",
    "appals": "appalls",
    "skilful": "skillful",
    "skilfully": "skillfully",
    "unskilful": "unskillful",
    "wilful": "willful",
    "wilfully": "willfully",
    "instalment": "installment",
    "instalments": "installments",
    "marvellous": "marvelous",
    "marvellously": "marvelously",
    "jewellery": "jewelry",
    "woollen": "woolen",
    "tranquillity": "tranquility",
    "tranquilliser": "tranquilizer",
    "tranquillisers": "tranquilizers",
    "tranquillizer": "tranquilizer",
    "tranquillizers": "tranquilizers",
    "speciality": "specialty",
    "specialities": "specialties",
    "maths": "math",
    "orientated": "oriented",
    "orientate": "orient",
    "orientating": "orienting",
    "enquire": "inquire",
    "enquired": "inquired",
    "enquires": "inquires",
    "enquiring": "inquiring",
    "enquiry": "inquiry",
    "enquiries": "inquiries",
    "learnt": "learned",
    "unlearnt": "unlearned",
    "dreamt": "dreamed",
    "spoilt": "spoiled",
    "burnt": "burned",
    "leant": "leaned",
    "pyjamas": "pajamas",
    "cosy": "cozy",
    "moustache": "mustache",
    "aeroplane": "airplane",
    "aeroplanes": "airplanes",
    "chequebook": "checkbook",
    "chequebooks": "checkbooks",
    "unpractised": "unpracticed",
    "meagre": "meager",
    "meagrely": "meagerly",
    "meagreness": "meagerness",
    "carolled": "caroled",
    "carolling": "caroling",
    "libellous": "libelous",
    "enthralment": "enthrallment",
    "skilfulness": "skillfulness",
    "woollens": "woolens",
    "manoeuvrability": "maneuverability",
    "furore": "furor",
    "furores": "furors",
    "cypher": "cipher",
    "cyphers": "ciphers",
    "liquorice": "licorice",
    "pyjama": "pajama",
}

VOWELS = frozenset("aeiou")


def _has_vowel(text: str) -> bool:
    """True if ``text`` contains a vowel letter (``y`` counts, except first)."""
    return any(letter in VOWELS for letter in text) or "y" in text[1:]


def _ends_with_any(word: str, endings: frozenset[str]) -> bool:
    return any(word.endswith(ending) for ending in endings)


def _matching_ending(word: str, endings: tuple[str, ...]) -> str | None:
    """The first of ``endings`` (longest first) that ``word`` ends with."""
    if not word.endswith(endings):
        return None
    return next(ending for ending in endings if word.endswith(ending))


# --- fragments: ae/oe -> e and British word roots -----------------------

# British roots replaced wherever they occur in a word, so that derived
# forms follow: "haematological", "paediatrician", "snowplough",
# "mouldering", "downdraught", "defenceless".
FRAGMENTS_ANYWHERE: dict[str, str] = {
    "aemi": "emi",            # anaemia, leukaemia, ischaemic, hypoglycaemia
    "haem": "hem",            # haematology, haemorrhage, haemoglobin
    "anaes": "anes",          # anaesthesia, anaesthetist
    "aesthesi": "esthesi",    # synaesthesia, kinaesthesia, paraesthesia
    "kinaesthet": "kinesthet",
    "paed": "ped",            # paediatric, orthopaedic, encyclopaedia
    "gynaec": "gynec",        # gynaecology
    "aetiol": "etiol",        # aetiology, aetiological
    "faec": "fec",            # faeces, faecal
    "palaeo": "paleo",        # palaeontology
    "mediaev": "mediev",      # mediaeval
    "eudaemon": "eudemon",    # eudaemonia, eudaemonic
    "foet": "fet",            # foetus, foetal
    "oedem": "edem",          # oedema, lymphoedema
    "homoeo": "homeo",        # homoeopathy
    "rrhoe": "rrhe",          # diarrhoea, gonorrhoea, amenorrhoeic
    "pnoe": "pne",            # apnoea, dyspnoea
    "mould": "mold",          # mould, moulded, smouldering, remould
    "moult": "molt",
    "plough": "plow",         # plough, ploughman, snowplough
    "draught": "draft",       # draught, downdraught, draughtsman
    "gaol": "jail",           # gaol, gaoler
    "sulph": "sulf",          # sulphur, sulphate, sulphuric
    "judgement": "judgment",  # judgemental, prejudgement
    "acknowledgement": "acknowledgment",
    "defence": "defense",     # defences, defenceless
    "offence": "offense",
    "licence": "license",     # licences, licenced
    "pretence": "pretense",
    "sceptic": "skeptic",     # sceptical, scepticism
    "artefact": "artifact",
}
# Roots replaced only at the start of a word ("shoestring", "exchequer").
FRAGMENTS_AT_START: dict[str, str] = {
    "oestr": "estr",          # oestrogen, oestradiol
    "oesoph": "esoph",        # oesophagus
    "coeliac": "celiac",
    "chequer": "checker",     # chequered, chequerboard
}
# Endings replaced at the end of a word: programme, kilogramme, milligrammes.
FRAGMENTS_AT_END: dict[str, str] = {
    "gramme": "gram",
    "grammes": "grams",
}


def _fold_fragments(word: str) -> str:
    for british, american in FRAGMENTS_ANYWHERE.items():
        if british in word:
            word = word.replace(british, american)
    for british, american in FRAGMENTS_AT_START.items():
        if word.startswith(british):
            word = american + word[len(british):]
    for british, american in FRAGMENTS_AT_END.items():
        if word.endswith(british):
            word = word[: -len(british)] + american
    return word


# --- -our/-or ----------------------------------------------------------

# What may follow the "our" of colour/behaviour/neighbour in a derived word.
OUR_TAILS = frozenset({
    "", "s", "ed", "ing", "ings", "er", "ers", "y", "ies", "ier", "iest",
    "ily", "iness", "able", "ably", "ableness", "ite", "ites", "itism",
    "ful", "fully", "fulness", "less", "lessly", "lessness", "ly", "liness",
    "hood", "hoods", "al", "ally", "ism", "ist", "ists", "istic", "ation",
    "ations", "ant", "ants", "ee", "ees", "some", "ise", "ised", "ises",
    "ising", "isation",
})

# Endings of -our words that American spells -our too ("flour", "cornflour",
# "tour", "ecotourism", "glamour", "devour").  "pour" and "dour" are not
# here because they end "vapour" and "odour": their compounds are exact.
OUR_EXCEPTION_ENDINGS = frozenset({
    "four", "hour", "your", "tour", "flour", "scour", "sour", "devour",
    "velour", "tambour", "jour",
})
# Exact bases: "amour" ends "clamour", "pour" ends "vapour".
OUR_EXCEPTIONS = frozenset({
    "amour", "paramour", "glamour", "troubadour", "pompadour", "pandour",
    "downpour", "inpour", "outpour", "cavour", "giaour", "parkour", "seymour", "gilmour", "balfour", "barbour",
    "latour", "carrefour",
})

MIN_OUR_BASE_LENGTH = 5  # "odour"; four, hour, your, tour, pour... are shorter

OUR_WORD = re.compile(r"^(?P<stem>[a-z]+)our(?P<tail>[a-z]*)$")


def _fold_our(word: str) -> str:
    match = OUR_WORD.match(word)
    if match is None or match["tail"] not in OUR_TAILS:
        return word
    base = match["stem"] + "our"
    if (
        len(base) < MIN_OUR_BASE_LENGTH
        or base in OUR_EXCEPTIONS
        or _ends_with_any(base, OUR_EXCEPTION_ENDINGS)
    ):
        return word
    return match["stem"] + "or" + match["tail"]


# --- -ise/-ize and -isation/-ization ------------------------------------

# Endings that may follow the "is" of an -ise verb; "is" becomes "iz".
ISE_ENDINGS = (
    "isationally", "isational", "isations", "isation", "isements", "isement",
    "isingly", "isances", "isance", "isants", "isant", "isability", "isably", "isable",
    "isers", "ising", "ised", "ises", "iser", "ise",
)

# Endings of -ise words (base form) spelled -ise in American too; as
# endings they also cover compounds ("unpromising", "immunocompromised").
ISE_EXCEPTION_ENDINGS = frozenset({
    "wise",                                     # otherwise, likewise, clockwise
    "dvise", "evise", "rvise", "ovise",         # advise, revise, supervise, improvise
    "prise",                                    # surprise, enterprise, comprise
    "advertise", "chastise", "circumcise", "compromise", "concise",
    "demise", "despise", "excise", "exercise", "exorcise", "expertise",
    "franchise", "incise", "merchandise", "paradise", "precise", "premise",
    "promise", "surmise", "treatise", "valise",
    "practise",                                 # irregular: practise -> practice
})
# Exact bases: "rise", "mise", "mortise" cannot be endings ("summarise",
# "minimise", "amortise" are variants).  Shorter words (rise, arise, anise,
# crise of "crises") are already left alone by MIN_ISE_BASE_LENGTH.
ISE_EXCEPTIONS = frozenset({
    "sunrise", "moonrise", "highrise", "uprise", "remise", "chemise",
    "cerise", "mortise", "denise", "cochise", "soubise",
    # "-ises" plurals of -is nouns: penises, pelvises, trellises, metropolises
    "penise", "pelvise", "clitorise", "epidermise", "mantise", "chrysalise",
    "haggise", "cannabise", "trellise", "verdigrise", "metropolise",
    "acropolise", "megalopolise",
})

MIN_ISE_BASE_LENGTH = 6  # "ionise"; shorter -ise words are never variants


def _fold_ise(word: str) -> str:
    ending = _matching_ending(word, ISE_ENDINGS)
    if ending is None:
        return word
    stem = word[: -len(ending)]
    base = stem + "ise"
    # -ize verbs always have a consonant before the suffix: this leaves
    # out raise, praise, noise, poise, cruise, bruise, disguise...
    if (
        len(base) < MIN_ISE_BASE_LENGTH
        or stem[-1] in VOWELS
        or base in ISE_EXCEPTIONS
        or _ends_with_any(base, ISE_EXCEPTION_ENDINGS)
    ):
        return word
    return stem + "iz" + ending[2:]


# --- -yse/-yze ---------------------------------------------------------

# "-lyses" is left out on purpose: "analyses", "paralyses" are also the
# plurals of "analysis", "paralysis", spelled so in American too.
YSE_ENDINGS = ("lysable", "lysers", "lysing", "lysed", "lyser", "lyse")


def _fold_yse(word: str) -> str:
    ending = _matching_ending(word, YSE_ENDINGS)
    if ending is None or len(word) < len(ending) + 2:  # "analyse", not "lyse"
        return word
    return word[: -len(ending)] + "lyz" + ending[3:]


# --- -re/-er -----------------------------------------------------------

# British ending after the consonant of centre/fibre/ochre -> American one.
RE_ENDINGS = {"res": "ers", "red": "ered", "ring": "ering", "re": "er"}
RE_PRECEDING_CONSONANTS = frozenset("bth")  # centre, fibre, ochre ("meagre" is irregular)

# -re words spelled -re in American too, or whose -er form is another word
# ("timbre"/"timber"); by ending, so that "montmartre" is covered.
RE_EXCEPTION_ENDINGS = frozenset({
    "macabre", "timbre", "euchre", "notre", "maitre", "martre", "sartre",
    "chartre", "lettre", "outre", "antre", "quatre",
})
# Exact bases only: "sombre" ends in "ombre", "hatred" is hat-red.
RE_EXCEPTIONS = frozenset({"ombre", "hombre", "hatre"})

MIN_RE_BASE_LENGTH = 5  # "fibre", "metre", "litre", "sabre"


def _fold_re(word: str) -> str:
    british_ending = _matching_ending(word, tuple(RE_ENDINGS))
    if british_ending is None:
        return word
    stem = word[: -len(british_ending)]
    base = stem + "re"
    if (
        len(base) < MIN_RE_BASE_LENGTH
        or stem[-1] not in RE_PRECEDING_CONSONANTS
        # centred, mitred, centring; not inbred, hatred, hamstring
        or (british_ending in ("red", "ring") and (stem[-1] != "t" or stem.endswith("st")))
        or base in RE_EXCEPTIONS
        or _ends_with_any(base, RE_EXCEPTION_ENDINGS)
    ):
        return word
    return stem + RE_ENDINGS[british_ending]


# --- doubled l: counselling/counseling ---------------------------------

DOUBLED_L_ENDINGS = (
    "llorships", "llorship", "llings", "lling", "llists", "llist",
    "lled", "llers", "ller", "llors", "llor",
)

# One-syllable -ll words (and final-stress -pel roots) whose compounds keep
# the double l in American: "storytelling", "upskilled", "installed",
# "controlled", "enrolled", "compelling".  "sell", "bell", "cell", "well",
# "tall", "hall" are left out: they also end coun-sel, la-bel, can-cel,
# je-wel, to-tal, mars-hal, whose l is dropped in American.
ONE_SYLLABLE_LL_ROOTS = frozenset({
    "ball", "bill", "call", "chill", "drill", "droll", "dwell", "fall",
    "fell", "fill", "grill", "hill", "kill", "knell", "knoll", "mill", "pall",
    "pell", "poll", "quell", "quill", "roll", "scroll", "shell", "skill",
    "smell", "spell", "spill", "squall", "stall", "still", "stroll", "swell",
    "tell", "thrall", "thrill", "till", "toll", "troll", "wall", "will",
    "yell",
})

# Bases (the word up to its first l) of final-stress and other words that
# keep the double l in American: excelled, rebelled, corralled, surveilled,
# chancellor, bestseller.
DOUBLED_L_EXCEPTION_BASES = frozenset({
    "excel", "unexcel", "rebel", "corral", "surveil", "chancel", "bestsel",
    "booksel", "resel", "outsel", "upsel", "oversel", "undersel", "upwel",
    "violoncel",
})


def _fold_doubled_l(word: str) -> str:
    ending = _matching_ending(word, DOUBLED_L_ENDINGS)
    if ending is None:
        return word
    stem = word[: -len(ending)]  # "counse" of "counselling"
    # Only an unstressed final syllable (counsel, travel, dial) drops its l
    # in American: the stem ends in a vowel and has another vowel before it
    # (so one-syllable "spell", "call" stay).
    if (
        len(stem) < 3
        or stem[-1] not in "aeio"
        or not _has_vowel(stem[:-1])
        or stem + "l" in DOUBLED_L_EXCEPTION_BASES
        or _ends_with_any(stem + "ll", ONE_SYLLABLE_LL_ROOTS)
    ):
        return word
    return stem + ending[1:]


# Applied in this order, each to the output of the one before, so that
# "colourised" becomes "colorised" and then "colorized".
SUFFIX_RULES = (_fold_our, _fold_ise, _fold_yse, _fold_re, _fold_doubled_l)


@functools.lru_cache(maxsize=65536)
def fold_spelling(word: str) -> str:
    """Return the American spelling of one lowercase token.

    Words that are not British variants are returned unchanged.
    """
    if word in IRREGULAR_SPELLINGS:
        return IRREGULAR_SPELLINGS[word]
    folded = _fold_fragments(word)
    for rule in SUFFIX_RULES:
        folded = rule(folded)
    return folded
