"""Validate a published package: each descriptor's tables against their Table Schemas (types, constraints,
unique fields, primary and foreign keys), resource hashes, CSV and Parquet holding the same rows, and,
where the seeds are beside it, every span equal to its seed text.

The schema checks run the columnar pass of fastcheck.py by default (it reports what frictionless-py
reports, tested for parity); `stock=True` also runs the stock frictionless validator, row by row."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import mmap
import os
import shutil
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from . import fastcheck

if TYPE_CHECKING:
    from .seedcheck import SeedBatches

PARQUET_DESCRIPTOR = "data/parquet/datapackage.json"
SEED_COLUMNS = ("article_id", "seed_file", "seed_sha256")
SPAN_COLUMNS = ("article_id", "span_start", "span_end")
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


class _Files:
    """Reads each resource file once: the bytes the checks parse are the bytes whose size and hash are compared.
    Hashes are computed in another thread (hashlib lets go of the GIL) while the bytes are parsed."""

    def __init__(self, descriptors: dict[Path, dict[str, Any]], hasher: Executor):
        self.algorithms: dict[Path, set[str]] = {}
        for d, package in descriptors.items():
            for r in package["resources"]:
                algorithm = str(r.get("hash", "")).partition(":")[0]
                self.algorithms.setdefault(d.parent / r["path"], set()).add(algorithm)
        self.hasher = hasher
        self.seen: dict[tuple[Path, str], tuple[int, Future[str]]] = {}  # (path, algorithm) -> (bytes, hex digest)

    def read(self, path: Path) -> bytes | mmap.mmap:
        raw = _mapped(path)
        for algorithm in self.algorithms.get(path, ()):
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        return raw

    def size_and_digest(self, path: Path, algorithm: str) -> tuple[int, str]:
        if (path, algorithm) not in self.seen:
            raw = path.read_bytes() if path.is_file() else b""
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        size, digest = self.seen[(path, algorithm)]
        return size, digest.result()


def _mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped rather than copied: reading a large file into fresh memory costs a page fault
    per 4 KiB, which here took more CPU than parsing it. (The build's staged files change under no one.)"""
    with open(path, "rb") as f:
        if not hasattr(mmap, "MAP_SHARED") or os.fstat(f.fileno()).st_size == 0:  # no mmap flags on Windows; mmap refuses empty files
            return f.read()
        return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)


def _digest(algorithm: str, raw: bytes | mmap.mmap) -> str:
    try:
        return hashlib.new(algorithm, raw).hexdigest()
    except ValueError:  # no such algorithm: no digest can match
        return ""


class _NoPandas:
    """An import hook under which `import pandas` fails."""

    @staticmethod
    def find_spec(name: str, *args: Any) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not used by `tstalks validate`", name="pandas")


class _PandasWatch:
    """An import hook that, once something imports pandas after all, has pyarrow look for it again."""

    @classmethod
    def find_spec(cls, name: str, *args: Any) -> Any:
        if name != "pandas":
            return None
        sys.meta_path.remove(cls)
        spec = importlib.util.find_spec(name)  # the real one, from the other finders
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                run(module)
                api = getattr(pa.lib, "_pandas_api", None)  # private: if a pyarrow lacks it, there is nothing to redo
                if api is not None:
                    api.version  # pyarrow's look for pandas, which now finds it

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_pandas() -> None:
    """Keep pyarrow from importing pandas, as it does the first time it converts any Python value: that costs
    0.4 s of CPU (a tenth of a 10^6-quote validation), and validation converts nothing to or from pandas.
    pyarrow looks for pandas once per process; should anything import pandas later, pyarrow is told."""
    if "pandas" in sys.modules or _PandasWatch in sys.meta_path:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.scalar(0)  # pyarrow's one look for pandas, which fails
    finally:
        sys.meta_path.remove(_NoPandas)
    sys.meta_path.insert(0, _PandasWatch)


