"""Query understanding: what a user typed -> plain-word clauses that score, restrictions that filter.

docs/query-language.md is the contract. The text is cut into lexemes (words, ``field:value``, quoted
phrases, parentheses, operators) and a small recursive parser (``_Parser``) turns them straight into
Whoosh query objects. A plain word searches search.schema.PLAIN_WORD_FIELDS through the content
analysis; a thesaurus phrase's equivalents weigh EXPANSION_WEIGHT. ``field:value`` is a
``Restriction``: required, never scored, resolved by search.restrict as a facet filter is (``title:``
and ``implications:`` look for their words in that part); a group of restrictions is one restriction.
Juxtaposed clauses are OR-ed, and a query of three or more must match a share of them
(``minimum_should_match``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.matching import NullMatcher
from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Phrase, Prefix, Query, Term, Wildcard

from search.analysis import CONCEPTS, WORD_PATTERN, concept_term, contains_run, phrase_terms
from search.schema import PLAIN_WORD_FIELDS
from search.spelling_variants import fold_spelling
from search.stemming import stem
from search.thesaurus import LONGEST_PHRASE_WORDS, Thesaurus

MAX_QUERY_CHARS = 500
MAX_DEPTH = 20
MAX_BOOST = 10.0
MIN_BOOST = 0.1
EXPANSION_WEIGHT = 0.7
LOOSE_WORDS_WEIGHT = 0.4
MAX_ALTERNATIVES = 10
_ALTERNATIVES_CONSIDERED = 32
MAX_WILDCARD_WORDS = 3
_MIN_PREFIX_LETTERS = 3
SHARE_OF_CLAUSES = 0.75

# What users type before a colon -> the field it restricts.
_FIELD_NAMES = {
    **{name: name for name in ("author", "journal", "topic", "type", "year", "title", "implications", "doi", "id",
                               "issue_date")},
    **dict.fromkeys(("authors", "au", "by"), "author"),
    **dict.fromkeys(("source", "jo"), "journal"),
    **dict.fromkeys(("implication", "practice"), "implications"),
    "topics": "topic", "types": "type", "py": "year",
}
TEXT_FIELDS = frozenset({"title", "implications"})  # restrictions on a part's words (the others: search.restrict)
_INITIALS = re.compile(r"^(?:[A-Z]{1,2}|(?:[A-Z]\.){1,3})$")  # "GA", "G.A." (three capitals are an acronym: "CBT")

_DOI_ALONE = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s\"<>]+?)[.,;]?\s*$", re.I)
_LEXEME = re.compile(
    r"""(?P<fielded>[+-]?[A-Za-z_][\w.-]*:(?:"[^"]*"?|[\[{][^\]}]*[\]}]?|[^\s()"]*))"""
    r"""|(?P<phrase>"[^"]*"?(?:\^[\d.]+)?)"""
    r"""|(?P<paren>[()])"""
    r"""|(?P<word>[^\s()"]+)"""
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_BOOST = re.compile(r"\^([\d.]*)$")
_SYNTAX_CHARACTERS = re.compile(r"[\^~\[\]{}\\:]")
_SPELLABLE = re.compile(r"^[^\W\d_]{3,}$")
_WORD = re.compile(WORD_PATTERN)
THESAURUS = Thesaurus(phrase_terms)
# Halves of UTF-16 pairs, which no index term can hold (a command line can pass them).
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


