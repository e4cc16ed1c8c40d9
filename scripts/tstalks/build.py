"""The whole pipeline: load -> resolve -> check -> export -> describe.

Streamed where the corpus grows: article codings, registry entries and seeds are read one at a time, each
row is resolved and checked as it comes and turned into Arrow columns in batches, so memory holds the
tables' columns, not the parsed codings, the seeds or Python rows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import pyarrow as pa

from . import check, codebook, describe, export, figures, load, resolve
from .problems import Failed, Problem
from .project import OUTPUTS, Project

PROGRESS_EVERY = 1000  # articles between progress updates


@dataclass(frozen=True)
class Build:
    schemas: load.Schemas
    tables: dict[str, pa.Table]  # every table as published: the schema's columns, typed, sorted by primary key
    files: dict[str, bytes]  # every output, by path relative to the project root
    skipped: dict[str, str]  # output -> why this environment cannot build it (left alone, not compared)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The entries of OUTPUTS this build writes and compares."""
        return tuple(rel for rel in OUTPUTS if rel not in self.skipped)


def build(project: Project, progress: Callable[[str], None] | None = None) -> Build:
    """Everything `tstalks build` writes, as bytes; raises Failed with every problem found.

    `progress` is called with the name of each stage as it starts (and every thousand articles)."""
    step = progress or (lambda stage: None)
    step("load")
    schemas = load.load_schemas(project)
    cow_iso = {int(row["code"]): row["description"] for row in schemas.codelists["cow_state"]}
    problems: list[Problem] = []  # the codings' own: unreadable, off-schema, unresolvable
    checked: list[Problem] = []  # the rows': only reported when the codings have none (they would mislead)
    texts: dict[str, resolve.ArticleText] = {}
    read_seed = load.SeedReader(project, problems)

    def rows() -> Iterator[tuple[str, resolve.Row]]:
        articles = 0
        for name, row in resolve.rows(load.read_articles(project, schemas, problems),
                                      lambda kind: load.read_entries(project, schemas, kind, problems),
                                      read_seed, texts, problems):
            checked.extend(check.row_problems(name, row, texts, cow_iso))
            if name == "articles":
                articles += 1
                if articles % PROGRESS_EVERY == 0:
                    step(f"resolve: {articles} articles")
            yield name, row

    step("resolve")
    collected = export.collect(rows(), schemas.tables)
    read_seed.check_unread()
    if problems:
        raise Failed(problems)
    step("check")
    checked += check.table_problems(collected, schemas.tables)
    if checked:
        raise Failed(checked)
    step("export")
    tables = {name: export.published(collected.pop(name), schema) for name, schema in schemas.tables.items()}
    files = export.export(tables, schemas.tables)
    sources = describe.sources_of(tables["articles"].select(["article_id", "outlet", "title", "url"]).to_pylist())
    files.update(describe.describe(schemas.package, sources, schemas.tables, files))
    files["data/README.md"] = describe.data_readme(schemas.tables, {n: t.num_rows for n, t in tables.items()})
    files[codebook.PATH] = codebook.codebook(schemas, (project.root / codebook.CONVENTIONS).is_file())
    skipped = {}
    too_large = figures.too_large(tables)
    if not figures.available():
        skipped[figures.FOLDER] = f"matplotlib is not installed ({figures.INSTALL_HINT}); left as it is and not compared"
    elif too_large:
        skipped[figures.FOLDER] = f"{too_large}; left as it is and not compared"
    else:
        step("figures")
        files.update(figures.figures(tables, schemas.codelists))
    return Build(schemas, tables, files, skipped)
