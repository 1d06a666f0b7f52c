"""Whoosh's segment writer with a faster path for postings, for building a whole index at once.

Whoosh's own writer puts every posting through a general pool (a tuple per posting, one sort of them
all, spill files) and, when writing them out, reads back each posting's field length from the column
it has just written: about three quarters of our build time. This writer keeps the documents, stored
fields, columns, lengths, segment and table-of-contents code of Whoosh's ``SegmentWriter`` and changes
only the postings:

- Gathering: each term's postings are appended to per-term arrays (document numbers, weights,
  encoded values), already in document order. Past a memory budget the terms gathered so far are
  written, sorted, to a run file; at commit the runs are merged term by term (concatenated: a later
  run's documents follow an earlier run's).
- Encoding: at commit each posting list is cut into Whoosh's blocks directly, with the field lengths
  kept in memory.
- Two cores: after the first thousand documents, the field with the most postings so far (our
  catch-all) is analysed by a forked worker process, which keeps its postings. At commit it reports
  that field's lengths, then encodes its terms (itself and a forked child, half each) into files,
  while this process encodes the other fields; the files' blocks are appended to the postings file
  and their term entries moved by the offset. A large segment without a worker is encoded the same
  way: a child takes the second half of the terms.

The files are those Whoosh writes (the same codec, byte for byte the same postings), so the index is
read by Whoosh as usual; ``tests/test_search_writer.py`` compares the writers posting by posting, in
every mode. Fields with term vectors or separate spelling words are not supported (we have none).
"""
from __future__ import annotations

import heapq
import multiprocessing
import os
import pickle
import shutil
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# What gathered postings cost in memory, about: a posting's array items (plus its value's bytes),
# and a term's four arrays and dictionary entry. The buffer is spilled when the sum passes the budget.
_BYTES_PER_POSTING = 20
_BYTES_PER_TERM = 400
# Fewer postings than this are encoded by one process: forking would cost more than it saves.
PARALLEL_MIN_POSTINGS = 400_000
# After this many documents the field with the most postings goes to a worker process (None: never).
OFFLOAD_AFTER_DOCUMENTS = 1_000
_OFFLOAD_BATCH = 64  # documents sent to the worker at a time

