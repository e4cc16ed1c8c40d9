"""Curation assistant: draft the coding of a new article, leaving every judgement to the curator.

`draft(text, known, article_id, seed_file, sha256)` reads one raw seed and
returns a `Draft`: the body and printed metadata (from `body`), every quoted
passage with its span and its likely speaker, every date expression resolved
against the publication date (by `dates`), and the registry events the body
seems to report. Each drafted item carries the rule and the evidence that
produced it, and `render` writes it in the article coding format with a
`draft` mark on each item, which `tstalks build` refuses until a curator has
confirmed or corrected it (see `draft_problems`).

Everything here is rules over the text and the registries: no statistical model.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ...build.codings import Codings
from ...build.resolve import Resolution
from ...core import dates
from ...core.spans import pattern
from ..text import quoted_passages
from . import layout as layout_rules

# Verbs that report speech; "according to" and "told reporters" are handled by their own patterns.
_SPEECH = (r"said|says|say|told(?:\s+reporters)?|tells|added|adds|noted|notes|stressed|stresses|stated|states|"
           r"announced|emphasi[sz]ed|underlined|urged|warned|indicated|insisted|pointed\s+to|pointed\s+out|"
           r"reported|reports|described|declared|confirmed|wrote|writes|saying|noting|adding|stressing|"
           r"reaffirmed|discussed|struck")
_SPEECH_RX = re.compile(rf"\b(?:{_SPEECH})\b", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>[^,.;“”\"]{2,80}(?:,\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}(?=\s*[.;]))?)",
                        re.IGNORECASE)
_DEFINITE = re.compile(r"\b(?:ministry|ministries|statement|readout|agency|office|government|spokes(?:man|woman|person)|"
                       r"presidency|kremlin|side|outlet|media|opposition|regime|forces|fighters|militants|rebels)\b",
                       re.IGNORECASE)
_STATEMENT_WORDS = re.compile(r"\b(?:the|its|this|that)\s+(?:statement|readout|communiqu[ée]|release)\b", re.IGNORECASE)
_NAME_RUN = re.compile(r"(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al)(?:\s+(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al))*")
_MEETING = re.compile(r"\b(?:met|meet|meets|meeting|talks|hosted|hosts|summit|gathering|encounter|convened|visit(?:ed)?|"
                      r"exchange|launched|operation|attack|protests?)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘A-Z])")
_SHORT_QUOTE_WORDS = 3
_STOP = {"the", "a", "an", "its", "their", "his", "her", "of", "and", "in", "on", "at", "to", "from", "by", "with", "s"}


@dataclass(frozen=True)
class Mark:
    """Why the assistant drafted an item: the rule and the words of the seed that triggered it."""

    rule: str
    evidence: str


@dataclass(frozen=True)
class Mention:
    participant_id: str
    text: str
    start: int
    end: int
    kind: str  # participant kind, or "new"


@dataclass(frozen=True)
class DraftQuote:
    start: int
    end: int
    text: str  # the seed's text at [start, end)
    speaker: str | None  # participant id, or a proposed new id
    speaker_is_new: bool
    statement: str
    mark: Mark
    occurrence: int | None = None
    mode: str = "direct"  # a code of quote_mode


@dataclass(frozen=True)
class DraftUncoded:
    start: int
    end: int
    text: str
    reason: str
    mark: Mark
    occurrence: int | None = None


@dataclass(frozen=True)
class DraftDate:
    start: int
    end: int
    text: str
    rule: str  # the rule name of tstalks.dates that matched
    value: dt.date | None
    precision: str | None
    resolution: str | None
    error: str | None  # why it could not be resolved


@dataclass(frozen=True)
class DraftEvent:
    event_id: str
    is_new: bool
    text: str
    start: int
    end: int
    date_expression: str | None
    participants: tuple[tuple[str, str, str], ...]  # (participant id, role, attesting words)
    mark: Mark


@dataclass(frozen=True)
class DraftPublished:
    source: str
    expression: str | None = None
    value: str | None = None
    note: str | None = None
    date: dt.date | None = None
    precision: str | None = None
    mark: Mark = Mark("none", "none")


@dataclass
class Draft:
    article_id: str
    seed_file: str
    sha256: str
    text: str
    layout: layout_rules.Layout
    outlet: str
    url: str | None
    published: DraftPublished
    quotes: list[DraftQuote] = field(default_factory=list)
    uncoded: list[DraftUncoded] = field(default_factory=list)
    dates: list[DraftDate] = field(default_factory=list)
    events: list[DraftEvent] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    new_participants: dict[str, Mark] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # fields the curator gave on the command line: not drafts


# ---------------------------------------------------------------- what the registries already know


@dataclass(frozen=True)
class KnownEvent:
    event_id: str
    title: str
    date: dt.date | None
    precision: str | None
    end: dt.date | None
    city: str | None
    country_code: str | None
    participants: frozenset[str]
    roles: dict[str, str]
    event_type: str | None = None


@dataclass(frozen=True)
class Known:
    """What the registries and the other articles' codings already say, for matching a new article against."""

    participants: dict[str, dict[str, Any]]  # id -> participant row
    spellings: dict[str, set[str]]  # spelling -> participant ids
    events: dict[str, KnownEvent]
    statements: dict[str, dict[str, Any]]  # id -> statement row
    outlets: set[str]


def known_from(resolution: Resolution, codings: Codings, leave_out: str | set[str] | None = None) -> Known:
    """The registries as resolved, minus whatever only the articles `leave_out` attest (to draft one as if new,
    and to keep pending drafts out of what counts as known)."""
    t = resolution.tables
    out = {leave_out} if isinstance(leave_out, str) else set(leave_out or ())
    others = lambda rows: [r for r in rows if r["article_id"] not in out]  # noqa: E731
    aliases = others(t["participant_aliases"])
    attested = {r["participant_id"] for r in aliases}
    participants = {r["participant_id"]: r for r in t["participants"]
                    if not out or r["participant_id"] in attested}
    spellings: dict[str, set[str]] = {}
    for r in aliases:
        if r["participant_id"] in participants:
            spellings.setdefault(" ".join(r["alias"].split()), set()).add(r["participant_id"])
    for pid, r in participants.items():
        spellings.setdefault(r["name"], set()).add(pid)
    sources = others(t["event_sources"])
    seen_events = {r["event_id"] for r in sources}
    members: dict[str, dict[str, str]] = {}
    for r in others(t["event_participants"]):
        members.setdefault(r["event_id"], {})[r["participant_id"]] = r["event_role"]
    events = {}
    for e in t["events"]:
        if out and e["event_id"] not in seen_events:
            continue
        roles = members.get(e["event_id"], {})
        events[e["event_id"]] = KnownEvent(e["event_id"], e["title"], e["start_date"], e["start_date_precision"],
                                           e["end_date"], e["city"], e["country_code"], frozenset(roles), roles,
                                           e["event_type"])
    quoted = {r["statement_id"] for r in others(t["quotes"])}
    statements = {r["statement_id"]: r for r in t["statements"] if not out or r["statement_id"] in quoted}
    outlets = {r["outlet"] for r in t["articles"] if r["article_id"] not in out}
    return Known(participants, spellings, events, statements, outlets)


# ---------------------------------------------------------------- drafting


