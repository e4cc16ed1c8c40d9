"""Stage: every date expression of the body, resolved against the publication date by the rules of core.dates;
in a sentence that speaks of a plan ("will meet in early May"), as the next such day or month."""
from __future__ import annotations

import dataclasses
import re

from ...core import dates
from ...core.spans import find_all
from ...core.vocab import DatePrecision, DateResolution
from ..lexicon import Lexicon
from ..text import sentence_at
from .model import Draft, DraftDate, DraftPublished


def _scanners() -> list[tuple[str, re.Pattern[str]]]:
    """core.dates' rules (but the URL's), made to find expressions inside running text, with a leading preposition."""
    lead = r"(?:(?:on|in|since|from|by|at|during|throughout|as of|earlier|later)\s+)?"
    return [(name, re.compile(rf"(?<![\w/-]){lead}(?:{rx.pattern})(?![\w-])", re.IGNORECASE))
            for name, rx in dates.RULES if name != DateResolution.URL_PATH]


_SCANNERS = _scanners()


_ABSOLUTE = {DateResolution.EXPLICIT, DateResolution.URL_PATH}  # resolved without a publication date


def _written(date: DraftDate) -> str:
    assert date.value is not None
    return {DatePrecision.DAY: date.value.isoformat(), DatePrecision.MONTH: date.value.isoformat()[:7]}.get(
        date.precision or "", str(date.value.year))


def spec(d: Draft, date: DraftDate) -> dict[str, object]:
    """A registry entry's date as words of this article's body, with the occurrence when the words repeat there."""
    words = " ".join(date.text.split())
    first = d.published.first_day
    if first and date.value and date.resolution not in _ABSOLUTE:
        return {"value": _written(date), "note": f"'{words}' in {d.article_id}, resolved against {first}, the first day "
                "the article can have appeared (its publication date is known only to the week)"}
    out: dict[str, object] = {"expression": words, "article": d.article_id}
    found = find_all(d.text, words, d.layout.body_start, d.layout.body_end)
    if len(found) > 1:
        out["occurrence"] = next((i for i, f in enumerate(found, 1) if f.start >= date.start), len(found))
    return out


def scan(text: str, start: int, end: int, pub: DraftPublished, lexicon: Lexicon | None = None) -> list[DraftDate]:
    """Every date expression in the body, longest match first, resolved against the publication date."""
    candidates = []
    for name, rx in _SCANNERS:
        for m in rx.finditer(text, start, end):
            g = m.groupdict()
            # Month and weekday names are capitalised in English; "may" and "march" as verbs are not dates.
            if any(g.get(k) and not g[k][0].isupper() for k in ("month", "weekday")):
                continue
            candidates.append((m.start(), m.end(), name))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    chosen: list[tuple[int, int, str]] = []
    for c in candidates:
        if not any(c[0] < b and a < c[1] for a, b, _ in chosen):
            chosen.append(c)
    return [dataclasses.replace(_resolved(text, s, e, name, pub, _ahead(text, s, lexicon)),
                                speech=_when_said(text, s, e, lexicon)) for s, e, name in sorted(chosen)]


def _ahead(text: str, at: int, lexicon: Lexicon | None) -> bool:
    """The expression at `at` dates a plan: a future word comes before it in its sentence, after the last reporting
    verb ("X said on Monday that they will meet in May": May is ahead, Monday is not)."""
    if lexicon is None:
        return False
    s, _ = sentence_at(text, at)
    before = text[s:at]
    future = [m.end() for m in lexicon.cues["future"].finditer(before)] if "future" in lexicon.cues else []
    said = [m.end() for m in lexicon.speech.finditer(before)]
    return bool(future) and (not said or future[-1] > said[-1])


_ADDRESSEE = re.compile(r"\s*(?:reporters|journalists|the\s+press|broadcaster\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?"
                        r"|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)?\s*$")


def _when_said(text: str, s: int, e: int, lexicon: Lexicon | None) -> bool:
    """The expression dates the reporting verb, not what is reported: right after it ("Cavusoglu said on Monday",
    "Akar told reporters on Saturday"), or opening the sentence whose verb follows ("On Saturday, Akar told ...")."""
    if lexicon is None:
        return False
    sent_s, sent_e = sentence_at(text, s)
    verbs = list(lexicon.speech.finditer(text, max(sent_s, s - 60), s))
    if verbs and _ADDRESSEE.match(text, verbs[-1].end(), s):
        return True
    following = lexicon.speech.search(text, e, min(sent_e, e + 60))
    return bool(following and not text[sent_s:s].strip(" ,") and len(text[e:following.start()].split()) <= 6)


def _resolved(text: str, s: int, e: int, rule: str, pub: DraftPublished, ahead: bool) -> DraftDate:
    words = text[s:e]
    try:
        r = dates.resolve(words, pub.first_day or pub.date, DatePrecision.DAY if pub.first_day else pub.precision, ahead)
    except dates.DateError as exc:
        return DraftDate(s, e, words, rule, None, None, None, exc.message, ahead)
    return DraftDate(s, e, words, rule, r.date, r.precision, r.resolution, None, ahead)
