"""Whoosh's segment writer with a faster path for postings, for building a whole index at once.

Whoosh's own writer puts every posting through a general pool (a tuple per posting, one sort of them
all, spill files) and, when writing them out, reads back each posting's field length from the column
it has just written: about three quarters of our build time. This writer keeps the documents, stored
fields, columns, lengths, segment and table-of-contents code of Whoosh's ``SegmentWriter`` and changes
only the postings:

- while documents are added, each term's postings are appended to per-term arrays (document numbers,
  weights, encoded values), already in document order;
- past a memory budget, the terms gathered so far are written, sorted, to a temporary run file, and
  the runs are merged term by term at commit (concatenated: run N's documents follow run N-1's);
- at commit, each posting list is cut into Whoosh's blocks directly, with the field lengths kept in
  memory; for a large segment a forked child process encodes the second half of the terms (block
  pickling and zlib are most of this step) into a file of its own while this process encodes the
  first half, and its blocks are then appended and their term entries moved by the offset.

The files are those Whoosh writes (the same codec, byte for byte the same postings), so the index is
read by Whoosh as usual; ``tests/test_search_segment_writer.py`` compares the two writers posting by
posting. Fields with term vectors or separate spelling words are not supported (our schema has none).
"""
from __future__ import annotations

import heapq
import multiprocessing
import os
import pickle
import shutil
from array import array
from collections.abc import Iterable, Iterator

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# An appended posting costs about this many bytes of memory (two array items, a list slot, a bytes
# object): how the run budget in MB becomes a number of postings.
_BYTES_PER_POSTING = 80

# (document numbers, weights, encoded values) of one term, in document order.
PostingList = tuple[array, array, list]
# (field name, term bytes, posting list): one term of a run, runs are sorted by (field, term).
RunRecord = tuple[str, bytes, PostingList]
TermKey = tuple[str, bytes]

