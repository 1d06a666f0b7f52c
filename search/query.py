"""Query understanding: what a user typed -> a Whoosh query that never raises.

Plain words search the catch-all field (every prose field, weighted by repetition: see schema) with
so a clinician's question works as a query (stop and question words are dropped by the analyzer).
``author:``, ``journal:``, ``year:``, ``topic:``, ``type:``, ``title:``, ``implications:``, quoted
phrases, AND/OR/NOT and ``-word`` are Whoosh syntax. Before parsing, the text is lexed so that plain
words can be cleaned (stray wildcards, trailing question marks) and expanded with the thesaurus
(lower weight than the typed words); a DOI typed alone becomes an exact DOI look-up. Anything the
parser rejects falls back to the plain words alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from whoosh import qparser
from whoosh.query import AndNot, Not, NullQuery, Or, Phrase, Query, Term

from search.analysis import CONCEPTS, STOP_AND_QUESTION_WORDS, ContentAnalyzer, concept_term, content_analyzer
from search.schema import FIELD_ALIASES, PLAIN_WORD_FIELDS, build_schema
from search.thesaurus import find_expansions

MAX_QUERY_CHARS = 500
EXPANSION_WEIGHT = 0.7
LOOSE_WORDS_WEIGHT = 0.4
MAX_ALTERNATIVES = 10
_ALTERNATIVES_CONSIDERED = 32
_ANALYZER = content_analyzer()
_WORD = re.compile(r"\w+")
# How much matching one more word of a long question counts (Whoosh OrGroup factor).
_OR_BONUS = 0.9

_DOI_ALONE = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s\"<>]+?)[.,;]?\s*$", re.I)
_LEXEME = re.compile(
    r"""(?P<fielded>[A-Za-z_][\w.-]*:(?:"[^"]*"?|[\[{][^\]}]*[\]}]?|[^\s()"]*))"""
    r"""|(?P<phrase>"[^"]*"?)"""
    r"""|(?P<paren>[()])"""
    r"""|(?P<word>[^\s()"]+)"""
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_SYNTAX_CHARACTERS = re.compile(r"[\^~\[\]{}\\]")
_MIN_PREFIX_LETTERS = 3
# Wildcard words per query: each expands to every matching term (one "the*" scores nearly every post).
MAX_WILDCARD_WORDS = 3
# Ranges only over years: a range over words ("summary:[a TO zzz]") expands to every term (6 s on 10,000 posts).
_RANGE_FIELDS = frozenset({"year", *FIELD_ALIASES["year"]})
_ONE_WORD_IN_QUOTES = re.compile(r'^"[^\s"\-]+"$')
_SPELLABLE = re.compile(r"^[^\W\d_]{3,}$")


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready to run, with what the engine needs to explain it."""

    query: Query
    text: str                      # the text searched (cut to MAX_QUERY_CHARS)
    plain_words: tuple[str, ...]   # words typed outside fields and phrases, for "Did you mean"
    notice: str | None = None      # something the user should be told (query cut, syntax ignored)
    # Analysed terms worth marking in snippets: what was typed (not negated) and one-word synonyms.
    # Words of multi-word synonyms are left out: "out" of "burned out" alone is no match to show.
    highlight_terms: frozenset[str] = frozenset()
    relaxed: Query | None = None   # the any-word query, when ``query`` requires a share of the words

    @property
    def is_empty(self) -> bool:
        return self.query is NullQuery


@lru_cache(maxsize=1024)
def parse_query(text: str) -> ParsedQuery:
    """Parse anything a user can type. Never raises. (Cached: Whoosh's parser is slow, queries repeat.)"""
    notice = None
    text = text.replace("\x00", " ").strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notice = f"Your query was long, so only its first {MAX_QUERY_CHARS} characters were searched."
    doi = _DOI_ALONE.match(text)
    if doi:
        return ParsedQuery(Term("doi", doi.group(1).lower()), text, (), notice)
    lexemes = _lex(text)
    plain_words = tuple(word for kind, word in lexemes if kind == "word" and _SPELLABLE.match(word))
    rewritten, highlight_terms = _rewrite(lexemes)
    try:
        query = _concepts_as_terms(_negations_exclude(_parser().parse(rewritten)))
    except Exception:  # Whoosh raises IndexError, AssertionError, RecursionError... on odd syntax
        words_only = " ".join(word for kind, word in lexemes if kind == "word")
        notice = "Some of the search syntax could not be understood, so the words were searched on their own."
        try:
            query = _parser().parse(words_only)
        except Exception:
            query = NullQuery
    return ParsedQuery(query, text, tuple(dict.fromkeys(plain_words)), notice, frozenset(highlight_terms))


def spelling_candidates(parsed: ParsedQuery) -> list[str]:
    """Plain words worth checking for typos (no stop words, no numbers)."""
    return [word for word in parsed.plain_words if word.lower() not in STOP_AND_QUESTION_WORDS]


def replace_words(text: str, corrections: dict[str, str]) -> str:
    """The query text with whole plain words replaced (for "Did you mean")."""
    def swap(match: re.Match) -> str:
        word = match.group(0)
        if match.lastgroup != "word":
            return word
        core = word.rstrip("?!.,;")
        return corrections.get(core, core) + word[len(core):]

    return _LEXEME.sub(swap, text)


_CONCEPT_FIELDS = frozenset(
    name for name, field in build_schema().items() if isinstance(getattr(field, "analyzer", None), ContentAnalyzer)
)


@lru_cache(maxsize=1)
def _parser() -> qparser.QueryParser:
    parser = qparser.QueryParser(None, build_schema(), group=qparser.OrGroup.factory(_OR_BONUS))
    parser.add_plugin(qparser.MultifieldPlugin(tuple(PLAIN_WORD_FIELDS), fieldboosts=PLAIN_WORD_FIELDS))
    parser.add_plugin(qparser.FieldAliasPlugin({field: list(aliases) for field, aliases in FIELD_ALIASES.items()}))
    parser.remove_plugin_class(qparser.FuzzyTermPlugin)
    return parser


def _concepts_as_terms(query: Query) -> Query:
    """An exact phrase of the thesaurus becomes its concept term, indexed as one (search.analysis):
    one posting list read instead of a positional match over every document with the words."""
    if isinstance(query, Phrase):
        words = tuple(query.words)
        if query.slop == 1 and words in CONCEPTS and query.fieldname in _CONCEPT_FIELDS:
            return Term(query.fieldname, concept_term(words), boost=query.boost)
        return query
    return query if query.is_leaf() else query.apply(_concepts_as_terms)


def _negations_exclude(query: Query) -> Query:
    """``a b NOT c`` means (a OR b) without c; Whoosh's OR grouping would read it as a OR b OR (not c)."""
    if not query.is_leaf():
        query = query.apply(_negations_exclude)
    if isinstance(query, Or):
        kept = [child for child in query.subqueries if not isinstance(child, Not)]
        excluded = [child.query for child in query.subqueries if isinstance(child, Not)]
        if excluded and kept:
            positive = kept[0] if len(kept) == 1 else Or(kept, boost=query.boost, scale=query.scale)
            return AndNot(positive, excluded[0] if len(excluded) == 1 else Or(excluded))
    return query


def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: "fielded", "phrase", "exact", "paren", "operator", "signed" or "word"."""
    lexemes = []
    wildcards = 0
    for match in _LEXEME.finditer(text):
        kind, value = match.lastgroup, match.group(0)
        if kind == "phrase" and _ONE_WORD_IN_QUOTES.match(value):
            kind, value = "exact", value.strip('"')  # "burnout": that word, no synonyms
        elif kind == "word":
            if value in _OPERATORS:
                kind = "operator"
            elif value[0] in "+-" and len(value) > 1:
                kind = "signed"
            else:
                value = _clean_word(value)
                if not value:
                    continue
        if kind in ("signed", "fielded"):  # the wildcard rules of plain words hold for -word and field:word
            head, term = (value[0], value[1:]) if kind == "signed" else value.split(":", 1)
            if kind == "fielded" and term[:1] in ("[", "{") and head not in _RANGE_FIELDS:
                continue
            if term and term[0] not in '"[{':
                bounded = _wildcard_rules(term)
                if not bounded:
                    continue  # only wildcards: nothing to search
                if "*" in bounded or "?" in bounded:
                    wildcards += 1
                    if wildcards > MAX_WILDCARD_WORDS:
                        bounded = bounded.replace("*", "").replace("?", "")
                value = head + bounded if kind == "signed" else f"{head}:{bounded}"
        elif kind == "word" and ("*" in value or "?" in value):
            wildcards += 1
            if wildcards > MAX_WILDCARD_WORDS:
                value = value.replace("*", "").replace("?", "")
        lexemes.append((kind, value))
    return lexemes


def _wildcard_rules(word: str) -> str:
    """No leading wildcard; a wildcard needs _MIN_PREFIX_LETTERS characters before it."""
    if "*" not in word and "?" not in word:
        return word
    word = word.lstrip("*?")
    if len(re.match(r"[^*?]*", word).group(0)) < _MIN_PREFIX_LETTERS:
        word = word.replace("*", "").replace("?", "")
    return word


def _clean_word(word: str) -> str:
    """Drop syntax a person did not mean: a trailing "?", leading or too-short wildcards, boosts."""
    word = _SYNTAX_CHARACTERS.sub("", word).rstrip("?!.,;:").lstrip("*?")
    if "*" in word or "?" in word:
        letters = re.match(r"[^*?]*", word).group(0)
        if len(letters) < _MIN_PREFIX_LETTERS:
            word = word.replace("*", "").replace("?", "")
    return word


def _rewrite(lexemes: list[tuple[str, str]]) -> tuple[str, set[str]]:
    """Lexemes back to query syntax, each run of plain words with its thesaurus alternatives;
    and the terms to highlight.

    ``-word`` becomes ``NOT word``; ``+word`` is the word (every word already counts).
    """
    pieces: list[str] = []
    highlight_terms: set[str] = set()
    run: list[str] = []
    negate_next = False
    for kind, value in lexemes:
        if kind == "word":
            if not negate_next:
                run.append(value)
                continue
            pieces.extend(_expanded(run, highlight_terms))
            run = []
            pieces.append(value)  # a negated word is searched for, never marked
            negate_next = False
            continue
        pieces.extend(_expanded(run, highlight_terms))
        run = []
        negate_next = kind == "operator" and value == "NOT"
        if kind == "signed":
            sign, value = value[0], value[1:]
            pieces.append(f"NOT {value}" if sign == "-" else value)
            if sign == "+":
                highlight_terms.update(_terms(value))
            continue
        if kind in ("phrase", "exact", "fielded"):
            highlight_terms.update(_terms(value.split(":", 1)[1] if kind == "fielded" else value))
        pieces.append(value)
    pieces.extend(_expanded(run, highlight_terms))
    return " ".join(pieces), highlight_terms


def _expanded(words: list[str], highlight_terms: set[str]) -> list[str]:
    """Plain words with their thesaurus alternatives; adds the terms to highlight."""
    if not words:
        return []
    for word in words:
        highlight_terms.update(_terms(word))
    out: list[str] = []
    position = 0
    for expansion in find_expansions(words, max_alternatives=_ALTERNATIVES_CONSIDERED):
        out.extend(words[position:expansion.start])
        typed = words[expansion.start:expansion.start + len(expansion.matched)]
        alternatives = _weighted_alternatives(expansion.alternatives, typed_terms=_terms(" ".join(typed)))
        for alternative in alternatives:
            if not alternative.startswith('"'):
                highlight_terms.update(_terms(alternative.split("^")[0]))
        if len(typed) > 1:
            # A typed concept ("online therapy"): its exact phrase counts fully, its loose words less.
            as_typed = [f'"{" ".join(typed)}"', f"({' '.join(typed)})^{LOOSE_WORDS_WEIGHT}"]
        else:
            as_typed = typed
        out.append(f"({' OR '.join(as_typed + alternatives)})")
        position = expansion.start + len(expansion.matched)
    out.extend(words[position:])
    return out


def _weighted_alternatives(phrases: tuple[str, ...], *, typed_terms: tuple[str, ...]) -> list[str]:
    """Thesaurus phrases as query syntax, each weighing less than the typed word.

    Every multi-word phrase of the thesaurus is looked up as one concept term (see
    ``_concepts_as_terms``), so each alternative is one term at EXPANSION_WEIGHT. A phrase that contains
    a shorter one already searched ("major depressive disorder" holds "major depress(ion)") is dropped,
    since the shorter one finds it and the two would add up.
    """
    searched = [typed_terms]
    alternatives: list[str] = []
    for phrase in sorted(phrases, key=lambda phrase: len(_terms(phrase))):
        pieces = _WORD.findall(phrase)
        terms = _terms(phrase)
        if not terms or any(len(piece) == 1 for piece in pieces):
            continue  # the analyzer drops letters of it ("e-therapy" would become "therapy")
        if any(_contains(terms, known) for known in searched):
            continue
        searched.append(terms)
        weight = f"{EXPANSION_WEIGHT:g}"
        # One word stays unquoted: Whoosh drops the field weights of a quoted single word.
        alternatives.append(f"{phrase}^{weight}" if len(pieces) == 1 else f'"{phrase}"^{weight}')
        if len(alternatives) == MAX_ALTERNATIVES:
            break
    return alternatives


def _contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether ``part`` occurs in ``terms`` as a contiguous run."""
    return any(terms[i:i + len(part)] == part for i in range(len(terms) - len(part) + 1))


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(token.text for token in _ANALYZER(text))
