"""Find a curator's words in a seed text and return the exact span.

The curator writes the words as they read. The match tolerates any run of
whitespace (line breaks, non-breaking spaces) where the curator wrote a space,
and straight or curly forms of the same quotation mark or apostrophe, but
never other words. A span starts and ends on word boundaries: "Iran" is never
the first four letters of "Iranian", so the locator takes only whole-word
occurrences and refuses words that occur only inside longer ones. Offsets are
code points into the seed as stored.
"""
from __future__ import annotations

import re
import unicodedata
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


def _is_word_char(c: str) -> bool:
    """A letter, a digit or a combining mark: what a word is made of, in any script (a combining accent belongs
    to the letter before it, so a span may not end between them)."""
    return unicodedata.category(c)[0] in "LMN"


def _inside(text: str, at: int) -> bool:
    """Whether offset `at` falls inside a word: a word character on both sides of it."""
    return 0 < at < len(text) and _is_word_char(text[at - 1]) and _is_word_char(text[at])


def cuts_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] starts or ends inside a word."""
    return start < end and (_inside(text, start) or _inside(text, end))


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


def find_all(text: str, words: str, start: int = 0, end: int | None = None, whole_words: bool = False) -> list[Span]:
    """Every non-overlapping match of `words` inside text[start:end], whitespace- and quote-tolerant; with
    `whole_words`, only the matches that start and end on word boundaries (a match inside a longer word does not
    hide a whole-word one that overlaps it).

    Same matches as `find_all_by_regex`, found with str.find on a folded copy of the text: compiling one regular
    expression per quote dominated large builds."""
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
        if s >= start and e <= end and not (whole_words and cuts_word(text, s, e)):
            found.append(Span(s, e))
            at += len(needle)
        else:
            at += 1
    return found


def words_around(text: str, span: Span) -> str:
    """The span widened to the whole words it cuts ("Russia" at the start of "Russian" gives "Russian")."""
    start, end = span.start, span.end
    while _inside(text, start):
        start -= 1
    while _inside(text, end):
        end += 1
    return text[start:end]


def find_all_by_regex(text: str, words: str, start: int = 0, end: int | None = None,
                      whole_words: bool = False) -> list[Span]:
    """The reference definition of find_all (one compiled pattern per call; with `whole_words`, tried at every
    position from left to right)."""
    end = len(text) if end is None else end
    rx = pattern(words)
    if not whole_words:
        return [Span(m.start(), m.end()) for m in rx.finditer(text, start, end)]
    found, at = [], start
    while at < end:
        m = rx.match(text, at, end)
        if m and not cuts_word(text, m.start(), m.end()):
            found.append(Span(m.start(), m.end()))
            at = m.end()
        else:
            at += 1
    return found


def locate(text: str, words: str, start: int = 0, end: int | None = None,
           occurrence: int | None = None, region: str = "the body") -> Span:
    """The span of `words` in text[start:end], on word boundaries; SpanError if absent, only inside longer words,
    ambiguous, or the occurrence is out of range. An occurrence counts whole-word matches only."""
    matches = find_all(text, words, start, end, whole_words=True)
    if not matches:
        inside = find_all(text, words, start, end)
        if inside:
            raise SpanError(_inside_words(text, words, inside, region),
                            "a span starts and ends on word boundaries: write the whole word as the seed has it, "
                            "or words that occur on their own")
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


def _inside_words(text: str, words: str, inside: list[Span], region: str) -> str:
    """Say which longer words the curator's words cut into, with their seed lines."""
    def word_at(at: int) -> str:
        return f"'{_short(words_around(text, Span(at, at)), 40)}' (seed line {line_at(text, at)})"

    cut = list(dict.fromkeys(word_at(at) for m in inside for at in (m.start, m.end) if _inside(text, at)))
    shown = ", ".join(cut[:3]) + (", ..." if len(cut) > 3 else "")
    return f"'{_short(words)}' occurs in {region} only inside longer words: {shown}"


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