class Restriction(Query):
    """A fielded term: a required condition on a post that does not score. ``query`` is the words to
    look for in a part (title:, implications:); the other fields are resolved by search.restrict."""

    def __init__(self, fieldname: str, value: str, query: Query | None = None) -> None:
        self.fieldname, self.value, self.query, self.boost = fieldname, value, query, 1.0

    def __eq__(self, other):
        return isinstance(other, Restriction) and (self.fieldname, self.value) == (other.fieldname, other.value)

    def __hash__(self):
        return hash((Restriction, self.fieldname, self.value))

    def __repr__(self):
        return f"Restriction({self.fieldname!r}, {self.value!r})"

    def is_leaf(self):
        return self.query is None

    def children(self):
        return [] if self.query is None else [self.query]

    def matcher(self, searcher, context=None):
        return NullMatcher()  # resolved by the engine, never by Whoosh


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready to run, with what the engine needs to explain it."""

    clauses: tuple[Query, ...] = ()       # juxtaposed clauses that score (plain words, groups)
    clause_texts: tuple[str, ...] = ()    # each clause as typed
    restrictions: tuple[Query, ...] = ()  # required, not scored: Restriction leaves or groups of them
    exclusions: tuple[Query, ...] = ()    # no post listed matches any of these
    text: str = ""                        # the text searched (cut to MAX_QUERY_CHARS)
    plain_words: tuple[str, ...] = ()     # words typed outside fields and phrases, for "Did you mean"
    notice: str | None = None             # something the user should be told (query cut, syntax ignored)
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (typed phrase, thesaurus phrases also searched)

    @property
    def required(self) -> int:
        """How many of the clauses a post must match to be a result (0: any)."""
        return minimum_should_match(len(self.clauses))

    @property
    def is_empty(self) -> bool:
        """Nothing to look for although something was typed (only stop words or broken syntax)."""
        return bool(self.text) and not (self.clauses or self.restrictions or self.exclusions)

    @property
    def query(self) -> Query:
        """Every part of the query in one tree (exclusions under Not), for walking its leaves."""
        parts = [*self.restrictions, *self.clauses, *(Not(exclusion) for exclusion in self.exclusions)]
        return NullQuery if not parts else parts[0] if len(parts) == 1 else Or(parts)


def minimum_should_match(clauses: int) -> int:
    """How many of a query's juxtaposed clauses (content words, phrases, groups) a post must match: any
    (0) of one or two, as the blog's short keyword queries always were; all but one of three or four;
    75% rounded down of five or more (a question: Solr's and Elasticsearch's usual setting), so a post
    needs most of a question's words while a synonym the thesaurus lacks does not lose it. Restrictions
    never count: they are required."""
    if clauses < 3:
        return 0
    return clauses - 1 if clauses <= 4 else int(clauses * SHARE_OF_CLAUSES)


@lru_cache(maxsize=1024)
def parse_query(text: str) -> ParsedQuery:
    """Parse anything a user can type. Never raises. (Cached: queries repeat.)"""
    notices = []
    text = _LONE_SURROGATES.sub("", text.replace("\x00", " ")).strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notices.append(f"Your query was long, so only its first {MAX_QUERY_CHARS} characters were searched.")
    if doi := _DOI_ALONE.match(text):
        return ParsedQuery(restrictions=(Restriction("doi", doi.group(1).lower()),), text=text, notice=" ".join(notices) or None)
    lexemes = _lex(text)
    parser = _Parser(lexemes)
    try:
        clauses = parser.sequence(depth=0)
    except RecursionError:  # bounded by MAX_DEPTH; a last guard, never seen
        parser = _Parser([(kind, value) for kind, value in lexemes if kind == "word"])
        clauses = parser.sequence(depth=0)
    scored, restrictions, exclusions = _sort_clauses(clauses)
    notices.extend(dict.fromkeys(parser.notices))
    typed = (_clean_word(value.lstrip("+")) for kind, value in lexemes if kind == "word" and value[0] != "-")
    return ParsedQuery(
        tuple(scored), tuple(scored.values()), restrictions, exclusions, text,
        plain_words=tuple(dict.fromkeys(word for word in typed if _SPELLABLE.match(word))),
        notice=" ".join(notices) or None,
        expansions=tuple(dict.fromkeys(parser.expansions)),
    )


def replace_words(text: str, corrections: dict[str, str], field_corrections: dict[tuple[str, str], str]) -> str:
    """The query text with plain words, and values after a field prefix, replaced ("Did you mean")."""

    def swap(match: re.Match) -> str:
        lexeme = match.group(0)
        if match.lastgroup == "fielded":
            name, value = lexeme.split(":", 1)
            field_name = _FIELD_NAMES.get(name.lower())
            if (correction := field_corrections.get((field_name, value.strip('"')))) is not None:
                return f'{name}:"{correction}"' if " " in correction else f"{name}:{correction}"
            return f"{name}:{_WORD.sub(lambda m: field_corrections.get((field_name, m.group(0)), m.group(0)), value)}"
        if match.lastgroup != "word":
            return lexeme
        core = lexeme.rstrip("?!.,;")
        return corrections.get(core, core) + lexeme[len(core):]

    return _LEXEME.sub(swap, text)


def is_restriction(query: Query) -> bool:
    """Whether a clause only restricts: a Restriction, or a group made of restrictions alone."""
    return isinstance(query, Restriction) or (
        not query.is_leaf() and bool(query.children()) and all(map(is_restriction, query.children())))


# ---------------------------------------------------------------------------------------------
# Lexemes
# ---------------------------------------------------------------------------------------------
def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: "fielded", "phrase", "paren", "operator" or "word" (a word keeps its sign)."""
    lexemes = [(match.lastgroup, match.group(0)) for match in _LEXEME.finditer(text)]
    return [("operator" if kind == "word" and value in _OPERATORS else kind, value) for kind, value in lexemes]


