"""Describe stage, as pictures: docs/figures/*.svg drawn from the resolved tables.

Needs matplotlib (the optional extra `[figures]`). Without it the build leaves docs/figures/
alone and does not compare it (see `available`). The SVGs are deterministic for one matplotlib
version: fixed hash salt, no date, text kept as text, and the Figure API with local rcParams
(no pyplot, no global state). The extra pins the matplotlib minor version for that reason.
"""
from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any

from ..core.project import FIGURES as FOLDER

TIMELINE = f"{FOLDER}/timeline.svg"
WHO_SAID_WHAT = f"{FOLDER}/who-said-what.svg"
INSTALL_HINT = "pip install -e '.[figures]'"

RC = {
    "svg.hashsalt": "turkey-syria-talks",
    "svg.fonttype": "none",  # text stays text: searchable, smaller, and independent of glyph outlines
    "font.family": "DejaVu Sans",  # bundled with matplotlib, so the layout is the same on every machine
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA = {"Date": None, "Creator": "tstalks build (matplotlib)"}
# Colour-blind-safe (Okabe-Ito) colours, one per event level, in codelist order; grey for none.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
NO_LEVEL = "#999999"


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


# The columns the figures read, of the tables they read (all columns where None).
USED = {"participants": ["participant_id", "name"], "events": None, "event_participants": None,
        "statements": ["statement_id", "speaker_id", "event_id"], "statement_topics": None, "quotes": ["statement_id"]}


def figures(published: dict[str, Any], codelists: dict[str, list[dict[str, str]]]) -> dict[str, bytes]:
    """{path: SVG bytes} for each figure, from the published Arrow tables. Raises ImportError when matplotlib
    is absent."""
    import matplotlib

    tables = {name: (published[name] if cols is None else published[name].select(cols)).to_pylist()
              for name, cols in USED.items()}
    with matplotlib.rc_context(RC):
        return {TIMELINE: timeline(tables, codelists), WHO_SAID_WHAT: who_said_what(tables, codelists)}


def _svg(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata=METADATA, bbox_inches="tight")
    return out.getvalue()


def _names(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    return {p["participant_id"]: p["name"] for p in tables["participants"]}


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


def _shown_date(date: dt.date, precision: str | None) -> str:
    """The date as precisely as it is known: 2023-04-25, 2023-04, 2023, 2010s."""
    if precision == "month":
        return date.strftime("%Y-%m")
    if precision == "year":
        return str(date.year)
    if precision == "decade":
        return f"{date.year}s"
    return date.isoformat()


def _participant_line(names: list[str], limit: int = 6) -> str:
    if not names:
        return "participants not coded"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def timeline(tables: dict[str, list[dict[str, Any]]], codelists: dict[str, list[dict[str, str]]]) -> bytes:
    """Dated events in date order, a bar across the period an imprecise date stands for, coloured by level,
    filled if the event occurred, hollow if only planned or proposed, with the participants beside it."""
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import offset_copy

    names = _names(tables)
    levels = [row["code"] for row in codelists["event_level"]]
    colour = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(levels)}
    who: dict[str, list[str]] = {}
    for ep in sorted(tables["event_participants"], key=lambda r: (r["event_id"], names.get(r["participant_id"], ""))):
        name = names.get(ep["participant_id"], ep["participant_id"])
        if name not in who.setdefault(ep["event_id"], []):
            who[ep["event_id"]].append(name)
    events = sorted((e for e in tables["events"] if e.get("start_date")),
                    key=lambda e: (e["start_date"], e["event_id"]))
    undated = sum(1 for e in tables["events"] if not e.get("start_date"))
    fig = Figure(figsize=(10, 1.2 + 0.4 * max(len(events), 1)))
    ax = fig.add_subplot()
    for y, e in enumerate(events):
        start = e["start_date"]
        end = e.get("end_date") or start
        end = max(_span_end(end, e.get("end_date_precision") or e.get("start_date_precision")), _span_end(start, e.get("start_date_precision")))
        c = colour.get(e.get("event_level"), NO_LEVEL)
        occurred = e.get("event_status") == "occurred"
        if end > start:
            ax.plot([date2num(start), date2num(end)], [y, y], color=c, linewidth=5, alpha=0.6, solid_capstyle="butt")
        ax.plot([date2num(start)], [y], marker="o", markersize=8, color=c, markerfacecolor=c if occurred else "white",
                markeredgewidth=1.5, linestyle="none")
        ax.annotate(_participant_line(who.get(e["event_id"], [])), (date2num(end), y), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8, color="#333333")
    ax.set_yticks(range(len(events)), [f"{e['event_id']}  ({_shown_date(e['start_date'], e.get('start_date_precision'))})"
                                       for e in events])
    ax.set_ylim(len(events) - 0.5, -0.5)
    ax.xaxis_date()
    if events:
        first = min(date2num(e["start_date"]) for e in events)
        last = max(date2num(_span_end(e.get("end_date") or e["start_date"], e.get("end_date_precision") or e.get("start_date_precision"))) for e in events)
        pad = max(20.0, 0.08 * (last - first))
        ax.set_xlim(first - pad, last + pad + 0.12 * max(last - first, 60.0))  # a little room for the names
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    used = [code for code in levels if any(e.get("event_level") == code for e in events)]
    handles = [Line2D([], [], marker="o", linestyle="none", color=colour[code], label=code.replace("_", " ")) for code in used]
    if any(not e.get("event_level") for e in events):
        handles.append(Line2D([], [], marker="o", linestyle="none", color=NO_LEVEL, label="level not coded"))
    caption = "Event level. Filled: occurred; hollow: planned or proposed. Bars span the period an imprecise date stands for."
    if undated:
        caption += f" {undated} undated event(s) not shown."
    below_axes = offset_copy(ax.transAxes, fig=fig, y=-22, units="points")  # clear of the year labels
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below_axes, frameon=False,
              ncol=min(len(handles), 6), title=caption, title_fontsize=7, alignment="left", fontsize=8, borderaxespad=0)
    ax.set_title("Events by date, with their participants", loc="left", fontsize=11)
    return _svg(fig)