# Below this many postings a segment is encoded in this process alone: forking costs more than it saves.
PARALLEL_MIN_POSTINGS = 400_000


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for writing a new index in one go: ``add_document`` and ``commit`` as
    usual, with the postings gathered and written as described in the module notes."""

    def __init__(self, ix, *, limitmb: int = 256, parallel_min_postings: int = PARALLEL_MIN_POSTINGS,
                 **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        if not isinstance(self.codec, W3Codec):
            raise TypeError(f"BulkSegmentWriter writes Whoosh's W3 codec, not {type(self.codec).__name__}")
        unsupported = [name for name, field in self.schema.items()
                       if field.vector or field.separate_spelling()]
        if unsupported:
            raise ValueError(f"BulkSegmentWriter cannot write term vectors or spelling fields: {unsupported}")
        self._indexed = [name for name, field in self.schema.items() if field.indexed]
        self._terms: dict[str, dict[bytes, PostingList]] = {name: {} for name in self._indexed}
        # Field lengths as Whoosh reads them back (one byte each, so rounded), by document number.
        self._lengths: dict[str, array] = {name: array("I") for name in self._indexed}
        self._buffered = 0
        self._total_postings = 0
        self._run_limit = max(1, limitmb * 2**20 // _BYTES_PER_POSTING)
        self._runs: list[str] = []  # paths of the spilled runs, in the order written
        self._parallel_min_postings = parallel_min_postings
        self._encoder: multiprocessing.Process | None = None

    def add_document(self, **fields) -> None:
        self._check_state()
        schema = self.schema
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        lengths: dict[str, int] = {}
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    length = self._add_postings(fieldname, field, field.index(value), docnum,
                                                self._field_boost(fields, fieldname, docboost))
                    lengths[fieldname] = length
                stored_value = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored_value if field.stored else None, length)
                if field.column_type and stored_value is not None:
                    perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored_value))
        except Exception:
            perdocwriter.cancel_doc()
            self._forget_document(docnum)
            raise
        perdocwriter.finish_doc()
        for fieldname in self._indexed:
            length = lengths.get(fieldname, 0)
            self._lengths[fieldname].append(byte_to_length(length_to_byte(length)) if length else 0)
        self._added = True
        self.docnum += 1
        if self._buffered >= self._run_limit:
            self._spill_run()

    def _add_postings(self, fieldname: str, field, items, docnum: int, boost: float) -> int:
        """Append the field's postings for ``docnum``; returns the field length (0 if not scorable)."""
        terms = self._terms[fieldname]
        length = 0
        count = 0
        for tbytes, frequency, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("d"), [])
            postings[0].append(docnum)
            postings[1].append(weight * boost)
            postings[2].append(vbytes or b"")
            length += frequency
            count += 1
        self._buffered += count
        self._total_postings += count
        return length if field.scorable else 0

    def _forget_document(self, docnum: int) -> None:
        """Drop the postings already added for a document that failed half way."""
        for terms in self._terms.values():
            for tbytes in [t for t, postings in terms.items() if postings[0] and postings[0][-1] == docnum]:
                documents, weights, values = terms[tbytes]
                documents.pop()
                weights.pop()
                values.pop()
                if not documents:
                    del terms[tbytes]

    # -- runs ----------------------------------------------------------------------------------
    def _sorted_terms(self, start: TermKey | None = None) -> Iterator[RunRecord]:
        """The buffered terms from ``start`` on, sorted by (field, term)."""
        for fieldname in sorted(self._terms):
            if start is not None and fieldname < start[0]:
                continue
            terms = self._terms[fieldname]
            for tbytes in sorted(terms):
                if start is None or (fieldname, tbytes) >= start:
                    yield fieldname, tbytes, terms[tbytes]

    def _spill_run(self) -> None:
        path = os.path.join(self._tempstorage.folder, f"run-{len(self._runs)}")
        self._tempstorage.create()
        with open(path, "wb") as run:
            pickler = pickle.Pickler(run, protocol=pickle.HIGHEST_PROTOCOL)
            for record in self._sorted_terms():
                pickler.dump(record)
                pickler.clear_memo()
        self._runs.append(path)
        self._terms = {name: {} for name in self._indexed}
        self._buffered = 0

    def _merged_terms(self, start: TermKey | None = None, stop: TermKey | None = None) -> Iterator[RunRecord]:
        """Every term from ``start`` (included) to ``stop`` (excluded) in (field, term) order, each
        with its whole posting list."""
        sources: list[Iterable[RunRecord]] = [_read_run(path, start) for path in self._runs]
        sources.append(self._sorted_terms(start))
        merged = heapq.merge(*sources, key=lambda record: (record[0], record[1]))  # stable: run order kept
        current = None
        for record in merged:
            if stop is not None and (record[0], record[1]) >= stop:
                break
            if current is not None and record[:2] == current[:2]:
                current = (current[0], current[1], _joined(current[2], record[2]))
                continue
            if current is not None:
                yield current
            current = record
        if current is not None:
            yield current

    def _split_key(self) -> TermKey | None:
        """Where the child's half of the terms starts: the buffered term at half of the buffered
        postings (runs hold terms in about the same proportions). None when not worth a process."""
        if self._total_postings < self._parallel_min_postings or not self._buffered:
            return None
        half = self._buffered // 2
        seen = 0
        for fieldname, tbytes, (documents, _, _) in self._sorted_terms():
            seen += len(documents)
            if seen >= half:
                return fieldname, tbytes
        return None

    # -- writing -------------------------------------------------------------------------------
    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        split = self._split_key()
        encoded_path = os.path.join(self._tempstorage.folder, "encoded")
        if split is not None:
            self._tempstorage.create()
            self._encoder = multiprocessing.get_context("fork").Process(
                target=_encode_terms, args=(self, split, encoded_path), name="pprnet-postings-encoder")
            self._encoder.start()
        fieldwriter = self.fieldwriter
        field_open = None
        lengths = None
        for fieldname, tbytes, (documents, weights, values) in self._merged_terms(stop=split):
            if fieldname != field_open:
                if field_open is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                field_open, lengths = fieldname, self._lengths[fieldname]
            fieldwriter.start_term(tbytes)
            _write_posting_list(fieldwriter._postwriter, documents, weights, values, lengths)
            fieldwriter.finish_term()
        if self._encoder is not None:
            self._encoder.join()
            if self._encoder.exitcode != 0:
                raise RuntimeError(f"the postings encoder process failed (exit code {self._encoder.exitcode})")
            self._encoder = None
            field_open = self._append_encoded(encoded_path, field_open)
        if field_open is not None:
            fieldwriter.finish_field()
        fieldwriter.close()

    def _append_encoded(self, path: str, field_open: str | None) -> str | None:
        """Append the child's blocks to the postings file and add its terms, their offsets moved by
        where the blocks now start. Returns the field left open."""
        fieldwriter = self.fieldwriter
        postfile = fieldwriter._postfile
        base = postfile.tell()
        with open(path + ".pst", "rb") as blocks:
            shutil.copyfileobj(blocks, postfile.file)
        with open(path + ".terms", "rb") as terms:
            encoded_terms = pickle.load(terms)
        for fieldname, tbytes, terminfo in encoded_terms:
            if fieldname != field_open:
                if field_open is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                field_open = fieldname
            terminfo.set_extent(terminfo._offset + base, terminfo._length)
            fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, terminfo.to_bytes())
        return field_open

    def _close_segment(self) -> None:
        if self._encoder is not None:  # a failure while the child was still encoding
            self._encoder.kill()
            self._encoder.join()
            self._encoder = None
        super()._close_segment()
        self._runs.clear()


