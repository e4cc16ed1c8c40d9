"""Validate a published package: its descriptors (what they list, that every resource path stays inside the
package), each descriptor's tables against their Table Schemas (types, constraints, unique fields, primary and
foreign keys), resource hashes, CSV and Parquet holding the same rows, and, where the seeds are beside it, every
span equal to its seed text.

Each resource is read from the path its descriptor gives, once. A check that cannot run says so (`skip`), and a
finding that follows from one already reported is not reported again: a table that cannot be read is not
looked up by the keys that refer to it, nor compared with its Parquet copy or its seeds.

The schema checks run the columnar pass of core.tableschema by default (it reports what frictionless-py
reports, tested for parity); `stock=True` also runs the stock frictionless validator, row by row.
Imports nothing of the build or the curation assistant, and not pandas or frictionless at start-up."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import tableschema
from ..core.problems import Failed, shown
from ..core.project import JOURNAL
from ..core.schemas import load_schemas
from . import descriptors as described
from .descriptors import Descriptor, Located, NotADescriptor
from .files import Files, check_hashes
from .parity import differences
from .runtime import jemalloc
from .seedcheck import SpanCheck
from .sqlite import Background
from .stock import run_frictionless

SPANS = "spans equal their seed text"
SQLITE = "the SQLite file holds the CSV tables (rows, keys, integrity, foreign keys)"
PARITY = "CSV and Parquet hold identical rows and types"
HASHES = "resource bytes and hashes"
PATHS = "resource paths: relative, inside the package, regular files"
SAME = "both descriptors list the same tables, with the same Table Schemas"
TABLES = "the tables of schemas/, with their Table Schemas"
SHOWN = 20  # findings of one check given in full; the rest are counted
OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass
class Report:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (what, passed, detail); a skipped check passed
    statuses: list[str] = field(default_factory=list)  # "ok", "fail" or "skip", one per check

    def add(self, what: str, passed: bool, detail: str = "") -> None:
        self.checks.append((what, passed, detail))
        self.statuses.append(OK if passed else FAIL)

    def skip(self, what: str, why: str) -> None:
        """A check that could not run, and why: printed as skipped, never as passed."""
        self.checks.append((what, True, why))
        self.statuses.append(SKIP)

    def lines(self) -> list[tuple[str, str, str]]:
        """(status, what, detail) of every check, in order."""
        return [(status, what, detail) for status, (what, _, detail) in zip(self.statuses, self.checks, strict=True)]

    @property
    def valid(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def failures(self) -> list[str]:
        return [f"{what}: {detail}" for what, ok, detail in self.checks if not ok]


def findings(items: list[str], count: int | None = None) -> str:
    """A check's findings as its detail: the first SHOWN, one a line, and how many more."""
    count = len(items) if count is None else count
    more = f"\n(and {count - SHOWN:,} more)" if count > SHOWN else ""
    return "\n".join(items[:SHOWN]) + more


@dataclass
class _Run:
    """What one validation shares between its steps."""
    located: Located
    report: Report
    step: Callable[[str], None]
    stock: bool
    files: Files
    seeds: SpanCheck
    sqlite: Background | str  # the SQLite file's check, running; or why there is none
    parity: dict[str, list[str]] = field(default_factory=dict)  # resource -> how its Parquet copy differs
    broken: dict[str, set[str]] = field(default_factory=dict)  # resource -> fields with errors ({""}: unreadable)


def validate_package(location: Path, report: Report | None = None, *, stock: bool = False,
                     progress: Callable[[str], None] | None = None) -> Report:
    """Validate the package at `location`: a folder (its datapackage.json and data/parquet/datapackage.json),
    either of those two descriptors, or any other descriptor file (checked alone).

    `stock` adds the stock frictionless validator (slow: row by row) to the columnar pass;
    `progress` is called with the name of each step as it starts."""
    report = report or Report()
    step = progress or (lambda what: None)
    located = described.locate(location)
    if isinstance(located, str):
        report.add("package", False, located)
        return report
    if (located.root / JOURNAL).exists():
        report.add("package", False, f"a build was stopped while it replaced the outputs ({JOURNAL} is there); "
                                     "run `tstalks build` to finish or undo it, then validate")
        return report
    descriptors = _descriptors(located, report)
    if descriptors is None:
        return report
    span_tables = _tables(located, descriptors, report)
    unsafe = described.check_paths(located.root, descriptors)
    report.add(PATHS, not unsafe, findings(unsafe) if unsafe else f"all {sum(len(d.resources) + len(d.files) for d in descriptors)} safe")
    with ThreadPoolExecutor(1) as hasher, ThreadPoolExecutor(1) as background, ThreadPoolExecutor(1) as database, \
            ThreadPoolExecutor(1) as integrity, jemalloc():
        seeds = SpanCheck(located.root, span_tables, background)
        sqlite = _sqlite(descriptors[0], database, integrity)
        try:
            _validate(_Run(located, report, step, stock, Files(descriptors, hasher), seeds, sqlite), descriptors)
        finally:
            seeds.cancel()  # when another check failed, it is not needed
            if isinstance(sqlite, Background):
                sqlite.close()
    return report


