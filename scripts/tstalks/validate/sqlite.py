"""`tstalks validate`'s check of the package's SQLite file: that it holds the CSV tables' rows.

`SqliteCheck` compares the file with the CSV tables as the columnar pass types them, one table at a time (the
pass keeps only the key columns of a table once it has checked it): PRAGMA integrity_check (which verifies the
CHECK and NOT NULL constraints too), its data tables, columns and keys against the Table Schemas, each table's
rows against the CSV's, cell by cell (a difference is named by table, primary key, column and both values), the
lookup tables against the codelists' codes, and the descriptions. PRAGMA foreign_key_check runs only when
something differs or a table was not compared: when every table holds the CSV's rows, the CSV's foreign keys
(checked by the columnar pass) and the lookup tables' codes (the codelists') are the file's, so it could find
nothing, and at 10^6 quotes it costs seconds. `Background` runs it in
a thread of its own beside the other checks (sqlite3 lets go of the GIL while SQLite works).

Imports nothing of the build (the file's layout is shared through core.sqlite), nor pandas."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..core.sqlite import (
    BATCH_ROWS,
    LOOKUP,
    META_COLUMNS,
    META_TABLES,
    METADATA,
    SHOWN,
    SQLITE_TYPES,
    dangling_problems,
    declared_key,
    foreign_keys,
    in_key_order,
    key_text,
    primary_key,
    quoted,
    rows,
)


def sqlite_problems(path: Path, tables: Mapping[str, Any], schemas: Mapping[str, dict[str, Any]]) -> list[str]:
    """What differs between the SQLite file at `path` and the tables (empty when nothing does); see SqliteCheck.

    `tables`: table name -> the CSV table as typed columns: a pyarrow Table, or a mapping of column name to a
    pyarrow array (or to anything whose `.values` is one, as the columnar validation holds them)."""
    with SqliteCheck(path, schemas) as check:
        found = check.file_problems()
        for name in schemas:
            if name in tables:
                found += check.table_problems(name, tables[name])
        return found + check.dangling_problems() if found or set(schemas) - set(tables) else found


class SqliteCheck:
    """The checks of `sqlite_problems`, for a caller that holds one CSV table at a time (the columnar
    validation keeps only the key columns of a table once it has checked it): `file_problems()` once, and
    `table_problems(name, columns)` for each table while its columns are at hand. Nothing raises: a file that
    cannot be read is a problem."""

    def __init__(self, path: Path, schemas: Mapping[str, dict[str, Any]], label: str | None = None):
        self.path, self.schemas = path, schemas
        label = label or str(path)  # how messages name the file
        self.con: sqlite3.Connection | None = None
        self.unreadable: str | None = None  # why the file cannot be compared
        self.readable_tables: set[str] | None = None  # data tables whose columns are the schema's; once known
        self.label = label
        if not path.is_file():
            self.unreadable = f"{label}: missing; run `tstalks build`"
            return
        try:
            self.con = _connect(path)
        except sqlite3.Error as exc:
            self.unreadable = f"{label}: cannot be opened: {exc}"

    def __enter__(self) -> SqliteCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def file_problems(self, integrity: bool = True) -> list[str]:
        """Integrity (unless `integrity` is False: the caller runs `Integrity` beside), tables, columns and keys,
        lookup tables and descriptions."""
        if self.con is None:
            return [self.unreadable or f"{self.label}: closed"]
        try:
            found, damaged = _integrity_problems(self.con) if integrity else ([], False)
            if damaged:  # what its rows seem to hold would mislead
                self.unreadable = f"{self.label}: damaged"
                return found
            found += _table_problems(self.con, self.schemas)
            return found + _lookup_problems(self.con, self.schemas) + _description_problems(self.con, self.schemas)
        except sqlite3.Error as exc:
            self.unreadable = f"{self.label}: not a readable SQLite file of the package: {exc}"
            return [self.unreadable]

    def dangling_problems(self) -> list[str]:
        """The rows whose foreign keys PRAGMA foreign_key_check finds broken (none when the file cannot be read)."""
        if self.con is None or self.unreadable:
            return []
        try:
            return dangling_problems(self.con)
        except sqlite3.Error as exc:
            return [f"{self.label}: foreign_key_check cannot run: {exc}"]

    def table_problems(self, name: str, columns: Any) -> list[str]:
        """The rows of table `name` against the CSV's typed columns (see `sqlite_problems`). Empty when the file
        cannot be compared, or lacks the table or its columns: `file_problems` reports that."""
        if self.con is None or self.unreadable:
            return []
        try:
            if self.readable_tables is None:
                self.readable_tables = {n for n in _data_tables(self.con)
                                        if n in self.schemas and not _column_problems(self.con, n, self.schemas[n])}
            if name not in self.readable_tables:
                return []
            schema = self.schemas[name]
            return _row_problems(self.con, name, _csv_table(columns, schema, name), schema)
        except (sqlite3.Error, ValueError) as exc:
            return [f"{name}: cannot be compared with the CSV: {exc}"]


class Integrity:
    """PRAGMA integrity_check on a connection of its own, so that it runs in another thread beside the comparison
    (SQLite lets go of the GIL while it checks); `interrupt` stops it when another check has failed first."""

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label
        self.con: sqlite3.Connection | None = None
        self.stopped = False

    def run(self) -> tuple[list[str], bool]:
        """(findings, damaged), as `_integrity_problems`; a file that cannot be opened counts as damaged."""
        if self.stopped or not self.path.is_file():
            return [], False  # a missing file: the comparison's connection says so
        try:
            self.con = _connect(self.path)
            try:
                return ([], False) if self.stopped else _integrity_problems(self.con)
            finally:
                self.con.close()
        except sqlite3.Error as exc:
            return ([] if self.stopped else [f"{self.label}: not a readable SQLite file of the package: {exc}"]), \
                not self.stopped

    def interrupt(self) -> None:
        self.stopped = True
        if self.con is not None:
            with contextlib.suppress(sqlite3.ProgrammingError):  # closed already: it had finished
                self.con.interrupt()


class Background:
    """The SQLite check beside the columnar pass, in two threads: integrity_check in one (`Integrity`), and in the
    other each CSV table handed over (`visit`) while the pass holds all its columns, so that the comparison runs
    while the pass goes on with the next table; foreign_key_check runs at the end, when something differs. The
    comparison's connection is opened, used and closed in its thread; the tables are compared in the order they
    come."""

    def __init__(self, path: Path, schemas: Mapping[str, dict[str, Any]], label: str, pool: ThreadPoolExecutor,
                 beside: ThreadPoolExecutor):
        self.pool = pool
        self.check: SqliteCheck | None = None
        self.schemas = schemas
        self.integrity = Integrity(path, label)
        self.integrity_found = beside.submit(self.integrity.run)
        self.file: Future[list[str]] = pool.submit(self._open, path, schemas, label)
        self.tables: dict[str, Future[list[str]]] = {}

    def _open(self, path: Path, schemas: Mapping[str, dict[str, Any]], label: str) -> list[str]:
        self.check = SqliteCheck(path, schemas, label)
        return self.check.file_problems(integrity=False)

    def visit(self, name: str, columns: Mapping[str, Any]) -> None:
        """Compare table `name` with these typed CSV columns (held until compared), in the check's thread."""
        held = {n: getattr(c, "values", c) for n, c in columns.items()}
        self.tables[name] = self.pool.submit(lambda: self.check.table_problems(name, held) if self.check else [])

    def result(self, leave_out: set[str] | frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
        """(problems, tables compared), waiting for both threads; the tables in `leave_out` (failed elsewhere)
        are neither reported nor counted. A damaged file is reported by integrity_check alone: what its rows
        seem to hold would mislead."""
        integrity, damaged = self.integrity_found.result()
        found = self.file.result()
        if damaged:
            self.close()
            return integrity, []
        found = integrity + found
        compared = [n for n in self.tables if n not in leave_out]
        for name in compared:
            found += self.tables[name].result()
        if found or len(compared) < len(self.schemas):  # else foreign_key_check could find nothing (module doc)
            found += self.pool.submit(lambda: self.check.dangling_problems() if self.check else []).result()
        self.close()
        return found, compared

    def close(self) -> None:
        """Stop integrity_check, drop what is still queued and close the connection, in its thread (when another
        check failed first)."""
        self.integrity.interrupt()
        for pending in self.tables.values():
            pending.cancel()
        self.pool.submit(lambda: self.check.close() if self.check else None).result()


def _connect(path: Path) -> sqlite3.Connection:
    # Read-write (mode=rw never creates a file) but query_only: integrity_check verifies CHECK constraints only on
    # a writable connection (measured with SQLite 3.40: mode=ro and immutable=1 skip them).
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, check_same_thread=False)
    con.execute("PRAGMA query_only = ON")
    return con


