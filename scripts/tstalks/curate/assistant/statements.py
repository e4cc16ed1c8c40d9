"""Which statement a quote attests: a registry statement of the same speaker about the same event at a date that
fits, or else a statement proposed for the registry, with its speaker, event, kind, date from the text, a summary
in the quote's words and its topics. Quotes of one speaker about one event in one article share a statement."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from rapidfuzz import fuzz

from ...core import dates
from ...core.vocab import ParticipantKind
from . import datescan
from .context import Context
from .model import Attribution, Draft, DraftDate, DraftEvent, Mark, ProposedStatement
from .names import is_medium, slug
from .structure import Attribution as Phrase

Span = tuple[int, int]
SUMMARY_WORDS = 30


def assign(d: Draft, ctx: Context, state: Attribution, speaker: str, s: int, e: int, sentence: Span,
           phrase: Phrase | None) -> tuple[str, str]:
    """(the id of the statement the quote at [s, e) attests, its speaker), proposing a statement when the registries
    have none. A state, its government or one of its media speaking about an event is taken for the one body of that
    state that the registries have a statement of about the event (the Syrian side's account of a meeting is the
    Syrian ministry's readout of it)."""
    event = _event_of(d, s, sentence)
    date = _date_of(d, s, e, sentence)
    words = _known_words(ctx, d.text[s:e], event)
    if words:
        return words, ctx.known.statements[words]["speaker_id"]
    same = _same_occasion(d, state, speaker, date)
    if same:  # a registry statement the speaker's earlier words attest keeps its own speaker (the speaker relays it)
        return same, ctx.known.statements[same]["speaker_id"] if same in ctx.known.statements else speaker
    known = (_known(ctx, speaker, event, date) or _known_in_article(d, ctx, speaker) or _known_near(d, ctx, speaker)
             or (_known_of_state(d, ctx, speaker, event) if _stands_for_a_body(d, ctx, speaker, phrase) else None))
    if known:
        state.statements[(speaker, date.value.isoformat() if date and date.value else "")] = known
        return known, ctx.known.statements[known]["speaker_id"]
    kind = _kind(d, ctx, speaker, sentence, phrase)
    spec, why = _date_spec(d, event, date, kind)
    sid = _unique(_proposed_id(d, speaker, kind, event, date, ctx), set(ctx.known.statements) | set(d.statements))
    state.statements[(speaker, date.value.isoformat() if date and date.value else "")] = sid
    words = " ".join(d.text[s:e].split())
    d.statements[sid] = ProposedStatement(
        sid, speaker, kind, _summary(d, ctx, speaker, words), Mark(
            "a statement the registries do not have: its speaker and event from the quote's sentence, its kind from "
            f"the reporting words, {why}; the summary is the first quote's words (write its gist)",
            " ".join(d.text[sentence[0]:sentence[1]].split())),
        event.event_id if event else None, spec, _topics(ctx, d.text[sentence[0]:sentence[1]]))
    return sid, speaker


def _stands_for_a_body(d: Draft, ctx: Context, speaker: str, phrase: Phrase | None) -> bool:
    """A medium, or "the Syrian side": words of a state's body, whichever body of the state the registries know."""
    medium = is_medium(ctx.known.participants.get(speaker) or {}) or any(
        m.participant_id == speaker and m.medium for m in d.mentions)
    return medium or bool(phrase and re.search(r"\b(?:side|delegation|party)$", phrase.words.strip(), re.I))


def _same_occasion(d: Draft, state: Attribution, speaker: str, date: DraftDate | None) -> str | None:
    """The statement already proposed for the speaker's words in this article: one communicative act, whatever
    events its words touch (conventions §6), unless the text dates the two passages apart. An undated passage goes
    with the speaker's last statement; an undated statement takes the date of a later passage that has one."""
    when = date.value.isoformat() if date and date.value else ""
    if (speaker, when) in state.statements:
        return state.statements[(speaker, when)]
    mine = [sid for (who, _), sid in state.statements.items() if who == speaker]
    if not when and mine:
        return mine[-1]
    undated = state.statements.get((speaker, ""))
    if undated is None:
        return None
    if when and undated in d.statements:  # the first passages gave no date; this one does: the statement is dated by it
        proposed = d.statements[undated]
        if proposed.date is None or proposed.date.get("from_event"):
            d.statements[undated] = dataclasses.replace(proposed, date=datescan.spec(d, date)) if date else proposed
        state.statements[(speaker, when)] = undated
    return undated


def _event_of(d: Draft, at: int, sentence: Span) -> DraftEvent | None:
    """The event a quote is about: one its sentence reports, else one its paragraph reports before it, else the
    article's own (the first meeting its body reports)."""
    mine = [m for m in d.events if m.start <= at < m.end or (sentence[0] <= m.start < sentence[1])]
    if mine:
        return mine[0]
    paragraph = max(d.text.rfind("\n\n", 0, at), 0)
    in_paragraph = [m for m in d.events if paragraph <= m.start < at]
    if in_paragraph:
        return in_paragraph[-1]
    return d.events[0] if d.events else None


def _date_of(d: Draft, s: int, e: int, sentence: Span) -> DraftDate | None:
    """A date of the quote's sentence outside the reported words, not of a plan: when the words were said."""
    found = [x for x in d.dates if sentence[0] <= x.start < sentence[1] and not (s <= x.start < e) and x.value
             and not x.ahead]
    return found[-1] if found else None


SAME_WORDS = 90  # rapidfuzz partial_ratio from which two passages are taken to be the same words
_TOKEN = re.compile(r"[^\W_]+")


def _known_words(ctx: Context, text: str, event: DraftEvent | None) -> str | None:
    """The one registry statement that another article quotes in the same words (conventions §6: the same words are
    one statement, whoever an article credits them to). The words must carry two content words and twenty letters
    ("constructive atmosphere", not "the two countries"); of several statements so quoted, the one about the quote's
    event, else none."""
    words = " ".join(_TOKEN.findall(text.lower()))
    if not _distinctive(words):
        return None
    found = {sid for sid, quotes in ctx.known.quotes.items()
             if any(fuzz.partial_ratio(words, " ".join(_TOKEN.findall(q.lower()))) >= SAME_WORDS
                    for q in quotes if _distinctive(q.lower()))}
    if len(found) > 1 and event is not None:
        found = {sid for sid in found if ctx.known.statements[sid].get("event_id") == event.event_id}
    return found.pop() if len(found) == 1 else None


def _distinctive(words: str) -> bool:
    content = [w for w in _TOKEN.findall(words) if len(w) > 3]
    return len(content) >= 2 and sum(map(len, content)) >= 20


def _known(ctx: Context, speaker: str, event: DraftEvent | None, date: DraftDate | None) -> str | None:
    """A registry statement of the speaker about the quote's event: a readout of it, or a statement of another kind
    whose date the sentence's own date fits (a remark is an occasion; speaker and event alone do not make it one)."""
    for sid, row in ctx.known.statements.items():
        if row["speaker_id"] != speaker or event is None or event.is_new or row.get("event_id") != event.event_id:
            continue
        dated = bool(date and row.get("statement_date"))
        if dated and not _overlap(date, row["statement_date"], row["statement_date_precision"]):  # type: ignore[arg-type]
            continue
        if row.get("statement_kind") == "readout" or dated:
            return sid
    return None


def _known_in_article(d: Draft, ctx: Context, speaker: str) -> str | None:
    """The one registry statement of the speaker about an event the article reports."""
    reported = {e.event_id for e in d.events if not e.is_new}
    found = [sid for sid, row in ctx.known.statements.items() if row["speaker_id"] == speaker and row.get("event_id") in reported]
    return found[0] if len(found) == 1 else None


NEAR_DAYS = 14  # a registry statement this many days before publication, or less, may be the one an article reports


def _known_near(d: Draft, ctx: Context, speaker: str) -> str | None:
    """The one registry statement of the speaker made in the days before the article's publication."""
    pub = d.published.reference
    if pub is None:
        return None
    found = [sid for sid, row in ctx.known.statements.items() if row["speaker_id"] == speaker and row.get("statement_date")
             and pub - dt.timedelta(days=NEAR_DAYS) <= row["statement_date"] <= pub]
    return found[0] if len(found) == 1 else None


def _known_of_state(d: Draft, ctx: Context, speaker: str, event: DraftEvent | None) -> str | None:
    """The one registry statement about the event by a body of the state the speaker stands for (the state itself,
    its government, or a medium of that state)."""
    if event is None or event.is_new:
        return None
    state = _state_of(d, ctx, speaker)
    if state is None:
        return None
    found = [sid for sid, row in ctx.known.statements.items()
             if row.get("event_id") == event.event_id and _state_of(d, ctx, row["speaker_id"]) == state]
    return found[0] if len(found) == 1 else None


def _state_of(d: Draft, ctx: Context, pid: str) -> str | None:
    """The state a participant belongs to, following affiliations (a medium of the lexicon: its country)."""
    seen: set[str] = set()
    while pid and pid not in seen:
        seen.add(pid)
        row = ctx.known.participants.get(pid)
        if row is None:
            proposed = d.participants.get(pid)
            medium = next((ctx.lexicon.medium_named(m.text) for m in d.mentions if m.participant_id == pid and m.medium), None)
            if medium and medium.country_code:
                return next((p for p, r in ctx.known.participants.items() if r.get("country_code") == medium.country_code), None)
            pid = proposed.affiliation if proposed and proposed.affiliation else ""
            continue
        if row["participant_kind"] == ParticipantKind.STATE:
            return pid
        pid = row.get("affiliation_id") or ""
    return None


def _overlap(d: DraftDate, when: object, precision: str) -> bool:
    """The sentence's date and the statement's period meet."""
    if d.value is None or d.precision is None or not isinstance(when, dt.date):
        return True
    return d.value <= dates.period_end(when, precision) and when <= dates.period_end(d.value, d.precision)


def _kind(d: Draft, ctx: Context, speaker: str, sentence: Span, phrase: Phrase | None) -> str:
    """The statement_kind the reporting words give."""
    words = d.text[sentence[0]:sentence[1]]
    row = ctx.known.participants.get(speaker)
    medium = any(m.participant_id == speaker and m.medium for m in d.mentions) or bool(row and is_medium(row))
    rules = [
        (medium, "report"),
        (bool(re.search(r"\bdeni(?:ed|es)\b|\brejected\b", words, re.I)), "denial"),
        (bool(re.search(r"\b(?:blamed|accused|accusing)\b", words, re.I)), "accusation"),
        (bool(re.search(r"\b(?:interview|told\s+(?!reporters)(?:the\s+)?[A-Z])", words)), "interview"),
        (bool(re.search(r"\b(?:told reporters|press conference|news conference|briefing|journalists)\b", words, re.I)), "press_remark"),
        (bool(re.search(r"\b(?:pressing for|called for|calls for|has acknowledged|has described|insists?)\b", words, re.I)), "position"),
        (_institution(row, speaker), "readout"),
    ]
    return next((kind for holds, kind in rules if holds), "remark")


def _institution(row: Any, speaker: str) -> bool:
    """A ministry, office or state speaks in readouts; a registered one by its kind, a proposed one by its id."""
    if row:
        return bool(row["participant_kind"] != ParticipantKind.PERSON)
    return bool(re.search(r"-(?:ministry|office|presidency)$", speaker))


def _date_spec(d: Draft, event: DraftEvent | None, date: DraftDate | None, kind: str) -> tuple[dict[str, object] | None, str]:
    """How the statement is dated: by its sentence's words, by its event (a readout made at it), or not at all."""
    if kind == "readout" and event is not None:
        return {"from_event": True}, "dated by its event (a readout made at it)"
    if date is not None:
        return datescan.spec(d, date), f"dated by '{' '.join(date.text.split())}'"
    return None, "undated (the text gives no date for it; only a readout made at its event is dated by the event)"


def _proposed_id(d: Draft, speaker: str, kind: str, event: DraftEvent | None, date: DraftDate | None, ctx: Context) -> str:
    when = date.value if date and date.value else None
    if when is None and event is not None and not event.is_new and (known := ctx.known.events.get(event.event_id)) and known.date:
        when = known.date
    return slug(f"{speaker} {kind} {when.strftime('%Y-%m') if when else d.article_id}")


def _unique(base: str, taken: set[str]) -> str:
    n, candidate = 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _summary(d: Draft, ctx: Context, speaker: str, words: str) -> str:
    row = ctx.known.participants.get(speaker)
    proposed = d.participants.get(speaker)
    name = row["name"] if row else proposed.name if proposed else next(
        (m.text for m in d.mentions if m.participant_id == speaker), speaker)
    cut = words.split()
    return f"{name}: {' '.join(cut[:SUMMARY_WORDS])}{' …' if len(cut) > SUMMARY_WORDS else ''}"


def _topics(ctx: Context, sentence: str) -> tuple[str, ...]:
    return tuple(code for code, rx in ctx.lexicon.topic_words.items() if rx.search(sentence))
