"""`tstalks evaluate-assistant`: the curation assistant measured against the confirmed codings, leave-one-out and
at first contact, written to docs/assistant.md."""
from __future__ import annotations

from ...core.project import Project
from .report import GOALS, MEASURES, REPORT, report, totals
from .run import FIRST_CONTACT, Measured, first_contact, leave_one_out

__all__ = ["FIRST_CONTACT", "GOALS", "MEASURES", "REPORT", "Measured", "evaluate", "first_contact", "leave_one_out",
           "report", "totals"]


def evaluate(project: Project, check: bool = False) -> tuple[str, bool]:
    """(the report, whether the committed docs/assistant.md differs from it); writes it unless `check`."""
    text = report(leave_one_out(project), first_contact(project))
    target = project.root / REPORT
    stale = not target.is_file() or target.read_text("utf-8") != text
    if not check:
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return text, stale
