"""The two measurements of the curation assistant, and the numbers of edits its drafts needed.

- leave-one-out: every confirmed article drafted as if new, against registries from which everything known only
  from that article has been removed, then compared with its confirmed coding;
- first contact: the drafts `tstalks add` wrote for articles when they first came in, kept unedited in
  `benchmarks/first-contact/<article>/` before anyone corrected them, compared with their confirmed coding.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...build import codings as load
from ...build import resolve
from ...core.problems import Failed, Problem
from ...core.project import Project
from ...core.schemas import load_schemas
from .. import assistant
from ..lexicon import load_lexicon
from . import bundle
from .compare import Date, Score, Truth, score

FIRST_CONTACT = "benchmarks/first-contact"
KNOWN_FILE = "known.yaml"  # which registry ids the assistant knew when it drafted the article


@dataclass
class Measured:
    score: Score
    edits: int | None = None  # lines the curator changed (first contact only)


def _resolved(project: Project) -> tuple[load.Codings, resolve.Resolution, set[str]]:
    codings = load.load_codings(project, load_schemas(project.schemas))
    resolution, pending = assistant.confirmed(codings)
    return codings, resolution, pending


def supplied_date(resolution: resolve.Resolution, aid: str) -> Date:
    """The publication date a curator supplied at capture (not printed), which `tstalks add` is given too."""
    row = next(r for r in resolution.tables["articles"] if r["article_id"] == aid)
    if row.get("published_date_source") == "supplied" and row["published_date"]:
        return row["published_date"], row["published_date_precision"]
    return None


def leave_one_out(project: Project) -> list[Measured]:
    codings, res, pending = _resolved(project)
    lexicon = load_lexicon(project.schemas)
    out = []
    for coding in codings.articles:
        aid = coding.data["article"]
        if aid in pending or aid not in res.texts:
            continue
        seed = res.texts[aid].seed
        known = assistant.known_from(res, codings, leave_out=pending | {aid})
        row = next(r for r in res.tables["articles"] if r["article_id"] == aid)
        given = _given(row)
        d = assistant.draft(seed.text, known, lexicon, aid, seed.file, seed.sha256, **given)
        drafted = bundle.parse(*assistant.render_bundle(d))
        out.append(Measured(score(drafted, Truth.of(res, aid), known, supplied_date(res, aid))))
    return out


def _given(row: dict[str, Any]) -> dict[str, Any]:
    """What a curator supplies at capture, as `tstalks add` options (only what was supplied, not printed)."""
    given: dict[str, Any] = {}
    if row.get("url_source") == "supplied":
        given["url"] = row["url"]
    if row.get("outlet_source") == "supplied":
        given["outlet"] = row["outlet"]
    if row.get("published_date_source") == "supplied" and row.get("published_date_precision") == "day":
        given["published"] = row["published_date"].isoformat()
    return given


def first_contact(project: Project) -> list[Measured]:
    folder = project.root / FIRST_CONTACT
    if not folder.is_dir():
        return []
    codings, res, _ = _resolved(project)
    schemas = codings.schemas
    out = []
    for kept in sorted(p for p in folder.iterdir() if p.is_dir()):
        aid = kept.name
        if aid not in res.texts:
            raise Failed([Problem(project.relative(kept), None, "", f"article '{aid}' is not coded",
                                  "a first-contact draft is kept for an article of the dataset; remove the folder")])
        drafted = bundle.load(kept, schemas.registries)
        known = _known_then(kept, assistant.known_from(res, codings, leave_out=set()))
        measured = score(drafted, Truth.of(res, aid), known, supplied_date(res, aid))
        out.append(Measured(measured, edits(drafted, codings, aid, known)))
    return out


def _known_then(kept: Path, now: assistant.Known) -> assistant.Known:
    """The registries as the assistant knew them when it drafted the kept article (ids recorded beside the draft)."""
    ids = yaml.safe_load((kept / KNOWN_FILE).read_text("utf-8")) or {}
    keep = {k: set(ids.get(k) or []) for k in ("participants", "events", "statements")}
    return assistant.Known({p: r for p, r in now.participants.items() if p in keep["participants"]},
                           {s: {p for p in ps if p in keep["participants"]} for s, ps in now.spellings.items()},
                           {e: r for e, r in now.events.items() if e in keep["events"]},
                           {s: r for s, r in now.statements.items() if s in keep["statements"]}, now.outlets)


def known_ids(known: assistant.Known) -> str:
    """The KNOWN_FILE kept beside a first-contact draft."""
    return yaml.safe_dump({"participants": sorted(known.participants), "events": sorted(known.events),
                           "statements": sorted(known.statements)}, sort_keys=False)


def edits(drafted: bundle.Bundle, codings: load.Codings, aid: str, known: assistant.Known) -> int:
    """Lines a curator changed to turn the draft into the confirmed coding: the article coding and the registry
    entries new to the registries, each as canonical YAML without draft marks, compared line by line."""
    confirmed = next(c.data for c in codings.articles if c.data["article"] == aid)
    referenced = _referenced(confirmed)
    before = _lines(_unmarked(drafted.article))
    after = _lines(confirmed)
    for kind, ids in (("participants", known.participants), ("events", known.events), ("statements", known.statements)):
        new = [e for e in codings.registries[kind].data[kind] if e["id"] not in ids and e["id"] in referenced]
        before += _lines([_unmarked(e) for e in drafted.registries.get(kind, [])])
        after += _lines(new)
    return sum(1 for line in difflib.ndiff(before, after) if line[:1] in "+-")


def _referenced(article: dict[str, Any]) -> set[str]:
    """The registry ids an article coding refers to."""
    ids = set(article.get("aliases") or {})
    for q in article.get("quotes") or []:
        ids |= {q.get("statement"), q.get("via")}
    for m in article.get("events") or []:
        ids |= {m.get("event")} | {p.get("participant") for p in m.get("participants") or []}
    return {i for i in ids if i}


def _unmarked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items() if k != "draft"}
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    return value


def _lines(value: Any) -> list[str]:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=10_000).splitlines()
