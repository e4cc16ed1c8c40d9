"""Describe stage, as pictures: docs/figures/*.svg drawn from the resolved tables.

Needs matplotlib (the optional extra `[figures]`). Without it the build leaves docs/figures/
alone and does not compare it (see `available`). The SVGs are deterministic for one matplotlib
version: fixed hash salt, no date, text kept as text, and the Figure API with local rcParams
(no pyplot, no global state). The extra pins the matplotlib minor version for that reason.

Every figure is laid out by hand, in inches from its top-left corner, at one fixed width that the
README shows at its natural size (WIDTH), and grows downwards only: more events, speakers or outlets
add rows or panels, never narrower columns or smaller text. Text is wrapped by its measured width,
never cut.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

from ..core.project import FIGURES as FOLDER

TIMELINE = f"{FOLDER}/timeline.svg"
WHO_SAID_WHAT = f"{FOLDER}/who-said-what.svg"
HOW_OUTLETS_QUOTE = f"{FOLDER}/how-outlets-quote.svg"
INSTALL_HINT = "pip install -e '.[figures]'"

FONT = "DejaVu Sans"
RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "turkey-syria-talks",
    "svg.fonttype": "none",  # text stays text: searchable, smaller, and independent of glyph outlines
    "font.family": FONT,  # bundled with matplotlib, so the layout is the same on every machine
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA = {"Date": None, "Creator": "tstalks build (matplotlib)"}
# The README's column is about 880 CSS px wide and shows a narrower image at its natural size, 96 px to the
# inch: 9 in is 648 pt, 864 px. The smallest text (NOTE, 7.5 pt) is then 10 px.
WIDTH = 9.0
TITLE, HEAD, BODY, NOTE = 11.0, 9.5, 8.5, 7.5
INK, GREY, RULE, ZEBRA = "#222222", "#555555", "#cccccc", "#f3f3f3"
# Colour-blind-safe (Okabe-Ito) colours, one per event level in codelist order (black instead of Okabe-Ito's
# yellow, which is invisible on white); grey for none.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
NO_LEVEL = "#999999"
# The normalization track the dataset is about: from the first Moscow meeting of the defence ministers
# (December 2022) to the Turkish elections that the April 2023 reports look ahead to. Events dated wholly
# within it get the main panel; every other dated event is background, on a compressed time scale.
TRACK = (dt.date(2022, 12, 1), dt.date(2023, 5, 31))
# Month names spelled out here rather than by strftime, whose names follow the machine's locale.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
MONTHS = tuple(name[:3] for name in MONTH_NAMES)

Range = tuple[dt.date, dt.date]
Row = dict[str, Any]


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


# A timeline draws one row per event and the grid one column per event: past this they are unreadable (and a
# synthetic corpus of thousands of events took most of a build's time and memory drawing them).
MAX_EVENTS = 100


def too_large(published: dict[str, Any]) -> str | None:
    """Why the figures are not drawn for these tables, or None."""
    n = published["events"].num_rows
    return f"{n} events are more than a figure shows legibly (at most {MAX_EVENTS})" if n > MAX_EVENTS else None


# The columns the figures read, of the tables they read (all columns where None). Any `*_date_earliest` and
# `*_date_latest` columns are read as well where a table has them (see `date_range`).
USED = {"participants": ["participant_id", "name", "participant_kind", "affiliation_id"], "events": None,
        "event_participants": ["event_id", "participant_id", "event_role"],
        "statements": ["statement_id", "speaker_id", "event_id", "statement_date", "statement_date_precision",
                       "statement_kind"],
        "statement_topics": None, "quotes": ["quote_id", "statement_id", "article_id", "quote_mode", "intermediary_id"],
        "articles": ["article_id", "outlet"]}


def figures(published: dict[str, Any], codelists: dict[str, list[dict[str, str]]]) -> dict[str, bytes]:
    """{path: SVG bytes} for each figure, from the published Arrow tables. Raises ImportError when matplotlib
    is absent."""
    import matplotlib

    tables = {name: _columns(published[name], cols).to_pylist() for name, cols in USED.items()}
    with matplotlib.rc_context(RC):
        return {TIMELINE: timeline(tables, codelists), WHO_SAID_WHAT: who_said_what(tables, codelists),
                HOW_OUTLETS_QUOTE: how_outlets_quote(tables, codelists)}


def _columns(table: Any, wanted: list[str] | None) -> Any:
    if wanted is None:
        return table
    bounds = [c for c in table.column_names if c.endswith(("_date_earliest", "_date_latest"))]
    return table.select([c for c in wanted if c in table.column_names] + bounds)


# ---------------------------------------------------------------------------------------------- dates

def _span_end(start: dt.date, precision: str | None) -> dt.date:
    """The last day a date of this precision may stand for (a month stored as its first day covers the month)."""
    if precision == "month":
        following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "decade":
        return dt.date(start.year + 9, 12, 31)
    return start


def date_range(row: Row, prefix: str, precision: str | None = None) -> Range | None:
    """The days the date `{prefix}_date` of `row` may fall on, or None when it is empty: the row's own
    `{prefix}_date_earliest` and `{prefix}_date_latest` where it has them, else from the date to the end of the
    period its precision stands for (`precision` when the row gives none)."""
    date: dt.date | None = row.get(f"{prefix}_date")
    earliest: dt.date | None = row.get(f"{prefix}_date_earliest")
    latest: dt.date | None = row.get(f"{prefix}_date_latest")
    lo = earliest or date or latest
    if lo is None:
        return None
    hi = latest or (_span_end(date, row.get(f"{prefix}_date_precision") or precision) if date else lo)
    return (lo, hi) if lo <= hi else (hi, lo)


def _own_span(event: Row) -> Range | None:
    start = date_range(event, "start")
    if start is None:
        return None
    end = date_range(event, "end", event.get("start_date_precision"))
    return (start[0], max(start[1], end[1])) if end else start


@dataclass(frozen=True)
class Dated:
    """An event with the days it may have taken place on, and the event they are the dates of: the event itself,
    or the parent it inherits them from."""
    event: Row
    span: Range | None
    source: Row

    @property
    def inherited(self) -> bool:
        return self.source is not self.event

    def order(self) -> tuple[Any, ...]:
        """Date order, an event dated by its parent right after the parent."""
        span = self.span or (dt.date.max, dt.date.max)
        return (span, (self.source.get("title") or "").lower(), self.source["event_id"], self.inherited,
                (self.event.get("title") or "").lower(), self.event["event_id"])


def _dated(events: list[Row]) -> list[Dated]:
    """Each event with its span, or else its nearest dated parent's: a meeting coded as held inside or beside
    another (parent_event_id) took place within that one's dates."""
    by_id = {e["event_id"]: e for e in events}
    out = []
    for event in events:
        current: Row | None = event
        seen: set[str] = set()
        span = None
        while current is not None and current["event_id"] not in seen and span is None:
            seen.add(current["event_id"])
            span = _own_span(current)
            if span is None:
                current = by_id.get(current.get("parent_event_id") or "")
        out.append(Dated(event, span, current if span is not None and current is not None else event))
    return out


