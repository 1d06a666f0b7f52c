"""Parse the APA-style citation line printed under each PPRNet blog post title.

Every post on the PPRNet blog names the study it summarises in one reference
line, e.g. ``Firth, N., Saxon, D., Stiles, W. B., & Barkham, M. (2019).
Therapist and clinic effects in psychotherapy: ... Journal of Consulting and
Clinical Psychology, 87(4), 345–356.``  This module turns such a line into a
:class:`Citation` record (:func:`parse_citation`) and tells the page parser
whether a paragraph is such a line at all (:func:`looks_like_citation`).

Both functions run on every paragraph of every page, so every regular
expression here is bounded or anchored and runs in linear time, and neither
function ever raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ARTICLE = "article"
CHAPTER = "chapter"
UNPARSED = "unparsed"


@dataclass(frozen=True)
class Citation:
    """One parsed reference; fields that could not be read are None."""

    authors: tuple[str, ...]  # "Surname, I. I." each, in order
    year: int | None
    article_title: str | None  # for a book chapter: the chapter title
    journal: str | None  # for a book chapter: the book title
    volume: str | None
    issue: str | None
    pages: str | None  # ranges joined by an en dash: "345–356"
    doi: str | None  # bare: "10.1002/cpp.2509"
    kind: str  # ARTICLE, CHAPTER or UNPARSED
    authors_complete: bool = True  # False when the line elides ("…", "et al.") part of the author list


@dataclass(frozen=True)
class _Head:
    """The author list and date group that open a citation."""

    authors: tuple[str, ...]
    year: int | None
    end: int  # index just past the closing ")" of the date group
    complete: bool  # no ellipsis or "et al." in the author list


@dataclass(frozen=True)
class _Source:
    """What follows the date: the title and where it was published."""

    kind: str
    title: str | None
    journal: str | None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


# The author list must end within this many characters for the line to count
# as a citation; twenty APA authors with long names fit well inside it.
_AUTHORS_MAX_CHARS = 2000

# Invisible characters that copy-pasted web text carries inside words.
_ZERO_WIDTH_CHARS = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Any run of whitespace, including non-breaking and thin spaces.
_WHITESPACE_RUN = re.compile(r"\s+")
# A hyphen or dash of any kind (hyphen, en and em dash, minus sign).
_DASH = r"[-\u2010-\u2015\u2212]"
# A dash inside a range, with the spaces around it.
_RANGE_DASH = re.compile(" ?" + _DASH + " ?")
# A page, article number or page range: "345", "e0123456", "S12 - S18".
_PAGE_RANGE = r"[A-Za-z]?\d+(?: ?" + _DASH + r" ?[A-Za-z]?\d+)?"

# The date group right after the authors: "(2019)", "(2019a)",
# "(2021, March)", "(in press)", "(n.d.)".
_DATE_GROUP = re.compile(
    r"\( ?(?:(?P<year>(?:1[89]|20)\d\d)[a-z]?(?: ?,[^()]{1,40})?"
    r"|in press|forthcoming|n\. ?d\.) ?\)",
    re.IGNORECASE,
)
# What follows "(2020)" in a sentence that merely mentions a study:
# "... (2020) documented ..." or "... (2020), who ...".
_PROSE_AFTER_DATE = re.compile(r" ?(?:[,;]|[a-z])")

# A DOI with the label or resolver address in front of it, if any:
# "https://doi.org/10...", "http://dx.doi.org/10...", "doi:10...", "DOI: 10...".
_DOI = re.compile(
    r"(?:\b(?:https?://)?(?:dx\.)?doi\.org/|\bdoi ?:? ?)?"
    r"(?P<doi>10\.\d{4,9}/[^\s\"<>]+)",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than a DOI.
_DOI_TRAILING_PUNCTUATION = ".,;:"

# Separators between authors that are not a plain comma.
_AUTHOR_ELLIPSIS = re.compile(r"…|\.\.\.")
_AUTHOR_ET_AL = re.compile(r"\bet al\.?", re.IGNORECASE)
_AUTHOR_AND = re.compile(r" ?(?:&|\band\b) ?")
# Initials as printed: "E.M.", "W. B.", "C.-E.", "JC" (letters checked apart).
_INITIALS = re.compile(r"(?:[^\W\d_]\.?[ -]*)+")
# One initial letter and whether a hyphen joins it to the previous one.
_INITIAL_LETTER = re.compile(r"(-?) ?([^\W\d_])")
# A generational suffix printed after the initials: "Jr.", "III".
_NAME_SUFFIX = re.compile(r"(?:Jr|Sr)\.?|I{2,3}|IV")
# One word of a personal name: "Lo", "Hiebler-Rager", "O'Brien", "B.".
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-])*\.?")
# Lower-case words that start a surname: "van der Zwan", "de Jong".
_SURNAME_PARTICLES = frozenset(
    "van von der den de del della di da dos das du la le ten ter".split()
)
# A word that makes a name an organisation: "American Psychological Association".
_GROUP_AUTHOR_WORD = re.compile(
    r"\b(?:Association|Organi[sz]ation|Institute|Society|Council|Committee"
    r"|Department|Agency|Foundation|Collaboration|Group|Network|Centre|Center"
    r"|College|University|Commission|Service|Services)\b"
)
# Small words allowed in lower case inside an organisation's name.
_GROUP_AUTHOR_CONNECTORS = frozenset("of for and the on in".split())

# Labels left at the end of the publication details once the DOI is cut off.
_TRAILING_NOISE_PHRASES = (
    "advance online publication",
    "online first publication",
    "online first",
    "epub ahead of print",
    "retrieved from",
    "available at",
    "doi",
)
_URL_PREFIXES = ("http://", "https://", "www.")

# Where a chapter's source starts: "... title. In M. J. Lambert (Ed.), ...".
_CHAPTER_IN = re.compile(r"(?<=[.?!]) In:? (?=\S)")
# The editors of the book, up to "(Ed.)" or "(Eds.)".
_CHAPTER_EDITORS = re.compile(r"[^()]{1,300}? ?\( ?Eds?\.? ?\) ?,? ?", re.IGNORECASE)
# The book title and its "(6th ed., pp. 169-218)" details.
_BOOK_WITH_DETAILS = re.compile(r"(?P<book>[^()]+?) ?\((?P<details>[^()]{1,80})\)")
# The page range inside the book details: "pp. 169-218".
_PAGES_LABEL = re.compile(r"\bpp?\. ?(?P<pages>" + _PAGE_RANGE + ")")
# The volume inside the book details: "Vol. 2".
_VOLUME_LABEL = re.compile(r"\bVol(?:ume)?\.? ?(?P<volume>\d+|[IVXLC]+)\b", re.IGNORECASE)

# The journal locator closing an article: ", 87(4), 345–356",
# ", 23, 526-538", ", 15(3), e0229876", ", 12, Article 102345", ", 64".
_ARTICLE_LOCATOR = re.compile(
    r", ?(?P<volume>\d{1,5}) ?(?:\( ?(?P<issue>[^()]{1,30}?) ?\))?"
    r"(?: ?, ?(?:pp?\. ?|Article )?"
    r"(?P<pages>" + _PAGE_RANGE + "))?$",
    re.IGNORECASE,
)
# A sentence end that may separate an article title from the journal name.
_SENTENCE_BREAK = re.compile(r"[.?!] (?=\S)")


def parse_citation(line: str) -> Citation:
    """Parse one APA-style reference line; never raises.

    A line whose author list and date cannot be read comes back with kind
    UNPARSED and only its DOI and parenthesised year, if any, filled in.
    """
    if not isinstance(line, str):
        return Citation((), None, None, None, None, None, None, None, UNPARSED)
    text = _normalise_spacing(line)
    doi_match = _DOI.search(text)
    doi = _clean_doi(doi_match["doi"]) if doi_match else None
    head = _parse_head(text)
    if head is None:
        year = _first_parenthesised_year(text)
        return Citation((), year, None, None, None, None, None, doi, UNPARSED)

    body_end = len(text)
    if doi_match and doi_match.start() >= head.end:
        body_end = doi_match.start()
    body = _strip_trailing_noise(text[head.end:body_end].lstrip(" ."))
    source = _parse_chapter(body) or _parse_article(body)
    return Citation(
        authors=head.authors,
        year=head.year,
        article_title=source.title,
        journal=source.journal,
        volume=source.volume,
        issue=source.issue,
        pages=source.pages,
        doi=doi,
        kind=source.kind,
        authors_complete=head.complete,
    )


def looks_like_citation(text: str) -> bool:
    """True if ``text`` opens with an author list followed by "(year)".

    Only the first few thousand characters are looked at, so this is cheap
    enough to run on every paragraph of a page.
    """
    if not isinstance(text, str):
        return False
    return _parse_head(_normalise_spacing(text[: _AUTHORS_MAX_CHARS + 100])) is not None


# --- the head: authors and date -------------------------------------------


def _normalise_spacing(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_CHARS.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


def _parse_head(text: str) -> _Head | None:
    """Read "<authors> (<date>)" at the start of ``text``, or return None."""
    paren = text.find("(", 0, _AUTHORS_MAX_CHARS)
    if paren <= 0:
        return None
    date = _DATE_GROUP.match(text, paren)
    if date is None or _PROSE_AFTER_DATE.match(text, date.end()):
        return None
    authors = _parse_authors(text[:paren])
    if not authors:
        return None
    year = int(date["year"]) if date["year"] else None
    elided = _AUTHOR_ELLIPSIS.search(text, 0, paren) or _AUTHOR_ET_AL.search(text, 0, paren)
    return _Head(authors, year, date.end(), complete=elided is None)


def _first_parenthesised_year(text: str) -> int | None:
    for date in _DATE_GROUP.finditer(text):
        if date["year"]:
            return int(date["year"])
    return None


def _parse_authors(text: str) -> tuple[str, ...]:
    """Authors as "Surname, I. I."; empty if ``text`` is not an author list."""
    text = text.strip(" ,")
    tokens = _split_author_list(text)
    return _inverted_authors(tokens) or _group_author(text) or _names_first_authors(tokens)


def _split_author_list(text: str) -> list[str]:
    """Split on commas, "&", "and", ellipses and "et al."."""
    for separator in (_AUTHOR_ELLIPSIS, _AUTHOR_ET_AL, _AUTHOR_AND):
        text = separator.sub(",", text)
    return [token.strip() for token in text.split(",") if token.strip()]


def _inverted_authors(tokens: list[str]) -> tuple[str, ...]:
    """Read "Surname, I. I., Surname, I." pairs; empty if any pair fails."""
    authors = []
    position = 0
    while position < len(tokens):
        if position + 1 == len(tokens) or not _is_surname(tokens[position]):
            return ()
        initials = _normalise_initials(tokens[position + 1])
        if initials is None:
            return ()
        author = f"{tokens[position]}, {initials}"
        position += 2
        if position < len(tokens) and _NAME_SUFFIX.fullmatch(tokens[position]):
            author = f"{author}, {tokens[position]}"
            position += 1
        authors.append(author)
    return tuple(authors)


def _names_first_authors(tokens: list[str]) -> tuple[str, ...]:
    """Read "Andrzej Werbart, Mo Wang" as ("Werbart, A.", "Wang, M.")."""
    authors = []
    for token in tokens:
        words = token.split(" ")
        if not 2 <= len(words) <= 4:
            return ()
        surname_start = len(words) - 1
        while surname_start > 1 and words[surname_start - 1] in _SURNAME_PARTICLES:
            surname_start -= 1
        surname = " ".join(words[surname_start:])
        initials = _initials_of_given_names(words[:surname_start])
        if initials is None or not _is_surname(surname):
            return ()
        authors.append(f"{surname}, {initials}")
    return tuple(authors)


def _group_author(text: str) -> tuple[str, ...]:
    """Read an organisation as author: ("American Psychological Association",)."""
    name = text.rstrip(".")
    if "," in name or len(name) > 150 or not _GROUP_AUTHOR_WORD.search(name):
        return ()
    for word in name.split(" "):
        if not (word[:1].isupper() or word in _GROUP_AUTHOR_CONNECTORS):
            return ()
    return (name,)


def _is_surname(text: str) -> bool:
    words = text.split(" ")
    if len(text) > 60 or len(words) > 4 or not _is_capitalised(words[-1]):
        return False
    return all(
        _NAME_WORD.fullmatch(word)
        and (_is_capitalised(word) or word in _SURNAME_PARTICLES)
        for word in words
    )


def _is_capitalised(word: str) -> bool:
    """True for "Lo", "Støre", "O'Brien" and "d'Elia"; False for "and"."""
    if word[:1].isupper():
        return True
    return len(word) > 2 and word[1] in "'’" and word[2].isupper()


def _normalise_initials(token: str) -> str | None:
    """"E.M." -> "E. M.", "C.-E." -> "C.-E."; None if not initials."""
    if len(token) > 40 or not _INITIALS.fullmatch(token):
        return None
    letters = _INITIAL_LETTER.findall(token)
    if not all(letter.isupper() for _, letter in letters):
        return None
    joined = "".join(("-" if hyphen else " ") + letter + "." for hyphen, letter in letters)
    return joined.lstrip()


def _initials_of_given_names(words: list[str]) -> str | None:
    """["Mary-Ann", "B."] -> "M.-A. B."; None if a word is not a name."""
    initials = []
    for word in words:
        if not (_NAME_WORD.fullmatch(word) and word[0].isupper()):
            return None
        parts = [part for part in word.rstrip(".").split("-") if part]
        initials.append("-".join(part[0].upper() + "." for part in parts))
    return " ".join(initials)


# --- the DOI ------------------------------------------------------------------


def _clean_doi(doi: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets at the end."""
    while doi:
        last = doi[-1]
        if last in _DOI_TRAILING_PUNCTUATION:
            doi = doi[:-1]
        elif last == ")" and doi.count(")") > doi.count("("):
            doi = doi[:-1]
        elif last == "]" and doi.count("]") > doi.count("["):
            doi = doi[:-1]
        else:
            break
    return doi


