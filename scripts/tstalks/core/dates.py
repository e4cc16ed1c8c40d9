"""Resolve date expressions against a publication date, by the rules of schemas/codelists/date_resolution.csv.

A curator records the words ("on Tuesday", "In December", "late December
2022"); this module turns them into (date, precision, resolution). A date of
month precision is stored as the first of the month, a year as 1 January, a
decade as 1 January of its first year.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from .problems import Refusal, shown
from .vocab import DatePrecision as P
from .vocab import DateResolution as R

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
PRECISIONS = P.ORDER

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_QUALIFIER = r"(?:(?:early|mid|late|the end of|the start of|the beginning of)[\s-]+)?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_TIME = r"(?:,?\s+\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?)?"
_N = r"(?P<n>\d+|" + "|".join(NUMBERS) + r")"


@dataclass(frozen=True)
class Resolved:
    date: dt.date
    precision: str  # a code of date_precision
    resolution: str  # a code of date_resolution


class DateError(Refusal):
    """An expression or value that no date rule resolves."""


def _rules() -> list[tuple[str, re.Pattern[str]]]:
    words = [
        ("day_month_year", rf"(?:{_WEEKDAY},?\s+)?(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}"),
        ("month_day_year", rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}){_TIME}"),
        ("url_path", r".*?/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})(?:/.*)?"),
        ("month_year", rf"{_QUALIFIER}{_MONTH},?\s+(?P<year>\d{{4}})"),
        ("decade", r"(?:the\s+)?(?P<decade>\d{3}0)s"),
        ("year", r"(?P<year>\d{4})"),
        ("month_day", rf"(?:{_WEEKDAY},?\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}"),
        ("month_day", rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"),
        ("weekday", rf"(?:(?P<past>last|this\s+past)\s+|(?P<next>next|this\s+coming)\s+)?{_WEEKDAY}(?:['’]s)?"),
        ("named_month", rf"{_QUALIFIER}{_MONTH}"),
        ("this_month", r"(?:earlier\s+|later\s+)?(?:this|this\s+past)\s+month"),
        ("last_month", r"last\s+month"),
        ("this_year", r"(?:earlier\s+|later\s+)?this\s+year"),
        ("last_year", r"last\s+year"),
        ("years_ago", rf"{_N}\s+years?\s+ago"),
        ("years_ago", rf"(?:in|for|the\s+past|the\s+last)\s+{_N}\s+years"),
        ("years_ago", rf"(?:the\s+)?{_N}-year(?:-old)?(?:\s+[a-z-]+)?"),
    ]
    return [(name, re.compile(rx, re.IGNORECASE)) for name, rx in words]


RULES = _rules()
_LEAD = re.compile(r"^(?:on|in|since|from|by|at|during|throughout|as of)\s+", re.IGNORECASE)


def resolve(expression: str, published: dt.date | None, published_precision: str | None, ahead: bool = False) -> Resolved:
    """Resolve `expression` against a publication date. DateError says why it cannot be.

    `ahead`: the expression dates a planned or proposed event, so a weekday, a named month or a month and day
    without a year is the first such one on or after publication rather than the latest on or before it."""
    full = " ".join(expression.split()).strip(" .,")
    # Without the leading preposition first; then whole, for rules that start with one ("in 11 years").
    for text in (_LEAD.sub("", full).strip(), full):
        for name, rx in RULES:
            m = rx.fullmatch(text)
            if m:
                try:
                    return _apply(name, m, expression, published, published_precision, ahead)
                except (ValueError, OverflowError) as exc:  # year 0, "3000 years ago": outside the calendar
                    raise DateError(f"'{shown(expression)}' resolves to no real date ({exc})",
                                    "check the expression against the seed, or give an inferred 'value' with a 'note'") from None
    raise DateError(f"no date rule matches '{shown(expression)}'",
                    "record a shorter expression that a rule in schemas/codelists/date_resolution.csv covers, "
                    "or give an inferred 'value' with a 'note'")


def _apply(rule: str, m: re.Match[str], expression: str, pub: dt.date | None, pub_precision: str | None,
           ahead: bool = False) -> Resolved:
    g = m.groupdict()
    if rule in _ABSOLUTE:
        return _ABSOLUTE[rule](g, expression)
    # Relative expressions need a publication date at least as precise as the expression.
    need = _NEEDS.get(rule, P.YEAR)
    if pub is None or P.ORDER.index(pub_precision or P.DECADE) > P.ORDER.index(need):
        known = "unknown" if pub is None else f"known only to the {pub_precision}"
        raise DateError(f"'{shown(expression)}' is relative, and the article's publication date is {known}",
                        f"a {rule.replace('_', ' ')} expression needs a publication date of {need} precision; "
                        "give the date as an inferred 'value' with a 'note' instead")
    if ahead and rule in _AHEAD:
        return _AHEAD[rule](g, expression, pub)
    return _RELATIVE[rule](g, expression, pub)


def _day(g: dict[str, str], expression: str, month: int, resolution: str) -> Resolved:
    day = _date(int(g["year"]), month, int(g["day"]), expression)
    if g.get("weekday") and WEEKDAYS[g["weekday"].lower()] != day.weekday():
        raise DateError(f"'{shown(expression)}' names a {g['weekday']}, but that date is a {calendar.day_name[day.weekday()]}",
                        "check the expression against the seed; if the seed contradicts itself, record a discrepancy")
    return Resolved(day, P.DAY, resolution)


def _named_month(g: dict[str, str], pub: dt.date) -> Resolved:
    """The latest such month on or before the publication's month."""
    month = MONTHS[g["month"].lower()]
    year = pub.year if month <= pub.month else pub.year - 1
    return Resolved(dt.date(year, month, 1), P.MONTH, R.NAMED_MONTH)


