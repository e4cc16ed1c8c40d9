"""Where things live in a turkey-syria-talks checkout: the inputs (raw seeds, curated codings, schemas) and the
outputs `tstalks build` writes. Only the CLI builds a Project from a path the user gives."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Outputs, relative to the project root. Everything else is curated or raw.
CSV_DESCRIPTOR = "datapackage.json"
PARQUET_DESCRIPTOR = "data/parquet/datapackage.json"
DATA = "data"
CODEBOOK = "docs/codebook.md"
FIGURES = "docs/figures"  # written only where matplotlib is installed (the `[figures]` extra)
OUTPUTS = (CSV_DESCRIPTOR, DATA, CODEBOOK, FIGURES)
# Left in the project root by `tstalks build` while it runs (never committed: .gitignore has .tstalks-*).
LOCK = ".tstalks-build.lock"  # held (flock) by the build that is running
JOURNAL = ".tstalks-swap.json"  # written before the outputs are replaced, removed once they all are
# Hand-written documentation the outputs link to when present.
CONVENTIONS = "docs/conventions.md"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def articles(self) -> Path:
        """seeds/articles/: the raw texts, frozen."""
        return self.root / "seeds" / "articles"

    @property
    def codings(self) -> Path:
        """seeds/codings/: the curated YAML files."""
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