def _shown_date(date: dt.date, precision: str | None) -> str:
    """The date as precisely as it is known: 2023-04-25, 2023-04, 2023, 2010s."""
    if precision == "month":
        return date.strftime("%Y-%m")
    if precision == "year":
        return str(date.year)
    if precision == "decade":
        return f"{date.year}s"
    return date.isoformat()


def _shown(row: Row, prefix: str, precision: str | None = None) -> str | None:
    """`{prefix}_date` as written in the table, with its bounds where the table narrows them."""
    date = row.get(f"{prefix}_date")
    span = date_range(row, prefix, precision)
    if span is None:
        return None
    own = row.get(f"{prefix}_date_precision") or precision
    text = _shown_date(date, own) if date else ""
    if date is None or span != (date, _span_end(date, own)):
        between = span[0].isoformat() if span[0] == span[1] else f"between {span[0]} and {span[1]}"
        text = f"{text} ({between})" if text else between
    return text


def _shown_event_date(d: Dated) -> str:
    """The event's dates as coded, or its parent's, said to be so."""
    if d.span is None:
        return "undated"
    start = _shown(d.source, "start") or ""
    end = _shown(d.source, "end", d.source.get("start_date_precision"))
    shown = start if not end or end == start else f"{start} to {end}"
    return f"{shown}, dated by the event it was part of" if d.inherited else shown


def _num(date: dt.date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(date))


# ---------------------------------------------------------------------------------------------- text and layout

@functools.lru_cache(maxsize=8192)
def _text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches, as the SVG backend lays the text out (cached: a measurement takes about a millisecond)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(family=FONT, size=size, weight=weight)
    width, _, _ = text_to_path.get_text_width_height_descent(text, font, ismath=False)
    return float(width) / 72


