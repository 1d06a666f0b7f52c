"""Query understanding: what a user typed -> Whoosh query objects, built once, never raising.

The text is cut into lexemes (words, ``field:value``, quoted phrases, parentheses, operators) and a
small recursive parser turns them straight into Whoosh query objects:

- a plain word searches the catch-all field and again the title and the implications
  (``PLAIN_WORD_FIELDS``), through the content analysis (search.analysis); stop and question words
  drop out, so a clinician's question works as a query;
- a thesaurus phrase or abbreviation among the words is searched with its equivalents at a lower
  weight; a hyphenated word ("shock-sound") searches its phrase and, weighing less, its words;
- ``field:value`` (aliases in search.schema), ``"phrases"``, ``AND``/``OR``/``NOT``/``ANDNOT``,
  ``-word``/``+word``, ``(groups)``, ``^boost`` (clamped to MAX_BOOST); ``year:`` takes ``2019``,
  ``>2019``, ``<=2015``, ``2015-2020`` and ``[2015 TO 2020]``; ``journal:`` knows the common
  abbreviations (search.journals); a DOI typed alone looks its post up;
- juxtaposed clauses are OR-ed, a word typed twice weighs twice, and a query of three or more
  clauses must match a share of them (``minimum_should_match``); ``ParsedQuery.relaxed`` is the
  any-clause version the engine falls back to when that finds too little.

Work is bounded: MAX_QUERY_CHARS of text, MAX_DEPTH nested groups, MAX_WILDCARD_WORDS wildcards,
each expanded to a bounded number of words (search.query_nodes) and only on fields of words.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Phrase, Query, Term

from search.analysis import CONCEPTS, STOP_AND_QUESTION_WORDS, WORD_PATTERN, concept_term, name_analyzer, phrase_terms
from search.facets import YEAR_FORMS, year_bounds
from search.journals import full_journal_name
from search.query_nodes import BoundedPrefix, BoundedWildcard, MinimumShouldMatch
from search.schema import FIELD_ALIASES, PLAIN_WORD_FIELDS, build_schema
from search.spelling_variants import fold_spelling
from search.stemming import stem
from search.thesaurus import LONGEST_PHRASE_WORDS, find_expansions

MAX_QUERY_CHARS = 500
MAX_DEPTH = 20
MAX_BOOST = 10.0
MIN_BOOST = 0.1
EXPANSION_WEIGHT = 0.7
LOOSE_WORDS_WEIGHT = 0.4
MAX_ALTERNATIVES = 10
_ALTERNATIVES_CONSIDERED = 32
# Wildcard words per query: each expands to up to MAX_EXPANDED_TERMS words.
MAX_WILDCARD_WORDS = 3
_MIN_PREFIX_LETTERS = 3
# minimum_should_match: a query of this many clauses or more needs a share of them (see the function).
MIN_CLAUSES_FOR_SHARE = 3
SHARE_OF_CLAUSES = 0.75

_SCHEMA = build_schema()
_NAME_ANALYZER = name_analyzer()
_FIELD_NAMES = {
    **{name: name for name in _SCHEMA.names() if name != "record"},
    **{alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases},
}
_WORD_FIELDS = frozenset({"text", "title", "implications", "journal", "topics", "types"})  # the content chain
_WILDCARD_FIELDS = _WORD_FIELDS | {"authors"}  # fields of words: wildcards make sense there
_SPELLED_FIELDS = frozenset({"authors", "journal", "topics"})  # "Did you mean" checks their words

_DOI_ALONE = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s\"<>]+?)[.,;]?\s*$", re.I)
_LEXEME = re.compile(
    r"""(?P<fielded>[A-Za-z_][\w.-]*:(?:"[^"]*"?|[\[{][^\]}]*[\]}]?|[^\s()"]*))"""
    r"""|(?P<phrase>"[^"]*"?(?:\^[\d.]+)?)"""
    r"""|(?P<paren>[()])"""
    r"""|(?P<word>[^\s()"]+)"""
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_BOOST = re.compile(r"\^([\d.]*)$")
_SYNTAX_CHARACTERS = re.compile(r"[\^~\[\]{}\\:]")
_SPELLABLE = re.compile(r"^[^\W\d_]{3,}$")
_WORD = re.compile(WORD_PATTERN)
_YEAR_HELP = f"year: takes {YEAR_FORMS}."


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready to run, with what the engine needs to explain it."""

    query: Query
    text: str                      # the text searched (cut to MAX_QUERY_CHARS)
    plain_words: tuple[str, ...]   # words typed outside fields and phrases, for "Did you mean"
    notice: str | None = None      # something the user should be told (query cut, syntax ignored)
    # The any-clause version of a query that needs a share of its clauses; None when it needs none.
    relaxed: Query | None = None
    # (field, word) typed after a prefix of a field of names or words (authors, journal, topics).
    field_words: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.query is NullQuery


def minimum_should_match(clauses: int) -> int:
    """How many of a query's juxtaposed clauses (content words, phrases, field clauses) a post must match.

    One or two clauses: any (0: plain OR, ranked by how many match), as the blog's short keyword
    queries always were. Three or four: all but one. Five or more (a question): 75% rounded down,
    Solr's and Elasticsearch's usual ``minimum_should_match`` for long queries: 5 -> 3, 6 -> 4,
    7 -> 5, 10 -> 7. A post then needs most of a question's content words, while one or two missing
    words (a synonym the thesaurus lacks) do not lose it; when too few posts qualify the engine falls
    back to ``ParsedQuery.relaxed``.
    """
    if clauses < MIN_CLAUSES_FOR_SHARE:
        return 0
    return clauses - 1 if clauses <= 4 else math.floor(clauses * SHARE_OF_CLAUSES)


# Halves of UTF-16 pairs, which no index term can hold (UTF-8 cannot encode them).
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1024)
def parse_query(text: str) -> ParsedQuery:
    """Parse anything a user can type. Never raises. (Cached: queries repeat.)"""
    notices = []
    text = _LONE_SURROGATES.sub("", text.replace("\x00", " ")).strip()  # a command line can pass them
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notices.append(f"Your query was long, so only its first {MAX_QUERY_CHARS} characters were searched.")
    doi = _DOI_ALONE.match(text)
    if doi:
        return ParsedQuery(Term("doi", doi.group(1).lower()), text, (), " ".join(notices) or None)
    lexemes = _lex(text)
    parser = _Parser(lexemes)
    try:
        query, relaxed = parser.parse()
    except RecursionError:  # bounded by MAX_DEPTH; a last guard, never seen
        parser = _Parser([(kind, value) for kind, value in lexemes if kind == "word"])
        query, relaxed = parser.parse()
    notices.extend(dict.fromkeys(parser.notices))
    typed = (_clean_word(value.lstrip("+")) for kind, value in lexemes if kind == "word" and value[0] != "-")
    plain_words = tuple(dict.fromkeys(word for word in typed if _SPELLABLE.match(word)))
    return ParsedQuery(
        query, text, plain_words, " ".join(notices) or None, relaxed, tuple(dict.fromkeys(parser.field_words)),
    )


def spelling_candidates(parsed: ParsedQuery) -> list[str]:
    """Plain words worth checking for typos (no stop words, no numbers)."""
    return [word for word in parsed.plain_words if word.lower() not in STOP_AND_QUESTION_WORDS]


def replace_words(text: str, corrections: dict[str, str],
                  field_corrections: dict[tuple[str, str], str] | None = None) -> str:
    """The query text with plain words, and words after a field prefix, replaced (for "Did you mean")."""
    field_corrections = field_corrections or {}

    def swap_in_value(name: str, value: str) -> str:
        field_name = _FIELD_NAMES.get(name)
        return _WORD.sub(lambda m: field_corrections.get((field_name, m.group(0)), m.group(0)), value)

    def swap(match: re.Match) -> str:
        lexeme = match.group(0)
        if match.lastgroup == "fielded":
            name, value = lexeme.split(":", 1)
            return f"{name}:{swap_in_value(name, value)}"
        if match.lastgroup != "word":
            return lexeme
        core = lexeme.rstrip("?!.,;")
        return corrections.get(core, core) + lexeme[len(core):]

    return _LEXEME.sub(swap, text)


# ---------------------------------------------------------------------------------------------
# Lexemes
# ---------------------------------------------------------------------------------------------
def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: "fielded", "phrase", "paren", "operator" or "word" (a word keeps its sign)."""
    lexemes = []
    for match in _LEXEME.finditer(text):
        kind, value = match.lastgroup, match.group(0)
        if kind == "word" and value in _OPERATORS:
            kind = "operator"
        lexemes.append((kind, value))
    return lexemes


