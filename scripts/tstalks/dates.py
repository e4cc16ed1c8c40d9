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
from dataclasses import dataclass

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
PRECISIONS = ("day", "month", "year", "decade")

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


class DateError(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


def _rules() -> list[tuple[str, re.Pattern[str]]]:
    words = [
        ("day_month_year", rf"(?:{_WEEKDAY},?\s+)?(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}"),
        ("month_day_year", rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}){_TIME}"),
        ("url_path", r".*?/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})(?:/.*)?"),
        ("month_year", rf"{_QUALIFIER}{_MONTH},?\s+(?P<year>\d{{4}})"),
        ("decade", r"(?:the\s+)?(?P<decade>\d{3}0)s"),
        ("year", r"(?P<year>\d{4})"),
        ("weekday", rf"(?:last\s+|this\s+past\s+)?{_WEEKDAY}(?:['’]s)?"),
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


def resolve(expression: str, published: dt.date | None, published_precision: str | None) -> Resolved:
    """Resolve `expression` against a publication date. DateError says why it cannot be."""
    full = " ".join(expression.split()).strip(" .,")
    # Without the leading preposition first; then whole, for rules that start with one ("in 11 years").
    for text in (_LEAD.sub("", full).strip(), full):
        for name, rx in RULES:
            m = rx.fullmatch(text)
            if m:
                try:
                    return _apply(name, m, expression, published, published_precision)
                except (ValueError, OverflowError) as exc:  # year 0, "3000 years ago": outside the calendar
                    raise DateError(f"'{expression}' resolves to no real date ({exc})",
                                    "check the expression against the seed, or give an inferred 'value' with a 'note'") from None
    raise DateError(f"no date rule matches '{expression}'",
                    "record a shorter expression that a rule in schemas/codelists/date_resolution.csv covers, "
                    "or give an inferred 'value' with a 'note'")


def _apply(rule: str, m: re.Match[str], expression: str, pub: dt.date | None, pub_precision: str | None) -> Resolved:
    g = m.groupdict()
    if rule in ("day_month_year", "month_day_year", "url_path"):
        month = int(g["month"]) if rule == "url_path" else MONTHS[g["month"].lower()]
        day = _date(int(g["year"]), month, int(g["day"]), expression)
        if g.get("weekday") and WEEKDAYS[g["weekday"].lower()] != day.weekday():
            raise DateError(f"'{expression}' names a {g['weekday']}, but that date is a {calendar.day_name[day.weekday()]}",
                            "check the expression against the seed; if the seed contradicts itself, record a discrepancy")
        return Resolved(day, "day", "url_path" if rule == "url_path" else "explicit")
    if rule == "month_year":
        return Resolved(_date(int(g["year"]), MONTHS[g["month"].lower()], 1, expression), "month", "explicit")
    if rule == "decade":
        return Resolved(_date(int(g["decade"]), 1, 1, expression), "decade", "explicit")
    if rule == "year":
        return Resolved(_date(int(g["year"]), 1, 1, expression), "year", "explicit")
    # Relative expressions need a publication date at least as precise as the expression.
    need = "day" if rule == "weekday" else "month" if rule in ("named_month", "this_month", "last_month") else "year"
    if pub is None or PRECISIONS.index(pub_precision or "decade") > PRECISIONS.index(need):
        known = "unknown" if pub is None else f"known only to the {pub_precision}"
        raise DateError(f"'{expression}' is relative, and the article's publication date is {known}",
                        f"a {rule.replace('_', ' ')} expression needs a publication date of {need} precision; "
                        "give the date as an inferred 'value' with a 'note' instead")
    if rule == "weekday":
        back = (pub.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7
        return Resolved(pub - dt.timedelta(days=back), "day", "weekday")
    if rule == "named_month":
        month = MONTHS[g["month"].lower()]
        year = pub.year if month <= pub.month else pub.year - 1
        return Resolved(dt.date(year, month, 1), "month", "named_month")
    if rule == "this_month":
        return Resolved(pub.replace(day=1), "month", "this_month")
    if rule == "last_month":
        first = pub.replace(day=1) - dt.timedelta(days=1)
        return Resolved(first.replace(day=1), "month", "last_month")
    if rule == "this_year":
        return Resolved(dt.date(pub.year, 1, 1), "year", "this_year")
    if rule == "last_year":
        return Resolved(dt.date(pub.year - 1, 1, 1), "year", "last_year")
    n = g["n"].lower()
    years = NUMBERS[n] if n in NUMBERS else int(n)
    return Resolved(_date(pub.year - years, 1, 1, expression), "year", "years_ago")


def _date(year: int, month: int, day: int, expression: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"'{expression}' is not a real date ({exc})", "check the expression against the seed") from None


def parse_value(value: str) -> tuple[dt.date, str]:
    """An inferred value written as YYYY-MM-DD, YYYY-MM, YYYY or YYYYs: (date, precision)."""
    try:
        if value.endswith("s"):
            year = int(value[:-1])
            if year % 10:
                raise ValueError("a decade starts in a year ending in 0")
            return dt.date(year, 1, 1), "decade"
        parts = [int(p) for p in value.split("-")]
        precision = ("year", "month", "day")[len(parts) - 1]
        return dt.date(*(parts + [1] * (3 - len(parts)))), precision
    except (ValueError, TypeError) as exc:
        raise DateError(f"'{value}' is not a real date ({exc})",
                        "write YYYY-MM-DD, YYYY-MM, YYYY or YYYYs with a real month and day") from None


def period_end(date: dt.date, precision: str) -> dt.date:
    """The last day of the period a (date, precision) stands for."""
    if precision == "day":
        return date
    if precision == "month":
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    if precision == "year":
        return dt.date(date.year, 12, 31)
    return dt.date(date.year + 9, 12, 31)
