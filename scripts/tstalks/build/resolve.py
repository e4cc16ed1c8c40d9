"""Resolve stage: curated codings + seed texts -> table rows, with spans located and dates resolved.

Which column takes which coding key is written once, in each Table Schema (`tstalks.coding`); this stage fills
in the rest (`tstalks.built`: spans, resolved dates, the article a row belongs to) and `Rows` makes each row
from both, so a column the schema adds without a source is an error, not a column of nulls.

Every row carries `_origin` (file, line, id) so later stages can say where a problem comes from; keys that start
with "_" are never published.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..core import dates, spans
from ..core.problems import Failed, Problem, shown
from ..core.schemas import Role, Schemas
from ..core.vocab import ArticleDateSource as SOURCE
from ..core.vocab import CaptureCompleteness, EventStatus
from ..core.vocab import DateResolution as RESOLUTION
from ..core.vocab import ValueSource as VALUE
from .codings import CodingFile, Codings, Entry, Seed, capture_file
from .drafts import draft_problems, entry_draft_problem

Row = dict[str, Any]
DataPath = tuple[str | int, ...]


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


Getter = Callable[[Any, Any], Any]


def _getter(path: str) -> Getter:
    """Reads a coding source: a dotted key path of the item, `../key` of its parent, `.` the item itself."""
    if path == ".":
        return lambda item, parent: item
    if path.startswith("../"):
        key = path[3:]
        return lambda item, parent: parent.get(key)
    keys = path.split(".")
    if len(keys) == 1:
        return lambda item, parent: item.get(path)

    def nested(item: Any, parent: Any) -> Any:
        for key in keys:
            item = item.get(key) if isinstance(item, dict) else None
        return item

    return nested


class Rows:
    """Makes each table's rows from its Table Schema's sources: coding keys read from the item, the built columns
    handed in. A schema field with neither source, or a built column the stage does not hand in, is refused."""

    def __init__(self, roles: dict[str, Role]):
        self.columns: dict[str, list[tuple[str, Getter | None]]] = {}
        self.built: dict[str, frozenset[str]] = {}
        for table, role in roles.items():
            missing = [c for c, s in role.sources.items() if (s.coding is None) == (s.built is None)]
            if missing:
                raise Failed([Problem(f"schemas/tables/{table}.json", None, f"fields/{c}", "the field says neither "
                              "where its value is coded (tstalks.coding) nor how the build makes it (tstalks.built)",
                              "give it exactly one of the two") for c in missing])
            self.columns[table] = [(c, _getter(s.coding) if s.coding is not None else None) for c, s in role.sources.items()]
            self.built[table] = frozenset(c for c, s in role.sources.items() if s.built is not None)

    def row(self, table: str, item: Any, origin: tuple[str, int | None, str], parent: Any = None, **built: Any) -> Row:
        if built.keys() != self.built[table]:
            raise RuntimeError(f"{table}: the resolve stage makes {sorted(built)}, the schema builds {sorted(self.built[table])}")
        row = {c: built[c] if get is None else get(item, parent) for c, get in self.columns[table]}
        row["_origin"] = origin
        return row


class _Context:
    def __init__(self, problems: list[Problem], rows: Rows, reported: set[str]) -> None:
        self.problems = problems
        self.make = rows.row
        self.reported = reported  # articles and seeds refused already: what refers to them is not refused again
        # Checks that need every article's text: the evidence of a publication date's bounds may lie in an
        # article read later.
        self.once_read: list[Callable[[dict[str, ArticleText]], None]] = []

    def problem(self, coding: CodingFile, path: DataPath, where: str, message: str, fix: str) -> None:
        self.problems.append(Problem(coding.path, coding.line(*path), where, message, fix))

    def locate(self, coding: CodingFile, path: DataPath, where: str, text: ArticleText,
               spec: dict[str, Any], key: str = "text", whole: bool = False) -> spans.Span | None:
        start, end = (0, len(text.seed.text)) if whole else (text.body_start, text.body_end)
        region = f"seed {text.seed.file}" if whole else f"the body of {text.seed.file}"
        try:
            return spans.locate(text.seed.text, spec[key], start, end, spec.get("occurrence"), region)
        except spans.SpanError as exc:
            self.problem(coding, path + (key,), where, exc.message, exc.fix)
            return None


    def printed(self, coding: CodingFile, where: str, text: ArticleText, d: dict[str, Any], key: str,
                whole: bool = False, path: DataPath = ()) -> bool:
        """A metadata value (title, byline, URL, dateline, printed date) must be words of the text; it has no span
        column, so it may occur more than once ("Reuters" as byline and as photo credit)."""
        start, end = (0, len(text.seed.text)) if whole else (text.body_start, text.body_end)
        region = f"seed {text.seed.file}" if whole else f"the body of {text.seed.file}"
        try:
            spans.locate(text.seed.text, d[key], start, end, 1, region)
        except spans.SpanError as exc:
            self.problem(coding, path + (key,), where, exc.message, exc.fix)
            return False
        return True


def resolve(codings: Codings, allow_drafts: bool = False) -> Resolution:
    """Turn codings into table rows; raise Failed listing every problem found, and every unconfirmed draft item
    unless `allow_drafts` (the curation assistant reads the registries while drafts are pending)."""
    problems: list[Problem] = []
    tables: dict[str, list[Row]] = {name: [] for name in codings.schemas.roles}
    texts: dict[str, ArticleText] = {}
    for name, row in rows(codings.schemas, codings.articles, codings.entries, codings.seeds.get, texts, problems,
                          allow_drafts):
        tables[name].append(row)
    if problems:
        raise Failed(problems)
    return Resolution(tables, texts)


def rows(schemas: Schemas, articles: Iterable[CodingFile], entries: Callable[[str], Iterable[Entry]],
         seed_of: Callable[[str], Seed | None], texts: dict[str, ArticleText], problems: list[Problem],
         allow_drafts: bool = False, reported: set[str] | None = None) -> Iterator[tuple[str, Row]]:
    """Every row the codings give, as (table, row): each article with its links, one article at a time, then the
    registries entry by entry, in publication order (their dates and discrepancy values point into articles, so
    articles come first). Fills `texts` by article id as it goes; problems go to `problems`, one per cause: an
    article or seed in `reported` (refused already, and so every article refused here) is not refused again where
    it is referred to. Nothing here holds the whole corpus."""
    ctx = _Context(problems, Rows(schemas.roles), reported if reported is not None else set())
    for coding in articles:
        if not allow_drafts:
            problems.extend(draft_problems(coding.path, coding.data, coding.line))
        row, text = _article(ctx, coding, seed_of)
        if row and text:
            texts[row["article_id"]] = text
            yield "articles", row
            yield from _article_links(ctx, coding, text)
        else:
            ctx.reported.add(coding.data["article"])
    for check in ctx.once_read:
        check(texts)
    event_dates: dict[str, Dating] = {}
    for kind in schemas.registries:
        resolve_entry = _REGISTRIES[kind]
        for i, entry, reg in entries(kind):
            if not allow_drafts and (drafted := entry_draft_problem(reg.path, reg.line(kind, i), kind, entry)):
                problems.append(drafted)
            yield from resolve_entry(ctx, reg, i, entry, texts, event_dates)


def _origin(coding: CodingFile, path: DataPath, where: str) -> tuple[str, int | None, str]:
    return (coding.path, coding.line(*path), where)


def _article(ctx: _Context, coding: CodingFile, seed_of: Callable[[str], Seed | None]
             ) -> tuple[Row | None, ArticleText | None]:
    d = coding.data
    aid = d["article"]
    seed = _pinned_seed(ctx, coding, seed_of)
    if seed is None:
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
            ctx.printed(coding, aid, whole, d, key, whole=True)
    if d.get("dateline") is not None:
        ctx.printed(coding, aid, body, d, "dateline")
    capture = _pinned_capture(ctx, seed)
    published, source, note = _bounded_publication(ctx, coding, whole, seed, capture)
    row = ctx.make("articles", d, _origin(coding, (), aid),
                   title=" ".join(d["title"].split()) if d.get("title") else None,
                   published_date=published.date, published_date_precision=published.precision,
                   published_date_earliest=published.earliest, published_date_latest=published.latest,
                   published_date_source=source, published_date_note=note, body_start=first.start, body_end=last.end,
                   word_count=len(seed.text[first.start:last.end].split()), **_captured(ctx, coding, seed, capture))
    uncoded = []
    for i, u in enumerate(d.get("uncoded", [])):
        span = ctx.locate(coding, ("uncoded", i), aid, body, u)
        if span:
            uncoded.append(span)
    return row, ArticleText(aid, seed, first.start, last.end, published.date, published.precision, tuple(uncoded))


def _captured(ctx: _Context, coding: CodingFile, seed: Seed, capture: dict[str, Any]) -> dict[str, Any]:
    """The article's columns that may come from the capture record, each with where it comes from: the coding's
    value (words of the seed) first, else the record's (supplied at capture)."""
    d, aid = coding.data, coding.data["article"]
    outlet = d.get("outlet") or capture.get("outlet")
    if outlet is None:
        ctx.problem(coding, (), aid, "no outlet: the coding names none and the seed has no capture record giving one",
                    f"add `outlet:` to the coding, or to the capture record seeds/articles/{capture_file(seed.file)}")
    named = bool(outlet) and bool(spans.find_all(seed.text, str(outlet), whole_words=True))
    outlet_source = VALUE.PRINTED if named else VALUE.SUPPLIED if outlet == capture.get("outlet") else VALUE.INFERRED
    notes = [str(capture[k]) for k in ("completeness_note", "licence", "note") if capture.get(k)]
    return {"url": d.get("url") or capture.get("url"),
            "url_source": VALUE.PRINTED if d.get("url") else VALUE.SUPPLIED if capture.get("url") else None,
            "outlet": outlet, "outlet_source": outlet_source,
            **_captured_date(capture),
            "capture_method": capture.get("method"), "capture_completeness": capture.get("completeness", CaptureCompleteness.UNKNOWN),
            "capture_note": " ".join(notes) if notes else None}


