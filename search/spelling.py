"""British/American spelling folding for the search analyzer.

``fold_spelling`` maps one lowercase token to its American spelling, so that
"behaviour" and "behavior", "randomised" and "randomized", or "counselling"
and "counseling" become the same indexed term.  It runs on every token of
every document, before the Snowball stemmer, in both the indexing and the
query analyzer.

Folding is conservative: a word is changed only when it is a known British
variant.  Each suffix rule comes with a frozenset of words it must not touch
(``"advise"``, ``"hour"``, ``"acre"``, ``"controlled"`` ...), and irregular
pairs (``"programme"``, ``"grey"``, ``"whilst"`` ...) are listed one by one.
American words and words that are not spelling variants come back unchanged.
"""

import functools

# Irregular pairs, every inflection spelled out.
IRREGULAR_SPELLINGS: dict[str, str] = {
    "programme": "program",
    "programmes": "programs",
    "grey": "gray",
    "greys": "grays",
    "greyed": "grayed",
    "greying": "graying",
    "greyish": "grayish",
    "greyness": "grayness",
    "ageing": "aging",
    "judgement": "judgment",
    "judgements": "judgments",
    "judgemental": "judgmental",
    "nonjudgemental": "nonjudgmental",
    "acknowledgement": "acknowledgment",
    "acknowledgements": "acknowledgments",
    "cheque": "check",
    "cheques": "checks",
    "chequered": "checkered",
    "practise": "practice",
    "practised": "practiced",
    "practises": "practices",
    "practising": "practicing",
    "defence": "defense",
    "defences": "defenses",
    "defenceless": "defenseless",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "pretence": "pretense",
    "pretences": "pretenses",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "catalogued": "cataloged",
    "cataloguing": "cataloging",
    "analogue": "analog",
    "analogues": "analogs",
    "sceptic": "skeptic",
    "sceptics": "skeptics",
    "sceptical": "skeptical",
    "sceptically": "skeptically",
    "scepticism": "skepticism",
    "mould": "mold",
    "moulds": "molds",
    "moulded": "molded",
    "moulding": "molding",
    "mouldy": "moldy",
    "smoulder": "smolder",
    "smouldering": "smoldering",
    "plough": "plow",
    "ploughs": "plows",
    "ploughed": "plowed",
    "ploughing": "plowing",
    "tyre": "tire",
    "tyres": "tires",
    "aluminium": "aluminum",
    "draught": "draft",
    "draughts": "drafts",
    "draughty": "drafty",
    "draughtsman": "draftsman",
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
    "artefact": "artifact",
    "artefacts": "artifacts",
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
    "gaol": "jail",
    "pyjamas": "pajamas",
    "cosy": "cozy",
    "sulphur": "sulfur",
    "moustache": "mustache",
    "aeroplane": "airplane",
    "aeroplanes": "airplanes",
}

VOWELS = frozenset("aeiou")


def _has_vowel(text: str) -> bool:
    """True if ``text`` contains a vowel letter (``y`` counts, except first)."""
    return any(letter in VOWELS for letter in text) or "y" in text[1:]


# --- -ise/-ize and -isation/-ization ------------------------------------

# Endings that may follow the "is" of an -ise verb, with the -ize form.
ISE_ENDINGS = (
    "isationally", "isational", "isations", "isation",
    "isable", "isers", "ising", "ised", "ises", "iser", "ise",
)

# -ise words (in their base form) that are spelled -ise in American too.
ISE_EXCEPTIONS = frozenset({
    "advertise", "advise", "anise", "apprise", "arise", "chastise", "cerise",
    "chemise", "circumcise", "comprise", "compromise", "concise", "crise",
    "demise", "despise", "devise", "excise", "exercise", "exorcise",
    "expertise", "franchise", "improvise", "incise", "merchandise", "mise",
    "mortise", "paradise", "precise", "premise", "promise", "remise",
    "reprise", "revise", "rise", "sunrise", "moonrise", "supervise",
    "surmise", "surprise", "televise", "treatise", "uprise", "valise",
    "enterprise", "disenfranchise", "enfranchise",
})

# Endings that mark a non-variant -ise word whatever precedes them
# ("otherwise", "stepwise", "revise", "unsurprise"...).
ISE_EXCEPTION_ENDINGS = ("wise", "vise", "prise")

