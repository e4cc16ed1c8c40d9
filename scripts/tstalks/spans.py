"""Find a curator's words in a seed text and return the exact span.

The curator writes the words as they read. The match tolerates any run of
whitespace (line breaks, non-breaking spaces) where the curator wrote a space,
and straight or curly forms of the same quotation mark or apostrophe, but
never other words. Offsets are code points into the seed as stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_EQUIVALENT = {"'": "'‘’", "‘": "'‘’", "’": "'‘’", '"': '"“”', "“": '"“”', "”": '"“”'}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class SpanError(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


def pattern(words: str) -> re.Pattern[str]:
    tokens = words.split()
    if not tokens:
        raise SpanError("the text to find is empty", "write the words as they read in the seed")
    return re.compile(r"\s+".join("".join(_char(c) for c in token) for token in tokens))


def _char(c: str) -> str:
    return f"[{re.escape(_EQUIVALENT[c])}]" if c in _EQUIVALENT else re.escape(c)


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_all(text: str, words: str, start: int = 0, end: int | None = None) -> list[Span]:
    end = len(text) if end is None else end
    return [Span(m.start(), m.end()) for m in pattern(words).finditer(text, start, end)]


def locate(text: str, words: str, start: int = 0, end: int | None = None,
           occurrence: int | None = None, region: str = "the body") -> Span:
    """The span of `words` in text[start:end]; SpanError if absent, ambiguous, or the occurrence is out of range."""
    matches = find_all(text, words, start, end)
    if not matches:
        raise SpanError(f"'{_short(words)}' is not in {region}", _closest(text, words, start, end, region))
    if occurrence is None:
        if len(matches) > 1:
            lines = ", ".join(str(line_at(text, m.start)) for m in matches)
            raise SpanError(f"'{_short(words)}' occurs {len(matches)} times in {region} (seed lines {lines})",
                            "add 'occurrence: N' to pick one, or quote more words")
        return matches[0]
    if occurrence > len(matches):
        raise SpanError(f"occurrence {occurrence} asked for, but '{_short(words)}' occurs {len(matches)} time(s) in {region}",
                        f"use an occurrence from 1 to {len(matches)}")
    return matches[occurrence - 1]


def _short(words: str, limit: int = 70) -> str:
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _closest(text: str, words: str, start: int, end: int | None, region: str) -> str:
    """Say how far the words match, so the curator sees where they differ from the seed."""
    tokens = words.split()
    for n in range(len(tokens) - 1, 0, -1):
        found = find_all(text, " ".join(tokens[:n]), start, end)
        if found:
            at = found[0]
            following = " ".join(text[at.end: at.end + 60].split())
            return (f"the first {n} word(s) match at seed line {line_at(text, at.start)}, where the seed goes on "
                    f"'{following}'; copy the words exactly as the seed has them")
    return f"copy the words exactly as the seed has them, from inside {region}"
