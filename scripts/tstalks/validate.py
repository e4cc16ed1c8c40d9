"""Validate a published package: each descriptor with Frictionless, CSV and Parquet holding the same rows,
and, where the seeds are beside it, every span equal to its seed text."""
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
from typing import Iterator

import frictionless
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

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


def validate_package(folder: Path, report: Report | None = None) -> Report:
    """Validate the package whose root descriptor is folder/datapackage.json."""
    report = report or Report()
    descriptors = [folder / "datapackage.json", folder / PARQUET_DESCRIPTOR]
    for d in descriptors:
        if not d.is_file():
            report.add(f"{d.relative_to(folder)} exists", False, "missing; run `tstalks build`")
            return report
    for d in descriptors:
        _frictionless(folder, d, report)
    _hashes(folder, descriptors, report)
    if report.valid:
        _parity(folder, report)
        _spans(folder, report)
    return report


def _frictionless(folder: Path, descriptor: Path, report: Report) -> None:
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
        from_csv = pacsv.read_csv(folder / r["path"], convert_options=pacsv.ConvertOptions(
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
        from_csv[name] = pacsv.read_csv(folder / "data" / "csv" / f"{name}.csv").to_pylist()
    texts = {}
    bad = []
    for a in from_csv["articles"]:
        path = seeds / a["seed_file"]
        raw = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(raw).hexdigest() != a["seed_sha256"]:
            bad.append(f"seed {a['seed_file']} is missing or changed")
            continue
        texts[a["article_id"]] = raw.decode("utf-8")
    for table, column in SPAN_TEXT.items():
        for row in from_csv[table]:
            text = texts.get(row["article_id"])
            if text is not None and text[row["span_start"]:row["span_end"]] != str(row[column]):
                bad.append(f"{table} row with {column} '{str(row[column])[:40]}'")
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
