"""A synthetic corpus for scale tests: a complete project folder that `tstalks build --root DIR` accepts.

The shapes follow the real corpus: articles of a few thousand characters with a header (title, byline,
URL) and a wrapped body; several quotes per article, each quoting a statement from a shared registry;
events reported by several articles (with hosts that disagree, recorded as discrepancies); participants
(states from the COW codelist, ministries, news agencies, people) each named in some article body.
Everything is drawn from one seeded random generator, so the same (N, seed) writes the same bytes.
The text is filler words, not news: it is for timing and for breaking, never for analysis.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.problems import Failed, Problem

QUOTES_PER_ARTICLE = 8  # average; each article has 4 to 12
STATEMENTS_PER_QUOTE = 0.25  # a statement is quoted about four times across the corpus
EVENTS_PER_QUOTE = 0.01
PEOPLE_PER_QUOTE = 0.005

_WORDS = ("security border talks ministers agreed process normalization steps withdrawal forces region dialogue "
          "cooperation meeting sides parties framework future relations stability refugees return highway "
          "counterterrorism threat joint committee working group statement positive constructive further "
          "commitment sovereignty territorial integrity situation ground military political economic humanitarian "
          "issues concerns proposal agreement format level officials delegation contacts results progress "
          "conditions efforts continue support principle respect mutual interests important necessary").split()
_SYLLABLES = ("ka ri mo sa le vo na di ta ro mi ze lu ha be go fi ne pa so ku ye da ra li to ma se vi ba").split()
_CITIES = ("Moscow", "Ankara", "Damascus", "Tehran", "Astana", "Sochi", "Geneva", "Istanbul")
_LEVELS = ("defence_ministers", "foreign_ministers", "intelligence_chiefs", "senior_diplomats")
_TOPICS = ("normalization", "security", "counterterrorism", "refugees", "territorial_integrity", "dialogue_format")
_KINDS = ("readout", "remark", "press_remark", "interview", "report")
_MODES = ("direct", "direct", "paraphrase", "mixed")


@dataclass
class _Article:
    article_id: str
    date: dt.date
    quotes: list[dict[str, Any]] = field(default_factory=list)  # id, statement, words, mode, via, speaker
    events: list[tuple[str, str]] = field(default_factory=list)  # (event_id, host participant id)
    named: list[str] = field(default_factory=list)  # participants whose alias this article records


def _name(i: int, parts: int = 2) -> str:
    """A unique pronounceable name for index i (bijective base-len(_SYLLABLES) digits)."""
    n = len(_SYLLABLES)
    words = []
    for p in range(parts):
        digits = []
        k = i if p == parts - 1 else (i * 7919 + p) % (n ** 3)
        for _ in range(3):
            digits.append(_SYLLABLES[k % n])
            k //= n
        while k:
            digits.append(_SYLLABLES[k % n])
            k //= n
        words.append("".join(digits).capitalize())
    return " ".join(words)


def _states(codelists: Path) -> list[dict[str, Any]]:
    with (codelists / "cow_state.csv").open(encoding="utf-8", newline="") as f:
        return [{"id": f"state-{r['description'].lower()}", "kind": "state", "name": r["title"],
                 "country_code": r["description"], "cow_code": int(r["code"])} for r in csv.DictReader(f)]


def plan(n_quotes: int, schemas: Path, seed: int = 0) -> dict[str, Any]:
    """The registries and per-article contents for `n_quotes` quotes (no text yet). One random generator, drawn from
    in a fixed order, so the same (N, seed) gives the same plan."""
    rng = random.Random(seed)
    states = _states(schemas / "codelists")
    ministries = [{"id": f"{s['id'].removeprefix('state-')}-ministry", "kind": "organization",
                   "name": f"Defence Ministry of {s['name']}", "affiliation": s["id"]} for s in states]
    agencies = [{"id": f"agency-{i}", "kind": "organization", "name": f"{_name(i, 1)} News Agency"} for i in range(5)]
    people = [{"id": f"person-{i:06d}", "kind": "person", "name": _name(i), "role_title": "Minister",
               "affiliation": rng.choice(ministries)["id"]} for i in range(max(10, round(n_quotes * PEOPLE_PER_QUOTE)))]
    events = _events(rng, max(3, round(n_quotes * EVENTS_PER_QUOTE)))
    n_statements = max(1, round(n_quotes * STATEMENTS_PER_QUOTE))
    speakers = people + ministries
    statements = [{"id": f"st-{i:07d}", "speaker": rng.choice(speakers)["id"], "event": rng.choice(events)["id"],
                   "kind": rng.choice(_KINDS), "date": {"from_event": True},
                   "summary": f"Synthetic statement {i}.", "topics": sorted(rng.sample(_TOPICS, rng.randint(1, 2)))}
                  for i in range(n_statements)]
    articles = _quoting_articles(rng, n_quotes, statements, agencies)
    for i, e in enumerate(events):
        mentions = {i % len(articles)} | {rng.randrange(len(articles)) for _ in range(rng.choice((0, 1, 2)))}
        for m in sorted(mentions):
            articles[m].events.append((e["id"], rng.choice(people)["id"]))
    participants = states + ministries + agencies + people
    for i, p in enumerate(participants):
        articles[i % len(articles)].named.append(p["id"])
    hosts: dict[str, list[tuple[str, str]]] = {}
    for a in articles:
        for eid, host in a.events:
            hosts.setdefault(eid, []).append((a.article_id, host))
    return {"participants": participants, "events": events, "statements": statements, "articles": articles,
            "hosts": hosts, "discrepancies": [], "rng": rng}


_BASE = dt.date(2022, 1, 1)


def _events(rng: random.Random, n_events: int) -> list[dict[str, Any]]:
    events = []
    for i in range(n_events):
        day = _BASE + dt.timedelta(days=rng.randrange(0, 700))
        events.append({"id": f"event-{i:06d}", "type": "meeting",
                       "title": f"Meeting {i} of the {rng.choice(_LEVELS).replace('_', ' ')}",
                       "date": {"value": day.isoformat(), "note": "Synthetic date."},
                       "city": rng.choice(_CITIES), "format": "quadrilateral", "level": rng.choice(_LEVELS),
                       "status": "occurred", "_day": day})
    return events


def _quoting_articles(rng: random.Random, n_quotes: int, statements: list[dict[str, Any]],
                      agencies: list[dict[str, Any]]) -> list[_Article]:
    """Articles of 4 to 12 quotes each; every statement is quoted at least once."""
    sizes = []
    left = n_quotes
    while left > 0:
        k = min(left, rng.randint(QUOTES_PER_ARTICLE - 4, QUOTES_PER_ARTICLE + 4))
        sizes.append(k)
        left -= k
    articles = [_Article(f"art-{i:06d}", _BASE + dt.timedelta(days=rng.randrange(0, 730))) for i in range(len(sizes))]
    speaker_of = {s["id"]: s["speaker"] for s in statements}
    n_statements = len(statements)
    order = list(range(n_statements)) + [rng.randrange(n_statements) for _ in range(n_quotes - n_statements)]
    q = 0
    for a, k in zip(articles, sizes, strict=True):
        for _ in range(k):
            st = statements[order[q]]["id"] if q < len(order) else statements[rng.randrange(n_statements)]["id"]
            a.quotes.append({"id": f"q-{q:07d}", "statement": st, "mode": rng.choice(_MODES),
                             "via": rng.choice(agencies)["id"] if rng.random() < 0.1 else None,
                             "speaker": speaker_of[st]})
            q += 1
    return articles


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words)


def _article_text(a: _Article, names: dict[str, str], titles: dict[str, str], rng: random.Random
                  ) -> tuple[str, dict[str, Any]]:
    """The seed text of one article and its coding (without the seed hash)."""
    title = f"Synthetic report {a.article_id} on the talks"
    byline = f"By {_name(int(a.article_id[4:]) + 50_000)}"
    url = f"https://synthetic.example/{a.date:%Y/%m/%d}/{a.article_id}"
    first = f"Dispatch {a.article_id} from {rng.choice(_CITIES)}:"
    last = f"End of dispatch {a.article_id}."
    paragraphs = [first + " " + _sentence(rng, 20, 40) + "."]
    coding: dict[str, Any] = {"article": a.article_id, "seed": {}, "outlet": "Synthetic Wire", "url": url,
                              "title": title, "published": {"source": "url", "expression": url},
                              "body": {"first": {"text": first}, "last": {"text": last}}}
    named = list(dict.fromkeys(a.named + [h for _, h in a.events]))
    if named:
        paragraphs.append("Those named in this dispatch: " + "; ".join(names[p] for p in named) + ".")
        coding["aliases"] = {p: [names[p]] for p in sorted(named)}
    mentions = []
    for eid, host in a.events:
        host_words = f"{names[host]} hosted the {titles[eid]}"
        paragraphs.append(f"{host_words} in a closed session. {_sentence(rng, 10, 30).capitalize()}.")
        mentions.append({"event": eid, "text": host_words,
                         "participants": [{"participant": host, "role": "host", "text": host_words}]})
    if mentions:
        coding["events"] = mentions
    quotes = []
    for q in a.quotes:
        words = _sentence(rng, 12, 28)
        via = f", {names[q['via']]} reported" if q["via"] else ""
        paragraphs.append(f"\u201c{words.capitalize()},\u201d said {names[q['speaker']]}{via}. {_sentence(rng, 15, 40).capitalize()}.")
        entry = {"id": q["id"], "statement": q["statement"], "text": words.capitalize(), "mode": q["mode"]}
        if q["via"]:
            entry["via"] = q["via"]
        quotes.append(entry)
    coding["quotes"] = quotes
    paragraphs.append(last)
    body = "\n\n".join(textwrap.fill(p, 78) for p in paragraphs)
    text = f"{title}\n{byline}\n{url}\n\n{body}\n"
    return text, coding


def _dump(data: Any) -> bytes:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10_000).encode("utf-8")


def synth(n_quotes: int, out: Path, schemas: Path, seed: int = 0) -> dict[str, int]:
    """Write a project folder with `n_quotes` quotes under `out` (which must not exist or be empty).

    Returns counts of what was written."""
    if n_quotes < 1:
        raise Failed([Problem("N", None, "", "must be at least 1", "give a positive number of quotes")])
    if out.exists() and any(out.iterdir()):
        raise Failed([Problem(str(out), None, "", "exists and is not empty", "give a new folder")])
    p = plan(n_quotes, schemas, seed)
    rng: random.Random = p["rng"]
    shutil.copytree(schemas, out / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    seeds_dir, codings_dir = out / "seeds" / "articles", out / "seeds" / "codings"
    (codings_dir / "articles").mkdir(parents=True)
    seeds_dir.mkdir(parents=True, exist_ok=True)
    names = {x["id"]: x["name"] for x in p["participants"]}
    titles = {e["id"]: e["title"] for e in p["events"]}
    hosts_in: dict[tuple[str, str], str] = {}
    for a in p["articles"]:
        text, coding = _article_text(a, names, titles, rng)
        raw = text.encode("utf-8")
        file = f"{a.article_id}.txt"
        (seeds_dir / file).write_bytes(raw)
        coding["seed"] = {"file": file, "sha256": hashlib.sha256(raw).hexdigest()}
        (codings_dir / "articles" / f"{a.article_id}.yaml").write_bytes(_dump(coding))
        for eid, host in a.events:
            hosts_in[(eid, a.article_id)] = host
    discrepancies = []
    for eid, reports in sorted(p["hosts"].items()):
        distinct = list(dict.fromkeys(reports))
        if len(distinct) >= 2 and distinct[0][1] != distinct[1][1]:
            values = [{"article": aid, "value": names[host], "text": f"{names[host]} hosted the {titles[eid]}"}
                      for aid, host in distinct[:2]]
            discrepancies.append({"id": f"disc-{eid}", "field": "host", "about": {"event": eid},
                                  "summary": "The articles name different hosts.", "values": values})
    events = [{k: v for k, v in e.items() if not k.startswith("_")} for e in p["events"]]
    (codings_dir / "participants.yaml").write_bytes(_dump({"participants": p["participants"]}))
    (codings_dir / "events.yaml").write_bytes(_dump({"events": events}))
    (codings_dir / "statements.yaml").write_bytes(_dump({"statements": p["statements"]}))
    (codings_dir / "discrepancies.yaml").write_bytes(_dump({"discrepancies": discrepancies}))
    return {"articles": len(p["articles"]), "quotes": n_quotes, "statements": len(p["statements"]),
            "events": len(events), "participants": len(p["participants"]), "discrepancies": len(discrepancies)}
