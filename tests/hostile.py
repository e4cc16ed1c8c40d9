"""Broken and hostile copies of the published package, one thing broken in each, and what `tstalks validate`
must say about each: the cases of tests/validate/test_hostile.py, also run against stock `frictionless
validate` by benchmarks/reliability.py for docs/reliability.md.

Each case copies the package (descriptors, data/, seeds/, schemas/), breaks one thing, names the location to
validate and the finding lines the output must hold, word for word. Expected findings are written from the
rules (the resource, its path or row and key, the field, the value), not copied from the program's output;
where a value comes from the data (a hash, a key), the case computes it from the files."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
PARQUET = "data/parquet/datapackage.json"
SAFE_PATHS = "resource paths: relative, inside the package, regular files"


@dataclass(frozen=True)
class Case:
    name: str  # what is broken, in a few words (the table of docs/reliability.md)
    breaks: Callable[[Path], tuple[str, list[str]]]  # breaks a copy; (location to validate, relative to it; lines)
    needs: str = ""  # "fifo", "passwd": what the machine must have

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def package_copy(into: Path, parts: tuple[str, ...] = ("schemas", "seeds", "data", "datapackage.json")) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for part in parts:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, into / part)
    return into


def descriptor(folder: Path, rel: str = "datapackage.json") -> dict:
    return json.loads((folder / rel).read_text("utf-8"))


def save(folder: Path, data: dict, rel: str = "datapackage.json") -> None:
    (folder / rel).write_text(json.dumps(data, indent=2) + "\n", "utf-8")


def rehash(folder: Path) -> None:
    """Both descriptors record the files as they now are (as a careful forger would)."""
    for rel in ("datapackage.json", PARQUET):
        d = descriptor(folder, rel)
        for r in d["resources"]:
            raw = ((folder / rel).parent / r["path"]).read_bytes()
            r["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
            if "bytes" in r:
                r["bytes"] = len(raw)
        save(folder, d, rel)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """One CSV cell (row 0 = the first data row), hashes updated: only the schema checks can tell."""
    path = folder / "data" / "csv" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    rows[1 + row][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8", newline="")
    rehash(folder)


def cell(folder: Path, table: str, row: int, column: str) -> str:
    return pq.read_table(folder / "data" / "parquet" / f"{table}.parquet").column(column)[row].as_py()


def set_path(folder: Path, table: str, path: str, rel: str = "datapackage.json") -> None:
    d = descriptor(folder, rel)
    next(r for r in d["resources"] if r["name"] == table)["path"] = path
    save(folder, d, rel)


def _unsafe(path: str, why: str, table: str = "quotes") -> Callable[[Path], tuple[str, list[str]]]:
    def breaks(folder: Path) -> tuple[str, list[str]]:
        set_path(folder, table, path)
        return ".", [f"FAIL {SAFE_PATHS}: {table} (datapackage.json): path '{path}' {why}"]
    return breaks


# --- what the descriptors say -----------------------------------------------------------------------------------------

def parquet_points_at_another_table(folder: Path) -> tuple[str, list[str]]:
    set_path(folder, "quotes", "events.parquet", PARQUET)
    rehash(folder)
    header = ", ".join(pq.read_schema(folder / "data/parquet/events.parquet").names)
    quotes = next(r for r in descriptor(folder)["resources"] if r["name"] == "quotes")
    names = ", ".join(f["name"] for f in quotes["schema"]["fields"])
    return ".", [f"FAIL Schema checks: {PARQUET}: quotes header: incorrect-label: the header ({_cut(header)}) has 1 of the "
                 f"Table Schema's 9 labels ({_cut(names)}): is it the file of another table?",
                 "ok   CSV and Parquet hold identical rows and types: 10 tables (quotes not compared: failed above)"]


def parquet_lacks_a_table(folder: Path) -> tuple[str, list[str]]:
    d = descriptor(folder, PARQUET)
    d["resources"] = [r for r in d["resources"] if r["name"] != "quotes"]
    save(folder, d, PARQUET)
    return ".", [f"FAIL both descriptors list the same tables, with the same Table Schemas: {PARQUET} lacks quotes, which "
                 "datapackage.json lists"]


def both_lack_a_table_of_the_schemas(folder: Path) -> tuple[str, list[str]]:
    for rel in ("datapackage.json", PARQUET):
        d = descriptor(folder, rel)
        d["resources"] = [r for r in d["resources"] if r["name"] != "quotes"]
        save(folder, d, rel)
    return ".", ["FAIL the tables of schemas/, with their Table Schemas: datapackage.json lacks quotes, a table of "
                 "schemas/tables/",
                 "skip spans equal their seed text: not checked: quotes failed above"]


def no_resources_and_no_seeds(folder: Path) -> tuple[str, list[str]]:
    shutil.rmtree(folder / "seeds")
    for rel in ("datapackage.json", PARQUET):
        d = descriptor(folder, rel)
        d["resources"] = []
        save(folder, d, rel)
    return ".", ["FAIL descriptor datapackage.json: lists no resources (a data package has at least one)"]


def parquet_schema_differs(folder: Path) -> tuple[str, list[str]]:
    d = descriptor(folder, PARQUET)
    quotes = next(r for r in d["resources"] if r["name"] == "quotes")
    field = next(f for f in quotes["schema"]["fields"] if f["name"] == "quote_mode")
    del field["constraints"]["enum"]
    save(folder, d, PARQUET)
    return ".", ['FAIL both descriptors list the same tables, with the same Table Schemas: quotes: the Table Schemas differ '
                 '(at /fields/quote_mode/constraints/enum: ["direct", "paraphrase", "mixed"] against nothing)']


def a_schema_loosened_in_both_descriptors(folder: Path) -> tuple[str, list[str]]:
    for rel in ("datapackage.json", PARQUET):
        d = descriptor(folder, rel)
        quotes = next(r for r in d["resources"] if r["name"] == "quotes")
        next(f for f in quotes["schema"]["fields"] if f["name"] == "quote_id")["constraints"].pop("pattern")
        save(folder, d, rel)
    return ".", ["FAIL the tables of schemas/, with their Table Schemas: quotes in datapackage.json: not the Table Schema of "
                 "schemas/tables/quotes.json (at /fields/quote_id/constraints/pattern: "
                 '"^[a-z0-9]+(?:[-_][a-z0-9]+)*$" against nothing)']


def two_resources_with_one_name(folder: Path) -> tuple[str, list[str]]:
    d = descriptor(folder)
    d["resources"].append(dict(d["resources"][0]))
    save(folder, d)
    return ".", [f"FAIL descriptor datapackage.json: resources 1 and {len(d['resources'])} are both named 'articles'; "
                 "each resource needs its own name"]


def the_parquet_descriptor_named(folder: Path) -> tuple[str, list[str]]:
    return PARQUET, [f"ok   descriptor {PARQUET}: 11 resources", "valid"]


def another_descriptor_name(folder: Path) -> tuple[str, list[str]]:
    shutil.copy(folder / "datapackage.json", folder / "mine.json")
    return "mine.json", ["ok   descriptor mine.json: 12 resources (11 tables; sqlite, without a Table Schema)",
                         "skip CSV and Parquet hold identical rows and types: only mine.json given: no other format to "
                         "compare it with", "valid"]


def a_zip_of_the_package(folder: Path) -> tuple[str, list[str]]:
    with zipfile.ZipFile(folder / "package.zip", "w") as z:
        for path in sorted(p for part in ("datapackage.json", "data") for p in [folder / part, *(folder / part).rglob("*")]
                           if p.is_file()):
            z.write(path, f"turkey-syria-talks/{path.relative_to(folder).as_posix()}")
    return "package.zip", ["ok   descriptor datapackage.json: 12 resources (11 tables; sqlite, without a Table "
                           "Schema)", "skip spans equal their seed text: no seeds/articles/ beside this package", "valid"]


def a_zip_climbing_out(folder: Path) -> tuple[str, list[str]]:
    with zipfile.ZipFile(folder / "evil.zip", "w") as z:
        z.writestr("datapackage.json", "{}")
        z.writestr("../../outside.txt", "bad")
    return "evil.zip", ["FAIL package: evil.zip: member '../../outside.txt' is not safe: it climbs out of the package "
                        "folder with '..'"]


def not_a_zip(folder: Path) -> tuple[str, list[str]]:
    (folder / "fake.zip").write_text("not a zip", "utf-8")
    return "fake.zip", ["FAIL package: fake.zip is named .zip but is not a zip archive"]


def md5_hashes(folder: Path) -> tuple[str, list[str]]:
    d = descriptor(folder)
    first, second, third, fourth = d["resources"][:4]
    first["hash"] = "md5:" + hashlib.md5((folder / first["path"]).read_bytes()).hexdigest()
    real = hashlib.md5((folder / second["path"]).read_bytes()).hexdigest()
    second["hash"] = "md5:" + "0" * 32
    third["hash"] = "crc32:0123abcd"
    del fourth["hash"]
    save(folder, d)
    return ".", [f"FAIL resource bytes and hashes: {second['path']} has md5 {real}, its descriptor says {'0' * 32}",
                 f"       {third['path']}: hash algorithm 'crc32' is not one tstalks validate checks (md5, sha1, sha256, sha512)",
                 f"       {fourth['path']} has no hash to check"]


def a_matching_md5_hash(folder: Path) -> tuple[str, list[str]]:
    d = descriptor(folder)
    d["resources"][0]["hash"] = hashlib.md5((folder / d["resources"][0]["path"]).read_bytes()).hexdigest()
    save(folder, d)
    return ".", ["ok   resource bytes and hashes: all match (md5, sha256)", "valid"]


def no_schemas(folder: Path) -> tuple[str, list[str]]:
    shutil.rmtree(folder / "schemas")
    return ".", ["skip the tables of schemas/, with their Table Schemas: no schemas/ beside this package; the two "
                 "descriptors are held to each other instead",
                 "skip spans equal their seed text: no schemas/ beside seeds/ to say which tables hold spans", "valid"]


# --- staying inside the package ---------------------------------------------------------------------------------------

def link_to_dev_zero(folder: Path) -> tuple[str, list[str]]:
    target = folder / "data/csv/quotes.csv"
    target.unlink()
    target.symlink_to("/dev/zero")
    return ".", [f"FAIL {SAFE_PATHS}: quotes (datapackage.json): path 'data/csv/quotes.csv' is not safe: it leads outside "
                 "the package folder (through a symbolic link)"]


def a_fifo(folder: Path) -> tuple[str, list[str]]:
    target = folder / "data/csv/quotes.csv"
    target.unlink()
    os.mkfifo(target)
    return ".", [f"FAIL {SAFE_PATHS}: quotes (datapackage.json): path 'data/csv/quotes.csv' is a FIFO (named pipe), not a file",
                 "skip spans equal their seed text: not checked: quotes failed above"]


def a_directory(folder: Path) -> tuple[str, list[str]]:
    target = folder / "data/csv/quotes.csv"
    target.unlink()
    target.mkdir()
    return ".", [f"FAIL {SAFE_PATHS}: quotes (datapackage.json): path 'data/csv/quotes.csv' is a directory, not a file"]


def a_missing_file(folder: Path) -> tuple[str, list[str]]:
    (folder / "data/csv/quotes.csv").unlink()
    return ".", [f"FAIL {SAFE_PATHS}: quotes (datapackage.json): path 'data/csv/quotes.csv': no such file"]


def a_seed_linking_out(folder: Path) -> tuple[str, list[str]]:
    article = pq.read_table(folder / "data/parquet/articles.parquet").to_pylist()[1]
    seed = folder / "seeds/articles" / article["seed_file"]
    seed.unlink()
    seed.symlink_to("/etc/passwd")
    return ".", [f"FAIL spans equal their seed text: article '{article['article_id']}': seed '{article['seed_file']}' is a "
                 "symbolic link to a file outside the package; it is not read"]


# --- saying where -----------------------------------------------------------------------------------------------------

def a_dangling_foreign_key(folder: Path) -> tuple[str, list[str]]:
    set_cell(folder, "quotes", 2, "statement_id", "zz-no-such-id")
    return ".", [f"FAIL Schema checks: datapackage.json: quotes row 4 (quote_id '{cell(folder, 'quotes', 2, 'quote_id')}') "
                 "statement_id: foreign-key: 'zz-no-such-id' not found in statements.statement_id"]


def a_renamed_header_label(folder: Path) -> tuple[str, list[str]]:
    path = folder / "data/csv/events.csv"
    path.write_bytes(path.read_bytes().replace(b"event_id,", b"event_key,", 1))
    rehash(folder)
    return ".", ["FAIL Schema checks: datapackage.json: events header event_key: incorrect-label: column 1 is 'event_key', "
                 "where the Table Schema has 'event_id'"]  # and no "references events, which is not in the package"


def an_extra_and_a_duplicated_label(folder: Path) -> tuple[str, list[str]]:
    path = folder / "data/csv/participants.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    label = rows[0][1]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([[*rows[0], label, "extra"], *([*r, r[1], "x"] for r in rows[1:])])
    path.write_text(out.getvalue(), "utf-8", newline="")
    rehash(folder)
    n = len(rows[0]) + 2
    return ".", [f"FAIL Schema checks: datapackage.json: participants header {label}: duplicate-label: the header has "
                 f"'{label}' again in column {n - 1}",
                 f"       participants header extra: extra-label: column {n}, 'extra', is not a field of the Table Schema"]


def an_enum_value(folder: Path) -> tuple[str, list[str]]:
    set_cell(folder, "quotes", 2, "quote_mode", "directly")
    return ".", [f"FAIL Schema checks: datapackage.json: quotes row 4 (quote_id '{cell(folder, 'quotes', 2, 'quote_id')}') "
                 "quote_mode: constraint-error: 'directly' is not one of the enum's 3 values (direct, paraphrase, mixed)"]


def a_huge_value(folder: Path) -> tuple[str, list[str]]:
    set_cell(folder, "quotes", 2, "quote_mode", "x" * 1_000_000)
    return ".", [f"FAIL Schema checks: datapackage.json: quotes row 4 (quote_id '{cell(folder, 'quotes', 2, 'quote_id')}') "
                 f"quote_mode: constraint-error: '{'x' * 80}…' (1,000,000 characters) is not one of the enum's 3 values "
                 "(direct, paraphrase, mixed)"]


def a_span_that_differs(folder: Path) -> tuple[str, list[str]]:
    path = folder / "data/parquet/quotes.parquet"
    t = pq.read_table(path)
    q = t.slice(2, 1).to_pylist()[0]
    seed = next(a["seed_file"] for a in pq.read_table(folder / "data/parquet/articles.parquet").to_pylist()
                if a["article_id"] == q["article_id"])
    starts = t.column("span_start").to_pylist()
    starts[2] += 1  # in both formats, so that only the seed can tell
    pq.write_table(t.set_column(t.column_names.index("span_start"), t.schema.field("span_start"), pa.array(starts, pa.int64())),
                   path, store_schema=False)
    set_cell(folder, "quotes", 2, "span_start", str(starts[2]))
    text = (folder / "seeds/articles" / seed).read_text("utf-8")[starts[2]:q["span_end"]]
    return ".", [f"FAIL spans equal their seed text: quotes row 4 (quote_id '{q['quote_id']}'): quote_text "
                 f"{_quoted(q['quote_text'])} is not the text of seed '{seed}' at [{starts[2]}, {q['span_end']}); "
                 f"the seed has {_quoted(text)} there"]


def a_parquet_cell_that_differs(folder: Path) -> tuple[str, list[str]]:
    path = folder / "data/parquet/events.parquet"
    t = pq.read_table(path)
    titles = t.column("title").to_pylist()
    old, titles[3] = titles[3], titles[3] + " (edited)"
    pq.write_table(t.set_column(t.column_names.index("title"), t.schema.field("title"), pa.array(titles)), path,
                   store_schema=False)
    rehash(folder)
    return ".", [f"FAIL CSV and Parquet hold identical rows and types: data/parquet/events.parquet row 5 (event_id "
                 f"'{t.column('event_id')[3].as_py()}') title: the CSV has {_quoted(old)}, the Parquet {_quoted(titles[3])}"]


def a_file_that_is_not_parquet(folder: Path) -> tuple[str, list[str]]:
    (folder / "data/parquet/events.parquet").write_bytes(b"not parquet at all")
    rehash(folder)
    return ".", [f"FAIL Schema checks: {PARQUET}: events resource: source-error: not a Parquet file (Parquet magic bytes "
                 "not found)"]


def _cut(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:80]}… ({len(text):,} characters)"


def _quoted(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{repr(text[:80])[:-1]}…{repr(text[:80])[-1]} ({len(text):,} characters)"


CASES = [
    Case("the Parquet descriptor's quotes points at events.parquet (hash updated)", parquet_points_at_another_table),
    Case("the Parquet descriptor lacks quotes", parquet_lacks_a_table),
    Case("both descriptors lack quotes, a table of schemas/", both_lack_a_table_of_the_schemas),
    Case('"resources": [] in both descriptors, no seeds', no_resources_and_no_seeds),
    Case("the Parquet descriptor's quotes has another Table Schema", parquet_schema_differs),
    Case("both descriptors drop a constraint of schemas/", a_schema_loosened_in_both_descriptors),
    Case("two resources with one name", two_resources_with_one_name),
    Case("the Parquet descriptor is given", the_parquet_descriptor_named),
    Case("a descriptor of another name is given", another_descriptor_name),
    Case("a zip of the package is given", a_zip_of_the_package),
    Case("a zip with a member ../../outside.txt", a_zip_climbing_out),
    Case("a file named .zip that is not a zip", not_a_zip),
    Case("md5 hashes, one wrong, a crc32 one and a missing one", md5_hashes),
    Case("a matching md5 hash without a prefix", a_matching_md5_hash),
    Case("a copy without schemas/", no_schemas),
    Case("a resource path ../../../../etc/passwd", _unsafe("../../../../etc/passwd", "is not safe: it climbs out of the package "
                                                           "folder with '..'")),
    Case("a resource path /etc/passwd", _unsafe("/etc/passwd", "is not safe: it is absolute (a resource path is relative "
                                                "to the descriptor)")),
    Case("a resource path /dev/zero", _unsafe("/dev/zero", "is not safe: it is absolute (a resource path is relative to "
                                              "the descriptor)")),
    Case("a resource path file:///etc/passwd", _unsafe("file:///etc/passwd", "is not safe: it is a file:// URL (a resource "
                                                       "path is relative to the descriptor)")),
    Case("a resource path ~/quotes.csv", _unsafe("~/quotes.csv", "is not safe: it starts with '~'")),
    Case("a resource path $HOME/quotes.csv", _unsafe("$HOME/quotes.csv", "is not safe: it holds an environment variable")),
    Case("a resource file that is a link to /dev/zero", link_to_dev_zero),
    Case("a resource file that is a FIFO", a_fifo, needs="fifo"),
    Case("a resource file that is a directory", a_directory),
    Case("a resource file that is missing", a_missing_file),
    Case("a seed that is a link to /etc/passwd", a_seed_linking_out, needs="passwd"),
    Case("a dangling foreign key (hash updated)", a_dangling_foreign_key),
    Case("a renamed header label (hash updated)", a_renamed_header_label),
    Case("a duplicated and an extra header label (hash updated)", an_extra_and_a_duplicated_label),
    Case("a value not in its enum (hash updated)", an_enum_value),
    Case("a 1 MB value not in its enum (hash updated)", a_huge_value),
    Case("a span shifted by one in both formats (hashes updated)", a_span_that_differs),
    Case("a Parquet cell that differs from the CSV (hash updated)", a_parquet_cell_that_differs),
    Case("a Parquet file that is not Parquet (hash updated)", a_file_that_is_not_parquet),
]
