"""Resolve stage: curated codings + seed texts -> table rows, with spans located and dates resolved.

Every row carries `_origin` (file, line, id) so later stages can say where a
problem comes from; keys that start with "_" are never published.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from . import dates, spans
from .drafts import draft_problems
from .load import CodingFile, Codings, Entry, Seed
from .problems import Failed, Problem

Row = dict[str, Any]


@dataclass(frozen=True)
class ArticleText:
    """What later stages need to know of an article's text."""

    article_id: str
    seed: Seed
    body_start: int
    body_end: int
    published: dt.date | None
    published_precision: str | None
    uncoded: tuple[spans.Span, ...] = ()


@dataclass
class Resolution:
    tables: dict[str, list[Row]]
    texts: dict[str, ArticleText]  # by article_id


TABLES = ("articles", "participants", "participant_aliases", "events", "event_sources", "event_participants",
          "statements", "statement_topics", "quotes", "discrepancies", "discrepancy_values")


class _Context:
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def problem(self, coding: CodingFile, path: tuple[str | int, ...], where: str, message: str, fix: str) -> None:
        self.problems.append(Problem(coding.path, coding.line(*path), where, message, fix))

    def locate(self, coding: CodingFile, path: tuple[str | int, ...], where: str, text: ArticleText,
               spec: dict[str, Any], key: str = "text", whole: bool = False) -> spans.Span | None:
        start, end = (0, len(text.seed.text)) if whole else (text.body_start, text.body_end)
        region = f"seed {text.seed.file}" if whole else f"the body of {text.seed.file}"
        try:
            return spans.locate(text.seed.text, spec[key], start, end, spec.get("occurrence"), region)
        except spans.SpanError as exc:
            self.problem(coding, path + (key,), where, exc.message, exc.fix)
            return None


def resolve(codings: Codings, allow_drafts: bool = False) -> Resolution:
    """Turn codings into table rows; raise Failed listing every problem found, and every unconfirmed draft item
    unless `allow_drafts` (the curation assistant reads the registries while drafts are pending)."""
    problems: list[Problem] = []
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    texts: dict[str, ArticleText] = {}
    for name, row in rows(codings.articles, codings.entries, codings.seeds.get, texts, problems, allow_drafts):
        tables[name].append(row)
    if problems:
        raise Failed(problems)
    return Resolution(tables, texts)


def rows(articles: Iterable[CodingFile], entries: Callable[[str], Iterable[Entry]], seed_of: Callable[[str], Seed | None],
         texts: dict[str, ArticleText], problems: list[Problem], allow_drafts: bool = False) -> Iterator[tuple[str, Row]]:
    """Every row the codings give, as (table, row): each article with its links, one article at a time, then the
    registries entry by entry (their dates and discrepancy values point into articles, so articles come first).
    Fills `texts` by article id as it goes; problems go to `problems`. Nothing here holds the whole corpus."""
    ctx = _Context(problems)
    for coding in articles:
        if not allow_drafts:
            problems.extend(draft_problems(coding.path, coding.data, coding.line))
        row, text = _article(ctx, coding, seed_of)
        if row:
            texts[row["article_id"]] = text
            yield "articles", row
            yield from _article_links(ctx, coding, text)
    for i, p, reg in entries("participants"):
        yield "participants", _participant(reg, i, p)
    event_dates = {}
    for i, e, reg in entries("events"):
        row = _event(ctx, reg, i, e, texts)
        event_dates[row["event_id"]] = (row["start_date"], row["start_date_precision"])
        yield "events", row
    for i, s, reg in entries("statements"):
        yield "statements", _statement(ctx, reg, i, s, texts, event_dates)
        for topic in s.get("topics", []):
            yield "statement_topics", {"statement_id": s["id"], "topic": topic, "_origin": _origin(reg, ("statements", i, "topics"), s["id"])}
    for i, d, reg in entries("discrepancies"):
        yield from _discrepancy(ctx, reg, i, d, texts)


def _origin(coding: CodingFile, path: tuple[str | int, ...], where: str) -> tuple[str, int | None, str]:
    return (coding.path, coding.line(*path), where)


