"""The package read with the rOpenSci `frictionless` R package, as the README shows, run with Rscript.

What a user gets from `read_resource()`: every table with all its rows; dates as `Date`; coded columns
(those with a `codelist`) as factors whose levels are that codelist's codes, in its order; other
integers as doubles, as that package documents; text as `character`; and every cell equal to the CSV's.
Expectations come from the descriptor and `schemas/codelists/`, never from R's own output.
Skips (saying why) only where Rscript or the R package is absent; .ci/install-r installs both.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT

CODELISTS = ROOT / "schemas" / "codelists"
RSCRIPT = shutil.which("Rscript")
INSTALL = "run .ci/install-r (installs frictionless 1.2.1 from ../shared/vendor/r-frictionless/)"


def _has_frictionless() -> bool:
    if RSCRIPT is None:
        return False
    done = subprocess.run([RSCRIPT, "-e", "quit(status = !requireNamespace('frictionless', quietly = TRUE))"],
                          capture_output=True, timeout=60)
    return done.returncode == 0


pytestmark = [
    pytest.mark.skipif(RSCRIPT is None, reason=f"Rscript not found: {INSTALL}"),
    pytest.mark.skipif(not _has_frictionless(), reason=f"the R package frictionless is not installed: {INSTALL}"),
]

# For each table: rows, and for each column its class, typeof, factor levels, and values (dates as
# ISO text, factors as their labels, NA as null). Warnings are kept: readr reports a cell it could not
# parse (such as a code missing from a factor's levels) as a warning and reads it as NA.
REPORT = r"""
library(frictionless)
args <- commandArgs(trailingOnly = TRUE)
package <- read_package(args[[1]])
column <- function(col) list(
  class = class(col)[[1]], typeof = typeof(col), levels = levels(col),
  values = if (inherits(col, "Date")) format(col, "%Y-%m-%d") else if (is.factor(col)) as.character(col) else col)