def _captured_date(capture: dict[str, Any]) -> dict[str, Any]:
    """The capture date's columns: the date, its precision and the first and last day of its period."""
    if not capture.get("captured"):
        return dict.fromkeys(("captured_date", "captured_date_precision", "captured_date_earliest",
                              "captured_date_latest"))
    date, precision = dates.parse_value(capture["captured"])
    period = dates.bounds(date, precision)
    return {"captured_date": date, "captured_date_precision": precision, "captured_date_earliest": period.earliest,
            "captured_date_latest": period.latest}


def _pinned_capture(ctx: _Context, seed: Seed) -> dict[str, Any]:
    """The seed's capture record, when it describes these very bytes (else a located problem, and no record)."""
    record = seed.capture
    if record is None:
        return {}
    if record.data["seed"] != seed.file or record.data["sha256"] != seed.sha256:
        ctx.problems.append(Problem(record.path, record.line("sha256"), "sha256",
                                    f"the record describes {shown(record.data['seed'])} with SHA-256 {record.data['sha256'][:16]}…, "
                                    f"not the seed beside it ({seed.file}, {seed.sha256[:16]}…)",
                                    "a capture record describes the bytes of its own seed: correct seed and sha256, or "
                                    "move the record beside its seed"))
        return {}
    found = dict(record.data)
    for key in ("published", "captured"):  # the schema checks their form; a real month and day are checked here
        if key in found:
            try:
                dates.parse_value(found[key])
            except dates.DateError as exc:
                ctx.problems.append(Problem(record.path, record.line(key), key, exc.message, exc.fix))
                found[key] = None  # refused above: not "missing" as well
    return found


