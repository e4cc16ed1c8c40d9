"""docs/figures/: what a reader needs from each figure, checked in the SVG the build writes.

Readable at the README's width (the SVG no wider than the column, no text under 9 px there), every event, speaker
and outlet named in full, events in date order, a legend, the same bytes on every build, and the same for a corpus
two to three times today's, drawn without a matplotlib warning. What the eye must judge (overlaps, contrast) is
judged on PNG renders before a change to the figures is committed.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
import xml.etree.ElementTree as ET
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import ROOT
from tstalks import build
from tstalks.build import figures
from tstalks.core import Project

SVG = "{http://www.w3.org/2000/svg}"
README_PX = 880  # the width of the README's column on GitHub
MIN_PX = 9
PATHS = (figures.TIMELINE, figures.WHO_SAID_WHAT, figures.HOW_OUTLETS_QUOTE)

pytestmark = pytest.mark.skipif(not figures.available(),
                                reason="matplotlib not installed (pip install -e '.[figures]')")


@pytest.fixture(scope="module")
def built() -> build.Build:
    return build.build(Project(ROOT))


def draw(tables: dict[str, Any], codelists: dict[str, Any]) -> dict[str, bytes]:
    """The figures, with every warning an error: a warning matplotlib prints in a build is a failure here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return figures.figures(tables, codelists)


@pytest.fixture(scope="module")
def drawn(built) -> dict[str, bytes]:
    return draw(built.tables, built.schemas.codelists)


def enlarged(tables: dict[str, pa.Table], copies: int) -> dict[str, pa.Table]:
    """The tables with `copies` of every row the figures read: each copy's ids, event titles, participant names
    and outlets suffixed with its number, so that events, speakers, statements and outlets all multiply."""
    out = dict(tables)
    for name in ("events", "participants", "event_participants", "statements", "statement_topics", "quotes",
                 "articles"):
        rows = tables[name].to_pylist()
        more = []
        for k in range(2, copies + 1):
            for row in rows:
                copy = {c: (f"{v}-{k}" if c.endswith("_id") and isinstance(v, str) else v) for c, v in row.items()}
                for column in ("title", "name", "outlet"):
                    if name in ("events", "participants", "articles") and copy.get(column):
                        copy[column] = f"{copy[column]} {k}"
                more.append(copy)
        out[name] = pa.Table.from_pylist(rows + more, schema=tables[name].schema)
    return out


def svg(raw: bytes) -> ET.Element:
    tree = ET.fromstring(raw)
    assert tree.tag == f"{SVG}svg"
    return tree


def lines(raw: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in svg(raw).iter(f"{SVG}text")]


def flat(raw: bytes) -> str:
    """All text of a figure on one line: wrapped labels read back as they were before wrapping."""
    return " ".join(" ".join(lines(raw)).split())


def words(text: str) -> str:
    return " ".join(text.split())


def rows(tables: dict[str, pa.Table], name: str) -> list[dict[str, Any]]:
    return tables[name].to_pylist()


def position(element: ET.Element) -> tuple[float, float]:
    """x, y of an SVG text element as matplotlib writes it: attributes x and y, or transform="translate(x y)"."""
    text = element if element.tag == f"{SVG}text" else next(element.iter(f"{SVG}text"))
    if text.get("x") is not None:
        return float(text.get("x")), float(text.get("y"))
    x, y = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", text.get("transform", "")).groups()
    return float(x), float(y)


def columns(raw: bytes) -> list[str]:
    """The event ids of who-said-what's columns in reading order: left to right, then panel by panel."""
    heads = [(position(g), g.get("id")) for g in svg(raw).iter(f"{SVG}g") if (g.get("id") or "").startswith("column-")]
    return [gid.removeprefix("column-") for (x, y), gid in sorted(heads, key=lambda h: (round(h[0][1], 1), h[0][0]))]


def dated_event(events: dict[str, dict[str, Any]], event_id: str) -> dict[str, Any] | None:
    """The event, if it has a start date, or else (the documented rule for a meeting held inside or beside another)
    its nearest dated parent."""
    seen = set()
    while event_id in events and event_id not in seen:
        seen.add(event_id)
        if events[event_id]["start_date"] is not None:
            return events[event_id]
        event_id = events[event_id]["parent_event_id"]
    return None


def event_date(events: dict[str, dict[str, Any]], event_id: str) -> dt.date | None:
    event = dated_event(events, event_id)
    return event["start_date"] if event else None


def dated_span(events: dict[str, dict[str, Any]], event_id: str) -> tuple[dt.date, dt.date] | None:
    """From the start of the event's (or its parent's) start date to the end of its end date, each a range."""
    event = dated_event(events, event_id)
    if event is None:
        return None
    start = figures.date_range(event, "start")
    end = figures.date_range(event, "end", event["start_date_precision"]) or start
    return start[0], max(start[1], end[1])


