"""Validate a published package: each descriptor's tables against their Table Schemas (types, constraints,
unique fields, primary and foreign keys), resource hashes, CSV and Parquet holding the same rows, and,
where the seeds are beside it, every span equal to its seed text.

The schema checks run the columnar pass of core.tableschema by default (it reports what frictionless-py
reports, tested for parity); `stock=True` also runs the stock frictionless validator, row by row.
Imports nothing of the build or the curation assistant, and not pandas or frictionless at start-up."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..core import tableschema
from ..core.problems import Failed
from ..core.project import CSV_DESCRIPTOR, PARQUET_DESCRIPTOR
from ..core.schemas import load_schemas
from .files import Files, check_hashes
from .parity import same_rows
from .runtime import jemalloc
from .seedcheck import SpanCheck
from .stock import run_frictionless

SPANS = "spans equal their seed text"


@dataclass
class Report:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (what, passed, detail)

    def add(self, what: str, passed: bool, detail: str = "") -> None:
        self.checks.append((what, passed, detail))

    @property
    def valid(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def failures(self) -> list[str]:
        return [f"{what}: {detail}" for what, ok, detail in self.checks if not ok]


def span_tables(folder: Path) -> dict[str, str] | None:
    """Table -> span text column, from the schemas/ beside the package (None when there are none to read)."""
    if not (folder / "schemas" / "package.json").is_file():
        return None
    try:
        return load_schemas(folder / "schemas").span_tables
    except Failed:
        return None


def validate_package(folder: Path, report: Report | None = None, *, stock: bool = False,
                     progress: Callable[[str], None] | None = None) -> Report:
    """Validate the package whose root descriptor is folder/datapackage.json.

    `stock` adds the stock frictionless validator (slow: row by row) to the columnar pass;
    `progress` is called with the name of each step as it starts."""
    report = report or Report()
    step = progress or (lambda what: None)
    csv_descriptor, parquet_descriptor = folder / CSV_DESCRIPTOR, folder / PARQUET_DESCRIPTOR
    descriptors: dict[Path, dict[str, Any]] = {}
    for d in (csv_descriptor, parquet_descriptor):
        name = d.relative_to(folder).as_posix()
        if not d.is_file():
            report.add(f"{name} exists", False, "missing; run `tstalks build`")
            return report
        try:
            # Only the resources are used: the rest (sources: one per article) is let go at once (memory).
            descriptors[d] = {"resources": json.loads(d.read_text("utf-8"))["resources"]}
            if not all(isinstance(r, dict) and isinstance(r.get("path"), str) and isinstance(r.get("name"), str)
                       for r in descriptors[d]["resources"]):
                raise ValueError("every resource needs a name and a path")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            report.add(f"Schema checks: {name}", False, f"not a data package descriptor: {exc}")
            return report
    with ThreadPoolExecutor(1) as hasher, ThreadPoolExecutor(1) as background, jemalloc():
        seeds = SpanCheck(folder / "seeds" / "articles", span_tables(folder), background)
        try:
            return _validate(folder, report, stock, step, descriptors, Files(descriptors, hasher), seeds)
        finally:
            seeds.cancel()  # when another check failed, it is not needed




def _validate(folder: Path, report: Report, stock: bool, step: Callable[[str], None],
              descriptors: dict[Path, dict[str, Any]], files: Files, seeds: SpanCheck) -> Report:
    csv_descriptor, parquet_descriptor = descriptors
    resources = descriptors[csv_descriptor]["resources"]
    parity: dict[str, bool] = {}

    def visit(resource: dict[str, Any], cols: dict[str, tableschema.Column]) -> None:
        seeds.visit(resource["name"], cols)  # may start the span check, which then runs beside what follows
        parity[resource["name"]] = same_rows(folder, resource, cols, files)

    step("schema checks: datapackage.json")
    # The span check's tables first, so that it can start early: the articles (the seeds are read from then on),
    # then the span tables, the largest last; the span check then starts before that table's constraint checks
    # and Parquet comparison, and runs beside them.
    ordered = sorted(resources, key=lambda r: (r["name"] not in seeds.wanted, r["name"] != "articles",
                                               r.get("bytes") if r["name"] in seeds.wanted and isinstance(r.get("bytes"), int) else 0))
    tables = _columnar(folder, csv_descriptor, ordered, report, step, files, visit)
    if stock:
        step("frictionless: datapackage.json")
        run_frictionless(folder, csv_descriptor, report)
    if _schemas(descriptors[csv_descriptor]) == _schemas(descriptors[parquet_descriptor]) and tables is not None:
        # Same schemas, and the parity check proves the Parquet rows equal the CSV rows, type for type:
        # checking them again would find the same things.
        report.add(f"Schema checks: {PARQUET_DESCRIPTOR}", True, "same Table Schemas as datapackage.json; rows compared below")
    else:
        _columnar(folder, parquet_descriptor, descriptors[parquet_descriptor]["resources"], report, step, files, None)
    if stock:
        step(f"frictionless: {PARQUET_DESCRIPTOR}")
        run_frictionless(folder, parquet_descriptor, report)
    step("hashes")
    check_hashes(folder, descriptors, files, report)
    if report.valid and tables is not None:
        step("CSV/Parquet parity")
        bad = [r["name"] for r in resources if not parity.get(r["name"])]
        report.add("CSV and Parquet hold identical rows and types", not bad, "differ for " + ", ".join(bad) if bad else "")
        step("spans")
        report.add(SPANS, *seeds.result())
    return report


def _schemas(package: dict[str, Any]) -> dict[str, Any]:
    return {r["name"]: r.get("schema") for r in package["resources"]}



def _columnar(folder: Path, descriptor: Path, resources: list[dict[str, Any]], report: Report, step: Callable[[str], None],
              files: Files, visit: Callable | None) -> dict[str, dict[str, tableschema.Column]] | None:
    name = descriptor.relative_to(folder).as_posix()
    try:
        errors, tables = tableschema.scan(descriptor.parent, resources, lambda resource: step(f"schema checks: {resource}"),
                                        read=files.read, visit=visit)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        report.add(f"Schema checks: {name}", False, str(exc))
        return None
    if not errors:
        report.add(f"Schema checks: {name}", True, f"{len(tables)} resources valid (types, constraints, keys, foreign keys)")
        return tables
    shown = "; ".join(map(str, errors[:20]))
    report.add(f"Schema checks: {name}", False, shown + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))
    return tables