def wrap(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """`text` broken at spaces into lines no wider than `width` inches at `size` points (a single word wider than
    that stays whole on its own line)."""
    # A line's width is taken as the sum of its words' and spaces' widths, so each word is measured once; kerning
    # across a space, which this leaves out, is a small fraction of a point.
    space = _text_width(" ", size, weight)
    lines: list[str] = []
    used = 0.0
    for word in text.split():
        extent = _text_width(word, size, weight)
        if lines and used + space + extent <= width:
            lines[-1] = f"{lines[-1]} {word}"
            used += space + extent
        else:
            lines.append(word)
            used = extent
    return lines or [""]


def _line(size: float) -> float:
    """The height of a line of text of `size` points, in inches."""
    return size * 1.3 / 72


@dataclass
class Lines:
    """Wrapped text of one size and colour, drawn one line under the other."""
    lines: list[str]
    size: float
    colour: str = INK
    weight: str = "normal"

    @property
    def height(self) -> float:
        return len(self.lines) * _line(self.size)

    def draw(self, ax: Any, x: float, y: float, gid: str | None = None) -> float:
        """Draws from top `y` (the first line named `gid`, for tests to find); returns the y under the last line."""
        for i, line in enumerate(self.lines):
            ax.text(x, y + _line(self.size) / 2, line, fontsize=self.size, color=self.colour, va="center",
                    fontweight=self.weight, gid=gid if i == 0 else None)
            y += _line(self.size)
        return y


def _lines(text: str, width: float, size: float, colour: str = INK, weight: str = "normal") -> Lines:
    return Lines(wrap(text, width, size, weight), size, colour, weight)


@dataclass
class Block:
    """A horizontal band of a figure: its height in inches and how to draw it, given its top."""
    height: float
    draw: Callable[[Page, float], None]


@dataclass
class Page:
    """A figure addressed in inches from its top-left corner (matplotlib counts from the bottom)."""
    fig: Any
    height: float

    def axes(self, x: float, y: float, w: float, h: float, gid: str) -> Any:
        ax = self.fig.add_axes((x / WIDTH, 1 - (y + h) / self.height, w / WIDTH, h / self.height))
        ax.set_gid(gid)
        ax.patch.set_visible(False)
        return ax

    def inches(self, x: float, y: float, w: float, h: float, gid: str) -> Any:
        """Axes without axis whose data coordinates are inches from their own top-left corner."""
        ax = self.axes(x, y, w, h, gid)
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.set_axis_off()
        return ax


def _svg(blocks: list[Block]) -> bytes:
    from matplotlib.figure import Figure

    height = max(sum(b.height for b in blocks), 0.5)
    page = Page(Figure(figsize=(WIDTH, height)), height)
    top = 0.0
    for block in blocks:
        block.draw(page, top)
        top += block.height
    out = io.BytesIO()
    page.fig.savefig(out, format="svg", metadata=METADATA, bbox_inches="tight", pad_inches=0.05)
    return out.getvalue()


def _heading(title: str, subtitle: str = "", size: float = TITLE, gid: str = "heading") -> Block:
    head = _lines(title, WIDTH, size, weight="bold")
    sub = _lines(subtitle, WIDTH, NOTE, GREY) if subtitle else Lines([], NOTE)
    height = head.height + sub.height + 0.12

    def draw(page: Page, top: float) -> None:
        ax = page.inches(0, top, WIDTH, height, gid)
        sub.draw(ax, 0, head.draw(ax, 0, 0.04))

    return Block(height, draw)


def _gap(height: float) -> Block:
    return Block(height, lambda page, top: None)


# A legend item: a swatch drawn by a function of (axes, x, y-centre) and its label.
Swatch = Callable[[Any, float, float], None]


def _dot(colour: str, filled: bool = True) -> Swatch:
    def draw(ax: Any, x: float, y: float) -> None:
        ax.plot([x + 0.07], [y], marker="o", markersize=7, color=colour, markerfacecolor=colour if filled else "white",
                markeredgewidth=1.6, linestyle="none")
    return draw


def _box(colour: str, filled: bool = True, edge: str | None = None, width: float = 0.2, style: str = "-",
         alpha: float = 1.0, height: float = 0.1) -> Swatch:
    def draw(ax: Any, x: float, y: float) -> None:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((x, y - height / 2), width, height, facecolor=colour if filled else "white", alpha=alpha,
                               edgecolor=edge or colour, linewidth=1.4, linestyle=style))
    return draw


def _legend(items: list[tuple[Swatch, str]], title: str = "", gid: str = "legend") -> Block:
    """Swatches and labels flowing left to right, wrapping onto further lines."""
    row_h, gap = _line(NOTE) + 0.06, 0.22
    head = _lines(title, WIDTH, NOTE, GREY, "bold") if title else Lines([], NOTE)
    placed, x, y = [], 0.0, head.height + row_h / 2
    for swatch, label in items:
        width = 0.28 + _text_width(label, NOTE)
        if x and x + width > WIDTH:
            x, y = 0.0, y + row_h
        placed.append((swatch, label, x, y))
        x += width + gap
    height = y + row_h / 2 + 0.08

    def draw(page: Page, top: float) -> None:
        ax = page.inches(0, top, WIDTH, height, gid)
        head.draw(ax, 0, 0)
        for swatch, label, lx, ly in placed:
            swatch(ax, lx, ly)
            ax.text(lx + 0.28, ly, label, fontsize=NOTE, color=INK, va="center")

    return Block(height, draw)


def _names(tables: dict[str, list[Row]]) -> dict[str, str]:
    return {p["participant_id"]: p["name"] for p in tables["participants"]}


def _titles(codelists: dict[str, list[dict[str, str]]], name: str) -> dict[str, str]:
    return {row["code"]: row["title"] for row in codelists.get(name, [])}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------------------------------------- timeline

LABEL_W = 3.75  # the timeline's text column; the marks take the rest of the width
MARK_X = LABEL_W + 0.15
MARK_W = WIDTH - MARK_X - 0.05
AXIS_H = 0.3  # the band of tick labels above and below a panel's marks
PAD = 0.05


@dataclass
class Entry:
    """One event as the timeline shows it: its words and its mark."""
    dated: Dated
    title: Lines
    meta: Lines
    colour: str
    occurred: bool

    @property
    def height(self) -> float:
        return self.title.height + self.meta.height + 2 * PAD

    def draw(self, ax: Any, x: float, y: float) -> None:
        event_id = self.dated.event["event_id"]
        self.meta.draw(ax, x, self.title.draw(ax, x, y + PAD, f"event-{event_id}"), f"event-{event_id}-meta")


def _participants(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """Every event's participants, in full, grouped by role in the role codelist's order."""
    names = _names(tables)
    order = [row["code"] for row in codelists.get("event_role", [])]
    role_title = _titles(codelists, "event_role")
    roles: dict[str, dict[str, set[str]]] = {}
    for ep in tables["event_participants"]:
        name = names.get(ep["participant_id"]) or ep["participant_id"]
        roles.setdefault(ep["event_id"], {}).setdefault(ep["event_role"] or "", set()).add(name)

    def rank(role: str) -> tuple[int, str]:
        return (order.index(role) if role in order else len(order), role)

    out = {}
    for event_id, by_role in roles.items():
        parts = []
        for role in sorted(by_role, key=rank):
            who = sorted(by_role[role])
            label = role_title.get(role, role or "Participant") + ("s" if len(who) > 1 else "")
            parts.append(f"{label}: {', '.join(who)}")
        out[event_id] = "; ".join(parts)
    return out


def _entries(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]], width: float,
             events: list[Dated]) -> list[Entry]:
    levels = [row["code"] for row in codelists.get("event_level", [])]
    colour = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(levels)}
    status = _titles(codelists, "event_status")
    who = _participants(tables, codelists)
    out = []
    for d in events:
        e = d.event
        code = e.get("event_status") or "occurred"
        meta = [_shown_event_date(d)] if d.span else []
        if code != "occurred":
            meta.append(status.get(code, code).lower())
        meta.append(who.get(e["event_id"], "participants not coded"))
        title = _lines(e.get("title") or e["event_id"], width, BODY)
        out.append(Entry(d, title, _lines(" · ".join(meta), width, NOTE, GREY),
                         colour.get(e.get("event_level") or "", NO_LEVEL), code == "occurred"))
    return out


