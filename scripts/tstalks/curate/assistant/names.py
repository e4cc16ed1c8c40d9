"""Stage: the names in the body. Every spelling of a known participant (with the names ISO 3166 gives a known
state: "Türkiye" is Turkey), every news medium of the lexicon, every titled name the registries do not know
("Syrian Foreign Minister Faisal Mekdad"); and the rules that tell who a description names."""
from __future__ import annotations

import re
import unicodedata

import pycountry
from rapidfuzz import fuzz

from ...core.spans import pattern
from ...core.vocab import ParticipantKind
from ..lexicon import Lexicon, alternation
from .model import NEW, Known, Mention

Spans = list[tuple[int, int]]
NAME_RUN = re.compile(r"(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al)(?:\s+(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al))*")
DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ish|ian|ese|ean|i)$")
STOP = {"the", "a", "an", "its", "their", "his", "her", "of", "and", "in", "on", "at", "to", "from", "by", "with", "s"}
INSTITUTION = re.compile(r"(?:[A-Z][\w’'-]*\s+){1,4}(?:Ministry|Agency|Office|Presidency|Government|Council|Kremlin)")
# Qualifier words that say what kind of body, not whose ("Defense Ministry").
NOT_QUALIFIERS = {"defense", "defence", "foreign", "interior", "state", "news", "the", "deputy", "minister", "ministers"}
_NAME = r"[A-Z][\w’'-]+(?:\s+(?:al-|Al\s+|bin\s+)?[A-Z][\w’'-]+){1,3}"


def slug(words: str) -> str:
    """The identifier proposed for a name: lower case, hyphenated, no possessive, no accents."""
    s = re.sub(r"[’']s\b", "", fold(words).lower())
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "unnamed"


def fold(words: str) -> str:
    """The words without accents ("Türkiye" -> "Turkiye")."""
    return "".join(c for c in unicodedata.normalize("NFKD", words) if not unicodedata.combining(c))


