"""Who speaks, and who relays it: the attribution phrase of a quote resolved to a registry participant, or to a
proposed new one.

The rules are tried in order, each on the phrase ("Assad's government", "Turkish state news agency Anadolu",
"he", "it", "the statement", "the Syrian side", "Turkish officials", a new titled name), and the first that names
someone wins; each says how it decided, which the draft shows the curator as evidence."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.vocab import ParticipantKind
from ..text import sentence_at
from . import names
from .context import Context
from .model import NEW, Attribution, Draft, Known, Mention
from .structure import Attribution as Phrase

Found = tuple[str | None, bool, str]  # (participant id, is it a proposed new one, how it was found)


@dataclass(frozen=True)
class _Case:
    text: str
    phrase: Phrase
    words: str
    inside: list[Mention]  # the mentions inside the phrase
    mentions: list[Mention]
    ctx: Context
    at: int  # where the quote starts
    state: Attribution
    sentence_start: bool  # the phrase opens its sentence

    @property
    def known(self) -> Known:
        return self.ctx.known

    def with_words(self, words: str) -> _Case:
        return _Case(self.text, self.phrase, words, self.inside, self.mentions, self.ctx, self.at, self.state,
                     self.sentence_start)


def resolve(d: Draft, phrase: Phrase | None, ctx: Context, at: int, state: Attribution) -> tuple[str | None, str]:
    """The speaker of a quote at `at` and how it was found; remembers it in `state`."""
    who, _, how = speaker(d, phrase, ctx, at, state)
    if who:
        state.last = who
        row = ctx.known.participants.get(who)
        if (row and row["participant_kind"] != ParticipantKind.PERSON) or (not row and re.search(
                r"-(?:ministry|agency|office|government|presidency|authorities|officials)$", who)):
            state.org = who
    return who, how


def relay(d: Draft, words: str | None, start: int, end: int, ctx: Context) -> str | None:
    """The medium that relays a statement, named in [start, end): a medium mention there, else one the words name;
    never the article's own outlet."""
    if not words:
        return None
    inside = [m for m in d.mentions if start <= m.start < end and m.medium]
    pid = inside[0].participant_id if inside else None
    if pid is None and (medium := ctx.lexicon.medium_named(re.sub(r"^(?:the\s+)?", "", words, flags=re.I))):
        pid = names.slug(medium.name)
    if pid is None and ctx.lexicon.nouns_for("medium").search(words):
        pid = names.fuzzy(words, ctx.known, d.mentions, start) or _unnamed_medium(d, words, start, end)
    if pid and d.outlet and names.slug(d.outlet) in (pid, names.slug(ctx.known.participants.get(pid, {}).get("name", ""))):
        return None
    return pid


def is_medium(pid: str | None, d: Draft, ctx: Context) -> bool:
    if not pid:
        return False
    row = ctx.known.participants.get(pid)
    return names.is_medium(row) if row else any(m.participant_id == pid and m.medium for m in d.mentions)


def speaker(d: Draft, phrase: Phrase | None, ctx: Context, at: int, state: Attribution) -> Found:
    """(participant id, is it a proposed new one, how it was found)."""
    if phrase is None:
        return state.last, False, "no attribution in the sentence; the previous quote's speaker"
    if phrase.how == "group":
        return state.last, False, "a subject standing for the parties (or a passive): the account the sentence goes on with"
    inside = [m for m in d.mentions if phrase.start <= m.start < phrase.end]
    s, _ = sentence_at(d.text, phrase.start)
    case = _Case(d.text, phrase, phrase.words, inside, d.mentions, ctx, at, state, phrase.start <= s + 4)
    for rule in (_owned, _named, _pronoun, _whole_state, _body_of_state):
        found = rule(case)
        if found:
            return found
    # "the Defense Ministry in Moscow": the place says where, the head says who.
    case = case.with_words(re.sub(r"\s+(?:in|from)\s+[A-Z][\w-]+$", "", phrase.words.strip()))
    if re.search(r"\b(?:the|its|this|that)\s+(?:statement|readout|communiqu[ée]|release)\b", case.words, re.I):
        found = _statement_of(case)
        if found:
            return found
        institution = names.last_institution(d.text, at)
        if institution:
            case = case.with_words(institution)
    for rule in (_close_name, _last_organisation, _newcomer, _state):
        found = rule(case)
        if found:
            return found
    return state.last, False, f"{phrase.how}: '{case.words}' names no one; the previous quote's speaker"


def _owned(c: _Case) -> Found | None:
    """"Assad's government": the government of the owner's state."""
    owned = re.search(r"[’']s\s+(?P<head>government|regime|administration|cabinet)\b", c.words, re.IGNORECASE)
    if not owned:
        return None
    owner = next((m for m in c.inside if m.start < c.phrase.start + owned.start() + 2), None)
    pid = names.governed(owner.participant_id, owned.group("head").lower(), c.known) if owner else None
    if owner and pid:
        return pid, False, f"{c.phrase.how}: '{c.words}' -> the {owned.group('head')} of {owner.participant_id}'s state"
    return None


def _named(c: _Case) -> Found | None:
    """A participant (not a state) named in the phrase: the known before the new, the longest name first."""
    named = [m for m in c.inside if m.kind != ParticipantKind.STATE]
    if not named:
        return None
    # "Turkish state news agency Anadolu" names Anadolu; "the Turkish Defense Ministry's statement" the ministry.
    pick = max(named, key=lambda m: (m.kind != NEW, m.end - m.start))
    return pick.participant_id, pick.kind == NEW, f"{c.phrase.how}: '{c.words}' names {pick.participant_id}"


