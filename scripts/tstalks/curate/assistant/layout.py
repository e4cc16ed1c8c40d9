"""Find an article's body and its printed metadata in a raw seed text, by layout rules.

A seed is a web page flattened to text: before and after the report come a
headline, a standfirst, bylines, timestamps, photo captions and the publisher's
own blocks (donation appeals, newsletters, log-in prompts, lists of other
stories). The rules below look at the shape of each block (is it prose? does it
end in a photo credit? is it a timestamp?) and at the publisher's voice (second
person, "we"/"our" outside quotation marks, calls to action), never at the exact
strings of one outlet. The body is then the longest run of prose blocks.

Offsets are code points into the seed as stored, like everywhere else.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ...core import dates
from ...core.spans import find_all, pattern
from ...core.vocab import ArticleDateSource, DatePrecision, DateResolution

# Block labels.
PROSE, CAPTION, TIMESTAMP, BYLINE, BOILERPLATE, URL, OTHER = (
    "prose", "caption", "timestamp", "byline", "boilerplate", "url", "other")

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’][.!?,]?\s*$")
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_URL = re.compile(r"https?://[^\s<>\"”’)\]]+")
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
_BULLET = re.compile(r"^\s*(?:[•·▪◦*–-]|\d+[.)])\s+")
_TIMESTAMP_LEAD = re.compile(r"^(?:(?P<update>updated|last updated|modified)|published|posted|first published)\s*:?\s*(?:on\s+)?",
                             re.IGNORECASE)
_BY = re.compile(r"^[Bb]y\s+(?P<name>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){1,3})(?:\s*(?:,|and|&).*)?$")
_NAME = re.compile(r"^[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){1,3}$")
_DATELINE = re.compile(r"(?P<place>[A-Z][A-Z.’' -]{1,30}?)(?:\s*,\s*[A-Z][\w. ]{1,30})?(?:\s*\([^)]{1,20}\))?\s*[—–-]{1,2}\s+")
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]|‘[^‘’]*’")


@dataclass(frozen=True)
class Block:
    """A paragraph of the seed, trimmed of the whitespace around it."""

    start: int
    end: int
    text: str  # the block's words joined by single spaces
    label: str
    why: str  # the rule that gave the label, for the curator


@dataclass(frozen=True)
class Found:
    """A piece of metadata, with where it is and the rule that found it."""

    text: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...]
    body_start: int
    body_end: int
    body_rule: str
    title: Found | None = None
    byline: Found | None = None
    dateline: Found | None = None
    timestamps: tuple[Found, ...] = ()  # printed publication or update dates outside the body
    urls: tuple[Found, ...] = ()
    own_url: Found | None = None  # the article's own URL, when the seed labels or implies it
    skipped: tuple[Block, ...] = field(default=())  # blocks inside the body span that are not prose (captions)
    lead_end: int | None = None  # where the reported text starts after a dateline ("BEIRUT, April 25. /TASS/.")
    dateline_date: Found | None = None  # a month and day the dateline prints


def blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: split at blank lines, and at an indented line after a text line (hard-wrapped pages)."""
    spans = []
    start = None
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        indented = line[:1] in (" ", "\t", "\u00a0") and not _BULLET.match(line)
        bullet = bool(_BULLET.match(line))
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


def _lines_if_stamped(text: str, start: int, end: int, first_block: bool = False) -> list[tuple[int, int]]:
    """A block that is a stack of lines, not one paragraph, split into its lines: one whose lines include a
    timestamp or a byline, one of unwrapped paragraphs (a line longer than any hard-wrapped page's), or one that
    opens with a headline-shaped line."""
    lines = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            lines.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line)
    if len(lines) < 2:
        return [(start, end)]
    words = [" ".join(text[s:e].split()) for s, e in lines]
    if any(_timestamp(w) or _BY.match(w) for w in words) or max(e - s for s, e in lines) > UNWRAPPED:
        return lines
    if first_block and _is_headline(words[0]) and not _TERMINAL.search(words[0]) and words[1][:1].isupper() \
            and _words(words[0]) <= 15 and words[0][:1] not in "\"“‘'":
        return [lines[0], (lines[1][0], end)]
    return [(start, end)]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(" ", text)


