"""Release: a deterministic zip of the published package, and the ledger of published identifiers.

`dist/turkey-syria-talks-<version>.zip` holds one folder, `turkey-syria-talks-<version>/`, that stands alone:
the descriptors, data/ (CSV, Parquet, SQLite), schemas/, the generated docs, a README written for someone who
downloaded the data (rendered from releases/templates/README.md: what it is, how to cite, load and check it, the
licences), CITATION.cff, LICENSE, CHANGELOG, the ledger, the R loader, the seed texts with their licence note
(so that the unzipped release validates completely, the span check included; they remain their publishers'
copyright, included only so that every span can be verified) and a SHA256SUMS file (`sha256sum -c SHA256SUMS`
checks it). Same inputs, same bytes: entries sorted, timestamps fixed, permissions fixed.

`tstalks release` refuses while the version state does not add up (publish/versions.py).

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
from .versions import version_problems

DIST = "dist"
LEDGER = "releases/id-ledger.csv"
LEDGER_FIELDS = ("table", "id", "first_version", "withdrawn_in", "reason")
REQUIRED = ("LICENSE", "CITATION.cff", "CHANGELOG.md", "docs/versioning.md", "docs/conventions.md",
            "scripts/load_package.R")  # copied as they are; the README links each
TEMPLATES = "releases/templates"  # README.md and seeds-README.md of the zip, with {{placeholders}}
SEEDS = "seeds/articles"
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
        first, now = _semver(row["first_version"]), _semver(version)
        if first is None:
            problems.append(Problem(LEDGER, n, where, f"first_version '{row['first_version']}' is not a version",
                                    "write MAJOR.MINOR.PATCH"))
        elif now is not None and first > now:
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

def release(project: Project, built: Build) -> Release:
    """The release of the committed package; raises Failed when it is not ready to be released."""
    root = project.root
    version = built.schemas.package["version"]
    name = f"{built.schemas.package['name']}-{version}"
    problems = [Problem(rel, None, "", "differs from a fresh build", "run `tstalks build`, review and commit")
                for rel in stage.differences(root, built.files, built.outputs)]
    problems += [Problem(rel, None, "", "missing; a release includes it", f"add {rel}")
                 for rel in (*REQUIRED, f"{TEMPLATES}/README.md", f"{TEMPLATES}/seeds-README.md")
                 if not (root / rel).is_file()]
    ledger_path = root / LEDGER
    ledger = read_ledger(ledger_path.read_text("utf-8")) if ledger_path.is_file() else []
    current = published_ids(built.tables, built.schemas.tables)
    problems += ledger_problems(ledger, current, version)
    problems += version_problems(root, version, ledger, current, LEDGER)
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
        files.update(_tree(root, rel))
    files.update(_tree(root, "schemas"))
    for rel in REQUIRED:
        files[rel] = (root / rel).read_bytes()
    for path in sorted(p for p in (root / SEEDS).iterdir() if p.is_file() and not p.name.startswith(".")):
        files[f"{SEEDS}/{path.name}"] = path.read_bytes()
    files[LEDGER] = ledger
    files["README.md"] = readme(root, built)
    files["seeds/README.md"] = _render((root / TEMPLATES / "seeds-README.md").read_text("utf-8"), {
        "outlets": ", ".join(sorted({str(o) for o in built.tables["articles"].column("outlet").to_pylist()}))},
        f"{TEMPLATES}/seeds-README.md")
    return files


def _tree(root: Path, rel: str) -> dict[str, bytes]:
    """Every file under the folder `rel` of the checkout (none if it is not a folder), by its path."""
    folder = root / rel
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if folder.is_dir() else []
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}


def readme(root: Path, built: Build) -> bytes:
    """The zip's README: releases/templates/README.md with the version, date, citation, tables and the number of
    articles filled in."""
    package = built.schemas.package
    cff = yaml.safe_load((root / "CITATION.cff").read_text("utf-8"))
    date = str(cff["date-released"])
    authors = "; ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in cff["authors"])
    tables = "\n".join(f"| `{name}` | {built.tables[name].num_rows:,} | {schema['description']} |"
                       for name, schema in built.schemas.tables.items())
    return _render((root / TEMPLATES / "README.md").read_text("utf-8"), {
        "title": package["title"], "version": package["version"], "date": date, "tables": tables,
        "articles": f"{built.tables['articles'].num_rows:,}",
        "citation": f"{authors} ({date[:4]}). *{cff['title']}* (Version {package['version']}) [Data set]."},
        f"{TEMPLATES}/README.md")


def _render(template: str, values: dict[str, str], name: str) -> bytes:
    """`template` with each {{name}} replaced; a placeholder without a value is refused, not left in."""
    unknown = sorted(set(re.findall(r"\{\{(\w+)\}\}", template)) - set(values))
    if unknown:
        raise Failed([Problem(name, None, "", f"has the placeholder {{{{{unknown[0]}}}}}, which tstalks release does not "
                              f"fill", f"use only {', '.join('{{' + v + '}}' for v in values)}")])
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template).encode("utf-8")


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
    result = release(project, stage.adopt_sqlite(project.root, build(project)))
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