def draft(text: str, known: Known, article_id: str, seed_file: str, sha256: str,
          url: str | None = None, outlet: str | None = None, published: str | None = None) -> Draft:
    """Draft the coding of one seed text. `url`, `outlet` and `published` are what the curator already knows."""
    lay = layout_rules.layout(text)
    own_url = url or (lay.own_url.text if lay.own_url else None)
    d = Draft(article_id, seed_file, sha256, text, lay, outlet or _outlet(text, lay, known), own_url,
              _published(lay, own_url, published),
              given=frozenset(k for k, v in (("url", url), ("outlet", outlet), ("published", published)) if v))
    mentions = _mentions(text, lay.body_start, lay.body_end, known)
    d.dates = _dates(text, lay.body_start, lay.body_end, d.published)
    if d.published.source in ("unknown",):
        inferred = _infer_published(text, d.dates, mentions, known)
        if inferred:
            d.published = inferred
            d.dates = _dates(text, lay.body_start, lay.body_end, d.published)
    d.events = _events(text, lay, d.dates, mentions, known, article_id)
    _quotes(d, mentions, known)
    for m in mentions:
        if m.kind != "new":
            d.aliases.setdefault(m.participant_id, [])
            if m.text not in d.aliases[m.participant_id]:
                d.aliases[m.participant_id].append(m.text)
    return d


_HOUSE_NAME = re.compile(r"\b(?:Support|Join|Subscribe\s+to|from|with)\s+(?P<name>(?:The\s+)?[A-Z][\w-]*[a-z][\w-]*"
                         r"(?:\s+[A-Z][\w-]*[a-z][\w-]*){0,3})")


def _outlet(text: str, lay: layout_rules.Layout, known: Known) -> str:
    """The outlet: one the registries know that the page names outside the body or in its URL's host; else the
    name the publisher's own blocks invite the reader to support, join or hear from; else the URL's host."""
    outside = text[: lay.body_start] + " " + text[lay.body_end:]
    host = re.sub(r"^https?://(?:www\.)?", "", lay.own_url.text).split("/")[0] if lay.own_url else ""
    for name in sorted(known.outlets, key=len, reverse=True):
        if pattern(name).search(outside) or (host and re.sub(r"\W", "", name.lower()) in host.replace(".", "")):
            return name
    names: dict[str, int] = {}
    for b in lay.blocks:
        if b.label == layout_rules.BOILERPLATE:
            for m in _HOUSE_NAME.finditer(b.text):
                names[m.group("name")] = names.get(m.group("name"), 0) + 1
    if names:
        return max(names, key=lambda n: (names[n], len(n)))
    return host or "UNKNOWN OUTLET"


def _published(lay: layout_rules.Layout, url: str | None, given: str | None) -> DraftPublished:
    if given:
        value, precision = dates.parse_value(given)
        return DraftPublished("inferred", value=given, note="given by the curator with --published", date=value,
                              precision=precision, mark=Mark("--published", f"given on the command line: {given}"))
    stamps = sorted(lay.timestamps, key=lambda f: f.rule != "printed")
    for stamp in stamps:
        r = dates.resolve(stamp.text, None, None)
        return DraftPublished(stamp.rule, expression=stamp.text, date=r.date, precision=r.precision,
                              mark=Mark(f"a printed {'update ' if stamp.rule == 'printed_update' else ''}date outside the body",
                                        stamp.text))
    if url:
        try:
            r = dates.resolve(url, None, None)
        except dates.DateError:
            r = None
        if r and r.resolution == "url_path":
            return DraftPublished("url", expression=url, date=r.date, precision=r.precision,
                                  mark=Mark("a /YYYY/MM/DD/ path in the article's own URL", url))
    return DraftPublished("unknown", note="DRAFT: the seed prints no publication date; say what the text establishes",
                          mark=Mark("no printed date, no dated URL", "nothing found"))


def _infer_published(text: str, found: list[DraftDate], mentions: list[Mention], known: Known) -> DraftPublished | None:
    """No printed date: a weekday naming a registry event of that weekday dates the article on or after it."""
    for d in found:
        if d.rule != "weekday":
            continue
        sentence = _sentence_at(text, d.start)
        people = {m.participant_id for m in mentions if sentence[0] <= m.start < sentence[1]}
        city_text = text[sentence[0]: sentence[1]]
        weekday = dates.WEEKDAYS[re.search(r"[A-Za-z]+day", d.text).group(0).lower()]
        for e in known.events.values():
            if e.date is None or e.precision != "day" or e.date.weekday() != weekday:
                continue
            place = bool(e.city and re.search(rf"\b{re.escape(e.city)}\b", city_text))
            shared = people & e.participants
            if place and len(shared) >= 1 or len(shared) >= 2:
                return DraftPublished(
                    "inferred", value=e.date.isoformat(), date=e.date, precision="day",
                    note=(f"DRAFT: '{d.text}' names the weekday of registry event {e.event_id} ({e.date}); "
                          "the article is dated to that day, the earliest date consistent with the weekday"),
                    mark=Mark("no printed date: a weekday naming a registry event of that weekday",
                              " ".join(text[sentence[0]:sentence[1]].split())))
    return None


def _sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence around `pos`, within its paragraph."""
    para_start = max(text.rfind("\n\n", 0, pos), 0)
    para_end = text.find("\n\n", pos)
    para_end = len(text) if para_end < 0 else para_end
    start, end = para_start, para_end
    for m in _SENTENCE_END.finditer(text, para_start, para_end):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    while start < end and text[start].isspace():
        start += 1
    return start, end


# ---------------------------------------------------------------- names


def _spellings(known: Known) -> dict[str, str]:
    """Known spellings, plus each person's surname when no one else bears it ("Akar", "Erdogan", "Assad")."""
    out = {s: next(iter(ids)) for s, ids in known.spellings.items() if len(ids) == 1}
    surnames: dict[str, set[str]] = {}
    for pid, row in known.participants.items():
        if row["participant_kind"] != "person":
            continue
        for spelling in [s for s, p in out.items() if p == pid]:
            last = re.sub(r"^(?:al|el)-", "", spelling.split()[-1], flags=re.IGNORECASE)
            if len(spelling.split()) > 1 and len(last) > 2:
                surnames.setdefault(last, set()).add(pid)
    for last, ids in surnames.items():
        if len(ids) == 1 and last not in out:
            out[last] = next(iter(ids))
    return out


# A title before a name marks a person the registries may not know yet: "Foreign Minister Mevlut Cavusoglu".
_TITLED = re.compile(
    r"\b(?:(?:Defen[cs]e|Foreign|Interior|Prime)\s+Minister|President|Minister|leader|counterparts?,?|Mr\.?|Ms\.?|Mrs\.?|"
    r"spokes(?:man|woman|person))\s+(?P<name>[A-Z][\w’'-]+(?:\s+(?:al-|Al\s+|bin\s+)?[A-Z][\w’'-]+){1,3})")
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ish|ian|ese|ean)$")


