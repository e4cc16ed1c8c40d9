"""Columnar validation of a published package: what `frictionless validate` checks row by row, done per column.

Each resource is read once with pyarrow; types, required/enum/pattern/length/bound constraints, unique
fields, primary keys and every foreign key the descriptor declares are checked as vectorized
operations. The rules follow frictionless-py 5 exactly, so the two report the same
(resource, row, field, error type) records:

- a cell equal to a missing value ("" here) is null; a cell that does not parse as its type is a
  `type-error` and is null from then on (so no constraint, key or lookup sees it);
- constraints are checked only on cells without a type error; each failed one is a `constraint-error`;
- `unique-error` and `primary-key` mark every repeat after the first; a key whose cells are all null is
  a `primary-key` error; a `foreign-key` error is a row whose key cells are not all null and whose
  values are not those of a referenced row (self-references included);
- rows are numbered as frictionless numbers them: the header is row 1, the first data row is row 2.

Cells that are not in the canonical form the build writes (" 7", "+7", "2023-4-5") are parsed by the
same Python functions frictionless uses, one by one; they are rare, so the fast path stays fast.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .problems import shown

# The one map from Table Schema types to Arrow types: how the build writes a column and how validate types it.
ARROW = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}
SUPPORTED = {  # constraints frictionless checks for each type (others are ignored)
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "integer": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "number": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "date": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "boolean": ("required", "enum"),
}
TRUE_VALUES, FALSE_VALUES = ["true", "True", "TRUE", "1"], ["false", "False", "FALSE", "0"]
# The forms the build writes; anything else goes to the exact (slow) parser.
CANONICAL = {"integer": r"^-?[0-9]{1,18}$", "number": r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$",
             "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
CANONICAL_URI = r"^https?://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$"
FIRST_ROW = 2  # frictionless numbers the header row 1
SAMPLE = 1024  # rows looked at to guess whether a column repeats its values


def arrow_schema(schema: dict[str, Any]) -> pa.Schema:
    """The Arrow schema of a Table Schema's columns as published (required columns not nullable)."""
    return pa.schema([pa.field(f["name"], ARROW[f["type"]], nullable=not f.get("constraints", {}).get("required", False))
                      for f in schema["fields"]])


@dataclass(frozen=True, order=True)
class Error:
    resource: str
    row: int | None  # frictionless row number (first data row = 2); None for a whole-resource error
    field: str | None  # field name; comma-joined fields of a foreign key; None for a primary key
    type: str  # frictionless error type: type-error, constraint-error, unique-error, primary-key, foreign-key, ...
    note: str = dataclasses.field(default="", compare=False)  # what is wrong, with the value (cut: core.problems.shown)
    key: str = dataclasses.field(default="", compare=False)  # the row's primary key, as `quote_id 'a000-q01'` (when known)

    def __str__(self) -> str:
        where = "header" if self.type.endswith("-label") else f"row {self.row}" if self.row is not None else "resource"
        key = f" ({self.key})" if self.key else ""
        return f"{self.resource} {where}{key}" + (f" {self.field}" if self.field else "") + f": {self.type}: {self.note}"


DESCRIBED = 20  # errors of each (resource, field, check) given with their values; a report shows at most 20 in all


def _value(value: Any) -> str:
    """A cell as a finding echoes it: quoted and cut (core.problems.shown)."""
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)
    return shown(value, quote=True)


def _described(mask: np.ndarray, make: Callable[[int, bool], Error]) -> list[Error]:
    """One error per True row of `mask`, the first DESCRIBED of them described in full (`make(i, True)`)."""
    return [make(int(i), k < DESCRIBED) for k, i in enumerate(np.flatnonzero(mask))]


@dataclass
class Column:
    values: pa.Array  # typed; null where missing or not of the type
    type_error: np.ndarray  # bool per row


# Reading