def _boost_of(value: str) -> tuple[str, float]:
    """``value^3`` -> (value, 3.0), the boost clamped to [MIN_BOOST, MAX_BOOST]; no boost is 1."""
    match = _BOOST.search(value)
    if not match:
        return value, 1.0
    try:
        boost = float(match.group(1))
    except ValueError:
        boost = 1.0
    if math.isnan(boost):
        boost = 1.0
    return value[:match.start()], min(MAX_BOOST, max(MIN_BOOST, boost))


@dataclass
class _Clause:
    query: Query
    negated: bool = False


@dataclass
class _Parser:
    """Lexemes -> Whoosh query objects. Grammar, loosest first::

        sequence := or_expr*                        juxtaposed: OR (minimum_should_match at the top)
        or_expr  := and_expr ("OR" and_expr)*
        and_expr := unary (("AND" | "ANDNOT" | "ANDMAYBE") unary)*
        unary    := "NOT" unary | atom              ("-word" is NOT word, "+word" is the word)
        atom     := "(" sequence ")" | "phrase" | field:value | word+ (a thesaurus phrase is one atom)
    """

    lexemes: list[tuple[str, str]]
    position: int = 0
    wildcards: int = 0
    notices: list[str] = field(default_factory=list)
    field_words: list[tuple[str, str]] = field(default_factory=list)

    def parse(self) -> tuple[Query, Query | None]:
        clauses = self._sequence(depth=0)
        return _combine(clauses, top=True)

    # -- grammar -------------------------------------------------------------------------------
    def _peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.position] if self.position < len(self.lexemes) else None

    def _sequence(self, depth: int) -> list[_Clause]:
        clauses = []
        while (lexeme := self._peek()) is not None:
            if lexeme == ("paren", ")"):
                if depth:
                    break
                self.position += 1  # a stray ")" at the top
                continue
            if lexeme[0] == "operator" and lexeme[1] != "NOT":
                self.position += 1  # an operator with nothing before it
                continue
            clause = self._or_expr(depth)
            if clause is not None:
                clauses.append(clause)
        return clauses

    def _or_expr(self, depth: int) -> _Clause | None:
        left = self._and_expr(depth)
        while self._peek() == ("operator", "OR"):
            self.position += 1
            right = self._and_expr(depth)
            if left is None or right is None:
                left = left or right
                continue
            left = _Clause(Or([_positive(left), _positive(right)]))
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
            clauses = self._sequence(depth + 1) if depth < MAX_DEPTH else []
            if self._peek() == ("paren", ")"):
                self.position += 1
            if depth >= MAX_DEPTH:
                self.notices.append(f"Parentheses nested more than {MAX_DEPTH} deep were ignored.")
            query, _ = _combine(clauses, top=False)
            return None if query is NullQuery else _Clause(query)
        if kind == "phrase":
            phrase, boost = _boost_of(value)
            return _clause(self._phrase(phrase.strip('"'), boost))
        if kind == "fielded":
            name, raw = value.split(":", 1)
            field_name = _FIELD_NAMES.get(name)
            if field_name is None:  # an unknown field: its value is words
                return _clause(self._words([raw]) if raw else None)
            return _clause(self._fielded(field_name, raw))
        if value[0] in "+-":
            return self._signed(value[0], value[1:], depth)
        return _clause(self._word_run(value))

    def _signed(self, sign: str, rest: str, depth: int) -> _Clause | None:
        """``-x`` excludes x, ``+x`` is x; x is a word, ``field:value``, or the next phrase or group."""
        if not rest:
            inner = self._atom(depth)
        elif (match := _LEXEME.fullmatch(rest)) and match.lastgroup == "fielded":
            name, raw = rest.split(":", 1)
            field_name = _FIELD_NAMES.get(name)
            inner = _clause(self._fielded(field_name, raw) if field_name else self._words([raw]))
        else:
            inner = _clause(self._words([rest]) if sign == "-" else self._word_run(rest))
        if inner is None or sign == "+":
            return inner
        return _Clause(inner.query, not inner.negated)

    # -- plain words ---------------------------------------------------------------------------
    def _word_run(self, first: str) -> Query | None:
        """A word, or the longest thesaurus phrase that starts with it among the next plain words."""
        following = [first]
        for kind, value in self.lexemes[self.position:self.position + LONGEST_PHRASE_WORDS - 1]:
            if kind != "word" or value[0] in "+-" or "^" in value:
                break
            following.append(value)
        expansions = find_expansions(following, max_alternatives=_ALTERNATIVES_CONSIDERED)
        expansion = expansions[0] if expansions and expansions[0].start == 0 else None
        if expansion is None:
            return self._words([first])
        typed = following[:len(expansion.matched)]
        self.position += len(typed) - 1
        typed_terms = phrase_terms(" ".join(typed))
        as_typed = self._words(typed) if len(typed) == 1 else _plain_phrase(typed_terms, loose=True)
        alternatives = _alternatives(expansion.alternatives, typed_terms)
        if as_typed is None:
            return Or(alternatives) if alternatives else None
        return Or([as_typed, *alternatives]) if alternatives else as_typed

    def _words(self, words: list[str]) -> Query | None:
        """Plain words without thesaurus: each word's terms in the plain-word fields."""
        queries = []
        for raw in words:
            raw, boost = _boost_of(raw)
            pattern = self._wildcard(_clean_word(raw))
            if pattern is None:
                continue
            if pattern.is_wildcard:
                queries.append(Or([pattern.query(name, weight * boost) for name, weight in PLAIN_WORD_FIELDS.items()]))
                continue
            query = _plain_phrase(phrase_terms(pattern.text), loose=True, boost=boost)
            if query is not None:
                queries.append(query)
        if not queries:
            return None
        return queries[0] if len(queries) == 1 else Or(queries)

    def _phrase(self, phrase: str, boost: float) -> Query | None:
        """A quoted phrase; one quoted word is that word exactly (no synonyms)."""
        return _plain_phrase(phrase_terms(phrase), loose=False, boost=boost)

    def _wildcard(self, word: str) -> "_Pattern | None":
        """The word, with its wildcards kept when allowed (a prefix of 3 letters, 3 wildcard words a query)."""
        if not word:
            return None
        if "*" not in word and "?" not in word:
            return _Pattern(word, False)
        prefix = re.match(r"[^*?]*", word).group(0)
        if len(prefix) < _MIN_PREFIX_LETTERS or self.wildcards >= MAX_WILDCARD_WORDS:
            if self.wildcards >= MAX_WILDCARD_WORDS:
                self.notices.append(f"Only {MAX_WILDCARD_WORDS} words with wildcards are expanded in one query.")
            plain = word.replace("*", "").replace("?", "")
            return _Pattern(plain, False) if plain else None
        self.wildcards += 1
        return _Pattern(word.lower(), True)

    # -- fields --------------------------------------------------------------------------------
    def _fielded(self, field_name: str, raw: str) -> Query | None:
        raw, boost = _boost_of(raw)
        if field_name == "year":
            return self._year(raw.strip('"'), boost)
        quoted = raw.startswith('"')
        value = raw.strip('"')
        if raw[:1] in "[{":
            return None  # ranges are for years only: a range over words expands to every term
        if field_name in _SPELLED_FIELDS and "*" not in value and "?" not in value:
            self.field_words.extend((field_name, word) for word in _WORD.findall(value) if _SPELLABLE.match(word))
        if field_name in ("doi", "id", "issue_date"):
            value = value.strip()
            if "*" in value or "?" in value:
                self.notices.append("Wildcards are not expanded in id:, doi: or issue_date: (one value per post).")
                value = value.replace("*", "").replace("?", "")
            return Term(field_name, value.lower() if field_name == "doi" else value, boost=boost) if value else None
        if not quoted:
            pattern = self._wildcard(_clean_word(value))
            if pattern is None:
                return None
            if pattern.is_wildcard:
                return pattern.query(field_name, boost)
            value = pattern.text
        typed = self._field_value(field_name, value, boost)
        if field_name == "journal" and (full_name := full_journal_name(value)):
            expansion = self._field_value(field_name, full_name, boost)
            return Or([query for query in (typed, expansion) if query is not None])
        return typed

    @staticmethod
    def _field_value(field_name: str, value: str, boost: float) -> Query | None:
        if field_name == "authors":
            terms = tuple(token.text for token in _NAME_ANALYZER(value))
        else:
            terms = phrase_terms(value)
        return _field_phrase(field_name, terms, boost)

    def _year(self, value: str, boost: float) -> Query | None:
        bounds = year_bounds(value)
        if bounds is None:
            self.notices.append(_YEAR_HELP)
            return None
        first, last = (None if year is None else str(year) for year in bounds)
        return _SCHEMA["year"].parse_range("year", first, last, False, False, boost=boost)


