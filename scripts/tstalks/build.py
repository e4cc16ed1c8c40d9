"""The whole pipeline, in memory: load -> resolve -> check -> export -> describe."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import check, describe, export, load, resolve
from .problems import Failed
from .project import Project


@dataclass(frozen=True)
class Build:
    schemas: load.Schemas
    resolution: resolve.Resolution
    files: dict[str, bytes]  # every output, by path relative to the project root


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
    return Build(schemas, resolution, files)