def _publication(ctx: _Context, coding: CodingFile, whole: ArticleText, seed: Seed, capture: dict[str, Any]
                 ) -> tuple[dt.date | None, str | None, str | None, str | None]:
    """(date, precision, source, note) of the publication: what the text establishes (the coding's `published`),
    else what the capture record supplies; a printed date and a supplied one that disagree are refused."""
    d, aid = coding.data, coding.data["article"]
    supplied = capture.get("published")
    if "published" not in d:
        if supplied is None:
            if "published" not in capture:  # (there, as None: its date was refused with the record's line)
                ctx.problem(coding, (), aid, "no publication date: the coding has no `published` and the capture record "
                            "supplies none", "add `published:` (printed, url, inferred or unknown, see "
                            f"docs/conventions.md §3), or the date known at capture to seeds/articles/{capture_file(seed.file)}")
            else:
                ctx.reported.add(aid)  # dates relative to its publication are not refused again for want of one
            return None, None, None, None
        value, given_precision = dates.parse_value(supplied)
        return value, given_precision, SOURCE.SUPPLIED, f"supplied at capture ({capture_file(seed.file)})"
    published, precision, _ = _published(ctx, coding, whole)
    if supplied and published and precision:
        given, given_precision = dates.parse_value(supplied)
        if not (given <= dates.period_end(published, precision) and published <= dates.period_end(given, given_precision)):
            ctx.problem(coding, ("published",), aid, f"the text dates it {published} ({precision}), the capture record {supplied}",
                        "correct one of them, or leave `published` out of the capture record and say why in its note")
    return published, precision, d["published"]["source"], d["published"].get("note")


