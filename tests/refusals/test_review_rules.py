"""The build rules added after the review of 0.1.0 (issue 16), each broken once in a copy of the valid project:
spans start and end on word boundaries; an inferred date says how it was inferred; a date's earliest and latest
days lie inside its period, in order, and rest on words of the texts that its note quotes."""
from __future__ import annotations

import re
from pathlib import Path

from support import assert_refused

A004 = "seeds/codings/articles/a004.yaml"
EVENTS = "seeds/codings/events.yaml"
STATEMENTS = "seeds/codings/statements.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"the test expects {old!r} in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


# --- spans on word boundaries ----------------------------------------------------------------------------------------

# (An alias found only inside longer words: tests/refusals/test_bad_input.py.)

def test_a_quote_that_starts_inside_a_word_is_refused_naming_the_word(project):
    edit(project / A004, "text: The parties confirmed their respect", "text: arties confirmed their respect")
    assert_refused(project, A004, "'arties confirmed their respect", "only inside longer words: 'parties'",
                   "word boundaries")


# --- an inferred date says how it was inferred -----------------------------------------------------------------------

def test_an_inferred_event_date_with_a_blank_note_is_refused(project):
    registry = project / EVENTS
    text = registry.read_text("utf-8")
    blanked = re.sub(r"(  - id: turkish-elections-2023-05\n(?:    .*\n)*?    date:\n      value: 2023-05\n      note: ).*\n",
                     r"\1' '\n", text, count=1)
    assert blanked != text
    registry.write_text(blanked, "utf-8")
    assert_refused(project, EVENTS, "turkish-elections-2023-05: an inferred date needs its reasoning", "'note'")


def test_an_inferred_publication_date_without_a_note_is_refused(project):
    coding = project / A004
    text = coding.read_text("utf-8")
    cut = re.sub(r"(published:\n  source: inferred\n  value: '2023'\n)  note: >-\n(?:    .*\n)+", r"\1", text, count=1)
    assert cut != text
    coding.write_text(cut, "utf-8")
    assert_refused(project, A004, "a004: an inferred date needs its reasoning", "say in 'note'")


# --- earliest and latest days ----------------------------------------------------------------------------------------

def test_an_earliest_day_before_the_dates_period_is_refused(project):
    edit(project / EVENTS, "earliest: 2022-12-21", "earliest: 2022-11-30")
    assert_refused(project, EVENTS, "moscow-defence-ministers-2022-12: the earliest day 2022-11-30 lies outside the "
                   "date's period (2022-12-01 to 2022-12-31, month)")


def test_bounds_in_the_wrong_order_are_refused(project):
    edit(project / EVENTS, "earliest: 2022-12-21\n        latest: 2022-12-28",
         "earliest: 2022-12-28\n        latest: 2022-12-21")
    assert_refused(project, EVENTS, "moscow-defence-ministers-2022-12: the earliest day 2022-12-28 is after the latest "
                   "day 2022-12-21", "swap")


def test_bounds_on_a_day_precision_date_other_than_the_day_are_refused(project):
    edit(project / EVENTS, "      expression: on Tuesday\n      article: a001\n",
         "      expression: on Tuesday\n      article: a001\n      bounds:\n        earliest: 2023-04-24\n"
         "        note: a001 \"on Tuesday\"\n        evidence:\n          - article: a001\n            text: on Tuesday\n")
    assert_refused(project, EVENTS, "moscow-defence-ministers-2023-04: the earliest day 2023-04-24 lies outside the "
                   "date's period (2023-04-25 to 2023-04-25, day)")


def test_bounds_that_leave_one_day_of_a_month_are_refused(project):
    edit(project / EVENTS, "latest: 2022-12-28", "latest: 2022-12-21")
    assert_refused(project, EVENTS, "the bounds leave one day (2022-12-21), yet the date is coded to the month",
                   "code the date as 2022-12-21")


def test_evidence_that_is_not_in_its_articles_text_is_refused(project):
    edit(project / EVENTS, "            text: met in Moscow on Wednesday\n", "            text: met in Moscow on Thursday\n")
    assert_refused(project, EVENTS, "moscow-defence-ministers-2022-12: 'met in Moscow on Thursday' is not in seed "
                   "002_cdbc364e37c7cab4.txt")


def test_a_bounds_note_that_does_not_quote_its_evidence_is_refused(project):
    edit(project / STATEMENTS, 'and was "Updated: December 29, 2022": not before November, and no\n',
         "and was updated at the end of December: not before November, and no\n")
    assert_refused(project, STATEMENTS, "ankara-blames-kurdish-militants: the bounds' note does not quote their "
                   "evidence 'Updated: December 29, 2022' (a003)", "quote each evidence passage")


def test_bounds_on_an_unknown_publication_date_are_refused(project):
    edit(project / "seeds/codings/articles/a002.yaml", "  source: unknown\n",
         "  source: unknown\n  bounds:\n    earliest: 2022-12-21\n    note: a002 \"on Wednesday\"\n"
         "    evidence:\n      - article: a002\n        text: on Wednesday\n")
    assert_refused(project, "seeds/codings/articles/a002.yaml", "a002: bounds narrow a date, but an unknown date has none")
