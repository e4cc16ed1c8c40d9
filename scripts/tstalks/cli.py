"""The `tstalks` command: a thin shell over the stages. Only this module touches the terminal."""
from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import click

from . import publish
from .problems import Failed
from .project import Project, find_root
from .validate import fetched, skip_pandas, validate_package


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
    report what Frictionless reports; a parity test holds them to it), and swapped in only when every check
    passes; a failed build leaves the previous outputs untouched. Also writes docs/codebook.md and, where
    matplotlib is installed (the `[figures]` extra), docs/figures/; without it docs/figures/ is left as it is and
    not compared by --check, and the command says so.
    """
    from . import build as pipeline  # imports every stage: only the commands that build need it

    project = _project(root)
    try:
        with _progress("build") as step:
            result = pipeline.build(project, progress=step)
    except Failed as exc:
        _fail(exc.problems, "Nothing was written; data/ and datapackage.json are as they were.")
    for rel, why in result.skipped.items():
        click.echo(f"skipped {rel}: {why}", err=True)
    if check:
        changed = publish.differences(project.root, result.files, result.outputs)
        if changed:
            click.echo("The committed outputs differ from a fresh build:", err=True)
            for rel in changed:
                click.echo(f"  {rel}", err=True)
            click.echo("Run: tstalks build   (then review and commit the changes)", err=True)
            sys.exit(1)
        click.echo(f"Up to date: {len(result.files)} output files match a fresh build.")
        return
    counts = ", ".join(f"{name} {table.num_rows}" for name, table in result.tables.items())
    files, outputs = result.files, result.outputs
    del result  # the tables' columns are not needed to validate what was written; free them first
    with _progress("validate staged package") as step:
        failures = publish.write(project.root, files,
                                 lambda folder: validate_package(folder, progress=step).failures(), outputs)
    if failures:
        click.echo("The built package does not validate; nothing was replaced:", err=True)
        for line in failures:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    click.echo(f"Built and validated {len(files)} files. Rows: {counts}.")


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
    skip_pandas()  # pyarrow would import pandas (0.4 s of CPU) and this process never uses it
    with fetched(location) as folder, _progress("validate") as step:
        report = validate_package(folder, stock=stock, progress=step)
    for what, ok, detail in report.checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
    click.echo("valid" if report.valid else "NOT VALID")
    sys.exit(0 if report.valid else 1)


@main.command()
@root_option
@click.option("--all", "show_all", is_flag=True, help="List every detected item, not only the missing ones.")
def coverage(root: str | None, show_all: bool) -> None:
    """Report, per article, every quoted passage and attribution sentence of the body and whether it is coded
    as a quote or waived in the coding's `uncoded:` list. Exit 1 unless coverage is 100%."""
    from . import coverage as measure
    from . import load, resolve

    project = _project(root)
    try:
        schemas = load.load_schemas(project)
        resolution = resolve.resolve(load.load_codings(project, schemas))
    except Failed as exc:
        _fail(exc.problems, "Fix the codings, then measure coverage again.")
    report = measure.coverage(resolution)
    for a in report.articles:
        counts = "; ".join(
            f"{kind}s {a.count(kind, measure.CODED)} coded + {a.count(kind, measure.WAIVED)} waived / {a.count(kind)}"
            for kind in ("quotation", "attribution"))
        click.echo(f"{a.article_id}: {a.percent:.1f}%  ({counts})")
        for item in a.items if show_all else a.missing:
            words = " ".join(item.text.split())
            detail = f" [{item.detail}]" if item.detail else ""
            click.echo(f"  {item.status:7} {item.kind} at [{item.start}, {item.end}){detail}: {words}")
    if not report.complete:
        click.echo("Coverage is below 100%: code each missing item as a quote, or waive it under `uncoded:` "
                   "with a one-line reason.", err=True)
        sys.exit(1)
    click.echo("Coverage 100%.")


@main.command()
@click.argument("article", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--url", help="The article's own URL, when known (else read from the text, if printed there).")
@click.option("--outlet", help="The outlet's name as it calls itself (else guessed from the text and marked as a draft).")
@click.option("--published", help="The publication date, YYYY-MM-DD, when known and not printed in the text.")
@root_option
def add(article: Path, url: str | None, outlet: str | None, published: str | None, root: str | None) -> None:
    """Add the raw text ARTICLE as a new seed and draft its coding.

    Copies the file byte for byte to seeds/articles/NNN_<sha256 prefix>.txt (refusing a duplicate or a file
    that is not UTF-8 text) and writes seeds/codings/articles/aNNN.yaml: body, metadata, quotes with their
    likely speakers, date expressions and candidate events, each marked `draft:` with the rule and evidence.
    `tstalks build` refuses the file until a curator has confirmed every item and deleted its mark.
    """
    from . import add as adding

    project = _project(root)
    try:
        added = adding.add(project, article, url=url, outlet=outlet, published=published)
    except Failed as exc:
        _fail(exc.problems, "Nothing was added.")
    d = added.draft
    click.echo(f"Added seed {project.relative(added.seed)}")
    click.echo(f"Drafted {project.relative(added.coding)}: body at [{d.layout.body_start}, {d.layout.body_end}), "
               f"{len(d.quotes)} quote(s), {len(d.uncoded)} set-aside passage(s), {len(d.dates)} date expression(s), "
               f"{len(d.events)} event mention(s), {len(d.new_participants)} proposed new participant(s).")
    click.echo(f"{added.marks} draft item(s) to confirm. Edit the file, then run `tstalks build` to list what remains.")


@main.command()
@root_option
@click.option("--dist", "dist", type=click.Path(file_okay=False), default=None,
              help="Folder for the zip (default: dist/ in the checkout).")
def release(root: str | None, dist: str | None) -> None:
    """Write dist/turkey-syria-talks-<version>.zip: descriptors, data/, schemas/, docs, README, CITATION.cff,
    LICENSE, CHANGELOG and SHA256SUMS, deterministically; and record the identifiers it publishes in
    releases/id-ledger.csv (commit that file with the release).

    Refuses when the committed outputs differ from a fresh build, a required file is missing, the versions
    of schemas/package.json, CITATION.cff and CHANGELOG.md disagree, or a published identifier went missing.
    The zip is unpacked and validated before it is written.
    """
    from . import build as pipeline
    from . import release as releasing

    project = _project(root)
    try:
        result = releasing.release(project, pipeline.build(project))
    except Failed as exc:
        _fail(exc.problems, "No release was written.")
    failures = releasing.unpacked_failures(result.zip, lambda folder: validate_package(folder).failures())
    if failures:
        click.echo("The unpacked bundle does not validate; nothing was written:", err=True)
        for line in failures:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    target = (Path(dist).resolve() if dist else project.root / releasing.DIST) / f"{result.name}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.zip)
    ledger = project.root / releasing.LEDGER
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(result.ledger)
    digest = hashlib.sha256(result.zip).hexdigest()
    click.echo(f"Wrote {project.relative(target)} ({result.files} files, {len(result.zip)} bytes, sha256 {digest}).")
    click.echo(f"Recorded {result.new_ids} newly published identifier(s) in {releasing.LEDGER}; commit it with the release.")


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
    """Entry point: problems in the user's input never show a traceback (set TSTALKS_DEBUG=1 to see one)."""
    try:
        main(standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a curator's terminal
        if os.environ.get("TSTALKS_DEBUG"):
            raise
        kind = "error" if isinstance(exc, (OSError, ValueError)) else "internal error (please report it, with TSTALKS_DEBUG=1 output)"
        click.echo(f"{kind}: {exc}", err=True)
        sys.exit(2)
