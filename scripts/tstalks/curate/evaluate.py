"""Measure the curation assistant against the curated codings, and write docs/assistant.md.

Run: tstalks evaluate-assistant                  (prints the table, rewrites docs/assistant.md)
     tstalks evaluate-assistant --check          (exit 1 if docs/assistant.md is out of date)
     tstalks evaluate-assistant --codings DIR    (measure against another folder of codings; writes nothing)

Each curated article is drafted as if it were new: from its seed text alone, with registries that
know only what the *other* articles attest (participants named in their aliases, events they mention,
statements they quote). The draft is then compared with the curated coding of that article.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from ..build import codings as load
from ..build import resolve
from ..core import dates, spans
from ..core.project import Project
from ..core.schemas import load_schemas
from . import assistant
from .text import quoted_passages

JACCARD = 0.5  # a drafted quote matches a curated one when their character sets overlap at least this much
GOALS = {"quote_recall": 0.95, "quote_precision": 0.90, "speaker_accuracy": 0.80, "body_accuracy": 0.98}


@dataclass
class Score:
    article_id: str
    chars: int = 0
    body_correct: int = 0
    curated_quotes: int = 0
    drafted_quotes: int = 0
    matched_quotes: int = 0
    speakers_right: int = 0
    curated_dates: int = 0
    dates_right: int = 0
    published_right: bool = False
    outlet_right: bool = False
    complete: bool = True  # every quoted passage of the body is coded or set aside, so precision can be measured
    statements_known: int = 0  # matched quotes whose curated statement the reduced registry knows
    statements_right: int = 0
    curated_events: int = 0  # curated mentions of events the reduced registry knows
    drafted_events: int = 0  # drafted mentions of registry events
    events_right: int = 0
    misses: list[str] = field(default_factory=list)  # what went wrong, for the report


def jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def match_spans(curated: list[tuple[int, int]], drafted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one pairs (curated index, drafted index) with Jaccard >= JACCARD, best overlaps first."""
    pairs = sorted(((jaccard(c, d), i, j) for i, c in enumerate(curated) for j, d in enumerate(drafted)), reverse=True)
    used_c, used_d, out = set(), set(), []
    for score, i, j in pairs:
        if score < JACCARD or i in used_c or j in used_d:
            continue
        used_c.add(i)
        used_d.add(j)
        out.append((i, j))
    return out


def _names_of(pid: str, tables: dict[str, list[dict[str, Any]]]) -> set[str]:
    names = {r["alias"] for r in tables["participant_aliases"] if r["participant_id"] == pid}
    names |= {r["name"] for r in tables["participants"] if r["participant_id"] == pid}
    return {assistant.slug(n) for n in names} | {pid}


def speaker_right(drafted: str | None, curated: str, known: assistant.Known, tables: dict[str, list[dict[str, Any]]]) -> bool:
    """The same participant id; or, for a speaker the registries did not know, a proposed id that spells one of
    the curated participant's names (slugs compared, allowing 'defense'/'defence')."""
    if drafted is None:
        return False
    if drafted == curated:
        return True
    if drafted in known.participants:
        return False
    return any(fuzz.ratio(drafted, n) >= 90 for n in _names_of(curated, tables))


