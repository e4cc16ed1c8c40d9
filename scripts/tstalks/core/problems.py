"""Errors as values: every problem carries where it is and how to fix it, until the CLI prints it."""
from __future__ import annotations

from dataclasses import dataclass

SHOWN = 80  # characters of a value echoed in a message; longer values are cut and their length given
LONGEST = 2000  # characters of a message or location printed at most: a safety net for values no message cut


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the inputs, located well enough for a curator to fix it."""

    file: str  # path relative to the project root
    line: int | None  # 1-based line in `file`, when known
    where: str  # the id, field or path inside the file
    message: str  # what is wrong
    fix: str = ""  # how to fix it

    def __str__(self) -> str:
        # Messages cut the values they echo (`shown`); this cuts whatever was missed, so that no input, however
        # large, is printed whole.
        file, where, message = (shown(part, LONGEST) for part in (self.file, self.where, self.message))
        place = file if self.line is None else f"{file}:{self.line}"
        text = f"{place}: {where}: {message}" if where else f"{place}: {message}"
        return f"{text}\n    fix: {shown(self.fix, LONGEST)}" if self.fix else text


class Failed(Exception):
    """Raised by a stage that cannot go on; carries the problems found so far."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.where, p.message))


class Refusal(Exception):
    """A rule's refusal of one value, before anyone knows where the value came from: what is wrong and how to
    fix it. The caller, which knows the file and line, turns it into a Problem."""

    def __init__(self, message: str, fix: str, line: int | None = None):
        super().__init__(message)
        self.message, self.fix, self.line = message, fix, line

    def at(self, file: str, line: int | None, where: str) -> Problem:
        return Problem(file, self.line if self.line is not None else line, where, self.message, self.fix)


def shown(value: object, limit: int = SHOWN, quote: bool = False) -> str:
    """A value as a message echoes it: whole when short, else its first `limit` characters and its length.
    With `quote`, the text is quoted as Python writes a string (line breaks and control characters escaped, so
    that one finding stays on one line), the length outside the quotes: `'abc…' (10,000 characters)`."""
    text = str(value)
    cut = text if len(text) <= limit else text[:limit]
    more = "" if len(text) <= limit else f" ({len(text):,} characters)"
    if quote:
        return (repr(cut)[:-1] + "…" + repr(cut)[-1] if more else repr(cut)) + more
    return cut + ("…" + more if more else "")