def shared_outlets(tables: dict[str, pa.Table]) -> set[str]:
    """The outlets of the articles that quote a statement some other article quotes too."""
    articles: dict[str, set[str]] = {}
    for q in rows(tables, "quotes"):
        articles.setdefault(q["statement_id"], set()).add(q["article_id"])
    outlet = {a["article_id"]: a["outlet"] for a in rows(tables, "articles")}
    return {outlet[a] for ids in articles.values() if len(ids) >= 2 for a in ids}


# ------------------------------------------------------------------------------------------ every figure

def check_width_and_text_size(raw: bytes) -> None:
    root = svg(raw)
    width_px = float(root.get("width").removesuffix("pt")) * 96 / 72
    assert width_px <= README_PX, f"{width_px:.0f} px wide, the README column is {README_PX}"
    scale = float(root.get("width").removesuffix("pt")) / float(root.get("viewBox").split()[2])
    sizes = [float(m) for t in root.iter(f"{SVG}text")
             for m in re.findall(r"font-size: ([\d.]+)px", t.get("style", ""))]
    assert sizes, "no text as text"
    assert min(sizes) * scale * 96 / 72 >= MIN_PX, f"smallest text {min(sizes)} pt"


@pytest.mark.parametrize("path", PATHS)
def test_figure_fits_the_readme_width_with_text_of_at_least_9px(drawn, path):
    check_width_and_text_size(drawn[path])


@pytest.mark.parametrize("path", PATHS)
def test_figure_has_a_legend(drawn, path):
    legends = [g for g in svg(drawn[path]).iter(f"{SVG}g") if g.get("id") == "legend"]
    assert len(legends) == 1
    assert len([t for t in legends[0].iter(f"{SVG}text") if "".join(t.itertext()).strip()]) >= 3


@pytest.mark.parametrize("path", PATHS)
def test_figure_cuts_no_label(drawn, path):
    for line in lines(drawn[path]):
        assert "…" not in line and "..." not in line, line
        assert not re.search(r"\band \d+ more\b", line), line


def test_figures_are_the_same_bytes_on_every_drawing(built, drawn):
    assert draw(built.tables, built.schemas.codelists) == drawn


def test_figures_carry_no_date(drawn):
    for path, raw in drawn.items():
        assert b"<dc:date>" not in raw, path


def test_the_build_writes_every_figure(built, drawn):
    assert {p for p in built.files if p.startswith(figures.FOLDER + "/")} == set(PATHS) == set(drawn)


# ------------------------------------------------------------------------------------------ timeline

def test_timeline_names_every_event_by_its_title(built, drawn):
    text = flat(drawn[figures.TIMELINE])
    for e in rows(built.tables, "events"):
        assert words(e["title"]) in text, e["event_id"]


def test_timeline_names_every_participant_of_every_event(built, drawn):
    text = flat(drawn[figures.TIMELINE])
    names = {p["participant_id"]: p["name"] for p in rows(built.tables, "participants")}
    for ep in rows(built.tables, "event_participants"):
        assert words(names[ep["participant_id"]]) in text, (ep["event_id"], ep["participant_id"])


def test_timeline_says_which_events_were_only_planned_or_proposed(built, drawn):
    status = {r["code"]: r["title"].lower() for r in built.schemas.codelists["event_status"]}
    meta = {g.get("id"): " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
            for g in svg(drawn[figures.TIMELINE]).iter(f"{SVG}g") if (g.get("id") or "").endswith("-meta")}
    for e in rows(built.tables, "events"):
        line = meta[f"event-{e['event_id']}-meta"]
        assert (status[e["event_status"]] in line) == (e["event_status"] != "occurred"), (e["event_id"], line)


def test_timeline_gives_the_track_its_own_panel_and_the_rest_a_background_panel(built, drawn):
    groups = {g.get("id"): g for g in svg(drawn[figures.TIMELINE]).iter(f"{SVG}g")}
    panel_of = {}
    for gid in ("timeline-track-labels", "timeline-background-labels", "timeline-undated"):
        for g in groups[gid].iter(f"{SVG}g"):
            if (g.get("id") or "").startswith("event-") and not g.get("id").endswith("-meta"):
                panel_of[g.get("id").removeprefix("event-")] = gid
    events = {e["event_id"]: e for e in rows(built.tables, "events")}
    for event_id in events:
        span = dated_span(events, event_id)
        if span is None:
            expected = "timeline-undated"
        else:
            inside = figures.TRACK[0] <= span[0] and span[1] <= figures.TRACK[1]
            expected = "timeline-track-labels" if inside else "timeline-background-labels"
        assert panel_of[event_id] == expected, event_id


