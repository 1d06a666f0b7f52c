"""The postings file: each indexed term's documents and occurrences, and each document's texts, as
arrays read with one ``pread`` each.

Written once per build beside Whoosh's segment (``postings.bin`` and its table ``postings.json``), from
the same analysis of each post that Whoosh indexes (search.analysis.analyse, search.schema), and
swapped in with it; for each field and term, its postings (``POSTING``) then its occurrences
(``OCCURRENCE``). The scorer reads a term's postings with ``numpy.frombuffer`` (Whoosh's own postings
are pickled and compressed block by block); highlights, "matched in" and the practice answer read the
occurrences and texts of the few documents shown. Only the table is held in memory, nothing is mapped:
a file damaged or removed under a running reader raises ``PostingsError``, never a crash, and a
reader's memory does not grow with the posts' texts.
"""
from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections import namedtuple
from collections.abc import Sequence
from contextlib import contextmanager
from fnmatch import fnmatchcase
from itertools import islice, takewhile
from pathlib import Path

import numpy as np

from search.analysis import Term

DATA_FILE = "postings.bin"
TABLE_FILE = "postings.json"
POSTING = np.dtype([("doc", "<i4"), ("frequency", "<u4"), ("parts", "u1")])
OCCURRENCE = np.dtype([("position", "<u4"), ("start", "<u4"), ("end", "<u4"), ("part", "u1")])
MAX_EXPANDED_TERMS = 64  # a prefix or wildcard reads at most this many terms
POSITION_BITS = 21  # positions within a document stay below 2**21: ``document << 21 | position`` is a key


class PostingsError(Exception):
    """The postings file cannot be read (missing, truncated): the index must be rebuilt."""


class PostingsWriter:
    """Collects each document's terms field by field (documents in order, from 0), then writes the file."""

    def __init__(self) -> None:
        self._fields: dict[str, _FieldBuffer] = {}
        self.documents = 0
        self._texts = bytearray()  # each document's summary, implications and sentence bounds, in order
        self._text_ends: list[int] = []

    def add_texts(self, summary: str, implications: str, sentences: Sequence[tuple[int, int, int]]) -> None:
        """Record the next document's texts and its implications' (start, end, paragraph) sentences."""
        for piece in (summary.encode("utf-8"), implications.encode("utf-8"),
                      np.asarray(sentences, dtype="<i4").reshape(-1, 3).tobytes()):
            self._texts += piece
            self._text_ends.append(len(self._texts))

    def add(self, docnum: int, field: str, parts: Sequence[tuple[Sequence[Term], int]]) -> dict[str, list[int]]:
        """Record one field of one document: its terms part by part, each part with the offset of its
        positions in the field (a part's index is its bit in the postings' ``parts``). Returns each
        term's positions, for Whoosh's writer."""
        self.documents = max(self.documents, docnum + 1)
        grouped: dict[str, list[tuple[int, int, int, int]]] = {}
        for part, (terms, offset) in enumerate(parts):
            for text, position, start, end in terms:
                grouped.setdefault(text, []).append((position + offset, start, end, part))
        buffer = self._fields.setdefault(field, _FieldBuffer())
        for text, occurrences in grouped.items():
            buffer.term_ids.append(buffer.ids.setdefault(text, len(buffer.ids)))
            buffer.postings.append((docnum, len(occurrences), sum(1 << part for part in {o[3] for o in occurrences})))
            buffer.occurrences.extend(occurrences)
        return {text: [occurrence[0] for occurrence in occurrences] for text, occurrences in grouped.items()}

    def write(self, directory: Path) -> None:
        table = {"documents": self.documents}
        with open(directory / DATA_FILE, "wb") as data:
            table["fields"] = {name: buffer.write(data) for name, buffer in sorted(self._fields.items())}
            table["texts"] = {"ends": data.tell(), "count": len(self._text_ends)}
            data.write(np.asarray([0, *self._text_ends], dtype="<i8").tobytes())
            table["texts"]["data"] = data.tell()
            data.write(self._texts)
        (directory / TABLE_FILE).write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")