def _by_date(entry: Entry) -> tuple[Any, ...]:
    return entry.dated.order()


def _mark(ax: Any, entry: Entry, y: float) -> None:
    """A dot for a known day; a bar across the days an imprecise date may fall on. Filled if the event occurred,
    hollow if it was only planned or proposed; pale and dashed if its date is its parent event's."""
    from matplotlib.patches import Rectangle

    assert entry.dated.span is not None
    lo, hi = (_num(d) for d in entry.dated.span)
    fill = entry.colour if entry.occurred else "white"
    alpha, style = (0.5, "--") if entry.dated.inherited else (1.0, "-")
    if lo == hi:
        ax.plot([lo], [y], marker="o", markersize=8, color=entry.colour, markerfacecolor=fill, alpha=alpha,
                markeredgewidth=1.8, linestyle="none")
        return
    ax.add_patch(Rectangle((lo, y - 0.055), hi + 1 - lo, 0.11, facecolor=fill, edgecolor=entry.colour, linewidth=1.6,
                           linestyle=style, alpha=alpha))


def _time_axis(ax: Any, lo: dt.date, hi: dt.date, years: bool) -> None:
    """Grid lines at each month (or year) and labels at their middles, above and below the marks."""
    bounds = _year_starts(lo, hi) if years else _month_starts(lo, hi)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if len(bounds) / s <= 14) if years else 1
    ax.set_xticks([_num(b) for b in bounds], minor=True)
    ax.grid(axis="x", which="minor", color=RULE, linewidth=0.6)
    labelled = [b for b in bounds[:-1] if not years or b.year % step == 0]
    middles = [(_num(b) + _num(_next_period(b, years))) / 2 for b in labelled]
    ax.set_xticks(middles, [str(b.year) if years else f"{MONTHS[b.month - 1]} {b.year}" for b in labelled])
    ax.tick_params(axis="x", which="both", length=0, labelsize=NOTE, labelcolor=GREY, top=False, labeltop=True)
    ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _month_starts(lo: dt.date, hi: dt.date) -> list[dt.date]:
    out = [dt.date(lo.year, lo.month, 1)]
    while out[-1] <= hi:
        out.append(_next_period(out[-1], False))
    return out


def _year_starts(lo: dt.date, hi: dt.date) -> list[dt.date]:
    return [dt.date(y, 1, 1) for y in range(lo.year, hi.year + 2)]


def _next_period(date: dt.date, years: bool) -> dt.date:
    if years:
        return dt.date(date.year + 1, 1, 1)
    return dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)


def _timeline_panel(entries: list[Entry], lo: dt.date, hi: dt.date, years: bool, gid: str) -> Block:
    """One row per event: its title and its date and participants on the left, its mark on a time axis from
    `lo` to `hi` on the right, alternate rows shaded so the eye can follow a row across."""
    rows_h = sum(e.height for e in entries)
    height = rows_h + 2 * AXIS_H

    def draw(page: Page, top: float) -> None:
        from matplotlib.patches import Rectangle

        words = page.inches(0, top, WIDTH, height, f"{gid}-labels")
        marks = page.axes(MARK_X, top + AXIS_H, MARK_W, rows_h, gid)
        if years:
            marks.axvspan(_num(TRACK[0]), _num(TRACK[1]) + 1, color="#e4e4e4", linewidth=0, zorder=0)
        y = AXIS_H
        for i, entry in enumerate(entries):
            if i % 2 == 0:
                words.add_patch(Rectangle((0, y), WIDTH, entry.height, facecolor=ZEBRA, edgecolor="none", zorder=0))
            entry.draw(words, 0.05, y)
            _mark(marks, entry, y - AXIS_H + PAD + _line(BODY) / 2)
            y += entry.height
        marks.set_ylim(rows_h, 0)
        marks.set_xlim(_num(lo), _num(hi) + 1)
        _time_axis(marks, lo, hi, years)

    return Block(height, draw)


def _background_bounds(entries: list[Entry]) -> tuple[dt.date, dt.date]:
    spans = [e.dated.span for e in entries if e.dated.span]
    return (dt.date(min(s[0] for s in spans + [TRACK]).year, 1, 1),
            dt.date(max(s[1] for s in spans + [TRACK]).year, 12, 31))


def _undated_list(entries: list[Entry], gid: str) -> Block:
    """The events the texts give no date: in two columns, each with its mark's colour and fill."""
    half = sum(e.height for e in entries) / 2
    columns: list[list[Entry]] = [[], []]
    used = 0.0
    for entry in entries:
        columns[int(bool(columns[0]) and used + entry.height / 2 > half)].append(entry)
        used += entry.height
    height = max(sum(e.height for e in c) for c in columns)
    column_w = WIDTH / 2

    def draw(page: Page, top: float) -> None:
        ax = page.inches(0, top, WIDTH, height, gid)
        for c, column in enumerate(columns):
            y = 0.0
            for entry in column:
                x = c * column_w
                _dot(entry.colour, entry.occurred)(ax, x, y + PAD + _line(BODY) / 2)
                entry.draw(ax, x + 0.22, y)
                y += entry.height

    return Block(height, draw)


