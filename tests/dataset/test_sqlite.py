"""The SQLite file, data/sqlite/turkey-syria-talks.sqlite: the published tables, typed and keyed as their Table
Schemas say, with the codelists as lookup tables and the descriptions beside them; reproducible byte for byte for
one SQLite version; and a file whose constraints refuse what the Table Schemas forbid."""
from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import ROOT, query
from tstalks.build import to_sqlite
from tstalks.core import load_schemas
from tstalks.core.sqlite import sqlite_path, writer_version
from tstalks.validate import sqlite_problems

SCHEMAS = load_schemas(ROOT / "schemas")
TABLES = {name: pq.read_table(ROOT / "data" / "parquet" / f"{name}.parquet") for name in SCHEMAS.tables}
COMMITTED = ROOT / sqlite_path(SCHEMAS.package)


def export(tables: dict[str, pa.Table] = TABLES) -> bytes:
    return to_sqlite(tables, SCHEMAS.tables, SCHEMAS.codelists, SCHEMAS.package)


EXPORTED = export()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A copy of the committed file, to query or change."""
    path = tmp_path / "turkey-syria-talks.sqlite"
    path.write_bytes(COMMITTED.read_bytes())
    return path


def key_of(schema: dict) -> list[str]:
    return schema["primaryKey"]


def sqlite_value(value):
    """A Parquet value as the file should hold it: dates as ISO text."""
    return value.isoformat() if isinstance(value, dt.date) else value


def typed(row) -> list[tuple[str, object]]:
    return [(type(v).__name__, v) for v in row]


# What the file holds


def test_foreign_key_check_and_integrity_check_are_clean(sqlite_file):
    assert query(sqlite_file, "PRAGMA foreign_key_check") == []
    assert query(sqlite_file, "PRAGMA integrity_check") == [("ok",)]


def test_each_table_has_as_many_rows_as_its_csv(sqlite_file):
    for name in SCHEMAS.tables:
        with open(ROOT / "data" / "csv" / f"{name}.csv", newline="", encoding="utf-8") as f:
            csv_rows = sum(1 for _ in csv.reader(f)) - 1
        assert query(sqlite_file, f'SELECT count(*) FROM "{name}"') == [(csv_rows,)], name


def test_every_value_round_trips_with_its_type_against_the_parquet_tables(sqlite_file):
    for name, schema in SCHEMAS.tables.items():
        names = [f["name"] for f in schema["fields"]]
        order = ", ".join(f'"{k}"' for k in key_of(schema))
        got = [typed(row) for row in query(sqlite_file, f'SELECT * FROM "{name}" ORDER BY {order}')]
        expected = sorted((tuple(sqlite_value(r[n]) for n in names) for r in TABLES[name].to_pylist()),
                          key=lambda row: [row[names.index(k)] for k in key_of(schema)])
        assert got == [typed(row) for row in expected], name


def test_every_value_reads_back_as_its_csv_cell(sqlite_file):
    """In the CSV only an empty cell is missing; a number is written in its plain decimal form."""
    for name, schema in SCHEMAS.tables.items():
        names = [f["name"] for f in schema["fields"]]
        with open(ROOT / "data" / "csv" / f"{name}.csv", newline="", encoding="utf-8") as f:
            cells = {tuple(row[k] for k in key_of(schema)): row for row in csv.DictReader(f)}
        for row in query(sqlite_file, f'SELECT * FROM "{name}"'):
            as_text = {n: "" if v is None else str(v) for n, v in zip(names, row, strict=True)}
            assert as_text == cells.pop(tuple(as_text[k] for k in key_of(schema))), name
        assert not cells, f"{name}: rows of the CSV not in the SQLite file: {list(cells)[:3]}"


def test_rows_are_stored_in_primary_key_order_and_codes_in_codelist_order(sqlite_file):
    for name, schema in SCHEMAS.tables.items():
        positions = [f["name"] for f in schema["fields"]]
        rows = query(sqlite_file, f'SELECT * FROM "{name}"')  # no ORDER BY: the order the file keeps
        keys = [[row[positions.index(k)] for k in key_of(schema)] for row in rows]
        assert keys == sorted(keys), name
    for codelist, rows in SCHEMAS.codelists.items():
        # rowid is the position in the codelist (SELECT code alone may read the code's index instead)
        assert [str(c) for (c,) in query(sqlite_file, f'SELECT code FROM "codelist_{codelist}" ORDER BY rowid')] == \
            [r["code"] for r in rows], codelist


def test_columns_have_the_sqlite_type_and_nullability_of_their_table_schema(sqlite_file):
    sqlite_type = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
    for name, schema in SCHEMAS.tables.items():
        info = query(sqlite_file, f'PRAGMA table_info("{name}")')
        assert [(column, declared, bool(notnull)) for _, column, declared, notnull, _, _ in info] == [
            (f["name"], sqlite_type[f["type"]], bool(f.get("constraints", {}).get("required"))
             or f["name"] in key_of(schema)) for f in schema["fields"]], name
        assert [column for pk, column in sorted((pk, column) for _, column, _, _, _, pk in info if pk)] == \
            key_of(schema), name


def declared_keys(path: Path, table: str) -> set[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    rows = query(path, f'PRAGMA foreign_key_list("{table}")')
    by_id: dict[int, list] = {}
    for id_, seq, parent, child, to, *_ in rows:
        by_id.setdefault(id_, []).append((seq, parent, child, to))
    return {(tuple(c for _, _, c, _ in sorted(k)), sorted(k)[0][1], tuple(t for *_, t in sorted(k)))
            for k in by_id.values()}


def test_foreign_keys_of_the_schemas_and_of_every_coded_column_are_declared(sqlite_file):
    for name, schema in SCHEMAS.tables.items():
        expected = {(tuple(fk["fields"]), fk["reference"].get("resource") or name, tuple(fk["reference"]["fields"]))
                    for fk in schema.get("foreignKeys", [])}  # no resource: the table itself (events.parent_event_id)
        expected |= {((f["name"],), f"codelist_{f['codelist']}", ("code",))
                     for f in schema["fields"] if "codelist" in f}
        assert declared_keys(sqlite_file, name) == expected, name


def test_lookup_tables_hold_every_codelist_code_with_its_title_and_description(sqlite_file):
    for codelist, rows in SCHEMAS.codelists.items():
        got = query(sqlite_file, f'SELECT code, title, description FROM "codelist_{codelist}" ORDER BY rowid')
        assert [(str(c), t, d) for c, t, d in got] == [(r["code"], r["title"], r["description"]) for r in rows]


def test_every_table_and_column_of_the_file_has_a_description(sqlite_file):
    tables = [n for (n,) in query(sqlite_file, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    described = dict(query(sqlite_file, "SELECT table_name, description FROM meta_tables"))
    columns = {(t, c): d for t, c, d in
               query(sqlite_file, "SELECT table_name, column_name, description FROM meta_columns")}
    assert set(described) == set(tables)
    for table in tables:
        assert described[table].strip(), table
        for _, column, *_ in query(sqlite_file, f'PRAGMA table_info("{table}")'):
            assert (columns.pop((table, column)) or "").strip(), f"{table}.{column}"
    assert not columns, f"meta_columns describes columns the file does not have: {list(columns)}"
    for name, schema in SCHEMAS.tables.items():
        assert described[name] == schema["description"]


def test_package_metadata_and_the_storage_of_dates_are_in_meta_package(sqlite_file):
    meta = dict(query(sqlite_file, "SELECT key, value FROM meta_package"))
    assert meta["name"] == SCHEMAS.package["name"]
    assert meta["version"] == SCHEMAS.package["version"]
    assert json.loads(meta["licenses"]) == SCHEMAS.package["licenses"]
    assert "ISO 8601" in meta["sqlite_dates"]
    dates = {(t, c) for t, s in SCHEMAS.tables.items() for c in [f["name"] for f in s["fields"] if f["type"] == "date"]}
    stored = {(t, c): s for t, c, s in
              query(sqlite_file, "SELECT table_name, column_name, stored_as FROM meta_columns")}
    assert dates and {stored[d] for d in dates} == {"ISO 8601 text, YYYY-MM-DD"}


@pytest.mark.parametrize("raw", [EXPORTED, COMMITTED.read_bytes()], ids=["exported", "committed"])
def test_the_file_has_a_fixed_page_size_and_no_write_ahead_log(raw):
    assert int.from_bytes(raw[16:18], "big") == 4096
    assert raw[18:20] == b"\x01\x01"  # rollback journal; a WAL file would say 2, 2
    assert int.from_bytes(raw[36:40], "big") == 0  # no free pages


def test_the_header_names_the_sqlite_version_that_wrote_the_file():
    """The bytes depend on the SQLite library's version; a comparison of committed bytes reads it from here."""
    assert writer_version(EXPORTED) == sqlite3.sqlite_version


