"""Make throwaway copies of this checkout for tests that build, break or rebuild it."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("schemas", "seeds", "data", "docs", "datapackage.json")


def copy_project(into: Path) -> Path:
    """A copy of the curated inputs and committed outputs, enough to run `tstalks build` in."""
    into.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part)
        elif source.is_file():
            shutil.copy2(source, into / part)
    return into


def copy_release_checkout(into: Path) -> Path:
    """A copy with everything `tstalks release` bundles: inputs, outputs, citation, changelog, licence, R loader."""
    copy_project(into)
    shutil.copytree(ROOT / "releases", into / "releases")
    for rel in ("CITATION.cff", "CHANGELOG.md", "README.md", "LICENSE", "scripts/load_package.R"):
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, into / rel)
    return into


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output file's bytes, to prove a failed build left them untouched."""
    files = {}
    for part in ("data", "datapackage.json"):
        path = root / part
        for f in sorted([path] if path.is_file() else path.rglob("*")):
            if f.is_file():
                files[f.relative_to(root).as_posix()] = f.read_bytes()
    return files