def _boost_of(value: str) -> tuple[str, float]:
    """``value^3`` -> (value, 3.0), the boost clamped to [MIN_BOOST, MAX_BOOST]; no boost is 1."""
    match = _BOOST.search(value)
    if not match:
        return value, 1.0
    try:
        boost = min(MAX_BOOST, max(MIN_BOOST, float(match.group(1))))
    except ValueError:  # "^", "^1.2.3" (digits and dots only: never NaN; too many digits is inf, clamped)
        boost = 1.0
    return value[:match.start()], boost


@dataclass
class _Clause:
    query: Query
    negated: bool = False
    typed: str = ""


@dataclass
class _Parser:
    """Lexemes -> query objects. Grammar, loosest first::

        sequence := or_expr*                        juxtaposed clauses
        or_expr  := and_expr ("OR" and_expr)*
        and_expr := unary (("AND" | "ANDNOT" | "ANDMAYBE") unary)*
        unary    := "NOT" unary | atom              ("-word" is NOT word, "+word" is the word)
        atom     := "(" sequence ")" | "phrase" | field:value | word+ (a thesaurus phrase is one atom)
    """

    lexemes: list[tuple[str, str]]
    position: int = 0
    wildcards: int = 0
    notices: list[str] = field(default_factory=list)
    expansions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def _peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.position] if self.position < len(self.lexemes) else None

    def sequence(self, depth: int) -> list[_Clause]:
        clauses = []
        while (lexeme := self._peek()) is not None:
            if lexeme == ("paren", ")") and depth:
                break
            if lexeme == ("paren", ")") or (lexeme[0] == "operator" and lexeme[1] != "NOT"):
                self.position += 1  # a stray ")" at the top, or an operator with nothing before it
                continue
            start = self.position
            clause = self._or_expr(depth)
            if clause is not None:
                clause.typed = " ".join(value for _, value in self.lexemes[start:self.position])
                clauses.append(clause)
        return clauses

    def _or_expr(self, depth: int) -> _Clause | None:
        left = self._and_expr(depth)
        while self._peek() == ("operator", "OR"):
            self.position += 1
            if (right := self._and_expr(depth)) is None or left is None:
                left = left or right
            else:
                left = _Clause(Or([Not(clause.query) if clause.negated else clause.query for clause in (left, right)]))
        return left

    def _and_expr(self, depth: int) -> _Clause | None:
        left = self._unary(depth)
        while (lexeme := self._peek()) is not None and lexeme[0] == "operator" and lexeme[1] in ("AND", "ANDNOT", "ANDMAYBE"):
            self.position += 1
            right = self._unary(depth)
            if right is None or left is None:
                left = left or right
                continue
            if lexeme[1] == "ANDNOT":
                right = _Clause(right.query, not right.negated)
            if left.negated and right.negated:
                left = _Clause(Or([left.query, right.query]), negated=True)
            elif right.negated:
                left = _Clause(AndNot(left.query, right.query))
            elif left.negated:
                left = _Clause(AndNot(right.query, left.query))
            elif lexeme[1] == "ANDMAYBE":
                left = _Clause(AndMaybe(left.query, right.query))
            else:
                left = _Clause(And([left.query, right.query]))
        return left

    def _unary(self, depth: int) -> _Clause | None:
        if self._peek() == ("operator", "NOT"):
            self.position += 1
            inner = self._unary(depth)
            return None if inner is None else _Clause(inner.query, not inner.negated)
        return self._atom(depth)

    def _atom(self, depth: int) -> _Clause | None:
        lexeme = self._peek()
        if lexeme is None or lexeme[0] == "operator":
            return None
        kind, value = lexeme
        self.position += 1
        if kind == "paren":
            if value == ")":
                return None
            clauses = self.sequence(depth + 1) if depth < MAX_DEPTH else []
            if self._peek() == ("paren", ")"):
                self.position += 1
            if depth >= MAX_DEPTH:
                self.notices.append(f"Parentheses nested more than {MAX_DEPTH} deep were ignored.")
            return _group(clauses)
        if kind == "phrase":
            phrase, boost = _boost_of(value)
            return _clause(_plain_phrase(phrase_terms(phrase.strip('"')), loose=False, boost=boost))
        if value[0] in "+-":
            return self._signed(value[0], value[1:], depth)  # -word, -journal:"Psychotherapy Research"
        if kind == "fielded":
            name, raw = value.split(":", 1)
            if _FIELD_NAMES.get(name.lower()) == "author" and raw and not raw.startswith('"') and \
                    (following := self._peek()) is not None and following[0] == "word" and _INITIALS.match(following[1]):
                raw += " " + following[1]  # PubMed's form, unquoted: author:Tasca GA
                self.position += 1
            return _clause(self._fielded(name, raw))
        return _clause(self._word_run(value))

    def _signed(self, sign: str, rest: str, depth: int) -> _Clause | None:
        """``-x`` excludes x, ``+x`` is x; x is a word, ``field:value``, or the next phrase or group."""
        if not rest:
            inner = self._atom(depth)
        elif (match := _LEXEME.fullmatch(rest)) and match.lastgroup == "fielded":
            inner = _clause(self._fielded(*rest.split(":", 1)))
        else:
            inner = _clause(self._words([rest]) if sign == "-" else self._word_run(rest))
        return inner if inner is None or sign == "+" else _Clause(inner.query, not inner.negated)

    # -- plain words ---------------------------------------------------------------------------
    def _word_run(self, first: str) -> Query | None:
        """A word, or the longest thesaurus phrase that starts with it among the next plain words."""
        following = [first]
        for kind, value in self.lexemes[self.position:self.position + LONGEST_PHRASE_WORDS - 1]:
            if kind != "word" or value[0] in "+-" or "^" in value:
                break
            following.append(value)
        expansion = THESAURUS.match(following, max_alternatives=_ALTERNATIVES_CONSIDERED)
        if expansion is None:
            return self._words([first])
        typed = following[:len(expansion.matched)]
        self.position += len(typed) - 1
        typed_terms = phrase_terms(" ".join(typed))
        as_typed = self._words(typed) if len(typed) == 1 else _plain_phrase(typed_terms, loose=True)
        alternatives, phrases = _alternatives(expansion.alternatives, typed_terms)
        if not alternatives:  # no phrase kept either
            return as_typed
        self.expansions.append((" ".join(expansion.matched), phrases))
        return Or(alternatives if as_typed is None else [as_typed, *alternatives])

    def _words(self, words: list[str]) -> Query | None:
        """Plain words without thesaurus: each word's terms in the plain-word fields."""
        queries = []
        for raw in words:
            raw, boost = _boost_of(raw)
            word = self._wildcard(_clean_word(raw))
            if word and ("*" in word or "?" in word):
                queries.append(Or([_pattern(name, word, weight * boost) for name, weight in PLAIN_WORD_FIELDS.items()]))
            elif word and (query := _plain_phrase(phrase_terms(word), loose=True, boost=boost)) is not None:
                queries.append(query)
        return None if not queries else queries[0] if len(queries) == 1 else Or(queries)

    def _wildcard(self, word: str) -> str | None:
        """The word, with its wildcards kept when allowed (a prefix of 3 letters, 3 wildcard words a query)."""
        if not word or ("*" not in word and "?" not in word):
            return word or None
        prefix = re.match(r"[^*?]*", word).group(0)
        if len(prefix) < _MIN_PREFIX_LETTERS or self.wildcards >= MAX_WILDCARD_WORDS:
            if self.wildcards >= MAX_WILDCARD_WORDS:
                self.notices.append(f"Only {MAX_WILDCARD_WORDS} words with wildcards are expanded in one query.")
            return word.replace("*", "").replace("?", "") or None
        self.wildcards += 1
        return word.lower()

    # -- fields --------------------------------------------------------------------------------
    def _fielded(self, name: str, raw: str) -> Query | None:
        field_name = _FIELD_NAMES.get(name.lower())
        if field_name is None:  # an unknown field: its value is words
            return self._words([raw]) if raw else None
        raw = _boost_of(raw)[0]  # a boost means nothing to a restriction
        value = raw.strip('"').strip()
        if not value:
            return None
        if field_name not in TEXT_FIELDS:
            return Restriction(field_name, value)
        if raw[:1] in "[{":
            return None  # ranges are for years only: a range over words expands to every term
        if raw.startswith('"'):
            words = _plain_phrase(phrase_terms(value), loose=False, fields={field_name: 1.0})
        elif (pattern := self._wildcard(_clean_word(value))) and ("*" in pattern or "?" in pattern):
            words = _pattern(field_name, pattern, 1.0)
        else:
            words = _plain_phrase(phrase_terms(pattern or ""), loose=False, fields={field_name: 1.0})
        return None if words is None else Restriction(field_name, value, words)


