"""The `tstalks` command: a thin shell over the library. Only this package touches the terminal; each command
parses its options, calls one library function, and prints what it returns."""
from __future__ import annotations

import os
import sys

import click

from . import build, curate, publish, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="turkey-syria-talks")
def main() -> None:
    """Build, validate and extend the turkey-syria-talks data package."""


for group in (build, validate, curate, publish):
    for command in group.COMMANDS:
        main.add_command(command)


def run() -> None:
    """Entry point: problems in the user's input never show a traceback (set TSTALKS_DEBUG=1 to see one)."""
    try:
        main(standalone_mode=True)
    except Exception as exc:
        if os.environ.get("TSTALKS_DEBUG"):
            raise
        kind = "error" if isinstance(exc, (OSError, ValueError)) else "internal error (please report it, with TSTALKS_DEBUG=1 output)"
        click.echo(f"{kind}: {exc}", err=True)
        sys.exit(2)