def _mentions(text: str, start: int, end: int, known: Known) -> list[Mention]:
    """Every spelling of a known participant in the body (longest first, no overlaps), and every titled
    name the registries do not know (as a proposed new person), in text order."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    spellings = _spellings(known)
    for spelling in sorted(spellings, key=len, reverse=True):
        pid = spellings[spelling]
        for m in pattern(spelling).finditer(text, start, end):
            if _word_edge(text, m.start(), m.end()) and not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append((m.start(), m.end()))
                found.append(Mention(pid, text[m.start():m.end()], m.start(), m.end(),
                                     known.participants[pid]["participant_kind"]))
    surnames: dict[str, str] = {}
    for m in _TITLED.finditer(text, start, end):
        s, e = m.span("name")
        if not any(a < e and s < b for a, b in taken):
            taken.append((s, e))
            name = " ".join(m.group("name").split())
            found.append(Mention(slug(name), name, s, e, "new"))
            surnames.setdefault(name.split()[-1], slug(name))
    for last, pid in surnames.items():  # later mentions of a titled newcomer by surname alone
        for m in re.finditer(rf"(?<![\w-]){re.escape(last)}(?![\w-])", text[:end]):
            if m.start() >= start and not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append(m.span())
                found.append(Mention(pid, last, m.start(), m.end(), "new"))
    return sorted(found, key=lambda m: m.start)


def _word_edge(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def slug(words: str) -> str:
    s = re.sub(r"[’']s\b", "", words.lower())
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "unnamed"


# ---------------------------------------------------------------- dates


def _scanners() -> list[tuple[str, re.Pattern[str]]]:
    lead = r"(?:(?:on|in|since|from|by|at|during|throughout|as of|earlier|later)\s+)?"
    out = []
    for name, rx in dates.RULES:
        if name == "url_path":
            continue
        out.append((name, re.compile(rf"(?<![\w/-]){lead}(?:{rx.pattern})(?![\w-])", re.IGNORECASE)))
    return out


_SCANNERS = _scanners()


def _dates(text: str, start: int, end: int, pub: DraftPublished) -> list[DraftDate]:
    """Every date expression in the body, longest match first, resolved against the publication date."""
    candidates = []
    for name, rx in _SCANNERS:
        for m in rx.finditer(text, start, end):
            g = m.groupdict()
            # Month and weekday names are capitalised in English; "may" and "march" as verbs are not dates.
            if any(g.get(k) and not g[k][0].isupper() for k in ("month", "weekday")):
                continue
            candidates.append((m.start(), m.end(), name))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    chosen: list[tuple[int, int, str]] = []
    for c in candidates:
        if any(c[0] < b and a < c[1] for a, b, _ in chosen):
            continue
        chosen.append(c)
    out = []
    for s, e, name in sorted(chosen):
        words = text[s:e]
        try:
            r = dates.resolve(words, pub.date, pub.precision)
            out.append(DraftDate(s, e, words, name, r.date, r.precision, r.resolution, None))
        except dates.DateError as exc:
            out.append(DraftDate(s, e, words, name, None, None, None, exc.message))
    return out


# ---------------------------------------------------------------- events


def _events(text: str, lay: layout_rules.Layout, found: list[DraftDate], mentions: list[Mention],
            known: Known, aid: str) -> list[DraftEvent]:
    """Sentences that report a meeting or an operation, matched to registry events by date, place and participants."""
    out: list[DraftEvent] = []
    used: set[str] = set()
    new = 0
    context_date: DraftDate | None = None
    for s, e in _sentences(text, lay.body_start, lay.body_end):
        sentence = text[s:e]
        dated = [d for d in found if s <= d.start < e and d.value and d.precision == "day"]
        if not _MEETING.search(sentence) and not any(rx.search(sentence) for rx in _EVENT_RX.values()):
            context_date = dated[-1] if dated else context_date
            continue
        in_sentence = [d for d in found if s <= d.start < e]
        if not in_sentence and context_date is not None:
            in_sentence = [context_date]  # an undated sentence goes on about the last dated one
        people = [m for m in mentions if s <= m.start < e]
        scored = sorted(((*_event_score(ev, sentence, in_sentence, people, ev.event_type), ev)
                         for ev in known.events.values()), key=lambda x: -x[0])
        date = next((d for d in in_sentence if d.value and s <= d.start < e), None)
        context_date = dated[-1] if dated else context_date
        matched = [(score, why, ev) for score, why, ev in scored if score >= 2.5 and ev.event_id not in used][:2]
        for score, why, best in matched:
            used.add(best.event_id)
            roles = [(m.participant_id, best.roles.get(m.participant_id, "attendee"), m.text)
                     for m in people if m.participant_id in best.participants]
            out.append(DraftEvent(best.event_id, False, " ".join(sentence.split()), s, e,
                                  date.text if date else None, tuple(_unique(roles)),
                                  Mark("a sentence reporting an event, matched to the event registry", f"score {score:.1f}: {why}")))
        if not matched and not any(x[0] >= 2.5 for x in scored):
            if date and date.value and date.precision in ("day", "month") and people:
                new += 1
                eid = f"new-{aid}-e{new:02d}"
                out.append(DraftEvent(eid, True, " ".join(sentence.split()), s, e, date.text,
                                      tuple(_unique([(m.participant_id, "attendee", m.text) for m in people])),
                                      Mark("a dated sentence reporting a meeting or operation that no registry event matches",
                                           f"{date.text} -> {date.value} ({date.precision}); add the event to "
                                           "seeds/codings/events.yaml with a real id, or delete this mention")))
    return out


def _unique(items: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    seen, out = set(), []
    for item in items:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out


# Words that report an event of each type (schemas/codelists/event_type.csv).
_EVENT_WORDS = {
    "meeting": r"meeting|met|meet|talks|hosted|hosts|gathering|convened|encounter",
    "summit": r"summit",
    "informal_exchange": r"exchange|sidelines",
    "intelligence_contact": r"intelligence\s+(?:services|chiefs|contacts?)|contact\s+between",
    "military_operation": r"offensive|operations?|fighting\s+in",
    "military_intervention": r"intervened|intervention|military\s+campaign|air\s+strikes",
    "attack": r"attack|bombing",
    "armed_conflict": r"civil\s+war|(?:the\s+)?war\s+in|uprising|insurgency|conflict",
    "diplomatic_rupture": r"severed|severing|cut(?:ting)?\s+(?:diplomatic\s+)?ties|no\s+(?:official\s+)?diplomatic\s+ties",
    "election": r"elections?",
    "protest": r"protests?|demonstrations?",
}
_EVENT_RX = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _EVENT_WORDS.items()}
_CONTENT = re.compile(r"[A-Za-z][a-z’'-]{3,}")
_EVENT_STOP = {"with", "from", "their", "that", "this", "which", "after", "between", "meeting", "talks", "ministers", "minister"}


def _title_overlap(title: str, sentence: str) -> float:
    """The share of a registry title's content words (5-letter stems) that the sentence uses."""
    stems = {w.lower()[:5] for w in _CONTENT.findall(title) if w.lower() not in _EVENT_STOP}
    said = {w.lower()[:5] for w in _CONTENT.findall(sentence)}
    return len(stems & said) / len(stems) if stems else 0.0


def _event_score(ev: KnownEvent, sentence: str, found: list[DraftDate], people: list[Mention],
                 event_type: str | None = None) -> tuple[float, str]:
    score, reasons = 0.0, []
    if event_type and event_type in _EVENT_RX and _EVENT_RX[event_type].search(sentence):
        score += 1.0
        reasons.append(f"words of a {event_type}")
    overlap = _title_overlap(ev.title, sentence)
    if overlap >= 0.34:
        score += 1.5 if overlap >= 0.5 else 1.0
        reasons.append(f"{overlap:.0%} of the title's words")
    for d in found:
        if d.value is None or ev.date is None:
            continue
        d_end = dates.period_end(d.value, d.precision)
        e_end = dates.period_end(ev.date, ev.precision) if ev.end is None else dates.period_end(ev.end, ev.precision)
        if d.value <= e_end and ev.date <= d_end:
            score += 1.5 if d.precision == "day" and ev.precision == "day" else 1.0
            reasons.append(f"date '{d.text}' -> {d.value} fits {ev.date}")
            break
        score -= 1.0
        reasons.append(f"date '{d.text}' -> {d.value} does not fit {ev.date}")
    if ev.city and re.search(rf"\b{re.escape(ev.city)}\b", sentence):
        score += 1.0
        reasons.append(f"place {ev.city}")
    shared = {m.participant_id for m in people} & ev.participants
    if shared:
        score += 0.5 * len(shared)
        reasons.append("participants " + ", ".join(sorted(shared)))
    return score, "; ".join(reasons)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    while pos < end:
        s, e = _sentence_at(text, pos)
        e = min(e, end)
        if e <= pos:
            nxt = text.find("\n\n", pos)
            pos = end if nxt < 0 or nxt >= end else nxt + 2
            continue
        s = max(s, pos)
        while s < e and text[s].isspace():
            s += 1
        out.append((s, e))
        pos = e + 1
    return [(s, e) for s, e in out if text[s:e].strip()]


