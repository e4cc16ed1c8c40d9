"""Stage: the sentences that report an event, each matched to the registry's events by type, title words, date,
place and participants; a dated one that matches none is proposed as a new event."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...core import dates
from ...core.vocab import DatePrecision, EventRole
from ..text import sentence_spans
from .lexicon import EVENT_RX, EVENT_STOP, MEETING
from .model import DraftDate, DraftEvent, Known, KnownEvent, Mark, Mention

MATCH = 2.5  # the score from which a registry event is taken to be the one a sentence reports
_CONTENT = re.compile(r"[A-Za-z][a-z’'-]{3,}")
Roles = list[tuple[str, str, str]]


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    text: str
    dates: list[DraftDate]  # its own, or the last dated sentence's when it has none
    people: list[Mention]

    @property
    def date(self) -> DraftDate | None:
        """Its first resolved date of its own."""
        return next((d for d in self.dates if d.value and self.start <= d.start < self.end), None)


def link(text: str, start: int, end: int, found: list[DraftDate], mentions: list[Mention], known: Known,
         aid: str) -> list[DraftEvent]:
    """Sentences that report a meeting or an operation, matched to registry events by date, place and participants."""
    out: list[DraftEvent] = []
    used: set[str] = set()
    for sentence in _event_sentences(text, start, end, found, mentions):
        scored = sorted(((*_score(ev, sentence), ev) for ev in known.events.values()), key=lambda x: -x[0])
        matched = [(score, why, ev) for score, why, ev in scored if score >= MATCH and ev.event_id not in used][:2]
        for score, why, best in matched:
            used.add(best.event_id)
            out.append(_mention(sentence, best, score, why))
        if not matched and not any(x[0] >= MATCH for x in scored):
            proposed = _proposed(sentence, aid, sum(e.is_new for e in out) + 1)
            if proposed:
                out.append(proposed)
    return out


def _event_sentences(text: str, start: int, end: int, found: list[DraftDate], mentions: list[Mention]) -> Iterator[_Sentence]:
    """Each sentence that reports an event, with the dates it goes by: its own, or, when it has none, the last
    day-precise date of an earlier sentence (an undated sentence goes on about the last dated one)."""
    context: DraftDate | None = None
    for s, e in sentence_spans(text, start, end):
        sentence = text[s:e]
        own = [d for d in found if s <= d.start < e]
        days = [d for d in own if d.value and d.precision == DatePrecision.DAY]
        if _reports_an_event(sentence):
            dated = own or ([context] if context is not None else [])
            yield _Sentence(s, e, sentence, dated, [m for m in mentions if s <= m.start < e])
        context = days[-1] if days else context


def _reports_an_event(sentence: str) -> bool:
    return bool(MEETING.search(sentence)) or any(rx.search(sentence) for rx in EVENT_RX.values())


def _mention(sentence: _Sentence, event: KnownEvent, score: float, why: str) -> DraftEvent:
    roles = [(m.participant_id, event.roles.get(m.participant_id, EventRole.ATTENDEE), m.text)
             for m in sentence.people if m.participant_id in event.participants]
    date = sentence.date
    return DraftEvent(event.event_id, False, " ".join(sentence.text.split()), sentence.start, sentence.end,
                      date.text if date else None, tuple(_unique(roles)),
                      Mark("a sentence reporting an event, matched to the event registry", f"score {score:.1f}: {why}"))


def _proposed(sentence: _Sentence, aid: str, number: int) -> DraftEvent | None:
    """A new event for a sentence dated to the day or month that names participants, when no registry event fits."""
    date = sentence.date
    if not (date and date.value and date.precision in (DatePrecision.DAY, DatePrecision.MONTH) and sentence.people):
        return None
    return DraftEvent(f"new-{aid}-e{number:02d}", True, " ".join(sentence.text.split()), sentence.start, sentence.end,
                      date.text, tuple(_unique([(m.participant_id, EventRole.ATTENDEE, m.text) for m in sentence.people])),
                      Mark("a dated sentence reporting a meeting or operation that no registry event matches",
                           f"{date.text} -> {date.value} ({date.precision}); add the event to "
                           "seeds/codings/events.yaml with a real id, or delete this mention"))


def _unique(items: Roles) -> Roles:
    seen, out = set(), []
    for item in items:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out


def _title_overlap(title: str, sentence: str) -> float:
    """The share of a registry title's content words (5-letter stems) that the sentence uses."""
    stems = {w.lower()[:5] for w in _CONTENT.findall(title) if w.lower() not in EVENT_STOP}
    said = {w.lower()[:5] for w in _CONTENT.findall(sentence)}
    return len(stems & said) / len(stems) if stems else 0.0


def _score(ev: KnownEvent, sentence: _Sentence) -> tuple[float, str]:
    """How well a registry event fits a sentence, and why."""
    score, reasons = 0.0, []
    if ev.event_type and ev.event_type in EVENT_RX and EVENT_RX[ev.event_type].search(sentence.text):
        score += 1.0
        reasons.append(f"words of a {ev.event_type}")
    overlap = _title_overlap(ev.title, sentence.text)
    if overlap >= 0.34:
        score += 1.5 if overlap >= 0.5 else 1.0
        reasons.append(f"{overlap:.0%} of the title's words")
    points, why = _date_fit(ev, sentence.dates)
    score += points
    reasons += why
    if ev.city and re.search(rf"\b{re.escape(ev.city)}\b", sentence.text):
        score += 1.0
        reasons.append(f"place {ev.city}")
    shared = {m.participant_id for m in sentence.people} & ev.participants
    if shared:
        score += 0.5 * len(shared)
        reasons.append("participants " + ", ".join(sorted(shared)))
    return score, "; ".join(reasons)


def _date_fit(ev: KnownEvent, found: list[DraftDate]) -> tuple[float, list[str]]:
    """Points for the first of the sentence's dates that fits the event's period, minus one for each before it
    that does not."""
    score, reasons = 0.0, []
    for d in found:
        if d.value is None or ev.date is None or d.precision is None or ev.precision is None:
            continue
        d_end = dates.period_end(d.value, d.precision)
        e_end = dates.period_end(ev.date if ev.end is None else ev.end, ev.precision)
        if d.value <= e_end and ev.date <= d_end:
            score += 1.5 if d.precision == DatePrecision.DAY and ev.precision == DatePrecision.DAY else 1.0
            reasons.append(f"date '{d.text}' -> {d.value} fits {ev.date}")
            break
        score -= 1.0
        reasons.append(f"date '{d.text}' -> {d.value} does not fit {ev.date}")
    return score, reasons
