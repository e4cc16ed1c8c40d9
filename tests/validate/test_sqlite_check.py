"""`tstalks validate`'s SQLite check: nothing to report on a fresh export, and each kind of difference between
the SQLite file and the CSV tables named (table, primary key, column, both values); as its own check line of
`tstalks validate`, which fails on a broken file and skips, saying why, where the descriptor lists none."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from support import ROOT, copy_project, query
from tstalks.build import to_sqlite
from tstalks.core import load_schemas
from tstalks.core import tableschema as fastcheck
from tstalks.core.sqlite import in_key_order, sqlite_path
from tstalks.validate import SqliteCheck, sqlite_problems, validate_package

SCHEMAS = load_schemas(ROOT / "schemas")
TABLES = {name: pq.read_table(ROOT / "data" / "parquet" / f"{name}.parquet") for name in SCHEMAS.tables}
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text("utf-8"))
PUBLISHED = {r["name"]: r["schema"] for r in DESCRIPTOR["resources"] if "schema" in r}
EXPORTED = to_sqlite(TABLES, SCHEMAS.tables, SCHEMAS.codelists, SCHEMAS.package)
SQLITE_CHECK = "the SQLite file holds the CSV tables (rows, keys, integrity, foreign keys)"
RELATIVE = sqlite_path(SCHEMAS.package)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "turkey-syria-talks.sqlite"
    path.write_bytes(EXPORTED)
    return path


def broken(path: Path, *sql: str, checks: bool = True) -> Path:
    """The file at `path`, changed by `sql` on a connection without foreign-key enforcement (and, with
    checks=False, without CHECK constraints): what a careless edit or a bug could leave."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute(f"PRAGMA ignore_check_constraints = {'OFF' if checks else 'ON'}")
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()
    return path


def key_of(schema: dict) -> list[str]:
    return schema["primaryKey"]


def sqlite_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


# sqlite_problems: nothing when the file holds the CSV tables, and each kind of difference named


def test_sqlite_problems_finds_nothing_in_a_fresh_export(sqlite_file):
    assert sqlite_problems(sqlite_file, TABLES, PUBLISHED) == []
    as_columns = {name: {c: t.column(c) for c in t.column_names} for name, t in TABLES.items()}
    assert sqlite_problems(sqlite_file, as_columns, SCHEMAS.tables) == []


def test_sqlite_check_compares_the_csv_tables_as_the_columnar_validation_types_them(sqlite_file):
    """The wiring into `tstalks validate`: each CSV table is compared while fastcheck holds all its columns."""
    resources = [r for r in DESCRIPTOR["resources"] if "schema" in r]

    def validate() -> list[str]:
        found: list[str] = []
        with SqliteCheck(sqlite_file, PUBLISHED) as check:
            errors, _ = fastcheck.scan(ROOT, resources, visit=lambda r, cols: found.extend(
                check.table_problems(r["name"], cols)))
            assert errors == []
            return found + check.file_problems()

    assert validate() == []
    first = query(sqlite_file, "SELECT quote_id, note FROM quotes ORDER BY quote_id LIMIT 1")[0]
    broken(sqlite_file, "UPDATE quotes SET note = 'x' WHERE quote_id = ?".replace("?", repr(first[0])))
    assert validate() == [f"quotes (quote_id={first[0]!r}): note: CSV {first[1]!r}, SQLite 'x'"]


def editable_columns(schema: dict) -> list[dict]:
    """Columns outside every key and codelist, whose change breaks no constraint of the file."""
    keyed = set(key_of(schema)) | {c for fk in schema.get("foreignKeys", []) for c in fk["fields"]}
    return [f for f in schema["fields"] if f["name"] not in keyed and "codelist" not in f
            and f["type"] in ("string", "integer", "date")]


