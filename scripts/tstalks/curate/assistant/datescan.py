"""Stage: every date expression of the body, resolved against the publication date by the rules of core.dates."""
from __future__ import annotations

import re

from ...core import dates
from ...core.vocab import DateResolution
from .model import DraftDate, DraftPublished


def _scanners() -> list[tuple[str, re.Pattern[str]]]:
    """core.dates' rules (but the URL's), made to find expressions inside running text, with a leading preposition."""
    lead = r"(?:(?:on|in|since|from|by|at|during|throughout|as of|earlier|later)\s+)?"
    return [(name, re.compile(rf"(?<![\w/-]){lead}(?:{rx.pattern})(?![\w-])", re.IGNORECASE))
            for name, rx in dates.RULES if name != DateResolution.URL_PATH]


_SCANNERS = _scanners()


def scan(text: str, start: int, end: int, pub: DraftPublished) -> list[DraftDate]:
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
    return [_resolved(text, s, e, name, pub) for s, e, name in sorted(chosen)]


def _resolved(text: str, s: int, e: int, rule: str, pub: DraftPublished) -> DraftDate:
    words = text[s:e]
    try:
        r = dates.resolve(words, pub.date, pub.precision)
    except dates.DateError as exc:
        return DraftDate(s, e, words, rule, None, None, None, exc.message)
    return DraftDate(s, e, words, rule, r.date, r.precision, r.resolution, None)