def _sqlite(first: Descriptor, pool: ThreadPoolExecutor, beside: ThreadPoolExecutor) -> Background | str:
    """The check of the SQLite file the CSV descriptor lists, started (SQLite's own checks run from now on);
    or why there is none."""
    listed = [r for r in first.files if r["format"] == "sqlite"]
    if not listed:
        return f"{first.name} lists no SQLite file (a resource of format sqlite)"
    if len(listed) > 1:
        return f"{first.name} lists {len(listed)} SQLite files; tstalks validate compares one with the CSV"
    if listed[0]["name"] in first.unsafe:
        return f"{first.rel(listed[0])} not read: its path is refused above"
    schemas = {r["name"]: r["schema"] for r in first.resources}
    return Background(first.file(listed[0]), schemas, first.rel(listed[0]), pool, beside)


def _descriptors(located: Located, report: Report) -> list[Descriptor] | None:
    """Each descriptor of the package, read and its structure checked; None (reported) when one is unusable."""
    found = []
    for path in located.descriptors:
        name = located.name(path)
        try:
            found.append(described.read(path, name))
        except NotADescriptor as exc:
            report.add(f"descriptor {name}", False, str(exc))
            return None
        tables, files = len(found[-1].resources), [f["format"] for f in found[-1].files]
        report.add(f"descriptor {name}", True, f"{tables + len(files)} resources" +
                   (f" ({tables} tables; {', '.join(files)}, without a Table Schema)" if files else ""))
    return found


def _tables(located: Located, descriptors: list[Descriptor], report: Report) -> dict[str, str] | None:
    """Check that the descriptors list the same tables and those of schemas/; returns the span tables schemas/
    names (None when there are no schemas/ to read)."""
    if located.pair:
        differ = described.same_tables(*descriptors)
        report.add(SAME, not differ, findings(differ) if differ else f"{len(descriptors[0].resources)} tables")
    try:
        schemas = load_schemas(located.root / "schemas") if (located.root / "schemas" / "package.json").is_file() else None
        expected = described.schema_tables(schemas) if schemas is not None else None
    except Failed as exc:
        report.add(TABLES, False, f"schemas/ beside the package cannot be read: {described.schemas_problem(exc)}")
        return None
    except NotADescriptor as exc:
        report.add(TABLES, False, f"schemas/ beside the package is not usable: {exc}")
        return None
    if expected is None:
        report.skip(TABLES, "no schemas/ beside this package" +
                    ("; the two descriptors are held to each other instead" if located.pair else ""))
        return None
    # With two descriptors, the first is held to schemas/ and the second to the first (above): each cause once.
    differ = described.holds_tables(descriptors[0], expected)
    report.add(TABLES, not differ, findings(differ) if differ else f"all {len(expected)}")
    return schemas.span_tables if schemas is not None else None


def _validate(run: _Run, descriptors: list[Descriptor]) -> None:
    first = descriptors[0]
    pair = descriptors[1] if run.located.pair else None
    wanted = run.seeds.wanted
    # The span check's tables first, so that it can start early: the articles (the seeds are read from then on),
    # then the span tables, the largest last; the span check then starts before that table's constraint checks
    # and Parquet comparison, and runs beside them.
    ordered = sorted(first.usable, key=lambda r: (r["name"] not in wanted, r["name"] != "articles",
                                                  r["bytes"] if r["name"] in wanted and r["bytes"] is not None else 0))
    others = {r["name"]: r for r in pair.usable} if pair else {}

    def visit(resource: dict[str, Any], cols: dict[str, tableschema.Column]) -> None:
        run.seeds.visit(resource, cols)  # may start the span check, which then runs beside what follows
        if isinstance(run.sqlite, Background):
            run.sqlite.visit(resource["name"], cols)  # compared in its own thread, beside what follows
        other = others.get(resource["name"])
        if pair and other:
            run.parity[resource["name"]] = differences(pair.file(other), pair.rel(other), resource, cols, run.files)

    run.broken = _columnar(run, first, ordered, visit)
    listed = {r["name"] for r in first.resources}
    run.broken.update({t: {""} for t in wanted if t not in listed})  # its absence is reported above
    if run.stock:
        run.step(f"frictionless: {first.name}")
        run_frictionless(run.located.root, first.path, run.report)
    if pair:
        _parquet(run, first, pair)
    run.step("hashes")
    run.report.add(HASHES, *check_hashes(descriptors, run.files))
    if pair:
        _parity(run, first, pair)
    else:
        run.report.skip(PARITY, f"only {first.name} given: no other format to compare it with")
    _sqlite_result(run)
    run.step("spans")
    status, detail = run.seeds.result(run.broken)
    if status == SKIP:
        run.report.skip(SPANS, detail)
    else:
        run.report.add(SPANS, status == OK, detail)


