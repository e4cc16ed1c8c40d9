"""The shortcuts of the columnar validator give what the plain rule gives: Python's own parse and match,
and repeats found by grouping. Sizes are chosen so that each shortcut is taken."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tstalks.core import tableschema as fastcheck

ID = "[a-z0-9]+(?:[-_][a-z0-9]+)*"
CELLS = st.sampled_from(["a1", "b-2", "c_3", "Bad", "x--y", "ok\n", "", "é", "z9", "a1 "])


@settings(max_examples=40, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=20), st.integers(1, 800), st.booleans())
def test_pattern_matched_per_distinct_value_agrees_with_python(cells, repeat, nulls):
    values = (cells * repeat)[: max(len(cells) * repeat, 1)]
    if nulls:
        values[::7] = [None] * len(values[::7])
    got = fastcheck._python_match(pa.array(values, pa.string()), ID)
    want = [v is not None and re.match(f"^{ID}$", v) is not None for v in values]
    present = np.array([v is not None for v in values])
    assert (got[present] == np.array(want)[present]).all()


def _grouped(arrays: list[pa.Array]) -> np.ndarray:
    seen, out = set(), []
    for row in zip(*(a.to_pylist() for a in arrays), strict=True):
        out.append(row in seen)
        seen.add(row)
    return np.array(out, dtype=bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(0, 3)), min_size=1, max_size=40),
       st.booleans())
def test_repeats_with_the_sorted_shortcut_agree_with_python_tuples(rows, sort):
    if sort:
        rows = sorted(rows, key=lambda r: (r[0] is not None, r[0] or "", r[1]))
    arrays = [pa.array([r[0] for r in rows], pa.string()), pa.array([r[1] for r in rows], pa.int64())]
    assert (fastcheck._repeats(arrays) == _grouped(arrays)).all()
    assert (fastcheck._repeats(arrays[:1]) == _grouped(arrays[:1])).all()


def test_a_strictly_increasing_key_takes_the_shortcut_and_a_repeat_does_not():
    keys = pa.array([f"k{i:05d}" for i in range(1000)])
    assert fastcheck._increasing([keys])
    repeated = pa.array([f"k{i:05d}" for i in range(999)] + ["k00998"])
    assert not fastcheck._increasing([repeated])
    assert fastcheck._repeats([repeated]).nonzero()[0].tolist() == [999]


def _python_date(cell: str):
    try:
        return dt.datetime.strptime(cell, "%Y-%m-%d").date()
    except ValueError:
        return None


DATES = st.one_of(st.dates().map(dt.date.isoformat),
                  st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
                  st.sampled_from(["2023-02-29", "2024-02-29", "1900-02-29", "0000-01-01", "2023-4-5", " 2023-01-01", ""]))


@settings(max_examples=60, deadline=None)
@given(st.lists(DATES, min_size=1, max_size=30))
def test_dates_parse_as_python_strptime_parses_them(cells):
    col = fastcheck.typed_from_text(pa.array(cells, pa.string()), {"name": "d", "type": "date"}, [""])
    assert col.values.to_pylist() == [_python_date(c) if c else None for c in cells]
    assert col.type_error.tolist() == [bool(c) and _python_date(c) is None for c in cells]


def _python_int(cell: str):
    try:
        return int(cell.strip())
    except ValueError:
        return None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**18, 10**18).map(str), st.sampled_from(["", " 7", "+7", "1_0", "1e3", "٣", "-0", "007", "-"])),
                min_size=1, max_size=30))
def test_integers_parse_as_python_int_parses_them(cells):
    col = fastcheck.typed_from_text(pa.array(cells, pa.string()), {"name": "i", "type": "integer"}, [""])
    assert col.values.to_pylist() == [_python_int(c) if c else None for c in cells]
    assert col.type_error.tolist() == [bool(c) and _python_int(c) is None for c in cells]
