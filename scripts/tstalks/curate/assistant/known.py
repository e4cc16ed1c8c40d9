"""What the registries know, as the assistant matches a new article against them: everything the other articles
attest, and nothing known only from the articles left out (the one being drafted, pending drafts)."""
from __future__ import annotations

import dataclasses
from typing import Any

from ...build import resolve
from ...build.codings import CodingFile, Codings
from ...build.resolve import Resolution
from .model import Known, KnownEvent

Rows = list[dict[str, Any]]


def confirmed(codings: Codings) -> tuple[Resolution, set[str]]:
    """The codings resolved without what is still a draft (articles with a pending `draft:` block, registry entries
    with a `draft:` mark), and the ids of the pending articles: one article's unfinished draft must not stop the
    drafting of another. Raises Failed when the confirmed codings themselves do not resolve."""
    pending = {c.data["article"] for c in codings.articles if isinstance(c.data, dict) and "draft" in c.data}
    registries = {kind: _without_drafted_entries(kind, f) for kind, f in codings.registries.items()}
    kept = dataclasses.replace(codings, registries=registries,
                               articles=[c for c in codings.articles if c.data.get("article") not in pending])
    return resolve.resolve(kept, allow_drafts=True), pending


def _without_drafted_entries(kind: str, registry: CodingFile) -> CodingFile:
    """The registry without its drafted entries, each kept entry's value lines renumbered with it."""
    kept = [j for j, e in enumerate(registry.data[kind]) if not (isinstance(e, dict) and "draft" in e)]
    new_index = {j: i for i, j in enumerate(kept)}
    lines = {}
    for path, line in registry.lines.items():
        if len(path) >= 2 and path[0] == kind and isinstance(path[1], int):
            if path[1] in new_index:
                lines[(kind, new_index[path[1]]) + tuple(path[2:])] = line
        else:
            lines[path] = line
    return CodingFile(registry.path, {kind: [registry.data[kind][j] for j in kept]}, lines)


def known_from(resolution: Resolution, codings: Codings, leave_out: str | set[str] | None = None) -> Known:
    """The registries as resolved, minus whatever only the articles `leave_out` attest (to draft one as if new,
    and to keep pending drafts out of what counts as known)."""
    t = resolution.tables
    out = {leave_out} if isinstance(leave_out, str) else set(leave_out or ())

    def others(rows: Rows) -> Rows:
        return [r for r in rows if r["article_id"] not in out]

    aliases = others(t["participant_aliases"])
    attested = {r["participant_id"] for r in aliases}
    participants = {r["participant_id"]: r for r in t["participants"] if not out or r["participant_id"] in attested}
    quoted = {r["statement_id"] for r in others(t["quotes"])}
    statements = {r["statement_id"]: r for r in t["statements"] if not out or r["statement_id"] in quoted}
    outlets = {r["outlet"] for r in t["articles"] if r["article_id"] not in out}
    cow = {row["description"]: int(row["code"]) for row in codings.schemas.codelists.get("cow_state", [])}
    return Known(participants, _spellings(aliases, participants), _events(t, others, out), statements, outlets, cow,
                 _quotes(others(t["quotes"]), statements))


def _quotes(rows: Rows, statements: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The words of each known statement's quotes in the other articles."""
    quotes: dict[str, tuple[str, ...]] = {}
    for r in rows:
        if r["statement_id"] in statements:
            quotes[r["statement_id"]] = (*quotes.get(r["statement_id"], ()), r["quote_text"])
    return quotes


def _spellings(aliases: Rows, participants: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Spelling (white space made single) -> the participants it names: their aliases, then their names."""
    spellings: dict[str, set[str]] = {}
    for r in aliases:
        if r["participant_id"] in participants:
            spellings.setdefault(" ".join(r["alias"].split()), set()).add(r["participant_id"])
    for pid, r in participants.items():
        spellings.setdefault(r["name"], set()).add(pid)
    return spellings


def _events(t: dict[str, Rows], others: Any, out: set[str]) -> dict[str, KnownEvent]:
    """The events some other article mentions, each with the roles its participants have there. Dates stay as the
    registry has them even when a left-out article's words give them: another article reports the event too, and a
    curator without the left-out article would have dated it from that one."""
    seen = {r["event_id"] for r in others(t["event_sources"])}
    members: dict[str, dict[str, str]] = {}
    for r in others(t["event_participants"]):
        members.setdefault(r["event_id"], {})[r["participant_id"]] = r["event_role"]
    events = {}
    for e in t["events"]:
        if out and e["event_id"] not in seen:
            continue
        roles = members.get(e["event_id"], {})
        events[e["event_id"]] = KnownEvent(e["event_id"], e["title"], e["start_date"], e["start_date_precision"],
                                           e["end_date"], e["city"], e["country_code"], frozenset(roles), roles,
                                           e["event_type"], e["event_format"], e["event_level"], e["event_status"])
    return events