# ------------------------------------------------------------------------------------------ who said what

def test_who_said_what_names_every_speaker_and_every_event_spoken_about(built, drawn):
    text = flat(drawn[figures.WHO_SAID_WHAT])
    names = {p["participant_id"]: p["name"] for p in rows(built.tables, "participants")}
    titles = {e["event_id"]: e["title"] for e in rows(built.tables, "events")}
    for s in rows(built.tables, "statements"):
        assert words(names[s["speaker_id"]]) in text, s["speaker_id"]
        if s["event_id"]:
            assert words(titles[s["event_id"]]) in text, s["event_id"]


def test_who_said_what_lists_every_topic_of_every_statement(built, drawn):
    text = flat(drawn[figures.WHO_SAID_WHAT])
    title = {r["code"]: r["title"] for r in built.schemas.codelists["topic"]}
    for t in rows(built.tables, "statement_topics"):
        assert title[t["topic"]] in text, t


def check_date_order(tables: dict[str, pa.Table], raw: bytes) -> None:
    order = columns(raw)
    events = {e["event_id"]: e for e in rows(tables, "events")}
    spoken_about = {s["event_id"] or "none" for s in rows(tables, "statements")}
    assert sorted(order) == sorted(spoken_about)
    assert order[-1:] == ["none"] or "none" not in order
    dates = [event_date(events, e) for e in order if e != "none"]
    dated = [d for d in dates if d is not None]
    assert dates[:len(dated)] == sorted(dated), "dated events first, in date order"


def test_who_said_what_columns_are_in_date_order(built, drawn):
    check_date_order(built.tables, drawn[figures.WHO_SAID_WHAT])


def test_the_december_intelligence_meeting_comes_before_april_in_who_said_what(built, drawn):
    """The example of issue 17: an undated meeting inside the December 2022 one goes with December."""
    order = columns(drawn[figures.WHO_SAID_WHAT])
    events = {e["event_id"]: e for e in rows(built.tables, "events")}
    for child in (e for e in order if e in events and events[e]["start_date"] is None and events[e]["parent_event_id"]):
        later = [e for e in order[order.index(child):] if e in events and events[e]["start_date"]]
        assert all(events[e]["start_date"] >= event_date(events, child) for e in later), child


# ------------------------------------------------------------------------------------------ how outlets quote

def test_how_outlets_quote_shows_every_statement_two_articles_quote(built, drawn):
    text = flat(drawn[figures.HOW_OUTLETS_QUOTE])
    names = {p["participant_id"]: p["name"] for p in rows(built.tables, "participants")}
    outlet = {a["article_id"]: a["outlet"] for a in rows(built.tables, "articles")}
    speakers = {s["statement_id"]: s["speaker_id"] for s in rows(built.tables, "statements")}
    articles: dict[str, set[str]] = {}
    for q in rows(built.tables, "quotes"):
        articles.setdefault(q["statement_id"], set()).add(q["article_id"])
    shared = {sid for sid, a in articles.items() if len(a) >= 2}
    assert shared, "the curated corpus has statements that several articles quote"
    for q in rows(built.tables, "quotes"):
        if q["statement_id"] in shared:
            assert words(names[speakers[q["statement_id"]]]) in text
            assert words(outlet[q["article_id"]]) in text
            if q["intermediary_id"]:
                assert words(names[q["intermediary_id"]]) in text


def test_how_outlets_quote_draws_one_square_per_quote_of_a_shared_statement(built, drawn):
    articles: dict[str, set[str]] = {}
    for q in rows(built.tables, "quotes"):
        articles.setdefault(q["statement_id"], set()).add(q["article_id"])
    expected = sum(1 for q in rows(built.tables, "quotes") if len(articles[q["statement_id"]]) >= 2)
    panels = [g for g in svg(drawn[figures.HOW_OUTLETS_QUOTE]).iter(f"{SVG}g")
              if (g.get("id") or "").startswith("how-outlets-quote-panel-")]
    squares = [p for g in panels for p in g.iter(f"{SVG}g") if (p.get("id") or "").startswith("quote-")]
    assert len(squares) == expected


# ------------------------------------------------------------------------------------------ dates as ranges

@pytest.mark.parametrize(("date", "precision", "end"), [
    (dt.date(2023, 4, 25), "day", dt.date(2023, 4, 25)),
    (dt.date(2022, 12, 1), "month", dt.date(2022, 12, 31)),
    (dt.date(2024, 2, 1), "month", dt.date(2024, 2, 29)),
    (dt.date(2021, 1, 1), "year", dt.date(2021, 12, 31)),
    (dt.date(2010, 1, 1), "decade", dt.date(2019, 12, 31)),
])
def test_a_date_covers_its_precision_period(date, precision, end):
    assert figures.date_range({"start_date": date, "start_date_precision": precision}, "start") == (date, end)


