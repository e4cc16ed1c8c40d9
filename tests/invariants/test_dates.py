"""The relative-date resolver (tstalks.dates): properties over any publication date, and worked examples."""
from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import event as event_note
from hypothesis import given
from hypothesis import strategies as st

from strategies import curations, sha256_text, write_project
from tstalks import build as pipeline
from tstalks.core import Failed, Project
from tstalks.core.dates import DateError, parse_value, resolve

WEEKDAYS = list(calendar.day_name)
MONTHS = list(calendar.month_name)[1:]
publication_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def end_of(date: dt.date, precision: str) -> dt.date:
    return {"day": date, "month": date.replace(day=calendar.monthrange(date.year, date.month)[1]),
            "year": date.replace(month=12, day=31)}[precision]


weekday_expressions = st.builds(lambda form, day: form.format(day), st.sampled_from(["on {}", "{}", "last {}", "On {}", "on {}’s",
                                                                                      "this past {}"]), st.sampled_from(WEEKDAYS))
month_expressions = st.builds(lambda form, m: form.format(m), st.sampled_from(["In {}", "in early {}", "late {}", "{}", "the end of {}"]),
                              st.sampled_from(MONTHS + [m[:3] for m in MONTHS]))
year_expressions = st.sampled_from(["this year", "earlier this year", "later this year", "last year", "two years ago",
                                    "12 years ago", "for five years", "in the past three years", "the 11-year conflict",
                                    "the nine-year-old war"])
relative_expressions = st.one_of(weekday_expressions, month_expressions, year_expressions,
                                 st.sampled_from(["earlier this month", "this month", "last month"]))


@given(weekday_expressions, publication_dates)
def test_a_weekday_resolves_to_that_weekday_within_the_seven_days_ending_on_publication(expression, published):
    r = resolve(expression, published, "day")
    named = next(d for d in WEEKDAYS if d in expression)
    assert r.date.weekday() == WEEKDAYS.index(named)
    assert published - dt.timedelta(days=6) <= r.date <= published
    assert (r.precision, r.resolution) == ("day", "weekday")


@given(month_expressions, publication_dates)
def test_a_named_month_resolves_to_the_latest_such_month_at_month_precision(expression, published):
    r = resolve(expression, published, "day")
    assert r.precision == "month" and r.date.day == 1
    assert r.date.strftime("%b") in expression
    assert r.date <= published < (r.date.replace(year=r.date.year + 1))  # the latest such month: within the year before


@given(year_expressions, publication_dates)
def test_a_year_reference_carries_year_precision(expression, published):
    r = resolve(expression, published, "day")
    assert r.precision == "year" and (r.date.month, r.date.day) == (1, 1)


@given(relative_expressions, publication_dates, st.sampled_from(["day", "month", "year"]))
def test_a_relative_reference_never_lands_after_publication(expression, published, precision):
    try:
        r = resolve(expression, published, precision)
    except DateError:  # the publication date is too coarse for this expression
        return
    assert r.date <= end_of(published, precision)


# Each relative expression with the precision of the publication date it needs.
needing = st.one_of(weekday_expressions.map(lambda e: (e, "day")), month_expressions.map(lambda e: (e, "month")),
                    st.sampled_from(["earlier this month", "this month", "last month"]).map(lambda e: (e, "month")),
                    year_expressions.map(lambda e: (e, "year")))


@given(needing, publication_dates, st.sampled_from(["day", "month", "year"]))
def test_a_relative_reference_needs_a_publication_date_as_precise_as_itself(expression_and_need, published, precision):
    expression, need = expression_and_need
    coarser = ["day", "month", "year"].index(precision) > ["day", "month", "year"].index(need)
    if coarser:
        with pytest.raises(DateError):
            resolve(expression, published, precision)
    else:
        resolve(expression, published, precision)


@given(relative_expressions)
def test_a_relative_reference_without_a_publication_date_is_refused(expression):
    with pytest.raises(DateError, match="relative"):
        resolve(expression, None, None)


@given(st.text(max_size=40), st.none() | publication_dates, st.sampled_from(["day", "month", "year", "decade"]))
def test_any_text_resolves_or_raises_a_date_error(expression, published, precision):
    try:
        resolve(expression, published, precision if published else None)
    except DateError as exc:
        assert exc.message and exc.fix


@given(st.from_regex(r"\A(in |the |)[0-9]{1,25}( years ago|s|-year war|)\Z"), publication_dates)
def test_numbers_outside_the_calendar_are_a_date_error_not_a_crash(expression, published):
    try:
        resolve(expression, published, "day")
    except DateError as exc:
        assert exc.fix