def _month_day(g: dict[str, str], expression: str, pub: dt.date, ahead: bool) -> Resolved:
    """The latest such day on or before publication (ahead: the first on or after it)."""
    month, day = MONTHS[g["month"].lower()], int(g["day"])
    year = pub.year
    candidate = _date(year, month, day, expression) if (month, day) != (2, 29) else None
    if candidate is None or (candidate > pub and not ahead) or (candidate < pub and ahead):
        year += 1 if ahead else -1
        candidate = _date(year, month, day, expression)
    if g.get("weekday") and WEEKDAYS[g["weekday"].lower()] != candidate.weekday():
        raise DateError(f"'{expression}' names a {g['weekday']}, but {candidate} is a {calendar.day_name[candidate.weekday()]}",
                        "check the expression against the seed; if the seed contradicts itself, record a discrepancy")
    return Resolved(candidate, P.DAY, R.MONTH_DAY_AHEAD if ahead else R.MONTH_DAY)


def _weekday(g: dict[str, str], pub: dt.date, ahead: bool) -> Resolved:
    """The latest such weekday on or before publication (ahead, or "next": the first after it)."""
    wanted = WEEKDAYS[g["weekday"].lower()]
    if ahead:
        return Resolved(pub + dt.timedelta(days=(wanted - pub.weekday()) % 7 or 7), P.DAY, R.WEEKDAY_AHEAD)
    return Resolved(pub - dt.timedelta(days=(pub.weekday() - wanted) % 7), P.DAY, R.WEEKDAY)


def _named_month_ahead(g: dict[str, str], pub: dt.date) -> Resolved:
    """The first such month on or after the publication's month."""
    month = MONTHS[g["month"].lower()]
    year = pub.year if month >= pub.month else pub.year + 1
    return Resolved(dt.date(year, month, 1), P.MONTH, R.NAMED_MONTH_AHEAD)


def _last_month(pub: dt.date) -> Resolved:
    return Resolved((pub.replace(day=1) - dt.timedelta(days=1)).replace(day=1), P.MONTH, R.LAST_MONTH)


def _years_ago(g: dict[str, str], expression: str, pub: dt.date) -> Resolved:
    n = g["n"].lower()
    years = NUMBERS[n] if n in NUMBERS else int(n)
    return Resolved(_date(pub.year - years, 1, 1, expression), P.YEAR, R.YEARS_AGO)