# Prefixes stripped before looking a word up in ISE_EXCEPTIONS
# ("unpromising" -> "promise", "overexercised" -> "exercise").
NEGATION_AND_DEGREE_PREFIXES = ("un", "re", "dis", "pre", "over", "under", "self", "non", "mis")

MIN_ISE_BASE_LENGTH = 6  # "ionise"; shorter -ise words are never variants


def _is_ise_exception(base: str) -> bool:
    if base.endswith(ISE_EXCEPTION_ENDINGS) or base in ISE_EXCEPTIONS:
        return True
    return any(
        base.startswith(prefix) and base[len(prefix):] in ISE_EXCEPTIONS
        for prefix in NEGATION_AND_DEGREE_PREFIXES
    )


def _fold_ise(word: str) -> str | None:
    for ending in ISE_ENDINGS:
        if not word.endswith(ending):
            continue
        stem = word[: -len(ending)]
        base = stem + "ise"
        # -ize verbs always have a consonant before the suffix: this leaves
        # out raise, praise, noise, poise, cruise, bruise, disguise...
        if len(base) < MIN_ISE_BASE_LENGTH or stem[-1] in VOWELS or _is_ise_exception(base):
            return None
        return stem + "iz" + ending[2:]
    return None


# --- -yse/-yze ---------------------------------------------------------

# "-lyses" is left out on purpose: "analyses", "paralyses" are also the
# plurals of "analysis", "paralysis", spelled so in American too.
YSE_ENDINGS = ("lysers", "lysing", "lysed", "lyser", "lyse")


def _fold_yse(word: str) -> str | None:
    for ending in YSE_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] + "lyz" + ending[3:]
    return None


# --- -our/-or ----------------------------------------------------------

OUR_ENDINGS = (
    "ouritism", "ourites", "ourite", "ourably", "ourable", "ourally",
    "ouration", "ourhoods", "ourhood", "ourless", "ourers", "ourer",
    "ouring", "ourism", "ourists", "ourist", "ourful", "oural", "ourant",
    "ourly", "oured", "ours", "our",
)

# -our words (base form) spelled -our in American too.
OUR_EXCEPTIONS = frozenset({
    "flour", "scour", "amour", "paramour", "devour", "detour", "contour",
    "velour", "tambour", "troubadour", "glamour", "pompadour", "bonjour",
    "seymour", "gilmour", "balfour", "barbour", "latour", "lamour",
})

MIN_OUR_BASE_LENGTH = 5  # "odour"; four, hour, your, tour, pour... are shorter


def _fold_our(word: str) -> str | None:
    for ending in OUR_ENDINGS:
        if not word.endswith(ending):
            continue
        stem = word[: -len(ending)]
        base = stem + "our"
        if len(base) < MIN_OUR_BASE_LENGTH or base in OUR_EXCEPTIONS:
            return None
        return stem + "or" + ending[3:]
    return None


# --- -re/-er -----------------------------------------------------------

# Endings after the "re" of centre/fibre/meagre/ochre; "-red" only after
# "t" (centred, mitred) since "inbred", "purebred" are different words.
RE_ENDINGS = ("res", "red", "re")
RE_PRECEDING_CONSONANTS = frozenset("btgh")

# -re words spelled -re in American too, or whose -er form is another word
# ("timbre"/"timber", "hatred").
RE_EXCEPTIONS = frozenset({
    "macabre", "timbre", "ogre", "maugre", "euchre", "notre", "maitre",
    "lettre", "outre", "sartre", "ombre", "hombre", "hatre",
})

MIN_RE_BASE_LENGTH = 5  # "fibre", "metre", "litre", "sabre"


def _fold_re(word: str) -> str | None:
    for ending in RE_ENDINGS:
        if not word.endswith(ending):
            continue
        stem = word[: -len(ending)]
        base = stem + "re"
        if (
            len(base) < MIN_RE_BASE_LENGTH
            or stem[-1] not in RE_PRECEDING_CONSONANTS
            or (ending == "red" and stem[-1] != "t")
            or base in RE_EXCEPTIONS
        ):
            return None
        return stem + "er" + ending[2:]
    return None


# --- doubled l: counselling/counseling ---------------------------------

DOUBLED_L_ENDINGS = ("llings", "lling", "lled", "llers", "ller", "llors", "llor")

