"""Stage: the names in the body. Every spelling of a known participant, every titled name the registries do not
know; and the rules that tell who a description names (a close name, the state a qualifier names)."""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from ...core.spans import pattern
from ...core.vocab import ParticipantKind
from .lexicon import DEFINITE, DEMONYM, INSTITUTION, NAME_RUN, NOT_QUALIFIERS, STOP, TITLED
from .model import NEW, Known, Mention

Spans = list[tuple[int, int]]


def slug(words: str) -> str:
    """The identifier proposed for a name: lower case, hyphenated, no possessive."""
    s = re.sub(r"[’']s\b", "", words.lower())
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "unnamed"


def spellings(known: Known) -> dict[str, str]:
    """Known spellings, plus each person's surname when no one else bears it ("Akar", "Erdogan", "Assad")."""
    out = {s: next(iter(ids)) for s, ids in known.spellings.items() if len(ids) == 1}
    surnames: dict[str, set[str]] = {}
    for pid, row in known.participants.items():
        if row["participant_kind"] != ParticipantKind.PERSON:
            continue
        for spelling in [s for s, p in out.items() if p == pid]:
            last = re.sub(r"^(?:al|el)-", "", spelling.split()[-1], flags=re.IGNORECASE)
            if len(spelling.split()) > 1 and len(last) > 2:
                surnames.setdefault(last, set()).add(pid)
    for last, ids in surnames.items():
        if len(ids) == 1 and last not in out:
            out[last] = next(iter(ids))
    return out


def mentions(text: str, start: int, end: int, known: Known) -> list[Mention]:
    """Every spelling of a known participant in the body (longest first, no overlaps), and every titled
    name the registries do not know (as a proposed new person), in text order."""
    taken: Spans = []
    found = _known_names(text, start, end, known, taken)
    surnames: dict[str, str] = {}
    for m in TITLED.finditer(text, start, end):
        s, e = m.span("name")
        if not _overlaps(s, e, taken):
            taken.append((s, e))
            name = " ".join(m.group("name").split())
            found.append(Mention(slug(name), name, s, e, NEW))
            surnames.setdefault(name.split()[-1], slug(name))
    for last, pid in surnames.items():  # later mentions of a titled newcomer by surname alone
        for m in re.finditer(rf"(?<![\w-]){re.escape(last)}(?![\w-])", text[:end]):
            if m.start() >= start and not _overlaps(m.start(), m.end(), taken):
                taken.append(m.span())
                found.append(Mention(pid, last, m.start(), m.end(), NEW))
    return sorted(found, key=lambda m: m.start)


def _known_names(text: str, start: int, end: int, known: Known, taken: Spans) -> list[Mention]:
    found = []
    names = spellings(known)
    for spelling in sorted(names, key=len, reverse=True):
        pid = names[spelling]
        for m in pattern(spelling).finditer(text, start, end):
            if word_edge(text, m.start(), m.end()) and not _overlaps(m.start(), m.end(), taken):
                taken.append((m.start(), m.end()))
                found.append(Mention(pid, text[m.start():m.end()], m.start(), m.end(),
                                     known.participants[pid]["participant_kind"]))
    return found


def _overlaps(start: int, end: int, taken: Spans) -> bool:
    return any(a < end and start < b for a, b in taken)


def word_edge(text: str, start: int, end: int) -> bool:
    """text[start:end] is not part of a longer word."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def last_institution(text: str, before: int) -> str | None:
    """The last capitalised name of an institution before `before` ("the statement" is most likely its)."""
    found = list(INSTITUTION.finditer(text, max(0, before - 1500), before))
    return " ".join(found[-1].group(0).split()) if found else None


def new_name(words: str, states: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The name a speaker phrase gives someone the registries do not know."""
    words = " ".join(words.split())
    owner = re.match(r"^(?:the\s+)?(?P<owner>.+?)[’']s\s+(?:statement|readout|communiqu\w+|release)$", words, re.IGNORECASE)
    if owner:  # "the Turkish Defense Ministry's statement": the ministry speaks
        words = owner.group("owner")
    last = words.split()[-1] if words.split() else ""
    if DEFINITE.fullmatch(last.lower()) or DEFINITE.fullmatch(last):  # an institution: "the Turkish defense ministry"
        core = re.sub(r"^(?:the|its|a|an)\s+", "", words, flags=re.IGNORECASE)
        return core if core else None
    names = [n for n in NAME_RUN.findall(words) if _could_be_a_name(n, states)]
    return max(names, key=len) if names else None


