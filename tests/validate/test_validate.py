"""`tstalks validate` on a copy of the committed package, broken in ways only the later checks can see: each
resource read once and hashed from those bytes, spans against non-ASCII seeds, seeds changed on disk."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support import ROOT, copy_project
from tstalks.core import PARQUET_DESCRIPTOR
from tstalks.core.problems import shown
from tstalks.validate import validate_package

SPANS = "spans equal their seed text"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "copy")


def _rehash(folder: Path) -> None:
    """Make both descriptors record the files as they now are (as a careful forger would)."""
    for rel in ("datapackage.json", PARQUET_DESCRIPTOR):
        path = folder / rel
        descriptor = json.loads(path.read_text("utf-8"))
        for r in descriptor["resources"]:
            raw = (path.parent / r["path"]).read_bytes()
            r["bytes"], r["hash"] = len(raw), "sha256:" + hashlib.sha256(raw).hexdigest()
        path.write_text(json.dumps(descriptor, indent=2), "utf-8")


def _set(folder: Path, table: str, row: int, column: str, value) -> None:
    """Set one cell in both the CSV and the Parquet file of `table`, then rehash."""
    path = folder / "data" / "csv" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    rows[1 + row][rows[0].index(column)] = str(value)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8", newline="")
    ppath = folder / "data" / "parquet" / f"{table}.parquet"
    t = pq.read_table(ppath)
    values = t.column(column).to_pylist()
    values[row] = value
    t = t.set_column(t.column_names.index(column), t.schema.field(column), pa.array(values, t.schema.field(column).type))
    pq.write_table(t, ppath)
    _set_in_sqlite(folder, table, t.slice(row, 1).to_pylist()[0], column, value)
    _rehash(folder)


def _set_in_sqlite(folder: Path, table: str, row: dict, column: str, value) -> None:
    """The same cell in the SQLite file, so that the three formats still agree (as a careful forger would)."""
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    key = next(r["schema"]["primaryKey"] for r in descriptor["resources"] if r["name"] == table)
    path = next(folder / r["path"] for r in descriptor["resources"] if r.get("format") == "sqlite")
    con = sqlite3.connect(path)
    con.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE ' + " AND ".join(f'"{k}" = ?' for k in key),
                [value, *(row[k] for k in key)])
    con.commit()
    con.close()


def _non_ascii_quote(folder: Path) -> tuple[int, str, int, int]:
    """(row, text, start, end) of a quote whose seed has non-ASCII text before or in it."""
    quotes = pq.read_table(folder / "data" / "parquet" / "quotes.parquet").to_pylist()
    articles = {a["article_id"]: a for a in pq.read_table(folder / "data" / "parquet" / "articles.parquet").to_pylist()}
    for i, q in enumerate(quotes):
        seed = (folder / "seeds" / "articles" / articles[q["article_id"]]["seed_file"]).read_text("utf-8")
        if not seed[: q["span_end"]].isascii() and any(c.isalpha() for c in q["quote_text"]):
            return i, q["quote_text"], q["span_start"], q["span_end"]
    raise AssertionError("the committed package has no quote after non-ASCII text")


def _check(report, what: str):
    return next((ok, detail) for name, ok, detail in report.checks if name == what)


def test_the_copy_is_valid_and_each_resource_file_is_read_once(package, monkeypatch):
    from tstalks.validate import files as validate_files

    reads = Counter()
    real_mapped, real_read_bytes = validate_files.mapped, Path.read_bytes

    def mapped(path: Path):
        reads[path.resolve()] += 1
        return real_mapped(path)

    def read_bytes(self: Path) -> bytes:
        reads[self.resolve()] += 1
        return real_read_bytes(self)

    monkeypatch.setattr(validate_files, "mapped", mapped)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = validate_package(package)
    assert report.valid, report.failures()
    files = [package / "data" / d / f.name for d in ("csv", "parquet") for f in (ROOT / "data" / d).iterdir() if f.suffix != ".json"]
    assert len(files) == 22 and all(reads[f.resolve()] == 1 for f in files), reads


def test_a_changed_parquet_byte_fails_the_hash_check(package):
    path = package / "data" / "parquet" / "quotes.parquet"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    report = validate_package(package)
    ok, detail = _check(report, "resource bytes and hashes")
    recorded = next(r["hash"] for r in json.loads((package / PARQUET_DESCRIPTOR).read_text("utf-8"))["resources"]
                    if r["name"] == "quotes").removeprefix("sha256:")
    assert not ok and detail == (f"data/parquet/quotes.parquet has sha256 {hashlib.sha256(bytes(raw)).hexdigest()}, "
                                 f"its descriptor says {recorded}")


def test_one_changed_character_of_a_quote_in_a_non_ascii_seed_fails_only_the_span_check(package):
    row, text, start, end = _non_ascii_quote(package)
    i = next(i for i, c in enumerate(text) if c.isalpha())
    changed = text[:i] + ("x" if text[i] != "x" else "y") + text[i + 1:]
    _set(package, "quotes", row, "quote_text", changed)
    quote = pq.read_table(package / "data" / "parquet" / "quotes.parquet").to_pylist()[row]
    seed = next(a["seed_file"] for a in pq.read_table(package / "data" / "parquet" / "articles.parquet").to_pylist()
                if a["article_id"] == quote["article_id"])
    report = validate_package(package)
    assert report.failures() == [f"{SPANS}: quotes row {row + 2} (quote_id '{quote['quote_id']}'): quote_text {shown(changed, quote=True)} "
                                 f"is not the text of seed '{seed}' at [{start}, {end}); the seed has {shown(text, quote=True)} there"]


@pytest.mark.parametrize("column,delta", [("span_start", 1), ("span_start", -1), ("span_end", 1), ("span_end", -1)])
def test_an_off_by_one_span_fails_the_span_check(package, column, delta):
    row, _, start, end = _non_ascii_quote(package)
    _set(package, "quotes", row, column, (start if column == "span_start" else end) + delta)
    assert not _check(validate_package(package), SPANS)[0]


def test_a_changed_seed_byte_is_reported_as_a_changed_seed(package):
    seed = sorted((package / "seeds" / "articles").iterdir())[-1]
    raw = bytearray(seed.read_bytes())
    raw[10] ^= 1
    seed.write_bytes(bytes(raw))
    article = next(a["article_id"] for a in pq.read_table(package / "data" / "parquet" / "articles.parquet").to_pylist()
                   if a["seed_file"] == seed.name)
    ok, detail = _check(validate_package(package), SPANS)
    assert not ok and detail.startswith(f"article '{article}': seed '{seed.name}' has SHA-256 {hashlib.sha256(bytes(raw)).hexdigest()}, "
                                        "but the articles table records")


def test_validate_imports_neither_pandas_nor_the_frictionless_stack():
    code = ("import sys; from tstalks.cli import main\n"
            "try:\n    main(['validate', sys.argv[1]])\nexcept SystemExit as exit:\n    code = exit.code\n"
            "print(code, sorted(m for m in ('pandas', 'frictionless', 'matplotlib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"})
    assert run.stdout.strip().splitlines()[-1] == "0 []", run.stdout + run.stderr


def test_pandas_imported_after_a_validation_still_works_with_pyarrow():
    code = ("import sys; from tstalks.validate import skip_pandas; skip_pandas(); import pyarrow as pa, pandas as pd\n"
            "print(pa.array(pd.Series(['a', None])).to_pylist(), pa.Table.from_pandas(pd.DataFrame({'x': [1]})).num_rows)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"})
    assert run.stdout.strip() == "['a', None] 1", run.stdout + run.stderr


def test_a_parquet_file_that_is_not_parquet_fails_parity_with_a_message(package):
    (package / "data" / "parquet" / "events.parquet").write_bytes(b"not parquet at all")
    _rehash(package)
    report = validate_package(package)
    assert report.failures() == [f"Schema checks: {PARQUET_DESCRIPTOR}: events resource: source-error: "
                                 "not a Parquet file (Parquet magic bytes not found)"]


def test_a_parquet_cell_that_differs_from_the_csv_fails_parity(package):
    t = pq.read_table(package / "data" / "parquet" / "quotes.parquet")
    modes = t.column("quote_mode").to_pylist()
    modes[-1] = "direct" if modes[-1] != "direct" else "paraphrase"
    before = t.column("quote_mode").to_pylist()[-1]
    pq.write_table(t.set_column(t.column_names.index("quote_mode"), t.schema.field("quote_mode"), pa.array(modes)),
                   package / "data" / "parquet" / "quotes.parquet")
    _rehash(package)
    assert validate_package(package).failures() == [
        f"CSV and Parquet hold identical rows and types: data/parquet/quotes.parquet row {t.num_rows + 1} "
        f"(quote_id '{t.column('quote_id')[-1].as_py()}') quote_mode: the CSV has '{before}', the Parquet '{modes[-1]}'"]


def test_a_package_lacking_a_span_table_says_so_and_the_seed_reader_stops(package, monkeypatch):
    """The seeds are read from the moment the articles are typed; if the span check can never start, the
    validation still ends, naming what is missing, and leaves no reader waiting."""
    import threading

    from tstalks.validate import seedcheck

    monkeypatch.setattr(seedcheck, "BATCH", 1)  # one seed a batch, one batch ahead: the reader must be told to stop
    monkeypatch.setattr(seedcheck, "AHEAD", 1)

    descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "discrepancy_values"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    before = threading.active_count()
    report = validate_package(package)
    assert ("fail", "both descriptors list the same tables, with the same Table Schemas",
            f"datapackage.json lacks discrepancy_values, which {PARQUET_DESCRIPTOR} lists") in report.lines()
    assert ("skip", SPANS, "not checked: discrepancy_values failed above") in report.lines()  # one cause, one finding
    assert threading.active_count() == before
