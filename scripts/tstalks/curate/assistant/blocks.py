"""The blocks of a raw seed text (paragraphs, or the lines of a stacked block) and what each is: prose, a photo
caption, a timestamp, a byline, the publisher's boilerplate, a URL. The labels look at a block's shape and its
voice, never at one outlet's strings.

Offsets are code points into the seed as stored, like everywhere else.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ...core import dates
from ...core.vocab import ArticleDateSource, DatePrecision, DateResolution

# Block labels.
PROSE, CAPTION, TIMESTAMP, BYLINE, BOILERPLATE, URL, OTHER = (
    "prose", "caption", "timestamp", "byline", "boilerplate", "url", "other")

TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’][.!?,]?\s*$")
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
URL_PATTERN = re.compile(r"https?://[^\s<>\"”’)\]]+")
# A photo credit closes a caption: "Vadim Savitsky / Press", "AFP/ Reuters", "(Photo by ... / Getty Images)".
_CREDIT = re.compile(
    r"(?:[A-Z][\w.’'-]*\s+){0,3}[A-Z][\w.’'-]*\s*/\s*[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}\s*$"
    r"|\([^()]{0,40}\b(?:photo|photograph|image|picture|photo credit)\b[^)]*\)\s*$"
    r"|\b(?:getty images|via reuters|via afp|via ap|shutterstock)\b[^.]*\)?\s*$",
    re.IGNORECASE)
# The publisher speaking to the reader: calls to action and the machinery of subscriptions.
_PUBLISHER_WORDS = re.compile(
    r"\b(?:subscri(?:be|ption)s?|newsletters?|sign(?:ed)?[ -](?:in|up)|log(?:ged)?[ -]?in|regist(?:er|ering|ration)|"
    r"membership|free trial|paywalls?|donat(?:e|ion|ions)|your support|support us|support today|"
    r"notifications?|browser|inbox|read more|skip to (?:main )?content|cookies?|privacy policy|"
    r"terms of (?:use|service)|all rights reserved|advertis(?:e|ement|ing)|premium|remind me|"
    r"pa(?:y|i)ments?(?: methods?)?|powered by|automated translation|refresh the page)\b",
    re.IGNORECASE)
_CALL_TO_ACTION = re.compile(
    r"^(?:join|subscribe|sign|support|try|start|become|remind|read|skip|follow|share|download|click|"
    r"thank you|please|get|don['’]t miss|already a member|not ready)\b", re.IGNORECASE)
_READER_VOICE = re.compile(r"\b(?:you|your|yours|we|our|ours|us)\b", re.IGNORECASE)
_CREDIT_LINE = re.compile(r"\b(?:contributed|contributing)\b(?: (?:reporting|to (?:this|the) (?:report|story|article)|from|$))",
                          re.IGNORECASE)
_LEADING_TIME = re.compile(r"^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?\s*,?\s*", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[•·▪◦*–-]|\d+[.)])\s+")
_TIMESTAMP_LEAD = re.compile(r"^(?:(?P<update>updated|last updated|modified)|published|posted|first published)\s*:?\s*(?:on\s+)?",
                             re.IGNORECASE)
BY = re.compile(r"^[Bb]y\s+(?P<name>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){1,3})(?:\s*(?:,|and|&).*)?$")
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]|‘[^‘’]*’")



@dataclass(frozen=True)
class Block:
    """A paragraph of the seed, trimmed of the whitespace around it."""

    start: int
    end: int
    text: str  # the block's words joined by single spaces
    label: str
    why: str  # the rule that gave the label, for the curator


def blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: split at blank lines, and at an indented line after a text line (hard-wrapped pages)."""
    spans = []
    start = None
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        indented = line[:1] in (" ", "\t", "\u00a0") and not BULLET.match(line)
        bullet = bool(BULLET.match(line))
        if not stripped:
            if start is not None:
                spans.append((start, pos))
                start = None
        elif start is not None and (indented or bullet):
            spans.append((start, pos))
            start = pos
        elif start is None:
            start = pos
        pos += len(line)
    if start is not None:
        spans.append((start, pos))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


UNWRAPPED = 120  # a line this long is a paragraph of its own: the page separates paragraphs by single line breaks