def test_the_committed_file_holds_what_an_export_of_the_committed_tables_holds(tmp_path):
    """Byte for byte when this machine's SQLite wrote it (`tstalks build --check` compares the bytes); otherwise
    by what `tstalks validate` checks, against the committed tables."""
    if writer_version(COMMITTED.read_bytes()) == sqlite3.sqlite_version:
        assert COMMITTED.read_bytes() == EXPORTED
    assert sqlite_problems(COMMITTED, TABLES, SCHEMAS.tables) == []


# Reproducible


def test_two_exports_are_byte_identical():
    assert export() == EXPORTED


@given(st.randoms(use_true_random=False))
def test_the_order_of_the_rows_given_does_not_change_the_bytes(rng: random.Random):
    shuffled = {}
    for name, table in TABLES.items():
        order = list(range(table.num_rows))
        rng.shuffle(order)
        shuffled[name] = table.take(pa.array(order, pa.int64()))
    assert export(shuffled) == EXPORTED


# Constraints a user's edits meet (with foreign keys on, as a SQL tool turns them on)


def first_row(path: Path, table: str) -> dict:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    row = con.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchone()
    con.close()
    return dict(row)


@pytest.mark.parametrize(("column", "value", "error"), [
    ("statement_id", "no-such-statement", "FOREIGN KEY constraint failed"),
    ("quote_mode", "shouted", "FOREIGN KEY constraint failed"),
    ("quote_text", None, "NOT NULL constraint failed"),
    ("span_start", -1, "CHECK constraint failed"),
    ("span_start", "seven", "CHECK constraint failed"),
])
def test_the_file_refuses_a_row_its_table_schema_forbids(sqlite_file, column, value, error):
    row = first_row(sqlite_file, "quotes") | {"quote_id": "new-quote", column: value}
    con = sqlite3.connect(sqlite_file)
    con.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match=error):
        con.execute(f"INSERT INTO quotes ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    con.close()


@pytest.mark.parametrize("value", ["2023-02-30", "2023-4-25", "25 April 2023", 20230425])
def test_a_date_column_refuses_anything_but_an_iso_date(sqlite_file, value):
    con = sqlite3.connect(sqlite_file)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        con.execute("UPDATE events SET start_date = ? WHERE start_date IS NOT NULL", (value,))
    con.close()


# Small explicit schemas: the types the package does not use yet, composite and self-referencing keys


PAIRS = {
    "parents": {"description": "Parents.", "primaryKey": ["a", "b"], "fields": [
        {"name": "a", "type": "string", "description": "Part one of the key.", "constraints": {"required": True}},
        {"name": "b", "type": "integer", "description": "Part two of the key.", "constraints": {"required": True}},
        {"name": "flag", "type": "boolean", "description": "A boolean."},
        {"name": "score", "type": "number", "description": "A number.", "constraints": {"minimum": 0}}]},
    "children": {"description": "Children.", "primaryKey": ["id"], "fields": [
        {"name": "id", "type": "string", "description": "Key.", "constraints": {"required": True}},
        {"name": "a", "type": "string", "description": "Parent, part one."},
        {"name": "b", "type": "integer", "description": "Parent, part two."},
        {"name": "older_id", "type": "string", "description": "Another child."}],
        "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "parents", "fields": ["a", "b"]}},
                        {"fields": ["older_id"], "reference": {"resource": "", "fields": ["id"]}}]},
}
PAIR_TABLES = {
    "parents": pa.table({"a": ["x", "x", "y"], "b": [2, 1, 1], "flag": [True, None, False],
                         "score": [0.5, 1e-3, None]}),
    "children": pa.table({"id": ["c2", "c1"], "a": ["x", None], "b": [1, None], "older_id": ["c1", None]}),
}