def _encode_terms(writer: BulkSegmentWriter, start: TermKey, path: str) -> None:
    """In the forked child: encode the terms from ``start`` on into ``path.pst`` (blocks, offsets
    from 0) and ``path.terms`` (field, term, term info)."""
    encoded_terms = []
    with open(path + ".pst", "wb") as handle:
        postfile = StructFile(handle)
        postwriter = None
        field_open = None
        for fieldname, tbytes, (documents, weights, values) in writer._merged_terms(start=start):
            if fieldname != field_open:
                field_open = fieldname
                postwriter = writer.codec.postings_writer(postfile)
                fieldformat, lengths = writer.schema[fieldname].format, writer._lengths[fieldname]
            postwriter.start_postings(fieldformat, W3TermInfo())
            _write_posting_list(postwriter, documents, weights, values, lengths)
            encoded_terms.append((fieldname, tbytes, postwriter.finish_postings()))
        postfile.flush()
    with open(path + ".terms", "wb") as handle:
        pickle.dump(encoded_terms, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _joined(first: PostingList, second: PostingList) -> PostingList:
    documents, weights, values = first
    documents.extend(second[0])
    weights.extend(second[1])
    values.extend(second[2])
    return first


def _read_run(path: str, start: TermKey | None = None) -> Iterator[RunRecord]:
    """The records of a spilled run from ``start`` on (each process opens the file for itself)."""
    with open(path, "rb") as run:
        unpickler = pickle.Unpickler(run)
        while True:
            try:
                record = unpickler.load()
            except EOFError:
                return
            if start is None or (record[0], record[1]) >= start:
                yield record


def _write_posting_list(postwriter: W3PostingsWriter, documents: array, weights: array, values: list,
                        lengths: array) -> None:
    """Fill ``postwriter``'s blocks a whole block at a time, with exactly the contents and block
    statistics its ``add_posting`` would have given them; the last block is left for
    ``finish_postings`` (called by the field writer's ``finish_term``)."""
    limit = postwriter._blocklimit
    for start in range(0, len(documents), limit):
        if start:
            postwriter._write_block()
        stop = start + limit
        block_documents = documents[start:stop]
        block_weights = weights[start:stop]
        postwriter._ids = block_documents
        postwriter._weights = array("f", block_weights)
        postwriter._values = [value for value in values[start:stop] if value]
        postwriter._maxweight = max(0, max(block_weights))
        block_lengths = [length for length in map(lengths.__getitem__, block_documents) if length]
        postwriter._minlength = min(block_lengths) if block_lengths else None
        postwriter._maxlength = max(block_lengths, default=0)