def test_a_date_with_earliest_and_latest_columns_covers_just_those_days():
    row = {"start_date": dt.date(2022, 12, 1), "start_date_precision": "month",
           "start_date_earliest": dt.date(2022, 12, 21), "start_date_latest": dt.date(2022, 12, 28)}
    assert figures.date_range(row, "start") == (dt.date(2022, 12, 21), dt.date(2022, 12, 28))


def test_an_empty_date_has_no_range():
    assert figures.date_range({"start_date": None, "start_date_precision": None}, "start") is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2090, 12, 31)),
       st.sampled_from(["day", "month", "year", "decade"]))
def test_a_range_starts_on_its_date_and_ends_where_its_period_ends(date, precision):
    date = {"day": date, "month": date.replace(day=1), "year": date.replace(month=1, day=1),
            "decade": dt.date(date.year - date.year % 10, 1, 1)}[precision]
    lo, hi = figures.date_range({"statement_date": date, "statement_date_precision": precision}, "statement")
    after = hi + dt.timedelta(days=1)
    assert lo == date <= hi
    assert {"day": after == date + dt.timedelta(days=1),
            "month": after.day == 1 and (after.month - date.month) % 12 == 1,
            "year": after == dt.date(date.year + 1, 1, 1),
            "decade": after == dt.date(date.year + 10, 1, 1)}[precision]


def test_the_timeline_uses_earliest_and_latest_columns_when_the_events_table_has_them(built):
    events = rows(built.tables, "events")
    lo, hi = dt.date(2022, 12, 21), dt.date(2022, 12, 28)
    month = next(e for e in events if e["start_date_precision"] == "month" and figures.TRACK[0] <= e["start_date"])
    for e in events:
        e["start_date_earliest"], e["start_date_latest"] = (lo, hi) if e is month else (None, None)
    tables = {**built.tables, "events": pa.Table.from_pylist(events)}
    text = flat(draw(tables, built.schemas.codelists)[figures.TIMELINE])
    assert f"between {lo} and {hi}" in text


# ------------------------------------------------------------------------------------------ a larger corpus

@pytest.fixture(scope="module")
def tripled(built) -> tuple[dict[str, pa.Table], dict[str, bytes]]:
    tables = enlarged(built.tables, 3)
    assert figures.too_large(tables) is None
    return tables, draw(tables, built.schemas.codelists)


def test_a_corpus_three_times_as_large_draws_without_warnings_at_the_same_width(tripled):
    for raw in tripled[1].values():
        check_width_and_text_size(raw)


def test_a_corpus_three_times_as_large_still_names_everything(tripled):
    tables, drawn = tripled
    timeline, said = flat(drawn[figures.TIMELINE]), flat(drawn[figures.WHO_SAID_WHAT])
    for e in rows(tables, "events"):
        assert words(e["title"]) in timeline, e["event_id"]
    names = {p["participant_id"]: p["name"] for p in rows(tables, "participants")}
    for s in rows(tables, "statements"):
        assert words(names[s["speaker_id"]]) in said, s["speaker_id"]
    quoting = flat(drawn[figures.HOW_OUTLETS_QUOTE])
    assert len(shared_outlets(tables)) > figures.OUTLETS  # more than one panel of outlets
    for outlet in shared_outlets(tables):
        assert words(outlet) in quoting, outlet


def test_a_corpus_three_times_as_large_keeps_its_columns_in_date_order(tripled):
    check_date_order(tripled[0], tripled[1][figures.WHO_SAID_WHAT])


def test_the_readme_shows_every_figure_with_alt_text(drawn):
    readme = (ROOT / "README.md").read_text("utf-8")
    for path in drawn:
        alt = re.search(rf"!\[([^\]]*)\]\({re.escape(path)}\)", readme)
        assert alt and len(alt.group(1).split()) >= 8, path


def test_an_empty_corpus_draws_every_figure_and_says_what_is_missing(built):
    empty = {name: table.slice(0, 0) for name, table in built.tables.items()}
    drawn = draw(empty, built.schemas.codelists)
    assert "No event is dated within" in flat(drawn[figures.TIMELINE])
    assert "No statement is coded" in flat(drawn[figures.WHO_SAID_WHAT])
    assert "No statement is quoted by more than one article" in flat(drawn[figures.HOW_OUTLETS_QUOTE])
    for raw in drawn.values():
        check_width_and_text_size(raw)
