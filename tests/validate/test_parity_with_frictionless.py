"""The columnar validator reports what frictionless-py reports.

Take a small built package, break cells (types, required, enum, pattern, primary key, foreign key),
and compare the (resource, row, field, error type) records of both validators."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import ROOT
from tstalks import build as pipeline
from tstalks.core import Project
from tstalks.core import tableschema as fastcheck
from tstalks.curate.synth import synth
from tstalks.publish import stage as publish

COVERED = {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key"}
BAD_INTEGERS = ["abc", "1.5", " 7", "+7", "1e3", "-1", "7 ", "1_0"]
BAD_DATES = ["2023-13-01", "2023-4-5", "yesterday", "2023-02-30", " 2023-01-01", "0000-01-01", "2023-04-31"]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "p"
    synth(40, root, ROOT / "schemas", seed=7)
    result = pipeline.build(Project(root))
    staged = publish.stage(root, result.files)
    descriptor = json.loads((staged / "datapackage.json").read_text("utf-8"))
    for r in descriptor["resources"]:  # hashes would differ once cells are broken; they are checked elsewhere
        r.pop("hash", None)
        r.pop("bytes", None)
    (staged / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    return staged


def _tables(folder: Path) -> dict[str, list[list[str]]]:
    return {p.stem: list(csv.reader(io.StringIO(p.read_text("utf-8"), newline="")))
            for p in sorted((folder / "data" / "csv").glob("*.csv"))}


def _write(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    for name, rows in tables.items():
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / "data" / "csv" / f"{name}.csv").write_text(out.getvalue(), "utf-8", newline="")


def _targets(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """(resource, field) pairs where each class of error can be injected."""
    found: dict[str, list[tuple[str, str]]] = {k: [] for k in ("type", "required", "enum", "pattern", "fk")}
    for r in json.loads((folder / "datapackage.json").read_text("utf-8"))["resources"]:
        if "schema" not in r:  # the SQLite file: not a table
            continue
        for f in r["schema"]["fields"]:
            c = f.get("constraints", {})
            where = (r["name"], f["name"])
            if f["type"] in ("integer", "date"):
                found["type"].append(where)
            if c.get("required"):
                found["required"].append(where)
            if "enum" in c:
                found["enum"].append(where)
            if "pattern" in c:
                found["pattern"].append(where)
        for fk in r["schema"].get("foreignKeys", []):
            found["fk"] += [(r["name"], name) for name in fk["fields"]]
    return found


def _records(errors: list[fastcheck.Error]) -> set[tuple]:
    return {(e.resource, e.row, e.field, e.type) for e in errors if e.type in COVERED}


def _broken(package: Path, tmp: Path, injections: list[tuple[str, int, int, int]]) -> Path:
    folder = tmp / "broken"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(package / "data" / "csv", folder / "data" / "csv")
    shutil.copy(package / "datapackage.json", folder / "datapackage.json")
    tables, targets = _tables(folder), _targets(folder)
    types = {(r["name"], f["name"]): f["type"] for r in json.loads((folder / "datapackage.json").read_text("utf-8"))["resources"]
             if "schema" in r for f in r["schema"]["fields"]}
    for kind, which, row, pick in injections:
        if kind == "pk":
            name = sorted(n for n, rows in tables.items() if len(rows) > 2)[which % 11 % len([n for n, r in tables.items() if len(r) > 2])]
            rows = tables[name]
            i, j = 1 + row % (len(rows) - 1), 1 + pick % (len(rows) - 1)
            if i != j:
                rows[i] = list(rows[j])
            continue
        name, field = targets[kind][which % len(targets[kind])]
        rows = tables[name]
        if len(rows) < 2:
            continue
        col = rows[0].index(field)
        bad = BAD_INTEGERS if types[(name, field)] == "integer" else BAD_DATES
        value = {"type": bad[pick % len(bad)],
                 "required": "", "enum": "no-such-code", "pattern": ["Bad Id!", "UPPER", "a--b", "x\n"][pick % 4],
                 "fk": f"no-such-id-{pick % 3}"}[kind]
        rows[1 + row % (len(rows) - 1)][col] = value
    _write(folder, tables)
    return folder


def test_a_built_package_has_no_errors_in_either_validator(package: Path) -> None:
    assert fastcheck.check_package(package / "datapackage.json") == []
    assert _records(fastcheck.frictionless_errors(package / "datapackage.json")) == set()


@pytest.mark.parametrize("kind,expected_type", [("type", "type-error"), ("required", "constraint-error"),
                                                ("enum", "constraint-error"), ("pattern", "constraint-error"),
                                                ("fk", "foreign-key"), ("pk", "primary-key")])
def test_each_injected_class_of_error_is_found(package: Path, tmp_path: Path, kind: str, expected_type: str) -> None:
    folder = _broken(package, tmp_path, [(kind, 0, 0, 0 if kind != "pk" else 1)])
    fast = _records(fastcheck.check_package(folder / "datapackage.json"))
    assert expected_type in {t for _, _, _, t in fast}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["type", "required", "enum", "pattern", "fk", "pk"]),
                          st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000)),
                min_size=1, max_size=5))
@pytest.mark.slow
def test_fast_validation_reports_what_frictionless_reports(package: Path, tmp_path: Path,
                                                            injections: list[tuple[str, int, int, int]]) -> None:
    folder = _broken(package, tmp_path, injections)
    fast = _records(fastcheck.check_package(folder / "datapackage.json"))
    stock = _records(fastcheck.frictionless_errors(folder / "datapackage.json"))
    assert fast == stock
