"""Errors as values: every problem carries where it is and how to fix it, until the CLI prints it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the inputs, located well enough for a curator to fix it."""

    file: str  # path relative to the project root
    line: int | None  # 1-based line in `file`, when known
    where: str  # the id, field or path inside the file
    message: str  # what is wrong
    fix: str = ""  # how to fix it

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


class Failed(Exception):
    """Raised by a stage that cannot go on; carries the problems found so far."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.where, p.message))