class _FieldBuffer:
    """One field's postings and occurrences in the order they were added, sorted by term when written."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.term_ids: list[int] = []
        self.postings: list[tuple[int, int, int]] = []
        self.occurrences: list[tuple[int, int, int, int]] = []

    def write(self, data) -> dict:
        terms = sorted(self.ids)
        rank = np.argsort([self.ids[term] for term in terms])  # a term's place in term order, by its id
        term_ranks = rank[np.asarray(self.term_ids, dtype=np.int64)]  # each posting's term's place
        order = np.argsort(term_ranks, kind="stable")
        added = np.array(self.postings, dtype=POSTING)
        postings = added[order]
        frequencies = added["frequency"].astype(np.int64)
        occurrences = np.array(self.occurrences, dtype=OCCURRENCE)
        occurrences = occurrences[_ranges((np.cumsum(frequencies) - frequencies)[order], frequencies[order])]
        counts = np.bincount(term_ranks, minlength=len(terms))
        term_postings = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        term_occurrences = np.concatenate(([0], np.cumsum(postings["frequency"], dtype=np.int64)))[term_postings]
        offsets = {}
        for key, array in (("term_postings", term_postings), ("term_occurrences", term_occurrences),
                           ("postings", postings), ("occurrences", occurrences)):
            offsets[key] = data.tell()
            data.write(array.tobytes())
        return {"terms": terms, "offsets": offsets, "postings": len(postings), "occurrences": len(occurrences)}


class Postings:
    """The postings file of one build: every field's sorted terms and where each term's data lies."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / DATA_FILE
        try:
            table = json.loads((directory / TABLE_FILE).read_text(encoding="utf-8"))
            with open(self.path, "rb") as data:
                self._fields = {name: _Field(data, entry) for name, entry in table["fields"].items()}
                texts = table["texts"]
                self.text_bounds = _read_array(data.fileno(), texts["ends"], texts["count"] + 1, np.dtype("<i8"))
                self.texts_offset: int = texts["data"]
        except (OSError, ValueError, KeyError) as error:
            raise PostingsError(f"the postings of {directory} cannot be read ({error})") from error
        self.documents: int = table["documents"]

    def doc_frequency(self, field: str, term: str) -> int:
        return (self.locate(field, term) or Location(0, 0, 0)).posting_count

    def expand(self, field: str, pattern: str) -> list[str]:
        """The field's terms matching a pattern with ``*`` and ``?`` (at most MAX_EXPANDED_TERMS, in
        term order; concept terms, which hold spaces, left out)."""
        terms = self._fields[field].terms if field in self._fields else []
        prefix = pattern[:min((pattern.find(c) for c in "*?" if c in pattern), default=len(pattern))]
        following = (terms[index] for index in range(bisect_left(terms, prefix), len(terms)))
        found = (term for term in takewhile(lambda term: term.startswith(prefix), following)
                 if " " not in term and fnmatchcase(term, pattern))
        return list(islice(found, MAX_EXPANDED_TERMS))

    def has_term(self, field: str, term: str) -> bool:
        return self.locate(field, term) is not None

    def locate(self, field: str, term: str) -> "Location | None":
        """Where the term's postings and occurrences lie in the data file, or None."""
        entry = self._fields.get(field)
        if entry is None:
            return None
        index = bisect_left(entry.terms, term)
        if index == len(entry.terms) or entry.terms[index] != term:
            return None
        first, end = int(entry.term_postings[index]), int(entry.term_postings[index + 1])
        return Location(entry.postings_offset + first * POSTING.itemsize, end - first,
                        entry.occurrences_offset + int(entry.term_occurrences[index]) * OCCURRENCE.itemsize)

    @contextmanager
    def reading(self):
        """A reader of the data for one search (the file is opened for it and closed after)."""
        try:
            data = open(self.path, "rb", buffering=0)
        except OSError as error:
            raise PostingsError(f"{self.path} cannot be read ({error.strerror})") from error
        with data:
            yield PostingsReader(self, data.fileno())


# Byte offsets of one term's postings and occurrences in the data file, and its number of postings.
Location = namedtuple("Location", "postings posting_count occurrences")


class _Field:
    """One field's table: its terms, sorted, and for each the range of its postings and occurrences."""

    def __init__(self, data, entry: dict) -> None:
        self.terms: list[str] = entry["terms"]
        self.postings_offset = entry["offsets"]["postings"]
        self.occurrences_offset = entry["offsets"]["occurrences"]
        count = len(self.terms) + 1
        self.term_postings = _read_array(data.fileno(), entry["offsets"]["term_postings"], count, np.dtype("<i8"))
        self.term_occurrences = _read_array(data.fileno(), entry["offsets"]["term_occurrences"], count, np.dtype("<i8"))


