"""Seeds and spans of a published package, checked in bulk: every seed file has the SHA-256 the articles table
records, and every span's text equals `seed[span_start:span_end]`, the offsets being Python str (code point)
offsets into the UTF-8 seed, with Python's slice rules.

No Python runs per span: seeds are read a batch at a time into one buffer; code point offsets become byte
offsets through the positions of the UTF-8 continuation bytes (an ASCII seed has none); each span becomes an
Arrow binary view into the buffer, and Arrow compares those with the span texts. Memory stays at one batch of
seeds plus the span columns, whatever the number of articles.

A seed is read only when its name is a plain file name in seeds/articles/ and it is a regular file inside the
package (a link out of the package, a FIFO or a device is reported, never read); each finding names the article
or the row (by its primary key), the offsets and the texts.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import stat
import threading
from collections.abc import Generator, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core import tableschema
from ..core.problems import shown

BATCH = 16 << 20  # bytes of seed text read before their spans are compared
AHEAD = 128 << 20  # bytes of seed text read and waiting for their spans, at most
READ = 1 << 16
MAX_SEED = 1 << 31  # bytes: binary views address at most 2 GiB; a larger seed is reported, not read
SHOWN = 10  # problems described in full; the rest are counted
SEED_COLUMNS = ("article_id", "seed_file", "seed_sha256")
SPAN_COLUMNS = ("article_id", "span_start", "span_end")


# (index of the first seed, their bytes joined, the length of each, which are usable, (index, why) of the others)
Batch = tuple[int, bytes, np.ndarray, np.ndarray, list[tuple[int, str]]]


@dataclass
class Spans:
    """The span columns of one table, and the name of its text column (for messages)."""
    table: str
    text_column: str
    article_id: pa.Array
    start: pa.Array
    end: pa.Array
    text: pa.Array
    keys: dict[str, pa.Array] = field(default_factory=dict)  # the primary key's columns, to name a row that differs


@dataclass
class Found:
    """What the comparison found: seeds that could not be used (by article index) and rows whose text differs."""
    seeds: list[tuple[int, str]]
    rows: dict[str, np.ndarray]  # table -> rows (0-based) whose text is not the seed's


def check(seeds: Path, article_id: pa.Array, seed_file: pa.Array, seed_sha256: pa.Array,
          tables: list[Spans], stop: threading.Event | None = None, reader: SeedBatches | None = None
          ) -> tuple[list[str], int]:
    """(the first problems, described, and how many there are): seeds missing or not of their recorded hash
    or not UTF-8 (in article order), then spans whose text differs from their seed (by table, then row).
    Spans of such seeds, or of articles not in the table, are not compared (the other checks report them).
    Setting `stop` ends the check early, with a partial answer (for a caller that no longer needs it).
    `reader` is the seeds' reader if one was started earlier (`SeedBatches(seeds, seed_file, seed_sha256)`)."""
    found = compare(seeds, seed_file, seed_sha256, article_id, tables, stop, reader)
    return describe(found, seeds, article_id, seed_file, tables)


def compare(seeds: Path, seed_file: pa.Array, seed_sha256: pa.Array, article_id: pa.Array, tables: list[Spans],
            stop: threading.Event | None = None, reader: SeedBatches | None = None) -> Found:
    """The comparison of `check`, undescribed."""
    # Another thread reads and hashes the seeds (system calls and hashing, mostly outside the GIL) while this
    # one compares the spans of the batches read.
    reader = reader or SeedBatches(seeds, seed_file, seed_sha256)
    try:
        return _compare(reader, article_id, tables, stop)
    finally:
        reader.close()  # however this ends, the reader stops


def describe(found: Found, seeds: Path, article_id: pa.Array, seed_file: pa.Array, tables: list[Spans],
             leave_out: frozenset[str] = frozenset()) -> tuple[list[str], int]:
    """(the first SHOWN findings, in words, and how many there are), leaving out the tables in `leave_out`."""
    shown_ = [f"article {_text(article_id[k].as_py())}: seed {_text(seed_file[k].as_py())} {what}"
              for k, what in found.seeds[:SHOWN]]
    count = len(found.seeds)
    index = {a: k for k, a in enumerate(article_id.to_pylist())} if any(len(r) for r in found.rows.values()) else {}
    for spans in tables:
        rows = found.rows.get(spans.table, np.zeros(0, np.int64))
        if spans.table in leave_out:
            continue
        count += len(rows)
        for row in rows[:max(0, SHOWN - len(shown_))]:
            shown_.append(_differs(spans, int(row), seeds, seed_file, index))
    return shown_, count


