"""Who speaks: the attribution phrase of a quote resolved to a registry participant, or to a proposed new one.

The rules are tried in order, each on the phrase ("Assad's government", "Turkish state news agency Anadolu",
"he", "the statement", "the Syrian side", a new titled name), and the first that names someone wins; each says
how it decided, which the draft shows the curator as evidence."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.vocab import ParticipantKind
from ..text import sentence_at
from . import names
from .lexicon import DEFINITE, MEDIUM, STATEMENT_WORDS
from .model import NEW, Attribution, Draft, Known, Mark, Mention
from .structure import Attribution as Phrase

Found = tuple[str | None, bool, str]  # (participant id, is it a proposed new one, how it was found)


@dataclass(frozen=True)
class _Context:
    text: str
    phrase: Phrase
    words: str
    inside: list[Mention]  # the mentions inside the phrase
    mentions: list[Mention]
    known: Known
    at: int  # where the quote starts
    state: Attribution


def resolve(d: Draft, phrase: Phrase | None, known: Known, at: int, state: Attribution) -> tuple[str | None, str]:
    """The speaker of a quote at `at` and how it was found; remembers it in `state`, and proposes an unknown one as a
    new participant of the draft."""
    who, _, how = speaker(d.text, phrase, d.mentions, known, at, state)
    if phrase and MEDIUM.search(phrase.words):
        how = (f"{how} (a news medium: if it relays someone else's words, make it the quote's 'via' and the source "
               "the statement's speaker)")
    if who:
        state.last = who
        row = known.participants.get(who)
        if (row and row["participant_kind"] != ParticipantKind.PERSON) or (not row and re.search(
                r"-(?:ministry|agency|office|government|presidency)$", who)):
            state.org = who
        if not row:
            d.new_participants.setdefault(who, Mark(
                "a speaker the registries do not know",
                f"'{phrase.words if phrase else ''}' names no known participant; add '{who}' to "
                "seeds/codings/participants.yaml (kind, name) or correct the speaker"))
    return who, how


def speaker(text: str, phrase: Phrase | None, mentions: list[Mention], known: Known, at: int,
            state: Attribution) -> Found:
    """(participant id, is it a proposed new one, how it was found)."""
    if phrase is None:
        return state.last, False, "no attribution in the sentence; the previous quote's speaker"
    inside = [m for m in mentions if phrase.start <= m.start < phrase.end]
    ctx = _Context(text, phrase, phrase.words, inside, mentions, known, at, state)
    for rule in (_owned, _named, _pronoun):
        found = rule(ctx)
        if found:
            return found
    # "the Defense Ministry in Moscow": the place says where, the head says who.
    ctx = _Context(text, phrase, re.sub(r"\s+(?:in|from)\s+[A-Z][\w-]+$", "", phrase.words.strip()), inside, mentions,
                   known, at, state)
    if STATEMENT_WORDS.search(ctx.words):
        found = _statement_of(ctx)
        if found:
            return found
        institution = names.last_institution(text, at)
        if institution:
            ctx = _Context(text, phrase, institution, inside, mentions, known, at, state)
    for rule in (_close_name, _last_organisation, _side, _newcomer, _state):
        found = rule(ctx)
        if found:
            return found
    return state.last, False, f"{phrase.how}: '{ctx.words}' names no one; the previous quote's speaker"


def _owned(ctx: _Context) -> Found | None:
    """"Assad's government": the government of the owner's state."""
    owned = re.search(r"[’']s\s+(?P<head>government|regime|administration|cabinet)\b", ctx.words, re.IGNORECASE)
    if not owned:
        return None
    owner = next((m for m in ctx.inside if m.start < ctx.phrase.start + owned.start() + 2), None)
    pid = names.governed(owner.participant_id, owned.group("head").lower(), ctx.known) if owner else None
    if owner and pid:
        return pid, False, f"{ctx.phrase.how}: '{ctx.words}' -> the {owned.group('head')} of {owner.participant_id}'s state"
    return None


