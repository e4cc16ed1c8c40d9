"""The draft as an article coding file: YAML in the usual format, every drafted item marked `draft:` with its rule
and evidence. Written line by line (not by a YAML dumper) so that the file reads as a curator would write it."""
from __future__ import annotations

import re
from typing import Any

from ...core.spans import pattern
from ...core.vocab import ArticleDateSource
from . import layout as layout_rules
from .model import Draft, DraftEvent, DraftQuote, DraftUncoded, Mark, ProposedEvent, ProposedParticipant, ProposedStatement

HEADER = [
    "# DRAFT written by `tstalks add`: every item marked `draft:` is a proposal with the rule and the evidence",
    "# that produced it. Check each against the seed, correct it, then delete its `draft:` key; delete the",
    "# top-level `draft:` block when it is empty. `tstalks build` refuses this file until no draft mark remains.",
]
REGISTRY_HEADER = "  # Proposed by `tstalks add` for {article}: check each entry against the seed, correct it, delete its `draft:`."


def render(d: Draft) -> str:
    """The draft as a YAML article coding, every drafted item marked."""
    out = [*HEADER, *_metadata(d), *_published(d), *_body(d), *_aliases(d), *_events(d), *_quotes(d), *_uncoded(d),
           *_draft_block(d)]
    return "\n".join(out) + "\n"


def render_bundle(d: Draft) -> tuple[str, dict[str, str]]:
    """The article coding, and for each registry the entries to append to it (list items, two spaces in)."""
    registries = {}
    for kind, entries in (("participants", [_participant(p) for p in d.participants.values()]),
                          ("events", [_registry_event(e) for e in d.proposed_events.values()]),
                          ("statements", [_statement(s) for s in d.statements.values()])):
        if entries:
            registries[kind] = "\n".join([REGISTRY_HEADER.format(article=d.article_id), *[line for e in entries for line in e]]) + "\n"
    return render(d), registries


def _entry(fields: list[tuple[str, Any]], mark: Mark) -> list[str]:
    """One registry entry: its fields in order (those without a value left out), then its draft mark."""
    out: list[str] = []
    for k, v in fields:
        if v is None or v == () or v == []:
            continue
        prefix = "  - " if not out else "    "
        if isinstance(v, dict):
            out.append(f"{prefix}{k}:")
            out += [f"      {dk}: {_value(dv)}" for dk, dv in v.items()]
        elif isinstance(v, (list, tuple)):
            out.append(f"{prefix}{k}: [{', '.join(str(x) for x in v)}]")
        else:
            out.append(f"{prefix}{k}: {_value(v)}")
    return out + _mark(mark, 4)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return _q(str(v)) if not _plain_id(str(v)) else str(v)


