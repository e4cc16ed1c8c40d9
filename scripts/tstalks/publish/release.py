"""Release: a deterministic zip of the published package, and the ledger of published identifiers.

`dist/turkey-syria-talks-<version>.zip` holds one folder, `turkey-syria-talks-<version>/`, with the
descriptors, data/, schemas/, the generated docs, README, CITATION.cff, LICENSE, CHANGELOG and a
SHA256SUMS file (`sha256sum -c SHA256SUMS` checks it). Same inputs, same bytes: entries sorted,
timestamps fixed, permissions fixed. The seed texts are not included: they are their publishers'
copyright, so a validation of the unzipped bundle skips the span check and says so.

The ledger (releases/id-ledger.csv) records every identifier each release published, so that
identifiers only grow: one that was published must stay in the data, unless the ledger marks it
withdrawn (with the version and a reason), and a withdrawn identifier never comes back.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..build.pipeline import Build, build
from ..core.problems import Failed, Problem
from ..core.project import Project
from ..validate import validate_package
from . import stage

DIST = "dist"
LEDGER = "releases/id-ledger.csv"
LEDGER_FIELDS = ("table", "id", "first_version", "withdrawn_in", "reason")
REQUIRED = ("README.md", "LICENSE", "CITATION.cff", "CHANGELOG.md")
OPTIONAL_DOCS = ("docs/versioning.md", "docs/conventions.md", "scripts/load_package.R")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Release:
    name: str  # turkey-syria-talks-<version>, the folder inside the zip
    path: str  # where the zip goes, relative to the project root
    zip: bytes
    ledger: bytes  # releases/id-ledger.csv with this release's new identifiers added
    new_ids: int
    files: int  # entries in the zip


# ---------------------------------------------------------------- identifiers

def published_ids(tables: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(table, id) of every row of a published (Arrow) table whose primary key is one column: the identifiers
    people cite."""
    found: set[tuple[str, str]] = set()
    for name, schema in schemas.items():
        if len(schema["primaryKey"]) == 1 and name in tables:
            found.update((name, str(v)) for v in tables[name][schema["primaryKey"][0]].to_pylist())
    return found


def read_ledger(raw: str) -> list[dict[str, str]]:
    return [{k: (row.get(k) or "") for k in LEDGER_FIELDS} for row in csv.DictReader(io.StringIO(raw))]


def write_ledger(rows: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=LEDGER_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["table"], r["id"])):
        writer.writerow({k: row.get(k, "") for k in LEDGER_FIELDS})
    return out.getvalue().encode("utf-8")


