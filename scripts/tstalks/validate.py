"""Validate a published package: each descriptor's tables against their Table Schemas (types, constraints,
unique fields, primary and foreign keys), resource hashes, CSV and Parquet holding the same rows, and,
where the seeds are beside it, every span equal to its seed text.

The schema checks run the columnar pass of fastcheck.py by default (it reports what frictionless-py
reports, tested for parity); `stock=True` also runs the stock frictionless validator, row by row."""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import fastcheck
from .check import SPAN_TEXT
from .export import arrow_schema

PARQUET_DESCRIPTOR = "data/parquet/datapackage.json"


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


def validate_package(folder: Path, report: Report | None = None, *, stock: bool = False,
                     progress: Callable[[str], None] | None = None) -> Report:
    """Validate the package whose root descriptor is folder/datapackage.json.

    `stock` adds the stock frictionless validator (slow: row by row) to the columnar pass;
    `progress` is called with the name of each step as it starts."""
    report = report or Report()
    step = progress or (lambda what: None)
    descriptors = [folder / "datapackage.json", folder / PARQUET_DESCRIPTOR]
    for d in descriptors:
        if not d.is_file():
            report.add(f"{d.relative_to(folder)} exists", False, "missing; run `tstalks build`")
            return report
    for d in descriptors:
        step(f"schema checks: {d.relative_to(folder).as_posix()}")
        _columnar(folder, d, report, step)
        if stock:
            step(f"frictionless: {d.relative_to(folder).as_posix()}")
            _frictionless(folder, d, report)
    step("hashes")
    _hashes(folder, descriptors, report)
    if report.valid:
        step("CSV/Parquet parity")
        _parity(folder, report)
        step("spans")
        _spans(folder, report)
    return report


def _columnar(folder: Path, descriptor: Path, report: Report, step: Callable[[str], None]) -> None:
    name = descriptor.relative_to(folder).as_posix()
    try:
        errors = fastcheck.check_package(descriptor, lambda resource: step(f"schema checks: {resource}"))
    except (OSError, ValueError, KeyError) as exc:
        report.add(f"Schema checks: {name}", False, str(exc))
        return
    if not errors:
        n = len(json.loads(descriptor.read_text("utf-8"))["resources"])
        report.add(f"Schema checks: {name}", True, f"{n} resources valid (types, constraints, keys, foreign keys)")
        return
    shown = "; ".join(map(str, errors[:20]))
    report.add(f"Schema checks: {name}", False, shown + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))


def _frictionless(folder: Path, descriptor: Path, report: Report) -> None:
    import frictionless  # slow to import; only `--frictionless` needs it

    name = descriptor.relative_to(folder).as_posix()
    try:
        package = frictionless.Package(str(descriptor))
        result = package.validate()
    except frictionless.FrictionlessException as exc:
        report.add(f"Frictionless: {name}", False, str(exc.error.message))
        return
    if result.valid:
        report.add(f"Frictionless: {name}", True, f"{len(result.tasks)} resources valid (types, constraints, keys, foreign keys)")
        return
    errors = [f"{task.name}: {e.type}: {e.message}" for task in result.tasks for e in task.errors]
    errors += [f"{e.type}: {e.message}" for e in result.errors]
    report.add(f"Frictionless: {name}", False, "; ".join(errors[:20]) + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))


def _hashes(folder: Path, descriptors: list[Path], report: Report) -> None:
    bad = []
    for d in descriptors:
        for r in json.loads(d.read_text("utf-8"))["resources"]:
            path = d.parent / r["path"]
            raw = path.read_bytes() if path.is_file() else b""
            algorithm, _, digest = r["hash"].partition(":")
            if len(raw) != r.get("bytes", len(raw)) or hashlib.new(algorithm, raw).hexdigest() != digest:
                bad.append(path.relative_to(folder).as_posix())
    report.add("resource bytes and SHA-256 hashes", not bad, "differ for " + ", ".join(bad) if bad else "all match")


def _parity(folder: Path, report: Report) -> None:
    csv_package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    bad = []
    for r in csv_package["resources"]:
        schema = arrow_schema(r["schema"])
        from_csv = pacsv.read_csv(folder / r["path"], parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False, null_values=[""]))
        from_parquet = pq.read_table(folder / "data" / "parquet" / f"{r['name']}.parquet")
        if not from_csv.cast(schema).equals(from_parquet.cast(schema)) or from_parquet.schema != schema:
            bad.append(r["name"])
    report.add("CSV and Parquet hold identical rows and types", not bad, "differ for " + ", ".join(bad) if bad else "")


def _spans(folder: Path, report: Report) -> None:
    seeds = folder / "seeds" / "articles"
    if not seeds.is_dir():
        report.add("spans equal their seed text", True, "skipped: no seeds/articles/ beside this package")
        return
    from_csv = {}
    for name in ("articles", *SPAN_TEXT):
        table = pacsv.read_csv(folder / "data" / "csv" / f"{name}.csv", parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
        from_csv[name] = {c: table.column(c).to_pylist() for c in table.column_names}  # columns: far cheaper than row dicts
    texts = {}
    bad = []
    articles = from_csv["articles"]
    for aid, seed_file, digest in zip(articles["article_id"], articles["seed_file"], articles["seed_sha256"]):
        path = seeds / seed_file
        raw = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(raw).hexdigest() != digest:
            bad.append(f"seed {seed_file} is missing or changed")
            continue
        texts[aid] = raw.decode("utf-8")
    for table, column in SPAN_TEXT.items():
        t = from_csv[table]
        for aid, start, end, value in zip(t["article_id"], t["span_start"], t["span_end"], t[column]):
            text = texts.get(aid)
            if text is not None and text[start:end] != str(value):
                bad.append(f"{table} row with {column} '{str(value)[:40]}'")
    report.add("spans equal their seed text", not bad, "; ".join(bad[:10]) if bad else "all spans match")


@contextmanager
def fetched(location: str) -> Iterator[Path]:
    """A local folder holding the package at `location` (a folder, a descriptor path, or an http(s) URL)."""
    if urllib.parse.urlparse(location).scheme in ("http", "https"):
        base = location.rsplit("/", 1)[0] + "/" if location.endswith(".json") else location.rstrip("/") + "/"
        tmp = Path(tempfile.mkdtemp(prefix="tstalks-remote-"))
        try:
            _download(base, "datapackage.json", tmp)
            _download(base, PARQUET_DESCRIPTOR, tmp)
            for descriptor in ("datapackage.json", PARQUET_DESCRIPTOR):
                parent = Path(descriptor).parent.as_posix()
                for r in json.loads((tmp / descriptor).read_text("utf-8"))["resources"]:
                    _download(base, str(Path(parent) / r["path"]) if parent != "." else r["path"], tmp)
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    path = Path(location)
    yield path.parent if path.is_file() else path


def _download(base: str, rel: str, into: Path) -> None:
    target = into / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(urllib.parse.urljoin(base, rel), timeout=60) as response:  # noqa: S310 (user-given URL)
        target.write_bytes(response.read())