def _pinned_seed(ctx: _Context, coding: CodingFile, seed_of: Callable[[str], Seed | None]) -> Seed | None:
    """The coding's seed, when it is there with the SHA-256 the coding pins."""
    d = coding.data
    aid = d["article"]
    seed = seed_of(d["seed"]["file"])
    if seed is None and d["seed"]["file"] not in ctx.reported:
        ctx.problem(coding, ("seed", "file"), aid, f"seed file {d['seed']['file']} is not in seeds/articles/",
                    "add the raw text with `tstalks add`, or correct the file name")
    if seed is None:
        return None
    if seed.sha256 != d["seed"]["sha256"]:
        ctx.problem(coding, ("seed", "sha256"), aid,
                    f"seed {seed.file} has SHA-256 {seed.sha256}, but this coding pins {d['seed']['sha256']}: the seed changed",
                    "seeds are never edited: restore the file as received (git checkout -- seeds/articles/); "
                    "a new version of an article is a new seed, added with `tstalks add`")
        return None
    return seed


Date = tuple[dt.date | None, str | None, str | None]
NO_DATE: Date = (None, None, None)


def _bounded_publication(ctx: _Context, coding: CodingFile, whole: ArticleText, seed: Seed, capture: dict[str, Any]
                         ) -> tuple[Dating, str | None, str | None]:
    """(date with its bounds, source, note) of the publication. The words the bounds rest on may lie in an article
    read later, so they are checked once every article is read."""
    path, aid, p = ("published",), coding.data["article"], coding.data.get("published") or {}
    date, precision, source, note = _publication(ctx, coding, whole, seed, capture)
    bounded = _bounded(ctx, coding, path, aid, p, Dating(date, precision))
    if p.get("bounds") and date is not None:
        ctx.once_read.append(lambda texts: _evidence(ctx, coding, path, aid, p["bounds"], texts))
    return bounded, source, note


def _published(ctx: _Context, coding: CodingFile, whole: ArticleText) -> Date:
    p = coding.data["published"]
    source = p["source"]
    if source in (SOURCE.PRINTED, SOURCE.PRINTED_UPDATE, SOURCE.URL):
        return _printed(ctx, coding, whole, p)
    aid = coding.data["article"]
    path = ("published",)
    if source == SOURCE.INFERRED:
        if "value" not in p:
            ctx.problem(coding, path, aid, "an inferred date needs a 'value' and a 'note' with the reasoning", "add them")
            return NO_DATE
        if not _reasoned(ctx, coding, path, aid, p):
            return NO_DATE
        try:
            value, precision = dates.parse_value(p["value"])
        except dates.DateError as exc:
            ctx.problem(coding, path + ("value",), aid, exc.message, exc.fix)
            return NO_DATE
        return value, precision, RESOLUTION.INFERRED
    if "note" not in p or "value" in p or "expression" in p:  # unknown
        ctx.problem(coding, path, aid, "an unknown date takes no value or expression, and a 'note' saying what the text does establish",
                    "remove 'value'/'expression' and add a 'note'")
    return NO_DATE


def _printed(ctx: _Context, coding: CodingFile, whole: ArticleText, p: dict[str, Any]) -> Date:
    """A publication date read from words of the page: a printed date, or a dated URL printed there."""
    aid, source, path = coding.data["article"], p["source"], ("published",)
    if "expression" not in p or "value" in p:
        ctx.problem(coding, path, aid, f"source '{source}' needs the printed 'expression' and no 'value'",
                    "copy the date (or the URL) as printed into 'expression'")
        return NO_DATE
    if not ctx.printed(coding, aid, whole, p, "expression", whole=True, path=path):  # the same words, the same date
        return NO_DATE
    try:
        r = dates.resolve(p["expression"], None, None)
    except dates.DateError as exc:
        ctx.problem(coding, path + ("expression",), aid, exc.message, exc.fix)
        return NO_DATE
    if (source == SOURCE.URL) != (r.resolution == RESOLUTION.URL_PATH):
        ctx.problem(coding, path + ("expression",), aid,
                    f"source '{source}' does not fit the expression, which resolves by rule '{r.resolution}'",
                    "use source 'url' for a URL with /YYYY/MM/DD/, 'printed' for a printed date")
        return NO_DATE
    return r.date, r.precision, r.resolution