def who_said_what(tables: dict[str, list[dict[str, Any]]], codelists: dict[str, list[dict[str, str]]]) -> bytes:
    """A grid of speakers (rows) by event (columns): each cell lists the topics of what the speaker said about
    that event, shaded by the number of quotes attesting it."""
    from matplotlib.figure import Figure

    names = _names(tables)
    topic_title = {row["code"]: row["title"] for row in codelists["topic"]}
    events = {e["event_id"]: e for e in tables["events"]}
    quotes: dict[str, int] = {}
    for q in tables["quotes"]:
        quotes[q["statement_id"]] = quotes.get(q["statement_id"], 0) + 1
    topics: dict[str, list[str]] = {}
    for t in sorted(tables["statement_topics"], key=lambda r: (r["statement_id"], r["topic"])):
        topics.setdefault(t["statement_id"], []).append(topic_title.get(t["topic"], t["topic"]))
    NONE = "(no event)"
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for s in tables["statements"]:
        key = (names.get(s["speaker_id"], s["speaker_id"]), s.get("event_id") or NONE)
        cell = cells.setdefault(key, {"quotes": 0, "topics": [], "statements": 0})
        cell["quotes"] += quotes.get(s["statement_id"], 0)
        cell["statements"] += 1
        cell["topics"] += [t for t in topics.get(s["statement_id"], []) if t not in cell["topics"]]

    def event_order(event_id: str) -> tuple[Any, ...]:
        e = events.get(event_id)
        return (e is None, (e or {}).get("start_date") or dt.date.max, event_id)

    columns = sorted({c for _, c in cells}, key=event_order)
    rows = sorted({r for r, _ in cells})
    fig = Figure(figsize=(max(6.0, 1.9 * len(columns) + 2.5), 1.5 + 0.75 * max(len(rows), 1)), layout="constrained")
    ax = fig.add_subplot()
    most = max([c["quotes"] for c in cells.values()] + [1])
    for (r, c), cell in cells.items():
        x, y = columns.index(c), rows.index(r)
        shade = 0.15 + 0.75 * cell["quotes"] / most
        ax.add_patch(_rect(x, y, shade))
        wrapped = textwrap.wrap(", ".join(cell["topics"]) or "no topic coded", 26)
        label = "\n".join(wrapped[:4]) + (" ..." if len(wrapped) > 4 else "")
        label += f"\n{cell['quotes']} quote(s)"
        ax.text(x, y, label, ha="center", va="center", fontsize=6.5, color="white" if shade > 0.55 else "#222222")
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(columns)), ["\n".join(textwrap.wrap(c, 20)) for c in columns], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), rows)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    ax.set_title("Who said what, by event: topics of each speaker's statements, shaded by number of quotes",
                 loc="left", fontsize=10, pad=28)
    return _svg(fig)


def _rect(x: float, y: float, shade: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.48, y - 0.45), 0.96, 0.9, facecolor=(0.0, 0.447, 0.698, shade), edgecolor="none")