def _named(ctx: _Context) -> Found | None:
    """A participant (not a state) named in the phrase: the known before the new, the longest name first."""
    named = [m for m in ctx.inside if m.kind != ParticipantKind.STATE]
    if not named:
        return None
    # "Turkish state news agency Anadolu" names Anadolu; "the Turkish Defense Ministry's statement" the ministry.
    pick = max(named, key=lambda m: (m.kind != NEW, m.end - m.start))
    return pick.participant_id, pick.kind == NEW, f"{ctx.phrase.how}: '{ctx.words}' names {pick.participant_id}"


def _pronoun(ctx: _Context) -> Found | None:
    if not re.fullmatch(r"(?:he|she)", ctx.words.strip(), re.IGNORECASE):
        return None
    person = referent(ctx.text, ctx.mentions, ctx.at)
    return person, False, f"{ctx.phrase.how}: pronoun '{ctx.words}' -> the subject of the last sentence naming a person"


def _statement_of(ctx: _Context) -> Found | None:
    """"the statement": the organisation that spoke last, else the last organisation named."""
    org = ctx.state.org or next((m.participant_id for m in reversed(ctx.mentions)
                                 if m.start < ctx.at and m.kind == ParticipantKind.ORGANIZATION), None)
    if not org:
        return None
    return org, org not in ctx.known.participants, f"{ctx.phrase.how}: '{ctx.words}' -> the organisation whose statement was last named"


def _close_name(ctx: _Context) -> Found | None:
    close = names.fuzzy(ctx.words, ctx.known, ctx.mentions, ctx.at, ctx.state.proposed)
    if not close:
        return None
    return close, close not in ctx.known.participants, f"{ctx.phrase.how}: '{ctx.words}' is close to the name of {close}"


def _last_organisation(ctx: _Context) -> Found | None:
    """"the ministry", "its office": the organisation quoted last."""
    if DEFINITE.search(ctx.words) and ctx.state.org and re.match(r"(?:the|its)\s+\w+$", ctx.words, re.IGNORECASE):
        return ctx.state.org, False, f"{ctx.phrase.how}: '{ctx.words}' -> the organisation last quoted"
    return None


def _side(ctx: _Context) -> Found | None:
    """"the Syrian side": the state the qualifier names."""
    side = re.fullmatch(r"(?:the\s+)?(?P<q>[A-Z][a-z]+)\s+(?:side|delegation|party)", ctx.words.strip())
    if not side:
        return None
    states = [pid for pid, r in ctx.known.participants.items() if r["participant_kind"] == ParticipantKind.STATE
              and names.qualifiers(r["name"]) & names.qualifiers(side.group("q"))]
    if len(states) == 1:
        return states[0], False, f"{ctx.phrase.how}: '{ctx.words}' -> the state {states[0]}"
    return None


def _newcomer(ctx: _Context) -> Found | None:
    """A name the registries do not know, proposed as a new participant."""
    name = names.new_name(ctx.words, {m.text for m in ctx.inside})
    if not name:
        return None
    ctx.state.proposed[name] = names.slug(name)
    return names.slug(name), True, f"{ctx.phrase.how}: '{ctx.words}' names '{name}', whom the registries do not know"


def _state(ctx: _Context) -> Found | None:
    if not ctx.inside:
        return None
    return ctx.inside[0].participant_id, False, f"{ctx.phrase.how}: '{ctx.words}' names the state {ctx.inside[0].participant_id}"


def referent(text: str, mentions: list[Mention], at: int) -> str | None:
    """Who 'he' is: going back sentence by sentence, the first person named before any pronoun in a sentence."""
    people = [m for m in mentions if m.kind in (ParticipantKind.PERSON, NEW)]
    pos = at
    for _ in range(6):
        s, e = sentence_at(text, pos)
        e = min(e, at)
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