def test_booleans_numbers_and_composite_and_self_references_round_trip(tmp_path):
    path = tmp_path / "pairs.sqlite"
    path.write_bytes(to_sqlite(PAIR_TABLES, PAIRS, {}, {"name": "pairs", "version": "1.0.0"}))
    assert query(path, "SELECT * FROM parents") == [("x", 1, None, 1e-3), ("x", 2, 1, 0.5), ("y", 1, 0, None)]
    assert query(path, "SELECT * FROM children") == [("c1", None, None, None), ("c2", "x", 1, "c1")]
    assert declared_keys(path, "children") == {(("a", "b"), "parents", ("a", "b")),
                                               (("older_id",), "children", ("id",))}
    assert sqlite_problems(path, PAIR_TABLES, PAIRS) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda s, t: t.update(parents=t["parents"].set_column(3, "score", pa.array([float("nan"), 1.0, None]))),
     "parents.score: holds NaN"),
    (lambda s, t: s["parents"]["fields"][2].update(type="datetime"), "parents.flag: type 'datetime'"),
    (lambda s, t: s.update(codelist_x=s.pop("children")), "table 'codelist_x'"),
    (lambda s, t: t.update(children=t["children"].drop_columns(["older_id"])), "lacks the column(s) older_id"),
])
def test_what_a_sqlite_file_cannot_hold_is_refused_with_the_table_and_field_named(change, message):
    schemas, tables = json.loads(json.dumps(PAIRS)), dict(PAIR_TABLES)
    change(schemas, tables)
    if "codelist_x" in schemas:
        tables["codelist_x"] = tables.pop("children")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_sqlite(tables, schemas, {}, {"name": "pairs"})