def lines_if_stamped(text: str, start: int, end: int, first_block: bool = False) -> list[tuple[int, int]]:
    """A block that is a stack of lines, not one paragraph, split into its lines: one whose lines include a
    timestamp or a byline, one of unwrapped paragraphs (a line longer than any hard-wrapped page's), or one that
    opens with a headline-shaped line."""
    lines = _line_spans(text, start, end)
    if len(lines) < 2:
        return [(start, end)]
    words = [" ".join(text[s:e].split()) for s, e in lines]
    if any(timestamp(w) or BY.match(w) for w in words) or max(e - s for s, e in lines) > UNWRAPPED:
        return lines
    if first_block and _headline_line(words[0], words[1]):
        return [lines[0], (lines[1][0], end)]
    return [(start, end)]


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank lines of text[start:end], trimmed."""
    lines = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            lines.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line)
    return lines


def _headline_line(first: str, second: str) -> bool:
    """A first line shaped like a headline above a line that starts anew."""
    return (is_headline(first) and not TERMINAL.search(first) and second[:1].isupper() and word_count(first) <= 15
            and first[:1] not in "\"“‘'")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(" ", text)


def timestamp(text: str) -> tuple[str, str] | None:
    """(expression, 'printed' or 'printed_update') when the block is a printed date and nothing else."""
    m = _TIMESTAMP_LEAD.match(text)
    expression = text[m.end():] if m else text
    expression = _LEADING_TIME.sub("", expression)  # "9:12 AM EDT, March 14, 2024": the date follows the time
    try:
        r = dates.resolve(expression, None, None)
    except dates.DateError:
        return None
    if r.resolution != DateResolution.EXPLICIT or r.precision != DatePrecision.DAY:
        return None
    return expression.strip(), (ArticleDateSource.PRINTED_UPDATE if m and m.group("update") else ArticleDateSource.PRINTED)


@dataclass(frozen=True)
class _Shape:
    """What the labelling rules look at in one block."""

    text: str
    words: int
    voice: int  # second person and first person plural outside quotation marks
    publisher: int  # words of the publisher's machinery (subscribe, log in, cookies, ...)
    action: bool  # opens with a call to action


def _shape(text: str) -> _Shape:
    outside = _outside_quotes(text)
    return _Shape(text, word_count(text), len(_READER_VOICE.findall(outside)), len(_PUBLISHER_WORDS.findall(outside)),
                  bool(_CALL_TO_ACTION.match(text)))


def _is_url(b: _Shape) -> bool:
    return (bool(URL_PATTERN.fullmatch(b.text)) or (b.text.endswith(":") and b.words <= 4)
            or (bool(URL_PATTERN.search(b.text)) and b.words <= 6))


def _ends_in_credit(b: _Shape) -> bool:
    return bool(_CREDIT.search(b.text)) and not TERMINAL.search(b.text[-2:] if b.text.endswith(")") else b.text)


def _addresses_reader(b: _Shape) -> bool:
    return b.voice >= 2 or bool(b.publisher and (b.voice or b.action)) or b.publisher >= 3


# The labelling rules, in order: the first that holds labels the block.
_LABELS: list[tuple[Callable[[_Shape], bool], str, str]] = [
    (_is_url, URL, "a URL or a label for one"),
    (lambda b: timestamp(b.text) is not None, TIMESTAMP, "a printed date and nothing else"),
    (lambda b: bool(_CREDIT_LINE.search(b.text)) and b.words <= 25, BOILERPLATE, "a contributor credit"),
    (_ends_in_credit, CAPTION, "ends with a photo credit"),
    (lambda b: bool(_CREDIT.search(b.text) and re.search(r"\((?:photo|photograph|image)", b.text, re.IGNORECASE)),
     CAPTION, "carries a photo credit"),
    (lambda b: b.words < 15 and bool(b.publisher or b.action), BOILERPLATE, "a short call to action or publisher notice"),
    (_addresses_reader, BOILERPLATE, "the publisher addressing the reader (you/we/our outside quotes)"),
    (lambda b: bool(BULLET.match(b.text)), OTHER, "a list item"),
    (lambda b: b.words >= 6 and bool(TERMINAL.search(b.text)), PROSE, "a sentence-ending paragraph"),
    (lambda b: bool(BY.match(b.text)), BYLINE, "a line opening with 'By' and a name"),
]


def label(text: str) -> tuple[str, str]:
    """The label of one block (words joined by single spaces) and the rule that gave it."""
    shape = _shape(text)
    for holds, name, why in _LABELS:
        if holds(shape):
            return name, why
    return OTHER, "short, or without sentence-ending punctuation"


def is_headline(text: str) -> bool:
    n = word_count(text)
    return 3 <= n <= 25 and not text.endswith((".", ":"))