def validate_package(folder: Path, report: Report | None = None, *, stock: bool = False,
                     progress: Callable[[str], None] | None = None) -> Report:
    """Validate the package whose root descriptor is folder/datapackage.json.

    `stock` adds the stock frictionless validator (slow: row by row) to the columnar pass;
    `progress` is called with the name of each step as it starts."""
    report = report or Report()
    step = progress or (lambda what: None)
    csv_descriptor, parquet_descriptor = folder / "datapackage.json", folder / PARQUET_DESCRIPTOR
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
    with ThreadPoolExecutor(1) as hasher, ThreadPoolExecutor(1) as background, _jemalloc():
        seeds = _SeedCheck(folder / "seeds" / "articles", background)
        try:
            return _validate(folder, report, stock, step, descriptors, _Files(descriptors, hasher), seeds)
        finally:
            seeds.cancel()  # when another check failed, it is not needed


@contextmanager
def _jemalloc() -> Iterator[None]:
    """Arrow's jemalloc pool while validating, where pyarrow has it: measured at 10^6 quotes against the default
    (mimalloc), peak memory 0.8-0.97 GB instead of 1.02-1.12 GB and less system time (fewer fresh pages)."""
    try:
        if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:  # the user chose a pool
            raise NotImplementedError
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _validate(folder: Path, report: Report, stock: bool, step: Callable[[str], None],
              descriptors: dict[Path, dict[str, Any]], files: _Files, seeds: _SeedCheck) -> Report:
    csv_descriptor, parquet_descriptor = descriptors
    resources = descriptors[csv_descriptor]["resources"]
    parity: dict[str, bool] = {}

    def visit(resource: dict[str, Any], cols: dict[str, fastcheck.Column]) -> None:
        seeds.visit(resource["name"], cols)  # may start the span check, which then runs beside what follows
        parity[resource["name"]] = _same_rows(folder, resource, cols, files)

    step("schema checks: datapackage.json")
    # The span check's tables first, so that it can start early: the articles (the seeds are read from then on),
    # then the span tables, the largest last; the span check then starts before that table's constraint checks
    # and Parquet comparison, and runs beside them.
    ordered = sorted(resources, key=lambda r: (r["name"] not in seeds.wanted, r["name"] != "articles",
                                               r.get("bytes") if r["name"] in seeds.wanted and isinstance(r.get("bytes"), int) else 0))
    tables = _columnar(folder, csv_descriptor, ordered, report, step, files, visit)
    if stock:
        step("frictionless: datapackage.json")
        _frictionless(folder, csv_descriptor, report)
    if _schemas(descriptors[csv_descriptor]) == _schemas(descriptors[parquet_descriptor]) and tables is not None:
        # Same schemas, and the parity check proves the Parquet rows equal the CSV rows, type for type:
        # checking them again would find the same things.
        report.add(f"Schema checks: {PARQUET_DESCRIPTOR}", True, "same Table Schemas as datapackage.json; rows compared below")
    else:
        _columnar(folder, parquet_descriptor, descriptors[parquet_descriptor]["resources"], report, step, files, None)
    if stock:
        step(f"frictionless: {PARQUET_DESCRIPTOR}")
        _frictionless(folder, parquet_descriptor, report)
    step("hashes")
    _hashes(folder, descriptors, files, report)
    if report.valid and tables is not None:
        step("CSV/Parquet parity")
        bad = [r["name"] for r in resources if not parity.get(r["name"])]
        report.add("CSV and Parquet hold identical rows and types", not bad, "differ for " + ", ".join(bad) if bad else "")
        step("spans")
        report.add(SPANS, *seeds.result())
    return report


def _schemas(package: dict[str, Any]) -> dict[str, Any]:
    return {r["name"]: r.get("schema") for r in package["resources"]}


