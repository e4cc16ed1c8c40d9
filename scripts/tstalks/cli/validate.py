"""`tstalks validate`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.project import CSV_DESCRIPTOR, find_root
from ..validate import Report, Unreachable, fetched, skip_pandas, validate_package
from ..validate.remote import DEADLINE
from .shell import progress, root_option

LABELS = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}


@click.command()
@click.argument("descriptor", required=False)
@root_option
@click.option("--frictionless", "stock", is_flag=True,
              help="Also run the stock frictionless validator (row by row: minutes on a large package).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEADLINE, show_default=True,
              help="Seconds to download a package given by URL, all its files together.")
def validate(descriptor: str | None, root: str | None, stock: bool, timeout: float) -> None:
    """Validate a published package: DESCRIPTOR is a folder, the path of either descriptor (datapackage.json,
    data/parquet/datapackage.json) or of any other descriptor (checked alone), a zip of a package, or an http(s)
    URL (default: the package containing the current folder). Checks that every resource path stays inside the
    package, that both descriptors list the same tables as schemas/ does, every resource against its Table
    Schema (types, constraints, unique fields, primary and foreign keys) in both formats with a columnar pass
    that reports what frictionless reports, resource hashes, CSV/Parquet parity and, where seeds/ is beside the
    package, every span against its seed text. Prints each check as ok, FAIL or skip. Exit 0 only when valid."""
    location = descriptor or str(_package_here(root))
    skip_pandas()  # pyarrow would import pandas (0.4 s of CPU) and this process never uses it
    try:
        with fetched(location, deadline=timeout) as path, progress("validate") as step:
            report = validate_package(path, stock=stock, progress=step)
    except Unreachable as exc:
        report = Report()
        report.add("package", False, str(exc))
    for status, what, detail in report.lines():
        first, *rest = detail.split("\n") if detail else [""]
        click.echo(f"{LABELS[status]} {what}" + (f": {first}" if first else ""))
        for line in rest:
            click.echo(f"       {line}")
    click.echo("valid" if report.valid else "NOT VALID")
    sys.exit(0 if report.valid else 1)


def _package_here(root: str | None) -> Path:
    """The package to validate when none is named: --root, else the nearest folder at or above the current one
    that is a checkout (schemas/package.json) or holds a datapackage.json (a copy without schemas/)."""
    if root:
        return Path(root)
    here = Path.cwd().resolve()
    found = find_root(here) or next((f for f in (here, *here.parents) if (f / CSV_DESCRIPTOR).is_file()), None)
    if found is None:
        raise click.UsageError(f"no package here: no {CSV_DESCRIPTOR} in this folder or above it; "
                               "name a folder, a descriptor or a URL")
    return found


COMMANDS = (validate,)
