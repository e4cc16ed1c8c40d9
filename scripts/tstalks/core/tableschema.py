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

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

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
    note: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "resource"
        return f"{self.resource} {where}" + (f" {self.field}" if self.field else "") + f": {self.type}: {self.note}"


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
            except Exception:  # noqa: BLE001 (Decimal raises several kinds)
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
    """constraint-error records of one column, in frictionless's order of checks."""
    found = []
    c = f.get("constraints", {})
    values, ok = col.values, ~col.type_error
    null = _mask(pc.is_null(values))
    arrow_type = ARROW[f["type"]]
    for kind in SUPPORTED[f["type"]]:
        if kind not in c:
            continue
        limit = c[kind]
        if kind == "required":
            bad = null & ok if limit else np.zeros(len(null), dtype=bool)
        elif kind == "enum":
            allowed = [_coerce(v, f) for v in limit]
            bad = ~null & ~_mask(pc.is_in(values, value_set=pa.array([a for a in allowed if a is not None], arrow_type)))
        elif kind == "pattern":
            bad = ~null & ~_python_match(values, limit)
        elif kind in ("minLength", "maxLength"):
            length = pc.utf8_length(values)
            cmp = pc.greater_equal if kind == "minLength" else pc.less_equal
            bad = ~null & ~_mask(cmp(length, limit))
        else:
            cmp = {"minimum": pc.greater_equal, "maximum": pc.less_equal,
                   "exclusiveMinimum": pc.greater, "exclusiveMaximum": pc.less}[kind]
            bad = ~null & ~_mask(cmp(values, pa.scalar(_coerce(limit, f), arrow_type)))
        found += [Error(name, r, f["name"], "constraint-error", f'constraint "{kind}" is "{limit}"') for r in _rows(bad & ok)]
    return found


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
    table = pa.table({**dict(zip(names, arrays)), "row": pa.array(np.arange(n, dtype=np.int64))})
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
            found += [Error(name, r, f["name"], "unique-error", "a repeat of an earlier row") for r in _rows(dup)]
    pk = schema.get("primaryKey", [])
    if pk:
        arrays = [cols[k].values for k in pk]
        all_null = _all_null(arrays)
        bad = all_null | (repeated(tuple(pk)) & ~all_null)
        found += [Error(name, r, None, "primary-key", f"repeats or lacks the key {', '.join(pk)}") for r in _rows(bad)]
    return found


def foreign_key_errors(name: str, schema: dict[str, Any], cols: dict[str, Column],
                       tables: dict[str, dict[str, Column]]) -> list[Error]:
    return _foreign_key_errors([(name, schema, cols)], tables)


def _foreign_key_errors(resources: list[tuple[str, dict[str, Any], dict[str, Column]]],
                        tables: dict[str, dict[str, Column]]) -> list[Error]:
    """foreign-key records of these resources, in order of resource and key. The keys that refer to the same
    fields of the same table are looked up in one call: the lookup's hash table of the referenced values is
    built once (articles.article_id is referred to eight times)."""
    found: dict[tuple[int, int], list[Error]] = {}
    lookups: dict[tuple[str, tuple[str, ...]], list[tuple[tuple[int, int], str, list[str], pa.Array, np.ndarray]]] = {}
    for i, (name, schema, cols) in enumerate(resources):
        for j, fk in enumerate(schema.get("foreignKeys", [])):
            ref = fk["reference"]
            target = ref.get("resource") or name
            fields, ref_fields = list(fk["fields"]), list(ref["fields"])
            if target not in tables:
                found[(i, j)] = [Error(name, None, ",".join(fields), "resource-error", f"references {target}, which is not in the package")]
                continue
            here = [cols[f].values for f in fields]
            lookups.setdefault((target, tuple(ref_fields)), []).append(((i, j), name, fields, _joined(here), ~_all_null(here)))
    for (target, ref_fields), keys in lookups.items():
        there = [tables[target][f].values for f in ref_fields]
        there_key = _joined(there).filter(pa.array(~_all_null(there)))
        try:
            known = _mask(pc.is_in(pa.chunked_array([k[3] for k in keys]), value_set=there_key))
            parts = np.split(known, np.cumsum([len(k[3]) for k in keys])[:-1])
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # keys of different types: one lookup each
            parts = [_mask(pc.is_in(k[3], value_set=there_key)) for k in keys]
        note = f"values not found in {target} ({', '.join(ref_fields)})"
        for (at, name, fields, _, checked), known_here in zip(keys, parts):
            found[at] = [Error(name, r, ",".join(fields), "foreign-key", note) for r in _rows(checked & ~known_here)]
    return [e for at in sorted(found) for e in found[at]]


# The package


def read_resource(folder: Path, resource: dict[str, Any], read: Callable[[Path], bytes] | None = None,
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
        table = pq.ParquetFile(pa.BufferReader(raw)).read() if parquet else read_csv(raw, names)
        del raw  # the table holds its own copy of every value
    except (OSError, pa.ArrowInvalid) as exc:
        return {}, [Error(name, None, None, "source-error", str(exc).splitlines()[0])]
    if table.column_names != names:
        return {}, [Error(name, None, None, "incorrect-label", f"columns {table.column_names} are not the schema's {names}")]
    columns = dict(zip(names, table.columns))
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
        errors += [Error(name, r, f["name"], "type-error", f'type is "{f["type"]}/default"') for r in _rows(col.type_error)]
    if typed:
        typed(resource, cols)
    for f in schema["fields"]:
        errors += constraint_errors(name, f, cols[f["name"]])
    return cols, errors


def key_fields(resources: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per resource, the fields its foreign keys use or other resources' foreign keys refer to."""
    keys: dict[str, set[str]] = {r["name"]: set() for r in resources}
    for r in resources:
        for fk in r["schema"].get("foreignKeys", []):
            keys[r["name"]].update(fk["fields"])
            keys.setdefault(fk["reference"].get("resource") or r["name"], set()).update(fk["reference"]["fields"])
    return keys


def scan(folder: Path, resources: list[dict[str, Any]], progress: Callable[[str], None] | None = None, *,
         read: Callable[[Path], bytes] | None = None,
         visit: Callable[[dict[str, Any], dict[str, Column]], None] | None = None
         ) -> tuple[list[Error], dict[str, dict[str, Column]]]:
    """(errors, columns kept of each resource that could be read), one resource in memory at a time.

    Each resource is read (with `read`) and typed; `visit(resource, columns)` then sees all its typed columns
    (before they are checked, so that work started there runs beside the checks), after which only those
    foreign keys need are kept, for the checks across resources."""
    keys = key_fields(resources)
    tables: dict[str, dict[str, Column]] = {}
    errors: list[Error] = []
    for resource in resources:
        name = resource["name"]
        if progress:
            progress(name)
        cols, found = read_resource(folder, resource, read, visit)
        errors += found
        if cols:
            errors += repeat_errors(name, resource["schema"], cols)
            tables[name] = {f: c for f, c in cols.items() if f in keys.get(name, ())}
        del cols
    errors += _foreign_key_errors([(r["name"], r["schema"], tables[r["name"]]) for r in resources if r["name"] in tables], tables)
    return sort(errors), tables


def check_package(descriptor: Path, progress: Callable[[str], None] | None = None) -> list[Error]:
    """Every error the columnar pass finds in the package at `descriptor`, sorted by resource and row."""
    return scan(descriptor.parent, json.loads(descriptor.read_text("utf-8"))["resources"], progress)[0]


def sort(errors: list[Error]) -> list[Error]:
    return sorted(errors, key=lambda e: (e.resource, e.row or 0, e.field or "", e.type))


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