def _pattern(field_name: str, pattern: str, boost: float) -> Query:
    """A word with wildcards in a field: a prefix (``therap*``, analysed as words are, so it meets the
    stems the index holds) or a wildcard pattern."""
    head = pattern[:-1]
    if pattern.endswith("*") and "*" not in head and "?" not in head:
        analysed = stem(fold_spelling(head))
        return Prefix(field_name, analysed if len(analysed) >= _MIN_PREFIX_LETTERS else head, boost=boost)
    return Wildcard(field_name, pattern, boost=boost)


def _clean_word(word: str) -> str:
    """Drop syntax a person did not mean: a trailing "?", leading wildcards, stray brackets."""
    return _SYNTAX_CHARACTERS.sub("", word).rstrip("?!.,;").lstrip("*?")


def _clause(query: Query | None) -> _Clause | None:
    return None if query is None else _Clause(query)


def _plain_phrase(terms: tuple[str, ...], *, loose: bool, boost: float = 1.0,
                  fields: dict[str, float] = PLAIN_WORD_FIELDS) -> Query | None:
    """Terms in a row in every plain-word field (or the given ones): one term when they are one word or
    a thesaurus concept (indexed as one term), else a phrase. With ``loose`` (typed unquoted:
    "shock-sound", "online therapy"), the words also count apart at LOOSE_WORDS_WEIGHT, unless the
    phrase is a thesaurus concept."""
    if not terms:
        return None
    term = terms[0] if len(terms) == 1 else concept_term(terms) if terms in CONCEPTS else None
    as_phrase = [Phrase(name, list(terms), boost=weight * boost) if term is None
                 else Term(name, term, boost=weight * boost) for name, weight in fields.items()]
    as_phrase = as_phrase[0] if len(as_phrase) == 1 else Or(as_phrase)
    if len(terms) == 1 or not loose or terms in CONCEPTS:
        return as_phrase
    words = Or([_plain_phrase((term,), loose=False) for term in dict.fromkeys(terms)], boost=LOOSE_WORDS_WEIGHT * boost)
    return Or([as_phrase, words])


