"""`tstalks release`, `tstalks partition-parquet` and `tstalks synth`."""
from __future__ import annotations

from pathlib import Path

import click

from ..core.problems import Failed
from .shell import fail, project_at, root_option


@click.command()
@root_option
@click.option("--dist", "dist", type=click.Path(file_okay=False), default=None,
              help="Folder for the zip (default: dist/ in the checkout).")
def release(root: str | None, dist: str | None) -> None:
    """Write dist/turkey-syria-talks-<version>.zip, a folder that stands alone: descriptors, data/ (CSV, Parquet,
    SQLite), schemas/, docs, its own README, the seeds with their licence note, CITATION.cff, LICENSE, CHANGELOG
    and SHA256SUMS, deterministically; and record the identifiers it publishes in releases/id-ledger.csv (commit
    that file with the release).

    Refuses when the committed outputs differ from a fresh build, a required file is missing, or the version
    state does not add up: schemas/package.json, CITATION.cff (version, date-released) and CHANGELOG.md's latest
    heading disagree, entries wait under [Unreleased], or the ledger lacks identifiers of a version it shows was
    released (see docs/versioning.md). The zip is unpacked and validated before it is written.
    """
    from ..publish import release as releasing

    project = project_at(root)
    try:
        written = releasing.write_release(project, Path(dist).resolve() if dist else None)
    except Failed as exc:
        fail(exc.problems, "No release was written.")
    click.echo(f"Wrote {project.relative(written.zip)} ({written.files} files, {written.size} bytes, sha256 {written.sha256}).")
    click.echo(f"Recorded {written.new_ids} newly published identifier(s) in {releasing.LEDGER}; commit it with the release.")


@click.command("partition-parquet")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="New folder for the partitioned tables (outside data/: the build does not publish them).")
@root_option
def partition_parquet(out: str, root: str | None) -> None:
    """Copy the article-linked tables of the built Parquet export into a hive-partitioned layout by year of
    publication (OUT/quotes/year=2023/part-0.parquet ...), which DuckDB, Spark, Polars and BigQuery read as
    one table per folder. See docs/performance.md."""
    from ..core.schemas import load_schemas
    from ..publish.partition import partition_by_year

    project = project_at(root)
    try:
        tables = list(load_schemas(project.schemas).span_tables)
        written = partition_by_year(project.root / "data" / "parquet", Path(out), tables)
    except Failed as exc:
        fail(exc.problems, "Nothing was written.")
    click.echo("Wrote " + ", ".join(f"{name} {n} rows" for name, n in written.items()) + f" under {out}.")


@click.command()
@click.argument("n", type=click.IntRange(min=1))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New folder to write the project into.")
@click.option("--seed", default=0, show_default=True, help="Random seed; the same N and seed write the same bytes.")
@root_option
def synth(n: int, out: str, seed: int, root: str | None) -> None:
    """Write a synthetic project with N quotes into OUT (schemas copied from this checkout), for scale tests.

    The result builds with `tstalks build --root OUT`. Its text is filler, never data."""
    from ..curate.synth import synth as write_corpus

    try:
        counts = write_corpus(n, Path(out), project_at(root).schemas, seed)
    except Failed as exc:
        fail(exc.problems, "Nothing was written.")
    click.echo("Wrote " + ", ".join(f"{k_} {v}" for k_, v in counts.items()) + f" to {out}.")


COMMANDS = (release, partition_parquet, synth)
