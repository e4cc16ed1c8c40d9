"""What every command shares: finding the project, progress on stderr, printing problems and exiting."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from ..core.problems import Problem
from ..core.project import Project, find_root


def project_at(root: str | None) -> Project:
    found = Path(root).resolve() if root else find_root(Path.cwd().resolve())
    if found is None or not (found / "schemas" / "package.json").is_file():
        raise click.UsageError("not inside a turkey-syria-talks checkout (no schemas/package.json here or above); "
                               "cd into one or pass --root")
    return Project(found)


@contextmanager
def progress(what: str) -> Iterator[Callable[[str], None]]:
    """A progress line on stderr while a long step runs; silent when stderr is not a terminal."""
    from tqdm import tqdm

    with tqdm(desc=what, unit=" steps", disable=not sys.stderr.isatty(), leave=False) as bar:
        def step(name: str) -> None:
            bar.set_postfix_str(name, refresh=False)
            bar.update(1)
        yield step


def fail(problems: list[Problem], footer: str) -> NoReturn:
    for p in problems:
        click.echo(str(p), err=True)
    click.echo(f"\n{len(problems)} problem(s). {footer}", err=True)
    sys.exit(1)


root_option = click.option("--root", type=click.Path(file_okay=False, exists=True),
                           help="Project folder (default: the checkout containing the current folder).")
