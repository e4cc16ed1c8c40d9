"""The stock frictionless validator, run on a descriptor (slow: row by row)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def run_frictionless(folder: Path, descriptor: Path, report: Any) -> None:
    import frictionless  # slow to import; only `--frictionless` needs it

    name = descriptor.relative_to(folder).as_posix()
    try:
        package = frictionless.Package(str(descriptor))
        result = package.validate()
    except frictionless.FrictionlessException as exc:
        report.add(f"Frictionless: {name}", False, str(exc.error.message))
        return
    if result.valid:
        report.add(f"Frictionless: {name}", True, f"{len(result.tasks)} resources valid (types, constraints, keys, foreign keys)")
        return
    errors = [f"{task.name}: {e.type}: {e.message}" for task in result.tasks for e in task.errors]
    errors += [f"{e.type}: {e.message}" for e in result.errors]
    report.add(f"Frictionless: {name}", False, "; ".join(errors[:20]) + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))