_Absolute = Callable[[dict[str, str], str], Resolved]
_ABSOLUTE: dict[str, _Absolute] = {
    "day_month_year": lambda g, x: _day(g, x, MONTHS[g["month"].lower()], R.EXPLICIT),
    "month_day_year": lambda g, x: _day(g, x, MONTHS[g["month"].lower()], R.EXPLICIT),
    R.URL_PATH: lambda g, x: _day(g, x, int(g["month"]), R.URL_PATH),
    "month_year": lambda g, x: Resolved(_date(int(g["year"]), MONTHS[g["month"].lower()], 1, x), P.MONTH, R.EXPLICIT),
    "decade": lambda g, x: Resolved(_date(int(g["decade"]), 1, 1, x), P.DECADE, R.EXPLICIT),
    "year": lambda g, x: Resolved(_date(int(g["year"]), 1, 1, x), P.YEAR, R.EXPLICIT),
}
_NEEDS = {R.WEEKDAY: P.DAY, R.MONTH_DAY: P.DAY, R.NAMED_MONTH: P.MONTH, R.THIS_MONTH: P.MONTH, R.LAST_MONTH: P.MONTH}
_Relative = Callable[[dict[str, str], str, dt.date], Resolved]
_RELATIVE: dict[str, _Relative] = {
    R.WEEKDAY: lambda g, x, pub: _weekday(g, pub, g.get("next") is not None),
    R.MONTH_DAY: lambda g, x, pub: _month_day(g, x, pub, False),
    R.NAMED_MONTH: lambda g, x, pub: _named_month(g, pub),
    R.THIS_MONTH: lambda g, x, pub: Resolved(pub.replace(day=1), P.MONTH, R.THIS_MONTH),
    R.LAST_MONTH: lambda g, x, pub: _last_month(pub),
    R.THIS_YEAR: lambda g, x, pub: Resolved(dt.date(pub.year, 1, 1), P.YEAR, R.THIS_YEAR),
    R.LAST_YEAR: lambda g, x, pub: Resolved(dt.date(pub.year - 1, 1, 1), P.YEAR, R.LAST_YEAR),
    R.YEARS_AGO: _years_ago,
}
_AHEAD: dict[str, _Relative] = {
    R.WEEKDAY: lambda g, x, pub: _weekday(g, pub, g.get("past") is None),  # "last Tuesday" stays behind
    R.MONTH_DAY: lambda g, x, pub: _month_day(g, x, pub, True),
    R.NAMED_MONTH: lambda g, x, pub: _named_month_ahead(g, pub),
}


def _date(year: int, month: int, day: int, expression: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"'{shown(expression)}' is not a real date ({exc})", "check the expression against the seed") from None


def parse_value(value: str) -> tuple[dt.date, str]:
    """An inferred value written as YYYY-MM-DD, YYYY-MM, YYYY or YYYYs: (date, precision)."""
    try:
        if value.endswith("s"):
            year = int(value[:-1])
            if year % 10:
                raise ValueError("a decade starts in a year ending in 0")
            return dt.date(year, 1, 1), P.DECADE
        parts = [int(p) for p in value.split("-")]
        precision = (P.YEAR, P.MONTH, P.DAY)[len(parts) - 1]
        return dt.date(*(parts + [1] * (3 - len(parts)))), precision
    except (ValueError, TypeError) as exc:
        raise DateError(f"'{shown(value)}' is not a real date ({exc})",
                        "write YYYY-MM-DD, YYYY-MM, YYYY or YYYYs with a real month and day") from None


def period_end(date: dt.date, precision: str) -> dt.date:
    """The last day of the period a (date, precision) stands for."""
    if precision == P.DAY:
        return date
    if precision == P.MONTH:
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    if precision == P.YEAR:
        return dt.date(date.year, 12, 31)
    return dt.date(date.year + 9, 12, 31)


@dataclass(frozen=True)
class Bounds:
    """The earliest and latest day a date may fall on."""

    earliest: dt.date
    latest: dt.date


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BoundsError(DateError):
    """Bounds that do not fit their date; `bound` names the one at fault ("earliest", "latest" or "" for both)."""

    def __init__(self, message: str, fix: str, bound: str = ""):
        super().__init__(message, fix)
        self.bound = bound


def parse_day(value: str) -> dt.date:
    """A bound written as YYYY-MM-DD."""
    if not (isinstance(value, str) and _DAY.fullmatch(value)):
        raise DateError(f"'{shown(value)}' is not written YYYY-MM-DD", "write the day as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise DateError(f"'{value}' is not a real day ({exc})", "check the month and the day") from None


def bounds(date: dt.date, precision: str, earliest: dt.date | None = None, latest: dt.date | None = None) -> Bounds:
    """The earliest and latest day that `date` at `precision` allows: its period's first and last day, narrowed to
    `earliest` and `latest` where the curator gives them. BoundsError unless each given bound lies inside the
    period and they are in order; bounds that leave one day say the date is known to that day."""
    first, last = date, period_end(date, precision)
    for name, day in (("earliest", earliest), ("latest", latest)):
        if day is not None and not first <= day <= last:
            raise BoundsError(f"the {name} day {day} lies outside the date's period ({first} to {last}, {precision})",
                              "bounds narrow the period the date stands for: give a day inside it, or correct the "
                              "date", name)
    low, high = earliest or first, latest or last
    if low > high:
        raise BoundsError(f"the earliest day {low} is after the latest day {high}", "swap or correct the bounds")
    if low == high and precision != P.DAY:
        raise BoundsError(f"the bounds leave one day ({low}), yet the date is coded to the {precision}",
                          f"the texts fix the day: code the date as {low.isoformat()} (day precision) and drop the bounds")
    return Bounds(low, high)