@dataclass(frozen=True)
class _Pattern:
    text: str
    is_wildcard: bool

    def query(self, field_name: str, boost: float) -> Query:
        if field_name not in _WILDCARD_FIELDS:
            return Term(field_name, self.text.replace("*", "").replace("?", ""), boost=boost)
        prefix = self.text[:-1]
        if self.text.endswith("*") and "*" not in prefix and "?" not in prefix:
            analysed = stem(fold_spelling(prefix))
            if field_name in _WORD_FIELDS and len(analysed) >= _MIN_PREFIX_LETTERS:
                prefix = analysed  # the index holds stems: "therapy*" looks for "therapi*", "behaviour*" for "behavior*"
            return BoundedPrefix(field_name, prefix, boost=boost)
        return BoundedWildcard(field_name, self.text, boost=boost)


def _clean_word(word: str) -> str:
    """Drop syntax a person did not mean: a trailing "?", leading wildcards, stray brackets."""
    return _SYNTAX_CHARACTERS.sub("", word).rstrip("?!.,;").lstrip("*?")


def _clause(query: Query | None) -> _Clause | None:
    return None if query is None else _Clause(query)


def _positive(clause: _Clause) -> Query:
    return Not(clause.query) if clause.negated else clause.query


def _field_phrase(field_name: str, terms: tuple[str, ...], boost: float = 1.0) -> Query | None:
    """Terms in a row in one field: a term, a thesaurus concept term (indexed as one), or a phrase."""
    if not terms:
        return None
    if len(terms) == 1:
        return Term(field_name, terms[0], boost=boost)
    if terms in CONCEPTS and field_name in _WORD_FIELDS:
        return Term(field_name, concept_term(terms), boost=boost)
    return Phrase(field_name, list(terms), boost=boost)