# (document numbers, weights, encoded values one after another, their lengths) of one term, in
# document order: four compact arrays rather than an object per posting.
PostingList = tuple[array, array, bytearray, array]
# (field name, term bytes, posting list): one term; runs hold them sorted by (field, term).
RunRecord = tuple[str, bytes, PostingList]
TermKey = tuple[str, bytes]


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for writing a new index in one go: ``add_document`` and ``commit`` as
    usual, with the postings gathered and written as described in the module notes."""

    def __init__(self, ix, *, limitmb: int = 256, parallel_min_postings: int = PARALLEL_MIN_POSTINGS,
                 offload_after: int | None = OFFLOAD_AFTER_DOCUMENTS, **kwargs) -> None:
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
        self._buffer_bytes = 0  # the estimated memory of self._terms
        self._field_postings: Counter[str] = Counter()  # postings added by this process, by field
        self._buffer_limit = limitmb * 2**20
        self._runs: list[str] = []  # paths of the spilled runs, in the order written
        self._parallel_min_postings = parallel_min_postings
        self._offload_after = offload_after
        self._offload: _OffloadWorker | None = None
        self._encoder: multiprocessing.Process | None = None

    # -- gathering -----------------------------------------------------------------------------
    def add_document(self, **fields) -> None:
        self._check_state()
        schema = self.schema
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        offloaded_field = self._offload.fieldname if self._offload is not None else None
        offloaded = (docnum, None, 1.0)  # the worker counts every document, with the field or not
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
                    boost = self._field_boost(fields, fieldname, docboost)
                    if fieldname == offloaded_field:
                        offloaded = (docnum, value, boost)  # sent once the document is complete
                    else:
                        length = lengths[fieldname] = self._add_postings(fieldname, field, field.index(value),
                                                                         docnum, boost)
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
            if fieldname != offloaded_field:
                self._lengths[fieldname].append(_rounded(lengths.get(fieldname, 0)))
        if offloaded_field is not None:
            self._offload.send(offloaded)
        self._added = True
        self.docnum += 1
        if self._buffer_bytes >= self._buffer_limit:
            self._spill_run()
        if self._offload is None and self.docnum == self._offload_after and self._field_postings:
            self._offload = _OffloadWorker(self, self._field_postings.most_common(1)[0][0])
            self._buffer_bytes -= _estimated_bytes(self._terms[self._offload.fieldname])
            self._terms[self._offload.fieldname] = {}  # the worker has them

    def _add_postings(self, fieldname: str, field, items, docnum: int, boost: float) -> int:
        """Append the field's postings for ``docnum``; returns the field length (0 if not scorable)."""
        terms = self._terms[fieldname]
        length = 0
        count = 0
        size = 0
        for tbytes, frequency, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("d"), bytearray(), array("I"))
                size += _BYTES_PER_TERM
            postings[0].append(docnum)
            postings[1].append(weight * boost)
            if vbytes:
                postings[2].extend(vbytes)
                postings[3].append(len(vbytes))
                size += len(vbytes)
            else:
                postings[3].append(0)
            length += frequency
            count += 1
        self._buffer_bytes += size + count * _BYTES_PER_POSTING
        self._field_postings[fieldname] += count
        return length if field.scorable else 0

    def _forget_document(self, docnum: int) -> None:
        """Drop the postings already added for a document that failed half way."""
        for terms in self._terms.values():
            for tbytes in [t for t, postings in terms.items() if postings[0] and postings[0][-1] == docnum]:
                documents, weights, values, value_lengths = terms[tbytes]
                documents.pop()
                weights.pop()
                del values[len(values) - value_lengths.pop():]
                if not documents:
                    del terms[tbytes]

    def _analyse_offloaded(self, fieldname: str, connection) -> None:
        """The worker process's loop: this is a forked copy of the writer that keeps only the field's
        postings (the ones gathered before the fork included). It analyses the values it is sent;
        at the end it sends the field's raw lengths, then encodes the field's terms into files and
        sends their paths."""
        self._terms = {fieldname: self._terms[fieldname]}
        self._buffer_bytes = _estimated_bytes(self._terms[fieldname])
        field = self.schema[fieldname]
        lengths = array("I")
        while (batch := connection.recv()) is not None:
            for docnum, value, boost in batch:
                length = 0 if value is None else self._add_postings(fieldname, field, field.index(value), docnum, boost)
                lengths.append(length)
                self._lengths[fieldname].append(_rounded(length))
                if self._buffer_bytes >= self._buffer_limit:
                    self._spill_run()
        connection.send(lengths)
        connection.send(self._encode_to_files(*_field_range(fieldname)))

    # -- runs ----------------------------------------------------------------------------------
    def _sorted_terms(self, start: TermKey | None = None, stop: TermKey | None = None) -> Iterator[RunRecord]:
        """The buffered terms from ``start`` (included) to ``stop`` (excluded), sorted by (field, term)."""
        for fieldname in sorted(self._terms):
            terms = self._terms[fieldname]
            for tbytes in sorted(terms):
                key = (fieldname, tbytes)
                if start is not None and key < start:
                    continue
                if stop is not None and key >= stop:
                    return
                yield fieldname, tbytes, terms[tbytes]

    def _spill_run(self) -> None:
        self._tempstorage.create()
        path = os.path.join(self._tempstorage.folder, f"run-{os.getpid()}-{len(self._runs)}")
        with open(path, "wb") as run:
            for record in self._sorted_terms():
                pickle.dump(record, run, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append(path)
        self._terms = {name: {} for name in self._terms}
        self._buffer_bytes = 0

    def _merged_terms(self, start: TermKey | None = None, stop: TermKey | None = None) -> Iterator[RunRecord]:
        """Every term from ``start`` (included) to ``stop`` (excluded) in (field, term) order, each
        with its whole posting list: the runs in the order written, then the buffer."""
        sources: list[Iterable[RunRecord]] = [_read_run(path, start, stop) for path in self._runs]
        sources.append(self._sorted_terms(start, stop))
        current = None
        for record in heapq.merge(*sources, key=lambda record: (record[0], record[1])):  # stable
            if current is not None and record[:2] == current[:2]:
                current = (current[0], current[1], _joined(current[2], record[2]))
                continue
            if current is not None:
                yield current
            current = record
        if current is not None:
            yield current

    def _split_key(self, start: TermKey | None, stop: TermKey | None) -> TermKey | None:
        """The term at half of the buffered postings between ``start`` and ``stop`` (runs hold terms
        in about the same proportions), where a second process takes over; None when there are too
        few postings for a second process to pay."""
        buffered = [(fieldname, tbytes, len(postings[0]))
                    for fieldname, tbytes, postings in self._sorted_terms(start, stop)]
        total = sum(count for _, _, count in buffered)
        if total * (len(self._runs) + 1) < self._parallel_min_postings:
            return None
        seen = 0
        for fieldname, tbytes, count in buffered:
            seen += count
            if seen >= total // 2:
                return fieldname, tbytes
        return None

    # -- encoding ------------------------------------------------------------------------------
    def _flush_segment(self) -> None:
        offload = self._offload
        if offload is not None:
            self._write_offloaded_lengths(offload)
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        if offload is not None:
            low, high = _field_range(offload.fieldname)
            field_open = self._encode_here(None, low, None)
            for path in offload.encoded_files():
                field_open = self._append_encoded(path, field_open)
            self._offload = None
            field_open = self._encode_here(high, None, field_open)
        else:
            split = self._split_key(None, None)
            if split is not None:
                path = self._encoded_path("second-half")
                self._encoder = _fork(_encode_to_file, self, split, None, path)
            field_open = self._encode_here(None, split, None)
            if split is not None:
                _wait(self._encoder, "postings encoder")
                self._encoder = None
                field_open = self._append_encoded(path, field_open)
        if field_open is not None:
            fieldwriter.finish_field()
        fieldwriter.close()

    def _write_offloaded_lengths(self, offload: _OffloadWorker) -> None:
        """The worker's field lengths, into the length column and totals of documents already
        written (the column takes them in document order). The rounded lengths stay with the
        worker, which encodes the field."""
        fieldname = offload.fieldname
        field = self.schema[fieldname]
        perdocwriter = self.perdocwriter
        for docnum, length in enumerate(offload.finish_analysis(), start=offload.first_document):
            if length:
                perdocwriter._docnum = docnum
                perdocwriter.add_field(fieldname, field, None, length)

    def _encode_here(self, start: TermKey | None, stop: TermKey | None, field_open: str | None) -> str | None:
        """Encode the terms from ``start`` to ``stop`` into the segment; returns the field left open."""
        fieldwriter = self.fieldwriter
        for fieldname, tbytes, postings in self._merged_terms(start, stop):
            if fieldname != field_open:
                if field_open is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                field_open = fieldname
            lengths = self._lengths[fieldname]
            fieldwriter.start_term(tbytes)
            _write_posting_list(fieldwriter._postwriter, postings, lengths)
            fieldwriter.finish_term()
        return field_open

    def _encode_to_files(self, start: TermKey | None, stop: TermKey | None) -> list[str]:
        """Encode the terms from ``start`` to ``stop`` into files (a forked child takes the second
        half when it pays); returns their paths in term order."""
        first = self._encoded_path("first")
        split = self._split_key(start, stop)
        if split is None:
            _encode_to_file(self, start, stop, first)
            return [first]
        second = self._encoded_path("second")
        child = _fork(_encode_to_file, self, split, stop, second)
        try:
            _encode_to_file(self, start, split, first)
            _wait(child, "postings encoder")
        finally:
            if child.is_alive():
                child.kill()
        return [first, second]

    def _encoded_path(self, name: str) -> str:
        self._tempstorage.create()
        return os.path.join(self._tempstorage.folder, f"encoded-{os.getpid()}-{name}")

    def _append_encoded(self, path: str, field_open: str | None) -> str | None:
        """Append an encoded file's blocks to the postings file and add its terms, their offsets
        moved by where the blocks now start. Returns the field left open."""
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
        if self._encoder is not None:  # a failure left it running
            self._encoder.kill()
            self._encoder.join()
        if self._offload is not None:
            self._offload.kill()
        self._encoder = self._offload = None
        super()._close_segment()
        self._runs.clear()


class _OffloadWorker:
    """The forked process that analyses one field of every document (see the module notes)."""

    def __init__(self, writer: BulkSegmentWriter, fieldname: str) -> None:
        self.fieldname = fieldname
        self.first_document = writer.docnum
        context = multiprocessing.get_context("fork")
        self._connection, worker_end = context.Pipe()
        self._process = _fork(writer._analyse_offloaded, fieldname, worker_end)
        worker_end.close()
        self._batch: list[tuple[int, str | None, float]] = []

    def send(self, document: tuple[int, str | None, float]) -> None:
        self._batch.append(document)
        if len(self._batch) >= _OFFLOAD_BATCH:
            self._send(self._batch)
            self._batch = []

    def finish_analysis(self) -> array:
        """The field's raw lengths of the documents sent, once the worker has analysed them all."""
        if self._batch:
            self._send(self._batch)
        self._send(None)
        return self._receive()

    def encoded_files(self) -> list[str]:
        """The paths of the files the worker encoded the field's terms into, in term order."""
        paths = self._receive()
        _wait(self._process, f"analysis worker for {self.fieldname!r}")
        self._connection.close()
        return paths

    def kill(self) -> None:
        self._process.kill()
        self._process.join()
        self._connection.close()

    def _send(self, message) -> None:
        try:
            self._connection.send(message)
        except OSError as error:
            raise RuntimeError(f"the analysis worker for {self.fieldname!r} stopped ({error})") from error

    def _receive(self):
        try:
            return self._connection.recv()
        except (OSError, EOFError) as error:
            self._process.join()
            raise RuntimeError(f"the analysis worker for {self.fieldname!r} failed "
                               f"(exit code {self._process.exitcode})") from error


def _fork(target, *args) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(target=target, args=args,
                                                          name=f"pprnet-{target.__name__.strip('_')}")
    process.start()
    return process


def _wait(process: multiprocessing.Process, role: str) -> None:
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"the {role} process failed (exit code {process.exitcode})")


