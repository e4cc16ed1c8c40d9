"""The published tables as one SQLite file (`tstalks build` writes it to data/sqlite/<package name>.sqlite).

`to_sqlite` writes every table with SQLite column types from its Table Schema, its primary key, foreign keys
(composite and self-references included), NOT NULL for required fields and the cheap CHECK constraints (storage
class, bounds, lengths, ISO dates, 0/1 booleans); each codelist becomes a lookup table `codelist_<name>` (code,
title, description) that its coded columns reference; the descriptions of tables and columns, and the package's
metadata, go into the tables `meta_tables`, `meta_columns` and `meta_package` (SQLite has no comments).

Reproducible: the same tables give the same bytes with the same SQLite library, because the file is built in a
fresh temporary file with fixed settings (page size, UTF-8, rollback journal, no auto-vacuum), rows sorted by
primary key, no timestamps, and rebuilt by VACUUM. Another SQLite version writes the same content in other bytes
(measured: 3.40.1 and 3.51.1 give files of one size, equal table by table, whose cells lie elsewhere in 32 of
104 pages); the writer's version is in the file's header (`core.sqlite.writer_version`), so `tstalks build
--check` compares such a file by content.

A DuckDB file is not offered: DuckDB (1.4 and later) writes a random 16-byte identifier into every database
file's header, so two builds of the same tables differ (measured with DuckDB 2.0.1).
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..core.sqlite import (
    LOOKUP,
    META_COLUMNS,
    META_PACKAGE,
    META_TABLES,
    SHOWN,
    SQLITE_TYPES,
    STORAGE,
    dangling_problems,
    foreign_keys,
    in_key_order,
    quoted,
    rows,
)

PAGE_SIZE = 4096
STORED_AS = {"string": "text", "integer": "integer", "number": "real (8-byte IEEE float)",
             "boolean": "integer: 1 true, 0 false", "date": "ISO 8601 text, YYYY-MM-DD"}

# How this file stores what the CSV holds, for meta_package (a reader of the file alone finds it there).
NOTES = {
    "sqlite_dates": "Dates are ISO 8601 text, YYYY-MM-DD (SQLite has no date type): they sort and compare as text, "
                    "and SQLite's date(), strftime() and julianday() read them. Each date's precision is in the "
                    "column beside it; a month is stored as its first day.",
    "sqlite_missing": "A missing value is NULL (an empty cell in the CSV).",
    "sqlite_codes": "Each codelist is a lookup table codelist_<name> (code, title, description) whose rowid is the "
                    "code's position in the codelist (ORDER BY rowid lists them as the codebook does); every coded "
                    "column is a foreign key to it.",
    "sqlite_keys": "Primary and foreign keys are declared as constraints. SQLite enforces foreign keys only on a "
                   "connection that runs PRAGMA foreign_keys = ON.",
    "sqlite_order": "Data tables are WITHOUT ROWID tables, stored in primary-key order.",
    "sqlite_not_enforced": "Patterns (identifier forms, ISO codes) and formats (uri) are not CHECK constraints: SQLite "
                           "has no regular expressions. meta_columns lists them; tstalks validate checks the CSV "
                           "against them and this file against the CSV.",
}

# The columns of the tables this module adds: (name, declared type, NOT NULL, description).
Column = tuple[str, str, bool, str]
LOOKUP_COLUMNS: tuple[Column, ...] = (
    ("code", "TEXT", True, "The code, as the coded columns hold it."),
    ("title", "TEXT", False, "A short name of the code."),
    ("description", "TEXT", False, "What the code means: its definition in the codebook."),
)
META = {
    META_PACKAGE: ("Package metadata", "The data package's metadata (name, title, version, licences, ...), one "
                   "property a row; a value that is not text is JSON. Keys starting sqlite_ say how this file "
                   "stores the tables.", (
        ("key", "TEXT", True, "Name of the property."),
        ("value", "TEXT", False, "Its value: text as it is, anything else as JSON."))),
    META_TABLES: ("Tables", "Every table of this file, with its title and description.", (
        ("table_name", "TEXT", True, "Name of the table."),
        ("kind", "TEXT", True, "data (a table of the package), codelist (a lookup table) or metadata."),
        ("title", "TEXT", False, "Title of the table."),
        ("description", "TEXT", False, "What one row of the table is."),
        ("primary_key", "TEXT", False, "The columns of its primary key, comma-separated."),
        ("row_count", "INTEGER", True, "Number of rows."))),
    META_COLUMNS: ("Columns", "Every column of every table of this file, with its title, description and type.", (
        ("table_name", "TEXT", True, "Table of the column."),
        ("column_name", "TEXT", True, "Name of the column."),
        ("position", "INTEGER", True, "Position of the column in its table, from 1."),
        ("title", "TEXT", False, "Title of the column."),
        ("description", "TEXT", False, "What the column holds (from the Table Schema)."),
        ("type", "TEXT", False, "Table Schema type (string, integer, number, boolean, date); empty for the columns "
                                "of lookup and metadata tables."),
        ("sqlite_type", "TEXT", True, "Declared SQLite type."),
        ("stored_as", "TEXT", False, "How a value is stored, where SQLite has no such type (dates, booleans)."),
        ("codelist", "TEXT", False, "The lookup table of its codes, for a coded column."),
        ("constraints", "TEXT", False, "The Table Schema constraints as JSON (a codelist's enum is left out: the "
                                       "lookup table holds it), including those SQLite does not enforce (pattern)."),
        ("format", "TEXT", False, "Table Schema format (uri), not enforced by SQLite."))),
}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


# Building


def to_sqlite(tables: Mapping[str, pa.Table], schemas: Mapping[str, dict[str, Any]],
              codelists: Mapping[str, list[dict[str, str]]], package: Mapping[str, Any]) -> bytes:
    """The tables (as published: typed Arrow tables) as the bytes of one SQLite file; the same arguments give the
    same bytes. Raises ValueError, naming the table and field, for what the file cannot hold (a type without a
    SQLite mapping, a NaN, a missing column, a table name that clashes with a lookup or metadata table)."""
    code_types = _code_types(schemas, codelists)
    _check_names(schemas, package)
    with tempfile.TemporaryDirectory(prefix="tstalks-sqlite-") as folder:
        path = Path(folder) / "package.sqlite"
        con = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
        try:
            for pragma in (f"page_size = {PAGE_SIZE}", "encoding = 'UTF-8'", "auto_vacuum = NONE",
                           "journal_mode = MEMORY", "synchronous = OFF", "foreign_keys = OFF"):
                con.execute(f"PRAGMA {pragma}")
            con.execute("BEGIN")
            counts = {name: _write_table(con, name, tables, schemas) for name in schemas}
            for name, rows in codelists.items():
                counts[LOOKUP + name] = _write_lookup(con, name, rows, code_types[name])
            _write_meta(con, schemas, code_types, package, counts)
            con.execute("COMMIT")
            # The rows obey every CHECK and NOT NULL (SQLite refused nothing); the foreign keys are checked here
            # (`tstalks validate` runs integrity_check too).
            found = dangling_problems(con)
            if found:
                raise ValueError("the SQLite file does not hold the tables: " + "; ".join(found[:SHOWN]))
            con.execute("VACUUM")  # rewrites the file compactly, table by table: 6% smaller at 10^5 quotes
        finally:
            con.close()
        return path.read_bytes()


def _code_types(schemas: Mapping[str, dict[str, Any]], codelists: Mapping[str, list[dict[str, str]]]) -> dict[str, str]:
    """Codelist -> the Table Schema type of its codes (that of the fields coded with it; string if none is)."""
    types = {name: "string" for name in codelists}
    seen: dict[str, str] = {}
    for table, schema in schemas.items():
        for f in schema["fields"]:
            if "codelist" not in f:
                continue
            name = f["codelist"]
            if name not in codelists:
                raise ValueError(f"{table}.{f['name']}: codelist {name!r} is not among the codelists given")
            if seen.setdefault(name, f["type"]) != f["type"]:
                raise ValueError(f"{table}.{f['name']}: codelist {name!r} codes {f['type']} values here and "
                                 f"{seen[name]} values elsewhere; a lookup table has one type")
            types[name] = f["type"]
    return types


def _check_names(schemas: Mapping[str, dict[str, Any]], package: Mapping[str, Any]) -> None:
    for name in schemas:
        if name.startswith(LOOKUP) or name in META or name.startswith("sqlite_"):
            raise ValueError(f"table {name!r}: its name clashes with the lookup or metadata tables of the SQLite file "
                             f"(names starting {LOOKUP!r} or 'sqlite_', or {', '.join(META)}); rename the table")
    clash = sorted(set(package) & set(NOTES))
    if clash:
        raise ValueError(f"package metadata: {', '.join(clash)} is reserved for the SQLite file's notes; rename it")


def _column_sql(f: dict[str, Any], where: str) -> str:
    if f["type"] not in SQLITE_TYPES:
        raise ValueError(f"{where}: type {f['type']!r} has no SQLite column type here; "
                         f"supported: {', '.join(SQLITE_TYPES)}")
    name, declared = quoted(f["name"]), SQLITE_TYPES[f["type"]]
    constraints = f.get("constraints", {})
    required = bool(constraints.get("required"))
    storage = STORAGE[declared]
    checks = [f"typeof({name}) = '{storage}'" if required else f"typeof({name}) IN ('{storage}', 'null')"]
    checks += _value_checks(name, f["type"], constraints, "codelist" in f)
    return f"  {name} {declared}{' NOT NULL' if required else ''} CHECK ({' AND '.join(checks)})"


_BOUNDS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def _value_checks(name: str, type_: str, constraints: dict[str, Any], coded: bool) -> list[str]:
    """The CHECKs SQLite can evaluate cheaply. Patterns are left out (no regular expressions in SQLite); a
    codelist's enum is a foreign key to its lookup table instead."""
    checks = []
    if type_ == "boolean":
        checks.append(f"{name} IN (0, 1)")
    if type_ == "date":  # '+0 days' normalizes: 2023-02-30 becomes 2023-03-02, so it fails
        checks.append(f"{name} IS date({name}, '+0 days')")
    for key, op in _BOUNDS.items():
        if key in constraints:
            checks.append(f"{name} {op} {_literal(constraints[key])}")
    if "minLength" in constraints:
        checks.append(f"length({name}) >= {int(constraints['minLength'])}")
    if "maxLength" in constraints:
        checks.append(f"length({name}) <= {int(constraints['maxLength'])}")
    if "enum" in constraints and not coded:
        checks.append(f"{name} IN ({', '.join(map(_literal, constraints['enum']))})")
    return checks


