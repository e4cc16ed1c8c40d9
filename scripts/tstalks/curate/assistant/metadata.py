"""Stage: the article's outlet and publication date, from what the page prints outside the body (and, failing
that, from a weekday in the body that names a known event)."""
from __future__ import annotations

import datetime as dt
import re

from ...core import dates
from ...core.spans import pattern
from ...core.vocab import ArticleDateSource as SOURCE
from ...core.vocab import DatePrecision, DateResolution, EventStatus
from ..text import sentence_at
from . import layout as layout_rules
from .model import DraftDate, DraftPublished, Known, KnownEvent, Mark, Mention

_HOUSE_NAME = re.compile(r"\b(?:Support|Join|Subscribe\s+to|from|with)\s+(?P<name>(?:The\s+)?[A-Z][\w-]*[a-z][\w-]*"
                         r"(?:\s+[A-Z][\w-]*[a-z][\w-]*){0,3})")


def outlet(text: str, lay: layout_rules.Layout, known: Known) -> str | None:
    """The outlet: one the registries know that the page names outside the body or in its URL's host; else the
    name the publisher's own blocks invite the reader to support, join or hear from; else the URL's host; else
    none (the draft asks for it)."""
    outside = text[: lay.body_start] + " " + text[lay.body_end:]
    host = re.sub(r"^https?://(?:www\.)?", "", lay.own_url.text).split("/")[0] if lay.own_url else ""
    for name in sorted(known.outlets, key=len, reverse=True):
        if pattern(name).search(outside) or (host and re.sub(r"\W", "", name.lower()) in host.replace(".", "")):
            return name
    names: dict[str, int] = {}
    for b in lay.blocks:
        if b.label == layout_rules.BOILERPLATE:
            for m in _HOUSE_NAME.finditer(b.text):
                names[m.group("name")] = names.get(m.group("name"), 0) + 1
    if names:
        return max(names, key=lambda n: (names[n], len(n)))
    return host or None


def published(lay: layout_rules.Layout, url: str | None, given: str | None, url_given: bool = False) -> DraftPublished:
    """The publication date: a date the page prints, else a dated path of a URL it prints, else the date the
    curator supplies at capture (the capture record keeps it), else a dated path of a URL the curator supplied."""
    stamps = sorted(lay.timestamps, key=lambda f: f.rule != SOURCE.PRINTED)
    for stamp in stamps:
        r = dates.resolve(stamp.text, None, None)
        return DraftPublished(stamp.rule, expression=stamp.text, date=r.date, precision=r.precision,
                              mark=Mark(f"a printed {'update ' if stamp.rule == SOURCE.PRINTED_UPDATE else ''}date outside the body",
                                        stamp.text))
    path = _url_date(url)
    if path and not url_given:
        return DraftPublished(SOURCE.URL, expression=url, date=path.date, precision=path.precision,
                              mark=Mark("a /YYYY/MM/DD/ path in the article's own URL", url or ""))
    if given:
        value, precision = dates.parse_value(given)
        return DraftPublished(SOURCE.SUPPLIED, value=given, date=value, precision=precision,
                              mark=Mark("--published", f"supplied at capture: {given}"))
    if path:
        return DraftPublished(SOURCE.INFERRED, value=path.date.isoformat(), date=path.date, precision=path.precision,
                              note=f"read from the /YYYY/MM/DD/ path of the URL supplied at capture ({url})",
                              mark=Mark("a dated path in the URL supplied at capture", url or ""))
    return DraftPublished(SOURCE.UNKNOWN, note="the seed prints no publication date and no dated URL",
                          mark=Mark("no printed date, no dated URL", "nothing found"))


def _url_date(url: str | None) -> dates.Resolved | None:
    if not url:
        return None
    try:
        found = dates.resolve(url, None, None)
    except dates.DateError:
        return None
    return found if found.resolution == DateResolution.URL_PATH else None


def infer_published(text: str, found: list[DraftDate], mentions: list[Mention], known: Known) -> DraftPublished | None:
    """No printed date: a weekday in a sentence naming the place or participants of the one registry event that
    took place on such a weekday dates the article to the week after it (the weekday rule looks back at most six
    days), written at the precision that week allows (conventions §3: a004)."""
    for d in found:
        if d.rule != DateResolution.WEEKDAY:
            continue
        sentence = sentence_at(text, d.start)
        day_name = re.search(r"[A-Za-z]+day", d.text)
        weekday = dates.WEEKDAYS[day_name.group(0).lower()] if day_name else -1
        people = {m.participant_id for m in mentions if sentence[0] <= m.start < sentence[1]}
        fits = [e for e in known.events.values() if _held_that_weekday(e, weekday, people, text[sentence[0]:sentence[1]])]
        if len(fits) == 1:
            return _week_after(fits[0], d.text, " ".join(text[sentence[0]:sentence[1]].split()))
    return None


def _held_that_weekday(e: KnownEvent, weekday: int, people: set[str], sentence: str) -> bool:
    if e.date is None or e.precision != DatePrecision.DAY or e.date.weekday() != weekday:
        return False
    if e.status not in (None, EventStatus.OCCURRED):  # "met on Wednesday" is not a meeting still planned
        return False
    place = bool(e.city and re.search(rf"\b{re.escape(e.city)}\b", sentence))
    shared = people & e.participants
    return (place and len(shared) >= 1) or len(shared) >= 2


def _week_after(e: KnownEvent, words: str, sentence: str) -> DraftPublished:
    """The article appeared on the event's day or in the six days after: the month, or the year, that holds them."""
    assert e.date is not None
    first: dt.date = e.date
    last = first + dt.timedelta(days=6)
    precision, value = ((DatePrecision.MONTH, first.strftime("%Y-%m")) if (first.year, first.month) == (last.year, last.month)
                        else (DatePrecision.YEAR, str(first.year)) if first.year == last.year else (None, None))
    if precision is None or value is None:
        return DraftPublished(SOURCE.UNKNOWN, note=f"'{words}' dates it to {first}-{last}, across a year's end",
                              mark=Mark("no printed date: a weekday naming a registry event of that weekday", sentence))
    start, _ = dates.parse_value(value)
    return DraftPublished(SOURCE.INFERRED, value=value, date=start, precision=precision,
                          note=(f"'{words}' names the weekday of {e.event_id} ({e.date}), so the article appeared between "
                                f"{first} and {last} (the weekday rule looks back at most six days)"),
                          mark=Mark("no printed date: a weekday naming a registry event of that weekday", sentence),
                          first_day=first)