def _strip_trailing_noise(text: str) -> str:
    """Cut "Online first publication:", bare URLs and punctuation off the end."""
    end = len(text)
    while True:
        while end and text[end - 1] in " .,;:([":
            end -= 1
        word_start = text.rfind(" ", 0, end) + 1
        if text[word_start:end].lower().startswith(_URL_PREFIXES):
            end = word_start
            continue
        phrase = _trailing_noise_phrase(text, end)
        if phrase is None:
            return text[:end]
        end -= len(phrase)


def _trailing_noise_phrase(text: str, end: int) -> str | None:
    tail = text[max(0, end - 40) : end].lower()
    for phrase in _TRAILING_NOISE_PHRASES:
        start = end - len(phrase)
        if tail.endswith(phrase) and (start == 0 or not text[start - 1].isalnum()):
            return phrase
    return None


# --- the body: title and source ----------------------------------------------


def _parse_chapter(body: str) -> _Source | None:
    """Read "Title. In Editors (Eds.), Book (pp. 1-2). Publisher." or None."""
    source_start = None
    for marker in _CHAPTER_IN.finditer(body):
        source_start = marker
    if source_start is None:
        return None
    source = body[source_start.end() :]
    editors = _CHAPTER_EDITORS.match(source)
    if editors:
        source = source[editors.end() :]
    book_with_details = _BOOK_WITH_DETAILS.match(source)
    details = book_with_details["details"] if book_with_details else ""
    pages = _PAGES_LABEL.search(details)
    if not editors and not pages:
        return None
    if book_with_details:
        book = book_with_details["book"]
    else:
        book = source.split(". ", 1)[0]
    volume = _VOLUME_LABEL.search(details)
    return _Source(
        kind=CHAPTER,
        title=_clean_title(body[: source_start.start()]),
        journal=_clean_name(book),
        volume=volume["volume"] if volume else None,
        pages=_normalise_pages(pages["pages"]) if pages else None,
    )