# ---------------------------------------------------------------- quotes and speakers


# Reporting structures, read on a sentence whose quoted passages are masked with "§".
_SAY = r"(?:said|says|told\s+reporters|reported|added|noted|stressed|stated|announced|indicated|insisted|warned|wrote)"
_TAIL = re.compile(rf"(?:,|§)\s*(?P<who>[^,§]{{2,80}}?)\s+(?:also\s+|previously\s+)?{_SAY}"
                   rf"(?:\s+(?:in|at|on|during|after|before|to|from|with|by|late|earlier|later)\b[^,§]{{0,60}})?\s*[.!]?\s*$",
                   re.IGNORECASE)
_TAIL_INVERTED = re.compile(rf"(?:,|§)\s*{_SAY}\s+(?P<who>[^,§]{{2,60}}?)\s*[.!]?\s*$", re.IGNORECASE)
_TAIL_ACCORDING = re.compile(r"(?:,|§)\s*according\s+to\s+(?P<who>[^§]{2,80}?)\s*[.!]?\s*$", re.IGNORECASE)
_TAIL_NOUN = re.compile(r"§\s*(?P<who>(?:the\s+)?[A-Z][^,§]{2,50}?)\s*[.]?\s*$")
_HEAD = re.compile(r"\b(?P<verb>said|says|told\s+reporters|told|indicated|noted|noting|saying|stressed|pointed\s+to|"
                   r"described|added|announced|insisted|warned|confirmed|reaffirmed|focused\s+on)\b", re.IGNORECASE)
_STANCE = re.compile(r"\b(?P<verb>(?:has\s+|have\s+)?(?:blamed|denied|rejected|accusing|accused|acknowledged|cast|called\s+for|"
                     r"demanded|threatened)|(?:is\s+|are\s+)?pressing\s+for|(?:has\s+)?(?:also\s+)?(?:been\s+)?alluding\s+to)\b",
                     re.IGNORECASE)
_THAT = re.compile(r"^(?P<pre>[^§]{0,80}?\bthat)\s+")
_CUT = re.compile(r",\s+(?:using|after|while|amid|following|before|which|who|as|but|yet|and\s+(?:has|is|was))\b"
                  r"|\s+(?:much\s+to\s+the|despite|in\s+spite\s+of)\s")
_LEAD_CONNECTOR = re.compile(r"^(?:[A-Z][A-Z.’' -]{2,30}(?:,\s*[A-Z][\w. ]{1,30})?(?:\s*\([^)]{1,20}\))?\s*[—–-]{1,2}\s+)?"
                             r"(?:(?:In\s+addition|However|Also|Meanwhile|But|And|Yet)\s*,?\s+)?")
_HEAD_ACCORDING = re.compile(r"^\s*According\s+to\s+(?P<who>[^,§]{2,80}),\s*")
_STRIP_END = "\"“”‘’'.,;:!? \n\t"


def _quotes(d: Draft, mentions: list[Mention], known: Known) -> None:
    """Draft the quotes: for each sentence, its reporting structure decides the span.

    Whole reported content that is one quoted passage -> direct (the words inside the marks);
    reported content holding quoted words after a short lead-in -> mixed (the whole content);
    reported content without quotation marks -> paraphrase; quoted words in a sentence with no
    reporting structure -> direct, or set aside as uncoded when short (scare quotes, terms).
    """
    text, lay = d.text, d.layout
    passages = [(p.start, p.end) for p in quoted_passages(text, lay.body_start, lay.body_end) if p.paired]
    state = {"last": None, "org": None, "proposed": {}, "statements": {}}
    sentences = _sentences(text, lay.body_start, lay.body_end)
    for k, (sent_s, sent_e) in enumerate(sentences):
        inside = [(s, e) for s, e in passages if sent_s <= s and e <= sent_e + 1]
        masked = _mask(text, sent_s, sent_e, passages)
        found = _structure(masked)
        if found is None and not inside:
            carried = _carried(text, sentences, k, passages)
            if carried:
                who, c_s, c_e = carried
                speaker, how = _resolve_speaker(d, who, mentions, known, c_s, state)
                _add_quote(d, c_s, c_e, "paraphrase", speaker, "a sentence covered by the attribution closing its paragraph",
                           f"{how}: {_context(text, sent_s, sent_e)}", known, state)
            continue
        if found is None:
            for s, e in inside:
                _loose_quote(d, s, e, sent_s, sent_e, passages, mentions, known, state)
            continue
        if found[0] == "stance":  # "Ankara blamed X, but the SDF denied Y": each stance its own paraphrase
            rest = found
            while rest is not None and rest[0] == "stance":
                c_s, c_e = _trim(text, sent_s + rest[2][0], sent_s + rest[2][1])
                who_span = (sent_s + rest[1][0], sent_s + rest[1][1], " ".join(masked[rest[1][0]:rest[1][1]].split()), "stance")
                speaker, how = _resolve_speaker(d, who_span, mentions, known, c_s, state)
                _add_quote(d, c_s, c_e, "paraphrase", speaker, "a stance verb (blamed, denied, rejected...)",
                           f"{how}: {_context(text, sent_s, sent_e)}", known, state)
                tail = masked[rest[2][1]:]
                nxt = _structure(" " * rest[2][1] + tail) if tail.strip() else None
                rest = nxt if nxt and nxt[2][0] >= rest[2][1] else None
            continue
        form, who, content = found
        c_s, c_e = _trim(text, sent_s + content[0], sent_s + content[1])
        who_span = (sent_s + who[0], sent_s + who[1], " ".join(masked[who[0]:who[1]].split()), form)
        quoted = [(s, e) for s, e in inside if c_s - 1 <= s and e <= c_e + 1]
        items: list[tuple[int, int, str]] = []
        if quoted:
            prefix = text[c_s: quoted[0][0] - 1]
            if not prefix.strip() and len(quoted) == 1:
                items.append((*_trim(text, *quoted[0]), "direct"))
            elif "," in prefix or len(prefix.split()) > 16:
                items += [(*_trim(text, s, e), "direct") for s, e in quoted]
                head = text[c_s: quoted[0][0]]
                cut = head.find(",")
                if form == "head" and cut > 0 and len(head[:cut].split()) >= 4:
                    items.append((*_trim(text, c_s, c_s + cut), "paraphrase"))
            else:
                items.append((c_s, c_e, "mixed"))
        elif c_e - c_s > 0 and len(text[c_s:c_e].split()) >= 3:
            items.append((c_s, c_e, "paraphrase"))
        for s, e in inside:
            if not any(a <= s and e <= b + 1 for a, b, _ in items):
                _loose_quote(d, s, e, sent_s, sent_e, passages, mentions, known, state)
        for s, e, mode in items:
            speaker, how = _resolve_speaker(d, who_span, mentions, known, s, state)
            _add_quote(d, s, e, mode, speaker, f"{form} attribution", f"{how}: {_context(text, sent_s, sent_e)}", known, state)
    d.quotes.sort(key=lambda q: q.start)


