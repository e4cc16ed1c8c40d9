"""The whole pipeline: load -> resolve -> check -> export -> describe.

Streamed where the corpus grows: article codings, registry entries and seeds are read one at a time, each
row is resolved and checked as it comes and turned into Arrow columns in batches, so memory holds the
tables' columns, not the parsed codings, the seeds or Python rows. What the build makes is bytes in memory;
writing them (after validating them) is the publish stage's."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa

from ..core.problems import Failed, Problem
from ..core.project import CODEBOOK, CONVENTIONS, FIGURES, OUTPUTS, Project
from ..core.schemas import Schemas, load_schemas
from ..core.sqlite import sqlite_path
from . import check, codebook, codings, describe, export, figures, resolve, sqlite

PROGRESS_EVERY = 1000  # articles between progress updates
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Build:
    schemas: Schemas
    tables: dict[str, pa.Table]  # every table as published: the schema's columns, typed, sorted by primary key
    files: dict[str, bytes]  # every output, by path relative to the project root
    skipped: dict[str, str]  # output -> why this environment cannot build it (left alone, not compared)
    notes: tuple[str, ...] = ()  # what a reader of the result should know (an output adopted from the checkout)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The entries of OUTPUTS this build writes and compares."""
        return tuple(rel for rel in OUTPUTS if rel not in self.skipped)


def build(project: Project, progress: Progress | None = None) -> Build:
    """Everything `tstalks build` writes, as bytes; raises Failed with every problem found.

    `progress` is called with the name of each stage as it starts (and every thousand articles)."""
    step = progress or (lambda stage: None)
    step("load")
    schemas = load_schemas(project.schemas)
    tables = _tables(project, schemas, step)
    step("export")
    files = export.export(tables, schemas.tables)
    step("sqlite")
    files[sqlite_path(schemas.package)] = _sqlite(tables, schemas)
    files.update(describe.describe(schemas.package, _sources(tables), schemas.tables, files))
    files["data/README.md"] = describe.data_readme(schemas.tables, {n: t.num_rows for n, t in tables.items()})
    files[CODEBOOK] = codebook.codebook(schemas, (project.root / CONVENTIONS).is_file())
    skipped = _figures(tables, schemas, files, step)
    return Build(schemas, tables, files, skipped)


def _sqlite(tables: dict[str, pa.Table], schemas: Schemas) -> bytes:
    try:
        return sqlite.to_sqlite(tables, schemas.tables, schemas.codelists, schemas.package)
    except ValueError as exc:  # a schema the file cannot hold (a type without a SQLite mapping, a reserved name)
        raise Failed([Problem("schemas/", None, "", f"the SQLite file cannot hold the tables: {exc}",
                              "change the schema named, or the name it clashes with")]) from None


def _sources(tables: dict[str, pa.Table]) -> list[dict[str, object]]:
    return describe.sources_of(tables["articles"].select(["article_id", "outlet", "title", "url"]).to_pylist())


def with_file(result: Build, rel: str, raw: bytes, note: str) -> Build:
    """The build with the data file `rel` replaced by `raw` (the descriptors describing it anew), and `note`."""
    files = {**result.files, rel: raw}
    files.update(describe.describe(result.schemas.package, _sources(result.tables), result.schemas.tables, files))
    return Build(result.schemas, result.tables, files, result.skipped, (*result.notes, note))


def _tables(project: Project, schemas: Schemas, step: Progress) -> dict[str, pa.Table]:
    """The published tables, resolved and checked; raises Failed with the codings' problems, else the rows'."""
    problems: list[Problem] = []  # the codings' own: unreadable, off-schema, unresolvable
    checked: list[Problem] = []  # the rows': only reported when the codings have none (they would mislead)
    texts: dict[str, resolve.ArticleText] = {}
    reported: set[str] = set()  # articles and seeds refused already: one problem per cause
    read_seed = codings.SeedReader(project, problems, reported=reported, capture_schema=schemas.codings.get("capture"))
    row_checks = check.RowChecks(schemas)

    def rows() -> Iterator[tuple[str, resolve.Row]]:
        articles = 0
        for name, row in resolve.rows(schemas, codings.read_articles(project, schemas, problems, reported),
                                      lambda kind: codings.read_entries(project, schemas, kind, problems),
                                      read_seed, texts, problems, reported=reported):
            checked.extend(row_checks(name, row, texts))
            if name == "articles":
                articles += 1
                if articles % PROGRESS_EVERY == 0:
                    step(f"resolve: {articles} articles")
            yield name, row

    step("resolve")
    collected = export.collect(rows(), schemas.tables)
    read_seed.check_unread(every_coding_read=not reported)
    if problems:
        raise Failed(problems)
    step("check")
    checked += check.table_problems(collected, schemas)
    if checked:
        raise Failed(checked)
    return {name: export.published(collected.pop(name), schema) for name, schema in schemas.tables.items()}


def _figures(tables: dict[str, pa.Table], schemas: Schemas, files: dict[str, bytes], step: Progress) -> dict[str, str]:
    """Add the figures to `files` where they can be drawn; returns what was skipped, and why."""
    too_large = figures.too_large(tables)
    if not figures.available():
        return {FIGURES: f"matplotlib is not installed ({figures.INSTALL_HINT}); left as it is and not compared"}
    if too_large:
        return {FIGURES: f"{too_large}; left as it is and not compared"}
    step("figures")
    files.update(figures.figures(tables, schemas.codelists))
    return {}