def _window() -> str:
    return f"{MONTH_NAMES[TRACK[0].month - 1]} {TRACK[0].year} – {MONTH_NAMES[TRACK[1].month - 1]} {TRACK[1].year}"


def _timeline_legend(events: list[Dated], codelists: dict[str, list[dict[str, str]]]) -> Block:
    level_title = _titles(codelists, "event_level")
    levels = [row["code"] for row in codelists.get("event_level", [])]
    shown = {d.event.get("event_level") for d in events}
    items: list[tuple[Swatch, str]] = [(_dot(PALETTE[i % len(PALETTE)]), level_title[code])
                                       for i, code in enumerate(levels) if code in shown]
    if None in shown:
        items.append((_dot(NO_LEVEL), "level not coded"))
    marks: list[tuple[Swatch, str]] = [
        (_dot(GREY), "occurred, on a known day"), (_dot(GREY, False), "planned or proposed"),
        (_box(GREY), "occurred, on a day within this period (a date known to the month or year)"),
        (_box(GREY, False), "planned or proposed, within this period"),
        (_box(GREY, style="--", alpha=0.5), "dated by the event it was part of")]
    return _stack([_legend(items, "Colour: the highest level of officials present"),
                   _legend(marks, "Mark: filled if the event occurred, hollow if it was only planned or proposed",
                           gid="legend-marks")])


def _stack(blocks: list[Block]) -> Block:
    """Blocks one under the other, as one."""
    def draw(page: Page, top: float) -> None:
        for block in blocks:
            block.draw(page, top)
            top += block.height

    return Block(sum(b.height for b in blocks), draw)


def timeline(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]]) -> bytes:
    """The events of the normalization track on a month scale; the earlier and later events the reports refer to
    on a compressed year scale below; then the events the texts do not date. Each row is labelled by the event's
    title, its date as coded and every participant, by role."""
    events = _dated(tables["events"])
    entries = sorted(_entries(tables, codelists, LABEL_W - 0.1, [d for d in events if d.span]), key=_by_date)
    track: list[Entry] = []
    background: list[Entry] = []
    for entry in entries:
        assert entry.dated.span is not None
        inside = TRACK[0] <= entry.dated.span[0] and entry.dated.span[1] <= TRACK[1]
        (track if inside else background).append(entry)
    undated = sorted(_entries(tables, codelists, WIDTH / 2 - 0.3, [d for d in events if not d.span]),
                     key=_undated_order(codelists))
    blocks = [_heading(f"The Turkey–Syria normalization track, {_window()}",
                       "Events the reports describe, by date, each with its participants as coded."),
              _timeline_legend(events, codelists), _gap(0.1)]
    if track:
        blocks.append(_timeline_panel(track, TRACK[0], TRACK[1], False, "timeline-track"))
    else:
        blocks.append(_heading(f"No event is dated within {_window()}.", size=BODY, gid="timeline-track"))
    if background:
        blocks += [_gap(0.15), _heading(f"Background: events dated outside {_window()}",
                                        "Years, compressed; the grey strip is the window above.", HEAD),
                   _timeline_panel(background, *_background_bounds(background), True, "timeline-background")]
    if undated:
        blocks += [_gap(0.15), _heading("Not dated by the texts", "", HEAD), _undated_list(undated, "timeline-undated")]
    return _svg(blocks)


def _undated_order(codelists: dict[str, list[dict[str, str]]]) -> Callable[[Entry], tuple[int, str]]:
    order = [row["code"] for row in codelists.get("event_status", [])]

    def key(entry: Entry) -> tuple[int, str]:
        status = entry.dated.event.get("event_status")
        return (order.index(status) if status in order else len(order), " ".join(entry.title.lines))
    return key


# ---------------------------------------------------------------------------------------------- shared by the grids

def _column_order(dated: dict[str, Dated]) -> Callable[[str], tuple[Any, ...]]:
    """Events in date order (an undated event takes its parent's date), then undated events by title, then the
    statements tied to no event (NO_EVENT)."""
    def key(event_id: str) -> tuple[Any, ...]:
        d = dated.get(event_id)
        if event_id == NO_EVENT:
            return (2, ())
        if d is None:
            return (1, (event_id,))
        return (int(d.span is None), d.order())
    return key


def _event_heading(event_id: str, dated: dict[str, Dated],
                   codelists: dict[str, list[dict[str, str]]]) -> tuple[str, str]:
    """An event's title and the line under it: its date, and its status unless it occurred."""
    if event_id == NO_EVENT:
        return "Not about a particular event", "statements the articles tie to no event"
    d = dated.get(event_id)
    if d is None:
        return event_id, ""
    status: str = d.event.get("event_status") or "occurred"
    note = _shown_event_date(d) if d.span else "undated"
    if status != "occurred":
        note += " · " + _titles(codelists, "event_status").get(status, status).lower()
    return d.event.get("title") or event_id, note


def _home(participant_id: str, participants: dict[str, Row]) -> str:
    """The state a participant belongs to, following its affiliations ('' when none is coded)."""
    current, seen = participants.get(participant_id), set()
    while current is not None and current["participant_id"] not in seen:
        if current.get("participant_kind") == "state":
            return str(current["name"])
        seen.add(current["participant_id"])
        current = participants.get(current.get("affiliation_id") or "")
    return ""


