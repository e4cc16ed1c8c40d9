"""The `tstalks` command: a thin shell over the stages. Only this module touches the terminal."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import click

from . import build as pipeline
from . import publish
from .problems import Failed
from .project import Project, find_root
from .validate import fetched, validate_package


def _project(root: str | None) -> Project:
    found = Path(root).resolve() if root else find_root(Path.cwd().resolve())
    if found is None or not (found / "schemas" / "package.json").is_file():
        raise click.UsageError("not inside a turkey-syria-talks checkout (no schemas/package.json here or above); "
                               "cd into one or pass --root")
    return Project(found)


@contextmanager
def _progress(what: str) -> Iterator[Callable[[str], None]]:
    """A progress line on stderr while a long step runs; silent when stderr is not a terminal."""
    from tqdm import tqdm

    with tqdm(desc=what, unit=" steps", disable=not sys.stderr.isatty(), leave=False) as bar:
        def step(name: str) -> None:
            bar.set_postfix_str(name, refresh=False)
            bar.update(1)
        yield step


def _fail(problems: list, footer: str) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    click.echo(f"\n{len(problems)} problem(s). {footer}", err=True)
    sys.exit(1)


root_option = click.option("--root", type=click.Path(file_okay=False, exists=True),
                           help="Project folder (default: the checkout containing the current folder).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="turkey-syria-talks")
def main() -> None:
    """Build, validate and extend the turkey-syria-talks data package."""


@main.command()
@root_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the committed outputs differ from a fresh build.")
def build(root: str | None, check: bool) -> None:
    """Build data/ and datapackage.json from seeds/ and schemas/, validating before anything is replaced.

    Atomic: outputs are written to a staging folder, validated (the columnar checks of `tstalks validate`, which
    report what Frictionless reports), and swapped in only when every check passes; a failed build leaves the
    previous outputs untouched.
    """
    project = _project(root)
    try:
        with _progress("build") as step:
            result = pipeline.build(project, progress=step)
    except Failed as exc:
        _fail(exc.problems, "Nothing was written; data/ and datapackage.json are as they were.")
    if check:
        changed = publish.differences(project.root, result.files)
        if changed:
            click.echo("The committed outputs differ from a fresh build:", err=True)
            for rel in changed:
                click.echo(f"  {rel}", err=True)
            click.echo("Run: tstalks build   (then review and commit the changes)", err=True)
            sys.exit(1)
        click.echo(f"Up to date: {len(result.files)} output files match a fresh build.")
        return
    with _progress("validate staged package") as step:
        failures = publish.write(project.root, result.files, lambda folder: validate_package(folder, progress=step).failures())
    if failures:
        click.echo("The built package does not validate; nothing was replaced:", err=True)
        for line in failures:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in result.resolution.tables.items())
    click.echo(f"Built and validated {len(result.files)} files. Rows: {counts}.")


@main.command()
@click.argument("descriptor", required=False)
@root_option
@click.option("--frictionless", "stock", is_flag=True,
              help="Also run the stock frictionless validator (row by row: minutes on a large package).")
def validate(descriptor: str | None, root: str | None, stock: bool) -> None:
    """Validate a published package: DESCRIPTOR is a datapackage.json path, its folder, or an http(s) URL
    (default: this checkout's). Checks every resource against its Table Schema (types, constraints, unique
    fields, primary and foreign keys) in both formats with a columnar pass that reports what frictionless
    reports, resource hashes, CSV/Parquet parity and, where seeds/ is beside the package, every span
    against its seed text. Exit 0 only when valid."""
    location = descriptor or str(_project(root).root)
    with fetched(location) as folder, _progress("validate") as step:
        report = validate_package(folder, stock=stock, progress=step)
    for what, ok, detail in report.checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
    click.echo("valid" if report.valid else "NOT VALID")
    sys.exit(0 if report.valid else 1)


@main.command()
@click.argument("n", type=click.IntRange(min=1))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New folder to write the project into.")
@click.option("--seed", default=0, show_default=True, help="Random seed; the same N and seed write the same bytes.")
@root_option
def synth(n: int, out: str, seed: int, root: str | None) -> None:
    """Write a synthetic project with N quotes into OUT (schemas copied from this checkout), for scale tests.

    The result builds with `tstalks build --root OUT`. Its text is filler, never data."""
    from .synth import synth as write_corpus

    counts = write_corpus(n, Path(out), _project(root).schemas, seed)
    click.echo("Wrote " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" to {out}.")


@main.command("partition-parquet")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="New folder for the partitioned tables (outside data/: the build does not publish them).")
@root_option
def partition_parquet(out: str, root: str | None) -> None:
    """Copy the article-linked tables of the built Parquet export into a hive-partitioned layout by year of
    publication (OUT/quotes/year=2023/part-0.parquet ...), which DuckDB, Spark, Polars and BigQuery read as
    one table per folder. See docs/performance.md."""
    from .export import partition_by_year

    written = partition_by_year(_project(root).root / "data" / "parquet", Path(out))
    click.echo("Wrote " + ", ".join(f"{name} {n} rows" for name, n in written.items()) + f" under {out}.")


def run() -> None:
    """Entry point: problems in the user's input never show a traceback."""
    try:
        main(standalone_mode=True)
    except (OSError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
