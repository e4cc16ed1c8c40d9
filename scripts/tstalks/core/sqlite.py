"""The SQLite file of the package, as the build writes it and `tstalks validate` reads it: where it lives, how a
Table Schema maps to SQLite, how a published (Arrow) table becomes SQLite rows, and the foreign-key check both
run. The writer is build/sqlite.py, the comparison with the CSV validate/sqlite.py.

Needs only sqlite3 and pyarrow (no pandas), so that `tstalks validate` can use it and start fast."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

FOLDER = "data/sqlite"
FORMAT, MEDIATYPE = "sqlite", "application/vnd.sqlite3"  # how the descriptor lists the file (a non-tabular resource)
LOOKUP = "codelist_"  # prefix of the lookup tables, one per codelist
META_PACKAGE, META_TABLES, META_COLUMNS = "meta_package", "meta_tables", "meta_columns"
METADATA = (META_PACKAGE, META_TABLES, META_COLUMNS)
BATCH_ROWS = 20_000
SHOWN = 20  # problems listed per table and check; the rest are counted

SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
STORAGE = {"TEXT": "text", "INTEGER": "integer", "REAL": "real"}  # declared type -> the storage class it holds

ForeignKey = tuple[list[str], str, list[str]]  # (fields, referenced table, referenced fields)


def sqlite_path(package: Mapping[str, Any]) -> str:
    """Where the build puts the file, relative to the project root: data/sqlite/<package name>.sqlite."""
    return f"{FOLDER}/{package['name']}.sqlite"


def writer_version(raw: bytes) -> str:
    """The version of the SQLite library that last wrote the file (bytes 96-99 of its header), as "3.40.1"."""
    number = int.from_bytes(raw[96:100], "big")
    return f"{number // 1_000_000}.{number // 1000 % 1000}.{number % 1000}"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def foreign_keys(name: str, schema: dict[str, Any]) -> list[ForeignKey]:
    """The table's foreign keys, those of its coded columns (to their lookup tables) included."""
    keys = [(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]],
             fk["reference"].get("resource") or name,  # no resource (or ""): a reference to the table itself
             fk["reference"]["fields"] if isinstance(fk["reference"]["fields"], list) else [fk["reference"]["fields"]])
            for fk in schema.get("foreignKeys", [])]
    return keys + [([f["name"]], LOOKUP + f["codelist"], ["code"]) for f in schema["fields"] if "codelist" in f]


# Rows


def in_key_order(table: pa.Table, schema: dict[str, Any], name: str = "") -> pa.Table:
    """The schema's columns of `table`, in order, its rows sorted by primary key."""
    names = [f["name"] for f in schema["fields"]]
    lacking = [n for n in names if n not in table.column_names]
    if lacking:
        raise ValueError(f"table {name!r}: lacks the column(s) {', '.join(lacking)} of its Table Schema")
    table = table.select(names)
    key = schema.get("primaryKey", [])
    if not key or _ascending(table, key):
        return table  # the build writes its tables in key order: no copy of a table of 10^6 rows
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in key]))


def _ascending(table: pa.Table, key: list[str]) -> bool:
    """True when a one-column key without nulls strictly ascends row by row (in the byte order sort_indices
    uses); False, so that the caller sorts, for any other key."""
    if len(key) != 1 or table.num_rows < 2:
        return table.num_rows < 2
    column = table.column(key[0]).combine_chunks()
    if column.null_count:
        return False
    return bool(pc.all(pc.less(column.slice(0, len(column) - 1), column.slice(1))).as_py())


def rows(table: pa.Table, schema: dict[str, Any], name: str) -> Iterator[tuple[Any, ...]]:
    """The table's rows as SQLite stores them, in the table's order."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield from zip(*(_values(batch.column(i), f, name) for i, f in enumerate(schema["fields"])), strict=True)


def _values(array: pa.Array, f: dict[str, Any], name: str) -> list[Any]:
    """A column's values as SQLite stores them: dates as ISO text, booleans as 0 and 1."""
    if f["type"] == "date":
        return list(array.cast(pa.string()).to_pylist())
    if f["type"] == "boolean":
        return list(array.cast(pa.int64()).to_pylist())
    if f["type"] == "number" and pc.any(pc.is_nan(array)).as_py():
        raise ValueError(f"{name}.{f['name']}: holds NaN, which SQLite stores as NULL; the file would not hold "
                         "the table's values")
    return list(array.to_pylist())


# What a file declares, and the foreign keys it holds