def read_csv(source: Path | pa.Buffer, names: list[str]) -> pa.Table:
    """Every column as text, exactly as written: "" stays "" (the missing-value rule decides later).
    `source` is a path or the file's bytes already read (so a caller that hashes them need not read twice)."""
    # One thread and 8 MiB blocks: measured at 10^6 quotes, the least CPU in all (threads parse blocks on both
    # cores for 70% more CPU; 1 MiB blocks make more chunks to join). The chunks are joined per column later.
    return pacsv.read_csv(pa.BufferReader(source) if isinstance(source, pa.Buffer) else source,
                          read_options=pacsv.ReadOptions(use_threads=False, block_size=8 << 20),
                          parse_options=pacsv.ParseOptions(newlines_in_values=True),
                          convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                               strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                               null_values=[]))


def one_array(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()  # one chunk: no copy
    return col


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(arr, pa.ChunkedArray):
        return np.concatenate([np.zeros(0, dtype=bool), *map(_mask, arr.chunks)])
    return np.asarray((pc.fill_null(arr, False) if arr.null_count else arr).to_numpy(zero_copy_only=False), dtype=bool)


def _exact_reader(f: dict[str, Any]) -> Callable[[str], Any]:
    """frictionless-py's own parse of one cell (None when it is not of the type)."""
    t = f["type"]
    if t == "integer":
        def read(cell: str) -> Any:
            try:
                return int(cell.strip())
            except ValueError:
                return None
    elif t == "number":
        def read(cell: str) -> Any:
            try:
                return float(Decimal(cell.strip()))
            except Exception:
                return None
    elif t == "date":
        def read(cell: str) -> Any:
            try:
                return dt.datetime.strptime(cell, "%Y-%m-%d").date()
            except ValueError:
                return None
    elif t == "string" and f.get("format") == "uri":
        import rfc3986  # installed with frictionless, which uses it for this check

        def read(cell: str) -> Any:
            validator = rfc3986.validators.Validator().require_presence_of("scheme")
            try:
                validator.validate(rfc3986.uri_reference(cell))
            except rfc3986.exceptions.ValidationError:
                return None
            return cell
    else:
        raise ValueError(f"no exact reader for {t}")
    return read


def _missing(text: pa.Array, missing: list[str]) -> pa.Array:
    """Boolean array (no nulls): the cell is a missing value."""
    if missing == [""]:  # the usual rule; a length test is cheaper than a set lookup
        return pc.equal(pc.binary_length(text), 0)
    return pc.is_in(text, value_set=pa.array(missing, pa.string()))


def _nulled(text: pa.Array, is_missing: pa.Array) -> pa.Array:
    """`text` with its missing cells null. Reuses the text's buffers under a new validity bitmap (a copy of
    every string would cost as much as the CSV parse) where the layout allows it."""
    if not pc.any(is_missing).as_py():
        return text
    present = pc.invert(is_missing)
    if text.offset == 0 and text.null_count == 0 and present.offset == 0 and present.null_count == 0:
        return pa.Array.from_buffers(text.type, len(text), [present.buffers()[1], *text.buffers()[1:]])
    return pc.if_else(present, text, pa.scalar(None, text.type))


def _canonical(text: pa.Array, t: str) -> np.ndarray:
    """True where the cell is in the form the build writes, so Arrow's parse gives frictionless's value."""
    if t == "integer":
        # Digits only (the common case) is one cheap pass; the regex decides the rest (signs, odd cells).
        digits = _mask(pc.ascii_is_decimal(text)) & _mask(pc.less_equal(pc.binary_length(text), 18))
        rest = np.flatnonzero(~digits)
        if len(rest):
            others = text.take(pa.array(rest))
            digits[rest] = _mask(pc.match_substring_regex(others, CANONICAL["integer"]))
        return digits
    return _mask(pc.match_substring_regex(text, CANONICAL_URI if t == "string" else CANONICAL[t]))


def _dates(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(date32 values, which are real dates) of canonical YYYY-MM-DD cells (others null), as Python's strptime
    reads them: no impossible day (2023-02-30), no year 0."""
    try:
        values = pc.cast(text, pa.date32())  # refuses impossible days, all or nothing; accepts year 0
    except pa.ArrowInvalid:  # some day is impossible: find which, one cell at a time (slow, but only for such cells)
        stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2023-02-30 over to 2023-03-02: a cell that does not print back as itself is not a date.
        values = pc.cast(pc.if_else(pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), text), stamps,
                                    pa.scalar(None, pa.timestamp("s"))), pa.date32())
    real = _mask(pc.greater_equal(pc.year(values), 1))
    if not real.all():
        values = pc.if_else(pa.array(real), values, pa.scalar(None, pa.date32()))
    return values, real


def typed_from_text(text: pa.Array, f: dict[str, Any], missing: list[str]) -> Column:
    """Parse one text column by its field's type, vectorized where the cell is in canonical form."""
    t, n = f["type"], len(text)
    missing_arr = _missing(text, missing)
    type_error = np.zeros(n, dtype=bool)
    if t == "string" and f.get("format") not in ("uri",):
        return Column(_nulled(text, missing_arr), type_error)
    is_missing = _mask(missing_arr)
    present = pc.invert(missing_arr)
    if t == "boolean":
        values = pc.if_else(pc.is_in(text, value_set=pa.array(TRUE_VALUES)), True,
                            pc.if_else(pc.is_in(text, value_set=pa.array(FALSE_VALUES)), False, pa.scalar(None, pa.bool_())))
        type_error = ~is_missing & _mask(pc.is_null(values))
        return Column(pc.if_else(present, values, pa.scalar(None, pa.bool_())), type_error)
    canonical = _canonical(text, t) & ~is_missing
    if t == "string":  # uri
        values = pc.if_else(pa.array(canonical), text, pa.scalar(None, pa.string()))
    elif t == "date":
        values, real = _dates(text if canonical.all() else pc.if_else(pa.array(canonical), text, pa.scalar(None, pa.string())))
        type_error |= canonical & ~real
    elif canonical.all():
        values = pc.cast(text, ARROW[t])
    else:
        values = pc.cast(pc.if_else(pa.array(canonical), text, pa.scalar(None, pa.string())), ARROW[t])
    slow = np.flatnonzero(~canonical & ~is_missing)
    if len(slow):
        read = _exact_reader(f)
        patched = values.to_pylist()
        for i in slow:
            v = read(text[int(i)].as_py())
            patched[i] = v
            type_error[i] = v is None
        values = pa.array(patched, ARROW[t])
    return Column(values, type_error)


def typed_from_parquet(arr: pa.Array, f: dict[str, Any]) -> tuple[Column, str | None]:
    """A Parquet column is typed already; a column of the wrong type is one error for the whole resource."""
    want = ARROW[f["type"]]
    if arr.type != want:
        return Column(pa.nulls(len(arr), want), np.zeros(len(arr), dtype=bool)), f"stored as {arr.type}, schema says {f['type']}"
    return Column(arr, np.zeros(len(arr), dtype=bool)), None


# Checks


def _rows(mask: np.ndarray) -> Iterator[int]:
    return (int(i) + FIRST_ROW for i in np.flatnonzero(mask))


def constraint_errors(name: str, f: dict[str, Any], col: Column) -> list[Error]:
    """constraint-error records of one column, in frictionless's order of checks; the first of each
    constraint's errors say the value and the constraint."""
    found = []
    c = f.get("constraints", {})
    values, ok = col.values, ~col.type_error
    null = _mask(pc.is_null(values))
    for kind in SUPPORTED[f["type"]]:
        if kind not in c:
            continue
        limit = c[kind]
        bad = _breaks(kind, limit, f, values, null) & ok

        def make(i: int, full: bool, kind: str = kind, limit: Any = limit) -> Error:
            note = _constraint_note(kind, limit, values[i].as_py()) if full else f'constraint "{kind}" is "{shown(limit)}"'
            return Error(name, i + FIRST_ROW, f["name"], "constraint-error", note)

        found += _described(bad, make)
    return found


def _breaks(kind: str, limit: Any, f: dict[str, Any], values: pa.Array, null: np.ndarray) -> np.ndarray:
    """True for each cell (not null, unless `required`) that breaks the constraint `kind`."""
    if kind == "required":
        return null.copy() if limit else np.zeros(len(null), dtype=bool)
    if kind == "enum":
        allowed = [_coerce(v, f) for v in limit]
        return ~null & ~_mask(pc.is_in(values, value_set=pa.array([a for a in allowed if a is not None], ARROW[f["type"]])))
    if kind == "pattern":
        return ~null & ~_python_match(values, limit)
    if kind in ("minLength", "maxLength"):
        # A cell has at most as many code points as bytes: when no cell has more bytes than the limit (counted from
        # the offsets, without reading the text), no cell is too long.
        if kind == "maxLength" and (len(values) == 0 or (pc.max(pc.binary_length(values)).as_py() or 0) <= limit):
            return np.zeros(len(null), dtype=bool)
        cmp = pc.greater_equal if kind == "minLength" else pc.less_equal
        return ~null & ~_mask(cmp(pc.utf8_length(values), limit))
    cmp = {"minimum": pc.greater_equal, "maximum": pc.less_equal,
           "exclusiveMinimum": pc.greater, "exclusiveMaximum": pc.less}[kind]
    return ~null & ~_mask(cmp(values, pa.scalar(_coerce(limit, f), ARROW[f["type"]])))


def _constraint_note(kind: str, limit: Any, value: Any) -> str:
    if kind == "required":
        return "the cell is empty, but the field is required"
    if kind == "enum":
        return f"{_value(value)} is not one of the enum's {len(limit)} values ({shown(', '.join(map(str, limit)))})"
    if kind == "pattern":
        return f"{_value(value)} does not match the pattern {shown(limit)}"
    if kind in ("minLength", "maxLength"):
        return f"{_value(value)} has {len(value):,} characters; constraint \"{kind}\" is {limit}"
    return f'{_value(value)} breaks constraint "{kind}", which is {limit}'


def _coerce(value: Any, f: dict[str, Any]) -> Any:
    if isinstance(value, str) and f["type"] != "string":
        return _exact_reader(f)(value)
    return value


def _python_match(values: pa.Array, pattern: str) -> np.ndarray:
    """re.match(f"^{pattern}$", cell), as frictionless does. Python's `$` also matches before one final
    newline, which RE2 does not: test the cell with that newline removed too."""
    if len(values) > 4 * SAMPLE and len(pc.unique(values.slice(0, SAMPLE))) < SAMPLE // 2:
        # Repetitive (an article id in every quote of the article): match each distinct value once.
        distinct = pc.unique(values)
        ok = _match_each(distinct, pattern)
        return np.ones(len(values), dtype=bool) if ok.all() else _mask(pc.is_in(values, value_set=distinct.filter(pa.array(ok))))
    return _match_each(values, pattern)


def _match_each(values: pa.Array, pattern: str) -> np.ndarray:
    rx = f"^(?:{pattern})$"
    whole = _mask(pc.match_substring_regex(values, rx))
    ends = _mask(pc.ends_with(values, "\n"))
    if ends.any():
        trimmed = pc.utf8_slice_codeunits(values, 0, -1)
        whole |= ends & _mask(pc.match_substring_regex(trimmed, rx))
    # RE2 and Python agree on the patterns of these schemas; anything RE2 cannot compile is checked in Python.
    return whole


def _repeats(arrays: list[pa.Array]) -> np.ndarray:
    """True for each row whose values (nulls equal to nulls, as in Python tuples) appeared in an earlier row."""
    n = len(arrays[0])
    if n == 0 or _increasing(arrays):
        return np.zeros(n, dtype=bool)
    names = [f"k{i}" for i in range(len(arrays))]
    table = pa.table({**dict(zip(names, arrays, strict=True)), "row": pa.array(np.arange(n, dtype=np.int64))})
    firsts = table.group_by(names, use_threads=False).aggregate([("row", "min")]).column("row_min")
    repeat = np.ones(n, dtype=bool)
    repeat[firsts.to_numpy()] = False
    return repeat


def _increasing(arrays: list[pa.Array]) -> bool:
    """Rows strictly increasing (as tuples, without nulls): then no row repeats an earlier one. The build
    writes every table sorted by its primary key, so this one linear pass usually spares the hash grouping."""
    if any(a.null_count for a in arrays):
        return False
    n = len(arrays[0])
    after = np.zeros(n - 1, dtype=bool)  # rows equal in every field are not increasing
    try:
        for a in reversed(arrays):
            x, y = a.slice(0, n - 1), a.slice(1)
            after = _mask(pc.less(x, y)) | (_mask(pc.equal(x, y)) & after)
    except pa.ArrowNotImplementedError:  # a type without an order: let the grouping decide
        return False
    return bool(after.all())


def _all_null(arrays: list[pa.Array]) -> np.ndarray:
    out = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        out &= _mask(pc.is_null(a))
    return out


def _joined(arrays: list[pa.Array]) -> pa.Array:
    """One text key per row for a key of several fields (None kept apart from any text)."""
    if len(arrays) == 1:
        return arrays[0]
    texts = [pc.cast(a, pa.string()) for a in arrays]
    return pc.binary_join_element_wise(*texts, "\x1f", null_handling="replace", null_replacement="\x00")


def repeat_errors(name: str, schema: dict[str, Any], cols: dict[str, Column]) -> list[Error]:
    """unique-error for each unique field, then primary-key for the key: every repeat after the first."""
    found = []
    repeats: dict[tuple[str, ...], np.ndarray] = {}  # a unique field is often the whole primary key: group once

    def repeated(fields: tuple[str, ...]) -> np.ndarray:
        if fields not in repeats:
            repeats[fields] = _repeats([cols[k].values for k in fields])
        return repeats[fields]

    for f in schema["fields"]:
        if f.get("constraints", {}).get("unique"):
            values = cols[f["name"]].values
            dup = repeated((f["name"],)) & ~_mask(pc.is_null(values))

            def unique(i: int, full: bool, values: pa.Array = values, field: str = f["name"]) -> Error:
                note = _repeat_note([values], i) if full else "a repeat of an earlier row"
                return Error(name, i + FIRST_ROW, field, "unique-error", note)

            found += _described(dup, unique)
    pk = schema.get("primaryKey", [])
    if pk:
        arrays = [cols[k].values for k in pk]
        all_null = _all_null(arrays)
        bad = all_null | (repeated(tuple(pk)) & ~all_null)

        def key(i: int, full: bool) -> Error:
            if all_null[i]:
                note = f"the row has no {', '.join(pk)}"
            else:
                note = _repeat_note(arrays, i) if full else f"repeats the key {', '.join(pk)} of an earlier row"
            return Error(name, i + FIRST_ROW, None, "primary-key", note)

        found += _described(bad, key)
    return found


def _repeat_note(arrays: list[pa.Array], i: int) -> str:
    """The repeated value and the row that first had it."""
    same = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        value = a[i]
        same &= _mask(pc.is_null(a)) if not value.is_valid else _mask(pc.equal(a, value))
    first = int(np.flatnonzero(same)[0]) + FIRST_ROW
    shown_values = ", ".join(_value(a[i].as_py()) for a in arrays)
    return f"{shown_values} is also in row {first}"


def foreign_key_errors(name: str, schema: dict[str, Any], cols: dict[str, Column],
                       tables: dict[str, dict[str, Column]]) -> list[Error]:
    return _foreign_key_errors([(name, schema, cols)], tables)


Lookup = tuple[tuple[int, int], str, list[str], list[pa.Array], pa.Array, np.ndarray]


def _foreign_key_errors(resources: list[tuple[str, dict[str, Any], dict[str, Column]]],
                        tables: dict[str, dict[str, Column]], unread: frozenset[str] = frozenset()) -> list[Error]:
    """foreign-key records of these resources, in order of resource and key. The keys that refer to the same
    fields of the same table are looked up in one call: the lookup's hash table of the referenced values is
    built once (articles.article_id is referred to eight times). A key to a table of the package that could not
    be read (`unread`, whose own error says why) is not checked: one cause, one error."""
    found, lookups = _lookups(resources, tables, unread)
    for (target, referred), keys in lookups.items():
        there = [tables[target][f].values for f in referred]
        there_key = _joined(there).filter(pa.array(~_all_null(there)))
        try:
            known = _mask(pc.is_in(pa.chunked_array([k[4] for k in keys]), value_set=there_key))
            parts = np.split(known, np.cumsum([len(k[4]) for k in keys])[:-1])
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # keys of different types: one lookup each
            parts = [_mask(pc.is_in(k[4], value_set=there_key)) for k in keys]
        for (at, name, fields, here, _, checked), known_here in zip(keys, parts, strict=True):
            found[at] = _described(checked & ~known_here, _reference(name, fields, here, target, list(referred)))
    return [e for at in sorted(found) for e in found[at]]


Lookups = dict[tuple[str, tuple[str, ...]], list[Lookup]]  # (table, fields referred to) -> the keys referring to them


def _lookups(resources: list[tuple[str, dict[str, Any], dict[str, Column]]], tables: dict[str, dict[str, Column]],
             unread: frozenset[str]) -> tuple[dict[tuple[int, int], list[Error]], Lookups]:
    """The foreign keys of these resources, grouped by the fields they refer to; and the errors of the keys that
    refer to a table not in the package."""
    found: dict[tuple[int, int], list[Error]] = {}
    lookups: Lookups = {}
    for i, (name, schema, cols) in enumerate(resources):
        for j, fk in enumerate(schema.get("foreignKeys", [])):
            ref = fk["reference"]
            target = ref.get("resource") or name
            fields, ref_fields = list(fk["fields"]), list(ref["fields"])
            if target not in tables:
                if target not in unread:
                    found[(i, j)] = [Error(name, None, ",".join(fields), "resource-error",
                                           f"references {shown(target, quote=True)}, which is not in the package")]
                continue
            here = [cols[f].values for f in fields]
            lookup = ((i, j), name, fields, here, _joined(here), ~_all_null(here))
            lookups.setdefault((target, tuple(ref_fields)), []).append(lookup)
    return found, lookups


def _reference(name: str, fields: list[str], here: list[pa.Array], target: str, ref_fields: list[str]
               ) -> Callable[[int, bool], Error]:
    """How a dangling reference of one foreign key is reported: `'x' not found in participants.participant_id`."""
    where = f"{target}.{ref_fields[0]}" if len(ref_fields) == 1 else f"{target} ({', '.join(ref_fields)})"

    def make(i: int, full: bool) -> Error:
        values = ", ".join(_value(a[i].as_py()) for a in here)
        shown_values = values if len(here) == 1 else f"({values})"
        note = f"{shown_values} not found in {where}" if full else f"values not found in {where}"
        return Error(name, i + FIRST_ROW, ",".join(fields), "foreign-key", note)

    return make


# The package


def parquet_file(raw: pa.Buffer) -> pq.ParquetFile:
    """The Parquet file in `raw`; raises ValueError saying, in plain words, when it is not one."""
    try:
        return pq.ParquetFile(pa.BufferReader(raw))  # no dataset layer: less CPU than read_table
    except pa.ArrowInvalid as exc:
        reason = "Parquet magic bytes not found" if "magic bytes" in str(exc) else str(exc).splitlines()[0]
        raise ValueError(f"not a Parquet file ({shown(reason)})") from None


def _read_table(raw: pa.Buffer, names: list[str], parquet: bool) -> pa.Table:
    if parquet:
        return parquet_file(raw).read()
    try:
        return read_csv(raw, names)
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise ValueError("the file is empty: not even a header row") from None
        raise ValueError(f"not readable as CSV ({shown(str(exc).splitlines()[0])})") from None


def header_errors(name: str, header: list[str], names: list[str]) -> list[Error]:
    """What is wrong with a header against the schema's field names, label by label (as frictionless names them:
    blank, duplicate, extra, missing, and, for the same labels in another order, incorrect)."""
    common = [label for label in header if label in names]
    if len(common) * 2 < len(names):  # most labels differ: another table's file, not a few wrong labels
        return [Error(name, None, None, "incorrect-label",
                      f"the header ({shown(', '.join(header))}) has {len(common)} of the Table Schema's {len(names)} "
                      f"labels ({shown(', '.join(names))}): is it the file of another table?")]
    found = [e for i, label in enumerate(header) if (e := _label_error(name, header, names, i, label))]
    renamed = {names[i] for i, label in enumerate(header) if _is_renamed(header, names, i, label)}
    found += [Error(name, None, n, "missing-label", f"the header lacks {_value(n)}, field {j + 1} of the Table Schema")
              for j, n in enumerate(names) if n not in header and n not in renamed]
    if not found and header != names:
        i = next(i for i, (a, b) in enumerate(zip(header, names, strict=True)) if a != b)
        found.append(Error(name, None, header[i], "incorrect-label", f"column {i + 1} is {_value(header[i])}, but field "
                           f"{i + 1} of the Table Schema is {_value(names[i])} (the same labels, in another order)"))
    return found


Read = Callable[[Path], Any]  # a file's bytes (bytes, or a memory map of them)


def _is_renamed(header: list[str], names: list[str], i: int, label: str) -> bool:
    """The label stands where the schema has a field the header lacks: one label written in place of another."""
    return label != "" and label not in names and i < len(names) and names[i] not in header


def _label_error(name: str, header: list[str], names: list[str], i: int, label: str) -> Error | None:
    if label == "":
        return Error(name, None, f"column {i + 1}", "blank-label", "the header's label is empty")
    if header.index(label) < i:
        return Error(name, None, label, "duplicate-label", f"the header has {_value(label)} again in column {i + 1}")
    if _is_renamed(header, names, i, label):
        return Error(name, None, label, "incorrect-label",
                     f"column {i + 1} is {_value(label)}, where the Table Schema has {_value(names[i])}")
    if label not in names:
        return Error(name, None, label, "extra-label", f"column {i + 1}, {_value(label)}, is not a field of the Table Schema")
    return None


def read_resource(folder: Path, resource: dict[str, Any], read: Read | None = None,
                  typed: Callable[[dict[str, Any], dict[str, Column]], None] | None = None
                  ) -> tuple[dict[str, Column], list[Error]]:
    """Typed columns of one resource and the errors found while typing and constraint-checking them. `read`
    gives a file's bytes (default: read them), so a caller can hash the very bytes that are checked;
    `typed(resource, columns)` sees the typed columns before the constraints are checked."""
    name, schema = resource["name"], resource["schema"]
    names = [f["name"] for f in schema["fields"]]
    path = folder / resource["path"]
    parquet = resource.get("format") == "parquet" or path.suffix == ".parquet"
    errors: list[Error] = []
    try:
        raw = pa.py_buffer((read or Path.read_bytes)(path))
        table = _read_table(raw, names, parquet)
        del raw  # the table holds its own copy of every value
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        return {}, [Error(name, None, None, "source-error", shown(reason, 200))]
    labels = header_errors(name, table.column_names, names)
    if labels:
        return {}, labels
    columns = dict(zip(names, table.columns, strict=True))
    del table  # each column's chunks are freed once it is typed
    cols: dict[str, Column] = {}
    missing = schema.get("missingValues", [""])
    for f in schema["fields"]:
        arr = one_array(columns.pop(f["name"]))
        if parquet:
            col, problem = typed_from_parquet(arr, f)
            if problem:
                errors.append(Error(name, None, f["name"], "type-error", problem))
        else:
            col = typed_from_text(arr, f, missing)
        cols[f["name"]] = col

        def type_error(i: int, full: bool, arr: pa.Array = arr, f: dict[str, Any] = f) -> Error:
            note = f'{_value(arr[i].as_py())} is not of type "{f["type"]}"' if full else f'type is "{f["type"]}/default"'
            return Error(name, i + FIRST_ROW, f["name"], "type-error", note)

        errors += _described(col.type_error, type_error)
    if typed:
        typed(resource, cols)
    for f in schema["fields"]:
        errors += constraint_errors(name, f, cols[f["name"]])
    return cols, errors


def key_fields(resources: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per resource, the fields kept once it is checked: its primary key (to say which row a finding is about),
    the fields its foreign keys use, and those other resources' foreign keys refer to."""
    keys: dict[str, set[str]] = {r["name"]: set(_fields(r["schema"].get("primaryKey", []))) for r in resources}
    for r in resources:
        for fk in r["schema"].get("foreignKeys", []):
            keys[r["name"]].update(_fields(fk["fields"]))
            keys.setdefault(fk["reference"].get("resource") or r["name"], set()).update(_fields(fk["reference"]["fields"]))
    return keys


def _fields(key: str | list[str]) -> list[str]:
    return [key] if isinstance(key, str) else list(key)


def row_key(schema: dict[str, Any], cols: dict[str, Column], row: int) -> str:
    """The primary key of frictionless row `row`, as `quote_id 'a000-q01'` ("" when it has none)."""
    pk = _fields(schema.get("primaryKey", []))
    if not pk or any(k not in cols for k in pk):
        return ""
    values = [cols[k].values[row - FIRST_ROW].as_py() for k in pk]
    if all(v is None for v in values):
        return ""
    return ", ".join(f"{k} {_value(v)}" for k, v in zip(pk, values, strict=True))


def scan(folder: Path, resources: list[dict[str, Any]], progress: Callable[[str], None] | None = None, *,
         read: Read | None = None,
         visit: Callable[[dict[str, Any], dict[str, Column]], None] | None = None,
         unread: frozenset[str] = frozenset()
         ) -> tuple[list[Error], dict[str, dict[str, Column]]]:
    """(errors, columns kept of each resource that could be read), one resource in memory at a time.

    Each resource is read (with `read`) and typed; `visit(resource, columns)` then sees all its typed columns
    (before they are checked, so that work started there runs beside the checks), after which only those
    foreign keys and findings need are kept, for the checks across resources. `unread` names resources of the
    package the caller did not hand in (their own error says why): keys referring to them are not checked."""
    keys = key_fields(resources)
    tables: dict[str, dict[str, Column]] = {}
    errors: list[Error] = []
    failed = set(unread)
    for resource in resources:
        name = resource["name"]
        if progress:
            progress(name)
        cols, found = read_resource(folder, resource, read, visit)
        errors += found
        if cols:
            errors += repeat_errors(name, resource["schema"], cols)
            tables[name] = {f: c for f, c in cols.items() if f in keys.get(name, ())}
        else:
            failed.add(name)
        del cols
    errors += _foreign_key_errors([(r["name"], r["schema"], tables[r["name"]]) for r in resources if r["name"] in tables],
                                  tables, frozenset(failed))
    return _keyed(sort(errors), {r["name"]: r["schema"] for r in resources}, tables), tables


def _keyed(errors: list[Error], schemas: dict[str, dict[str, Any]], tables: dict[str, dict[str, Column]]) -> list[Error]:
    """The errors, the first DESCRIBED of each resource's rows with the row's primary key."""
    out, counts = [], dict.fromkeys(schemas, 0)
    for e in errors:
        if e.row is not None and e.resource in tables and counts.get(e.resource, DESCRIBED) < DESCRIBED:
            counts[e.resource] += 1
            e = Error(e.resource, e.row, e.field, e.type, e.note, row_key(schemas[e.resource], tables[e.resource], e.row))
        out.append(e)
    return out


def check_package(descriptor: Path, progress: Callable[[str], None] | None = None) -> list[Error]:
    """Every error the columnar pass finds in the package at `descriptor`, sorted by resource and row (its tables:
    a resource without a Table Schema, such as the SQLite file, is not one)."""
    resources = json.loads(descriptor.read_text("utf-8"))["resources"]
    return scan(descriptor.parent, [r for r in resources if "schema" in r], progress)[0]


def sort(errors: list[Error]) -> list[Error]:
    """By resource, row, field and type; a header's errors in the order of its columns (the sort is stable)."""
    return sorted(errors, key=lambda e: (e.resource, e.row or 0, "" if e.type.endswith("-label") else e.field or "", e.type))


def frictionless_errors(descriptor: Path) -> list[Error]:
    """The same records from the stock validator (for parity tests and `tstalks validate --frictionless`)."""
    import frictionless

    report = frictionless.Package(str(descriptor)).validate(limit_errors=10**9)
    found = []
    for task in report.tasks:
        for e in task.errors:
            names = getattr(e, "field_names", None)
            fld = getattr(e, "field_name", None) or (",".join(names) if names else None)
            found.append(Error(task.name, getattr(e, "row_number", None), fld, e.type, e.message))
    found += [Error("", None, None, e.type, e.message) for e in report.errors]
    return sort(found)