def table_sql(name: str, schema: dict[str, Any], unique: Iterable[Sequence[str]] = ()) -> str:
    """CREATE TABLE for one Table Schema; `unique` adds UNIQUE constraints (keys other tables reference)."""
    lines = [_column_sql(f, f"{name}.{f['name']}") for f in schema["fields"]]
    key = schema.get("primaryKey", [])
    if key:
        lines.append(f"  PRIMARY KEY ({', '.join(map(quoted, key))})")
    singles = [[f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    for fields in _distinct([*singles, *map(list, unique)], exclude=key):
        lines.append(f"  UNIQUE ({', '.join(map(quoted, fields))})")
    for fields, parent, target in foreign_keys(name, schema):
        lines.append(f"  FOREIGN KEY ({', '.join(map(quoted, fields))}) "
                     f"REFERENCES {quoted(parent)} ({', '.join(map(quoted, target))})")
    return f"CREATE TABLE {quoted(name)} (\n" + ",\n".join(lines) + "\n)" + (" WITHOUT ROWID" if key else "")


def _distinct(keys: Iterable[list[str]], exclude: list[str]) -> list[list[str]]:
    found: list[list[str]] = []
    for k in keys:
        if k != exclude and k not in found:
            found.append(k)
    return found


def _referenced(schemas: Mapping[str, dict[str, Any]], name: str) -> list[list[str]]:
    """The column lists of `name` that foreign keys of the package reference (SQLite wants each unique)."""
    return [target for child, schema in schemas.items() for _, parent, target in foreign_keys(child, schema)
            if parent == name]


def _index_sql(name: str, schema: dict[str, Any]) -> list[str]:
    """An index per foreign key into another data table, unless the key leads the primary key: joins along the
    keys stay fast at a million rows, and so does SQLite's own foreign-key enforcement."""
    key = schema.get("primaryKey", [])
    indexed = _distinct((fields for fields, parent, _ in foreign_keys(name, schema)
                         if not parent.startswith(LOOKUP) and key[:len(fields)] != fields), exclude=key)
    return [f"CREATE INDEX {quoted(name + '__' + '__'.join(fields))} ON {quoted(name)} "
            f"({', '.join(map(quoted, fields))})" for fields in indexed]


def _write_table(con: sqlite3.Connection, name: str, tables: Mapping[str, pa.Table],
                 schemas: Mapping[str, dict[str, Any]]) -> int:
    if name not in tables:
        raise ValueError(f"table {name!r}: in the schemas but not among the tables given")
    schema = schemas[name]
    con.execute(table_sql(name, schema, _referenced(schemas, name)))
    table = in_key_order(tables[name], schema, name)
    marks = ", ".join("?" * table.num_columns)
    try:
        con.executemany(f"INSERT INTO {quoted(name)} VALUES ({marks})", rows(table, schema, name))
    except sqlite3.IntegrityError as exc:  # the build checks the tables first; this is a table it did not check
        raise ValueError(f"table {name!r}: SQLite refused a row: {exc}") from None
    for sql in _index_sql(name, schema):  # after the rows: one sort per index instead of an insert per row
        con.execute(sql)
    return int(table.num_rows)


def _write_lookup(con: sqlite3.Connection, name: str, codes: list[dict[str, str]], type_: str) -> int:
    declared = SQLITE_TYPES[type_]
    columns = [(c, declared if c == "code" else t, required, d) for c, t, required, d in LOOKUP_COLUMNS]
    # A rowid table, filled in codelist order, so that SELECT * lists the codes as the codebook does.
    con.execute(_plain_table_sql(LOOKUP + name, columns, ["code"], rowid=True))
    con.executemany(f"INSERT INTO {quoted(LOOKUP + name)} VALUES (?, ?, ?)",
                    [(int(r["code"]) if type_ == "integer" else r["code"], r.get("title"), r.get("description"))
                     for r in codes])
    return len(codes)


def _plain_table_sql(name: str, columns: Sequence[Column], key: list[str], rowid: bool,
                     references: Sequence[str] = ()) -> str:
    lines = [f"  {quoted(c)} {t}{' NOT NULL' if required else ''} CHECK (typeof({quoted(c)}) IN "
             f"('{STORAGE[t]}'{'' if required else ', ' + repr('null')}))" for c, t, required, _ in columns]
    lines.append(f"  PRIMARY KEY ({', '.join(map(quoted, key))})")
    lines += list(references)
    return f"CREATE TABLE {quoted(name)} (\n" + ",\n".join(lines) + "\n)" + ("" if rowid else " WITHOUT ROWID")


def _write_meta(con: sqlite3.Connection, schemas: Mapping[str, dict[str, Any]], code_types: dict[str, str],
                package: Mapping[str, Any], counts: dict[str, int]) -> None:
    # Rowid tables, filled in a reader's order: the package's own order, then the tables as published.
    references = {META_COLUMNS: [f"  FOREIGN KEY (\"table_name\") REFERENCES {quoted(META_TABLES)} (\"table_name\")"]}
    keys = {META_PACKAGE: ["key"], META_TABLES: ["table_name"], META_COLUMNS: ["table_name", "column_name"]}
    for name, (_, _, columns) in META.items():
        con.execute(_plain_table_sql(name, columns, keys[name], rowid=True, references=references.get(name, ())))
    properties = [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                  for k, v in package.items() if k != "resources"] + list(NOTES.items())
    con.executemany(f"INSERT INTO {quoted(META_PACKAGE)} VALUES (?, ?)", properties)
    tables, fields = _meta_rows(schemas, code_types, counts)
    fields += [(name, c, i, c.replace("_", " ").capitalize(), d, None, t, None, None, None, None)
               for name, (_, _, columns) in META.items() for i, (c, t, _, d) in enumerate(columns, 1)]
    rows = {META_PACKAGE: len(properties), META_TABLES: len(tables) + len(META), META_COLUMNS: len(fields)}
    tables += [(name, "metadata", title, description, ", ".join(keys[name]), rows[name])
               for name, (title, description, _) in META.items()]
    con.executemany(f"INSERT INTO {quoted(META_TABLES)} VALUES (?, ?, ?, ?, ?, ?)", tables)
    con.executemany(f"INSERT INTO {quoted(META_COLUMNS)} VALUES ({', '.join('?' * 11)})", fields)


def _meta_rows(schemas: Mapping[str, dict[str, Any]], code_types: dict[str, str], counts: dict[str, int]
               ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of meta_tables and meta_columns for the data and lookup tables."""
    tables: list[tuple[Any, ...]] = []
    fields: list[tuple[Any, ...]] = []
    for name, schema in schemas.items():
        tables.append((name, "data", schema.get("title"), schema.get("description"),
                       ", ".join(schema.get("primaryKey", [])) or None, counts[name]))
        fields += [_field_row(name, i, f) for i, f in enumerate(schema["fields"], 1)]
    for name, type_ in code_types.items():
        coded = [f"{t}.{f['name']}" for t, s in schemas.items() for f in s["fields"] if f.get("codelist") == name]
        tables.append((LOOKUP + name, "codelist", f"Codelist {name}",
                       f"The codes of the {name} codelist" + (f", used by {', '.join(coded)}." if coded else "."),
                       "code", counts[LOOKUP + name]))
        fields += [(LOOKUP + name, c, i, c.capitalize(), d, type_ if c == "code" else None,
                    SQLITE_TYPES[type_] if c == "code" else t, None, None, None, None)
                   for i, (c, t, _, d) in enumerate(LOOKUP_COLUMNS, 1)]
    return tables, fields


def _field_row(table: str, position: int, f: dict[str, Any]) -> tuple[Any, ...]:
    constraints = {k: v for k, v in f.get("constraints", {}).items() if not (k == "enum" and "codelist" in f)}
    return (table, f["name"], position, f.get("title"), f.get("description"), f["type"], SQLITE_TYPES[f["type"]],
            STORED_AS[f["type"]] if f["type"] in ("date", "boolean") else None,
            LOOKUP + f["codelist"] if "codelist" in f else None,
            json.dumps(constraints, ensure_ascii=False) if constraints else None, f.get("format"))