def _parse_article(body: str) -> _Source:
    """Read "Title. Journal, 87(4), 345-356" and its comma-separated variants."""
    locator = _ARTICLE_LOCATOR.search(body)
    title_and_journal = body[: locator.start()] if locator else body
    title, journal = _split_title_and_journal(title_and_journal.rstrip(" ,.;:"))
    if locator is None:
        return _Source(kind=ARTICLE, title=title, journal=journal)
    return _Source(
        kind=ARTICLE,
        title=title,
        journal=journal,
        volume=locator["volume"],
        issue=locator["issue"],
        pages=_normalise_pages(locator["pages"]) if locator["pages"] else None,
    )


def _split_title_and_journal(text: str) -> tuple[str | None, str | None]:
    """Split at the last sentence end, else at the last comma, before a capital."""
    if not text:
        return None, None
    title_end = _last_title_end(text)
    if title_end is not None:
        return _clean_title(text[: title_end + 1]), _clean_name(text[title_end + 1 :])
    comma = text.rfind(", ")
    if comma > 0 and text[comma + 2 : comma + 3].isupper():
        return _clean_title(text[:comma]), _clean_name(text[comma + 2 :])
    return _clean_title(text), None


def _last_title_end(text: str) -> int | None:
    """Index of the ".", "?" or "!" ending the title, or None.

    The next word must be capitalised (journal names are) and a "." must not
    close a lone initial such as the "U." of "U.S.".
    """
    title_end = None
    for sentence_break in _SENTENCE_BREAK.finditer(text):
        position = sentence_break.start()
        if not text[sentence_break.end()].isupper():
            continue
        if text[position] == "." and _ends_lone_initial(text, position):
            continue
        title_end = position
    return title_end


def _ends_lone_initial(text: str, period: int) -> bool:
    before = text[period - 1] if period >= 1 else ""
    previous = text[period - 2] if period >= 2 else " "
    return before.isupper() and not previous.isalpha()


def _clean_title(text: str) -> str | None:
    """Trim spaces and a final period or comma; keep a final "?" or "!"."""
    return _clean_name(text.rstrip(" ,;:").removesuffix("."))


def _clean_name(text: str) -> str | None:
    text = text.strip(" ,;:")
    return text or None


def _normalise_pages(pages: str) -> str:
    return _RANGE_DASH.sub("–", pages)