def _alternatives(phrases: tuple[str, ...], typed_terms: tuple[str, ...]) -> tuple[list[Query], tuple[str, ...]]:
    """Thesaurus phrases, each weighing EXPANSION_WEIGHT, and the phrases kept. A phrase holding a
    shorter one already searched ("major depressive disorder" holds "major depression") is dropped."""
    searched = [typed_terms]
    alternatives: list[Query] = []
    kept: list[str] = []
    for phrase in sorted(phrases, key=lambda phrase: len(phrase_terms(phrase))):
        terms = phrase_terms(phrase)
        if not terms or any(len(piece) == 1 for piece in _WORD.findall(phrase)):
            continue  # the analyzer drops letters of it ("e-therapy" would become "therapy")
        if any(contains_run(terms, known) for known in searched):
            continue
        searched.append(terms)
        alternatives.append(_plain_phrase(terms, loose=False, boost=EXPANSION_WEIGHT))
        kept.append(phrase)
        if len(alternatives) == MAX_ALTERNATIVES:
            break
    return alternatives, tuple(kept)


def _group(clauses: list[_Clause]) -> _Clause | None:
    """A parenthesised group: its clauses OR-ed (a repeated one weighing as often as typed), its
    negated clauses excluded from it."""
    positive = _counted([clause.query for clause in clauses if not clause.negated])
    excluded = [clause.query for clause in clauses if clause.negated]
    query = NullQuery if not positive else positive[0] if len(positive) == 1 else Or(positive)
    if excluded:
        exclusion = excluded[0] if len(excluded) == 1 else Or(excluded)
        query = Not(exclusion) if query is NullQuery else AndNot(query, exclusion)
    return None if query is NullQuery else _Clause(query)