def _plain_phrase(terms: tuple[str, ...], *, loose: bool, boost: float = 1.0) -> Query | None:
    """Terms in a row in every plain-word field. With ``loose`` (typed unquoted: "shock-sound", "online
    therapy"), the words also count apart at LOOSE_WORDS_WEIGHT, unless the phrase is a thesaurus concept."""
    if not terms:
        return None
    as_phrase = Or([_field_phrase(name, terms, weight * boost) for name, weight in PLAIN_WORD_FIELDS.items()])
    if len(terms) == 1 or not loose or terms in CONCEPTS:
        return as_phrase
    words = Or([_plain_phrase((term,), loose=False) for term in dict.fromkeys(terms)], boost=LOOSE_WORDS_WEIGHT * boost)
    return Or([as_phrase, words])


def _alternatives(phrases: tuple[str, ...], typed_terms: tuple[str, ...]) -> list[Query]:
    """Thesaurus phrases, each weighing EXPANSION_WEIGHT. A phrase holding a shorter one already searched
    ("major depressive disorder" holds "major depression") is dropped: the shorter one finds it."""
    searched = [typed_terms]
    alternatives: list[Query] = []
    for phrase in sorted(phrases, key=lambda phrase: len(phrase_terms(phrase))):
        terms = phrase_terms(phrase)
        if not terms or any(len(piece) == 1 for piece in _WORD.findall(phrase)):
            continue  # the analyzer drops letters of it ("e-therapy" would become "therapy")
        if any(_contains(terms, known) for known in searched):
            continue
        searched.append(terms)
        alternatives.append(_plain_phrase(terms, loose=False, boost=EXPANSION_WEIGHT))
        if len(alternatives) == MAX_ALTERNATIVES:
            break
    return alternatives