def _speaker_label(participant_id: str, participants: dict[str, Row], width: float) -> tuple[Lines, Lines]:
    name = (participants.get(participant_id) or {}).get("name") or participant_id
    home = _home(participant_id, participants)
    return _lines(name, width, BODY), (_lines(home, width, NOTE, GREY) if home and home != name else Lines([], NOTE))


def _speaker_order(participants: dict[str, Row]) -> Callable[[str], tuple[bool, str, str]]:
    """Speakers grouped by their state, states alphabetically, those of no state last."""
    def key(participant_id: str) -> tuple[bool, str, str]:
        home = _home(participant_id, participants)
        return (not home, home, ((participants.get(participant_id) or {}).get("name") or participant_id).lower())
    return key


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


# ---------------------------------------------------------------------------------------------- who said what

NO_EVENT = ""  # the column of statements tied to no event
SPEAKER_W = 1.7
COLUMNS = 4  # event columns per panel: 1.8 in each, room for a list of topics without cutting it
CELL_W = (WIDTH - SPEAKER_W) / COLUMNS
# Shades for the number of quotes attesting a speaker's statements about an event (ColorBrewer Blues). Fixed
# bins, so that a shade means the same count however large the corpus grows.
QUOTE_BINS = ((1, "1 quote", "#deebf7"), (2, "2–3 quotes", "#9ecae1"), (4, "4–6 quotes", "#4292c6"),
              (7, "7 or more", "#08519c"))
DARK_FROM = 2  # bins from this one on take white text


@dataclass
class Said:
    """What one speaker said about one event: the topics, in codelist order, and how it is attested."""
    topics: list[str] = field(default_factory=list)
    statements: int = 0
    quotes: int = 0


def _said(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]]) -> dict[tuple[str, str], Said]:
    order = [row["code"] for row in codelists.get("topic", [])]
    title = _titles(codelists, "topic")
    quotes: dict[str, int] = {}
    for q in tables["quotes"]:
        quotes[q["statement_id"]] = quotes.get(q["statement_id"], 0) + 1
    topics: dict[str, set[str]] = {}
    for t in tables["statement_topics"]:
        topics.setdefault(t["statement_id"], set()).add(t["topic"])
    cells: dict[tuple[str, str], Said] = {}
    for s in sorted(tables["statements"], key=lambda s: s["statement_id"]):
        cell = cells.setdefault((s["speaker_id"], s.get("event_id") or NO_EVENT), Said())
        cell.statements += 1
        cell.quotes += quotes.get(s["statement_id"], 0)
        for code in sorted(topics.get(s["statement_id"], ()), key=lambda c: (_rank(order, c), c)):
            if title.get(code, code) not in cell.topics:
                cell.topics.append(title.get(code, code))
    return cells


def _rank(order: list[str], code: str) -> int:
    """A code's place in its codelist, codes not in it last."""
    return order.index(code) if code in order else len(order)


def _bin(quotes: int) -> int:
    return max([i for i, (least, _, _) in enumerate(QUOTE_BINS) if quotes >= least] + [0])


def _cell_text(cell: Said) -> tuple[Lines, Lines]:
    colour = "white" if _bin(cell.quotes) >= DARK_FROM else INK
    count = _plural(cell.quotes, "quote")
    if cell.statements > 1:
        count = f"{_plural(cell.statements, 'statement')}, {count}"
    return (_lines(", ".join(cell.topics) or "no topic coded", CELL_W - 0.16, NOTE, colour),
            _lines(count, CELL_W - 0.16, NOTE, colour if colour == "white" else GREY))


def _said_panel(columns: list[str], cells: dict[tuple[str, str], Said], headings: dict[str, tuple[str, str]],
                participants: dict[str, Row], index: int) -> Block:
    """Speakers (rows) by events (columns) for some of the events: only the speakers who spoke about them."""
    speakers = sorted({s for s, c in cells if c in columns}, key=_speaker_order(participants))
    heads = {c: (_lines(headings[c][0], CELL_W - 0.1, NOTE, INK, "bold"),
                 _lines(headings[c][1], CELL_W - 0.1, NOTE, GREY)) for c in columns}
    head_h = max(t.height + n.height for t, n in heads.values()) + 0.14
    labels = {s: _speaker_label(s, participants, SPEAKER_W - 0.1) for s in speakers}
    texts = {key: _cell_text(cell) for key, cell in cells.items() if key[1] in columns}
    row_h = {s: max([sum(x.height for x in labels[s])] + [t.height + n.height for (sp, _), (t, n) in texts.items()
                                                            if sp == s]) + 2 * PAD + 0.04 for s in speakers}
    height = head_h + sum(row_h.values())

    def draw(page: Page, top: float) -> None:
        from matplotlib.patches import Rectangle

        ax = page.inches(0, top, WIDTH, height, f"who-said-what-panel-{index}")
        ax.plot([0, WIDTH], [0, 0], color=GREY, linewidth=0.8)  # where one panel ends and the next begins
        for i, c in enumerate(columns):
            title, note = heads[c]
            note.draw(ax, SPEAKER_W + i * CELL_W + 0.05, title.draw(ax, SPEAKER_W + i * CELL_W + 0.05, 0.06,
                                                                    gid=f"column-{c or 'none'}"))
        y = head_h
        for s in speakers:
            ax.plot([0, WIDTH], [y, y], color=RULE, linewidth=0.5)
            name, home = labels[s]
            home.draw(ax, 0.02, name.draw(ax, 0.02, y + PAD))
            for i, c in enumerate(columns):
                if (s, c) in texts:
                    x = SPEAKER_W + i * CELL_W
                    ax.add_patch(Rectangle((x + 0.03, y + 0.03), CELL_W - 0.06, row_h[s] - 0.06, edgecolor="none",
                                           facecolor=QUOTE_BINS[_bin(cells[(s, c)].quotes)][2]))
                    topics, count = texts[(s, c)]
                    count.draw(ax, x + 0.08, topics.draw(ax, x + 0.08, y + PAD + 0.02))
            y += row_h[s]

    return Block(height, draw)


