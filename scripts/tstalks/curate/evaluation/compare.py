"""One draft against the confirmed coding of the same article: what the draft got right, measure by measure.

The draft is read as the curator receives it (a `Bundle`): its words are located in the seed as the build would
locate them, its dates resolved by the same rules. The confirmed coding is read from the resolved tables."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ...build.resolve import ArticleText, Resolution
from ...core import dates, spans
from ...core.vocab import ArticleDateSource
from ..assistant import Known, slug
from ..text import quoted_passages
from .bundle import Bundle

JACCARD = 0.5  # a drafted quote matches a confirmed one when their characters overlap at least this much
Row = dict[str, Any]
Span = tuple[int, int]
Date = tuple[dt.date, str] | None
PRINTED = (ArticleDateSource.PRINTED, ArticleDateSource.PRINTED_UPDATE, ArticleDateSource.URL)


@dataclass
class Score:
    """Counts for one article; the report adds them up."""

    article_id: str
    quotes: int = 0  # confirmed quotes
    drafted: int = 0  # drafted quotes
    matched: int = 0
    finished: bool = True  # every quoted passage of the body is coded or set aside, so precision can be judged
    speakers: int = 0  # matched quotes whose speaker is right
    modes: int = 0
    relayed: int = 0  # matched quotes the confirmed coding relays through an intermediary
    vias: int = 0
    chosen: int = 0  # matched quotes whose confirmed statement the registries knew
    statements: int = 0  # ... and the draft chose it
    dated: int = 0  # confirmed statements of matched quotes dated by this article's words
    dates: int = 0
    mentions: int = 0  # confirmed event mentions
    found_mentions: int = 0  # ... the draft has (a known event by id, an unknown one by a proposal)
    links: int = 0  # drafted event mentions
    right_links: int = 0
    body: bool = False  # body bounds exact
    titled: bool = False  # the page prints a headline
    title: bool = False
    printed_date: bool = False  # the page prints its publication date
    published: bool = False
    misses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Truth:
    """The confirmed coding of one article, as resolved."""

    text: ArticleText
    article: Row
    quotes: list[Row]
    statements: dict[str, Row]
    mentions: list[Row]
    names: dict[str, set[str]]  # participant id -> slugs of its name and every alias

    @staticmethod
    def of(resolution: Resolution, aid: str) -> Truth:
        t = resolution.tables
        names: dict[str, set[str]] = {}
        for r in t["participants"]:
            names.setdefault(r["participant_id"], set()).add(slug(r["name"]))
        for r in t["participant_aliases"]:
            names.setdefault(r["participant_id"], set()).add(slug(r["alias"]))
        return Truth(resolution.texts[aid], next(r for r in t["articles"] if r["article_id"] == aid),
                     [r for r in t["quotes"] if r["article_id"] == aid],
                     {r["statement_id"]: r for r in t["statements"]},
                     [r for r in t["event_sources"] if r["article_id"] == aid], names)


def jaccard(a: Span, b: Span) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def match_spans(confirmed: list[Span], drafted: list[Span]) -> list[tuple[int, int]]:
    """One-to-one pairs (confirmed index, drafted index) with Jaccard >= JACCARD, best overlaps first."""
    pairs = sorted(((jaccard(c, d), i, j) for i, c in enumerate(confirmed) for j, d in enumerate(drafted)), reverse=True)
    used_c, used_d, out = set(), set(), []
    for score, i, j in pairs:
        if score >= JACCARD and i not in used_c and j not in used_d:
            used_c.add(i)
            used_d.add(j)
            out.append((i, j))
    return out


class Draft:
    """A bundle read against its seed: spans located, dates resolved."""

    def __init__(self, bundle: Bundle, text: str, known: Known, supplied: Date = None):
        self.bundle, self.text, self.known = bundle, text, known
        a = bundle.article
        self.body = self._body(a.get("body") or {})
        self.published = _published(a.get("published")) or supplied
        self.quotes = [(span, q) for q in a.get("quotes") or [] if (span := self.locate(q))]
        self.mentions = [(span, m) for m in a.get("events") or [] if (span := self.locate(m))]
        self.statements = bundle.proposed("statements")
        self.events = bundle.proposed("events")
        self.participants = bundle.proposed("participants")

    def _body(self, body: dict[str, Any]) -> Span | None:
        first = _find(self.text, body.get("first"), 0, len(self.text))
        last = _find(self.text, body.get("last"), 0, len(self.text))
        return (first[0], last[1]) if first and last else None

    def locate(self, item: dict[str, Any]) -> Span | None:
        start, end = self.body or (0, len(self.text))
        return _find(self.text, item, start, end)

    def speaker(self, statement: str | None) -> str | None:
        if statement in self.statements:
            return self.statements[statement].get("speaker")
        row = self.known.statements.get(statement or "")
        return row["speaker_id"] if row else None

    def statement_date(self, statement: str | None, truth: Truth) -> Date:
        if statement in self.statements:
            return self._spec_date(self.statements[statement].get("date"), self.statements[statement].get("event"))
        row = truth.statements.get(statement or "") if statement in self.known.statements else None
        return (row["statement_date"], row["statement_date_precision"]) if row and row["statement_date"] else None

    def _spec_date(self, spec: dict[str, Any] | None, event: str | None) -> Date:
        if not spec:
            return None
        if spec.get("from_event"):
            return self._event_date(event)
        if "value" in spec:
            return _value(spec["value"])
        try:
            r = dates.resolve(spec.get("expression", ""), *(self.published or (None, None)))
        except dates.DateError:
            return None
        return r.date, r.precision

    def _event_date(self, event: str | None) -> Date:
        if event in self.events:
            return self._spec_date(self.events[event].get("date"), None)
        known = self.known.events.get(event or "")
        return (known.date, known.precision) if known and known.date and known.precision else None


def _find(text: str, item: Any, start: int, end: int) -> Span | None:
    if not isinstance(item, dict) or not item.get("text"):
        return None
    try:
        found = spans.locate(text, item["text"], start, end, item.get("occurrence"))
    except spans.SpanError:
        return None
    return found.start, found.end


def _value(value: str) -> Date:
    try:
        return dates.parse_value(value)
    except dates.DateError:
        return None


def _published(spec: Any) -> Date:
    if not isinstance(spec, dict):
        return None
    if spec.get("source") in PRINTED and spec.get("expression"):
        try:
            r = dates.resolve(spec["expression"], None, None)
        except dates.DateError:
            return None
        return r.date, r.precision
    return _value(spec["value"]) if spec.get("value") else None


def same_participant(drafted: str | None, confirmed: str | None, draft: Draft, truth: Truth) -> bool:
    """The same id; or, where the registries did not know the confirmed participant, a proposed newcomer whose id
    or name spells one of its names."""
    if drafted is None or confirmed is None:
        return drafted == confirmed
    if drafted == confirmed:
        return True
    if drafted in draft.known.participants or confirmed in draft.known.participants:
        return False
    spelled = {drafted, slug(str(draft.participants.get(drafted, {}).get("name", drafted)))}
    return any(fuzz.ratio(s, n) >= 90 for s in spelled for n in truth.names.get(confirmed, {confirmed}))


def score(bundle: Bundle, truth: Truth, known: Known, supplied: Date = None) -> Score:
    """How far the draft is from the confirmed coding."""
    text = truth.text.seed.text
    draft = Draft(bundle, text, known, supplied)
    s = Score(truth.text.article_id)
    _score_quotes(s, draft, truth)
    _score_events(s, draft, truth)
    _score_metadata(s, draft, truth)
    return s


def _score_quotes(s: Score, draft: Draft, truth: Truth) -> None:
    confirmed = [(q["span_start"], q["span_end"]) for q in truth.quotes]
    drafted = [span for span, _ in draft.quotes]
    s.quotes, s.drafted = len(confirmed), len(drafted)
    pairs = match_spans(confirmed, drafted)
    s.matched = len(pairs)
    dated: set[str] = set()
    for i, j in pairs:
        _score_pair(s, truth.quotes[i], draft.quotes[j][1], draft, truth, dated)
    hit_c, hit_d = {i for i, _ in pairs}, {j for _, j in pairs}
    s.misses += [f"quote missed: {q['quote_id']} '{_short(q['quote_text'])}'" for i, q in enumerate(truth.quotes) if i not in hit_c]
    s.finished = _finished(truth)
    if s.finished:
        s.misses += [f"quote drafted, not confirmed: '{_short(q.get('text', ''))}'"
                     for j, (_, q) in enumerate(draft.quotes) if j not in hit_d]
    else:
        s.misses.append("coding unfinished (a quoted passage is neither coded nor set aside): precision not judged")


def _score_pair(s: Score, q: Row, d: dict[str, Any], draft: Draft, truth: Truth, dated: set[str]) -> None:
    """One matched quote: speaker, mode, intermediary, statement and its date."""
    statement = truth.statements[q["statement_id"]]
    speaker = draft.speaker(d.get("statement"))
    if same_participant(speaker, statement["speaker_id"], draft, truth):
        s.speakers += 1
    else:
        s.misses.append(f"speaker of {q['quote_id']}: drafted {speaker}, confirmed {statement['speaker_id']}")
    if d.get("mode") == q["quote_mode"]:
        s.modes += 1
    else:
        s.misses.append(f"mode of {q['quote_id']}: drafted {d.get('mode')}, confirmed {q['quote_mode']}")
    if q["intermediary_id"]:
        s.relayed += 1
        if same_participant(d.get("via"), q["intermediary_id"], draft, truth):
            s.vias += 1
        else:
            s.misses.append(f"intermediary of {q['quote_id']}: drafted {d.get('via')}, confirmed {q['intermediary_id']}")
    if q["statement_id"] in draft.known.statements:
        s.chosen += 1
        if d.get("statement") == q["statement_id"]:
            s.statements += 1
        else:
            s.misses.append(f"statement of {q['quote_id']}: drafted {d.get('statement')}, confirmed {q['statement_id']}")
    if statement["date_article_id"] == truth.text.article_id and q["statement_id"] not in dated:
        dated.add(q["statement_id"])
        s.dated += 1
        want = (statement["statement_date"], statement["statement_date_precision"])
        got = draft.statement_date(d.get("statement"), truth)
        if got == want:
            s.dates += 1
        else:
            s.misses.append(f"date of {q['statement_id']}: drafted {_date(got)}, confirmed {_date(want)} "
                            f"('{statement['date_expression']}')")


def _finished(truth: Truth) -> bool:
    t = truth.text
    accounted = [(q["span_start"], q["span_end"]) for q in truth.quotes] + [(u.start, u.end) for u in t.uncoded]
    return not [p for p in quoted_passages(t.seed.text, t.body_start, t.body_end)
                if p.paired and not any(a < p.end and p.start < b for a, b in accounted)]


def _score_events(s: Score, draft: Draft, truth: Truth) -> None:
    """A drafted link is right when it names a confirmed event of this article, or proposes a new one where the
    article mentions an event the registries did not know."""
    unknown = [(m["span_start"], m["span_end"]) for m in truth.mentions if m["event_id"] not in draft.known.events]
    confirmed = {m["event_id"] for m in truth.mentions}
    s.mentions, s.links = len(truth.mentions), len(draft.mentions)
    for span, m in draft.mentions:
        eid = m.get("event")
        right = eid in confirmed if eid not in draft.events else _overlaps(span, unknown)
        s.right_links += right
        if not right:
            s.misses.append(f"event link drafted, not confirmed: {eid} '{_short(m.get('text', ''))}'")
    drafted = {m.get("event") for _, m in draft.mentions}
    proposals = [span for span, m in draft.mentions if m.get("event") in draft.events]
    for m in truth.mentions:
        known = m["event_id"] in draft.known.events
        found = m["event_id"] in drafted if known else _overlaps((m["span_start"], m["span_end"]), proposals)
        s.found_mentions += found
        if not found:
            s.misses.append(f"event mention missed: {m['event_id']}{'' if known else ' (new to the registries)'}")


def _overlaps(span: Span, spans_: list[Span]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans_)


def _score_metadata(s: Score, draft: Draft, truth: Truth) -> None:
    a, t = truth.article, truth.text
    s.body = draft.body == (t.body_start, t.body_end)
    if not s.body:
        s.misses.append(f"body {draft.body} against confirmed [{t.body_start}, {t.body_end})")
    s.titled = bool(a["title"])
    drafted_title = " ".join(str(draft.bundle.article.get("title") or "").split()) or None
    s.title = drafted_title == a["title"]
    if not s.title:
        s.misses.append(f"title: drafted {drafted_title!r}, confirmed {a['title']!r}")
    s.printed_date = a["published_date_source"] in PRINTED
    s.published = _published(draft.bundle.article.get("published")) == (
        (a["published_date"], a["published_date_precision"]) if a["published_date"] else None)
    if s.printed_date and not s.published:
        s.misses.append(f"publication date: drafted {_date(_published(draft.bundle.article.get('published')))}, "
                        f"printed {_date((a['published_date'], a['published_date_precision']))}")


def _date(d: Date) -> str:
    return "nothing" if d is None else f"{d[0]} ({d[1]})"


def _short(words: str, n: int = 50) -> str:
    words = " ".join(str(words).split())
    return words if len(words) <= n else words[: n - 1] + "…"