def _timestamp(text: str) -> tuple[str, str] | None:
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
    return _Shape(text, _words(text), len(_READER_VOICE.findall(outside)), len(_PUBLISHER_WORDS.findall(outside)),
                  bool(_CALL_TO_ACTION.match(text)))


def _is_url(b: _Shape) -> bool:
    return bool(_URL.fullmatch(b.text)) or (b.text.endswith(":") and b.words <= 4) or (bool(_URL.search(b.text)) and b.words <= 6)


def _ends_in_credit(b: _Shape) -> bool:
    return bool(_CREDIT.search(b.text)) and not _TERMINAL.search(b.text[-2:] if b.text.endswith(")") else b.text)


def _addresses_reader(b: _Shape) -> bool:
    return b.voice >= 2 or bool(b.publisher and (b.voice or b.action)) or b.publisher >= 3


# The labelling rules, in order: the first that holds labels the block.
_LABELS: list[tuple[Callable[[_Shape], bool], str, str]] = [
    (_is_url, URL, "a URL or a label for one"),
    (lambda b: _timestamp(b.text) is not None, TIMESTAMP, "a printed date and nothing else"),
    (lambda b: bool(_CREDIT_LINE.search(b.text)) and b.words <= 25, BOILERPLATE, "a contributor credit"),
    (_ends_in_credit, CAPTION, "ends with a photo credit"),
    (lambda b: bool(_CREDIT.search(b.text) and re.search(r"\((?:photo|photograph|image)", b.text, re.IGNORECASE)),
     CAPTION, "carries a photo credit"),
    (lambda b: b.words < 15 and bool(b.publisher or b.action), BOILERPLATE, "a short call to action or publisher notice"),
    (_addresses_reader, BOILERPLATE, "the publisher addressing the reader (you/we/our outside quotes)"),
    (lambda b: bool(_BULLET.match(b.text)), OTHER, "a list item"),
    (lambda b: b.words >= 6 and bool(_TERMINAL.search(b.text)), PROSE, "a sentence-ending paragraph"),
    (lambda b: bool(_BY.match(b.text)), BYLINE, "a line opening with 'By' and a name"),
]


def label(text: str) -> tuple[str, str]:
    """The label of one block (words joined by single spaces) and the rule that gave it."""
    shape = _shape(text)
    for holds, name, why in _LABELS:
        if holds(shape):
            return name, why
    return OTHER, "short, or without sentence-ending punctuation"