def _article(ctx: _Context, coding: CodingFile, seed_of: Callable[[str], Seed | None]) -> tuple[Row | None, ArticleText | None]:
    d = coding.data
    aid = d["article"]
    seed = seed_of(d["seed"]["file"])
    if seed is None:
        ctx.problem(coding, ("seed", "file"), aid, f"seed file {d['seed']['file']} is not in seeds/articles/",
                    "add the raw text with `tstalks add`, or correct the file name")
        return None, None
    if seed.sha256 != d["seed"]["sha256"]:
        ctx.problem(coding, ("seed", "sha256"), aid,
                    f"seed {seed.file} has SHA-256 {seed.sha256}, but this coding pins {d['seed']['sha256']}: the seed changed",
                    "seeds are never edited: restore the file as received (git checkout -- seeds/articles/); "
                    "a new version of an article is a new seed, added with `tstalks add`")
        return None, None
    whole = ArticleText(aid, seed, 0, len(seed.text), None, None)
    first = ctx.locate(coding, ("body", "first"), aid, whole, d["body"]["first"], whole=True)
    last = ctx.locate(coding, ("body", "last"), aid, whole, d["body"]["last"], whole=True)
    if not first or not last:
        return None, None
    if last.end <= first.start:
        ctx.problem(coding, ("body",), aid, "the body's last words come before its first words",
                    "check body.first and body.last (add 'occurrence' if they repeat)")
        return None, None
    body = ArticleText(aid, seed, first.start, last.end, None, None)
    for key in ("title", "byline", "url"):
        if d.get(key) is not None:
            ctx.locate(coding, (), aid, whole, d, key=key, whole=True)
    if d.get("dateline") is not None:
        ctx.locate(coding, (), aid, body, d, key="dateline")
    published, precision, resolution = _published(ctx, coding, whole)
    row = {
        "article_id": aid, "outlet": d["outlet"], "url": d.get("url"), "title": " ".join(d["title"].split()) if d.get("title") else None,
        "byline": d.get("byline"), "dateline": d.get("dateline"),
        "published_date": published, "published_date_precision": precision,
        "published_date_source": d["published"]["source"],
        "published_date_expression": d["published"].get("expression"),
        "published_date_note": d["published"].get("note"),
        "seed_file": seed.file, "seed_sha256": seed.sha256,
        "body_start": first.start, "body_end": last.end,
        "word_count": len(seed.text[first.start:last.end].split()),
        "note": d.get("note"),
        "_origin": _origin(coding, (), aid),
    }
    uncoded = []
    for i, u in enumerate(d.get("uncoded", [])):
        span = ctx.locate(coding, ("uncoded", i), aid, body, u)
        if span:
            uncoded.append(span)
    return row, ArticleText(aid, seed, first.start, last.end, published, precision, tuple(uncoded))


def _published(ctx: _Context, coding: CodingFile, whole: ArticleText) -> tuple[dt.date | None, str | None, str | None]:
    p = coding.data["published"]
    aid = coding.data["article"]
    source = p["source"]
    path = ("published",)
    if source in ("printed", "printed_update", "url"):
        if "expression" not in p or "value" in p:
            ctx.problem(coding, path, aid, f"source '{source}' needs the printed 'expression' and no 'value'",
                        "copy the date (or the URL) as printed into 'expression'")
            return None, None, None
        if not ctx.locate(coding, path, aid, whole, p, key="expression", whole=True):
            return None, None, None
        try:
            r = dates.resolve(p["expression"], None, None)
        except dates.DateError as exc:
            ctx.problem(coding, path + ("expression",), aid, exc.message, exc.fix)
            return None, None, None
        if (source == "url") != (r.resolution == "url_path"):
            ctx.problem(coding, path + ("expression",), aid,
                        f"source '{source}' does not fit the expression, which resolves by rule '{r.resolution}'",
                        "use source 'url' for a URL with /YYYY/MM/DD/, 'printed' for a printed date")
            return None, None, None
        return r.date, r.precision, r.resolution
    if source == "inferred":
        if "value" not in p or "note" not in p:
            ctx.problem(coding, path, aid, "an inferred date needs a 'value' and a 'note' with the reasoning", "add them")
            return None, None, None
        try:
            value, precision = dates.parse_value(p["value"])
        except dates.DateError as exc:
            ctx.problem(coding, path + ("value",), aid, exc.message, exc.fix)
            return None, None, None
        return value, precision, "inferred"
    if "note" not in p or "value" in p or "expression" in p:  # unknown
        ctx.problem(coding, path, aid, "an unknown date takes no value or expression, and a 'note' saying what the text does establish",
                    "remove 'value'/'expression' and add a 'note'")
    return None, None, None