def _participant(ctx: _Context, reg: CodingFile, i: int, p: dict[str, Any], texts: dict[str, ArticleText],
                 event_dates: dict[str, Dating]) -> Iterator[tuple[str, Row]]:
    yield "participants", ctx.make("participants", p, _origin(reg, ("participants", i), p["id"]))


@dataclass(frozen=True)
class Dating:
    """A date as the tables publish it: the day it is stored as, its precision, the earliest and latest day the
    texts allow, and how it was found (the words, their article, the rule)."""

    date: dt.date | None = None
    precision: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    expression: str | None = None
    article_id: str | None = None
    resolution: str | None = None

    def provenance(self) -> dict[str, Any]:
        return {"date_expression": self.expression, "date_article_id": self.article_id,
                "date_resolution": self.resolution}


UNDATED = Dating()


def _reasoned(ctx: _Context, coding: CodingFile, path: DataPath, where: str, spec: dict[str, Any]) -> bool:
    """Whether an inferred date says how it was inferred: a note with words in it, not only blanks or marks."""
    note = spec.get("note")
    if isinstance(note, str) and any(c.isalnum() for c in note):
        return True
    ctx.problem(coding, path + (("note",) if "note" in spec else ()), where,
                "an inferred date needs its reasoning: the note is missing or empty",
                "say in 'note' which words of which article give the value, and why no rule resolves them")
    return False


def _date_fields(ctx: _Context, reg: CodingFile, path: DataPath, where: str, spec: dict[str, Any] | None,
                 texts: dict[str, ArticleText], event_date: Dating | None = None, ahead: bool = False) -> Dating:
    """One date spec of a registry entry, resolved and bounded; `ahead` for what is planned or proposed (its
    weekdays and months are the next ones, not the last)."""
    if spec is None:
        return UNDATED
    if "from_event" in spec:
        if event_date is None:
            ctx.problem(reg, path, where, "'from_event' dates a statement by its event, but no event is given",
                        "add 'event', or date the statement by an expression")
            return UNDATED
        return replace(event_date, expression=None, article_id=None, resolution=RESOLUTION.FROM_EVENT)
    if "value" in spec:
        if not _reasoned(ctx, reg, path, where, spec):
            return UNDATED
        try:
            value, precision = dates.parse_value(spec["value"])
        except dates.DateError as exc:
            ctx.problem(reg, path + ("value",), where, exc.message, exc.fix)
            return UNDATED
        dated = Dating(value, precision, resolution=RESOLUTION.INFERRED)
    else:
        dated = _expression_date(ctx, reg, path, where, spec, texts, ahead)
    bounded = _bounded(ctx, reg, path, where, spec, dated)
    if spec.get("bounds") and dated.date is not None:
        _evidence(ctx, reg, path, where, spec["bounds"], texts)
    return bounded


def _expression_date(ctx: _Context, reg: CodingFile, path: DataPath, where: str, spec: dict[str, Any],
                     texts: dict[str, ArticleText], ahead: bool = False) -> Dating:
    """A date from words of an article's body, resolved against that article's publication date."""
    text = texts.get(spec["article"])
    if text is None:
        if spec["article"] not in ctx.reported:
            ctx.problem(reg, path + ("article",), where, f"article '{spec['article']}' is not coded",
                        "use the id of an article in seeds/codings/articles/")
        return UNDATED
    if not ctx.locate(reg, path, where, text, spec, key="expression"):
        return UNDATED
    try:
        r = dates.resolve(spec["expression"], text.published, text.published_precision, ahead)
    except dates.DateError as exc:
        if spec["article"] not in ctx.reported:
            ctx.problem(reg, path + ("expression",), where, exc.message, exc.fix)
        return UNDATED
    return Dating(r.date, r.precision, expression=spec["expression"], article_id=spec["article"], resolution=r.resolution)