def _sqlite_result(run: _Run) -> None:
    if not isinstance(run.sqlite, Background):
        run.report.skip(SQLITE, run.sqlite)
        return
    run.step("sqlite")
    found, compared = run.sqlite.result(set(run.broken))
    left = sorted(n for n in run.broken if n in run.sqlite.tables)
    note = f" ({', '.join(left)} not compared: failed above)" if left else ""
    if found:
        run.report.add(SQLITE, False, findings(found) + note)
    else:
        run.report.add(SQLITE, True, f"{len(compared)} tables, their lookup tables and descriptions" + note)


def _parquet(run: _Run, first: Descriptor, pair: Descriptor) -> None:
    """The Parquet descriptor's schema checks: when both descriptors give the same Table Schemas and every
    table's Parquet rows equal its valid CSV rows (compared below), those rows pass the same checks;
    otherwise they are checked on their own."""
    same = not described.same_tables(first, pair) and not first.unsafe and not pair.unsafe
    if same and not run.broken and not any(run.parity.values()):
        run.report.add(f"Schema checks: {pair.name}", True,
                       f"the Table Schemas of {first.name}, and rows equal to its rows (compared below)")
        return
    for name in _columnar(run, pair, pair.usable, None):
        run.parity.pop(name, None)  # its own errors say what is wrong with it: no comparison to add to them
    if run.stock:
        run.step(f"frictionless: {pair.name}")
        run_frictionless(run.located.root, pair.path, run.report)


def _parity(run: _Run, first: Descriptor, pair: Descriptor) -> None:
    compared, differ, left = 0, [], []
    for r in first.resources:
        if r["name"] not in run.parity:
            left.append(r["name"])  # unreadable, unsafe or not in the Parquet descriptor: reported above
        elif r["name"] in run.broken:
            left.append(r["name"])
        else:
            compared += 1
            differ += run.parity[r["name"]]
    note = f" ({', '.join(left)} not compared: failed above)" if left else ""
    if differ:
        run.report.add(PARITY, False, findings(differ) + note)
    elif compared:
        run.report.add(PARITY, True, f"{compared} tables" + note)
    else:
        run.report.skip(PARITY, "no table could be compared" + note)


def _columnar(run: _Run, descriptor: Descriptor, resources: list[dict[str, Any]],
              visit: Callable[[dict[str, Any], dict[str, tableschema.Column]], None] | None) -> dict[str, set[str]]:
    """The columnar schema checks of `resources`; returns, per resource with errors, the fields that have them
    ({""} for a resource that could not be read at all)."""
    what = f"Schema checks: {descriptor.name}"
    run.step(f"schema checks: {descriptor.name}")
    try:
        errors, tables = tableschema.scan(descriptor.path.parent, resources, lambda name: run.step(f"schema checks: {name}"),
                                          read=run.files.read, visit=visit, unread=frozenset(descriptor.unsafe))
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a schema this pass does not understand
        run.report.add(what, False, f"could not be checked: {shown(exc)}")
        return {r["name"]: {""} for r in resources}
    broken: dict[str, set[str]] = {name: {""} for name in descriptor.unsafe}
    for e in errors:  # a finding is on fields, on the primary key, or (no row, no field) on the whole resource
        fields = e.field.split(",") if e.field else _pk(resources, e.resource) if e.row is not None else []
        broken.setdefault(e.resource, set()).update(fields or [""])
    for r in resources:
        if r["name"] not in tables:
            broken[r["name"]] = {""}
    unread = f"; {len(descriptor.unsafe)} not read, their paths refused above" if descriptor.unsafe else ""
    if errors:
        run.report.add(what, False, findings([str(e) for e in errors[:SHOWN]], len(errors)) + unread)
    else:
        run.report.add(what, True, f"{len(tables)} resources valid (types, constraints, keys, foreign keys){unread}")
    return broken


def _pk(resources: list[dict[str, Any]], name: str) -> list[str]:
    return next((list(r["schema"].get("primaryKey", [])) for r in resources if r["name"] == name), [])