def _counted(queries: list[Query]) -> list[Query]:
    """Each distinct query once, boosted by how often it was typed."""
    return [query if count == 1 or isinstance(query, Restriction) else query.with_boost(query.boost * count)
            for query, count in Counter(queries).items()]


def _sort_clauses(clauses: list[_Clause]) -> tuple[dict[Query, str], tuple[Query, ...], tuple[Query, ...]]:
    """The top level's clauses as (scored, each with its typed text; restrictions; exclusions). A
    restriction AND-ed with words (``alliance AND year:2020``) restricts the whole query, as it would
    typed alone. A clause typed twice weighs twice."""
    typed: dict[Query, str] = {}
    restrictions, exclusions, scored = [], [], []
    for clause in clauses:
        query = clause.query
        if clause.negated or is_restriction(query):
            (exclusions if clause.negated else restrictions).append(query)
            continue
        if isinstance(query, And) and any(map(is_restriction, query.subqueries)):
            restrictions += [child for child in query.subqueries if is_restriction(child)]
            rest = [child for child in query.subqueries if not is_restriction(child)]
            query = rest[0] if len(rest) == 1 else And(rest)
        typed.setdefault(query, clause.typed)
        scored.append(query)
    return (dict(zip(_counted(scored), typed.values())),
            tuple(dict.fromkeys(restrictions)), tuple(dict.fromkeys(exclusions)))
