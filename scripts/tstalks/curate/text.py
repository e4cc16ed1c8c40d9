"""The text of an article as the curation tools read it: quoted passages and sentences, one detector and one
splitter, shared by coverage and the curation assistant."""
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
    scan = _Marks(text, len(text) if end is None else end)
    i = start
    while i < scan.end:
        i = scan.step(i)
    if scan.open_at is not None:
        scan.found.append((scan.open_at, scan.end, False))
    return [Passage(*_trim(text, s, e), paired) for s, e, paired in scan.found if text[s:e].strip()]


class _Marks:
    """The pairing of quotation marks, one character at a time: what is open, and what was found."""

    def __init__(self, text: str, end: int):
        self.text, self.end = text, end
        self.found: list[tuple[int, int, bool]] = []  # (start, end, paired)
        self.open_at: int | None = None

    def step(self, i: int) -> int:
        """Read the character at `i`; returns where to read next."""
        text, c = self.text, self.text[i]
        if c == "\n" and self._paragraph_ends(i):
            self._close(i, paired=False)
        elif c == "“":
            self._close(i, paired=False)
            self.open_at = i + 1
        elif c in "”\"":
            if self.open_at is not None:
                self._close(i, paired=True)
            elif c == '"':
                self.open_at = i + 1
        elif c == "‘" and self.open_at is None and (i == 0 or not text[i - 1].isalnum()):
            close = _SINGLE_CLOSE.search(text, i + 1, min(self.end, i + 200))
            if close and "\n\n" not in text[i:close.start()]:
                self.found.append((i + 1, close.start(), True))
                return close.end()
        return i + 1

    def _paragraph_ends(self, i: int) -> bool:
        """A line break ends a paragraph before a blank line, or before an indented line after a sentence's end."""
        text = self.text
        return text[i + 1: i + 2] == "\n" or (
            text[i + 1: i + 2] == " " and self.open_at is not None and text[i - 1: i] in ".”\"")

    def _close(self, i: int, paired: bool) -> None:
        if self.open_at is not None:
            self.found.append((self.open_at, i, paired))
        self.open_at = None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# A sentence ends at . ! or ? (and any closing quotation mark) before white space and a capital or an opening mark.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘A-Z])")


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence around `pos`, within its paragraph."""
    para_start = max(text.rfind("\n\n", 0, pos), 0)
    para_end = text.find("\n\n", pos)
    para_end = len(text) if para_end < 0 else para_end
    start, end = para_start, para_end
    for m in _SENTENCE_END.finditer(text, para_start, para_end):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    while start < end and text[start].isspace():
        start += 1
    return start, end


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end], in order."""
    out = []
    pos = start
    while pos < end:
        s, e = sentence_at(text, pos)
        e = min(e, end)
        if e <= pos:
            nxt = text.find("\n\n", pos)
            pos = end if nxt < 0 or nxt >= end else nxt + 2
            continue
        s = max(s, pos)
        while s < e and text[s].isspace():
            s += 1
        out.append((s, e))
        pos = e + 1
    return [(s, e) for s, e in out if text[s:e].strip()]
