"""scripts/load_package.R, run with Rscript: every table loads with its schema's row count and types,
and foreign keys join. Skips (saying why) only where Rscript is absent; .ci/install-r installs it."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from support import ROOT

RSCRIPT = shutil.which("Rscript")
pytestmark = pytest.mark.skipif(RSCRIPT is None, reason="Rscript not found: run .ci/install-r (R with readr and jsonlite)")
R_CLASS = {"integer": "integer", "number": "numeric", "boolean": "logical", "date": "Date"}

REPORT = r"""
source("scripts/load_package.R")
tables <- load_package(Sys.getenv("TSTALKS_DESCRIPTOR"))
report <- lapply(tables, function(t) list(
  rows = nrow(t),
  classes = lapply(t, function(col) class(col)[[1]]),
  levels = lapply(Filter(is.factor, t), levels)))
joined <- merge(tables$quotes, tables$statements, by = "statement_id")
report[["_join"]] <- list(quote_id = as.character(joined$quote_id), speaker_id = as.character(joined$speaker_id))
cat(jsonlite::toJSON(report, auto_unbox = TRUE))
"""


def run_r(descriptor: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RSCRIPT, "-e", REPORT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TSTALKS_DESCRIPTOR": str(descriptor)})


@pytest.fixture(scope="module")
def r_report() -> dict:
    done = run_r(ROOT / "datapackage.json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def resources() -> list[dict]:
    return [r for r in json.loads((ROOT / "datapackage.json").read_text("utf-8"))["resources"] if "schema" in r]


def test_r_loads_every_table_with_all_its_rows(r_report, resources):
    for r in resources:
        expected = pacsv.read_csv(ROOT / r["path"]).num_rows
        assert r_report[r["name"]]["rows"] == expected, r["name"]


def test_r_gives_each_column_the_type_of_its_schema(r_report, resources):
    for r in resources:
        classes = r_report[r["name"]]["classes"]
        assert list(classes) == [f["name"] for f in r["schema"]["fields"]], r["name"]
        for f in r["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            expected = R_CLASS.get(f["type"]) or ("factor" if enum else "character")
            assert classes[f["name"]] == expected, f"{r['name']}.{f['name']}"
            if f["type"] == "string" and enum:
                assert r_report[r["name"]]["levels"][f["name"]] == enum, f"{r['name']}.{f['name']} levels"


def test_r_joins_every_quote_to_its_statement_and_speaker(r_report):
    quotes = pq.read_table(ROOT / "data/parquet/quotes.parquet").to_pandas()
    statements = pq.read_table(ROOT / "data/parquet/statements.parquet").to_pandas()
    expected = quotes.merge(statements, on="statement_id")
    join = r_report["_join"]
    quote_ids = join["quote_id"] if isinstance(join["quote_id"], list) else [join["quote_id"]]
    speakers = join["speaker_id"] if isinstance(join["speaker_id"], list) else [join["speaker_id"]]
    assert len(quote_ids) == len(quotes), "a quote found no statement in R"
    assert sorted(zip(quote_ids, speakers, strict=True)) == sorted(zip(expected["quote_id"], expected["speaker_id"], strict=True))


def test_r_refuses_a_cell_that_is_not_of_its_schema_type(tmp_path):
    copy = tmp_path / "package"
    shutil.copytree(ROOT / "data" / "csv", copy / "data" / "csv")
    shutil.copy(ROOT / "datapackage.json", copy / "datapackage.json")
    path = copy / "data/csv/articles.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"), newline="")))
    assert rows, "needs at least one article row"
    rows[0]["word_count"] = "many"  # break exactly one thing: an integer cell becomes text
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    done = run_r(copy / "datapackage.json")
    assert done.returncode != 0
    assert "could not read every cell as its schema type in: articles" in done.stderr


AS_KNOWN = r"""
source("scripts/load_package.R")
tables <- load_package(Sys.getenv("TSTALKS_DESCRIPTOR"))
shown <- list(
  events = date_as_known(tables$events$start_date, tables$events$start_date_precision),
  statements = date_as_known(tables$statements$statement_date, tables$statements$statement_date_precision),
  articles = date_as_known(tables$articles$published_date, tables$articles$published_date_precision))
cat(jsonlite::toJSON(shown, na = "null"))
"""


def _as_known(date: str, precision: str) -> str | None:
    """Written apart from the R helper: a day in full, a month as YYYY-MM, a year as YYYY, a decade as YYYYs."""
    if not date:
        return None
    return {"day": date, "month": date[:7], "year": date[:4], "decade": date[:4] + "s"}[precision]


def test_r_writes_each_date_as_precisely_as_it_is_known():
    done = subprocess.run([RSCRIPT, "-e", AS_KNOWN], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TSTALKS_DESCRIPTOR": str(ROOT / "datapackage.json")})
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    for name, column in (("events", "start_date"), ("statements", "statement_date"), ("articles", "published_date")):
        with open(ROOT / "data" / "csv" / f"{name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert shown[name] == [_as_known(r[column], r[column + "_precision"]) for r in rows], name
    assert any(v is not None and len(v) == 7 for v in shown["events"]), "no month-precision date was checked"