def changed(value, type_: str):
    if type_ == "string":
        return (value or "") + " (changed)"
    if type_ == "integer":
        return (value or 0) + 1
    return "2000-01-01" if value is None else (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()


@given(st.data())
def test_a_changed_cell_is_named_by_table_key_column_and_both_values(data):
    name = data.draw(st.sampled_from([n for n, s in SCHEMAS.tables.items()
                                      if editable_columns(s) and TABLES[n].num_rows]))
    schema = SCHEMAS.tables[name]
    field = data.draw(st.sampled_from(editable_columns(schema)))
    row = TABLES[name].slice(data.draw(st.integers(0, TABLES[name].num_rows - 1)), 1).to_pylist()[0]
    old = sqlite_value(row[field["name"]])
    new = changed(old, field["type"])
    where = " AND ".join(f'"{k}" = ?' for k in key_of(schema))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.sqlite"
        path.write_bytes(EXPORTED)
        con = sqlite3.connect(path)
        try:
            con.execute(f'UPDATE "{name}" SET "{field["name"]}" = ? WHERE {where}',
                        [new, *[sqlite_value(row[k]) for k in key_of(schema)]])
        except sqlite3.IntegrityError:
            assume(False)  # a change the file's own constraints refuse
        con.commit()
        con.close()
        problems = sqlite_problems(path, TABLES, PUBLISHED)
    assert len(problems) == 1, problems
    for part in (name, field["name"], repr(old), repr(new), *(repr(sqlite_value(row[k])) for k in key_of(schema))):
        assert part in problems[0], (part, problems[0])


@given(st.data())
def test_a_deleted_row_is_named_by_table_and_key(data):
    name = data.draw(st.sampled_from([n for n in SCHEMAS.tables if TABLES[n].num_rows]))
    schema = SCHEMAS.tables[name]
    n = TABLES[name].num_rows
    row = TABLES[name].slice(data.draw(st.integers(0, n - 1)), 1).to_pylist()[0]
    key = [repr(sqlite_value(row[k])) for k in key_of(schema)]
    where = " AND ".join(f'"{k}" = {value}' for k, value in zip(key_of(schema), key, strict=True))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.sqlite"
        path.write_bytes(EXPORTED)
        problems = sqlite_problems(broken(path, f'DELETE FROM "{name}" WHERE {where}'), TABLES, PUBLISHED)
    assert any(name in p and str(n - 1) in p and str(n) in p for p in problems), problems
    missing = [p for p in problems if "missing" in p]
    assert len(missing) == 1 and missing[0].startswith(f"{name} (") and all(k in missing[0] for k in key), problems
    # Anything else is a row that referenced the deleted one, named as such.
    others = [p for p in problems if p not in missing and not p.startswith(f"{name}: {n - 1} rows")]
    assert all(f"has no row in {name}" in p for p in others), others


def data_foreign_keys() -> list[tuple[str, list[str], str]]:
    return [(name, fk["fields"], fk["reference"].get("resource") or name)
            for name, schema in SCHEMAS.tables.items() for fk in schema.get("foreignKeys", [])]


@pytest.mark.parametrize(("table", "fields", "parent"), data_foreign_keys(),
                         ids=[f"{t}.{'+'.join(f)}" for t, f, _ in data_foreign_keys()])
def test_a_dangling_key_written_with_foreign_keys_off_is_named(sqlite_file, table, fields, parent):
    present = " AND ".join(f'"{f}" IS NOT NULL' for f in fields)
    rows = query(sqlite_file, f'SELECT count(*) FROM "{table}" WHERE {present}')[0][0]
    if not rows:
        pytest.skip(f"no row of {table} has {', '.join(fields)} today")
    sets = ", ".join(f"\"{f}\" = 'no-such-key'" for f in fields)
    # One row: the first in key order with the key set.
    key = ", ".join(f'"{k}"' for k in key_of(SCHEMAS.tables[table]))
    broken(sqlite_file, f'UPDATE "{table}" SET {sets} WHERE ({key}) = '
                        f'(SELECT {key} FROM "{table}" WHERE {present} ORDER BY {key} LIMIT 1)')
    problems = sqlite_problems(sqlite_file, TABLES, PUBLISHED)
    dangling = [p for p in problems if "has no row in" in p]
    assert len(dangling) == 1, problems
    for part in (f"{table} (", ", ".join(fields), "'no-such-key'", f"has no row in {parent}"):
        assert part in dangling[0], (part, dangling[0])


def test_a_row_inserted_with_a_dangling_key_is_reported_three_ways(sqlite_file):
    topic = SCHEMAS.codelists["topic"][0]["code"]
    rows = TABLES["statement_topics"].num_rows
    insert = f"INSERT INTO statement_topics VALUES ('no-such-statement', '{topic}')"
    problems = sqlite_problems(broken(sqlite_file, insert), TABLES, PUBLISHED)
    key = f"statement_topics (statement_id='no-such-statement', topic={topic!r})"
    assert sorted(problems) == sorted([
        f"{key}: statement_id 'no-such-statement' has no row in statements (statement_id)",
        f"statement_topics: {rows + 1} rows in the SQLite file, {rows} in the CSV",
        f"{key}: row not in the CSV",
    ])


def test_a_row_that_breaks_a_check_constraint_is_reported_by_integrity_check(sqlite_file):
    broken(sqlite_file, "UPDATE quotes SET span_start = -1", checks=False)
    problems = sqlite_problems(sqlite_file, TABLES, PUBLISHED)
    assert any(p.startswith("integrity_check:") and "quotes" in p for p in problems), problems


def test_a_missing_table_a_missing_lookup_and_an_extra_column_are_named(sqlite_file):
    problems = sqlite_problems(broken(sqlite_file, "DROP TABLE discrepancy_values", "DROP TABLE codelist_quote_mode",
                                      "ALTER TABLE events ADD COLUMN extra TEXT"), TABLES, PUBLISHED)
    assert "discrepancy_values: table missing from the SQLite file" in problems
    assert "codelist_quote_mode: lookup table missing from the SQLite file" in problems
    assert any(p.startswith("events: columns") and "extra" in p for p in problems), problems
    assert any(p.startswith("quotes:") and "codelist_quote_mode" in p for p in problems), problems


def test_a_changed_description_is_named(sqlite_file):
    broken(sqlite_file, "UPDATE meta_columns SET description = 'x' "
                        "WHERE table_name = 'events' AND column_name = 'title'")
    problems = sqlite_problems(sqlite_file, TABLES, PUBLISHED)
    assert problems == ["meta_columns: the descriptions of events.title differ from the schemas'"]


@pytest.mark.parametrize("damage", ["missing", "not sqlite", "truncated"])
def test_a_missing_or_damaged_file_is_a_problem_not_a_traceback(sqlite_file, damage):
    if damage == "missing":
        sqlite_file.unlink()
    elif damage == "not sqlite":
        sqlite_file.write_text("event_id,title\n", "utf-8")
    else:
        sqlite_file.write_bytes(EXPORTED[: len(EXPORTED) // 2])
    problems = sqlite_problems(sqlite_file, TABLES, PUBLISHED)
    assert problems and all(isinstance(p, str) for p in problems)
    assert str(sqlite_file) in problems[0] or problems[0].startswith("integrity_check:"), problems


def test_sqlite_problems_imports_neither_pandas_nor_frictionless(sqlite_file):
    """`tstalks validate` starts fast because it imports neither; the SQLite check must not bring them in."""
    code = f"""
import json, sys
from pathlib import Path
import pyarrow.parquet as pq
from tstalks.validate import sqlite_problems
schemas = {{r["name"]: r["schema"] for r in json.loads(Path("datapackage.json").read_text("utf-8"))["resources"]
           if "schema" in r}}
tables = {{n: pq.ParquetFile(f"data/parquet/{{n}}.parquet").read() for n in schemas}}
problems = sqlite_problems(Path({str(sqlite_file)!r}), tables, schemas)
print(json.dumps([problems, "pandas" in sys.modules, "frictionless" in sys.modules]))
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == [[], False, False]




def test_a_dangling_composite_and_self_reference_is_named(tmp_path):
    parents = {"description": "Parents.", "primaryKey": ["a", "b"], "fields": [
        {"name": "a", "type": "string", "description": "Part one.", "constraints": {"required": True}},
        {"name": "b", "type": "integer", "description": "Part two.", "constraints": {"required": True}}]}
    children = {"description": "Children.", "primaryKey": ["id"], "fields": [
        {"name": "id", "type": "string", "description": "Key.", "constraints": {"required": True}},
        {"name": "a", "type": "string", "description": "Parent, part one."},
        {"name": "b", "type": "integer", "description": "Parent, part two."},
        {"name": "older_id", "type": "string", "description": "Another child."}],
        "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "parents", "fields": ["a", "b"]}},
                        {"fields": ["older_id"], "reference": {"resource": "", "fields": ["id"]}}]}
    schemas = {"parents": parents, "children": children}
    tables = {"parents": pa.table({"a": ["x"], "b": [1]}),
              "children": pa.table({"id": ["c1"], "a": ["x"], "b": [1], "older_id": [None]})}
    path = tmp_path / "pairs.sqlite"
    path.write_bytes(to_sqlite(tables, schemas, {}, {"name": "pairs"}))
    broken(path, "INSERT INTO children VALUES ('c3', 'y', 2, 'c0')")
    assert sorted(p for p in sqlite_problems(path, tables, schemas) if "has no row" in p) == [
        "children (id='c3'): a, b ('y', 2) has no row in parents (a, b)",
        "children (id='c3'): older_id 'c0' has no row in children (id)"]


# The check line of `tstalks validate`


def lines(folder: Path) -> dict[str, tuple[str, str]]:
    return {what: (status, detail) for status, what, detail in validate_package(folder).lines()}


def rehash(folder: Path) -> None:
    """Make the CSV descriptor record the SQLite file as it now is (so that only the SQLite check can see it)."""
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    for r in descriptor["resources"]:
        if r.get("format") == "sqlite":
            raw = (folder / r["path"]).read_bytes()
            r["bytes"], r["hash"] = len(raw), "sha256:" + hashlib.sha256(raw).hexdigest()
    path.write_text(json.dumps(descriptor, indent=2), "utf-8")


def test_validate_reports_the_sqlite_check_as_its_own_line(root):
    status, detail = lines(root)[SQLITE_CHECK]
    assert status == "ok", detail
    assert detail.startswith(f"{len(PUBLISHED)} tables")


def test_validate_fails_a_sqlite_file_whose_cell_differs_from_the_csv_and_names_it(tmp_path):
    package = copy_project(tmp_path / "copy")
    first = query(package / RELATIVE, "SELECT quote_id, note FROM quotes ORDER BY quote_id LIMIT 1")[0]
    broken(package / RELATIVE, f"UPDATE quotes SET note = 'x' WHERE quote_id = {first[0]!r}")
    rehash(package)
    report = validate_package(package)
    found = {what: (status, detail) for status, what, detail in report.lines()}
    assert found[SQLITE_CHECK] == ("fail", f"quotes (quote_id={first[0]!r}): note: CSV {first[1]!r}, SQLite 'x'")
    assert [what for status, what, _ in report.lines() if status == "fail"] == [SQLITE_CHECK]


def test_validate_fails_a_sqlite_file_with_a_dangling_key(tmp_path):
    package = copy_project(tmp_path / "copy")
    broken(package / RELATIVE, "UPDATE quotes SET statement_id = 'no-such-statement' "
                               "WHERE quote_id = (SELECT min(quote_id) FROM quotes)")
    rehash(package)
    status, detail = lines(package)[SQLITE_CHECK]
    assert status == "fail"
    assert "statement_id 'no-such-statement' has no row in statements (statement_id)" in detail


def test_validate_fails_a_sqlite_file_that_is_not_sqlite_once_and_says_so(tmp_path):
    package = copy_project(tmp_path / "copy")
    (package / RELATIVE).write_text("event_id,title\n", "utf-8")
    rehash(package)
    status, detail = lines(package)[SQLITE_CHECK]
    assert status == "fail" and detail.startswith(RELATIVE), detail
    assert "Traceback" not in detail


def test_validate_skips_the_sqlite_check_where_the_descriptor_lists_no_sqlite_file(tmp_path):
    package = copy_project(tmp_path / "copy")
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r.get("format") != "sqlite"]
    path.write_text(json.dumps(descriptor, indent=2), "utf-8")
    report = validate_package(package)
    assert report.valid, report.failures()
    assert lines(package)[SQLITE_CHECK] == ("skip", "datapackage.json lists no SQLite file (a resource of format sqlite)")


def test_a_sqlite_resource_whose_path_leaves_the_package_is_refused_unread(tmp_path):
    package = copy_project(tmp_path / "copy")
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    for r in descriptor["resources"]:
        if r.get("format") == "sqlite":
            r["path"] = "../elsewhere.sqlite"
    path.write_text(json.dumps(descriptor, indent=2), "utf-8")
    (tmp_path / "elsewhere.sqlite").write_bytes(EXPORTED)
    found = lines(package)
    assert found["resource paths: relative, inside the package, regular files"][0] == "fail"
    assert found[SQLITE_CHECK][0] == "skip" and "refused above" in found[SQLITE_CHECK][1]


def test_a_table_without_a_table_schema_is_still_refused(tmp_path):
    """Only a resource of a non-tabular format (sqlite) may come without a Table Schema."""
    package = copy_project(tmp_path / "copy")
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    del descriptor["resources"][0]["schema"]
    path.write_text(json.dumps(descriptor, indent=2), "utf-8")
    report = validate_package(package)
    assert not report.valid
    assert any("has no Table Schema" in f for f in report.failures()), report.failures()


_KEYS = st.lists(st.text("ab\u00e9\u0436Z 9", max_size=4), unique=True, max_size=30)


@given(_KEYS, st.booleans(), st.integers(1, 4))
def test_rows_come_in_key_order_whether_or_not_the_table_was_sorted(keys, presorted, chunks):
    """The comparison reads SQLite rows in key order, so the CSV side must be in the same order: a table already
    in order is used as it is, any other is sorted (by bytes, as SQLite orders TEXT)."""
    keys = sorted(keys) if presorted else keys
    cut = max(1, len(keys) // chunks)
    table = pa.Table.from_batches([pa.record_batch({"k": keys[i:i + cut], "v": list(range(i, min(i + cut, len(keys))))})
                                   for i in range(0, len(keys), cut)] or [pa.record_batch({"k": pa.array([], pa.string()),
                                                                                         "v": pa.array([], pa.int64())})])
    schema = {"fields": [{"name": "k"}, {"name": "v"}], "primaryKey": ["k"]}
    ordered = in_key_order(table, schema)
    assert ordered.column("k").to_pylist() == sorted(keys, key=lambda s: s.encode("utf-8"))
    assert dict(zip(ordered.column("k").to_pylist(), ordered.column("v").to_pylist(), strict=True)) == \
        dict(zip(table.column("k").to_pylist(), table.column("v").to_pylist(), strict=True))
