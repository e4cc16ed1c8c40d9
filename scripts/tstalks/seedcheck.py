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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BATCH = 16 << 20  # bytes of seed text read before their spans are compared
READ = 1 << 16
SHOWN = 10  # problems described in full; the rest are counted


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
          tables: list[Spans]) -> tuple[list[str], int]:
    """(the first problems, described, and how many there are): seeds missing or not of their recorded hash
    or not UTF-8 (in article order), then spans whose text differs from their seed (by table, then row).
    Spans of such seeds, or of articles not in the table, are not compared (the other checks report them)."""
    files, digests = seed_file.to_pylist(), seed_sha256.to_pylist()
    # All span rows, ordered by the seed they slice, so each batch of seeds meets only its own spans.
    which = [_indices(t.article_id, article_id) for t in tables]
    seed_of = np.concatenate(which) if which else np.zeros(0, np.int64)
    table_of = np.repeat(np.arange(len(tables)), [len(w) for w in which])
    row_of = np.concatenate([np.arange(len(w)) for w in which]) if which else np.zeros(0, np.int64)
    order = np.argsort(seed_of, kind="stable")
    seed_sorted = seed_of[order]
    starts = [_offsets(t.start, 0) for t in tables]
    ends = [_offsets(t.end, np.iinfo(np.int64).max) for t in tables]

    bad_seeds: list[str] = []
    differ: list[np.ndarray] = [np.zeros(0, np.int64) for _ in tables]
    dfd = os.open(seeds, os.O_RDONLY)
    try:
        k = 0
        while k < len(files):
            first, chunks, good = k, [], []
            size = 0
            while k < len(files) and (size < BATCH or k == first):
                raw, problem = _seed(dfd, files[k], digests[k])
                if problem:
                    bad_seeds.append(problem)
                chunks.append(raw)
                good.append(not problem)
                size += len(raw)
                k += 1
            buffer = b"".join(chunks)
            lengths = np.fromiter(map(len, chunks), np.int64, len(chunks))
            ok = np.array(good)
            ok &= _utf8(buffer, lengths, files[first:k], bad_seeds, ok)
            lo, hi = np.searchsorted(seed_sorted, [first, k])
            picked = order[lo:hi]
            for t in range(len(tables)):
                mine = picked[table_of[picked] == t]
                rows = row_of[mine]
                local = seed_of[mine] - first
                keep = ok[local]
                rows, local = rows[keep], local[keep]
                if not len(rows):
                    continue
                seed_views = _slices(buffer, lengths, local, starts[t][rows], ends[t][rows])
                texts = pc.cast(tables[t].text.take(pa.array(rows)), pa.binary_view())
                same = pc.fill_null(pc.equal(seed_views, texts), False)
                wrong = rows[~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)]
                if len(wrong):
                    differ[t] = np.concatenate([differ[t], wrong])
    finally:
        os.close(dfd)
    problems = bad_seeds[:SHOWN]
    for t, rows in zip(tables, differ):
        for row in np.sort(rows)[:SHOWN - len(problems)]:
            problems.append(f"{t.table} row with {t.text_column} '{str(t.text[int(row)].as_py())[:40]}'")
    return problems, len(bad_seeds) + sum(len(r) for r in differ)


def _indices(ids: pa.Array, article_id: pa.Array) -> np.ndarray:
    """Row of each id in the articles table; -1 for an id that is null or not there."""
    found = pc.index_in(ids, value_set=article_id, skip_nulls=True)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _offsets(values: pa.Array, if_null: int) -> np.ndarray:
    """Offsets as int64; a null one is what Python slicing makes of None (start 0, end the length)."""
    return np.asarray(pc.fill_null(pc.cast(values, pa.int64()), if_null).to_numpy(zero_copy_only=False))


