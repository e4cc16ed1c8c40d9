"""`tstalks build` and `tstalks build --check`."""
from __future__ import annotations

import sys

import click

from ..core.problems import Failed
from ..core.project import Project
from .shell import fail, progress, project_at, root_option


@click.command()
@root_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the committed outputs differ from a fresh build.")
def build(root: str | None, check: bool) -> None:
    """Build data/ and datapackage.json from seeds/ and schemas/, validating before anything is replaced.

    Atomic: outputs are written to a staging folder, validated (the columnar checks of `tstalks validate`, which
    report what Frictionless reports; a parity test holds them to it), and swapped in only when every check
    passes; a failed build leaves the previous outputs untouched. The swap is journaled: a build killed while
    replacing the outputs is completed by the next build. One build at a time (a second one refuses, naming the
    lock file); a file in data/ or docs/figures/ that the build does not write is never deleted: the build
    refuses, naming it. Also writes docs/codebook.md and, where
    matplotlib is installed (the `[figures]` extra), docs/figures/; without it docs/figures/ is left as it is and
    not compared by --check, and the command says so.
    """
    from ..publish import stage  # the build's modules: imported by the commands that build, not by every command

    project = project_at(root)
    if check:
        _check(project)
        return
    try:
        with progress("build") as step:
            done = stage.publish(project, progress=step)
    except Failed as exc:
        fail(exc.problems, "Nothing was written; data/ and datapackage.json are as they were.")
    for what in done.recovered:
        click.echo(f"recovered: {what}", err=True)
    for rel, why in done.skipped.items():
        click.echo(f"skipped {rel}: {why}", err=True)
    for note in done.notes:
        click.echo(f"note: {note}", err=True)
    if done.failures:
        click.echo("The built package does not validate; nothing was replaced:", err=True)
        for failure in done.failures:
            for i, line in enumerate(failure.split("\n")):
                click.echo(f"  {line}" if i == 0 else f"      {line}", err=True)
        sys.exit(1)
    counts = ", ".join(f"{name} {n}" for name, n in done.rows.items())
    click.echo(f"Built and validated {done.files} files. Rows: {counts}.")


def _check(project: Project) -> None:
    from ..publish import stage

    try:
        with progress("build") as step:
            result, changed = stage.check(project, progress=step)
    except Failed as exc:
        fail(exc.problems, "Nothing was written; data/ and datapackage.json are as they were.")
    for rel, why in result.skipped.items():
        click.echo(f"skipped {rel}: {why}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if changed:
        click.echo("The committed outputs differ from a fresh build:", err=True)
        for rel in changed:
            click.echo(f"  {rel}", err=True)
        click.echo("Run: tstalks build   (then review and commit the changes)", err=True)
        sys.exit(1)
    click.echo(f"Up to date: {len(result.files)} output files match a fresh build.")


COMMANDS = (build,)