def layout(text: str, media: tuple[str, ...] = ()) -> Layout:
    """Blocks, body span and printed metadata of one seed text. `media`: names of news media, which make a short
    line an agency credit ("Reuters, Ankara", "Agencies via Xinhua")."""
    spans = [piece for i, (s, e) in enumerate(blocks(text)) for piece in _lines_if_stamped(text, s, e, i == 0)]
    raw = [(s, e, " ".join(text[s:e].split())) for s, e in spans]
    labelled = [Block(s, e, t, *(_credit(t, media) or label(t))) for s, e, t in raw]
    labelled = _context(labelled)
    first, last = _body_run(labelled)
    if last is not None and _cut_off(labelled, last):
        cut = labelled[last + 1]
        labelled[last + 1] = Block(cut.start, cut.end, cut.text, PROSE, "a paragraph the capture cut off (no sentence end)")
        last += 1
    if first is None or last is None:  # nothing reads as prose: offer the whole text and say so
        start = len(text) - len(text.lstrip())
        return Layout(tuple(labelled), start, len(text.rstrip()), "no prose paragraph found: the whole text")
    body = labelled[first: last + 1]
    skipped = tuple(b for b in body if b.label != PROSE)
    body_start, body_end = body[0].start, body[-1].end
    head = labelled[:first]
    title = _title(text, head)
    byline = _byline(text, labelled, first)
    dateline, lead_end, dateline_date = _dateline(text, body_start)
    stamps = []
    for b in labelled:
        stamp = _timestamp(b.text) if b.label == TIMESTAMP else None
        if stamp:
            start = _find(text, stamp[0], b.start, b.end)
            stamps.append(Found(stamp[0], start, start + _len_in(text, stamp[0], start), stamp[1]))
    urls = tuple(Found(m.group(0).rstrip(".,;"), m.start(), m.start() + len(m.group(0).rstrip(".,;")), "url")
                 for m in _URL.finditer(text))
    own = _own_url(text, urls, body_start, body_end)
    rule = f"longest run of prose paragraphs ({len(body) - len(skipped)} prose, {len(skipped)} captions inside)"
    return Layout(tuple(labelled), body_start, body_end, rule, title, byline, dateline, tuple(stamps), urls, own, skipped,
                  lead_end, dateline_date)


def _credit(text: str, media: tuple[str, ...]) -> tuple[str, str] | None:
    """A short line naming only news media, "Agencies", "via" and places: an agency credit, not body."""
    if not media or _words(text) > 6:
        return None
    names = "|".join(re.escape(m) for m in sorted(media, key=len, reverse=True))
    rest = re.sub(rf"\b(?:{names}|Agencies|Agency|via|and|staff|with|wires?)\b", " ", text)
    if rest == text:
        return None
    if re.fullmatch(r"[\s,.;/()&-]*(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?[\s,.;/()&-]*){0,2}", rest):
        return BYLINE, "an agency credit line"
    return None


def _cut_off(bs: list[Block], last: int) -> bool:
    """The block after the body run is prose the capture cut before its end: long, opening with a capital, not the
    publisher's, and nothing but the publisher's blocks after it."""
    if last + 1 >= len(bs):
        return False
    nxt = bs[last + 1]
    after = bs[last + 2:]
    return (nxt.label == OTHER and _words(nxt.text) >= 8 and nxt.text[:1].isupper() and not _TERMINAL.search(nxt.text)
            and all(b.label in (BOILERPLATE, URL, OTHER, BYLINE) and _words(b.text) < 8 for b in after))


def _find(text: str, words: str, start: int, end: int) -> int:
    found = find_all(text, words, start, end)
    return found[0].start if found else start


def _len_in(text: str, words: str, start: int) -> int:
    m = pattern(words).match(text, start)
    return len(m.group(0)) if m else len(words)


def _context(bs: list[Block]) -> list[Block]:
    """Labels that depend on neighbours: a standfirst, and a name line beside a timestamp."""
    out = list(bs)
    for i, b in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        prev = out[i - 1] if i else None
        if _standfirst(out, i, prev, nxt):
            out[i] = Block(b.start, b.end, b.text, OTHER, "the standfirst: follows the headline, precedes a caption or byline")
        if b.label == OTHER and _NAME.match(b.text) and _words(b.text) <= 4 and (
                (nxt is not None and nxt.label == TIMESTAMP) or (prev is not None and prev.label == TIMESTAMP)):
            out[i] = Block(b.start, b.end, b.text, BYLINE, "a name beside a timestamp")
    return out


def _standfirst(out: list[Block], i: int, prev: Block | None, nxt: Block | None) -> bool:
    """A paragraph right after the headline, itself followed by a caption, byline or timestamp, is the standfirst."""
    return (out[i].label == PROSE and prev is not None and prev.label in (OTHER, BYLINE) and _is_headline(prev.text)
            and not any(x.label == PROSE for x in out[: i - 1])
            and nxt is not None and nxt.label in (CAPTION, BYLINE, TIMESTAMP, BOILERPLATE))