def _participant(reg: CodingFile, i: int, p: dict[str, Any]) -> Row:
    return {
        "participant_id": p["id"], "participant_kind": p["kind"], "name": p["name"], "role_title": p.get("role_title"),
        "affiliation_id": p.get("affiliation"), "country_code": p.get("country_code"), "cow_code": p.get("cow_code"),
        "wikidata_qid": p.get("wikidata_qid"), "note": p.get("note"),
        "_origin": _origin(reg, ("participants", i), p["id"]),
    }


def _date_fields(ctx: _Context, reg: CodingFile, path: tuple[str | int, ...], where: str, spec: dict[str, Any] | None,
                 texts: dict[str, ArticleText], event_date: tuple[dt.date | None, str | None] | None = None
                 ) -> tuple[dt.date | None, str | None, dict[str, Any]]:
    """(date, precision, provenance columns) for one date spec of a registry entry."""
    none = {"date_expression": None, "date_article_id": None, "date_resolution": None}
    if spec is None:
        return None, None, none
    if "from_event" in spec:
        if event_date is None:
            ctx.problem(reg, path, where, "'from_event' dates a statement by its event, but no event is given",
                        "add 'event', or date the statement by an expression")
            return None, None, none
        return event_date[0], event_date[1], {**none, "date_resolution": "from_event"}
    if "value" in spec:
        try:
            value, precision = dates.parse_value(spec["value"])
        except dates.DateError as exc:
            ctx.problem(reg, path + ("value",), where, exc.message, exc.fix)
            return None, None, none
        return value, precision, {**none, "date_resolution": "inferred"}
    text = texts.get(spec["article"])
    if text is None:
        ctx.problem(reg, path + ("article",), where, f"article '{spec['article']}' is not coded",
                    "use the id of an article in seeds/codings/articles/")
        return None, None, none
    if not ctx.locate(reg, path, where, text, spec, key="expression"):
        return None, None, none
    try:
        r = dates.resolve(spec["expression"], text.published, text.published_precision)
    except dates.DateError as exc:
        ctx.problem(reg, path + ("expression",), where, exc.message, exc.fix)
        return None, None, none
    return r.date, r.precision, {"date_expression": spec["expression"], "date_article_id": spec["article"],
                                 "date_resolution": r.resolution}


def _event(ctx: _Context, reg: CodingFile, i: int, e: dict[str, Any], texts: dict[str, ArticleText]) -> Row:
    path = ("events", i)
    start, start_precision, provenance = _date_fields(ctx, reg, path + ("date",), e["id"], e.get("date"), texts)
    end, end_precision, _ = _date_fields(ctx, reg, path + ("end_date",), e["id"], e.get("end_date"), texts)
    return {
        "event_id": e["id"], "event_type": e["type"], "title": e["title"],
        "start_date": start, "start_date_precision": start_precision, "end_date": end, "end_date_precision": end_precision,
        **provenance,
        "city": e.get("city"), "country_code": e.get("country_code"), "event_format": e.get("format"),
        "event_level": e.get("level"), "event_status": e["status"], "parent_event_id": e.get("parent"), "note": e.get("note"),
        "_origin": _origin(reg, path, e["id"]),
    }


def _statement(ctx: _Context, reg: CodingFile, i: int, s: dict[str, Any], texts: dict[str, ArticleText],
               event_dates: dict[str, tuple[dt.date | None, str | None]]) -> Row:
    path = ("statements", i)
    event_date = event_dates.get(s["event"], (None, None)) if s.get("event") else None
    date, precision, provenance = _date_fields(ctx, reg, path + ("date",), s["id"], s.get("date"), texts, event_date)
    return {
        "statement_id": s["id"], "speaker_id": s["speaker"], "event_id": s.get("event"),
        "statement_date": date, "statement_date_precision": precision, **provenance,
        "statement_kind": s["kind"], "summary": s["summary"], "note": s.get("note"),
        "_origin": _origin(reg, path, s["id"]),
    }


