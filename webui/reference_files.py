r"""Reference files for reference managers: BibTeX (bibtexparser), RIS (rispy) and CSL-JSON.

Each writer takes a list of :class:`~webui.references.Reference` and returns the file's text; one post's
export and a reading list of 500 are the same call. A complete list (from Crossref) is written whole,
with given names; an incomplete one stays incomplete in each format's own way: BibTeX ``and others``
after the names before the gap (BibTeX styles read ``others`` only at the end, so a last author the blog
names goes in ``annote``), a final ``{"literal": "others"}`` name in CSL-JSON (``…`` before a known last
author), which citeproc prints as "& others" (Pandoc's citeproc as "et al.") and never as a false "&"
before a name, and a note in RIS and CSL-JSON.

BibTeX: every field value is written through :func:`bibtex_value`, the one path that keeps braces
balanced (bibtexparser writes values as given, and BibTeX counts an escaped ``\}`` as a brace: an
unbalanced one ends the entry early or swallows the next). Text fields are TeX-escaped with braces as
``\textbraceleft{}``; ``url`` and ``doi`` (read verbatim by biblatex) have braces, backslashes and
spaces percent-encoded; title capitals that are not the sentence's own (acronyms, names) are braced so
styles keep them. The blog's summary goes in ``annote``, which standard styles do not print.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import date

import rispy
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter
from rispy.writer import RisWriter

from webui.references import ARTICLE, BLOG_POST, Reference

INCOMPLETE_NOTE = "The author list is incomplete: the citation on the blog elides some authors."
OTHERS = "others"  # BibTeX's and CSL's name for the authors an incomplete list leaves out
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&",
                "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_VERBATIM_FIELDS = frozenset({"url", "doi"})
_VERBATIM_SPECIAL = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}
_NAME_SEPARATOR = re.compile(r",|\band\b|\bothers\b", re.IGNORECASE)
# A word that starts a sentence in a title: the first, and any after ":", "?", "!" or ".".
_SENTENCE_END = (":", "?", "!", ".")


# -- BibTeX --------------------------------------------------------------------------------------------
def bibtex_value(field: str, value) -> str:
    """``value`` as the value of BibTeX field ``field``, braces balanced whatever it holds. ``author``
    takes the names, each ``(family, given)`` or :data:`OTHERS`."""
    if field == "author":
        return " and ".join(name if name == OTHERS else _bibtex_name(*name) for name in value)
    text = " ".join(str(value).split())
    if field in _VERBATIM_FIELDS:
        return "".join(_VERBATIM_SPECIAL.get(char, char) for char in text)
    if field == "title":
        return _protected_title(text)
    return _tex(text)


def _tex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(char, char) for char in text)


def _protected_title(title: str) -> str:
    """The title TeX-escaped, its words with capitals that styles must keep in braces: ``{COVID-19}``,
    ``{CBT}``, and in a sentence-case title also the capitalised words within a sentence (names)."""
    words = title.split(" ")
    capitalised = [word for word in words if word[:1].isupper()]
    title_case = len(words) > 2 and len(capitalised) > len(words) / 2
    written, sentence_start = [], True
    for word in words:
        escaped = _tex(word)
        acronym = any(char.isupper() for char in word[1:])
        name = word[:1].isupper() and not sentence_start and not title_case
        written.append(f"{{{escaped}}}" if acronym or name else escaped)
        sentence_start = word.endswith(_SENTENCE_END)
    return " ".join(written)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def bibtex_key(reference: Reference) -> str:
    """``Firth2019Therapist``: first author's surname, year, first long word of the title (ASCII)."""
    surname = _ascii_word(reference.authors[0].split(",")[0]) if reference.authors else ""
    words = (_ascii_word(word) for word in reference.title.split())
    first_word = next((word for word in words if len(word) > 3), "summary")
    return f"{surname or 'PPRNet'}{reference.year or ''}{first_word.capitalize()}"


def _bibtex_name(family: str, given: str) -> str:
    """``Lo Coco, Gianluca``; a part holding a comma, "and" or "others" braced, an organisation braced whole."""
    def part(text: str) -> str:
        escaped = _tex(" ".join(text.split()))
        return f"{{{escaped}}}" if _NAME_SEPARATOR.search(text) else escaped

    return f"{part(family)}, {part(given)}" if given else f"{{{_tex(' '.join(family.split()))}}}"


def incomplete_note(reference: Reference) -> str | None:
    """What every format's note says of an incomplete author list (None for a complete one)."""
    if reference.authors_complete:
        return None
    if _last_after_gap(reference):
        family, given = reference.names[-1]
        return f"{INCOMPLETE_NOTE} Its last author is {' '.join(filter(None, (given, family)))}."
    return INCOMPLETE_NOTE


def _last_after_gap(reference: Reference) -> bool:
    """An incomplete list whose last name is the work's last author, after the names left out."""
    return not reference.authors_complete and reference.last_author_known and len(reference.names) > 1


def _bibtex_authors(reference: Reference) -> tuple:
    """The ``author`` field's names: an incomplete list ends with ``others`` (its known last author,
    which BibTeX cannot place after the gap, is named in ``annote``)."""
    if reference.authors_complete:
        return reference.names
    return (reference.names[:-1] if _last_after_gap(reference) else reference.names) + (OTHERS,)