def primary_key(con: sqlite3.Connection, table: str) -> list[str]:
    info = sorted((pk, name) for _, name, _, _, _, pk in con.execute(f"PRAGMA table_info({quoted(table)})") if pk)
    return [name for _, name in info]


def declared_key(con: sqlite3.Connection, table: str, fkid: int) -> ForeignKey:
    found = sorted((seq, parent, child, to) for id_, seq, parent, child, to, *_ in
                   con.execute(f"PRAGMA foreign_key_list({quoted(table)})") if id_ == fkid)
    parent = found[0][1]
    target = [to for *_, to in found]
    if None in target:  # REFERENCES parent without columns: its primary key
        target = primary_key(con, parent)
    return [child for _, _, child, _ in found], parent, target


def dangling_problems(con: sqlite3.Connection) -> list[str]:
    """Every foreign key PRAGMA foreign_key_check finds broken, with the rows (by primary key) that break it."""
    broken: dict[tuple[str, int], int] = {}
    found: list[str] = []
    tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name in tables:
        try:  # table by table: one that cannot be checked stops only its own check
            for table, _rowid, _parent, fkid in con.execute(f"PRAGMA foreign_key_check({quoted(name)})"):
                broken[(table, fkid)] = broken.get((table, fkid), 0) + 1
        except sqlite3.DatabaseError as exc:
            found.append(f"{name}: foreign_key_check cannot run: {exc}")
    for (table, fkid), count in sorted(broken.items()):
        fields, parent, target = declared_key(con, table, fkid)
        if parent not in tables:
            found.append(f"{table}: foreign key ({', '.join(fields)}) references {parent}, which is missing")
            continue
        dangling = _dangling_rows(con, table, fields, parent, target)
        found += [f"{table} ({key_text(key)}): {', '.join(fields)} {_values_text(values)} has no row in "
                  f"{parent} ({', '.join(target)})" for key, values in dangling]
        if count > len(dangling):
            found.append(f"{table}: {count - len(dangling)} more rows whose {', '.join(fields)} has no row in {parent}")
    return found


def _dangling_rows(con: sqlite3.Connection, table: str, fields: list[str], parent: str, target: list[str]
                   ) -> list[tuple[list[tuple[str, Any]], tuple[Any, ...]]]:
    """(primary key, referencing values) of the first rows whose key finds no row in the parent."""
    key = primary_key(con, table) or ["rowid"]
    present = " AND ".join(f"c.{quoted(f)} IS NOT NULL" for f in fields)
    match = " AND ".join(f"p.{quoted(t)} = c.{quoted(f)}" for f, t in zip(fields, target, strict=True))
    sql = (f"SELECT {', '.join('c.' + quoted(k) for k in key + fields)} FROM {quoted(table)} AS c "
           f"WHERE {present} AND NOT EXISTS (SELECT 1 FROM {quoted(parent)} AS p WHERE {match}) "
           f"ORDER BY {', '.join('c.' + quoted(k) for k in key)} LIMIT {SHOWN}")
    return [(list(zip(key, row[:len(key)], strict=True)), row[len(key):]) for row in con.execute(sql)]


def key_text(key: Iterable[tuple[str, Any]]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in key)


def _values_text(values: Sequence[Any]) -> str:
    return repr(values[0]) if len(values) == 1 else repr(tuple(values))


# Content, whatever the bytes


def content_differences(a: Path, b: Path) -> list[str]:
    """How two SQLite files differ in what they hold (settings of the header that change what a reader gets,
    the schema, every row of every table, in the tables' order), whatever their bytes; empty when they hold the
    same. For files another SQLite version wrote: the same content, laid out in other pages."""
    found = []
    with _reader(a) as first, _reader(b) as second:
        for pragma in ("page_size", "encoding", "auto_vacuum", "user_version", "application_id"):
            x, y = (c.execute(f"PRAGMA {pragma}").fetchone()[0] for c in (first, second))
            if x != y:
                found.append(f"PRAGMA {pragma}: {x!r} against {y!r}")
        for i, (x, y) in enumerate(zip_longest(first.iterdump(), second.iterdump())):
            if x != y:  # the dump is the schema, then every row of every table, as SQL statements
                found.append(f"statement {i + 1} of the dump: {_cut(x)} against {_cut(y)}")
                break
    return found


def _cut(statement: str | None) -> str:
    return "nothing (the dump ends)" if statement is None else repr(statement[:80])


class _reader:
    """A read-only connection, closed on exit (sqlite3's own context manager only commits)."""

    def __init__(self, path: Path):
        self.con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
