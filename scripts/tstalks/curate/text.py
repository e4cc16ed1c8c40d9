"""Quoted passages in a text: the one detector that coverage and the curation assistant share."""
from __future__ import annotations

import re
from dataclasses import dataclass

_SINGLE_CLOSE = re.compile(r"[’'](?![A-Za-z])")


@dataclass(frozen=True)
class Passage:
    start: int  # first character of the words inside the marks
    end: int  # end of the words inside the marks
    paired: bool  # False when the opening mark is never closed (within its paragraph)


def quoted_passages(text: str, start: int = 0, end: int | None = None) -> list[Passage]:
    """The inside of every pair of quotation marks in text[start:end]: straight or curly, across single line breaks.

    “ always opens and ” always closes; a straight " closes what is open, else opens. A blank line (or a
    line break after a sentence's end that starts an indented paragraph) ends a paragraph: a mark still open
    there is reported unpaired. ‘...’ counts only with no letter before the opening mark and none after the
    closing one, so apostrophes are not quotation marks. Spans are trimmed of white space.
    """
    end = len(text) if end is None else end
    found: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    i = start
    while i < end:
        c = text[i]
        paragraph_end = c == "\n" and (text[i + 1: i + 2] == "\n" or (
            text[i + 1: i + 2] == " " and open_at is not None and text[i - 1: i] in ".”\""))
        if paragraph_end:
            if open_at is not None:
                found.append((open_at, i, False))
            open_at = None
        elif c == "“":
            if open_at is not None:
                found.append((open_at, i, False))
            open_at = i + 1
        elif c == "”" or c == '"':
            if open_at is not None:
                found.append((open_at, i, True))
                open_at = None
            elif c == '"':
                open_at = i + 1
        elif c == "‘" and open_at is None and (i == 0 or not text[i - 1].isalnum()):
            close = _SINGLE_CLOSE.search(text, i + 1, min(end, i + 200))
            if close and "\n\n" not in text[i:close.start()]:
                found.append((i + 1, close.start(), True))
                i = close.end()
                continue
        i += 1
    if open_at is not None:
        found.append((open_at, end, False))
    return [Passage(*_trim(text, s, e), paired) for s, e, paired in found if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
