"""Seeds and spans of a published package, checked in bulk: every seed file has the SHA-256 the articles table
records, and every span's text equals `seed[span_start:span_end]`, the offsets being Python str (code point)
offsets into the UTF-8 seed, with Python's slice rules.

No Python runs per span: seeds are read a batch at a time into one buffer; code point offsets become byte
offsets through the positions of the UTF-8 continuation bytes (an ASCII seed has none); each span becomes an
Arrow binary view into the buffer, and Arrow compares those with the span texts. Memory stays at one batch of
seeds plus the span columns, whatever the number of articles.
"""
from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any, Generator, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core import tableschema

BATCH = 16 << 20  # bytes of seed text read before their spans are compared
AHEAD = 128 << 20  # bytes of seed text read and waiting for their spans, at most
READ = 1 << 16
SHOWN = 10  # problems described in full; the rest are counted
SEED_COLUMNS = ("article_id", "seed_file", "seed_sha256")
SPAN_COLUMNS = ("article_id", "span_start", "span_end")


@dataclass
class Spans:
    """The span columns of one table, and the name of its text column (for messages)."""
    table: str
    text_column: str
    article_id: pa.Array
    start: pa.Array
    end: pa.Array
    text: pa.Array


def check(seeds: Path, article_id: pa.Array, seed_file: pa.Array, seed_sha256: pa.Array,
          tables: list[Spans], stop: threading.Event | None = None, reader: SeedBatches | None = None
          ) -> tuple[list[str], int]:
    """(the first problems, described, and how many there are): seeds missing or not of their recorded hash
    or not UTF-8 (in article order), then spans whose text differs from their seed (by table, then row).
    Spans of such seeds, or of articles not in the table, are not compared (the other checks report them).
    Setting `stop` ends the check early, with a partial answer (for a caller that no longer needs it).
    `reader` is the seeds' reader if one was started earlier (`SeedBatches(seeds, seed_file, seed_sha256)`)."""
    # Another thread reads and hashes the seeds (system calls and hashing, mostly outside the GIL) while this
    # one compares the spans of the batches read.
    reader = reader or SeedBatches(seeds, seed_file, seed_sha256)
    try:
        return _compare(reader, article_id, tables, stop)
    finally:
        reader.close()  # however this ends, the reader stops


def _compare(reader: SeedBatches, article_id: pa.Array, tables: list[Spans], stop: threading.Event | None
             ) -> tuple[list[str], int]:
    # Each table's rows ordered by the seed they slice, so each batch of seeds meets a run of each table's rows.
    prepared = []
    for t, seed in zip(tables, _indices([t.article_id for t in tables], article_id)):
        order = np.argsort(seed, kind="stable")
        prepared.append((order, seed[order], _offsets(t.start, 0)[order], _offsets(t.end, np.iinfo(np.int64).max)[order]))
    bad_seeds: list[str] = []
    differ: list[list[np.ndarray]] = [[] for _ in tables]
    for first, buffer, lengths, ok, problems in reader:
        if stop is not None and stop.is_set():
            break
        bad_seeds += problems
        offsets = _ByteOffsets(buffer, lengths)
        for t, (order, seed, start, end) in enumerate(prepared):
            lo, hi = np.searchsorted(seed, [first, first + len(lengths)])
            rows, local, start_t, end_t = order[lo:hi], seed[lo:hi] - first, start[lo:hi], end[lo:hi]
            usable = ok[local]
            if not usable.all():
                rows, local, start_t, end_t = rows[usable], local[usable], start_t[usable], end_t[usable]
            if not len(rows):
                continue
            begin, finish = offsets.slice(local, start_t, end_t)
            cut = _views(offsets.data, begin, finish - begin)
            # Rows in a run (the usual case: rows sorted by a key that starts with the article) need no copy.
            text = tables[t].text
            text = text.slice(rows[0], len(rows)) if rows[-1] - rows[0] == len(rows) - 1 and (np.diff(rows) == 1).all() \
                else text.take(pa.array(rows))
            same = pc.fill_null(pc.equal(cut, pc.cast(text, pa.binary_view())), False)
            differ[t].append(rows[~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)])
    shown = bad_seeds[:SHOWN]
    wrong = [np.sort(np.concatenate([np.zeros(0, np.int64), *rows])) for rows in differ]
    for spans, rows in zip(tables, wrong):
        for row in rows[:SHOWN - len(shown)]:
            shown.append(f"{spans.table} row with {spans.text_column} '{str(spans.text[int(row)].as_py())[:40]}'")
    return shown, len(bad_seeds) + sum(map(len, wrong))