tables <- Filter(function(r) !is.null(r$schema), package$resources)  # not the SQLite file, which has no Table Schema
report <- lapply(setNames(nm = vapply(tables, function(r) r$name, "")), function(name) {
  warnings <- character()
  table <- withCallingHandlers(read_resource(package, name), warning = function(w) {
    warnings <<- c(warnings, conditionMessage(w)); invokeRestart("muffleWarning")})
  list(rows = nrow(table), warnings = warnings, columns = lapply(table, column))
})
cat(jsonlite::toJSON(report, auto_unbox = FALSE, na = "null", digits = NA, null = "null"))
"""

# The class `read_resource()` gives an uncoded field of each Table Schema type (frictionless 1.2.1, R/collectors.R).
R_CLASS = {"string": ("character", "character"), "integer": ("numeric", "double"),
           "number": ("numeric", "double"), "boolean": ("logical", "logical"), "date": ("Date", "double")}


def read_with_r(descriptor: Path) -> dict:
    assert RSCRIPT is not None
    done = subprocess.run([RSCRIPT, "-e", REPORT, str(descriptor)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"Rscript failed reading {descriptor} with frictionless:\n{done.stderr}"
    return json.loads(done.stdout)


def codelist_codes(name: str) -> list[str]:
    with (CODELISTS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return [row["code"] for row in csv.DictReader(f)]


def csv_rows(descriptor: Path, resource: dict) -> list[dict[str, str]]:
    with (descriptor.parent / resource["path"]).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def is_coded(field: dict) -> bool:
    return "codelist" in field or bool(field.get("constraints", {}).get("enum"))


def type_problems(resource: dict, table: dict) -> list[str]:
    """Each column whose R class, storage or levels differ from what its field promises, as `table.column: ...`."""
    columns = table["columns"]
    names = [f["name"] for f in resource["schema"]["fields"]]
    if list(columns) != names:
        return [f"{resource['name']}: R columns {list(columns)} are not the schema's fields {names}"]
    problems = []
    for field in resource["schema"]["fields"]:
        got, where = columns[field["name"]], f"{resource['name']}.{field['name']}"
        if is_coded(field):
            problems += level_problems(field, got, where)
        elif field["type"] not in R_CLASS:
            problems.append(f"{where}: no expectation for type {field['type']!r}; add it to R_CLASS")
        elif (got["class"][0], got["typeof"][0]) != R_CLASS[field["type"]]:
            problems.append(f"{where}: {field['type']} read as {got['class'][0]} ({got['typeof'][0]}), "
                            f"expected {R_CLASS[field['type']]}")
    return problems


def level_problems(field: dict, got: dict, where: str) -> list[str]:
    if got["class"][0] != "factor":
        return [f"{where}: coded column read as {got['class'][0]}, expected a factor"]
    if "codelist" not in field:
        return [f"{where}: has an enum but no codelist property"]
    codes, enum = codelist_codes(field["codelist"]), [str(c) for c in field["constraints"].get("enum", [])]
    problems = []
    if got["levels"] != codes:
        problems.append(f"{where}: levels {got['levels']} are not the codes of codelist {field['codelist']} {codes}")
    if enum != codes:
        problems.append(f"{where}: the descriptor's enum {enum} is not codelist {field['codelist']} {codes}")
    return problems


def expected_cell(field: dict, cell: str) -> object:
    """The value a cell should have in R, from its CSV text: codes as text, other numbers as numbers."""
    if cell == "":
        return None
    if is_coded(field) or field["type"] in ("string", "date"):
        return cell
    if field["type"] == "integer":
        return int(cell)
    if field["type"] == "number":
        return float(cell)
    return {"true": True, "false": False}.get(cell, cell)


def cell_problems(descriptor: Path, resource: dict, table: dict) -> list[str]:
    """The first cell of each column that R read differently from the CSV, as `table.column: ...`."""
    rows = csv_rows(descriptor, resource)
    problems = []
    for field in resource["schema"]["fields"]:
        values = table["columns"][field["name"]]["values"]
        if len(values) != len(rows):
            return [f"{resource['name']}: R read {len(values)} rows, {resource['path']} has {len(rows)}"]
        for line, (row, value) in enumerate(zip(rows, values, strict=True), start=2):
            if value != expected_cell(field, row[field["name"]]):
                problems.append(f"{resource['name']}.{field['name']}: line {line} of {resource['path']} is "
                                f"{row[field['name']]!r}, R read {value!r}")
                break
    return problems


DESCRIPTOR = ROOT / "datapackage.json"
RESOURCES = [r for r in json.loads(DESCRIPTOR.read_text("utf-8"))["resources"] if "schema" in r]  # the tables
NAMES = [r["name"] for r in RESOURCES]


@pytest.fixture(scope="module")
def r_tables() -> dict:
    return read_with_r(DESCRIPTOR)


def test_r_frictionless_reads_every_table_of_the_package(r_tables):
    assert sorted(r_tables) == sorted(NAMES)


@pytest.mark.parametrize("resource", RESOURCES, ids=NAMES)
def test_r_frictionless_reads_every_row(r_tables, resource):
    assert r_tables[resource["name"]]["rows"] == [len(csv_rows(DESCRIPTOR, resource))]


@pytest.mark.parametrize("resource", RESOURCES, ids=NAMES)
def test_r_frictionless_reads_without_a_parsing_warning(r_tables, resource):
    assert r_tables[resource["name"]]["warnings"] == []


@pytest.mark.parametrize("resource", RESOURCES, ids=NAMES)
def test_r_frictionless_gives_dates_codes_integers_and_text_their_documented_types(r_tables, resource):
    assert type_problems(resource, r_tables[resource["name"]]) == []


@pytest.mark.parametrize("resource", RESOURCES, ids=NAMES)
def test_r_frictionless_reads_every_cell_as_in_the_csv(r_tables, resource):
    assert cell_problems(DESCRIPTOR, resource, r_tables[resource["name"]]) == []


def test_the_package_has_each_kind_of_column_these_tests_check():
    fields = [f for r in RESOURCES for f in r["schema"]["fields"]]
    assert any(f["type"] == "date" for f in fields)
    assert any("codelist" in f and f["type"] == "string" for f in fields)
    assert any("codelist" in f and f["type"] == "integer" for f in fields)
    assert any(f["type"] == "integer" and not is_coded(f) for f in fields)
    assert any(f["type"] == "string" and not is_coded(f) for f in fields)


def test_a_code_missing_from_the_descriptor_is_reported_as_a_wrong_level_and_a_lost_cell(tmp_path):
    # Break exactly one thing in a copy: drop, from events.event_level's enum, the code its first row uses.
    shutil.copytree(ROOT / "data" / "csv", tmp_path / "data" / "csv")
    package = json.loads(DESCRIPTOR.read_text("utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    field = next(f for f in events["schema"]["fields"] if f["name"] == "event_level")
    used = next(row["event_level"] for row in csv_rows(DESCRIPTOR, events) if row["event_level"])
    field["constraints"]["enum"].remove(used)
    (tmp_path / "datapackage.json").write_text(json.dumps(package), "utf-8")
    table = read_with_r(tmp_path / "datapackage.json")["events"]
    assert [p.split(":")[0] for p in type_problems(events, table)] == ["events.event_level"] * 2
    lost = cell_problems(tmp_path / "datapackage.json", events, table)
    assert [p.split(":")[0] for p in lost] == ["events.event_level"]
    assert table["warnings"], "readr should warn about the cell it could not read as a level"