@given(st.from_regex(r"\A[0-9]{4}(-[0-9]{2}(-[0-9]{2})?|s)?\Z"))
def test_any_value_of_the_value_pattern_parses_or_raises_a_date_error(value):
    try:
        date, _ = parse_value(value)
    except DateError:
        return
    assert date.isoformat().startswith(value.rstrip("s")[:4])


@pytest.mark.slow
@given(curations(max_articles=2), st.integers(1, 3000))
def test_an_explicit_date_after_publication_is_refused_unless_the_event_is_planned(curation, days_after):
    # Date the first event by words of an article printing a date after that article's publication.
    dated = [a for a in curation.articles if a.publication.date]
    if not dated:
        return
    a = dated[0]
    later = dt.date.fromordinal(end_of(a.publication.date, a.publication.precision).toordinal() + days_after)
    expression = f"{later.day} {MONTHS[later.month - 1]} {later.year}"
    # The article's body now ends with the later date: its last words are that date.
    a.text = a.text[:a.body[1]] + " " + expression + a.text[a.body[1]:]
    a.coding["body"]["last"] = {"text": expression}
    a.coding["seed"]["sha256"] = sha256_text(a.text)
    event = curation.events[0]
    event["date"] = {"expression": expression, "article": a.id}
    event.pop("end_date", None)
    event_note("dated by an article with a publication date")
    for status, refused in (("occurred", True), ("planned", False), ("proposed", False)):
        event["status"] = status
        with tempfile.TemporaryDirectory() as folder:
            project = Project(write_project(Path(folder), curation))
            if refused:
                with pytest.raises(Failed) as caught:
                    pipeline.build(project)
                assert any(p.where == event["id"] and "after the publication" in p.message for p in caught.value.problems)
            else:
                events = {r["event_id"]: r for r in pipeline.build(project).tables["events"].to_pylist()}
                assert events[event["id"]]["start_date"] == later


# --- worked examples -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, published, expected, precision, rule", [
    ("on Tuesday", dt.date(2023, 4, 25), dt.date(2023, 4, 25), "day", "weekday"),  # a Tuesday: the same day
    ("on Wednesday", dt.date(2023, 4, 25), dt.date(2023, 4, 19), "day", "weekday"),  # six days before
    ("last Monday", dt.date(2023, 4, 25), dt.date(2023, 4, 24), "day", "weekday"),
    ("In December", dt.date(2023, 4, 25), dt.date(2022, 12, 1), "month", "named_month"),
    ("in April", dt.date(2023, 4, 25), dt.date(2023, 4, 1), "month", "named_month"),
    ("late December 2022", None, dt.date(2022, 12, 1), "month", "explicit"),
    ("December 28, 2022", None, dt.date(2022, 12, 28), "day", "explicit"),
    ("Wednesday, 28 December 2022", None, dt.date(2022, 12, 28), "day", "explicit"),
    ("in 2011", None, dt.date(2011, 1, 1), "year", "explicit"),
    ("the 2000s", None, dt.date(2000, 1, 1), "decade", "explicit"),
    ("last month", dt.date(2023, 1, 10), dt.date(2022, 12, 1), "month", "last_month"),
    ("last year", dt.date(2023, 1, 10), dt.date(2022, 1, 1), "year", "last_year"),
    ("the 12-year conflict", dt.date(2023, 4, 25), dt.date(2011, 1, 1), "year", "years_ago"),
    ("https://example.org/news/2023/04/25/talks", None, dt.date(2023, 4, 25), "day", "url_path"),
])
def test_worked_example_resolves(expression, published, expected, precision, rule):
    r = resolve(expression, published, "day" if published else None)
    assert (r.date, r.precision, r.resolution) == (expected, precision, rule)


@pytest.mark.parametrize("expression, says", [
    ("30 February 2023", "not a real date"),
    ("February 29, 2023", "not a real date"),
    ("Monday, 25 April 2023", "names a Monday"),  # 25 April 2023 was a Tuesday
    ("on Tuesday", "relative"),  # no publication date
    ("3000 years ago", "relative"),
    ("soon", "no date rule"),
])
def test_worked_example_is_refused(expression, says):
    with pytest.raises(DateError, match=says):
        resolve(expression, None, None)


def test_a_count_of_years_reaching_before_year_one_is_refused():
    with pytest.raises(DateError, match="real date"):
        resolve("3000 years ago", dt.date(2023, 4, 25), "day")


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13", "2023-00-01", "2021s", "0000"])
def test_an_impossible_value_is_refused(value):
    with pytest.raises(DateError):
        parse_value(value)
