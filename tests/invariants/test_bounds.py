"""The earliest and latest day of a date (tstalks.core.dates.bounds): properties over any date and precision, and
the refusals of bounds that do not fit."""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tstalks.core.dates import Bounds, BoundsError, bounds

PRECISIONS = ["day", "month", "year", "decade"]
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def stored(day: dt.date, precision: str) -> dt.date:
    """The date as the tables store a day at `precision`: the first day of its month, year or decade."""
    return {"day": day, "month": day.replace(day=1), "year": day.replace(month=1, day=1),
            "decade": dt.date(day.year - day.year % 10, 1, 1)}[precision]


def last_day(date: dt.date, precision: str) -> dt.date:
    """Written apart from the code under test: the last day of the period a stored date stands for."""
    if precision == "day":
        return date
    if precision == "month":
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return dt.date(date.year + (9 if precision == "decade" else 0), 12, 31)


@st.composite
def dates_with_bounds(draw: st.DrawFn) -> tuple[dt.date, str, dt.date | None, dt.date | None]:
    """A stored date, its precision, and bounds a curator may give: none, one or both, inside its period and in
    order, leaving more than one day unless the date is a day."""
    precision = draw(st.sampled_from(PRECISIONS))
    date = stored(draw(days), precision)
    inside = st.dates(min_value=date, max_value=last_day(date, precision))
    earliest, latest = draw(st.none() | inside), draw(st.none() | inside)
    if earliest and latest and earliest > latest:
        earliest, latest = latest, earliest
    assume(precision == "day" or (earliest or date) != (latest or last_day(date, precision)))
    return date, precision, earliest, latest


@given(days, st.none() | st.just("same"))
def test_a_day_precision_date_has_equal_bounds_the_day_itself(day, given_bound):
    bound = day if given_bound else None
    assert bounds(day, "day", bound, bound) == Bounds(day, day)


@given(dates_with_bounds())
def test_earliest_is_never_after_latest(case):
    date, precision, earliest, latest = case
    found = bounds(date, precision, earliest, latest)
    assert found.earliest <= found.latest


@given(dates_with_bounds())
def test_the_bounds_contain_only_days_the_date_stands_for(case):
    """Every day from the earliest to the latest, read at the date's precision, is the date."""
    date, precision, earliest, latest = case
    found = bounds(date, precision, earliest, latest)
    assert stored(found.earliest, precision) == date and stored(found.latest, precision) == date
    assert date <= found.earliest <= found.latest <= last_day(date, precision)


@given(dates_with_bounds())
def test_a_bound_the_curator_gives_is_kept_and_one_left_out_is_the_periods_edge(case):
    date, precision, earliest, latest = case
    found = bounds(date, precision, earliest, latest)
    assert found.earliest == (earliest or date)
    assert found.latest == (latest or last_day(date, precision))


@given(st.sampled_from(PRECISIONS), days, st.integers(1, 4000), st.booleans())
def test_a_bound_outside_the_dates_period_is_refused_naming_it(precision, day, days_out, before):
    date = stored(day, precision)
    outside = date - dt.timedelta(days=days_out) if before else last_day(date, precision) + dt.timedelta(days=days_out)
    assume(dt.date.min < outside < dt.date.max)
    for which in ("earliest", "latest"):
        with pytest.raises(BoundsError, match="outside the date's period") as refused:
            bounds(date, precision, **{which: outside})
        assert refused.value.bound == which and refused.value.fix


@given(st.sampled_from(["month", "year", "decade"]), days, st.data())
def test_an_earliest_day_after_the_latest_is_refused(precision, day, data):
    date = stored(day, precision)
    first = data.draw(st.dates(min_value=date, max_value=last_day(date, precision) - dt.timedelta(days=1)))
    second = data.draw(st.dates(min_value=first + dt.timedelta(days=1), max_value=last_day(date, precision)))
    with pytest.raises(BoundsError, match="after the latest"):
        bounds(date, precision, second, first)


@given(st.sampled_from(["month", "year", "decade"]), days)
def test_bounds_that_leave_one_day_are_refused_for_a_coarser_date(precision, day):
    with pytest.raises(BoundsError, match="leave one day") as refused:
        bounds(stored(day, precision), precision, day, day)
    assert f"code the date as {day.isoformat()}" in refused.value.fix


def test_the_worked_example_of_the_december_2022_meeting():
    """Month precision, narrowed to the two Wednesdays the texts allow (conventions, section 5)."""
    assert bounds(dt.date(2022, 12, 1), "month") == Bounds(dt.date(2022, 12, 1), dt.date(2022, 12, 31))
    assert bounds(dt.date(2022, 12, 1), "month", dt.date(2022, 12, 21), dt.date(2022, 12, 28)) == \
        Bounds(dt.date(2022, 12, 21), dt.date(2022, 12, 28))
    with pytest.raises(BoundsError):
        bounds(dt.date(2022, 12, 1), "month", dt.date(2022, 11, 30))
