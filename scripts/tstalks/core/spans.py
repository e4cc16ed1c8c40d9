"""Find a curator's words in a seed text and return the exact span.

The curator writes the words as they read. The match tolerates any run of
whitespace (line breaks, non-breaking spaces) where the curator wrote a space,
and straight or curly forms of the same quotation mark or apostrophe, but
never other words. Offsets are code points into the seed as stored.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .problems import Refusal

_EQUIVALENT = {"'": "'‘’", "‘": "'‘’", "’": "'‘’", '"': '"“”', "“": '"“”', "”": '"“”'}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class SpanError(Refusal):
    """Curated words that do not pick one span of the text."""


def pattern(words: str) -> re.Pattern[str]:
    tokens = words.split()
    if not tokens:
        raise SpanError("the text to find is empty", "write the words as they read in the seed")
    return re.compile(r"\s+".join("".join(_char(c) for c in token) for token in tokens))


def _char(c: str) -> str:
    return f"[{re.escape(_EQUIVALENT[c])}]" if c in _EQUIVALENT else re.escape(c)


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_FOLDS = [(c, group[0]) for c, group in _EQUIVALENT.items() if c != group[0]]


def _fold(text: str) -> str:
    for curly, straight in _FOLDS:  # str.replace runs in C; str.translate with a table is much slower here
        if curly in text:
            text = text.replace(curly, straight)
    return text


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8)
def _folded(text: str) -> tuple[str, list[int], list[int]]:
    """`text` with each whitespace run as one space and quotation marks folded to their straight form, with
    what maps it back: the folded position of each run longer than one character, and the characters
    removed up to and including each such run."""
    runs, removed, total = [], [], 0
    for m in _SPACE.finditer(text):
        if m.end() - m.start() > 1:
            runs.append(m.start() - total)
            total += m.end() - m.start() - 1
            removed.append(total)
    return _fold(_SPACE.sub(" ", text)), runs, removed


def find_all(text: str, words: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Every non-overlapping match of `words` inside text[start:end], whitespace- and quote-tolerant.

    Same matches as `pattern(words).finditer(text, start, end)`, found with str.find on a folded copy of
    the text: compiling one regular expression per quote dominated large builds."""
    end = len(text) if end is None else end
    needle = _fold(" ".join(words.split()))
    if not needle:
        pattern(words)  # raises the SpanError for empty words
    folded, runs, removed = _folded(text)

    def original(p: int) -> int:
        k = bisect_left(runs, p)
        return p + (removed[k - 1] if k else 0)

    found, at = [], 0
    while (at := folded.find(needle, at)) != -1:
        s, e = original(at), original(at + len(needle))
        if s >= start and e <= end:
            found.append(Span(s, e))
            at += len(needle)
        else:
            at += 1
    return found


def is_whole_words(text: str, span: Span) -> bool:
    """True when `span` neither starts nor ends inside a word of `text`: at each edge, the characters on its two
    sides are not both letters or digits ("Syria" in "Syria’s" is whole, in "Syrian" it is not)."""
    def inside(at: int) -> bool:
        return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()
    return not inside(span.start) and not inside(span.end)


def words_around(text: str, span: Span) -> str:
    """The span widened to the whole words it cuts ("Russia" at the start of "Russian" gives "Russian")."""
    start, end = span.start, span.end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return text[start:end]


def find_all_by_regex(text: str, words: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The reference definition of find_all (one compiled pattern per call)."""
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
