"""The whole pipeline, in memory: load -> resolve -> check -> export -> describe."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import check, codebook, describe, export, figures, load, resolve
from .problems import Failed
from .project import OUTPUTS, Project


@dataclass(frozen=True)
class Build:
    schemas: load.Schemas
    resolution: resolve.Resolution
    files: dict[str, bytes]  # every output, by path relative to the project root
    skipped: dict[str, str]  # output -> why this environment cannot build it (left alone, not compared)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The entries of OUTPUTS this build writes and compares."""
        return tuple(rel for rel in OUTPUTS if rel not in self.skipped)


def build(project: Project, progress: Callable[[str], None] | None = None) -> Build:
    """Everything `tstalks build` writes, as bytes; raises Failed with every problem found.

    `progress` is called with the name of each stage as it starts."""
    step = progress or (lambda stage: None)
    step("load")
    schemas = load.load_schemas(project)
    codings = load.load_codings(project, schemas)
    step("resolve")
    resolution = resolve.resolve(codings)
    del codings  # the parsed YAML (and its line index) is the largest thing held; rows carry their origins now
    step("check")
    cow_iso = {int(row["code"]): row["description"] for row in schemas.codelists["cow_state"]}
    problems = check.check_schema_rules(resolution.tables, schemas.tables)
    problems += check.check_domain_rules(resolution.tables, resolution.texts, cow_iso)
    if problems:
        raise Failed(problems)
    step("export")
    files = export.export(resolution.tables, schemas.tables)
    sources = describe.sources_of(resolution.tables["articles"])
    files.update(describe.describe(schemas.package, sources, schemas.tables, files))
    files["data/README.md"] = describe.data_readme(schemas.tables, {n: len(r) for n, r in resolution.tables.items()})
    files[codebook.PATH] = codebook.codebook(schemas, (project.root / codebook.CONVENTIONS).is_file())
    skipped = {}
    if figures.available():
        files.update(figures.figures(resolution.tables, schemas.codelists))
    else:
        skipped[figures.FOLDER] = f"matplotlib is not installed ({figures.INSTALL_HINT}); left as it is and not compared"
    return Build(schemas, resolution, files, skipped)