def _integrity_problems(con: sqlite3.Connection) -> tuple[list[str], bool]:
    """PRAGMA integrity_check's findings (each message once, with its count), and whether the file is damaged:
    a row that breaks a CHECK or NOT NULL constraint leaves the file readable; anything else does not."""
    counts: dict[str, int] = {}
    for (message,) in con.execute("PRAGMA integrity_check"):
        counts[message] = counts.get(message, 0) + 1
    if list(counts) == ["ok"]:
        return [], False
    damaged = any(not m.startswith(_CONSTRAINT_MESSAGES) for m in counts)
    return [f"integrity_check: {m}" + (f" ({n} rows)" if n > 1 else "") for m, n in counts.items()], damaged


_CONSTRAINT_MESSAGES = ("CHECK constraint failed", "NULL value in")


def _data_tables(con: sqlite3.Connection) -> list[str]:
    names = [row[0] for row in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    return [n for n in names if not n.startswith(LOOKUP) and n not in METADATA]


def _table_problems(con: sqlite3.Connection, schemas: Mapping[str, dict[str, Any]]) -> list[str]:
    names = _data_tables(con)
    found = [f"{name}: table missing from the SQLite file" for name in schemas if name not in names]
    found += [f"{name}: table in the SQLite file but not in the package" for name in names if name not in schemas]
    for name in [n for n in schemas if n in names]:
        found += _column_problems(con, name, schemas[name]) + _declaration_problems(con, name, schemas[name])
    return found


def _column_problems(con: sqlite3.Connection, name: str, schema: dict[str, Any]) -> list[str]:
    declared = [(column, type_.upper()) for _, column, type_, *_ in con.execute(f"PRAGMA table_info({quoted(name)})")]
    expected = [(f["name"], SQLITE_TYPES.get(f["type"], "?")) for f in schema["fields"]]
    if [c for c, _ in declared] != [c for c, _ in expected]:
        return [f"{name}: columns {', '.join(c for c, _ in declared)} in the SQLite file, "
                f"{', '.join(c for c, _ in expected)} in the package"]
    return [f"{name}.{c}: declared {got or 'without a type'}, should be {want}"
            for (c, got), (_, want) in zip(declared, expected, strict=True) if got != want]


def _declaration_problems(con: sqlite3.Connection, name: str, schema: dict[str, Any]) -> list[str]:
    """The primary key, NOT NULL and foreign keys the Table Schema asks for, as the file declares them."""
    found = []
    key = schema.get("primaryKey", [])
    if primary_key(con, name) != key:
        found.append(f"{name}: primary key ({', '.join(primary_key(con, name))}) in the SQLite file, "
                     f"({', '.join(key)}) in the package")
    notnull = {column: bool(nn) for _, column, _, nn, *_ in con.execute(f"PRAGMA table_info({quoted(name)})")}
    found += [f"{name}.{f['name']}: required, but not declared NOT NULL" for f in schema["fields"]
              if f.get("constraints", {}).get("required") and not notnull.get(f["name"]) and f["name"] not in key]
    ids = sorted({row[0] for row in con.execute(f"PRAGMA foreign_key_list({quoted(name)})")})
    declared = [declared_key(con, name, fkid) for fkid in ids]
    found += [f"{name}: foreign key ({', '.join(fields)}) -> {parent} ({', '.join(target)}) is not declared"
              for fields, parent, target in foreign_keys(name, schema) if (fields, parent, target) not in declared]
    return found


def _csv_table(columns: Any, schema: dict[str, Any], name: str) -> pa.Table:
    if not isinstance(columns, pa.Table):
        names = [f["name"] for f in schema["fields"] if f["name"] in columns]
        arrays = [getattr(columns[n], "values", columns[n]) for n in names]
        columns = pa.Table.from_arrays(arrays, names=names)
    return in_key_order(columns, schema, f"{name} (CSV)")


def _row_problems(con: sqlite3.Connection, name: str, csv: pa.Table, schema: dict[str, Any]) -> list[str]:
    """The table's rows against the CSV's. Python's == is exact here although 1 == 1.0: the declared types
    (checked before) give the columns affinities under which SQLite stores an integral REAL in an INTEGER column
    as an integer, and a number in a TEXT column as text, so equal values are of one storage class."""
    found = []
    count = con.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0]
    if count != csv.num_rows:
        found.append(f"{name}: {count} rows in the SQLite file, {csv.num_rows} in the CSV")
    if not found and _same_rows(_sqlite_rows(con, name, schema), rows(csv, schema, name)):
        return []
    key = [i for i, f in enumerate(schema["fields"]) if f["name"] in schema.get("primaryKey", [])]
    return found + _cell_problems(name, schema, _merged(_sqlite_rows(con, name, schema), rows(csv, schema, name), key))


