"""Where things live in a turkey-syria-talks checkout. Only the CLI builds one of these from a path."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Files and folders that `tstalks build` writes; everything else is curated or raw.
# docs/figures is written only where matplotlib is installed (the `[figures]` extra); see build.Build.skipped.
OUTPUTS = ("datapackage.json", "data", "docs/codebook.md", "docs/figures")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "seeds" / "articles"

    @property
    def codings(self) -> Path:
        return self.root / "seeds" / "codings"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that has schemas/package.json."""
    for folder in (start, *start.parents):
        if (folder / "schemas" / "package.json").is_file():
            return folder
    return None