def _bibtex_entry(reference: Reference) -> dict:
    pages = f"{reference.first_page}--{reference.last_page}" if reference.last_page else reference.first_page
    fields = {"author": _bibtex_authors(reference), "title": reference.title, "year": reference.year, "doi": reference.doi}
    if reference.kind == BLOG_POST:
        kind = "online"
        fields.update(howpublished=reference.container, url=reference.url,
                      date=f"{reference.year}-{reference.month:02d}" if reference.year and reference.month else None,
                      urldate=date.today().isoformat() if reference.url else None, annote=reference.note)
    else:
        kind = "article" if reference.kind == ARTICLE else "misc"
        fields.update(journal=reference.container, volume=reference.volume, number=reference.issue, pages=pages,
                      issn=", ".join(reference.issn), publisher=reference.publisher,
                      annote=" ".join(filter(None, (incomplete_note(reference), reference.note))))
    entry = {name: bibtex_value(name, value) for name, value in fields.items() if value}
    entry.update(ENTRYTYPE=kind, ID=bibtex_key(reference))
    return entry


def bibtex(references: list[Reference]) -> str:
    """BibTeX entries: ``@article`` for journal articles, ``@online`` for the blog post, ``@misc``
    otherwise; keys made distinct."""
    entries = [_bibtex_entry(reference) for reference in references]
    _make_distinct(entries, "ID", lambda count: chr(ord("a") + count - 2) if count <= 27 else str(count))
    database = BibDatabase()
    database.entries = entries
    writer = BibTexWriter()
    writer.order_entries_by = None  # keep the order of the list (ranking or selection)
    writer.display_order = ["author", "title", "journal", "howpublished", "year", "date", "volume", "number",
                            "pages", "doi", "issn", "publisher", "url", "urldate", "annote"]
    return writer.write(database)


# -- RIS -------------------------------------------------------------------------------------------------
class _RisWriter(RisWriter):
    """rispy's writer without its numbered header lines, with the CRLF line ends of the RIS spec."""

    NEWLINE = "\r\n"

    def set_header(self, count):
        return ""


def _ris_record(reference: Reference) -> dict:
    notes = [note for note in (incomplete_note(reference), reference.note) if note]
    kind = {ARTICLE: "JOUR", BLOG_POST: "BLOG"}.get(reference.kind, "GEN")
    record = {
        "type_of_reference": kind,
        "authors": [", ".join(filter(None, name)) for name in reference.names],
        "year": str(reference.year) if reference.year else None,
        "date": f"{reference.year}/{reference.month:02d}//" if reference.year and reference.month else None,
        "title": reference.title,
        "secondary_title": reference.container,
        "journal_name": reference.container if reference.kind == ARTICLE else None,
        "volume": reference.volume,
        "number": reference.issue,
        "start_page": reference.first_page,
        "end_page": reference.last_page,
        "doi": reference.doi,
        "issn": ", ".join(reference.issn),
        "publisher": reference.publisher,
        "urls": [reference.url] if reference.url else [],
        "notes": notes,
    }
    return {name: value for name, value in record.items() if value}


def ris(references: list[Reference]) -> str:
    """RIS records (Zotero, EndNote, Mendeley)."""
    return rispy.dumps([_ris_record(reference) for reference in references], implementation=_RisWriter)


# -- CSL-JSON --------------------------------------------------------------------------------------------
def _csl_name(family: str, given: str) -> dict:
    return {"family": family, "given": given} if given else {"literal": family}


def _csl_authors(reference: Reference) -> list[dict]:
    """The names; an incomplete list with a ``{"literal": "…"}`` where names are left out before a known
    last author, else ending with ``{"literal": "others"}``."""
    names = [_csl_name(*name) for name in reference.names]
    if reference.authors_complete:
        return names
    if _last_after_gap(reference):
        return names[:-1] + [{"literal": "…"}, names[-1]]
    return names + [{"literal": OTHERS}]


def csl_item(reference: Reference) -> dict:
    """One CSL-JSON item (the input format of citeproc-js, Zotero and Pandoc)."""
    kind = {ARTICLE: "article-journal", BLOG_POST: "post-weblog"}.get(reference.kind, "document")
    date_parts = [reference.year] + ([reference.month] if reference.month else []) if reference.year else None
    notes = [note for note in (incomplete_note(reference), reference.note) if note]
    pages = f"{reference.first_page}-{reference.last_page}" if reference.last_page else reference.first_page
    item = {
        "id": bibtex_key(reference),
        "type": kind,
        "author": _csl_authors(reference),
        "title": reference.title,
        "container-title": reference.container,
        "issued": {"date-parts": [date_parts]} if date_parts else None,
        "volume": reference.volume,
        "issue": reference.issue,
        "page": pages,
        "DOI": reference.doi,
        "ISSN": ", ".join(reference.issn),
        "publisher": reference.publisher,
        "URL": reference.url,
        "genre": "Blog post" if reference.kind == BLOG_POST else None,
        "note": " ".join(notes) or None,
    }
    return {name: value for name, value in item.items() if value}


def csl_json(references: list[Reference]) -> str:
    items = [csl_item(reference) for reference in references]
    _make_distinct(items, "id", lambda count: f"-{count}")
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    "bib": (bibtex, "application/x-bibtex"),
    "ris": (ris, "application/x-research-info-systems"),
    "json": (csl_json, "application/vnd.citationstyles.csl+json"),
}


def _make_distinct(records: list[dict], key: str, suffix: Callable[[int], str]) -> None:
    """Make the ``key`` values distinct in place: the n-th record (n >= 2) with a value gets ``suffix(n)``."""
    seen: dict[str, int] = {}
    for record in records:
        count = seen[record[key]] = seen.get(record[key], 0) + 1
        if count > 1:
            record[key] += suffix(count)