def _body_run(bs: list[Block]) -> tuple[int | None, int | None]:
    """The run of blocks with the most prose characters, made of prose and captions, starting and ending with prose."""
    best: tuple[int | None, int | None] = (None, None)
    best_score = 0
    i = 0
    while i < len(bs):
        if bs[i].label != PROSE:
            i += 1
            continue
        j = i
        last = i
        score = 0
        while j < len(bs) and bs[j].label in (PROSE, CAPTION):
            if bs[j].label == PROSE:
                last = j
                score += bs[j].end - bs[j].start
            j += 1
        if score > best_score:
            best, best_score = (i, last), score
        i = j + 1
    return best


def _is_headline(text: str) -> bool:
    n = _words(text)
    return 3 <= n <= 25 and not text.endswith((".", ":"))


def _title(text: str, head: list[Block]) -> Found | None:
    """The first line before the body shaped like a headline. A photo caption is not one (conventions §2)."""
    for b in head:
        if b.label in (OTHER, BYLINE, PROSE) and _is_headline(b.text) and not _BULLET.match(b.text) \
                and b.why != "an agency credit line" and not (b.label == PROSE and _words(b.text) > 20):
            return Found(b.text, b.start, b.end, "the first line before the body shaped like a headline")
    return None


def _byline(text: str, bs: list[Block], first: int) -> Found | None:
    for b in bs[:first]:
        if b.label == BYLINE:
            name = re.sub(r"^[Bb]y\s+", "", b.text) if _BY.match(b.text) else b.text
            start = _find(text, name, b.start, b.end)
            return Found(name, start, start + _len_in(text, name, start), b.why)
    return None


_WIRE_DATELINE = re.compile(r"(?P<place>[A-Z][A-Z.’' -]{1,30}?)\s*,\s*(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
                            r"[a-z]*\.?\s+\d{1,2})\s*(?:\.?\s*/\s*[A-Za-z -]{2,20}\s*/\.?|\s*\([^)]{1,20}\))?\s*[—–-]{0,2}\s*")


def _dateline(text: str, body_start: int) -> tuple[Found | None, int | None, Found | None]:
    """The dateline opening the body: its place, where the reported text starts after it, and the month and day
    a wire dateline prints ("BEIRUT, April 25. /TASS/.", "ANKARA, March 8 (Reuters) -")."""
    wire = _WIRE_DATELINE.match(text, body_start)
    if wire and wire.group("place").replace(" ", "").replace(".", "").isupper() and len(wire.group("place").strip()) >= 3:
        place = wire.group("place").strip()
        date = Found(wire.group("date"), wire.start("date"), wire.end("date"), "the month and day of the dateline")
        return (Found(place, wire.start("place"), wire.start("place") + len(place), "a wire dateline opening the body"),
                wire.end(), date)
    m = _DATELINE.match(text, body_start)
    if not m or not any(c.isalpha() for c in m.group("place")):
        return None, None, None
    place = m.group("place").strip()
    if len(place) < 3 or not place.replace(" ", "").replace(".", "").isupper():
        return None, None, None
    return Found(place, m.start("place"), m.start("place") + len(place), "capitals and a dash opening the body"), m.end(), None


def _own_url(text: str, urls: tuple[Found, ...], body_start: int, body_end: int) -> Found | None:
    """The URL a label ("Original url:", "Source:") points to, else the first URL outside the body."""
    for u in urls:
        before = text[max(0, u.start - 40): u.start].lower()
        if re.search(r"(?:original|source|canonical|permalink|article)?\s*(?:url|link|source)\s*:\s*$", before):
            return Found(u.text, u.start, u.end, "the URL after a label such as 'Original url:'")
    outside = [u for u in urls if not body_start <= u.start < body_end]
    if outside:
        return Found(outside[0].text, outside[0].start, outside[0].end, "the first URL outside the body")
    return None
