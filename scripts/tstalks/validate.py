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
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pyarrow as pa
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
    csv_descriptor, parquet_descriptor = descriptors
    step("schema checks: datapackage.json")
    tables = _columnar(folder, csv_descriptor, report, step)
    if stock:
        step("frictionless: datapackage.json")
        _frictionless(folder, csv_descriptor, report)
    if _schemas(csv_descriptor) == _schemas(parquet_descriptor) and tables is not None:
        # Same schemas, and the parity check below proves the Parquet rows equal the CSV rows, type for type:
        # checking them again would find the same things.
        report.add(f"Schema checks: {PARQUET_DESCRIPTOR}", True, "same Table Schemas as datapackage.json; rows compared below")
    else:
        _columnar(folder, parquet_descriptor, report, step)
    if stock:
        step(f"frictionless: {PARQUET_DESCRIPTOR}")
        _frictionless(folder, parquet_descriptor, report)
    step("hashes")
    _hashes(folder, descriptors, report)
    if report.valid and tables is not None:
        step("CSV/Parquet parity")
        _parity(folder, tables, report)
        step("spans")
        _spans(folder, tables, report)
    return report


def _schemas(descriptor: Path) -> dict[str, Any]:
    return {r["name"]: r["schema"] for r in json.loads(descriptor.read_text("utf-8"))["resources"]}


def _columnar(folder: Path, descriptor: Path, report: Report, step: Callable[[str], None]
              ) -> dict[str, dict[str, fastcheck.Column]] | None:
    name = descriptor.relative_to(folder).as_posix()
    try:
        errors, tables = fastcheck.check_package_tables(descriptor, lambda resource: step(f"schema checks: {resource}"))
    except (OSError, ValueError, KeyError) as exc:
        report.add(f"Schema checks: {name}", False, str(exc))
        return None
    if not errors:
        report.add(f"Schema checks: {name}", True, f"{len(tables)} resources valid (types, constraints, keys, foreign keys)")
        return tables
    shown = "; ".join(map(str, errors[:20]))
    report.add(f"Schema checks: {name}", False, shown + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))
    return tables


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


def _parity(folder: Path, tables: dict[str, dict[str, fastcheck.Column]], report: Report) -> None:
    """The Parquet files hold the CSV's rows (as the columnar pass typed them), with the schema's types."""
    csv_package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    bad = []
    for r in csv_package["resources"]:
        schema = arrow_schema(r["schema"])
        cols = tables.get(r["name"])
        from_parquet = pq.read_table(folder / "data" / "parquet" / f"{r['name']}.parquet")
        if cols is None or from_parquet.schema != schema:
            bad.append(r["name"])
            continue
        from_csv = pa.table({f.name: cols[f.name].values for f in schema}).cast(schema)
        if not from_csv.equals(from_parquet.cast(schema)):
            bad.append(r["name"])
    report.add("CSV and Parquet hold identical rows and types", not bad, "differ for " + ", ".join(bad) if bad else "")


def _spans(folder: Path, tables: dict[str, dict[str, fastcheck.Column]], report: Report) -> None:
    seeds = folder / "seeds" / "articles"
    if not seeds.is_dir():
        report.add("spans equal their seed text", True, "skipped: no seeds/articles/ beside this package")
        return

    def column(table: str, name: str) -> list[Any]:
        return tables[table][name].values.to_pylist()

    texts = {}
    bad = []
    for aid, seed_file, digest in zip(column("articles", "article_id"), column("articles", "seed_file"),
                                      column("articles", "seed_sha256")):
        try:
            raw = (seeds / seed_file).read_bytes()
        except OSError:  # missing: reported as changed below
            raw = b""
        if hashlib.sha256(raw).hexdigest() != digest:
            bad.append(f"seed {seed_file} is missing or changed")
            continue
        texts[aid] = raw.decode("utf-8")
    for table, text_column in SPAN_TEXT.items():
        for aid, start, end, value in zip(column(table, "article_id"), column(table, "span_start"),
                                          column(table, "span_end"), column(table, text_column)):
            text = texts.get(aid)
            if text is not None and text[start:end] != value:
                bad.append(f"{table} row with {text_column} '{str(value)[:40]}'")
    report.add("spans equal their seed text", not bad, "; ".join(bad[:10]) if bad else "all spans match")


MAX_DOWNLOAD = 1 << 30  # bytes per file; a bigger file is refused rather than filling the disk


@contextmanager
def fetched(location: str) -> Iterator[Path]:
    """A local folder holding the package at `location` (a folder, a descriptor path, or an http(s) URL).

    For a URL (of datapackage.json, or of the folder holding it), the root descriptor, the Parquet
    descriptor beside it and every resource they list are downloaded into a temporary folder, which is
    removed afterwards. Resource paths must be relative and stay inside the package (no `..`, no URL):
    anything else is refused with a ValueError, as the Data Package spec forbids it."""
    if urllib.parse.urlparse(location).scheme in ("http", "https"):
        descriptor_url = location if location.endswith(".json") else location.rstrip("/") + "/datapackage.json"
        base = descriptor_url.rsplit("/", 1)[0] + "/"
        tmp = Path(tempfile.mkdtemp(prefix="tstalks-remote-"))
        try:
            _download(descriptor_url, tmp / "datapackage.json")
            _download(urllib.parse.urljoin(base, PARQUET_DESCRIPTOR), tmp / PARQUET_DESCRIPTOR)
            for descriptor in ("datapackage.json", PARQUET_DESCRIPTOR):
                parent = Path(descriptor).parent.as_posix()
                for rel in _resource_paths(tmp / descriptor, descriptor_url if descriptor == "datapackage.json" else
                                           urllib.parse.urljoin(base, PARQUET_DESCRIPTOR)):
                    inside = rel if parent == "." else f"{parent}/{rel}"
                    _download(urllib.parse.urljoin(base, inside), tmp / inside)
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    path = Path(location)
    yield path.parent if path.is_file() else path


def _resource_paths(descriptor: Path, url: str) -> list[str]:
    try:
        resources = json.loads(descriptor.read_text("utf-8"))["resources"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{url} is not a data package descriptor (no resources list): {exc}") from None
    found = []
    for r in resources:
        for rel in r.get("path") if isinstance(r.get("path"), list) else [r.get("path")]:
            parts = urllib.parse.urlparse(rel).scheme if isinstance(rel, str) else "?"
            if (not isinstance(rel, str) or not rel or parts or rel.startswith("/") or "\\" in rel
                    or ".." in rel.split("/")):
                raise ValueError(f"{url}: resource {r.get('name')!r} has path {rel!r}; only relative paths inside "
                                 "the package can be validated from a URL")
            found.append(rel)
    return found


def _download(url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a URL the user gave)
            raw = response.read(MAX_DOWNLOAD + 1)
    except urllib.error.HTTPError as exc:
        raise OSError(f"could not fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise OSError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(raw) > MAX_DOWNLOAD:
        raise OSError(f"could not fetch {url}: larger than {MAX_DOWNLOAD} bytes")
    target.write_bytes(raw)