def evaluate(project: Project) -> list[Score]:
    """Draft every curated article as if new and score the draft against its curated coding."""
    schemas = load_schemas(project.schemas)
    codings = load.load_codings(project, schemas)
    res = resolve.resolve(codings, allow_drafts=True)
    t = res.tables
    drafts = {c.data["article"] for c in codings.articles if "draft" in c.data}
    speaker_of = {r["statement_id"]: r["speaker_id"] for r in t["statements"]}
    scores = []
    for coding in codings.articles:
        aid = coding.data["article"]
        if aid in drafts or aid not in res.texts:
            continue
        text = res.texts[aid]
        seed = text.seed
        known = assistant.known_from(res, codings, leave_out=drafts | {aid})
        d = assistant.draft(seed.text, known, aid, seed.file, seed.sha256)
        s = Score(aid, chars=len(seed.text))
        # Body: every character of the seed is in or out; count those the draft puts on the right side.
        cb, db = (text.body_start, text.body_end), (d.layout.body_start, d.layout.body_end)
        wrong = (max(cb[1], db[1]) - min(cb[0], db[0])) - max(0, min(cb[1], db[1]) - max(cb[0], db[0])) \
            if max(cb[0], db[0]) < min(cb[1], db[1]) else (cb[1] - cb[0]) + (db[1] - db[0])
        s.body_correct = s.chars - wrong
        if wrong:
            s.misses.append(f"body [{db[0]}, {db[1]}) against curated [{cb[0]}, {cb[1]})")
        # Quotes and speakers.
        quotes = [r for r in t["quotes"] if r["article_id"] == aid]
        curated = [(r["span_start"], r["span_end"]) for r in quotes]
        drafted = [(q.start, q.end) for q in d.quotes]
        s.curated_quotes, s.drafted_quotes = len(curated), len(drafted)
        pairs = match_spans(curated, drafted)
        s.matched_quotes = len(pairs)
        for i, j in pairs:
            want = speaker_of.get(quotes[i]["statement_id"])
            if speaker_right(d.quotes[j].speaker, want, known, t):
                s.speakers_right += 1
            else:
                s.misses.append(f"speaker of {quotes[i]['quote_id']}: drafted {d.quotes[j].speaker}, curated {want}")
            if quotes[i]["statement_id"] in known.statements:
                s.statements_known += 1
                s.statements_right += d.quotes[j].statement == quotes[i]["statement_id"]
        # Events: mentions of events the reduced registry knows (the others the draft can only propose as new).
        want_events = {r["event_id"] for r in t["event_sources"] if r["article_id"] == aid} & set(known.events)
        got_events = {e.event_id for e in d.events if not e.is_new}
        s.curated_events, s.drafted_events = len(want_events), len(got_events)
        s.events_right = len(want_events & got_events)
        hit_c = {i for i, _ in pairs}
        hit_d = {j for _, j in pairs}
        s.misses += [f"quote missed: {quotes[i]['quote_id']} '{_short(quotes[i]['quote_text'])}'"
                     for i in range(len(quotes)) if i not in hit_c]
        # A coding that leaves a quoted passage neither coded nor set aside is unfinished: it cannot judge precision.
        accounted = curated + [(u.start, u.end) for u in text.uncoded]
        open_passages = [p for p in quoted_passages(seed.text, text.body_start, text.body_end)
                         if p.paired and not any(a < p.end and p.start < b for a, b in accounted)]
        s.complete = not open_passages
        if s.complete:
            s.misses += [f"quote drafted, not curated: '{_short(d.quotes[j].text)}'"
                         for j in range(len(d.quotes)) if j not in hit_d]
        else:
            s.misses.append(f"coding unfinished ({len(open_passages)} quoted passage(s) neither coded nor set aside): "
                            "precision not measured")
        # Dates: every expression the curated coding resolves in this article's body.
        for (start, end), want in _curated_dates(codings, t, text, aid).items():
            s.curated_dates += 1
            got = next((x for x in d.dates if x.start < end and start < x.end), None)
            if got is not None and (got.value, got.precision) == want:
                s.dates_right += 1
            else:
                found = f"{got.text!r} -> {got.value} {got.precision}" if got else "nothing"
                s.misses.append(f"date {seed.text[start:end]!r} -> {want[0]} {want[1]}: drafted {found}")
        row = next(r for r in t["articles"] if r["article_id"] == aid)
        s.outlet_right = d.outlet == row["outlet"]
        s.published_right = (d.published.date, d.published.precision) == (row["published_date"], row["published_date_precision"])
        scores.append(s)
    return scores


def _curated_dates(codings: load.Codings, t: dict[str, list[dict[str, Any]]], text: resolve.ArticleText,
                   aid: str) -> dict[tuple[int, int], tuple[Any, str]]:
    """{span: (date, precision)} of every date expression the curated codings take from this article's body."""
    found: dict[tuple[int, int], tuple[Any, str]] = {}
    seed = text.seed.text

    def add(expression: str, start: int, end: int, occurrence: int | None = None) -> None:
        try:
            span = spans.locate(seed, expression, start, end, occurrence)
            r = dates.resolve(expression, text.published, text.published_precision)
        except (spans.SpanError, dates.DateError):
            return
        found[(span.start, span.end)] = (r.date, r.precision)

    for r in t["event_sources"]:
        if r["article_id"] == aid and r["date_expression"]:
            add(r["date_expression"], r["span_start"], r["span_end"], 1)
    for kind in ("events", "statements"):
        for entry in codings.registries[kind].data[kind]:
            for key in ("date", "end_date"):
                spec = entry.get(key) or {}
                if spec.get("article") == aid:
                    add(spec["expression"], text.body_start, text.body_end, spec.get("occurrence"))
    return found


def _short(words: str, n: int = 50) -> str:
    words = " ".join(words.split())
    return words if len(words) <= n else words[: n - 1] + "…"


