"""Stage: the participants the draft uses that the registries do not know, proposed as registry entries with what
the text says of them (kind, name as printed, title as printed, affiliation), and each spelling the body uses
drafted as an alias, so every proposal is attested."""
from __future__ import annotations

import re
from dataclasses import replace

from ...core.spans import find_all
from ...core.vocab import ParticipantKind
from .context import Context
from .model import NEW, Draft, DraftUncoded, Mark, Mention, ProposedParticipant
from .names import state_of

_ORGANIZATION = re.compile(r"\b(?:ministry|agency|office|presidency|government|council|authorities|officials|media|"
                           r"service|services|forces|party|committee|embassy)\b", re.I)


def propose(d: Draft, ctx: Context) -> None:
    """A registry entry for every participant the draft refers to that the registries do not know."""
    used = _used(d)
    for pid in sorted(used - set(ctx.known.participants)):
        mentions = [m for m in d.mentions if m.participant_id == pid]
        proposal = _from_mentions(pid, mentions, ctx) if mentions else _from_name(d, pid, ctx)
        if proposal:
            d.participants[pid] = proposal
            _aliases(d, pid, mentions, proposal.name)
    _drop_unregistered(d, ctx)
    for m in d.mentions:
        if m.kind != NEW and m.participant_id in ctx.known.participants:
            spellings = d.aliases.setdefault(m.participant_id, [])
            if m.text not in spellings:
                spellings.append(m.text)


def _used(d: Draft) -> set[str]:
    used = {q.speaker for q in d.quotes if q.speaker} | {q.via for q in d.quotes if q.via}
    used |= {s.speaker for s in d.statements.values()}
    used |= {pid for e in d.events for pid, _, _ in e.participants}
    return used


def _from_mentions(pid: str, mentions: list[Mention], ctx: Context) -> ProposedParticipant:
    """A newcomer named in the body: a titled person, or a medium."""
    titled = next((m for m in mentions if m.title), None)
    first = max(mentions, key=lambda m: len(m.text))
    if any(m.medium for m in mentions):
        medium = ctx.lexicon.medium_named(first.text)
        state = _state_by_code(medium.country_code if medium else None, ctx)
        return ProposedParticipant(pid, ParticipantKind.ORGANIZATION, first.text, Mark(
            "a news medium of the lexicon (schemas/lexicons/media.csv) the registries do not know", first.text),
            affiliation=state)
    title = titled.title if titled else None
    return ProposedParticipant(pid, ParticipantKind.PERSON, first.text, Mark(
        "a titled name the registries do not know: name and title as printed, affiliation from the title's qualifier "
        "and portfolio", f"{title or ''} {first.text}".strip()),
        role_title=title, affiliation=_affiliation(title, ctx) if title else None)


def _from_name(d: Draft, pid: str, ctx: Context) -> ProposedParticipant | None:
    """A speaker a description names ("the Turkish Foreign Ministry"), found in the body."""
    name = next((n for n, p in d.proposed_names.items() if p == pid), None)
    if not name or not find_all(d.text, name, d.layout.body_start, d.layout.body_end):
        return None
    kind = ParticipantKind.ORGANIZATION if _ORGANIZATION.search(name) else ParticipantKind.PERSON
    return ProposedParticipant(pid, kind, name, Mark(
        "a speaker the registries do not know, named by its description; affiliation from its qualifier", name),
        affiliation=state_of(name, ctx.known))


def _affiliation(title: str, ctx: Context) -> str | None:
    """The ministry of the title's portfolio in the state its qualifier names, else that state."""
    state = state_of(title, ctx.known)
    portfolio = next((t.portfolio for t in sorted(ctx.lexicon.titles, key=lambda t: -len(t.words))
                      if title.lower().endswith(t.words.lower())), None)
    if state and portfolio:
        words = {"defence": r"defen[cs]e", "foreign": r"foreign", "interior": r"interior"}.get(portfolio, re.escape(portfolio))
        ministry = [pid for pid, r in ctx.known.participants.items() if r["participant_kind"] == ParticipantKind.ORGANIZATION
                    and r.get("affiliation_id") == state and re.search(rf"\b{words}\b.*\bministry\b", r["name"], re.I)]
        if len(ministry) == 1:
            return ministry[0]
    return state


def _state_by_code(code: str | None, ctx: Context) -> str | None:
    return next((pid for pid, r in ctx.known.participants.items() if code and r.get("country_code") == code), None)


def _aliases(d: Draft, pid: str, mentions: list[Mention], name: str) -> None:
    spellings = d.aliases.setdefault(pid, [])
    for text in [m.text for m in mentions] or [name]:
        if text not in spellings and find_all(d.text, text, d.layout.body_start, d.layout.body_end):
            spellings.append(text)
    if not spellings:
        del d.aliases[pid]


def _drop_unregistered(d: Draft, ctx: Context) -> None:
    """What refers to someone neither known nor proposed is not drafted as such: a relay is dropped, a quote set
    aside (saying why), an event participant left out; so that the draft, its marks deleted, still builds."""
    registered = set(ctx.known.participants) | set(d.participants)
    for q in list(d.quotes):
        if q.via and q.via not in registered:
            d.quotes[d.quotes.index(q)] = q = replace(q, via=None)
        if q.speaker not in registered:
            d.quotes.remove(q)
            d.uncoded.append(DraftUncoded(q.start, q.end, q.text, "DRAFT: reported words whose speaker the registries do "
                                          "not have and the body does not name: code them as a quote, or keep them set aside",
                                          q.mark, q.occurrence))
    quoted = {q.statement for q in d.quotes}
    for sid in [sid for sid, st in d.statements.items() if st.speaker not in registered or sid not in quoted]:
        del d.statements[sid]
    d.events = [replace(e, participants=tuple(p for p in e.participants if p[0] in registered)) for e in d.events]