def _text(value: Any) -> str:
    return "(empty)" if value is None else shown(value, quote=True)


def _differs(spans: Spans, row: int, seeds: Path, seed_file: pa.Array, index: dict[Any, int]) -> str:
    """One span that differs from its seed, in words: its row and key, offsets, its text and the seed's."""
    key = ", ".join(f"{k} {_text(a[row].as_py())}" for k, a in spans.keys.items())
    start, end = spans.start[row].as_py(), spans.end[row].as_py()
    k = index.get(spans.article_id[row].as_py())
    there = ""
    if k is not None:
        raw, _ = _seed_file(seeds, seed_file[k].as_py())
        if raw is not None:
            there = f"; the seed has {_text(raw.decode('utf-8', 'replace')[start:end])} there"
    return (f"{spans.table} row {row + tableschema.FIRST_ROW}" + (f" ({key})" if key else "") +
            f": {spans.text_column} {_text(spans.text[row].as_py())} is not the text of seed "
            f"{_text(seed_file[k].as_py()) if k is not None else '?'} at [{start}, {end}){there}")


def _compare(reader: SeedBatches, article_id: pa.Array, tables: list[Spans], stop: threading.Event | None) -> Found:
    # Each table's rows ordered by the seed they slice, so each batch of seeds meets a run of each table's rows.
    prepared = []
    for spans, seed in zip(tables, _indices([t.article_id for t in tables], article_id), strict=True):
        order = np.argsort(seed, kind="stable")
        prepared.append((order, seed[order], _offsets(spans.start, 0)[order],
                         _offsets(spans.end, np.iinfo(np.int64).max)[order]))
    bad_seeds: list[tuple[int, str]] = []
    differ: list[list[np.ndarray]] = [[] for _ in tables]
    for first, buffer, lengths, ok, problems in reader:
        if stop is not None and stop.is_set():
            break
        bad_seeds += problems
        offsets = _ByteOffsets(buffer, lengths)
        for t, prepared_t in enumerate(prepared):
            rows = _differing(tables[t], prepared_t, offsets, first, len(lengths), ok)
            if rows is not None:
                differ[t].append(rows)
    wrong = {spans.table: np.sort(np.concatenate([np.zeros(0, np.int64), *rows]))
             for spans, rows in zip(tables, differ, strict=True)}
    return Found(bad_seeds, wrong)


def _differing(spans: Spans, prepared: tuple[np.ndarray, ...], offsets: _ByteOffsets, first: int, n: int,
               ok: np.ndarray) -> np.ndarray | None:
    """The rows of one table, among those slicing this batch's seeds, whose text differs from the seed's."""
    order, seed, start, end = prepared
    lo, hi = np.searchsorted(seed, [first, first + n])
    rows, local, start_t, end_t = order[lo:hi], seed[lo:hi] - first, start[lo:hi], end[lo:hi]
    usable = ok[local]
    if not usable.all():
        rows, local, start_t, end_t = rows[usable], local[usable], start_t[usable], end_t[usable]
    if not len(rows):
        return None
    begin, finish = offsets.slice(local, start_t, end_t)
    cut = _views(offsets.data, begin, finish - begin)
    # Rows in a run (the usual case: rows sorted by a key that starts with the article) need no copy.
    text = spans.text
    text = text.slice(rows[0], len(rows)) if rows[-1] - rows[0] == len(rows) - 1 and (np.diff(rows) == 1).all() \
        else text.take(pa.array(rows))
    same = pc.fill_null(pc.equal(cut, pc.cast(text, pa.binary_view())), False)
    return rows[~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)]


def _batches(seeds: Path, files: list, digests: list) -> Iterator[Batch]:
    """(index of the first seed, their bytes joined, the length of each, which are usable, problems) for
    consecutive runs of seeds of about BATCH bytes. An unusable seed (missing, changed, not UTF-8) counts as empty."""
    with _SeedFolder(seeds) as folder:
        k = 0
        while k < len(files):
            first, chunks, good, problems, size = k, [], [], [], 0
            while k < len(files) and (size < BATCH or k == first):
                raw, problem = folder.seed(files[k], digests[k])
                good.append(raw is not None)
                if raw is None:
                    problems.append((k, problem))
                    raw = b""
                chunks.append(raw)
                size += len(raw)
                k += 1
            lengths = np.fromiter(map(len, chunks), np.int64, len(chunks))
            buffer = b"".join(chunks)
            del chunks
            yield first, buffer, lengths, np.array(good) & _utf8(buffer, lengths, first, problems), problems


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
        except BaseException as exc:
            self._put(exc)
        finally:
            items.close()  # closes the seeds' folder

    def __iter__(self) -> Iterator[Batch]:
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


