"""Stage: the sentences that report an event, each matched to the registry's events by type, title words, date,
place and participants. A link is refused when the sentence's own date does not fit the event; one event is linked
per mention (a second only when the sentence also reports an event of another type that its own date fits); a
sentence that dates an event no registry entry fits proposes a new one."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...core import dates
from ...core.vocab import DatePrecision, DateResolution, EventRole, EventStatus
from ..text import sentence_spans
from . import datescan
from .context import Context
from .model import Draft, DraftDate, DraftEvent, KnownEvent, Mark, Mention, ProposedEvent
from .names import slug

MATCH = 2.5  # the score from which a registry event is taken to be the one a sentence reports
_CONTENT = re.compile(r"[A-Za-z][a-z’'-]{3,}")
EVENT_STOP = {"with", "from", "their", "that", "this", "which", "after", "between", "meeting", "talks", "ministers", "minister"}
Roles = list[tuple[str, str, str]]


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    text: str
    dates: list[DraftDate]  # its own, or the last dated sentence's when it has none
    own: list[DraftDate]  # its own only
    people: list[Mention]

    @property
    def date(self) -> DraftDate | None:
        """Its first resolved date of its own."""
        return next((d for d in self.own if d.value), None)


@dataclass(frozen=True)
class _Fit:
    score: float
    why: str
    event: KnownEvent
    date_refused: bool  # the sentence's own date does not fit the event


def link(d: Draft, ctx: Context) -> None:
    """The event mentions of the body into `d.events`, new events into `d.proposed_events`."""
    used: set[str] = set()
    lay = d.layout
    for sentence in _event_sentences(d, ctx, lay.body_start, lay.body_end):
        fits = sorted((_fit(ev, sentence, ctx) for ev in ctx.known.events.values()), key=lambda f: -f.score)
        chosen = _links(fits, sentence, ctx, used)
        for fit in chosen:
            used.add(fit.event.event_id)
            d.events.append(_mention(sentence, fit))
            if fit.event.event_type == "meeting":
                ctx.last_meeting = fit.event.event_id
        if not chosen and not any(f.score >= MATCH and not f.date_refused for f in fits):
            _propose(d, ctx, sentence)


def _links(fits: list[_Fit], sentence: _Sentence, ctx: Context, used: set[str]) -> list[_Fit]:
    """The registry events a sentence reports and the article has not linked yet. Another mention of an event
    already linked is no reason to link the next best event instead."""
    chosen = [f for f in _chosen([f for f in fits if f.score >= MATCH and not f.date_refused], ctx)
              if f.event.event_id not in used]
    types = {f.event.event_type for f in chosen}
    return chosen + [f for f in _one_per_parties(fits, sentence, ctx)
                     if f.event.event_id not in used and f.event.event_type not in types]


def _one_per_parties(fits: list[_Fit], sentence: _Sentence, ctx: Context) -> list[_Fit]:
    """A war or a rupture of relations the sentence names in its words, between parties it names: the registry's
    one such event, even when the sentence dates it otherwise (a date to check, or a discrepancy, not a new event)."""
    people = {m.participant_id for m in sentence.people}
    return [f for f in fits if f.event.event_type in ctx.lexicon.one_per_parties and f.date_refused
            and f"words of a {f.event.event_type}" in f.why
            and (len(people & f.event.participants) >= 2
                 or (people & f.event.participants and _title_overlap(f.event.title, sentence.text) >= 0.4))][:1]


def _chosen(fits: list[_Fit], ctx: Context) -> list[_Fit]:
    """The best fit, and others of other event types whose own words the sentence uses ("backed the opposition
    during the civil war, and sent its own troops"), or that the sentence's own words date; one per type."""
    if not fits:
        return []
    out = [fits[0]]
    for f in fits[1:]:
        if f.event.event_type in {o.event.event_type for o in out}:
            continue
        typed = f"words of a {f.event.event_type}" in f.why
        if ("fits" in f.why and f.score >= MATCH + 0.5) or (typed and f.score >= MATCH):
            out.append(f)
    return out


def _event_sentences(d: Draft, ctx: Context, start: int, end: int) -> Iterator[_Sentence]:
    """Each sentence that reports an event, with the dates it goes by: its own, or, when it has none, the last
    day-precise date of an earlier sentence (an undated sentence goes on about the last dated one)."""
    context: DraftDate | None = None
    any_event = list(ctx.lexicon.event_words.values())
    for s, e in sentence_spans(d.text, start, end):
        sentence = d.text[s:e]
        own = [x for x in d.dates if s <= x.start < e and not x.speech]  # "said on Monday" dates the saying
        days = [x for x in own if x.value and x.precision == DatePrecision.DAY]
        if any(rx.search(sentence) for rx in any_event):
            dated = own or ([context] if context is not None else [])
            yield _Sentence(s, e, sentence, dated, own, [m for m in d.mentions if s <= m.start < e])
        context = days[-1] if days else context


def _mention(sentence: _Sentence, fit: _Fit) -> DraftEvent:
    event = fit.event
    roles = [(m.participant_id, event.roles.get(m.participant_id, EventRole.ATTENDEE), m.text)
             for m in sentence.people if m.participant_id in event.participants]
    date = sentence.date
    return DraftEvent(event.event_id, False, " ".join(sentence.text.split()), sentence.start, sentence.end,
                      date.text if date and _fits(date, event) else None, tuple(_unique(roles)),
                      Mark("a sentence reporting an event, matched to the event registry", f"score {fit.score:.1f}: {fit.why}"))


def _propose(d: Draft, ctx: Context, sentence: _Sentence) -> None:
    """A new event for a sentence that reports one no registry event fits: a meeting when dated to the day or
    month, an event of another kind (an attack, an election, a war) when the sentence names who took part."""
    date = sentence.date if sentence.date and sentence.date.value else None
    kind = next((code for code, rx in ctx.lexicon.event_words.items() if rx.search(sentence.text)), "meeting")
    people = [m for m in sentence.people if not m.medium]
    if not people or not (_dated(date) or kind != "meeting"):
        return
    city = _city(sentence.text, ctx)
    eid = _unique_id(slug(f"{kind} {city or ''} {_when(date) or d.article_id}"), set(ctx.known.events) | set(d.proposed_events))
    title = _title(kind, [n for _, n, _ in _unique([(m.participant_id, m.text, m.text) for m in people])], city, sentence.text)
    words = " ".join(sentence.text.split())
    evidence = _evidence(date, words)
    d.proposed_events[eid] = ProposedEvent(eid, kind, title, _status(sentence.text, date, d, ctx), Mark(
        "a sentence reporting an event that no registry event fits: its type, place, date and status as the "
        "sentence gives them; title from its participants", evidence), _date_of(date, d), city)
    roles = [(m.participant_id, _role(m, sentence.text), m.text) for m in people]
    d.events.append(DraftEvent(eid, True, words, sentence.start, sentence.end, _text_of(date),
                               tuple(_unique(roles)), Mark("a sentence reporting a new event", evidence)))


def _text_of(date: DraftDate | None) -> str | None:
    return date.text if date else None


def _dated(date: DraftDate | None) -> bool:
    return bool(date and date.precision in (DatePrecision.DAY, DatePrecision.MONTH))


def _evidence(date: DraftDate | None, words: str) -> str:
    return (f"{date.text} -> {date.value} ({date.precision}); " if date else "") + words


def _date_of(date: DraftDate | None, d: Draft) -> dict[str, object] | None:
    """The proposed event's date as the article words it, for the build to resolve against its publication."""
    return datescan.spec(d, date) if date else None


def _city(text: str, ctx: Context) -> str | None:
    """A city the registry's events are held in, named in the sentence."""
    cities = sorted({e.city for e in ctx.known.events.values() if e.city})
    return next((c for c in cities if re.search(rf"\b{re.escape(c)}\b", text)), None)


def _when(date: DraftDate | None) -> str:
    if date is None or date.value is None:
        return ""
    form = {DatePrecision.DAY: "%Y-%m-%d", DatePrecision.MONTH: "%Y-%m"}.get(date.precision or "", "%Y")
    return date.value.strftime(form)


def _status(text: str, date: DraftDate | None, d: Draft, ctx: Context) -> str:
    if ctx.lexicon.cue("proposal", text):
        return EventStatus.PROPOSED
    later = bool(date and d.published.reference and date.value and date.value > d.published.reference)
    if (date and date.ahead) or ctx.lexicon.cue("future", text) or later:
        return EventStatus.PLANNED
    return EventStatus.OCCURRED


def _role(m: Mention, text: str) -> str:
    """"X hosted": the host; anyone else named in the sentence attends."""
    return EventRole.HOST if re.search(rf"{re.escape(m.text)}\s+(?:\w+\s+)?host(?:ed|s)\b", text) else EventRole.ATTENDEE


def _title(kind: str, names: list[str], city: str | None, sentence: str) -> str:
    what = kind.replace("_", " ").capitalize()
    if names:
        who = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
        return f"{what} of {who}" + (f" in {city}" if city else "")
    return " ".join(sentence.split()[:12])


def _unique_id(base: str, taken: set[str]) -> str:
    n, candidate = 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _unique(items: Roles) -> Roles:
    seen, out = set(), []
    for item in items:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out


def _title_overlap(title: str, sentence: str) -> float:
    """The share of a registry title's content words (5-letter stems) that the sentence uses."""
    stems = {w.lower()[:5] for w in _CONTENT.findall(title.replace("-", " ")) if w.lower() not in EVENT_STOP}
    said = {w.lower()[:5] for w in _CONTENT.findall(sentence.replace("-", " "))}
    return len(stems & said) / len(stems) if stems else 0.0


def _fit(ev: KnownEvent, sentence: _Sentence, ctx: Context) -> _Fit:
    """How well a registry event fits a sentence, and why; refused where the sentence cannot be about it."""
    words = ctx.lexicon.event_words.get(ev.event_type or "")
    typed = bool(words and words.search(sentence.text))
    overlap = _title_overlap(ev.title, sentence.text)
    if not typed and overlap < 0.5:  # a sentence about something else: its dates, places and names say nothing of this event
        return _Fit(0.0, "neither the words of its type nor of its title", ev, True)
    parts = [(1.0 if typed else 0.0, [f"words of a {ev.event_type}"] if typed else []),
             ((1.5 if overlap >= 0.5 else 1.0, [f"{overlap:.0%} of the title's words"]) if overlap >= 0.34 else (0.0, [])),
             _date_fit(ev, sentence.own) if sentence.own else _context_fit(ev, sentence.dates),
             _anaphora(ev, sentence, ctx), _kind_fit(ev, sentence.text, ctx), _place_and_people(ev, sentence)]
    score = sum(p for p, _ in parts)
    return _Fit(score, "; ".join(r for _, rs in parts for r in rs), ev, _refused(ev, sentence, ctx, overlap))


def _anaphora(ev: KnownEvent, sentence: _Sentence, ctx: Context) -> tuple[float, list[str]]:
    if ctx.last_meeting == ev.event_id and not sentence.own and _ANAPHORA.search(sentence.text):
        return 1.5, ["'the meeting': the meeting the article last reported"]
    return 0.0, []


def _place_and_people(ev: KnownEvent, sentence: _Sentence) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    if ev.city and re.search(rf"\b{re.escape(ev.city)}\b", sentence.text):
        score += 1.0
        reasons.append(f"place {ev.city}")
    shared = {m.participant_id for m in sentence.people} & ev.participants
    if shared:
        score += 0.5 * len(shared)
        reasons.append("participants " + ", ".join(sorted(shared)))
    return score, reasons


def _refused(ev: KnownEvent, sentence: _Sentence, ctx: Context, overlap: float) -> bool:
    """A sentence dated in its own words does not report an event its dates miss, nor an undated one unless it uses
    its title's words; and an event that begins after the article appeared is not one it reports as past."""
    own = [x for x in sentence.own if x.value]
    if own and ev.date is not None and not any(_fits(x, ev) for x in own):
        return True
    if own and ev.date is None and overlap < 0.6 and _kind_fit(ev, sentence.text, ctx)[0] <= 0:
        return True  # an undated event, in a sentence dated for something else, needs its title's or level's words
    return bool(ctx.published and ev.date and ev.date > ctx.published and not ctx.lexicon.cue("future", sentence.text))



def _kind_fit(ev: KnownEvent, text: str, ctx: Context) -> tuple[float, list[str]]:
    """A point for each of the event's format and level the sentence names; one off for naming another."""
    score, reasons = 0.0, []
    for code, table in ((ev.event_format, ctx.lexicon.format_words), (ev.event_level, ctx.lexicon.level_words)):
        named = [c for c, rx in table.items() if rx.search(text)]
        if code and code in named:
            score += 1.0
            reasons.append(f"words of its {code.replace('_', ' ')}")
        elif code and named:
            score -= 1.0
            reasons.append(f"words of {named[0].replace('_', ' ')}, not {code.replace('_', ' ')}")
    return score, reasons


def _context_fit(ev: KnownEvent, found: list[DraftDate]) -> tuple[float, list[str]]:
    """A date carried from an earlier sentence may add, never take away: the sentence may be about something else."""
    d = next((x for x in found if _fits(x, ev)), None)
    return (1.0, [f"the date before, '{d.text}', fits {ev.date}"]) if d else (0.0, [])


_ANAPHORA = re.compile(r"\bthe\s+(?:meeting|talks|gathering|session)\b", re.I)


def _fits(d: DraftDate, ev: KnownEvent) -> bool:
    """The date's period meets the event's; "N years ago" is a round number, so a year either side."""
    if d.value is None or ev.date is None or d.precision is None or ev.precision is None:
        return False
    start, d_end = d.value, dates.period_end(d.value, d.precision)
    if d.resolution == DateResolution.YEARS_AGO:
        start, d_end = start.replace(year=start.year - 1), d_end.replace(year=d_end.year + 1)
    e_end = dates.period_end(ev.date if ev.end is None else ev.end, ev.precision)
    return start <= e_end and ev.date <= d_end


def _date_fit(ev: KnownEvent, found: list[DraftDate]) -> tuple[float, list[str]]:
    """Points when one of the sentence's dates fits the event's period (more for the same day); one off when it has
    dates and none fits."""
    dated = [d for d in found if d.value is not None and d.precision is not None]
    if ev.date is None or ev.precision is None or not dated:
        return 0.0, []
    fitting = [d for d in dated if _fits(d, ev)]
    if not fitting:
        return -1.0, [f"date '{dated[0].text}' -> {dated[0].value} does not fit {ev.date}"]
    d = fitting[0]
    same_day = d.precision == DatePrecision.DAY and ev.precision == DatePrecision.DAY
    return (1.5 if same_day else 1.0), [f"date '{d.text}' -> {d.value} fits {ev.date}"]