def _batches(seeds: Path, files: list, digests: list) -> Iterator[tuple[int, bytes, np.ndarray, np.ndarray, list[str]]]:
    """(index of the first seed, their bytes joined, the length of each, which are usable, problems) for
    consecutive runs of seeds of about BATCH bytes. An unusable seed (missing, changed, not UTF-8) counts as empty."""
    dfd = os.open(seeds, os.O_RDONLY)
    try:
        k = 0
        while k < len(files):
            first, chunks, good, problems, size = k, [], [], [], 0
            while k < len(files) and (size < BATCH or k == first):
                raw = _seed(dfd, files[k], digests[k])
                good.append(raw is not None)
                if raw is None:
                    problems.append(f"seed {files[k]} is missing or changed")
                    raw = b""
                chunks.append(raw)
                size += len(raw)
                k += 1
            lengths = np.fromiter(map(len, chunks), np.int64, len(chunks))
            buffer = b"".join(chunks)
            del chunks
            yield first, buffer, lengths, np.array(good) & _utf8(buffer, lengths, files[first:k], problems), problems
    finally:
        os.close(dfd)


class SeedBatches:
    """The batches of `_batches`, read by a thread of their own from the moment this is made, up to AHEAD bytes
    ahead of the batch being compared: a caller that has the articles table but not yet the span tables
    starts it early, and by the time the spans come, the first seeds are read and hashed."""

    def __init__(self, seeds: Path, seed_file: pa.Array, seed_sha256: pa.Array):
        self.queue: Queue = Queue(maxsize=max(1, AHEAD // BATCH))
        self.stopped = threading.Event()
        items = _batches(seeds, seed_file.to_pylist(), seed_sha256.to_pylist())
        self.worker = threading.Thread(target=self._produce, args=(items,), daemon=True)
        self.worker.start()

    def _put(self, item: Any) -> bool:
        while not self.stopped.is_set():  # a consumer that stopped takes nothing more: do not wait for it
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except Full:
                pass
        return False

    def _produce(self, items: Generator[Any, None, None]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, which raises it)
            self._put(exc)
        finally:
            items.close()  # closes the seeds' folder

    def __iter__(self) -> Iterator[tuple[int, bytes, np.ndarray, np.ndarray, list[str]]]:
        try:
            while True:
                try:
                    item = self.queue.get(timeout=0.1)
                except Empty:
                    if self.stopped.is_set():  # closed elsewhere: nothing more comes
                        return
                    continue
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the reader ends within a batch) and wait for it."""
        self.stopped.set()
        self.worker.join()


_DONE = object()


def _indices(ids: list[pa.Array], article_id: pa.Array) -> list[np.ndarray]:
    """Row in the articles table of each id of each array; -1 for an id that is null or not there. One lookup
    for all arrays: its hash table of the article ids is built once."""
    try:
        found = pc.index_in(pa.chunked_array(ids), value_set=article_id, skip_nulls=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids of different types: one lookup each
        found = pa.chunked_array([pc.index_in(i, value_set=article_id, skip_nulls=True) for i in ids], pa.int32())
    rows = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)
    return np.split(rows, np.cumsum([len(i) for i in ids])[:-1])


def _offsets(values: pa.Array, if_null: int) -> np.ndarray:
    """Offsets as int64; a null one is what Python slicing makes of None (start 0, end the length)."""
    return np.asarray(pc.fill_null(pc.cast(values, pa.int64()), if_null).to_numpy(zero_copy_only=False))


def _seed(dfd: int, name: Any, digest: Any) -> bytes | None:
    """The seed's bytes, or None when it is missing, of another hash, or too large to check."""
    try:
        fd = os.open(name, os.O_RDONLY, dir_fd=dfd)
    except (OSError, TypeError, ValueError):  # no such file, or a name that is not one (null, NUL byte)
        return None
    try:
        # A read of a regular file returns less than asked only at its end: most seeds take one read.
        raw = os.read(fd, READ)
        if len(raw) == READ:
            parts = [raw]
            while parts[-1]:
                parts.append(os.read(fd, 1 << 20))
            raw = b"".join(parts)
    except OSError:
        return None
    finally:
        os.close(fd)
    # Binary views address at most 2 GiB.
    return raw if hashlib.sha256(raw).hexdigest() == digest and len(raw) < 1 << 31 else None


def _utf8(buffer: bytes, lengths: np.ndarray, names: list[Any], problems: list[str]) -> np.ndarray:
    """Which seeds of the batch are UTF-8 text (Python could not decode the others: no offset into them means anything)."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    seeds = pa.Array.from_buffers(pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(buffer)])
    try:
        seeds.cast(pa.large_string())  # Arrow's validation: fast, all or nothing
        return np.ones(len(lengths), dtype=bool)
    except pa.ArrowInvalid:
        pass
    valid = np.ones(len(lengths), dtype=bool)
    for i, (a, b) in enumerate(zip(offsets[:-1], offsets[1:])):
        try:
            buffer[a:b].decode("utf-8")
        except UnicodeDecodeError:
            valid[i] = False
            problems.append(f"seed {names[i]} is not UTF-8 text")
    return valid


class _ByteOffsets:
    """Code point offsets into the seeds of a batch, as byte offsets into the batch's buffer."""

    def __init__(self, buffer: bytes, lengths: np.ndarray):
        self.data = np.frombuffer(buffer, np.uint8)
        self.first = np.concatenate([[0], np.cumsum(lengths)])  # where each seed starts
        # Continuation bytes (0b10xxxxxx) are the bytes that start no code point; as int8 they are below -64.
        cont = np.flatnonzero(self.data.view(np.int8) < -64)
        self.cont_first = np.searchsorted(cont, self.first)  # index of each seed's first continuation byte
        cont_seed = np.repeat(np.arange(len(lengths)), np.diff(self.cont_first))
        # Code points before each continuation byte, in its seed; with the seed in the high bits, one sorted key.
        self.keys = (cont_seed << 32) + cont - self.first[cont_seed] - (np.arange(len(cont)) - self.cont_first[cont_seed])
        self.code_points = lengths - np.diff(self.cont_first)

    def slice(self, seed: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Byte offsets in the buffer of seed_text[start:end] for each span (`seed` indexes the batch's seeds)."""
        n = self.code_points[seed]
        start = np.where(start < 0, np.maximum(n + start, 0), np.minimum(start, n))  # Python's slice rules
        end = np.maximum(np.where(end < 0, np.maximum(n + end, 0), np.minimum(end, n)), start)
        base = self.first[seed] - self.cont_first[seed]

        def byte(c: np.ndarray) -> np.ndarray:
            # Code point c starts after c lead bytes and the continuation bytes of the c code points before it.
            return base + c + np.searchsorted(self.keys, (seed << 32) + c, side="right")

        return byte(start), byte(end)


def _views(data: np.ndarray, begin: np.ndarray, length: np.ndarray) -> pa.Array:
    """A binary_view array of data[begin:begin+length] per row: Arrow's 16-byte views (length, then the bytes
    inline when at most 12, else a 4-byte prefix, buffer 0 and the offset), all over the one buffer."""
    n = len(begin)
    views = np.zeros((n, 16), np.uint8)
    words = views.view(np.int32)
    # Bytes copied into the view: all of a short one (at most 12), else the 4-byte prefix.
    last = len(data) - 1  # no gather reaches past the buffer (when it is empty, every length is 0)
    for j in range(4 if len(data) else 0):
        views[:, 4 + j] = np.where(length > j, data[np.minimum(begin + j, last)], 0)
    short = np.flatnonzero((length > 4) & (length <= 12))
    for j in range(4, 12):
        views[short, 4 + j] = np.where(length[short] > j, data[np.minimum(begin[short] + j, last)], 0)
    long = np.flatnonzero(length > 12)
    words[long, 2] = 0  # buffer 0
    words[long, 3] = begin[long]
    words[:, 0] = length
    return pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(data)])


class SpanCheck:
    """The span check (seedcheck.py), started in the background once the articles and every span table are typed."""

    def __init__(self, seeds: Path, span_tables: dict[str, str] | None, background: Executor):
        """`span_tables`: table -> its span text column, from the package's schemas (None: no schemas/ beside it)."""
        self.seeds, self.background = seeds, background
        self.text: dict[str, str] = {}
        self.wanted: dict[str, tuple[str, ...]] = {}
        self.why_not = "" if seeds.is_dir() else "skipped: no seeds/articles/ beside this package"
        if seeds.is_dir() and span_tables is None:
            self.why_not = "skipped: no schemas/ beside seeds/ to say which tables hold spans"
        elif seeds.is_dir() and span_tables is not None:
            self.text = dict(span_tables)
            self.wanted = {"articles": SEED_COLUMNS, **{t: (*SPAN_COLUMNS, c) for t, c in span_tables.items()}}
        self.columns: dict[str, list[pa.Array]] = {}
        self.future: Future[tuple[list[str], int]] | None = None
        self.reader: SeedBatches | None = None  # once the articles table is typed
        self.stop = threading.Event()

    def visit(self, name: str, cols: dict[str, tableschema.Column]) -> None:
        if name not in self.wanted or any(c not in cols for c in self.wanted[name]):
            return
        self.columns[name] = [cols[c].values for c in self.wanted[name]]
        if name == "articles":  # the seeds can be read and hashed while the span tables are typed
            self.reader = SeedBatches(self.seeds, *self.columns["articles"][1:])
        if len(self.columns) == len(self.wanted):
            spans = [Spans(t, c, *self.columns[t]) for t, c in self.text.items()]
            self.future = self.background.submit(check, self.seeds, *self.columns["articles"], spans, self.stop,
                                                 self.reader)

    def result(self) -> tuple[bool, str]:
        if not self.wanted:
            return True, self.why_not
        if self.future is None:
            lacking = [f"{t}.{c}" for t, columns in self.wanted.items() for c in columns if t not in self.columns]
            return False, "the package lacks " + ", ".join(lacking)
        try:
            shown, count = self.future.result()
        except (OSError, ValueError, TypeError, pa.ArrowException) as exc:  # columns of unexpected types, say
            return False, f"could not be checked: {exc}"
        return not count, "; ".join(shown) + (f" (and {count - len(shown)} more)" if count > len(shown) else "") if count else "all spans match"

    def cancel(self) -> None:
        """End it soon, if still running, and the reading of seeds (also when the check never started)."""
        self.stop.set()
        if self.reader is not None:
            self.reader.close()