class _SeedFolder:
    """seeds/articles/, whose regular files inside the package are read, and nothing else: a name that is not a
    plain file name is refused unread, a link is followed only when it stays inside the package, and a file is
    opened without blocking (a FIFO gives nothing, never a hang) and checked to be a regular file whenever it gives
    more than one read (a device would never end)."""

    def __init__(self, seeds: Path):
        self.seeds, self.root = seeds, seeds.parent.parent.resolve()
        self.fd = os.open(seeds, os.O_RDONLY)

    def __enter__(self) -> _SeedFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def seed(self, name: Any, digest: Any) -> tuple[bytes | None, str]:
        """The seed's bytes, or None and why it cannot be used: not a plain file name, missing, a link out of the
        package, not a regular file, too large to check, or of another hash."""
        raw, problem = self.read(name)
        if raw is None:
            return None, problem
        found = hashlib.sha256(raw).hexdigest()
        if found != digest:
            return None, f"has SHA-256 {found}, but the articles table records {_text(digest)}: the seed changed"
        return raw, ""

    def read(self, name: Any) -> tuple[bytes | None, str]:
        if not isinstance(name, str) or "/" in name or "\\" in name or "\0" in name or name in ("", ".", ".."):
            return None, "is not the name of a file in seeds/articles/"
        try:
            fd = os.open(name, _FLAGS, dir_fd=self.fd)
        except FileNotFoundError:
            return None, "is not in seeds/articles/"
        except OSError as exc:  # a link (O_NOFOLLOW), or unreadable
            followed, why = self._follow(name, exc)
            if followed is None:
                return None, why
            fd = followed
        try:
            # A read of a regular file returns less than asked only at its end: most seeds take one read.
            raw = os.read(fd, READ)
            if len(raw) == READ:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    return None, "is not a regular file; it is not read"
                if info.st_size >= MAX_SEED:
                    return None, f"is {info.st_size:,} bytes, more than the {MAX_SEED - 1:,} a seed may have"
                raw += os.read(fd, info.st_size + 1 - READ)
        except OSError as exc:  # a directory, or a FIFO with nothing in it yet
            return None, f"cannot be read ({exc.strerror})"
        finally:
            os.close(fd)
        return raw, ""

    def _follow(self, name: str, exc: OSError) -> tuple[int | None, str]:
        """A link inside the package, opened; else None and why not."""
        path = self.seeds / name
        if not path.is_symlink():
            return None, f"cannot be read ({exc.strerror})"
        if not path.resolve().is_relative_to(self.root):
            return None, "is a symbolic link to a file outside the package; it is not read"
        if not path.is_file():
            return None, "is a link to something other than a regular file; it is not read"
        try:
            return os.open(name, _FLAGS & ~getattr(os, "O_NOFOLLOW", 0), dir_fd=self.fd), ""
        except OSError as again:
            return None, f"cannot be read ({again.strerror})"


# Opened without following a last link, and without blocking should the file have become a FIFO since it was listed.
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _seed_file(seeds: Path, name: Any) -> tuple[bytes | None, str]:
    """A seed's bytes, read on their own (to describe a finding)."""
    try:
        with _SeedFolder(seeds) as folder:
            return folder.read(name)
    except OSError as exc:
        return None, str(exc.strerror)