def _bounded(ctx: _Context, coding: CodingFile, path: DataPath, where: str, spec: dict[str, Any],
             dated: Dating) -> Dating:
    """`dated` with the earliest and latest day the texts allow: its period's, narrowed by the spec's `bounds`."""
    b = spec.get("bounds") or {}
    if dated.date is None or dated.precision is None:
        if b and spec.get("source") == SOURCE.UNKNOWN:
            ctx.problem(coding, path + ("bounds",), where, "bounds narrow a date, but an unknown date has none",
                        "remove 'bounds', or give the date as an inferred 'value' with a 'note' and narrow that")
        return dated
    days: dict[str, dt.date] = {}
    for key in ("earliest", "latest"):
        try:
            if key in b:
                days[key] = dates.parse_day(b[key])
        except dates.DateError as exc:
            ctx.problem(coding, path + ("bounds", key), where, exc.message, exc.fix)
            return dated
    try:
        found = dates.bounds(dated.date, dated.precision, days.get("earliest"), days.get("latest"))
    except dates.BoundsError as exc:
        ctx.problem(coding, path + ("bounds",) + ((exc.bound,) if exc.bound in b else ()), where, exc.message, exc.fix)
        return dated
    return replace(dated, earliest=found.earliest, latest=found.latest)


def _evidence(ctx: _Context, coding: CodingFile, path: DataPath, where: str, b: dict[str, Any],
              texts: dict[str, ArticleText]) -> None:
    """Each passage the bounds rest on is in its article's seed, and the note, which is published, quotes it."""
    for k, item in enumerate(b["evidence"]):
        at = path + ("bounds", "evidence", k)
        text = texts.get(item["article"])
        if text is None:
            if item["article"] not in ctx.reported:
                ctx.problem(coding, at + ("article",), where, f"article '{item['article']}' is not coded",
                            "use the id of an article in seeds/codings/articles/")
            continue
        if ctx.locate(coding, at, where, text, item, whole=True) and not spans.find_all(b["note"], item["text"]):
            ctx.problem(coding, path + ("bounds", "note"), where,
                        f"the bounds' note does not quote their evidence '{shown(item['text'])}' ({item['article']})",
                        "quote each evidence passage in the note, so that the published reasoning gives the words")


def _event(ctx: _Context, reg: CodingFile, i: int, e: dict[str, Any], texts: dict[str, ArticleText],
           event_dates: dict[str, Dating]) -> Iterator[tuple[str, Row]]:
    path = ("events", i)
    ahead = e["status"] in (EventStatus.PLANNED, EventStatus.PROPOSED)
    start = _date_fields(ctx, reg, path + ("date",), e["id"], e.get("date"), texts, ahead=ahead)
    end = _date_fields(ctx, reg, path + ("end_date",), e["id"], e.get("end_date"), texts, ahead=ahead)
    event_dates[e["id"]] = start
    yield "events", ctx.make("events", e, _origin(reg, path, e["id"]), start_date=start.date,
                             start_date_precision=start.precision, start_date_earliest=start.earliest,
                             start_date_latest=start.latest, end_date=end.date, end_date_precision=end.precision,
                             end_date_earliest=end.earliest, end_date_latest=end.latest, **start.provenance())


def _statement(ctx: _Context, reg: CodingFile, i: int, s: dict[str, Any], texts: dict[str, ArticleText],
               event_dates: dict[str, Dating]) -> Iterator[tuple[str, Row]]:
    path = ("statements", i)
    event_date = event_dates.get(s["event"], UNDATED) if s.get("event") else None
    dated = _date_fields(ctx, reg, path + ("date",), s["id"], s.get("date"), texts, event_date)
    yield "statements", ctx.make("statements", s, _origin(reg, path, s["id"]), statement_date=dated.date,
                                 statement_date_precision=dated.precision, statement_date_earliest=dated.earliest,
                                 statement_date_latest=dated.latest, **dated.provenance())
    for topic in s.get("topics", []):
        yield "statement_topics", ctx.make("statement_topics", topic, _origin(reg, path + ("topics",), s["id"]), parent=s)