def _sqlite_rows(con: sqlite3.Connection, name: str, schema: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    key = schema.get("primaryKey", []) or [f["name"] for f in schema["fields"]]
    cursor = con.execute(f"SELECT {', '.join(quoted(f['name']) for f in schema['fields'])} FROM {quoted(name)} "
                         f"ORDER BY {', '.join(map(quoted, key))}")
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from batch


def _same_rows(a: Iterator[tuple[Any, ...]], b: Iterator[tuple[Any, ...]]) -> bool:
    """Both give the same rows in the same order (compared a batch at a time: list equality runs in C)."""
    while True:
        left, right = list(islice(a, BATCH_ROWS)), list(islice(b, BATCH_ROWS))
        if left != right:
            return False
        if not left:
            return True


def _order(value: Any) -> tuple[int, Any]:
    """SQLite's ORDER BY order over values of any storage class: NULL, numbers, text, blobs."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, value) if isinstance(value, str) else (3, value)


Pair = tuple["tuple[Any, ...] | None", "tuple[Any, ...] | None"]


def _merged(sqlite_rows: Iterator[tuple[Any, ...]], csv_rows: Iterator[tuple[Any, ...]], key: list[int]
            ) -> Iterator[Pair]:
    """(SQLite row, CSV row) pairs matched by primary key; None where one side lacks the row. Both are in key order."""
    a, b = next(sqlite_rows, None), next(csv_rows, None)
    while a is not None or b is not None:
        ka = None if a is None else [_order(a[i]) for i in key]
        kb = None if b is None else [_order(b[i]) for i in key]
        if kb is None or (ka is not None and ka < kb):
            yield a, None
            a = next(sqlite_rows, None)
        elif ka is None or kb < ka:
            yield None, b
            b = next(csv_rows, None)
        else:
            yield a, b
            a, b = next(sqlite_rows, None), next(csv_rows, None)


def _cell_problems(name: str, schema: dict[str, Any], pairs: Iterator[Pair]) -> list[str]:
    names = [f["name"] for f in schema["fields"]]
    key = [i for i, n in enumerate(names) if n in schema.get("primaryKey", [])] or list(range(len(names)))
    found: list[str] = []
    more = 0
    for a, b in pairs:
        problems = _pair_problems(name, names, key, a, b)
        room = max(SHOWN - len(found), 0)
        found += problems[:room]
        more += len(problems) - len(problems[:room])
    return found + ([f"{name}: {more} more differences"] if more else [])


def _pair_problems(name: str, names: list[str], key: list[int], a: tuple[Any, ...] | None,
                   b: tuple[Any, ...] | None) -> list[str]:
    """How the SQLite row `a` differs from the CSV row `b` of the same key (one of them None: missing)."""
    row = a if a is not None else b
    assert row is not None
    where = f"{name} ({key_text((names[i], row[i]) for i in key)})"
    if a is None or b is None:
        return [f"{where}: row {'missing from the SQLite file' if a is None else 'not in the CSV'}"]
    return [f"{where}: {names[i]}: CSV {y!r}, SQLite {x!r}"
            for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y or type(x) is not type(y)]


def _lookup_problems(con: sqlite3.Connection, schemas: Mapping[str, dict[str, Any]]) -> list[str]:
    """Each lookup table holds its codelist's codes (the published schemas carry them as each coded field's enum)."""
    codes: dict[str, list[Any]] = {}
    for schema in schemas.values():
        for f in schema["fields"]:
            if "codelist" in f:
                codes.setdefault(f["codelist"], f.get("constraints", {}).get("enum", []))
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = []
    for codelist, expected in sorted(codes.items()):
        table = LOOKUP + codelist
        if table not in tables:
            found.append(f"{table}: lookup table missing from the SQLite file")
            continue
        held = [row[0] for row in con.execute(f"SELECT code FROM {quoted(table)}")]
        lacking = [c for c in expected if c not in held]
        extra = [c for c in held if c not in expected]
        if lacking:
            found.append(f"{table}: lacks the codes {', '.join(map(repr, lacking))} of codelist {codelist}")
        if extra:
            found.append(f"{table}: holds codes not in codelist {codelist}: {', '.join(map(repr, extra))}")
    return found


def _description_problems(con: sqlite3.Connection, schemas: Mapping[str, dict[str, Any]]) -> list[str]:
    """meta_tables and meta_columns hold each table's and column's description as its Table Schema gives it."""
    try:
        tables = dict(con.execute(f"SELECT table_name, description FROM {quoted(META_TABLES)}").fetchall())
        columns = {(t, c): d for t, c, d in con.execute(
            f"SELECT table_name, column_name, description FROM {quoted(META_COLUMNS)}")}
    except sqlite3.OperationalError as exc:
        return [f"{META_TABLES}, {META_COLUMNS}: cannot be read: {exc}"]
    found = [f"{META_TABLES}: the description of {name} is {tables.get(name)!r}, "
             f"the schema's {schema.get('description')!r}"
             for name, schema in schemas.items() if tables.get(name) != schema.get("description")]
    wrong = [f"{name}.{f['name']}" for name, schema in schemas.items() for f in schema["fields"]
             if columns.get((name, f["name"])) != f.get("description")]
    if wrong:
        found.append(f"{META_COLUMNS}: the descriptions of {', '.join(wrong[:SHOWN])}"
                     f"{f' (and {len(wrong) - SHOWN} more)' if len(wrong) > SHOWN else ''} differ from the schemas'")
    return found