def _could_be_a_name(n: str, states: set[str] | frozenset[str]) -> bool:
    first = n.split()[0]
    return (not DEMONYM.match(n) and n.lower() not in STOP and first not in ("On", "In", "At")
            and not (first == "The" and len(n.split()) == 1)
            and n not in states and not any(n.startswith(x) for x in states))


def governed(owner: str, head: str, known: Known) -> str | None:
    """The organisation named '<head>' ("government") of the state an owner belongs to ("Assad's government")."""
    row = known.participants.get(owner)
    if not row:
        return None
    state = owner if row["participant_kind"] == ParticipantKind.STATE else row.get("affiliation_id")
    found = [pid for pid, r in known.participants.items()
             if r["participant_kind"] == ParticipantKind.ORGANIZATION and head in r["name"].lower()
             and r.get("affiliation_id") == state]
    return found[0] if len(found) == 1 else None


def _last_pos(mentions: list[Mention], pid: str, before: int) -> int:
    return max((m.start for m in mentions if m.participant_id == pid and m.start < before), default=-1)


def fuzzy(words: str, known: Known, mentions: list[Mention], before: int,
          proposed: dict[str, str] | None = None) -> str | None:
    """A known organisation whose name is close to a description ("the Turkish ministry", "the Defense Ministry in Moscow")."""
    core = " ".join(w for w in re.findall(r"[\w-]+", words) if w.lower() not in STOP)
    if not core:
        return None
    scored = _close_known(core, known, mentions, before)
    for name, pid in (proposed or {}).items():
        score = fuzz.token_set_ratio(core, name, processor=_normal)
        if score >= CLOSE and len(core.split()) > 1 and _same_country(core, name):
            scored.append((score, 0, -1, pid))
    if not scored:
        return None
    scored.sort(reverse=True)
    return str(scored[0][-1])


CLOSE = 85  # rapidfuzz token-set ratio from which a description is taken to name a participant


def _close_known(core: str, known: Known, mentions: list[Mention], before: int) -> list[tuple[float, int, int, str]]:
    """(score, tie-breakers, id) of each known non-state participant with a spelling close to `core`."""
    scored = []
    for spelling, ids in known.spellings.items():
        pid = next(iter(ids))
        if len(ids) != 1 or known.participants[pid]["participant_kind"] == ParticipantKind.STATE:
            continue
        score = fuzz.token_set_ratio(core, spelling, processor=_normal)
        if score >= CLOSE and _same_country(core, spelling):
            # Ties: the qualifier named first ("the Russian and Turkish ministries" -> the Russian), then the latest named.
            first = min((core.lower().find(q) for q in qualifiers(spelling) if q in core.lower()), default=len(core))
            scored.append((score, -first, _last_pos(mentions, pid, before), pid))
    return scored


def _normal(s: str) -> str:
    return s.lower().replace("defence", "defense").replace("ministries", "ministry")


def qualifiers(words: str) -> set[str]:
    """Stems of the capitalised qualifiers of a name ("Turkish", "Turkey's" -> "turk"), institution nouns left out."""
    return {w.lower()[:4] for w in re.findall(r"[A-Z][a-z]+", words) if not DEFINITE.fullmatch(w.lower())
            and w.lower() not in NOT_QUALIFIERS}


def _same_country(a: str, b: str) -> bool:
    """False when both names carry qualifiers and share none: "Syrian defense ministry" is not the Russian one."""
    qa, qb = qualifiers(a), qualifiers(b)
    return not (qa and qb and not qa & qb)
