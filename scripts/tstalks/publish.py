"""Write a build's outputs atomically, or compare them with what is committed."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .project import OUTPUTS


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