def who_said_what(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]]) -> bytes:
    """Speakers by event, the events in date order, left to right and then panel by panel: each cell lists the
    topics of what the speaker said about that event, shaded by the number of quotes attesting it."""
    participants = {p["participant_id"]: p for p in tables["participants"]}
    dated = {d.event["event_id"]: d for d in _dated(tables["events"])}
    cells = _said(tables, codelists)
    columns = sorted({c for _, c in cells}, key=_column_order(dated))
    headings = {c: _event_heading(c, dated, codelists) for c in columns}
    legend = _legend([(_box(colour, edge="none"), label) for _, label, colour in QUOTE_BINS],
                     "Shade: how many quoted passages in the articles attest what the speaker said "
                     "(blank: nothing coded).")
    blocks = [_heading("Who said what, event by event",
                       "Topics of each speaker's statements about each event. Events in date order, left to right and "
                       "then panel by panel; an undated event takes the date of the event it was part of."), legend]
    for i, chunk in enumerate(_chunks(columns, COLUMNS)):
        blocks += [_gap(0.18), _said_panel(chunk, cells, headings, participants, i)]
    if not columns:
        blocks.append(_heading("No statement is coded.", size=BODY, gid="who-said-what-panel-0"))
    return _svg(blocks)


# ---------------------------------------------------------------------------------------------- how outlets quote

SOURCE_W = 2.1
OUTLETS = 6  # outlet columns per panel
# Okabe-Ito: the more of the speaker's own words, the darker the blue; the outlet's own wording orange.
MODE_COLOURS = {"direct": "#0072B2", "mixed": "#56B4E9", "paraphrase": "#E69F00"}
SQUARE, STEP = 0.13, 0.17


@dataclass
class Shared:
    """A statement quoted by two or more articles, its quotes by outlet."""
    statement: Row
    by_outlet: dict[str, list[Row]]


def _shared(tables: dict[str, list[Row]]) -> list[Shared]:
    outlet = {a["article_id"]: a.get("outlet") or a["article_id"] for a in tables["articles"]}
    quotes: dict[str, list[Row]] = {}
    for q in sorted(tables["quotes"], key=lambda q: q["quote_id"]):
        quotes.setdefault(q["statement_id"], []).append(q)
    out = []
    for s in tables["statements"]:
        mine = quotes.get(s["statement_id"], [])
        if len({q["article_id"] for q in mine}) >= 2:
            by_outlet: dict[str, list[Row]] = {}
            for q in mine:
                by_outlet.setdefault(outlet.get(q["article_id"]) or str(q["article_id"]), []).append(q)
            out.append(Shared(s, by_outlet))
    return out


def _mode_rank(mode: str | None) -> int:
    return list(MODE_COLOURS).index(mode) if mode in MODE_COLOURS else len(MODE_COLOURS)