def _seed(dfd: int, name: str | None, digest: str | None) -> tuple[bytes, str]:
    """(the seed's bytes, a problem or "")."""
    if not isinstance(name, str):
        return b"", f"seed {name} is missing or changed"
    try:
        fd = os.open(name, os.O_RDONLY, dir_fd=dfd)
    except OSError:
        return b"", f"seed {name} is missing or changed"
    try:
        # A read of a regular file returns less than asked only at its end: most seeds take one read.
        raw = os.read(fd, READ)
        if len(raw) == READ:
            rest = [raw]
            while rest[-1]:
                rest.append(os.read(fd, 1 << 20))
            raw = b"".join(rest)
    except OSError:
        return b"", f"seed {name} is missing or changed"
    finally:
        os.close(fd)
    if hashlib.sha256(raw).hexdigest() != digest:
        return b"", f"seed {name} is missing or changed"
    if len(raw) >= 1 << 31:  # binary views address at most 2 GiB
        return b"", f"seed {name} is larger than 2 GiB and cannot be checked"
    return raw, ""


def _utf8(buffer: bytes, lengths: np.ndarray, names: list[str | None], problems: list[str], ok: np.ndarray) -> np.ndarray:
    """Which seeds of the batch are UTF-8 text (Python could not decode the others, so no span can be checked)."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    seeds = pa.Array.from_buffers(pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(buffer)])
    try:
        seeds.cast(pa.large_string())
        return np.ones(len(lengths), dtype=bool)
    except pa.ArrowInvalid:
        pass
    valid = np.ones(len(lengths), dtype=bool)
    for i, (a, b) in enumerate(zip(offsets[:-1], offsets[1:])):
        try:
            buffer[a:b].decode("utf-8")
        except UnicodeDecodeError:
            valid[i] = False
            if ok[i]:
                problems.append(f"seed {names[i]} is not UTF-8 text")
    return valid


def _slices(buffer: bytes, lengths: np.ndarray, seed: np.ndarray, start: np.ndarray, end: np.ndarray) -> pa.Array:
    """seed_text[start:end] for each span (indexes into the batch's seeds), as binary views into `buffer`."""
    data = np.frombuffer(buffer, np.uint8)
    first = np.concatenate([[0], np.cumsum(lengths)])
    # Continuation bytes (0b10xxxxxx) are the bytes that start no code point; as int8 they are below -64.
    cont = np.flatnonzero(data.view(np.int8) < -64)
    cont_seed = np.searchsorted(first, cont, side="right") - 1
    cont_first = np.searchsorted(cont, first)  # index of each seed's first continuation byte
    # Code points before each continuation byte, in its seed; with the seed in the high bits, one sorted key.
    before = cont - first[cont_seed] - (np.arange(len(cont)) - cont_first[cont_seed])
    keys = (cont_seed << 32) + before
    code_points = lengths - np.diff(cont_first)

    def byte(c: np.ndarray) -> np.ndarray:
        # Code point c of a seed starts after c lead bytes and the continuation bytes of the c code points before it.
        return first[seed] + c + np.searchsorted(keys, (seed << 32) + c, side="right") - cont_first[seed]

    n = code_points[seed]
    start = np.where(start < 0, np.maximum(n + start, 0), np.minimum(start, n))  # Python's slice rules
    end = np.where(end < 0, np.maximum(n + end, 0), np.minimum(end, n))
    end = np.maximum(end, start)
    begin, stop = byte(start), byte(end)
    return _views(data, begin, stop - begin)


def _views(data: np.ndarray, begin: np.ndarray, length: np.ndarray) -> pa.Array:
    """A binary_view array of data[begin:begin+length] per row: Arrow's 16-byte views (length, then the bytes
    inline when at most 12, else a 4-byte prefix, buffer 0 and the offset), all over the one buffer."""
    n = len(begin)
    views = np.zeros((n, 16), np.uint8)
    words = views.view(np.int32)
    words[:, 0] = length
    inline = np.where(length <= 12, length, 4)  # bytes copied into the view: all of a short one, else the prefix
    for j in range(12):
        m = np.flatnonzero(inline > j)
        if not len(m):
            break
        views[m, 4 + j] = data[begin[m] + j]
    long = np.flatnonzero(length > 12)
    words[long, 3] = begin[long]
    return pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(data)])