def _carried(text: str, sentences: list[tuple[int, int]], k: int,
             passages: list[tuple[int, int]]) -> tuple[tuple[int, int, str, str], int, int] | None:
    """A paragraph closed by "..., SANA said." reports its earlier sentences too: (speaker span, content span)."""
    s, e = sentences[k]
    for s2, e2 in sentences[k + 1:]:
        if "\n\n" in text[s:s2] or "\n" in text[e:s2]:
            return None
        masked = _mask(text, s2, e2, passages)
        found = _structure(masked)
        if found is None:
            continue
        if found[0] in ("tail", "according"):
            who = (s2 + found[1][0], s2 + found[1][1], " ".join(masked[found[1][0]:found[1][1]].split()), "carried")
            c_s, c_e = _trim(text, s, e)
            return who, c_s, c_e
        return None
    return None


def _mask(text: str, start: int, end: int, passages: list[tuple[int, int]]) -> str:
    """The sentence with each quoted passage, marks included, replaced by '§' (offsets kept)."""
    chars = list(text[start:end])
    for s, e in passages:
        for k in range(max(s - 1, start), min(e + 1, end)):
            chars[k - start] = "§"
    return "".join(chars)


_SPEECH_ACT = re.compile(r"\b(?:threats?|calls?|comments?|remarks?|pledges?|warnings?|promises?|demands?)\s+by\s+"
                         r"(?P<who>[^,.;§]{2,60}?)\s+(?P<content>(?:to|that|on|about)\s+[^,.;§]+)")
_PARTICIPLE_SUBJECT = re.compile(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[\w’'-]+\s+){0,4}?[\w’'-]+?)\s+(?:have|has|had|is|are|was|were|\w+ed)\b")


def _structure(masked: str) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """(form, speaker span, content span) of a reporting sentence, offsets into the sentence; None if it reports no one."""
    lead = _LEAD_CONNECTOR.match(masked)
    start = lead.end() if lead else 0
    opening = _HEAD_ACCORDING.match(masked, start)
    if opening and _speaker_like(opening.group("who")):
        return "according", opening.span("who"), (opening.end(), len(masked.rstrip()))
    act = _SPEECH_ACT.search(masked)
    if act and _speaker_like(act.group("who")):
        return "speech act", act.span("who"), act.span("content")
    for form, rx in (("tail", _TAIL), ("tail", _TAIL_INVERTED), ("according", _TAIL_ACCORDING), ("tail", _TAIL_NOUN)):
        m = rx.search(masked)
        if m and _speaker_like(m.group("who")) and m.start() > start:
            boundary = m.start() + (1 if masked[m.start()] == "§" else 0)
            if form == "tail" and rx is _TAIL_NOUN and "§" not in masked[start:boundary]:
                continue
            first_quote = masked.find("§", start, boundary)
            if first_quote >= 0:
                clause = [c for c in re.finditer(r",\s+(?:yet|but|while)\s+", masked[start:first_quote])]
                if clause:
                    start += clause[-1].end()
                # "the Syrian side described the meeting as '...', according to SANA": the content follows the inner verb.
                inner = [v for v in _HEAD.finditer(masked, start, first_quote)]
                if inner and (sub := _subject(masked, inner[-1].start())) and _speaker_like(masked[sub[0]:sub[1]]):
                    return "nested", sub, (inner[-1].end(), boundary)
            return form, m.span("who"), (start, boundary)
    for m in _HEAD.finditer(masked):
        subject = _subject(masked, m.start())
        if m.group("verb").lower() in ("noting", "saying"):
            # ", saying ..." reports the main clause's subject.
            main = re.match(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[A-Z][\w’'-]*\s+)*[A-Z][\w’'-]*)", masked[start:])
            subject = (start + main.start("who"), start + main.end("who")) if main else None
        if not subject or not _speaker_like(masked[subject[0]:subject[1]]):
            continue
        c_s = m.end()
        rest = masked[c_s:]
        that = _THAT.match(rest)
        if that and "§" not in that.group("pre"):
            c_s += that.end()
        else:
            c_s += len(rest) - len(rest.lstrip())
        cut = _CUT.search(masked, c_s)
        c_e = cut.start() if cut and "§" not in masked[cut.start():] else len(masked.rstrip())
        if re.match(r"(?:at|in|on|during|after|before|to|from|by|with)\b", masked[c_s:]) and "§" not in masked[c_s:c_e]:
            continue  # "he said at the end of the briefing": an adverbial, not what was said
        if c_e - c_s > 2:
            return "head", subject, (c_s, c_e)
    for m in _STANCE.finditer(masked):
        subject = _subject(masked, m.start())
        if m.group("verb").endswith("ing") and (main := _PARTICIPLE_SUBJECT.match(masked[start:])):
            subject = (start + main.start("who"), start + main.end("who"))  # ", accusing ...": the main clause's subject
        if subject and _speaker_like(masked[subject[0]:subject[1]]):
            cut = _CUT.search(masked, m.end())
            c_e = cut.start() if cut else len(masked.rstrip())
            return "stance", subject, (m.start(), c_e)
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP_END:
        start += 1
    while end > start and text[end - 1] in _STRIP_END:
        end -= 1
    return start, end


def _loose_quote(d: Draft, s: int, e: int, sent_s: int, sent_e: int, passages: list[tuple[int, int]],
                 mentions: list[Mention], known: Known, state: dict[str, Any]) -> None:
    """A quoted passage outside any reporting structure: a direct quote, or set aside when short."""
    text, lay = d.text, d.layout
    words = text[s:e]
    attribution = _attribution(text, sent_s, max(sent_e, e + 1), s, e, passages)
    term = re.search(r"\b(?:the\s+(?:word|term|phrase|label|expression)|so-called|dubbed|termed|branded\s+as|called)\s*[\"“‘]?$",
                     text[max(0, s - 40): s])
    if (term or attribution is None) and len(words.split()) <= _SHORT_QUOTE_WORDS:
        reason = ("DRAFT: a word quoted as a term, not as someone's words" if term else
                  "DRAFT: a short quoted phrase with no speaker around it (a scare quote, a term or a title?)")
        d.uncoded.append(DraftUncoded(s, e, words, reason, Mark("short quoted phrase, no attribution", _context(text, sent_s, sent_e)),
                                      _occurrence(text, words, s, lay)))
        return
    speaker, how = _resolve_speaker(d, attribution, mentions, known, s, state)
    ts, te = _trim(text, s, e)
    _add_quote(d, ts, te, "direct", speaker, "a passage in quotation marks" + ("" if attribution else ", no attribution found"),
               f"{how}: {_context(text, sent_s, sent_e)}", known, state)


_MEDIUM = re.compile(r"\b(?:news\s+agency|agency|state\s+media|media|news\s+outlet|outlet|broadcaster|television|"
                     r"newspaper|wire)\b", re.IGNORECASE)


def _resolve_speaker(d: Draft, attribution: tuple[int, int, str, str] | None, mentions: list[Mention], known: Known,
                     at: int, state: dict[str, Any]) -> tuple[str | None, str]:
    speaker, _, how = _speaker(d.text, attribution, mentions, known, at, state["last"], state["org"], state["proposed"])
    if attribution and _MEDIUM.search(attribution[2]):
        how = (f"{how} (a news medium: if it relays someone else's words, make it the quote's 'via' and the source "
               "the statement's speaker)")
    if speaker:
        state["last"] = speaker
        row = known.participants.get(speaker)
        if (row and row["participant_kind"] != "person") or (not row and re.search(
                r"-(?:ministry|agency|office|government|presidency)$", speaker)):
            state["org"] = speaker
        if not row:
            d.new_participants.setdefault(speaker, Mark(
                "a speaker the registries do not know",
                f"'{attribution[2] if attribution else ''}' names no known participant; add '{speaker}' to "
                "seeds/codings/participants.yaml (kind, name) or correct the speaker"))
    return speaker, how


