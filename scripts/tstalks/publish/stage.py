"""Publish a build: stage its outputs, validate the staged package, and only then swap it in; or compare the
outputs with what is committed. Every caller of `publish` gets the validation: it is not the CLI's to wire."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..build.pipeline import Build, build
from ..core.project import OUTPUTS, Project
from ..validate import validate_package


def stage(root: Path, files: dict[str, bytes]) -> Path:
    """Write every output under a fresh staging folder inside `root` (same filesystem, so swaps are renames)."""
    staging = Path(tempfile.mkdtemp(prefix=".tstalks-stage-", dir=root))
    for rel, raw in files.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
    return staging


def swap_in(root: Path, staging: Path, outputs: tuple[str, ...] = OUTPUTS) -> None:
    """Replace each of `outputs` in `root` by the staged one; on any failure put the old ones back."""
    backup = Path(tempfile.mkdtemp(prefix=".tstalks-backup-", dir=root))
    moved: list[str] = []
    try:
        for rel in outputs:
            current, new = root / rel, staging / rel
            if current.exists():
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                current.rename(backup / rel)
                moved.append(rel)
            if new.exists():
                current.parent.mkdir(parents=True, exist_ok=True)
                new.rename(current)
    except BaseException:
        for rel in moved:
            current = root / rel
            if current.is_dir():
                shutil.rmtree(current)
            elif current.exists():
                current.unlink()
            (backup / rel).rename(current)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def write(root: Path, files: dict[str, bytes], validate: Callable[[Path], list[str]],
          outputs: tuple[str, ...] = OUTPUTS) -> list[str]:
    """Stage, validate the staged package, and swap it in only if valid. Returns the validation failures."""
    staging = stage(root, files)
    try:
        failures = validate(staging)
        if failures:
            return failures
        swap_in(root, staging, outputs)
        return []
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def differences(root: Path, files: dict[str, bytes], outputs: tuple[str, ...] = OUTPUTS) -> list[str]:
    """Output paths whose committed bytes differ from `files`, plus stale files no build writes (within `outputs`)."""
    changed = [rel for rel, raw in sorted(files.items())
               if not (root / rel).is_file() or (root / rel).read_bytes() != raw]
    for rel in outputs:
        path = root / rel
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                name = f.relative_to(root).as_posix()
                if name not in files:
                    changed.append(f"{name} (no build writes it)")
    return changed


@dataclass(frozen=True)
class Published:
    rows: dict[str, int]  # rows per table
    files: int  # files written
    skipped: dict[str, str]  # outputs this environment could not build, and why
    failures: list[str]  # why the staged package did not validate (nothing was replaced)


def publish(project: Project, progress: Callable[[str], None] | None = None) -> Published:
    """Build the project, validate what it wrote in a staging folder, and swap it in only when valid.
    Raises Failed (nothing written) when the inputs have problems."""
    result = build(project, progress=progress)
    rows = {name: table.num_rows for name, table in result.tables.items()}
    files, outputs, skipped = result.files, result.outputs, result.skipped
    del result  # the tables' columns are not needed to validate what was written; free them first
    failures = write(project.root, files, lambda folder: validate_package(folder, progress=progress).failures(), outputs)
    return Published(rows, len(files), skipped, failures)


def check(project: Project, progress: Callable[[str], None] | None = None) -> tuple[Build, list[str]]:
    """A fresh build, and the committed outputs that differ from it (written nothing)."""
    result = build(project, progress=progress)
    return result, differences(project.root, result.files, result.outputs)