def totals(scores: list[Score]) -> dict[str, float | None]:
    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None
    return {
        "quote_recall": ratio(sum(s.matched_quotes for s in scores), sum(s.curated_quotes for s in scores)),
        "quote_precision": ratio(sum(s.matched_quotes for s in scores if s.complete),
                                 sum(s.drafted_quotes for s in scores if s.complete)),
        "speaker_accuracy": ratio(sum(s.speakers_right for s in scores), sum(s.matched_quotes for s in scores)),
        "body_accuracy": ratio(sum(s.body_correct for s in scores), sum(s.chars for s in scores)),
        "date_accuracy": ratio(sum(s.dates_right for s in scores), sum(s.curated_dates for s in scores)),
        "published_accuracy": ratio(sum(s.published_right for s in scores), len(scores)),
        "outlet_accuracy": ratio(sum(s.outlet_right for s in scores), len(scores)),
        "statement_accuracy": ratio(sum(s.statements_right for s in scores), sum(s.statements_known for s in scores)),
        "event_recall": ratio(sum(s.events_right for s in scores), sum(s.curated_events for s in scores)),
        "event_precision": ratio(sum(s.events_right for s in scores), sum(s.drafted_events for s in scores)),
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def report(scores: list[Score]) -> str:
    tot = totals(scores)
    lines = [
        "# The curation assistant: measured quality",
        "",
        "Generated by `tstalks evaluate-assistant` from the curated codings in `seeds/codings/`; do not edit by hand.",
        "`tests/test_assistant_quality.py` fails when a measure drops below its goal, and when this file is out of date.",
        "",
        "## What `tstalks add ARTICLE.txt [--url URL] [--outlet NAME] [--published DATE]` does",
        "",
        "It copies the raw text to `seeds/articles/NNN_<first 16 hex digits of its SHA-256>.txt` (refusing a duplicate,",
        "an empty file, and anything that is not a regular UTF-8 text file), then writes a draft coding",
        "`seeds/codings/articles/aNNN.yaml` in the usual format:",
        "",
        "- **body** (`tstalks/body.py`): the page is cut into paragraphs; each is labelled by its shape — prose,",
        "  photo caption (ends in a `Name / Agency` credit or `(Photo by …)`), printed timestamp, byline, URL, or",
        "  publisher's block (calls to action, subscription and log-in words, the publisher addressing the reader",
        "  with *you/we/our* outside quotation marks, contributor credits) — and the body is the run of prose",
        "  paragraphs with the most characters (captions allowed inside). The paragraph after the headline is the",
        "  standfirst when a caption, byline or timestamp follows it. No outlet's strings are written into the rules.",
        "- **metadata**: headline (else the caption's words without the credit), byline, dateline, printed or",
        "  updated date, the article's own URL (the one after a label like `Original url:`); publication date from a",
        "  printed date, else a `/YYYY/MM/DD/` URL, else — when a weekday in the body names a registry event held on",
        "  that weekday — inferred as that day.",
        "- **quotes**: every passage in straight or curly double quotation marks (or ‘…’), across line breaks; short",
        "  quoted words after *the word*, *so-called*, *dubbed*, or with no speaker around them, are set aside as",
        "  `uncoded` for the curator to confirm.",
        "- **speakers**: the attribution in the quote's sentence outside the quotation marks (*according to X*, *X said*,",
        "  *…,” X said*, *said the statement*, a noun phrase after the quote), resolved to a registry participant by",
        "  the spellings of all other codings' `aliases` and registry names (surnames of persons included), by",
        "  rapidfuzz for descriptions (*the Turkish ministry*), by the last organisation for *the statement*, by the",
        "  subject of the last sentence naming a person for *he/she*; else a proposed new participant.",
        "- **dates**: every date expression the rules of `tstalks.dates` cover, resolved against the publication date.",
        "- **events**: sentences reporting an event (words of each event type), matched to registry events by type,",
        "  the words of the event's title, date, place and participants; dated ones that match none are proposed as new.",
        "",
        "Every drafted item carries `draft: {rule, evidence}` (a quote also its likely `speaker`), and the file a",
        "top-level `draft:` block (drafted fields and aliases, proposed participants, date expressions). `tstalks build` lists",
        "each remaining mark as a problem (file, line, item) and builds nothing until all are gone.",
        "",
        "## How it is measured",
        "",
        "Each curated article is drafted as if new: from its seed text, with registries that know only what the",
        "other articles attest (their aliases, event mentions and quotes). The draft is compared with the curated coding:",
        "",
        "- **quote spans**: a drafted quote matches a curated quote when the character ranges overlap with Jaccard",
        f"  ≥ {JACCARD} (shared characters / characters in either), one to one, best overlaps first. Recall = matched /",
        "  curated quotes (direct, paraphrase or mixed alike); precision = matched / drafted quotes (passages the",
        "  draft sets aside as `uncoded` are not counted as drafted quotes), over finished codings only: a coding is",
        "  finished when every passage in quotation marks in its body lies in a curated quote or an `uncoded` entry.",
        "- **speaker attribution**: over matched quotes, the drafted speaker is the curated statement's speaker — or,",
        "  for a speaker the reduced registries did not know, the proposed id spells one of the curated names.",
        "- **body detection**: characters of the seed correctly inside or outside the body.",
        "- **date resolution**: curated date expressions in the article (event mentions, registry event and statement",
        "  dates) for which the draft resolved an overlapping expression to the same date and precision, the draft",
        "  using its own publication date.",
        "- **statements and events** (no goal; for the curator's expectations): the registry statement drafted for a",
        "  matched quote, where the reduced registry knows the curated one; the registry events the draft says the",
        "  article mentions, against the curated mentions of events the reduced registry knows.",
        "",
        "**Read these numbers with care.** The rules were written while reading these same five seeds and their",
        "curated codings, so the figures below are in-sample: they say the rules reproduce the curators' choices on",
        "the texts they were built from, not how well they will do on a new outlet. Expect lower recall on reporting",
        "styles these five pages do not show, and check every draft item against the seed. One out-of-sample check",
        "runs with the tests: an invented wire-agency page in another house style",
        "(`tests/fixtures/agency_style_page.txt`, `test_a_page_in_another_house_style_is_read_by_the_same_rules`).",
        "",
        "## Results",
        "",
        "| article | body chars right | quotes curated | drafted | matched | speakers right | dates right | publication date | coding finished |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(f"| {s.article_id} | {s.body_correct}/{s.chars} ({_pct(s.body_correct / s.chars)}) | {s.curated_quotes} | "
                     f"{s.drafted_quotes} | {s.matched_quotes} | {s.speakers_right}/{s.matched_quotes} | "
                     f"{s.dates_right}/{s.curated_dates} | {'right' if s.published_right else 'wrong'} | "
                     f"{'yes' if s.complete else 'no'} |")
    lines += ["", "| measure | value | goal |", "|---|---|---|"]
    names = {"quote_recall": "quote span recall", "quote_precision": "quote span precision",
             "speaker_accuracy": "speaker attribution", "body_accuracy": "body detection (characters)",
             "date_accuracy": "date resolution", "published_accuracy": "publication date",
             "outlet_accuracy": "outlet",
             "statement_accuracy": "statement chosen (matched quotes of known statements)",
             "event_recall": "registry events mentioned (recall)", "event_precision": "registry events mentioned (precision)"}
    for key, name in names.items():
        goal = GOALS.get(key)
        lines.append(f"| {name} | {_pct(tot[key])} | {'≥ ' + _pct(goal) if goal else '–'} |")
    lines += ["", "## What the draft got wrong", ""]
    for s in scores:
        for m in s.misses:
            lines.append(f"- {s.article_id}: {m}")
    if not any(s.misses for s in scores):
        lines.append("- nothing")
    return "\n".join(lines) + "\n"


def _project_with(root: Path, codings: Path, folder: Path) -> Project:
    """A project that reads `codings` in place of root/seeds/codings (links only; nothing is copied or written)."""
    (folder / "seeds").mkdir(parents=True)
    (folder / "schemas").symlink_to(root / "schemas")
    (folder / "seeds" / "articles").symlink_to(root / "seeds" / "articles")
    (folder / "seeds" / "codings").symlink_to(codings.resolve())
    return Project(folder)


REPORT = "docs/assistant.md"


def run(project: Project, codings: Path | None = None, check: bool = False) -> tuple[str, bool]:
    """(the report, whether the committed docs/assistant.md differs from it). Writes the report unless `check`
    or `codings` (another folder of codings, measured in place of seeds/codings)."""
    if codings:
        with tempfile.TemporaryDirectory() as tmp:
            scores = evaluate(_project_with(project.root, codings, Path(tmp)))
    else:
        scores = evaluate(project)
    text = report(scores)
    target = project.root / REPORT
    stale = not target.is_file() or target.read_text("utf-8") != text
    if not check and not codings:
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return text, stale