def _add_quote(d: Draft, s: int, e: int, mode: str, speaker: str | None, rule: str, evidence: str,
               known: Known, state: dict[str, Any]) -> None:
    if e <= s or any(q.start == s and q.end == e for q in d.quotes):
        return
    statement = _statement(d, speaker, s, known, state["statements"])
    d.quotes.append(DraftQuote(s, e, d.text[s:e], speaker, speaker is not None and speaker not in known.participants,
                               statement, Mark(f"{mode}: {rule}", evidence), _occurrence(d.text, d.text[s:e], s, d.layout),
                               mode))


def _occurrence(text: str, words: str, start: int, lay: layout_rules.Layout) -> int | None:
    found = [m.start() for m in pattern(words).finditer(text, lay.body_start, lay.body_end)]
    return found.index(start) + 1 if len(found) > 1 and start in found else None


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start): end].split())


def _attribution(text: str, sent_s: int, sent_e: int, q_s: int, q_e: int,
                 passages: list[tuple[int, int]]) -> tuple[int, int, str, str] | None:
    """(start, end, words, pattern) of the phrase naming who speaks, in the quote's sentence outside quotation marks."""
    sentence = text[sent_s:sent_e]
    # Blank out every quoted passage (marks included) so speech verbs inside quotes are not read as attribution.
    masked = list(sentence)
    for s, e in passages:
        for k in range(max(s - 1, sent_s), min(e + 1, sent_e)):
            masked[k - sent_s] = " "
    outside = "".join(masked)
    m = _ACCORDING.search(outside)
    if m:
        return sent_s + m.start("who"), sent_s + m.end("who"), m.group("who").strip(), "according to X"
    rel_q, rel_e = q_s - sent_s, q_e - sent_s
    verbs = list(_SPEECH_RX.finditer(outside))
    # A verb right after the quote ('...," he said') attributes it; else the nearest verb before it, then any other.
    tail = [v for v in verbs if v.start() >= rel_e and len(outside[rel_e:v.start()].split()) <= 6]
    before = [v for v in verbs if v.start() < rel_q][::-1]
    rest = [v for v in verbs if v not in tail and v not in before]
    for v in tail + before + rest:
        tries = [(_subject(outside, v.start()), "X said")]
        if v in tail:  # inversion only right after the quote: '"...," said the statement.'
            tries.append((_after_verb(outside, v.end()), "said X"))
        for span, how in tries:
            if span and _speaker_like(outside[span[0]:span[1]]):
                return sent_s + span[0], sent_s + span[1], outside[span[0]:span[1]].strip(), how
    # A quote followed only by a short noun phrase: '"...," the Russian Defense Ministry.'
    tail_words = outside[rel_e + 1:].strip(" ,.;\n")
    if tail_words and len(tail_words.split()) <= 6 and re.match(r"(?:the\s+)?[A-Z]", tail_words) \
            and not re.search(r"\b(?:was|were|is|are|had|has)\b", tail_words):
        start = outside.index(tail_words, rel_e)
        return sent_s + start, sent_s + start + len(tail_words), tail_words, "a noun phrase after the quote"
    return None


def _speaker_like(words: str) -> bool:
    """Could these words name a speaker? A pronoun, a capitalised name, or an institution ("the ministry")."""
    words = words.strip()
    if not words or len(words.split()) > 10:
        return False
    if re.fullmatch(r"(?:he|she|they)", words, re.IGNORECASE):
        return True
    if re.match(r"(?:the|all)\s+(?:parties|sides|participants|meeting|talks|two|three|four)\b", words, re.IGNORECASE):
        return False
    if _DEFINITE.search(words):
        return True
    return any(not _DEMONYM.match(n) and n.lower() not in _STOP for n in _NAME_RUN.findall(words))


_CONNECTOR = re.compile(r"^(?:in\s+turn|however|also|meanwhile|in\s+addition|for\s+its\s+part|too)$", re.IGNORECASE)
_SUBORDINATE = re.compile(r"\b(?:after|before|when|while|because|since|but|that|who|which|where|and)\b")


def _subject(outside: str, verb_start: int) -> tuple[int, int] | None:
    """The words before a verb that name who acts: back to the clause boundary (a comma, a quote, a subordinator),
    skipping connectors ("Damascus, in turn, is pressing") and reaching back over a relative ("the opposition that")."""
    left = outside[:verb_start]
    bounds = [m.end() for m in re.finditer(r"[,;:]|§+", left)]
    segments = list(zip([0] + bounds, bounds + [len(left)], strict=True))
    for seg_s, seg_e in reversed(segments):
        words = left[seg_s:seg_e].strip(" ,;:§\n")
        if words and not _CONNECTOR.match(words):
            break
    else:
        return None
    phrase = left[seg_s:seg_e]
    cuts = [m for m in _SUBORDINATE.finditer(phrase)
            if m.group(0) != "and" or len(phrase[m.end():].split()) <= 3 and len(phrase.split()) > 8]
    start = seg_s
    if cuts:
        last = cuts[-1]
        rest = phrase[last.end():]
        if rest.strip():
            start = seg_s + last.end()
        elif last.group(0) in ("that", "who", "which"):
            before = phrase[: last.start()].split()
            back = " ".join(before[-3:])
            start = seg_s + phrase.rfind(back, 0, last.start()) if back else seg_s
            phrase_end = seg_s + last.start()
            words = left[start:phrase_end].strip()
            return (start + (len(left[start:phrase_end]) - len(left[start:phrase_end].lstrip())),
                    start + (len(left[start:phrase_end]) - len(left[start:phrase_end].lstrip())) + len(words)) if words else None
    chunk = left[start:seg_e]
    chunk = re.sub(r"^(\s*)(?:yet|but|and|while|so)\s", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), chunk)
    chunk = re.sub(r"\s(?:also|too|then|now)(\s*)$", lambda m: " " * len(m.group(0)), chunk)
    words = chunk.strip(" ,;:§\n")
    if not words or len(words.split()) > 12:
        return None
    begin = start + chunk.find(words)
    return begin, begin + len(words)


def _after_verb(outside: str, verb_end: int) -> tuple[int, int] | None:
    right = outside[verb_end:]
    m = re.match(r"\s{1,3}(?P<who>(?:the\s+|he\b|she\b)?[A-Z]?[^,.;]{0,60}?)(?=\s*(?:[,.;]|$|\s+in\s+a\s+statement))", right)
    if m and not re.match(r"(?:the\s|he\b|she\b|[A-Z])", m.group("who")):
        return None
    if not m:
        return None
    return verb_end + m.start("who"), verb_end + m.end("who")