def _utf8(buffer: bytes, lengths: np.ndarray, first: int, problems: list[tuple[int, str]]) -> np.ndarray:
    """Which seeds of the batch are UTF-8 text (Python could not decode the others: no offset into them means anything)."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    seeds = pa.Array.from_buffers(pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(buffer)])
    try:
        seeds.cast(pa.large_string())  # Arrow's validation: fast, all or nothing
        return np.ones(len(lengths), dtype=bool)
    except pa.ArrowInvalid:
        pass
    valid = np.ones(len(lengths), dtype=bool)
    for i, (a, b) in enumerate(itertools.pairwise(offsets)):
        try:
            buffer[a:b].decode("utf-8")
        except UnicodeDecodeError as exc:
            valid[i] = False
            problems.append((first + i, f"is not UTF-8 text (byte {exc.start})"))
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

    def __init__(self, root: Path, span_tables: dict[str, str] | None, background: Executor):
        """`span_tables`: table -> its span text column, from the package's schemas (None: no schemas/ beside it)."""
        self.seeds, self.background = root / "seeds" / "articles", background
        self.text: dict[str, str] = {}
        self.wanted: dict[str, tuple[str, ...]] = {}
        if not self.seeds.is_dir():
            self.why_not = "no seeds/articles/ beside this package"
        elif not self.seeds.resolve().is_relative_to(root.resolve()):
            self.why_not = "seeds/articles/ leads outside the package folder; nothing there is read"
        elif span_tables is None:
            self.why_not = "no schemas/ beside seeds/ to say which tables hold spans"
        else:
            self.why_not = ""
            self.text = dict(span_tables)
            self.wanted = {"articles": SEED_COLUMNS, **{t: (*SPAN_COLUMNS, c) for t, c in span_tables.items()}}
        self.columns: dict[str, list[pa.Array]] = {}
        self.keys: dict[str, dict[str, pa.Array]] = {}
        self.future: Future[Found] | None = None
        self.reader: SeedBatches | None = None  # once the articles table is typed
        self.stop = threading.Event()

    def visit(self, resource: dict[str, Any], cols: dict[str, tableschema.Column]) -> None:
        name = resource["name"]
        if name not in self.wanted or any(c not in cols for c in self.wanted[name]):
            return
        self.columns[name] = [cols[c].values for c in self.wanted[name]]
        self.keys[name] = {k: cols[k].values for k in resource["schema"].get("primaryKey", []) if k in cols}
        if name == "articles":  # the seeds can be read and hashed while the span tables are typed
            self.reader = SeedBatches(self.seeds, *self.columns["articles"][1:])
        if len(self.columns) == len(self.wanted):
            article_id, seed_file, seed_sha256 = self.columns["articles"]
            self.future = self.background.submit(compare, self.seeds, seed_file, seed_sha256, article_id, self._spans(),
                                                 self.stop, self.reader)

    def _spans(self) -> list[Spans]:
        spans = []
        for t, c in self.text.items():
            article_id, start, end, text = self.columns[t]
            spans.append(Spans(t, c, article_id, start, end, text, keys=self.keys[t]))
        return spans

    def result(self, broken: dict[str, set[str]]) -> tuple[str, str]:
        """("ok", "fail" or "skip", and the detail). `broken`: table -> its fields that failed the schema checks
        (or {""} when the table could not be read): spans resting on them are not compared (their own errors
        were reported; comparing them would report the same cause again)."""
        if not self.wanted:
            return "skip", self.why_not
        leave_out = {t for t, fields in broken.items() if t in self.wanted and (not fields or "" in fields or
                                                                                 fields & set(self.wanted[t]))}
        if "articles" in leave_out:
            return "skip", "not checked: the articles table failed its checks (above)"
        if self.future is None:
            return self._not_started(leave_out | set(broken))
        try:
            found = self.future.result()
        except (OSError, ValueError, TypeError, pa.ArrowException) as exc:  # columns of unexpected types, say
            return "fail", f"could not be checked: {shown(exc)}"
        article_id, seed_file, _ = self.columns["articles"]
        findings, count = describe(found, self.seeds, article_id, seed_file, self._spans(), frozenset(leave_out))
        skipped = f" ({', '.join(sorted(leave_out))} not compared: failed above)" if leave_out else ""
        if not count:
            return "ok", ("all spans compared match" if leave_out else "all spans match") + skipped
        more = f" (and {count - len(findings)} more)" if count > len(findings) else ""
        return "fail", "\n".join(findings) + more + skipped

    def _not_started(self, failed: set[str]) -> tuple[str, str]:
        lacking = [t for t in self.wanted if t not in self.columns]
        if set(lacking) <= failed:
            return "skip", f"not checked: {', '.join(lacking)} failed above"
        return "fail", "the package lacks " + ", ".join(f"{t}.{c}" for t in lacking for c in self.wanted[t])

    def cancel(self) -> None:
        """End it soon, if still running, and the reading of seeds (also when the check never started)."""
        self.stop.set()
        if self.reader is not None:
            self.reader.close()