# One-syllable -ll words (and final-stress roots) whose compounds keep the
# double l in American: "storytelling", "upskilled", "installed",
# "controlled", "compelling".  "sell", "bell", "cell", "well", "tall" are
# missing on purpose: they are also the ends of coun-sel, la-bel, can-cel,
# je-wel, to-tal, whose compounds are handled in DOUBLED_L_EXCEPTIONS.
ONE_SYLLABLE_LL_ROOTS = frozenset({
    "ball", "bill", "call", "chill", "dill", "drill", "droll", "dull", "dwell",
    "fall", "fell", "fill", "gall", "grill", "hall", "hill", "kill", "knell",
    "knoll", "mill", "pall", "pell", "poll", "pull", "quell", "quill", "roll",
    "scroll", "shell", "skill", "smell", "spell", "spill", "squall", "stall",
    "still", "stroll", "swell", "tell", "thrall", "thrill", "till", "toll",
    "troll", "wall", "will", "yell",
})

# Words with a doubled l that American spells the same way.
DOUBLED_L_EXCEPTIONS = frozenset({
    "excelled", "excelling", "rebelled", "rebelling", "chancellor",
    "chancellors", "bestseller", "bestsellers", "bestselling", "reseller",
    "resellers", "reselling", "outselling", "upselling", "overselling",
    "underselling",
})


def _final_syllable_onset(stem: str) -> int:
    """Index where the consonants before the stem's final vowel begin."""
    index = len(stem) - 1
    while index > 0 and stem[index - 1] not in VOWELS and stem[index - 1] != "y":
        index -= 1
    return index


def _fold_doubled_l(word: str) -> str | None:
    if word in DOUBLED_L_EXCEPTIONS:
        return None
    for ending in DOUBLED_L_ENDINGS:
        if not word.endswith(ending):
            continue
        stem = word[: -len(ending)]  # "counse" of "counselling"
        # Only an unstressed final syllable (counsel, travel, dial) drops
        # its l in American: the stem ends in a vowel and has another
        # vowel before it (so one-syllable "spell", "call" stay).
        if len(stem) < 3 or stem[-1] not in "aeio" or not _has_vowel(stem[:-1]):
            return None
        if stem[_final_syllable_onset(stem[:-1]):] + "ll" in ONE_SYLLABLE_LL_ROOTS:
            return None
        return stem + ending[1:]
    return None


# --- ae/oe -> e in medical and scientific words ------------------------

# Each British fragment is replaced wherever it occurs in a word.
LIGATURE_FRAGMENTS: tuple[tuple[str, str], ...] = (
    ("aemi", "emi"),        # anaemia, leukaemia, ischaemic, hypoglycaemia
    ("haem", "hem"),        # haematology, haemorrhage, haemoglobin
    ("anaes", "anes"),      # anaesthesia, anaesthetist
    ("paed", "ped"),        # paediatric, orthopaedic, encyclopaedia
    ("gynaec", "gynec"),    # gynaecology
    ("aetiol", "etiol"),    # aetiology, aetiological
    ("palaeo", "paleo"),    # palaeontology
    ("mediaev", "mediev"),  # mediaeval
    ("oestr", "estr"),      # oestrogen, oestradiol
    ("oesoph", "esoph"),    # oesophagus
    ("foet", "fet"),        # foetus, foetal
    ("oedem", "edem"),      # oedema
    ("coeliac", "celiac"),
    ("homoeo", "homeo"),    # homoeopathy
    ("rrhoea", "rrhea"),    # diarrhoea, gonorrhoea, amenorrhoea
    ("pnoea", "pnea"),      # apnoea, dyspnoea
)


def _fold_ligatures(word: str) -> str | None:
    if "ae" not in word and "oe" not in word:
        return None
    folded = word
    for british, american in LIGATURE_FRAGMENTS:
        folded = folded.replace(british, american)
    return folded if folded != word else None


SUFFIX_RULES = (_fold_ise, _fold_yse, _fold_our, _fold_re, _fold_doubled_l)


@functools.lru_cache(maxsize=65536)
def fold_spelling(word: str) -> str:
    """Return the American spelling of one lowercase token.

    Words that are not British variants are returned unchanged.
    """
    if word in IRREGULAR_SPELLINGS:
        return IRREGULAR_SPELLINGS[word]
    folded = _fold_ligatures(word) or word
    for rule in SUFFIX_RULES:
        suffix_folded = rule(folded)
        if suffix_folded is not None:
            return suffix_folded
    return folded
