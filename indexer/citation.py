"""Parse the APA-style citation line printed under each PPRNet blog post title.

Every post on the PPRNet blog names the study it summarises in one reference
line, e.g. ``Firth, N., Saxon, D., Stiles, W. B., & Barkham, M. (2019).
Therapist and clinic effects in psychotherapy: ... Journal of Consulting and
Clinical Psychology, 87(4), 345–356.``  This module turns such a line into a
:class:`Citation` record (:func:`parse_citation`) and tells the page parser
whether a paragraph is such a line at all (:func:`looks_like_citation`).

A line is read field by field: the author list in any hand the blog uses (ellipses however typed,
"et al.", missing commas, given names first, Vancouver initials), the date group, then a journal
article, a book chapter or a whole book. Names that are elided or cannot be read are left out and
the list is marked incomplete (``authors_complete``); the other fields are kept.

Both functions run on every paragraph of every page, so every regular
expression here is bounded or anchored and runs in linear time, and neither
function ever raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from indexer.decode import squeeze_spaces

ARTICLE = "article"
CHAPTER = "chapter"
BOOK = "book"
UNPARSED = "unparsed"


@dataclass(frozen=True)
class Citation:
    """One parsed reference; fields that could not be read are None."""

    authors: tuple[str, ...]  # "Surname, I. I." each, in order
    year: int | None
    article_title: str | None  # for a book chapter: the chapter title; for a book: its title
    journal: str | None  # for a book chapter: the book title; for a book: None
    volume: str | None
    issue: str | None
    pages: str | None  # ranges joined by an en dash: "345–356"
    doi: str | None  # bare: "10.1002/cpp.2509"
    kind: str  # ARTICLE, CHAPTER, BOOK or UNPARSED
    # False when the line elides ("…", "et al.") part of the author list or a name in it is unreadable.
    authors_complete: bool = True
    # False when the elision ends the list ("et al.", a closing ellipsis): its last name is not the last author.
    last_author_known: bool = True


@dataclass(frozen=True)
class _Head:
    """The author list and date group that open a citation."""

    authors: tuple[str, ...]
    year: int | None
    end: int  # index just past the closing ")" of the date group
    complete: bool  # no ellipsis, "et al." or unreadable name in the author list
    edited: bool = False  # "(Ed.)" or "(Eds.)" after the names: the authors edited a book
    ends_elided: bool = False  # the list ends with its elision: "A, B, et al." or "A, B, …"


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
# Unicode hyphens (U+2010, U+2011) that word processors put in names, titles and page ranges.
_UNICODE_HYPHENS = re.compile("[\u2010\u2011]")
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
# "(Ed.)." or "(Eds.)," between an edited book's editors and its date.
_EDITOR_MARK = re.compile(r"\( ?Eds?\.? ?\) ?[.,]? ?", re.IGNORECASE)
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

# Separators between authors that are not a plain comma. An ellipsis is a run of dots, "…" and
# spaces with three dots or a "…" in it, in any hand: "...", "…", ". . .", "E.S….", "P. . . .".
_DOT_RUN = re.compile(r"[.…](?:[ .…]*[.…])?")
_AUTHOR_ET_AL = re.compile(r"\bet al\b\.?", re.IGNORECASE)
# An author list that ends with its elision (tested on its last few characters, separators stripped).
_ENDS_ELIDED = re.compile(r"(?:…|\.[ ]?\.[ ]?\.|\bet al\b\.?)$", re.IGNORECASE)
_AUTHOR_AND = re.compile(r" ?(?:&|\band\b) ?")
# Initials as printed: "E.M.", "W. B.", "C.-E.", "JC" (letters checked apart).
_INITIALS = re.compile(r"(?:[^\W\d_]\.?[ -]*)+")
# Initials with periods that open a token, then a surname: the "J. Timulak" of
# "Watson, J. Timulak, L.", where a comma between two authors is missing.
_INITIALS_THEN_NAME = re.compile(r"(?P<initials>(?:[A-Z]\.[ -]?)+) (?P<surname>\S.*)")
# Initials printed after a surname without periods (Vancouver style): the "JA" of "Rubel JA".
_VANCOUVER_INITIALS = re.compile(r"[A-Z]{1,3}")
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
# Pages without a volume closing an article published online first: ", 1-7".
_PAGES_ONLY_LOCATOR = re.compile(
    r", ?(?:pp?\. ?)?(?P<pages>[A-Za-z]?\d+ ?" + _DASH + r" ?[A-Za-z]?\d+)$", re.IGNORECASE
)
# A whole book: "Title (2nd ed.). New York: Routledge", "Title (Vol. 2). Publisher".
_BOOK_TITLE_WITH_DETAILS = re.compile(
    r"(?P<book>[^()]+?) ?\((?P<details>[^()]{1,80})\)(?:[.,]? [^()]{1,200})?"
)
# Book details that only a book has: an edition or a volume.
_BOOK_DETAILS = re.compile(r"\bed(?:n|ition)?\b\.?|\bVol(?:ume)?\b", re.IGNORECASE)
# A publisher after a book title: "New York: Wiley", "Guilford Press", "John Wiley & Sons".
_PUBLISHER = re.compile(
    r"\b(?:Press|Routledge|Wiley|Guilford|Springer|Sage|SAGE|Elsevier|Norton|Karnac|Erlbaum"
    r"|Jossey-Bass|Publishing|Publishers|Publications|Books|Sons|Psychological Association)\b"
)
_JOURNAL_WORD = re.compile(r"\b(?:Journal|Review|Bulletin|Quarterly|Annals|Archives)\b")
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
    if head.edited:
        source = _parse_book(body, edited=True) or _parse_article(body)
    else:
        source = _parse_chapter(body) or _parse_book(body, edited=False) or _parse_article(body)
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
        last_author_known=head.complete or not head.ends_elided,
    )


def looks_like_citation(text: str) -> bool:
    """True if ``text`` opens with an author list followed by "(year)".

    Only the first few thousand characters are looked at, so this is cheap
    enough to run on every paragraph of a page.
    """
    if not isinstance(text, str):
        return False
    head = text[: _AUTHORS_MAX_CHARS + 100]
    return "(" in head and _parse_head(_normalise_spacing(head)) is not None  # no date without a parenthesis


# --- the head: authors and date -------------------------------------------


def _normalise_spacing(text: str) -> str:
    text = _UNICODE_HYPHENS.sub("-", unicodedata.normalize("NFC", text))
    return squeeze_spaces(_ZERO_WIDTH_CHARS.sub("", text))  # any run of white space, non-breaking and thin too


@lru_cache(maxsize=256)  # a citation line is read by the page parser, then for its fields
def _parse_head(text: str) -> _Head | None:
    """Read "<authors> (<date>)" at the start of ``text``, or return None.

    An edited book's "<editors> (Eds.). (<date>)" is read too, with ``edited`` set.
    """
    paren = text.find("(", 0, _AUTHORS_MAX_CHARS)
    if paren <= 0:
        return None
    editor_mark = _EDITOR_MARK.match(text, paren)
    date = _DATE_GROUP.match(text, editor_mark.end() if editor_mark else paren)
    if date is None or _PROSE_AFTER_DATE.match(text, date.end()):
        return None
    authors, complete = _parse_authors(text[:paren])
    if not authors:
        return None
    year = int(date["year"]) if date["year"] else None
    ends_elided = bool(_ENDS_ELIDED.search(text[max(0, paren - 12):paren].rstrip(" ,&")))
    return _Head(authors, year, date.end(), complete, edited=editor_mark is not None, ends_elided=ends_elided)


def _first_parenthesised_year(text: str) -> int | None:
    for date in _DATE_GROUP.finditer(text):
        if date["year"]:
            return int(date["year"])
    return None


def _parse_authors(text: str) -> tuple[tuple[str, ...], bool]:
    """Authors as "Surname, I. I." and whether the list is complete; no authors if ``text`` is not an
    author list.

    The list is incomplete when it elides names (an ellipsis, "et al.") or holds a token that is no
    name (a stray digit, "***"): the names around such a token are still read, as long as they
    outnumber the tokens skipped.
    """
    text = text.strip(" ,")
    tokens, elided = _split_author_list(text)
    authors, skipped = _inverted_authors(tokens)
    if authors and not skipped:
        return authors, not elided
    whole = _group_author(text) or _names_first_authors(tokens)
    if whole:
        return whole, not elided
    if authors and skipped <= len(authors):
        return authors, False
    return (), False


def _split_author_list(text: str) -> tuple[list[str], bool]:
    """Split on commas, "&", "and", ellipses and "et al."; True when an ellipsis or "et al." was seen."""
    elided = False

    def separate_ellipsis(dots: re.Match[str]) -> str:
        nonlocal elided
        run = dots.group()
        if "…" in run or run.count(".") >= 3:
            elided = True
            return ","
        return run

    text = _DOT_RUN.sub(separate_ellipsis, text)
    text, et_al_count = _AUTHOR_ET_AL.subn(",", text)
    text = _AUTHOR_AND.sub(",", text)
    return [token.strip() for token in text.split(",") if token.strip()], elided or et_al_count > 0


def _inverted_authors(tokens: list[str]) -> tuple[tuple[str, ...], int]:
    """Read "Surname, I. I., Surname, I." pairs; also how many tokens were skipped as no name.

    "Watson, J. Timulak, L." (a missing comma) is read as two authors, and initials broken by a
    stray comma ("Hilsenroth, M.,J.") are joined again.
    """
    tokens = list(reversed(tokens))  # a stack: the next token is at the end
    authors: list[str] = []
    skipped = 0
    after_initials = False
    while tokens:
        token = tokens.pop()
        initials_only = _normalise_initials(token) if "." in token else None
        if after_initials and initials_only and authors:
            authors[-1] = f"{authors[-1]} {initials_only}"
            continue
        if authors and after_initials and _NAME_SUFFIX.fullmatch(token):
            authors[-1] = f"{authors[-1]}, {token}"
            after_initials = False
            continue
        if not tokens or not _is_surname(token):
            skipped += 1
            after_initials = False
            continue
        initials = _normalise_initials(tokens[-1])
        if initials is None:
            glued = _INITIALS_THEN_NAME.fullmatch(tokens[-1])
            initials = _normalise_initials(glued["initials"].strip()) if glued else None
            if initials is None:
                skipped += 1
                after_initials = False
                continue
            tokens[-1] = glued["surname"]
        else:
            tokens.pop()
        authors.append(f"{token}, {initials}")
        after_initials = True
    return tuple(authors), skipped


def _names_first_authors(tokens: list[str]) -> tuple[str, ...]:
    """Read "Andrzej Werbart, Mo Wang" as ("Werbart, A.", "Wang, M."), and the Vancouver style
    "Lutz W, Rubel JA" (initials after the surname, no comma) as ("Lutz, W.", "Rubel, J. A.")."""
    authors = []
    for token in tokens:
        words = token.split(" ")
        if not 2 <= len(words) <= 4:
            return ()
        if _VANCOUVER_INITIALS.fullmatch(words[-1]) and _is_surname(" ".join(words[:-1])):
            authors.append(f"{' '.join(words[:-1])}, {_normalise_initials(words[-1])}")
            continue
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


def _parse_book(body: str, *, edited: bool) -> _Source | None:
    """Read a whole book, "Title (2nd ed.). City: Publisher", or None.

    A book is told from an article by an edition or volume after its title, by a publisher where a
    journal would be, or by its authors being its editors (``edited``); never when a journal
    locator (volume, pages) closes the line.
    """
    if _ARTICLE_LOCATOR.search(body) or _PAGES_ONLY_LOCATOR.search(body):
        return None
    with_details = _BOOK_TITLE_WITH_DETAILS.fullmatch(body)
    if with_details and _BOOK_DETAILS.search(with_details["details"]):
        volume = _VOLUME_LABEL.search(with_details["details"])
        return _Source(
            kind=BOOK,
            title=_clean_title(with_details["book"]),
            journal=None,
            volume=volume["volume"] if volume else None,
        )
    title, publisher = _split_title_and_journal(body.rstrip(" ,.;:"))
    if title is None:
        return None
    if edited or (publisher and _PUBLISHER.search(publisher) and not _JOURNAL_WORD.search(publisher)):
        return _Source(kind=BOOK, title=title, journal=None)
    return None


def _parse_article(body: str) -> _Source:
    """Read "Title. Journal, 87(4), 345-356" and its comma-separated variants (", 1-7" without a volume)."""
    locator = _ARTICLE_LOCATOR.search(body)
    pages_only = None if locator else _PAGES_ONLY_LOCATOR.search(body)
    end = locator or pages_only
    title_and_journal = body[: end.start()] if end else body
    title, journal = _split_title_and_journal(title_and_journal.rstrip(" ,.;:"))
    if locator is None:
        pages = _normalise_pages(pages_only["pages"]) if pages_only else None
        return _Source(kind=ARTICLE, title=title, journal=journal, pages=pages)
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