def _article_links(ctx: _Context, coding: CodingFile, text: ArticleText) -> Iterator[tuple[str, Row]]:
    """Aliases, event mentions, participations and quotes of one article."""
    aid = text.article_id
    seed = text.seed.text
    for pid, spellings in sorted(coding.data.get("aliases", {}).items()):
        for j, alias in enumerate(spellings):
            path = ("aliases", pid, j)
            try:
                found = spans.find_all(seed, alias, text.body_start, text.body_end)
            except spans.SpanError as exc:  # a blank spelling
                ctx.problem(coding, path, f"{pid}", exc.message, exc.fix)
                continue
            if not found:  # an alias row asserts a spelling, so its first appearance is evidence enough
                ctx.problem(coding, path, f"{pid}", f"the spelling '{alias}' is not in the body of {text.seed.file}",
                            "copy the name exactly as the body spells it")
                continue
            span = found[0]
            yield "participant_aliases", {
                "participant_id": pid, "article_id": aid, "alias": seed[span.start:span.end],
                "span_start": span.start, "span_end": span.end, "_origin": _origin(coding, path, pid)}
    for i, mention in enumerate(coding.data.get("events", [])):
        path = ("events", i)
        eid = mention["event"]
        span = ctx.locate(coding, path, eid, text, mention)
        if not span:
            continue
        expression = mention.get("date_expression")
        if expression and not spans.find_all(seed, expression, span.start, span.end):
            ctx.problem(coding, path + ("date_expression",), eid, f"the date expression '{expression}' is not inside the mention",
                        "widen the mention's text to include the dating words, or correct the expression")
        yield "event_sources", {
            "event_id": eid, "article_id": aid, "span_text": seed[span.start:span.end], "span_start": span.start,
            "span_end": span.end, "date_expression": expression, "_origin": _origin(coding, path, eid)}
        for j, p in enumerate(mention.get("participants", [])):
            ppath = path + ("participants", j)
            pspan = ctx.locate(coding, ppath, f"{eid}/{p['participant']}", text, p)
            if pspan:
                yield "event_participants", {
                    "event_id": eid, "participant_id": p["participant"], "event_role": p["role"], "article_id": aid,
                    "span_text": seed[pspan.start:pspan.end], "span_start": pspan.start, "span_end": pspan.end,
                    "_origin": _origin(coding, ppath, f"{eid}/{p['participant']}")}
    for i, q in enumerate(coding.data.get("quotes", [])):
        path = ("quotes", i)
        span = ctx.locate(coding, path, q["id"], text, q)
        if span:
            yield "quotes", {
                "quote_id": q["id"], "statement_id": q["statement"], "article_id": aid,
                "quote_text": seed[span.start:span.end], "span_start": span.start, "span_end": span.end,
                "quote_mode": q["mode"], "intermediary_id": q.get("via"), "note": q.get("note"),
                "_origin": _origin(coding, path, q["id"])}


def _discrepancy(ctx: _Context, reg: CodingFile, i: int, d: dict[str, Any], texts: dict[str, ArticleText]
                 ) -> Iterator[tuple[str, Row]]:
    path = ("discrepancies", i)
    about = d["about"]
    yield "discrepancies", {
        "discrepancy_id": d["id"], "field": d["field"], "article_id": about.get("article"), "event_id": about.get("event"),
        "statement_id": about.get("statement"), "participant_id": about.get("participant"),
        "summary": d["summary"], "note": d.get("note"), "_origin": _origin(reg, path, d["id"])}
    for j, v in enumerate(d["values"]):
        vpath = path + ("values", j)
        text = texts.get(v["article"])
        if text is None:
            ctx.problem(reg, vpath + ("article",), d["id"], f"article '{v['article']}' is not coded",
                        "use the id of an article in seeds/codings/articles/")
            continue
        # Article metadata (URLs, printed dates) lies outside the body; everything else is coded from the body.
        whole = "article" in about
        span = ctx.locate(reg, vpath, d["id"], text, v, whole=whole)
        if span:
            yield "discrepancy_values", {
                "discrepancy_id": d["id"], "article_id": v["article"], "value": v["value"],
                "span_text": text.seed.text[span.start:span.end], "span_start": span.start, "span_end": span.end,
                "_origin": _origin(reg, vpath, d["id"]), "_whole_seed": whole}
