"""`tstalks validate`."""
from __future__ import annotations

import sys

import click

from ..validate import fetched, skip_pandas, validate_package
from .shell import progress, project_at, root_option


@click.command()
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
    location = descriptor or str(project_at(root).root)
    skip_pandas()  # pyarrow would import pandas (0.4 s of CPU) and this process never uses it
    with fetched(location) as folder, progress("validate") as step:
        report = validate_package(folder, stock=stock, progress=step)
    for what, ok, detail in report.checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
    click.echo("valid" if report.valid else "NOT VALID")
    sys.exit(0 if report.valid else 1)


COMMANDS = (validate,)