def _contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether ``part`` occurs in ``terms`` as a contiguous run."""
    return any(terms[i:i + len(part)] == part for i in range(len(terms) - len(part) + 1))


def _combine(clauses: list[_Clause], *, top: bool) -> tuple[Query, Query | None]:
    """Juxtaposed clauses: OR-ed, a repeated clause weighing as often as typed, negated ones excluded.
    At the top, a share of the clauses is required (``minimum_should_match``); returns the query and
    its relaxed (any-clause) version, or None when no share is required."""
    counts: dict[Query, int] = {}
    excluded: list[Query] = []
    for clause in clauses:
        if clause.negated:
            excluded.append(clause.query)
        else:
            counts[clause.query] = counts.get(clause.query, 0) + 1
    positive = [query if count == 1 else query.with_boost(query.boost * count) for query, count in counts.items()]
    required = minimum_should_match(len(positive)) if top else 0
    relaxed = None
    if not positive:
        query = NullQuery
    elif len(positive) == 1:
        query = positive[0]
    elif required:
        query = MinimumShouldMatch(positive, minmatch=required)
        relaxed = Or(positive)
    else:
        query = Or(positive)
    if excluded:
        exclusion = excluded[0] if len(excluded) == 1 else Or(excluded)
        query = Not(exclusion) if query is NullQuery else AndNot(query, exclusion)
        relaxed = None if relaxed is None else AndNot(relaxed, exclusion)
    return query, relaxed