def _pronoun(c: _Case) -> Found | None:
    words = c.words.strip().lower()
    if words in ("he", "she", "him", "her"):
        person = referent(c.text, c.mentions, c.at)
        return person, False, f"{c.phrase.how}: pronoun '{c.words}' -> the subject of the last sentence naming a person"
    if words == "it" and (c.state.org or c.state.last):
        return c.state.org or c.state.last, False, f"{c.phrase.how}: 'it' -> the body that spoke last"
    return None


def _whole_state(c: _Case) -> Found | None:
    """A phrase that is only a state's spelling ("Damascus", "Turkey"): the state (conventions §7)."""
    states = [m for m in c.inside if m.kind == ParticipantKind.STATE]
    bare = re.sub(r"^(?:the\s+)", "", c.words.strip(), flags=re.I)
    if len(states) == 1 and bare == states[0].text:
        state = states[0].participant_id
        org = c.state.org
        # "Moscow stressed", after the Russian ministry's readout: that readout; but a standing position in the present
        # ("Damascus, in turn, is pressing for", "Damascus demands") is the state's own (conventions §9).
        if org and _affiliated(org, state, c) and not _POSITION.match(c.text, c.phrase.end):
            return org, False, f"{c.phrase.how}: '{c.words}' after {org} spoke: its statement (a metonym)"
        return state, False, f"{c.phrase.how}: '{c.words}' is the state {state}"
    return None


_POSITION = re.compile(r"(?:\s*,[^,]{1,20},)?\s+(?:(?:is|are|has\s+been|have\s+been)\s+\w+ing|(?:has|have)\s+(?:long\s+)?\w+ed"
                       r"|demands|insists|wants|seeks|calls\s+for|rejects|refuses)\b")


def _affiliated(pid: str, state: str, c: _Case) -> bool:
    row = c.known.participants.get(pid)
    return bool(row and row.get("affiliation_id") == state)


def _body_of_state(c: _Case) -> Found | None:
    """"the Syrian side", "the Syrian government": its government; "Turkish officials", "the X authorities": the
    state (conventions §7)."""
    noun = re.search(r"\b(?P<noun>\w+)\s*$", c.words.strip())
    meaning = c.ctx.lexicon.nouns.get(noun.group("noun").lower()) if noun else None
    if meaning not in ("state", "government"):
        return None
    state = names.state_of(c.words, c.known) or next((m.participant_id for m in c.inside if m.kind == ParticipantKind.STATE), None)
    if not state:
        return None
    if meaning == "government":
        government = names.governed(state, "government", c.known)
        if government:
            return government, False, f"{c.phrase.how}: '{c.words}' -> the government of {state}"
    return state, False, f"{c.phrase.how}: '{c.words}' -> the state {state}"


def _statement_of(c: _Case) -> Found | None:
    """"the statement": the organisation that spoke last, else the last organisation named."""
    org = c.state.org or next((m.participant_id for m in reversed(c.mentions)
                               if m.start < c.at and m.kind == ParticipantKind.ORGANIZATION), None)
    if not org:
        return None
    return org, org not in c.known.participants, f"{c.phrase.how}: '{c.words}' -> the organisation whose statement was last named"


def _close_name(c: _Case) -> Found | None:
    close = names.fuzzy(c.words, c.known, c.mentions, c.at, c.state.proposed)
    if not close:
        return None
    return close, close not in c.known.participants, f"{c.phrase.how}: '{c.words}' is close to the name of {close}"


def _last_organisation(c: _Case) -> Found | None:
    """"the ministry", "its office": the organisation quoted last."""
    if c.ctx.grammar.definite.search(c.words) and c.state.org and re.match(r"(?:the|its)\s+\w+$", c.words, re.IGNORECASE):
        return c.state.org, False, f"{c.phrase.how}: '{c.words}' -> the organisation last quoted"
    return None


def _newcomer(c: _Case) -> Found | None:
    """A name the registries do not know, proposed as a new participant."""
    name = names.new_name(c.words, c.ctx.grammar.definite, {m.text for m in c.inside}, c.sentence_start)
    if not name:
        return None
    c.state.proposed[name] = names.slug(name)
    return names.slug(name), True, f"{c.phrase.how}: '{c.words}' names '{name}', whom the registries do not know"


def _state(c: _Case) -> Found | None:
    if not c.inside:
        return None
    return c.inside[0].participant_id, False, f"{c.phrase.how}: '{c.words}' names the state {c.inside[0].participant_id}"


def referent(text: str, mentions: list[Mention], at: int) -> str | None:
    """Who 'he' is: going back sentence by sentence, the first person named before any pronoun in a sentence."""
    people = [m for m in mentions if m.kind in (ParticipantKind.PERSON, NEW) and not m.medium]
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


def _unnamed_medium(d: Draft, words: str, start: int, end: int) -> str | None:
    """A medium described, not named ("state media"): proposed under its description, where the body prints it."""
    bare = re.sub(r"^(?:the|its|their)\s+", "", words.strip(), flags=re.I)
    found = re.search(re.escape(bare).replace(r"\ ", r"\s+"), d.text[start:end])
    if not found:
        return None
    pid = names.slug(bare)
    d.mentions.append(Mention(pid, found.group(0), start + found.start(), start + found.end(), NEW, medium=True))
    d.mentions.sort(key=lambda m: m.start)
    return pid
