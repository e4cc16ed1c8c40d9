"""The build rules added after the review of 0.1.0 (issue 16), each broken once in a copy of the valid project:
spans start and end on word boundaries; an inferred date says how it was inferred; a date's earliest and latest
days lie inside its period, in order, and rest on words of the texts that its note quotes."""
from __future__ import annotations

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

def test_a_quote_that_starts_inside_a_word_is_refused_naming_the_word(project):
    edit(project / A004, "text: The parties confirmed their respect", "text: arties confirmed their respect")
    assert_refused(project, A004, "'arties confirmed their respect", "only inside longer words: 'parties'",
                   "word boundaries")


def test_an_alias_found_only_inside_a_longer_word_is_refused_naming_the_word(project):
    edit(project / A004, "  iran: [Iran]\n", "  iran: [Irania]\n")
    assert_refused(project, A004, "iran: 'Irania'", "only inside longer words: 'Iranian'", "write the whole word")