class _SeedCheck:
    """The span check (seedcheck.py), started in the background once the articles and every span table are typed."""

    def __init__(self, seeds: Path, background: Executor):
        self.seeds, self.background, self.text = seeds, background, {}
        self.wanted: dict[str, tuple[str, ...]] = {}
        if seeds.is_dir():
            from .check import SPAN_TEXT  # imports the build's modules; only the span check needs it

            self.text = dict(SPAN_TEXT)
            self.wanted = {"articles": SEED_COLUMNS, **{t: (*SPAN_COLUMNS, c) for t, c in SPAN_TEXT.items()}}
        self.columns: dict[str, list[pa.Array]] = {}
        self.future: Future[tuple[list[str], int]] | None = None
        self.reader: SeedBatches | None = None  # once the articles table is typed
        self.stop = threading.Event()

    def visit(self, name: str, cols: dict[str, fastcheck.Column]) -> None:
        if name not in self.wanted or any(c not in cols for c in self.wanted[name]):
            return
        self.columns[name] = [cols[c].values for c in self.wanted[name]]
        from . import seedcheck

        if name == "articles":  # the seeds can be read and hashed while the span tables are typed
            self.reader = seedcheck.SeedBatches(self.seeds, *self.columns["articles"][1:])
        if len(self.columns) == len(self.wanted):
            spans = [seedcheck.Spans(t, c, *self.columns[t]) for t, c in self.text.items()]
            self.future = self.background.submit(seedcheck.check, self.seeds, *self.columns["articles"], spans, self.stop,
                                                 self.reader)

    def result(self) -> tuple[bool, str]:
        if not self.wanted:
            return True, "skipped: no seeds/articles/ beside this package"
        if self.future is None:
            lacking = [f"{t}.{c}" for t, columns in self.wanted.items() for c in columns if t not in self.columns]
            return False, "the package lacks " + ", ".join(lacking)
        try:
            shown, count = self.future.result()
        except (OSError, ValueError, TypeError, pa.ArrowException) as exc:  # columns of unexpected types, say
            return False, f"could not be checked: {exc}"
        return not count, "; ".join(shown) + (f" (and {count - len(shown)} more)" if count > len(shown) else "") if count else "all spans match"

    def cancel(self) -> None:
        """End it soon, if still running, and the reading of seeds (also when the check never started)."""
        self.stop.set()
        if self.reader is not None:
            self.reader.close()


def _columnar(folder: Path, descriptor: Path, resources: list[dict[str, Any]], report: Report, step: Callable[[str], None],
              files: _Files, visit: Callable | None) -> dict[str, dict[str, fastcheck.Column]] | None:
    name = descriptor.relative_to(folder).as_posix()
    try:
        errors, tables = fastcheck.scan(descriptor.parent, resources, lambda resource: step(f"schema checks: {resource}"),
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


def _hashes(folder: Path, descriptors: dict[Path, dict[str, Any]], files: _Files, report: Report) -> None:
    bad = []
    for d, package in descriptors.items():
        for r in package["resources"]:
            path = d.parent / r["path"]
            algorithm, _, digest = str(r.get("hash", "")).partition(":")
            size, found = files.size_and_digest(path, algorithm)
            if size != r.get("bytes", size) or not digest or found != digest:
                bad.append(path.relative_to(folder).as_posix())
    report.add("resource bytes and SHA-256 hashes", not bad, "differ for " + ", ".join(bad) if bad else "all match")


def _same_rows(folder: Path, resource: dict[str, Any], cols: dict[str, fastcheck.Column], files: _Files) -> bool:
    """The Parquet file holds the CSV's rows (as the columnar pass typed them), with the schema's types.
    Compared column by column, while the CSV's typed columns are in memory, from the bytes that are hashed."""
    from .export import arrow_schema  # imports the build's modules; only needed here

    schema = arrow_schema(resource["schema"])
    try:
        raw = pa.py_buffer(files.read(folder / "data" / "parquet" / f"{resource['name']}.parquet"))
        parquet = pq.ParquetFile(pa.BufferReader(raw))  # no dataset layer: less CPU than read_table
        rows = len(next(iter(cols.values())).values) if cols else 0
        if parquet.schema_arrow != schema or parquet.metadata.num_rows != rows:
            return False
        # One column at a time: only one decoded Parquet column is in memory beside the CSV's.
        return all(cols[f.name].values.type == f.type and
                   parquet.read(columns=[f.name], use_threads=False).column(0).equals(pa.chunked_array([cols[f.name].values]))
                   for f in schema)
    except (OSError, pa.ArrowException):  # unreadable: not the same rows
        return False


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