def _encode_to_file(writer: BulkSegmentWriter, start: TermKey | None, stop: TermKey | None, path: str) -> None:
    """Encode the writer's terms from ``start`` to ``stop`` into ``path.pst`` (blocks, offsets from
    0) and ``path.terms`` (field, term, term info), for ``_append_encoded``."""
    encoded_terms = []
    with open(path + ".pst", "wb") as handle:
        postfile = StructFile(handle)
        field_open = None
        for fieldname, tbytes, postings in writer._merged_terms(start, stop):
            if fieldname != field_open:
                field_open = fieldname
                postwriter = writer.codec.postings_writer(postfile)
                fieldformat, lengths = writer.schema[fieldname].format, writer._lengths[fieldname]
            postwriter.start_postings(fieldformat, W3TermInfo())
            _write_posting_list(postwriter, postings, lengths)
            encoded_terms.append((fieldname, tbytes, postwriter.finish_postings()))
        postfile.flush()
    with open(path + ".terms", "wb") as handle:
        pickle.dump(encoded_terms, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _field_range(fieldname: str) -> tuple[TermKey, TermKey]:
    """The (start, stop) keys that hold exactly the terms of ``fieldname``."""
    return (fieldname, b""), (fieldname + "\0", b"")


def _estimated_bytes(terms: dict[bytes, PostingList]) -> int:
    """What ``_add_postings`` counted for these terms."""
    return sum(_BYTES_PER_TERM + len(postings[0]) * _BYTES_PER_POSTING + len(postings[2]) for postings in terms.values())


def _rounded(length: int) -> int:
    """A field length as Whoosh reads it back from its one-byte column."""
    return byte_to_length(length_to_byte(length)) if length else 0


def _joined(first: PostingList, second: PostingList) -> PostingList:
    for part, more in zip(first, second):
        part.extend(more)
    return first


def _read_run(path: str, start: TermKey | None, stop: TermKey | None) -> Iterator[RunRecord]:
    """The records of a spilled run from ``start`` to ``stop`` (each process opens the file itself)."""
    with open(path, "rb") as run:
        while True:
            try:
                record = pickle.load(run)  # one unpickler a record: a shared one would memoise them all
            except EOFError:
                return
            key = (record[0], record[1])
            if stop is not None and key >= stop:
                return
            if start is None or key >= start:
                yield record


def _write_posting_list(postwriter: W3PostingsWriter, postings: PostingList, lengths: array) -> None:
    """Fill ``postwriter``'s blocks a whole block at a time, with exactly the contents and block
    statistics its ``add_posting`` would have given them; the last block is left for
    ``finish_postings`` (called by the field writer's ``finish_term``)."""
    documents, weights, values, value_lengths = postings
    limit = postwriter._blocklimit
    value_start = 0
    for start in range(0, len(documents), limit):
        if start:
            postwriter._write_block()
        stop = start + limit
        block_documents = documents[start:stop]
        block_weights = weights[start:stop]
        postwriter._ids = block_documents
        postwriter._weights = array("f", block_weights)
        block_values = []
        for value_length in value_lengths[start:stop]:
            if value_length:  # Whoosh keeps no empty values
                block_values.append(bytes(values[value_start:value_start + value_length]))
                value_start += value_length
        postwriter._values = block_values
        postwriter._maxweight = max(0, max(block_weights))
        block_lengths = [length for length in map(lengths.__getitem__, block_documents) if length]
        postwriter._minlength = min(block_lengths) if block_lengths else None
        postwriter._maxlength = max(block_lengths, default=0)