def iso_names(code: str) -> set[str]:
    """The names ISO 3166 gives a state (and their unaccented forms); names with a comma are catalogue forms."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return set()
    names = {getattr(country, k, None) for k in ("name", "common_name", "official_name")}
    return {n for name in names if name and "," not in name for n in (name, fold(name))}


def spellings(known: Known) -> dict[str, str]:
    """Known spellings, the ISO 3166 names of known states, and each person's surname when no one else bears it
    ("Akar", "Erdogan", "Assad")."""
    out = {s: next(iter(ids)) for s, ids in known.spellings.items() if len(ids) == 1}
    for pid, row in known.participants.items():
        if row["participant_kind"] == ParticipantKind.STATE and row.get("country_code"):
            for name in iso_names(row["country_code"]):
                out.setdefault(name, pid)
    for last, ids in _surnames(known, out).items():
        if len(ids) == 1 and last not in out:
            out[last] = next(iter(ids))
    return out


def _surnames(known: Known, spelled: dict[str, str]) -> dict[str, set[str]]:
    """Surname -> the persons whose spellings of two words or more end with it."""
    surnames: dict[str, set[str]] = {}
    for spelling, pid in spelled.items():
        if known.participants[pid]["participant_kind"] != ParticipantKind.PERSON or len(spelling.split()) < 2:
            continue
        last = re.sub(r"^(?:al|el)-", "", spelling.split()[-1], flags=re.IGNORECASE)
        if len(last) > 2:
            surnames.setdefault(last, set()).add(pid)
    return surnames


def titled(lexicon: Lexicon) -> re.Pattern[str]:
    """A title of the lexicon, with the qualifiers before it, then a name: "Syrian Foreign Minister Faisal Mekdad"."""
    titles = alternation([t.words for t in lexicon.titles])
    return re.compile(rf"\b(?P<title>(?:(?:[A-Z][a-z]+|[A-Z][a-z]+[’']s)\s+)*(?i:{titles}),?)\s+(?P<name>{_NAME})")


def mentions(text: str, start: int, end: int, known: Known, lexicon: Lexicon) -> list[Mention]:
    """Every spelling of a known participant in the body (longest first, no overlaps), every medium the lexicon
    knows, and every titled name the registries do not know (as a proposed new person), in text order."""
    taken: Spans = []
    names = spellings(known)
    found = _known_names(text, start, end, known, names, taken)
    found += _media(text, start, end, lexicon, known, names, taken)
    found += _newcomers(text, start, end, lexicon, taken)
    return sorted(found, key=lambda m: m.start)


def _known_names(text: str, start: int, end: int, known: Known, names: dict[str, str], taken: Spans) -> list[Mention]:
    found = []
    for spelling in sorted(names, key=lambda s: (-len(s), s)):
        pid = names[spelling]
        row = known.participants[pid]
        for m in pattern(spelling).finditer(text, start, end):
            if word_edge(text, m.start(), m.end()) and not _overlaps(m.start(), m.end(), taken):
                taken.append((m.start(), m.end()))
                found.append(Mention(pid, text[m.start():m.end()], m.start(), m.end(), row["participant_kind"],
                                     medium=is_medium(row)))
    return found


def is_medium(row: dict[str, object]) -> bool:
    """A known participant that is a news medium: its name or its role title says so."""
    words = f"{row.get('name') or ''} {row.get('role_title') or ''}"
    return bool(re.search(r"\b(?:news|agency|media|broadcaster|television|newspaper|outlet|wire)\b", words, re.IGNORECASE))


def _media(text: str, start: int, end: int, lexicon: Lexicon, known: Known, names: dict[str, str], taken: Spans) -> list[Mention]:
    """Media of the lexicon, each under the id the registries know it by (any of its names), else the id of its
    main name."""
    found = []
    for medium in lexicon.media:
        pid = next((names[n] for n in medium.names if n in names), slug(medium.name))
        kind = known.participants[pid]["participant_kind"] if pid in known.participants else NEW
        for name in sorted(medium.names, key=len, reverse=True):
            # An all-capital short name must be written so ("AP", not "ap"); names are matched as whole words.
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text[:end]):
                if m.start() >= start and not _overlaps(m.start(), m.end(), taken):
                    taken.append(m.span())
                    found.append(Mention(pid, m.group(0), m.start(), m.end(), kind, medium=True))
    return found


def _newcomers(text: str, start: int, end: int, lexicon: Lexicon, taken: Spans) -> list[Mention]:
    """Titled names the registries do not know, and their later mentions by surname alone."""
    found = []
    surnames: dict[str, str] = {}
    for m in titled(lexicon).finditer(text, start, end):
        s, e = m.span("name")
        if _overlaps(s, e, taken):
            continue
        taken.append((s, e))
        name = " ".join(m.group("name").split())
        title = re.sub(r"^(?:The|A|An|His|Her|Its|Their)\s+", "", " ".join(m.group("title").rstrip(",").split()))
        found.append(Mention(slug(name), name, s, e, NEW, title=title))
        surnames.setdefault(name.split()[-1], slug(name))
    for last, pid in surnames.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(last)}(?![\w-])", text[:end]):
            if m.start() >= start and not _overlaps(m.start(), m.end(), taken):
                taken.append(m.span())
                found.append(Mention(pid, last, m.start(), m.end(), NEW))
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


def new_name(words: str, definite: re.Pattern[str], states: set[str] | frozenset[str] = frozenset(),
             sentence_start: bool = False) -> str | None:
    """The name a speaker phrase gives someone the registries do not know. A single capitalised word that opens the
    sentence is not taken for a name ("Special attention was focused on")."""
    words = " ".join(words.split())
    owner = re.match(r"^(?:the\s+)?(?P<owner>.+?)[’']s\s+(?:statement|readout|communiqu\w+|release)$", words, re.IGNORECASE)
    if owner:  # "the Turkish Defense Ministry's statement": the ministry speaks
        words = owner.group("owner")
    last = words.split()[-1] if words.split() else ""
    if definite.fullmatch(last.lower()) or definite.fullmatch(last):  # an institution: "the Turkish defense ministry"
        core = re.sub(r"^(?:the|its|a|an)\s+", "", words, flags=re.IGNORECASE)
        return core if core and len(core.split()) > 1 else None
    names = [n for n in NAME_RUN.findall(words) if _could_be_a_name(n, states)]
    if sentence_start and names and len(names[0].split()) == 1 and words.startswith(names[0]):
        names = names[1:]
    return max(names, key=len) if names else None


def _could_be_a_name(n: str, states: set[str] | frozenset[str]) -> bool:
    first = n.split()[0]
    return (not DEMONYM.match(n) and n.lower() not in STOP and first not in ("On", "In", "At", "The", "This", "That")
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


def state_of(qualifier: str, known: Known) -> str | None:
    """The one known state a qualifier names ("Syrian", "Turkey's", "Türkiye's")."""
    wanted = qualifiers(qualifier)
    states = [pid for pid, r in known.participants.items() if r["participant_kind"] == ParticipantKind.STATE
              and (qualifiers(r["name"]) | {q for n in iso_names(r.get("country_code") or "") for q in qualifiers(n)}) & wanted]
    return states[0] if len(states) == 1 else None


def _last_pos(mentions: list[Mention], pid: str, before: int) -> int:
    return max((m.start for m in mentions if m.participant_id == pid and m.start < before), default=-1)


CLOSE = 85  # rapidfuzz token-set ratio from which a description is taken to name a participant


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
    """Stems of the capitalised qualifiers of a name ("Turkish", "Turkey's", "Türkiye" -> "turk"), institution
    nouns left out."""
    return {fold(w).lower()[:4] for w in re.findall(r"[A-ZÀ-Ý][a-zà-ÿ]+", words)
            if w.lower() not in NOT_QUALIFIERS and not re.fullmatch(r"ministr\w*|agency|office|government|side", w.lower())}


def _same_country(a: str, b: str) -> bool:
    """False when both names carry qualifiers and share none: "Syrian defense ministry" is not the Russian one."""
    qa, qb = qualifiers(a), qualifiers(b)
    return not (qa and qb and not qa & qb)
