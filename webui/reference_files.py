"""Reference files for reference managers: BibTeX (bibtexparser), RIS (rispy) and CSL-JSON.

Each writer takes a list of :class:`~webui.references.Reference` and returns the file's text; one post's
export and a reading list of 500 are the same call. An incomplete author list stays incomplete:
``and others`` in BibTeX, an ``N1`` note in RIS, a ``note`` in CSL-JSON (CSL has no other way to say it).
bibtexparser writes the entries but does not escape TeX's special characters: :func:`_tex` does.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable

import rispy
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter
from rispy.writer import RisWriter

from webui.references import ARTICLE, BLOG_POST, Reference

INCOMPLETE_NOTE = "The author list is incomplete: the citation on the blog elides some authors."
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# -- BibTeX --------------------------------------------------------------------------------------------
def _tex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(char, char) for char in text)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def _bibtex_url(url: str | None) -> str | None:
    """A URL as BibTeX reads it verbatim: braces and backslashes percent-encoded so the field stays closed."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D") if url else None


def bibtex_key(reference: Reference) -> str:
    """``Firth2019Therapist``: first author's surname, year, first long word of the title (ASCII)."""
    surname = _ascii_word(reference.authors[0].split(",")[0]) if reference.authors else ""
    words = (_ascii_word(word) for word in reference.title.split())
    first_word = next((word for word in words if len(word) > 3), "summary")
    return f"{surname or 'PPRNet'}{reference.year or ''}{first_word.capitalize()}"


def _bibtex_entry(reference: Reference) -> dict:
    authors = " and ".join(reference.authors + (() if reference.authors_complete else ("others",)))
    fields = {
        "author": _tex(authors),
        "title": _tex(reference.title),
        "year": str(reference.year) if reference.year else None,
        "doi": _tex(reference.doi) if reference.doi else None,
        "url": _bibtex_url(reference.url),
        "note": _tex(reference.note) if reference.note else None,
    }
    if reference.kind == ARTICLE:
        pages = f"{reference.first_page}--{reference.last_page}" if reference.last_page else reference.first_page
        fields.update(journal=_tex(reference.container), volume=reference.volume, number=reference.issue,
                      pages=pages)
        kind = "article"
    else:
        if reference.kind == BLOG_POST:
            fields.update(howpublished=_tex(reference.container or ""),
                          month=_BIBTEX_MONTHS[reference.month - 1] if reference.month else None)
        kind = "misc"
    entry = {name: value for name, value in fields.items() if value}
    entry.update(ENTRYTYPE=kind, ID=bibtex_key(reference))
    return entry


def bibtex(references: list[Reference]) -> str:
    """BibTeX entries, ``@article`` for journal articles and ``@misc`` otherwise; keys made distinct."""
    entries = [_bibtex_entry(reference) for reference in references]
    _make_distinct(entries, "ID", lambda count: chr(ord("a") + count - 2) if count <= 27 else str(count))
    database = BibDatabase()
    database.entries = entries
    writer = BibTexWriter()
    writer.order_entries_by = None  # keep the order of the list (ranking or selection)
    writer.display_order = ["author", "title", "journal", "howpublished", "year", "month", "volume",
                            "number", "pages", "doi", "url", "note"]
    return writer.write(database)


# -- RIS -------------------------------------------------------------------------------------------------
class _RisWriter(RisWriter):
    """rispy's writer without its numbered header lines, with the CRLF line ends of the RIS spec."""

    NEWLINE = "\r\n"

    def set_header(self, count):
        return ""


def _ris_record(reference: Reference) -> dict:
    notes = [reference.note] if reference.note else []
    if not reference.authors_complete:
        notes.insert(0, INCOMPLETE_NOTE)
    kind = {ARTICLE: "JOUR", BLOG_POST: "BLOG"}.get(reference.kind, "GEN")
    record = {
        "type_of_reference": kind,
        "authors": list(reference.authors),
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
        "urls": [reference.url] if reference.url else [],
        "notes": notes,
    }
    return {name: value for name, value in record.items() if value}


def ris(references: list[Reference]) -> str:
    """RIS records (Zotero, EndNote, Mendeley)."""
    return rispy.dumps([_ris_record(reference) for reference in references], implementation=_RisWriter)


# -- CSL-JSON --------------------------------------------------------------------------------------------
def _csl_name(author: str) -> dict:
    family, _, given = author.partition(",")
    return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": author}


def csl_item(reference: Reference) -> dict:
    """One CSL-JSON item (the input format of citeproc-js, Zotero and Pandoc)."""
    kind = {ARTICLE: "article-journal", BLOG_POST: "post-weblog"}.get(reference.kind, "document")
    date_parts = [reference.year] + ([reference.month] if reference.month else []) if reference.year else None
    notes = ([INCOMPLETE_NOTE] if not reference.authors_complete else []) + ([reference.note] if reference.note else [])
    pages = f"{reference.first_page}-{reference.last_page}" if reference.last_page else reference.first_page
    item = {
        "id": bibtex_key(reference),
        "type": kind,
        "author": [_csl_name(author) for author in reference.authors],
        "title": reference.title,
        "container-title": reference.container,
        "issued": {"date-parts": [date_parts]} if date_parts else None,
        "volume": reference.volume,
        "issue": reference.issue,
        "page": pages,
        "DOI": reference.doi,
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
