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
from dataclasses import dataclass, field

from ...core.spans import find_all, pattern
from .blocks import (
    BOILERPLATE,
    BULLET,
    BY,
    BYLINE,
    CAPTION,
    OTHER,
    PROSE,
    TERMINAL,
    TIMESTAMP,
    URL,
    URL_PATTERN,
    Block,
    blocks,
    is_headline,
    label,
    lines_if_stamped,
    timestamp,
    word_count,
)

_NAME = re.compile(r"^[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){1,3}$")
_DATELINE = re.compile(r"(?P<place>[A-Z][A-Z.’' -]{1,30}?)(?:\s*,\s*[A-Z][\w. ]{1,30})?(?:\s*\([^)]{1,20}\))?\s*[—–-]{1,2}\s+")

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


def layout(text: str, media: tuple[str, ...] = ()) -> Layout:
    """Blocks, body span and printed metadata of one seed text. `media`: names of news media, which make a short
    line an agency credit ("Reuters, Ankara", "Agencies via Xinhua")."""
    spans = [piece for i, (s, e) in enumerate(blocks(text)) for piece in lines_if_stamped(text, s, e, i == 0)]
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
    stamps = _stamps(text, labelled)
    urls = tuple(Found(m.group(0).rstrip(".,;"), m.start(), m.start() + len(m.group(0).rstrip(".,;")), "url")
                 for m in URL_PATTERN.finditer(text))
    own = _own_url(text, urls, body_start, body_end)
    rule = f"longest run of prose paragraphs ({len(body) - len(skipped)} prose, {len(skipped)} captions inside)"
    return Layout(tuple(labelled), body_start, body_end, rule, title, byline, dateline, tuple(stamps), urls, own, skipped,
                  lead_end, dateline_date)


def _stamps(text: str, labelled: list[Block]) -> list[Found]:
    """The printed dates of the timestamp blocks."""
    stamps = []
    for b in labelled:
        stamp = timestamp(b.text) if b.label == TIMESTAMP else None
        if stamp:
            start = _find(text, stamp[0], b.start, b.end)
            stamps.append(Found(stamp[0], start, start + _len_in(text, stamp[0], start), stamp[1]))
    return stamps


def _credit(text: str, media: tuple[str, ...]) -> tuple[str, str] | None:
    """A short line naming only news media, "Agencies", "via" and places: an agency credit, not body."""
    if not media or word_count(text) > 6:
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
    return (nxt.label == OTHER and word_count(nxt.text) >= 8 and nxt.text[:1].isupper() and not TERMINAL.search(nxt.text)
            and all(b.label in (BOILERPLATE, URL, OTHER, BYLINE) and word_count(b.text) < 8 for b in after))


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
        if b.label == OTHER and _NAME.match(b.text) and word_count(b.text) <= 4 and (
                (nxt is not None and nxt.label == TIMESTAMP) or (prev is not None and prev.label == TIMESTAMP)):
            out[i] = Block(b.start, b.end, b.text, BYLINE, "a name beside a timestamp")
    return out


def _standfirst(out: list[Block], i: int, prev: Block | None, nxt: Block | None) -> bool:
    """A paragraph right after the headline, itself followed by a caption, byline or timestamp, is the standfirst."""
    return (out[i].label == PROSE and prev is not None and prev.label in (OTHER, BYLINE) and is_headline(prev.text)
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


def _title(text: str, head: list[Block]) -> Found | None:
    """The first line before the body shaped like a headline. A photo caption is not one (conventions §2)."""
    for b in head:
        if b.label in (OTHER, BYLINE, PROSE) and is_headline(b.text) and not BULLET.match(b.text) \
                and b.why != "an agency credit line" and not (b.label == PROSE and word_count(b.text) > 20):
            return Found(b.text, b.start, b.end, "the first line before the body shaped like a headline")
    return None


def _byline(text: str, bs: list[Block], first: int) -> Found | None:
    for b in bs[:first]:
        if b.label == BYLINE:
            name = re.sub(r"^[Bb]y\s+", "", b.text) if BY.match(b.text) else b.text
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