def _article_links(ctx: _Context, coding: CodingFile, text: ArticleText) -> Iterator[tuple[str, Row]]:
    """Aliases, event mentions, participations and quotes of one article."""
    yield from _aliases(ctx, coding, text)
    yield from _mentions(ctx, coding, text)
    aid, seed = text.article_id, text.seed.text
    for i, q in enumerate(coding.data.get("quotes", [])):
        path = ("quotes", i)
        span = ctx.locate(coding, path, q["id"], text, q)
        if span:
            yield "quotes", ctx.make("quotes", q, _origin(coding, path, q["id"]), article_id=aid,
                                     quote_text=seed[span.start:span.end], span_start=span.start, span_end=span.end)


def _aliases(ctx: _Context, coding: CodingFile, text: ArticleText) -> Iterator[tuple[str, Row]]:
    aid, seed = text.article_id, text.seed.text
    for pid, spellings in sorted(coding.data.get("aliases", {}).items()):
        for j, alias in enumerate(spellings):
            path = ("aliases", pid, j)
            # An alias row asserts a spelling, so its first whole-word appearance is evidence enough ("Russia"
            # inside "Russian" is not the name; the locator says so, naming the longer word).
            try:
                span = spans.locate(seed, alias, text.body_start, text.body_end, 1, f"the body of {text.seed.file}")
            except spans.SpanError as exc:
                ctx.problem(coding, path, f"{pid}", exc.message, exc.fix)
                continue
            yield "participant_aliases", ctx.make(
                "participant_aliases", alias, _origin(coding, path, pid), participant_id=pid, article_id=aid,
                alias=seed[span.start:span.end], span_start=span.start, span_end=span.end)


def _mentions(ctx: _Context, coding: CodingFile, text: ArticleText) -> Iterator[tuple[str, Row]]:
    """Event mentions of one article, each with the participants it names."""
    aid, seed = text.article_id, text.seed.text
    for i, mention in enumerate(coding.data.get("events", [])):
        path = ("events", i)
        eid = mention["event"]
        span = ctx.locate(coding, path, eid, text, mention)
        if not span:
            continue
        expression = mention.get("date_expression")
        if expression and not spans.find_all(seed, expression, span.start, span.end, whole_words=True):
            ctx.problem(coding, path + ("date_expression",), eid, f"the date expression '{expression}' is not inside the mention",
                        "widen the mention's text to include the dating words, or correct the expression")
        yield "event_sources", ctx.make("event_sources", mention, _origin(coding, path, eid), article_id=aid,
                                        span_text=seed[span.start:span.end], span_start=span.start, span_end=span.end)
        for j, p in enumerate(mention.get("participants", [])):
            ppath = path + ("participants", j)
            where = f"{eid}/{p['participant']}"
            pspan = ctx.locate(coding, ppath, where, text, p)
            if pspan:
                yield "event_participants", ctx.make(
                    "event_participants", p, _origin(coding, ppath, where), parent=mention, article_id=aid,
                    span_text=seed[pspan.start:pspan.end], span_start=pspan.start, span_end=pspan.end)


def _discrepancy(ctx: _Context, reg: CodingFile, i: int, d: dict[str, Any], texts: dict[str, ArticleText],
                 event_dates: dict[str, Dating]) -> Iterator[tuple[str, Row]]:
    path = ("discrepancies", i)
    yield "discrepancies", ctx.make("discrepancies", d, _origin(reg, path, d["id"]))
    for j, v in enumerate(d["values"]):
        vpath = path + ("values", j)
        text = texts.get(v["article"])
        if text is None:
            if v["article"] not in ctx.reported:
                ctx.problem(reg, vpath + ("article",), d["id"], f"article '{v['article']}' is not coded",
                            "use the id of an article in seeds/codings/articles/")
            continue
        # Article metadata (URLs, printed dates) lies outside the body; everything else is coded from the body.
        whole = "article" in d["about"]
        span = ctx.locate(reg, vpath, d["id"], text, v, whole=whole)
        if span:
            row = ctx.make("discrepancy_values", v, _origin(reg, vpath, d["id"]), parent=d,
                           span_text=text.seed.text[span.start:span.end], span_start=span.start, span_end=span.end)
            row["_whole_seed"] = whole
            yield "discrepancy_values", row


# How the entries of each registry become rows (the registries and their order come from the schemas).
_REGISTRIES = {"participants": _participant, "events": _event, "statements": _statement, "discrepancies": _discrepancy}