def _speaker(text: str, attribution: tuple[int, int, str, str] | None, mentions: list[Mention], known: Known,
             q_s: int, last_speaker: str | None, last_org_speaker: str | None,
             proposed: dict[str, str]) -> tuple[str | None, bool, str]:
    """(participant id, is it a proposed new one, how it was found)."""
    if attribution is None:
        return last_speaker, False, "no attribution in the sentence; the previous quote's speaker"
    a_s, a_e, words, how = attribution
    inside = [m for m in mentions if a_s <= m.start < a_e]
    owned = re.search(r"[’']s\s+(?P<head>government|regime|administration|cabinet)\b", words, re.IGNORECASE)
    if owned:
        owner = next((m for m in inside if m.start < a_s + owned.start() + 2), None)
        if owner:
            pid = _governed(owner.participant_id, owned.group("head").lower(), known)
            if pid:
                return pid, False, f"{how}: '{words}' -> the {owned.group('head')} of {owner.participant_id}'s state"
    named = [m for m in inside if m.kind != "state"]
    if named:
        # "Turkish state news agency Anadolu" names Anadolu; "the Turkish Defense Ministry's statement" the ministry.
        pick = max(named, key=lambda m: (m.kind != "new", m.end - m.start))
        return pick.participant_id, pick.kind == "new", f"{how}: '{words}' names {pick.participant_id}"
    if re.fullmatch(r"(?:he|she)", words.strip(), re.IGNORECASE):
        person = _referent(text, mentions, q_s)
        return person, False, f"{how}: pronoun '{words}' -> the subject of the last sentence naming a person"
    # "the Defense Ministry in Moscow": the place says where, the head says who.
    words = re.sub(r"\s+(?:in|from)\s+[A-Z][\w-]+$", "", words.strip())
    if _STATEMENT_WORDS.search(words):
        org = last_org_speaker or next((m.participant_id for m in reversed(mentions)
                                        if m.start < q_s and m.kind == "organization"), None)
        if org:
            return org, org not in known.participants, f"{how}: '{words}' -> the organisation whose statement was last named"
        found = _last_institution(text, q_s)
        if found:
            words = found
    fuzzy = _fuzzy(words, known, mentions, q_s, proposed)
    if fuzzy:
        return fuzzy, fuzzy not in known.participants, f"{how}: '{words}' is close to the name of {fuzzy}"
    if _DEFINITE.search(words) and last_org_speaker and re.match(r"(?:the|its)\s+\w+$", words, re.IGNORECASE):
        return last_org_speaker, False, f"{how}: '{words}' -> the organisation last quoted"
    side = re.fullmatch(r"(?:the\s+)?(?P<q>[A-Z][a-z]+)\s+(?:side|delegation|party)", words.strip())
    if side:  # "the Syrian side": the state the qualifier names
        states = [pid for pid, r in known.participants.items() if r["participant_kind"] == "state"
                  and _qualifiers(r["name"]) & _qualifiers(side.group("q"))]
        if len(states) == 1:
            return states[0], False, f"{how}: '{words}' -> the state {states[0]}"
    states = {m.text for m in inside}
    name = _new_name(words, states)
    if name:
        proposed[name] = slug(name)
        return slug(name), True, f"{how}: '{words}' names '{name}', whom the registries do not know"
    if inside:
        return inside[0].participant_id, False, f"{how}: '{words}' names the state {inside[0].participant_id}"
    return last_speaker, False, f"{how}: '{words}' names no one; the previous quote's speaker"


_INSTITUTION = re.compile(r"(?:[A-Z][\w’'-]*\s+){1,4}(?:Ministry|Agency|Office|Presidency|Government|Council|Kremlin)")


def _last_institution(text: str, before: int) -> str | None:
    """The last capitalised name of an institution before `before` ("the statement" is most likely its)."""
    found = list(_INSTITUTION.finditer(text, max(0, before - 1500), before))
    return " ".join(found[-1].group(0).split()) if found else None


def _new_name(words: str, states: set[str] = frozenset()) -> str | None:
    """The name a speaker phrase gives someone the registries do not know."""
    words = " ".join(words.split())
    owner = re.match(r"^(?:the\s+)?(?P<owner>.+?)[’']s\s+(?:statement|readout|communiqu\w+|release)$", words, re.IGNORECASE)
    if owner:  # "the Turkish Defense Ministry's statement": the ministry speaks
        words = owner.group("owner")
    last = words.split()[-1] if words.split() else ""
    if _DEFINITE.fullmatch(last.lower()) or _DEFINITE.fullmatch(last):  # an institution: "the Turkish defense ministry"
        core = re.sub(r"^(?:the|its|a|an)\s+", "", words, flags=re.IGNORECASE)
        return core if core else None
    names = [n for n in _NAME_RUN.findall(words)
             if not _DEMONYM.match(n) and n.lower() not in _STOP and n.split()[0] not in ("On", "In", "At")
             and not (n.split()[0] == "The" and len(n.split()) == 1)
             and n not in states and not any(n.startswith(x) for x in states)]
    return max(names, key=len) if names else None


def _referent(text: str, mentions: list[Mention], q_s: int) -> str | None:
    """Who 'he' is: going back sentence by sentence, the first person named before any pronoun in a sentence."""
    people = [m for m in mentions if m.kind in ("person", "new")]
    pos = q_s
    for _ in range(6):
        s, e = _sentence_at(text, pos)
        e = min(e, q_s)
        first = next((m for m in people if s <= m.start < e), None)
        pronoun = re.search(r"\b(?:he|she)\b", text[s:e], re.IGNORECASE)
        if first and (pronoun is None or first.start < s + pronoun.start()):
            return first.participant_id
        if s <= 0:
            break
        pos = s - 2
        while pos > 0 and text[pos].isspace():
            pos -= 1
    return None


def _governed(owner: str, head: str, known: Known) -> str | None:
    """The organisation named '<head>' ("government") of the state an owner belongs to ("Assad's government")."""
    row = known.participants.get(owner)
    if not row:
        return None
    state = owner if row["participant_kind"] == "state" else row.get("affiliation_id")
    found = [pid for pid, r in known.participants.items()
             if r["participant_kind"] == "organization" and head in r["name"].lower() and r.get("affiliation_id") == state]
    return found[0] if len(found) == 1 else None


def _last_pos(mentions: list[Mention], pid: str, before: int) -> int:
    return max((m.start for m in mentions if m.participant_id == pid and m.start < before), default=-1)


def _fuzzy(words: str, known: Known, mentions: list[Mention], before: int,
           proposed: dict[str, str] | None = None) -> str | None:
    """A known organisation whose name is close to a description ("the Turkish ministry", "the Defense Ministry in Moscow")."""
    core = " ".join(w for w in re.findall(r"[\w-]+", words) if w.lower() not in _STOP)
    if not core:
        return None
    scored = []
    for spelling, ids in known.spellings.items():
        if len(ids) != 1:
            continue
        pid = next(iter(ids))
        if known.participants[pid]["participant_kind"] == "state":
            continue
        score = fuzz.token_set_ratio(core, spelling, processor=_normal)
        if score >= 85 and _same_country(core, spelling):
            # Ties: the qualifier named first ("the Russian and Turkish ministries" -> the Russian), then the latest named.
            first = min((core.lower().find(q) for q in _qualifiers(spelling) if q in core.lower()), default=len(core))
            scored.append((score, -first, _last_pos(mentions, pid, before), pid))
    for name, pid in (proposed or {}).items():
        score = fuzz.token_set_ratio(core, name, processor=_normal)
        if score >= 85 and len(core.split()) > 1 and _same_country(core, name):
            scored.append((score, 0, -1, pid))
    if not scored:
        return None
    scored.sort(reverse=True)
    return scored[0][-1]


def _normal(s: str) -> str:
    return s.lower().replace("defence", "defense").replace("ministries", "ministry")


def _qualifiers(words: str) -> set[str]:
    """Stems of the capitalised qualifiers of a name ("Turkish", "Turkey's" -> "turk"), institution nouns left out."""
    return {w.lower()[:4] for w in re.findall(r"[A-Z][a-z]+", words) if not _DEFINITE.fullmatch(w.lower())
            and w.lower() not in ("defense", "defence", "foreign", "interior", "state", "news", "the")}


def _same_country(a: str, b: str) -> bool:
    """False when both names carry qualifiers and share none: "Syrian defense ministry" is not the Russian one."""
    qa, qb = _qualifiers(a), _qualifiers(b)
    return not (qa and qb and not qa & qb)