def _plain_id(v: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", v)) and v not in ("true", "false", "null", "yes", "no", "on", "off")


def _participant(p: ProposedParticipant) -> list[str]:
    return _entry([("id", p.id), ("kind", p.kind), ("name", p.name), ("role_title", p.role_title),
                   ("affiliation", p.affiliation), ("country_code", p.country_code), ("cow_code", p.cow_code)], p.mark)


def _registry_event(e: ProposedEvent) -> list[str]:
    return _entry([("id", e.id), ("type", e.type), ("title", e.title), ("date", e.date), ("city", e.city),
                   ("status", e.status)], e.mark)


def _statement(s: ProposedStatement) -> list[str]:
    return _entry([("id", s.id), ("speaker", s.speaker), ("event", s.event), ("kind", s.kind), ("date", s.date),
                   ("summary", s.summary), ("topics", list(s.topics))], s.mark)


def _metadata(d: Draft) -> list[str]:
    lay = d.layout
    out = [f"article: {d.article_id}", "seed:", f"  file: {_q(d.seed_file)}", f"  sha256: {_q(d.sha256)}"]
    if d.outlet and "outlet" not in d.given:
        out.append(f"outlet: {_q(d.outlet)}")
    if d.url and "url" not in d.given:
        out.append(f"url: {_q(d.url)}")
    if lay.title:
        out.append(f"title: {_q(lay.title.text)}")
    if lay.byline:
        out.append(f"byline: {_q(lay.byline.text)}")
    if lay.dateline:
        out.append(f"dateline: {_q(lay.dateline.text)}")
    return out


def _published(d: Draft) -> list[str]:
    p = d.published
    if p.source == ArticleDateSource.SUPPLIED:
        return []  # the capture record gives it
    out = ["published:", f"  source: {p.source}"]
    for k, v in (("expression", p.expression), ("value", p.value), ("note", p.note)):
        if v is not None:
            out.append(f"  {k}: {_q(v)}")
    if "published" not in d.given:
        out += _mark(p.mark, 2)
    return out


def _body(d: Draft) -> list[str]:
    lay, text = d.layout, d.text
    first, last = _edge_words(text, lay.body_start, lay.body_end)
    out = ["body:", "  first:", f"    text: {_q(first)}", *_occurrence(text, first, lay.body_start, 0, None, 4),
           "  last:", f"    text: {_q(last)}", *_occurrence(text, last, lay.body_end - len(last) - 5, 0, None, 4)]
    return out + _mark(Mark(lay.body_rule, _block_summary(lay)), 2)


def _aliases(d: Draft) -> list[str]:
    if not d.aliases:
        return []
    return ["aliases:", *(f"  {pid}: [{', '.join(_q(s) for s in spellings)}]" for pid, spellings in sorted(d.aliases.items()))]


def _events(d: Draft) -> list[str]:
    if not d.events:
        return []
    out = ["events:"]
    for e in d.events:
        out += _event(d, e)
    return out


def _event(d: Draft, e: DraftEvent) -> list[str]:
    lay, text = d.layout, d.text
    out = [f"  - event: {e.event_id}", f"    text: {_q(e.text)}",
           *_occurrence(text, e.text, e.start, lay.body_start, lay.body_end, 4)]
    if e.date_expression:
        out.append(f"    date_expression: {_q(e.date_expression)}")
    if e.participants:
        out.append("    participants:")
        for pid, role, words in e.participants:
            out += [f"      - participant: {pid}", f"        role: {role}", f"        text: {_q(words)}"]
            out += _occurrence(text, words, None, lay.body_start, lay.body_end, 8, within=(e.start, e.end))
            out += _mark(Mark("a registry participant of the event, named in the mention", words), 8)
    return out + _mark(e.mark, 4)


def _quotes(d: Draft) -> list[str]:
    if not d.quotes:
        return []
    out = ["quotes:"]
    for i, q in enumerate(d.quotes, 1):
        out += _quote(d, i, q)
    return out


def _quote(d: Draft, i: int, q: DraftQuote) -> list[str]:
    out = [f"  - id: {d.article_id}-q{i:02d}", f"    statement: {q.statement}", f"    text: {_q(' '.join(q.text.split()))}"]
    if q.occurrence:
        out.append(f"    occurrence: {q.occurrence}")
    out.append(f"    mode: {q.mode}")
    if q.via:
        out.append(f"    via: {q.via}")
    return [*out, *_mark(q.mark, 4, speaker=q.speaker)]


def _uncoded(d: Draft) -> list[str]:
    if not d.uncoded:
        return []
    out = ["uncoded:"]
    for u in d.uncoded:
        out += _set_aside(u)
    return out


def _set_aside(u: DraftUncoded) -> list[str]:
    out = [f"  - text: {_q(' '.join(u.text.split()))}"]
    if u.occurrence:
        out.append(f"    occurrence: {u.occurrence}")
    return [*out, f"    reason: {_q(u.reason)}", *_mark(u.mark, 4)]


def _draft_block(d: Draft) -> list[str]:
    """The top-level `draft:` block: drafted fields, aliases, proposed participants, date expressions."""
    out = ["draft:"]
    fields = [(k, m) for k, m in _fields(d).items() if k not in d.given]
    if fields:
        out.append("  fields:")
    for k, m in fields:
        out += [f"    {k}:", f"      rule: {_q(m.rule)}", f"      evidence: {_q(m.evidence)}"]
    if d.aliases:
        out.append("  aliases:")
        how = "a spelling of a registry participant found in the body (surnames of persons included)"
        for pid, spellings in sorted(d.aliases.items()):
            out += [f"    {pid}:", f"      rule: {_q(how)}", f"      evidence: {_q(', '.join(spellings))}"]
    if d.asks:
        out.append("  asks:")
        for m in d.asks:
            out += [f"    - rule: {_q(m.rule)}", f"      evidence: {_q(m.evidence)}"]
    if d.dates:
        out.append("  dates:")
        for x in d.dates:
            value = (f"{x.value} ({x.precision}, rule {x.resolution})" if x.value else f"unresolved: {x.error}")
            out += [f"    - expression: {_q(' '.join(x.text.split()))}", f"      resolved: {_q(value)}"]
    return out if len(out) > 1 else ["draft: {}  # nothing drafted at the top level; delete this line"]


def _fields(d: Draft) -> dict[str, Mark]:
    lay = d.layout
    fields = {"outlet": Mark("a known outlet named outside the body, the name the publisher's blocks use, "
                             "or the URL's host", d.outlet)} if d.outlet else {}
    if d.url:
        fields["url"] = Mark(lay.own_url.rule if lay.own_url else "given with --url", d.url)
    if lay.title:
        fields["title"] = Mark(lay.title.rule, lay.title.text)
    if lay.byline:
        fields["byline"] = Mark(lay.byline.rule, lay.byline.text)
    if lay.dateline:
        fields["dateline"] = Mark(lay.dateline.rule, lay.dateline.text)
    return fields


def _mark(m: Mark, indent: int, speaker: str | None = None) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}draft:", f"{pad}  rule: {_q(m.rule)}", f"{pad}  evidence: {_q(m.evidence)}"]
    if speaker:
        lines.append(f"{pad}  speaker: {speaker}")
    return lines


def _edge_words(text: str, start: int, end: int, n: int = 8) -> tuple[str, str]:
    words = text[start:end].split()
    return " ".join(words[:n]), " ".join(words[-n:])


def _occurrence(text: str, words: str, at: int | None, start: int, end: int | None, indent: int,
                within: tuple[int, int] | None = None) -> list[str]:
    """An `occurrence:` line when `words` (at offset `at`, or the first inside `within`) occur more than once."""
    found = [m.start() for m in pattern(words).finditer(text, start, end if end is not None else len(text))]
    number = _number(found, at, within) if len(found) > 1 else None
    return [f"{' ' * indent}occurrence: {number}"] if number else []


def _number(found: list[int], at: int | None, within: tuple[int, int] | None) -> int | None:
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
