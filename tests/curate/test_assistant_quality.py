"""The assistant's measured quality holds its goals on whatever curated codings the checkout has,
and docs/assistant.md reports the current numbers."""
from __future__ import annotations

import pytest

from support import ROOT
from tstalks.core import Project
from tstalks.curate import evaluate as assistant_eval


@pytest.fixture(scope="module")
def scores():
    return assistant_eval.evaluate(Project(ROOT))


@pytest.mark.parametrize("measure", sorted(assistant_eval.GOALS))
def test_the_assistant_meets_its_goal(scores, measure):
    value = assistant_eval.totals(scores)[measure]
    if value is None:
        pytest.skip(f"no curated coding measures {measure} yet")
    goal = assistant_eval.GOALS[measure]
    assert value >= goal, (f"{measure} is {value:.1%}, below the goal of {goal:.0%}; "
                           "see 'What the draft got wrong' in docs/assistant.md")


def test_docs_assistant_md_reports_the_current_numbers(scores):
    current = (ROOT / "docs" / "assistant.md").read_text("utf-8")
    assert current == assistant_eval.report(scores), "docs/assistant.md is out of date. Run: tstalks evaluate-assistant"
