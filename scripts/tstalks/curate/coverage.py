"""Coverage: is every quotation and every attributed sentence of each body coded, or waived with a reason?

Two detectors run over each article body:

* quotation marks: every quoted passage, found by `tstalks.quotations` (the detector the curation assistant
  uses too): straight or curly double marks across line breaks, a straight opening mark closed by a curly one,
  and ‘...’ passages whose closing ’ is not followed by a letter (so "Syria’s" inside does not close them). A
  mark still open at the end of its paragraph is reported as unpaired. A straight single mark cannot be told
  from an apostrophe and is not detected.
* attribution sentences: every sentence holding an attribution word (said, told, according to, reported, added,
  noted, stressed, ...), listed in ATTRIBUTION.

A quoted passage is coded when its words (without trailing sentence punctuation) lie inside a quote span of that
article; a sentence is coded when it overlaps a quote span. Either is waived when it overlaps a span of the
coding's `uncoded:` list, which carries a one-line reason. Everything else is missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..build import resolve
from ..build.codings import load_codings
from ..build.resolve import ArticleText, Resolution
from ..core.project import Project
from ..core.schemas import load_schemas
from .text import quoted_passages

ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|saying|told|tells|according\s+to|report(?:ed|s|ing)?|add(?:ed|s|ing)|not(?:ed|es|ing)|"
    r"stress(?:ed|es|ing)|emphasi[sz](?:ed|es|ing)|describ(?:ed|es|ing)|indicat(?:ed|es|ing)|acknowledg(?:ed|es|ing)|"
    r"announc(?:ed|es|ing)|stat(?:ed|ing)|statement|readout|den(?:ied|ies|ying)|blam(?:ed|es|ing)|"
    r"accus(?:ed|es|ing)|call(?:ed|s|ing)\s+for|claim(?:ed|s|ing)|pointed\s+to|insist(?:ed|s|ing)|warn(?:ed|s|ing)|"
    r"threat(?:s|en|ened|ening)?|urg(?:ed|es|ing)|reject(?:ed|s|ing)|allud(?:ed|es|ing)|cast|pressing\s+for)\b",
    re.IGNORECASE)
# A sentence ends at . ! or ? (with any closing quotation marks) followed by white space and a capital, a digit
# or an opening quotation mark; a blank line always ends one.
_SENTENCE_END = re.compile(r"[.!?][\"”’']*(?=\s+[\"“‘A-Z0-9])|\n[ \t]*\n")
_TRAILING = ".,;:!?… \t\n"

CODED, WAIVED, MISSING = "coded", "waived", "missing"


@dataclass(frozen=True)
class Item:
    """One quoted passage or attribution sentence, with its code-point span in the seed and its status."""

    article_id: str
    kind: str  # "quotation" or "attribution"
    start: int
    end: int
    text: str
    status: str  # coded, waived or missing
    detail: str = ""  # the attribution word, or why a quotation is unpaired


@dataclass(frozen=True)
class ArticleCoverage:
    article_id: str
    items: tuple[Item, ...]

    def count(self, kind: str, status: str | None = None) -> int:
        return sum(1 for i in self.items if i.kind == kind and (status is None or i.status == status))

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.status == MISSING)

    @property
    def percent(self) -> float:
        return 100.0 if not self.items else 100.0 * (len(self.items) - len(self.missing)) / len(self.items)


@dataclass(frozen=True)
class Report:
    articles: tuple[ArticleCoverage, ...]

    @property
    def complete(self) -> bool:
        return all(not a.missing for a in self.articles)


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], trimmed of surrounding white space."""
    end = len(text) if end is None else end
    spans, at = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((at, m.end()))
        at = m.end()
    spans.append((at, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def _inside(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= s and e <= b for a, b in spans)


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for a, b in spans)


def article_coverage(text: ArticleText, quote_spans: list[tuple[int, int]]) -> ArticleCoverage:
    """Coverage of one article body, given the spans of the quotes coded from it."""
    seed = text.seed.text
    waived = [(u.start, u.end) for u in text.uncoded]
    items: list[Item] = []
    for p in quoted_passages(seed, text.body_start, text.body_end):
        s, e = p.start, p.end
        while e > s and seed[e - 1] in _TRAILING:
            e -= 1
        while s < e and seed[s].isspace():
            s += 1
        if not p.paired:
            status = WAIVED if _overlaps(s, e, waived) else MISSING
            detail = "unpaired quotation mark"
        else:
            status = CODED if _inside(s, e, quote_spans) else WAIVED if _overlaps(s, e, waived) else MISSING
            detail = ""
        items.append(Item(text.article_id, "quotation", s, e, seed[s:e], status, detail))
    for s, e in sentences(seed, text.body_start, text.body_end):
        m = ATTRIBUTION.search(seed, s, e)
        if not m:
            continue
        status = CODED if _overlaps(s, e, quote_spans) else WAIVED if _overlaps(s, e, waived) else MISSING
        items.append(Item(text.article_id, "attribution", s, e, seed[s:e], status, m.group(0)))
    return ArticleCoverage(text.article_id, tuple(sorted(items, key=lambda i: (i.start, i.kind))))


def coverage(resolution: Resolution) -> Report:
    """Coverage of every coded article, in article order."""
    quotes: dict[str, list[tuple[int, int]]] = {}
    for q in resolution.tables["quotes"]:
        quotes.setdefault(q["article_id"], []).append((q["span_start"], q["span_end"]))
    return Report(tuple(article_coverage(t, quotes.get(aid, [])) for aid, t in sorted(resolution.texts.items())))


def measure(project: Project) -> Report:
    """Coverage of the project's codings (raises Failed when they do not resolve)."""
    return coverage(resolve.resolve(load_codings(project, load_schemas(project.schemas))))