@dataclass
class QuoteCell:
    """How one outlet quotes one statement: a square per quote, and the media it says relayed them."""
    quotes: list[Row]
    via: Lines
    per_line: int

    @property
    def height(self) -> float:
        return math.ceil(len(self.quotes) / self.per_line) * STEP + self.via.height

    def draw(self, ax: Any, x: float, y: float) -> None:
        from matplotlib.patches import Rectangle

        for i, q in enumerate(self.quotes):
            sx, sy = x + (i % self.per_line) * STEP, y + (i // self.per_line) * STEP
            relayed = bool(q.get("intermediary_id"))
            colour = MODE_COLOURS.get(q.get("quote_mode") or "", NO_LEVEL)
            ax.add_patch(Rectangle((sx, sy), SQUARE, SQUARE, facecolor=colour, edgecolor=INK if relayed else "none",
                                   linewidth=1.6 if relayed else 0, gid=f"quote-{q['quote_id']}"))
        self.via.draw(ax, x - 0.02, y + math.ceil(len(self.quotes) / self.per_line) * STEP)


def _quote_cell(quotes: list[Row], names: dict[str, str], width: float) -> QuoteCell:
    ordered = sorted(quotes, key=lambda q: (_mode_rank(q.get("quote_mode")), q["quote_id"]))
    relays = [str(q["intermediary_id"]) for q in quotes if q.get("intermediary_id")]
    via = sorted({names.get(r) or r for r in relays})
    return QuoteCell(ordered, _lines("via " + ", ".join(via), width, NOTE, GREY) if via else Lines([], NOTE),
                     max(1, int((width + STEP - SQUARE) / STEP)))


def _source_label(shared: Shared, participants: dict[str, Row], kinds: dict[str, str]) -> tuple[Lines, Lines]:
    s = shared.statement
    name = (participants.get(s["speaker_id"]) or {}).get("name") or s["speaker_id"]
    note = kinds.get(s.get("statement_kind") or "", s.get("statement_kind") or "statement")
    when = _shown(s, "statement")
    return _lines(name, SOURCE_W - 0.1, BODY), _lines(f"{note}, {when}" if when else note, SOURCE_W - 0.1, NOTE, GREY)


def _groups(shared: list[Shared], dated: dict[str, Dated]) -> list[tuple[str, list[Shared]]]:
    """The shared statements by event, the events in date order, each event's statements by date and speaker."""
    groups: dict[str, list[Shared]] = {}
    for sh in shared:
        groups.setdefault(sh.statement.get("event_id") or NO_EVENT, []).append(sh)

    def by_date(sh: Shared) -> tuple[Any, ...]:
        span = date_range(sh.statement, "statement") or (dt.date.max, dt.date.max)
        return (span, sh.statement["speaker_id"], sh.statement["statement_id"])

    return [(e, sorted(groups[e], key=by_date)) for e in sorted(groups, key=_column_order(dated))]


def _outlet_panel(outlets: list[str], groups: list[tuple[str, list[Shared]]], context: dict[str, Any],
                  index: int) -> Block:
    cell_w = (WIDTH - SOURCE_W) / max(len(outlets), min(len(context["outlets"]), OUTLETS), 3)
    heads = [(_lines(o, cell_w - 0.1, NOTE, INK, "bold"),
              _lines(_plural(context["articles"].get(o, 0), "article"), cell_w - 0.1, NOTE, GREY)) for o in outlets]
    head_h = max(t.height + n.height for t, n in heads) + 0.08
    layout: list[tuple[str, Any, float]] = []  # ("event", (title, note), h) or ("row", (label, cells), h)
    for event_id, everyone in groups:
        # A panel holds only the statements its outlets quote (with many outlets, the others are in other panels).
        members = [sh for sh in everyone if any(o in sh.by_outlet for o in outlets)]
        if not members:
            continue
        title, note = context["headings"][event_id]
        heading = _lines(f"{title} ({note})" if note else title, WIDTH - 0.1, NOTE, GREY, "bold")
        layout.append(("event", heading, heading.height + 0.1))
        for sh in members:
            label = _source_label(sh, context["participants"], context["kinds"])
            cells = {o: _quote_cell(sh.by_outlet[o], context["names"], cell_w - 0.14)
                     for o in outlets if o in sh.by_outlet}
            h = max([label[0].height + label[1].height] + [c.height for c in cells.values()]) + 2 * PAD + 0.04
            layout.append(("row", (label, cells), h))
    height = head_h + sum(h for _, _, h in layout)

    def draw(page: Page, top: float) -> None:
        ax = page.inches(0, top, WIDTH, height, f"how-outlets-quote-panel-{index}")
        for i, (title, note) in enumerate(heads):
            note.draw(ax, SOURCE_W + i * cell_w + 0.05, title.draw(ax, SOURCE_W + i * cell_w + 0.05, 0))
        y = head_h
        for kind, content, h in layout:
            if kind == "event":
                ax.plot([0, WIDTH], [y, y], color=GREY, linewidth=0.8)
                content.draw(ax, 0.02, y + 0.05)
            else:
                (name, note), cells = content
                ax.plot([SOURCE_W - 0.05, WIDTH], [y, y], color=RULE, linewidth=0.5)
                note.draw(ax, 0.02, name.draw(ax, 0.02, y + PAD))
                for i, o in enumerate(outlets):
                    if o in cells:
                        cells[o].draw(ax, SOURCE_W + i * cell_w + 0.07, y + PAD + 0.03)
            y += h

    return Block(height, draw)


def how_outlets_quote(tables: dict[str, list[Row]], codelists: dict[str, list[dict[str, str]]]) -> bytes:
    """For every statement that two or more articles quote, how each outlet renders it: one square per quoted
    passage, coloured by quote mode, outlined where the outlet says a news agency or state medium relayed it."""
    participants = {p["participant_id"]: p for p in tables["participants"]}
    dated = {d.event["event_id"]: d for d in _dated(tables["events"])}
    shared = _shared(tables)
    outlets = sorted({o for sh in shared for o in sh.by_outlet}, key=str.lower)
    articles: dict[str, int] = {}
    for a in tables["articles"]:
        articles[a.get("outlet") or a["article_id"]] = articles.get(a.get("outlet") or a["article_id"], 0) + 1
    groups = _groups(shared, dated)
    context = {"outlets": outlets, "articles": articles, "participants": participants, "names": _names(tables),
               "kinds": _titles(codelists, "statement_kind"),
               "headings": {e: _event_heading(e, dated, codelists) for e, _ in groups}}
    mode_title = _titles(codelists, "quote_mode")
    swatches: list[tuple[Swatch, str]] = [(_box(colour, width=SQUARE, height=SQUARE, edge="none"),
                                           mode_title.get(mode, mode)) for mode, colour in MODE_COLOURS.items()]
    swatches.append((_box(NO_LEVEL, width=SQUARE, height=SQUARE, edge=INK),
                     "relayed by a news agency or state medium, named under it"))
    legend = _legend(swatches, "One square per quoted passage; blank: the outlet does not quote the statement.")
    blocks = [_heading("How each outlet quotes the same statement",
                       "Statements that two or more articles quote, grouped by the event they are about, events in "
                       "date order; one column per outlet."), legend]
    for i, chunk in enumerate(_chunks(outlets, OUTLETS)):
        blocks += [_gap(0.18), _outlet_panel(chunk, groups, context, i)]
    if not shared:
        blocks.append(_heading("No statement is quoted by more than one article.", size=BODY,
                               gid="how-outlets-quote-panel-0"))
    return _svg(blocks)