class PostingsReader:
    """Reads terms' postings and occurrences from an open postings file, for one search: a term's
    postings are read once however many steps of the search ask for them."""

    def __init__(self, postings: Postings, handle: int) -> None:
        self.table = postings
        self._handle = handle
        self._read: dict[tuple[str, str], np.ndarray] = {}

    def postings(self, field: str, term: str) -> np.ndarray:
        """The term's postings in the field (structured: doc, frequency, parts), by document."""
        key = (field, term)
        if key not in self._read:
            found = self.table.locate(field, term) or Location(0, 0, 0)  # an unknown term: nothing to read
            self._read[key] = _read_array(self._handle, found.postings, found.posting_count, POSTING)
        return self._read[key]

    def texts(self, docnum: int) -> tuple[str, str, tuple[tuple[int, int, int], ...]]:
        """A document's summary, implications and the implications' (start, end, paragraph) sentences."""
        first, summary_end, implications_end, end = (int(bound) for bound in self.table.text_bounds[3 * docnum:3 * docnum + 4])
        data = _read_array(self._handle, self.table.texts_offset + first, end - first, np.dtype("u1")).tobytes()
        sentences = np.frombuffer(data[implications_end - first:], dtype="<i4").reshape(-1, 3)
        return (data[:summary_end - first].decode("utf-8"), data[summary_end - first:implications_end - first].decode("utf-8"),
                tuple(map(tuple, sentences.tolist())))

    def holding(self, field: str, term: str, documents: np.ndarray, parts: int) -> np.ndarray:
        """Those of ``documents`` (sorted) whose posting of the term has one of the ``parts`` bits."""
        postings = self.postings(field, term)
        held = postings["doc"][postings["parts"] & parts != 0]
        return documents[np.searchsorted(held, documents, "right") > np.searchsorted(held, documents)]

    def occurrences(self, field: str, term: str, documents: Sequence[int] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """The term's occurrences in the field (of the given documents only, if given) and the document
        of each, in document and position order."""
        found = self.table.locate(field, term)
        postings = self.postings(field, term)
        index = np.arange(len(postings))
        if documents is not None:
            wanted = np.unique(np.asarray(documents, dtype=np.int64))
            left, right = np.searchsorted(postings["doc"], wanted), np.searchsorted(postings["doc"], wanted, "right")
            index = left[right > left]  # the postings of the wanted documents that hold the term
        if not len(index):
            return np.zeros(0, dtype=OCCURRENCE), np.zeros(0, dtype=np.int64)
        frequencies = postings["frequency"].astype(np.int64)
        starts = np.cumsum(frequencies) - frequencies
        first, last = int(starts[index[0]]), int(starts[index[-1]] + frequencies[index[-1]])  # one read for all
        span = _read_array(self._handle, found.occurrences + first * OCCURRENCE.itemsize, last - first, OCCURRENCE)
        if documents is None:  # every occurrence, already in order: no gather
            return span, np.repeat(postings["doc"].astype(np.int64), frequencies)
        return span[_ranges(starts[index] - first, frequencies[index])], np.repeat(postings["doc"][index].astype(np.int64), frequencies[index])

    def phrase(self, field: str, words: Sequence[str], documents: Sequence[int] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where the words stand in a row in the field (in the given documents only, if given): the
        first word's occurrences there, the document of each, and the last word's end character."""
        first, owners = self.occurrences(field, words[0], documents)
        keep = np.ones(len(first), dtype=bool)
        ends = first["end"].astype(np.int64)
        wanted = (owners << POSITION_BITS) | first["position"].astype(np.int64)
        for offset, word in enumerate(words[1:], start=1):
            occurrences, word_owners = self.occurrences(field, word, documents)
            if not len(occurrences):  # the phrase is nowhere: the other words need not be read
                keep[:] = False
                break
            keys = (word_owners << POSITION_BITS) | occurrences["position"].astype(np.int64)
            index = np.minimum(np.searchsorted(keys, wanted + offset), len(keys) - 1)
            hit = keys[index] == wanted + offset
            keep &= hit
            ends[hit] = occurrences["end"][index[hit]]
        return first[keep], owners[keep], ends[keep]


def _read_array(handle: int, offset: int, count: int, dtype: np.dtype) -> np.ndarray:
    size = count * dtype.itemsize
    data = os.pread(handle, size, offset) if size else b""
    if len(data) != size:
        raise PostingsError("the postings file is shorter than its table says: rebuild the index")
    return np.frombuffer(data, dtype=dtype)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(start, start + length)`` for each pair, as one vector operation."""
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