def ledger_problems(ledger: list[dict[str, str]], current: set[tuple[str, str]], version: str) -> list[Problem]:
    """Identifiers that went missing, came back, or were recorded twice or for a future version."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(ledger, start=2):
        key = (row["table"], row["id"])
        where = f"{row['table']} {row['id']}"
        if key in seen:
            problems.append(Problem(LEDGER, n, where, "identifier recorded twice", "keep one row per identifier"))
        seen.add(key)
        if not _semver(row["first_version"]):
            problems.append(Problem(LEDGER, n, where, f"first_version '{row['first_version']}' is not a version",
                                    "write MAJOR.MINOR.PATCH"))
        elif (package := _semver(version)) and (first := _semver(row["first_version"])) and first > package:
            problems.append(Problem(LEDGER, n, where, f"first published in {row['first_version']}, after the "
                                    f"package's version {version}", "the package version must only grow"))
        if row["withdrawn_in"]:
            if key in current:
                problems.append(Problem(LEDGER, n, where, f"withdrawn in {row['withdrawn_in']} but back in the data",
                                        "identifiers are never reused: give the row a new identifier"))
            if not row["reason"]:
                problems.append(Problem(LEDGER, n, where, "withdrawn without a reason", "say why in `reason`"))
        elif key not in current:
            problems.append(Problem(LEDGER, n, where, f"published in {row['first_version']} but no longer in the data",
                                    "restore the row under the same identifier, or mark it withdrawn "
                                    "(withdrawn_in, reason) in a new major version, see docs/versioning.md"))
    return problems


def record(ledger: list[dict[str, str]], current: set[tuple[str, str]], version: str) -> tuple[list[dict[str, str]], int]:
    """The ledger with every identifier not yet in it added as first published in `version`."""
    known = {(r["table"], r["id"]) for r in ledger}
    new = [{"table": t, "id": i, "first_version": version, "withdrawn_in": "", "reason": ""}
           for t, i in sorted(current - known)]
    return ledger + new, len(new)


def _semver(text: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", text or "")
    return tuple(map(int, match.groups())) if match else None  # type: ignore[return-value]


# ---------------------------------------------------------------- the bundle

def changelog_versions(text: str) -> list[tuple[str, str]]:
    """(version, date) of each release heading `## [x.y.z] - YYYY-MM-DD`, in file order."""
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", text, flags=re.MULTILINE)


def release(project: Project, built: Build) -> Release:
    """The release of the committed package; raises Failed when it is not ready to be released."""
    root = project.root
    version = built.schemas.package["version"]
    name = f"{built.schemas.package['name']}-{version}"
    problems = [Problem(rel, None, "", "differs from a fresh build", "run `tstalks build`, review and commit")
                for rel in stage.differences(root, built.files, built.outputs)]
    problems += [Problem(rel, None, "", "missing; a release includes it", f"add {rel}")
                 for rel in REQUIRED if not (root / rel).is_file()]
    if (root / "CITATION.cff").is_file():
        cff = yaml.safe_load((root / "CITATION.cff").read_text("utf-8")) or {}
        if str(cff.get("version")) != version:
            problems.append(Problem("CITATION.cff", None, "version", f"is {cff.get('version')!r}, the package is {version}",
                                    "make CITATION.cff's version (and date-released) match schemas/package.json"))
    if (root / "CHANGELOG.md").is_file():
        released = changelog_versions((root / "CHANGELOG.md").read_text("utf-8"))
        if not released or released[0][0] != version:
            problems.append(Problem("CHANGELOG.md", None, "", f"the latest release heading is not {version}",
                                    f"add `## [{version}] - YYYY-MM-DD` above the older releases"))
    ledger_path = root / LEDGER
    ledger = read_ledger(ledger_path.read_text("utf-8")) if ledger_path.is_file() else []
    current = published_ids(built.tables, built.schemas.tables)
    problems += ledger_problems(ledger, current, version)
    if problems:
        raise Failed(problems)
    ledger, new_ids = record(ledger, current, version)
    ledger_bytes = write_ledger(ledger)
    contents = _contents(root, built, ledger_bytes)
    return Release(name, f"{DIST}/{name}.zip", bundle(name, contents), ledger_bytes, new_ids, len(contents) + 1)


def _contents(root: Path, built: Build, ledger: bytes) -> dict[str, bytes]:
    """Every file of the bundle, by path inside it (before SHA256SUMS)."""
    files = {rel: raw for rel, raw in built.files.items()}
    for rel in built.skipped:  # not built here, but committed and shown by the README: ship the committed copy
        folder = root / rel
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    for path in sorted(p for p in (root / "schemas").rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in (*REQUIRED, *OPTIONAL_DOCS):
        if (root / rel).is_file():
            files[rel] = (root / rel).read_bytes()
    files[LEDGER] = ledger
    return files


def sha256sums(files: dict[str, bytes]) -> bytes:
    """The `sha256sum` format: one `<hex>  <path>` line per file, sorted by path."""
    return "".join(f"{hashlib.sha256(raw).hexdigest()}  {rel}\n" for rel, raw in sorted(files.items())).encode("utf-8")


def bundle(name: str, files: dict[str, bytes]) -> bytes:
    """A deterministic zip with every file under `name/`, plus name/SHA256SUMS."""
    entries = {**files, SUMS: sha256sums(files)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for rel in sorted(entries):
            info = zipfile.ZipInfo(f"{name}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[rel], compresslevel=9)
    return out.getvalue()


def unpacked_failures(raw: bytes, validate: Any) -> list[str]:
    """Unzip a bundle into a temporary folder and run `validate(folder) -> list[str]` on the package in it."""
    with tempfile.TemporaryDirectory(prefix="tstalks-release-") as tmp:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            archive.extractall(tmp)
        folders = [p for p in Path(tmp).iterdir() if p.is_dir()]
        if len(folders) != 1:
            return [f"the zip should hold one folder, it holds {len(folders)}"]
        return validate(folders[0])


@dataclass(frozen=True)
class Written:
    zip: Path
    sha256: str
    size: int
    files: int
    new_ids: int


def write_release(project: Project, dist: Path | None = None) -> Written:
    """Build, check that the committed package may be released, validate the unpacked zip, then write the zip
    (to `dist`, default dist/) and the ledger. Raises Failed, writing nothing, when any of that fails."""
    result = release(project, build(project))
    failures = unpacked_failures(result.zip, lambda folder: validate_package(folder).failures())
    if failures:
        raise Failed([Problem(result.path, None, "", f"the unpacked bundle does not validate: {f}",
                              "fix what the validation reports, then release again") for f in failures])
    target = (dist or project.root / DIST) / f"{result.name}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.zip)
    ledger = project.root / LEDGER
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(result.ledger)
    return Written(target, hashlib.sha256(result.zip).hexdigest(), len(result.zip), result.files, result.new_ids)