def _statement(d: Draft, speaker: str | None, q_s: int, known: Known, made: dict[tuple[str, str], str]) -> str:
    """The registry statement of this speaker about an event the article reports, else a proposed id."""
    # The event this passage most likely reports: the last registry event mentioned before it, else the first.
    mentioned = [e for e in d.events if not e.is_new]
    before = [e for e in mentioned if e.start <= q_s]
    order = ([before[-1].event_id] if before else []) + [e.event_id for e in mentioned]
    if speaker:
        mine = {sid: row for sid, row in known.statements.items() if row["speaker_id"] == speaker}
        for eid in order:
            for sid, row in mine.items():
                if row.get("event_id") == eid:
                    return sid
    key = (speaker or "unknown", "")
    if key not in made:
        made[key] = f"new-{d.article_id}-s{len(made) + 1:02d}"
    return made[key]


# ---------------------------------------------------------------- the draft as a coding file


def render(d: Draft) -> str:
    """The draft as a YAML article coding, every drafted item marked; written by hand so the layout stays readable."""
    lay, text = d.layout, d.text
    out = [
        "# DRAFT written by `tstalks add`: every item marked `draft:` is a proposal with the rule and the evidence",
        "# that produced it. Check each against the seed, correct it, then delete its `draft:` key; delete the",
        "# top-level `draft:` block when it is empty. `tstalks build` refuses this file until no draft mark remains.",
        f"article: {d.article_id}",
        "seed:",
        f"  file: {_q(d.seed_file)}",
        f"  sha256: {_q(d.sha256)}",
        f"outlet: {_q(d.outlet)}",
    ]
    if d.url:
        out.append(f"url: {_q(d.url)}")
    title = lay.title.text if lay.title else "UNKNOWN TITLE"
    out.append(f"title: {_q(title)}")
    if lay.byline:
        out.append(f"byline: {_q(lay.byline.text)}")
    if lay.dateline:
        out.append(f"dateline: {_q(lay.dateline.text)}")
    p = d.published
    out.append("published:")
    out.append(f"  source: {p.source}")
    for k in ("expression", "value", "note"):
        v = getattr(p, k)
        if v is not None:
            out.append(f"  {k}: {_q(v)}")
    if "published" not in d.given:
        out += _mark(p.mark, 2)
    first, last = _edge_words(text, lay.body_start, lay.body_end)
    out += ["body:", "  first:", f"    text: {_q(first)}"]
    occ = _occ(text, first, lay.body_start, 0)
    if occ:
        out.append(f"    occurrence: {occ}")
    out += ["  last:", f"    text: {_q(last)}"]
    occ = _occ(text, last, lay.body_end - len(last) - 5, 0)
    if occ:
        out.append(f"    occurrence: {occ}")
    out += _mark(Mark(lay.body_rule, _block_summary(lay)), 2)
    if d.aliases:
        out.append("aliases:")
        for pid, spellings in sorted(d.aliases.items()):
            out.append(f"  {pid}: [{', '.join(_q(s) for s in spellings)}]")
    if d.events:
        out.append("events:")
        for e in d.events:
            out.append(f"  - event: {e.event_id}")
            out.append(f"    text: {_q(e.text)}")
            occ = _occ(text, e.text, e.start, lay.body_start, lay.body_end)
            if occ:
                out.append(f"    occurrence: {occ}")
            if e.date_expression:
                out.append(f"    date_expression: {_q(e.date_expression)}")
            if e.participants:
                out.append("    participants:")
                for pid, role, words in e.participants:
                    out += [f"      - participant: {pid}", f"        role: {role}", f"        text: {_q(words)}"]
                    occ = _occ(text, words, None, lay.body_start, lay.body_end, within=(e.start, e.end))
                    if occ:
                        out.append(f"        occurrence: {occ}")
                    out += _mark(Mark("a registry participant of the event, named in the mention", words), 8)
            out += _mark(e.mark, 4)
    if d.quotes:
        out.append("quotes:")
        for i, q in enumerate(d.quotes, 1):
            out += [f"  - id: {d.article_id}-q{i:02d}", f"    statement: {q.statement}", f"    text: {_q(' '.join(q.text.split()))}"]
            if q.occurrence:
                out.append(f"    occurrence: {q.occurrence}")
            out.append(f"    mode: {q.mode}")
            out += _mark(q.mark, 4, speaker=q.speaker)
    if d.uncoded:
        out.append("uncoded:")
        for u in d.uncoded:
            out.append(f"  - text: {_q(' '.join(u.text.split()))}")
            if u.occurrence:
                out.append(f"    occurrence: {u.occurrence}")
            out.append(f"    reason: {_q(u.reason)}")
            out += _mark(u.mark, 4)
    out.append("draft:")
    out.append("  fields:")
    fields = {"outlet": Mark("a known outlet named outside the body, the name the publisher's blocks use, "
                             "the URL's host, or a placeholder", d.outlet)}
    if d.url:
        fields["url"] = Mark(lay.own_url.rule if lay.own_url else "given with --url", d.url)
    fields["title"] = Mark(lay.title.rule if lay.title else "no headline found", title)
    if lay.byline:
        fields["byline"] = Mark(lay.byline.rule, lay.byline.text)
    if lay.dateline:
        fields["dateline"] = Mark(lay.dateline.rule, lay.dateline.text)
    for k, m in fields.items():
        if k not in d.given:
            out += [f"    {k}:", f"      rule: {_q(m.rule)}", f"      evidence: {_q(m.evidence)}"]
    if d.aliases:
        out.append("  aliases:")
        for pid, spellings in sorted(d.aliases.items()):
            how = "a spelling of a registry participant found in the body (surnames of persons included)"
            out += [f"    {pid}:", f"      rule: {_q(how)}", f"      evidence: {_q(', '.join(spellings))}"]
    if d.new_participants:
        out.append("  new_participants:")
        for pid, m in sorted(d.new_participants.items()):
            out += [f"    {pid}:", f"      rule: {_q(m.rule)}", f"      evidence: {_q(m.evidence)}"]
    if d.dates:
        out.append("  dates:")
        for x in d.dates:
            value = (f"{x.value} ({x.precision}, rule {x.resolution})" if x.value else f"unresolved: {x.error}")
            out += [f"    - expression: {_q(' '.join(x.text.split()))}", f"      resolved: {_q(value)}"]
    return "\n".join(out) + "\n"


def _mark(m: Mark, indent: int, speaker: str | None = None) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}draft:", f"{pad}  rule: {_q(m.rule)}", f"{pad}  evidence: {_q(m.evidence)}"]
    if speaker:
        lines.append(f"{pad}  speaker: {speaker}")
    return lines


def _edge_words(text: str, start: int, end: int, n: int = 8) -> tuple[str, str]:
    words = text[start:end].split()
    return " ".join(words[:n]), " ".join(words[-n:])


def _occ(text: str, words: str, at: int | None, start: int, end: int | None = None,
         within: tuple[int, int] | None = None) -> int | None:
    """The occurrence number of `words` (at offset `at`, or the first inside `within`) when they occur more than once."""
    found = [m.start() for m in pattern(words).finditer(text, start, end if end is not None else len(text))]
    if len(found) <= 1:
        return None
    if within:
        for i, f in enumerate(found, 1):
            if within[0] <= f < within[1]:
                return i
    if at is not None:
        for i, f in enumerate(found, 1):
            if f >= at:
                return i
    return None


def _block_summary(lay: layout_rules.Layout) -> str:
    out = [f"{b.label}: {b.text[:50]}" for b in lay.blocks if not lay.body_start <= b.start < lay.body_end]
    more = f" | ... and {len(out) - 12} more blocks" if len(out) > 12 else ""
    return "outside the body: " + " | ".join(out[:12]) + more


def _q(value: str) -> str:
    """A YAML double-quoted scalar."""
    s = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{s}"'
