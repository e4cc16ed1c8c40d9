"""The curation assistant: `tstalks add`, the draft it writes, and the build's refusal of drafts."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from support import ROOT
from tstalks import build
from tstalks.build import codings as load
from tstalks.core import Failed, Project, dates, load_schemas
from tstalks.core.yamlfile import parse_yaml
from tstalks.curate import add as adding
from tstalks.curate import assistant
from tstalks.curate.assistant import datescan
from tstalks.curate.assistant import layout as body
from tstalks.curate.lexicon import load_lexicon
from tstalks.curate.text import quoted_passages

SEEDS = sorted((ROOT / "seeds" / "articles").glob("*.txt"))
LEXICON = load_lexicon(ROOT / "schemas")

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
sentence = st.lists(word, min_size=6, max_size=18).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=3).map(" ".join)


def _project(tmp_path: Path) -> Project:
    for folder in ("schemas", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project(tmp_path)


def _known() -> assistant.Known:
    person = {"participant_id": "alba-berg", "participant_kind": "person", "name": "Alba Berg", "affiliation_id": None}
    return assistant.Known({"alba-berg": person}, {"Alba Berg": {"alba-berg"}}, {}, {}, set())


@given(st.lists(word, min_size=3, max_size=12), st.lists(word, min_size=1, max_size=8), st.lists(word, min_size=1, max_size=8))
def test_every_curly_quoted_passage_is_found_with_its_exact_span(before, inside, after):
    text = " ".join(before) + " “" + " ".join(inside) + "” " + " ".join(after) + "."
    start = text.index("“") + 1
    assert [(p.start, p.end) for p in quoted_passages(text)] == [(start, text.index("”"))]


def test_straight_quotes_across_a_line_break_make_one_passage():
    text = 'Moscow stressed "the fight against all groups in\nSyria," the ministry said.'
    (start, end), = [(p.start, p.end) for p in quoted_passages(text)]
    assert text[start:end] == "the fight against all groups in\nSyria,"


@settings(max_examples=40, deadline=None)
@given(st.lists(paragraph, min_size=2, max_size=6))
def test_body_is_the_prose_between_publisher_blocks(paragraphs):
    head = ("Subscribe to our newsletter\n\nA Headline Without A Full Stop\n\n"
            "A minister at a podium. Jane Roe / Reuters\n\n")
    prose = "\n\n".join(paragraphs)
    tail = "\n\nSupport our journalism: your donation helps us keep reporting.\n\nSign in\n"
    lay = body.layout(head + prose + tail)
    assert (lay.body_start, lay.body_end) == (len(head), len(head) + len(prose))


def test_a_lower_case_month_name_is_not_a_date():
    text = "As you may have heard, the talks may resume."
    pub = assistant.DraftPublished("printed", date=dt.date(2023, 4, 25), precision="day")
    assert datescan.scan(text, 0, len(text), pub) == []


def test_a_date_expression_is_resolved_against_the_publication_date():
    text = "The ministers met in Moscow on Tuesday."
    pub = assistant.DraftPublished("printed", date=dt.date(2023, 4, 27), precision="day")
    (found,) = datescan.scan(text, 0, len(text), pub)
    assert (found.text, found.value) == ("on Tuesday", dt.date(2023, 4, 25))


def test_the_speaker_named_after_a_quote_is_drafted():
    text = "Headline Of The Day\n\n“We will meet again soon,” Alba Berg said on Monday in the capital.\n"
    d = assistant.draft(text, _known(), LEXICON, "a900", "900_x.txt", "0" * 64)
    assert [(q.text, q.speaker) for q in d.quotes] == [("We will meet again soon", "alba-berg")]


def test_he_is_the_person_who_was_last_the_subject():
    text = ("Headline Of The Day\n\nAlba Berg spoke to the press in the capital on Monday morning.\n\n"
            "“We will meet again soon,” he said at the end of the briefing.\n")
    d = assistant.draft(text, _known(), LEXICON, "a900", "900_x.txt", "0" * 64)
    assert [q.speaker for q in d.quotes] == ["alba-berg"]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_the_drafted_coding_fits_the_article_schema(seed):
    project = Project(ROOT)
    schemas = load_schemas(project.schemas)
    text = seed.read_text("utf-8")
    d = assistant.draft(text, assistant.Known({}, {}, {}, {}, set()), LEXICON, "a900", seed.name, "0" * 64)
    data, _, problems = parse_yaml(assistant.render(d).encode("utf-8"), "draft.yaml")
    assert problems == []
    assert load.schema_problems(load.CodingFile("draft.yaml", data, {}), schemas.codings["article"]) == []


def test_add_copies_the_text_byte_for_byte_under_a_content_addressed_name(tmp_path):
    project = _project(tmp_path)
    source = tmp_path / "new.txt"
    raw = SEEDS[0].read_bytes() + b"\nA line that makes this text new.\n"
    source.write_bytes(raw)
    added = adding.add(project, source)
    digest = load.sha256(raw)
    assert added.seed.name == f"{len(SEEDS):03d}_{digest[:16]}.txt"
    assert added.seed.read_bytes() == raw


def test_add_refuses_a_text_that_is_already_a_seed(tmp_path):
    project = _project(tmp_path)
    with pytest.raises(Failed) as caught:
        adding.add(project, project.articles / SEEDS[1].name)
    assert [p.message for p in caught.value.problems] == [f"this text is already seed {SEEDS[1].name} (same SHA-256)"]


@pytest.mark.parametrize("content, message", [
    (b"caf\xe9 au lait\n", "not UTF-8 text (byte 3 is 0xe9)"),
    (b"", "the file is empty"),
    (b"%PDF-1.4\n\x00\x01binary", "holds a control character (U+0000), so it is not plain text"),
])
def test_add_refuses_what_is_not_utf8_text(tmp_path, content, message):
    project = _project(tmp_path)
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    with pytest.raises(Failed) as caught:
        adding.add(project, source)
    assert [p.message for p in caught.value.problems] == [message]
    assert sorted(project.articles.iterdir()) == sorted(project.articles / p.name for p in (ROOT / "seeds" / "articles").iterdir())


def test_add_refuses_a_folder(tmp_path):
    project = _project(tmp_path)
    with pytest.raises(Failed) as caught:
        adding.add(project, tmp_path / "seeds")
    assert [p.message for p in caught.value.problems] == ["not a regular file"]


def _added_draft(tmp_path: Path) -> tuple[Project, Path]:
    project = _project(tmp_path)
    source = tmp_path / "new.txt"
    source.write_bytes(SEEDS[4].read_bytes() + b"\nA line that makes this text new.\n")
    return project, adding.add(project, source).coding


def test_the_build_refuses_a_draft_with_a_located_problem_per_mark(tmp_path):
    project, coding = _added_draft(tmp_path)
    lines = coding.read_text("utf-8").splitlines()
    with pytest.raises(Failed) as caught:
        build.build(project)
    mine = [p for p in caught.value.problems if p.file == project.relative(coding)]
    marks = sum(1 for line in lines if re.match(r"\s*draft:\s*$", line)) - 1  # the top-level block holds marks of its own
    assert len([p for p in mine if "drafted, not yet confirmed" in p.message]) >= marks
    # Each problem points into a draft mark: its own line or the one above opens it, or it lies in the top-level block.
    top = next(i for i, line in enumerate(lines, 1) if line == "draft:")
    for p in (p for p in mine if "draft" in p.message):
        assert p.line is not None
        assert "draft:" in lines[p.line - 1] + lines[p.line - 2] or p.line > top


def _without_drafts(node):
    if isinstance(node, dict):
        return {k: _without_drafts(v) for k, v in node.items() if k != "draft"}
    if isinstance(node, list):
        return [_without_drafts(v) for v in node]
    return node


def test_a_confirmed_draft_no_longer_counts_as_a_draft(tmp_path):
    project, coding = _added_draft(tmp_path)
    data = yaml.safe_load(coding.read_text("utf-8"))
    coding.write_text(yaml.safe_dump(_without_drafts(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        build.build(project)
        problems = []
    except Failed as exc:
        problems = exc.problems
    assert [p for p in problems if "draft" in p.message] == []


pieces = st.sampled_from(list('ab XY.,;:!?"“”‘’\'\n—-/()07') + [
    "\n\n", "said", "according to ", "Tuesday", "May", "2023", " years ago", "0000", "the ministry", "he ",
    "Subscribe", "http://x.y/2023/04/25/z", " / Reuters", "Updated: "])


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=120).map("".join).filter(lambda t: t.strip()))
def test_drafting_any_text_gives_spans_inside_it_and_a_readable_file(text):
    d = assistant.draft(text, assistant.Known({}, {}, {}, {}, set()), LEXICON, "a900", "900_x.txt", "0" * 64)
    assert all(0 <= q.start < q.end <= len(text) for q in d.quotes)
    _, _, problems = parse_yaml(assistant.render(d).encode("utf-8"), "draft.yaml")
    assert problems == []


@pytest.mark.parametrize("expression", ["0000", "the 0000s", "9999 years ago"])
def test_an_impossible_year_is_a_date_error_not_a_crash(expression):
    with pytest.raises(dates.DateError):
        dates.resolve(expression, dt.date(2023, 4, 25), "day")


def test_a_page_in_another_house_style_is_read_by_the_same_rules():
    """An invented wire-agency page (tests/fixtures/agency_style_page.txt): dateline with agency tag, 'By' line,
    time-first timestamps, an '(AP Photo/...)' caption, a contributor line and a copyright footer."""
    text = (ROOT / "tests" / "fixtures" / "agency_style_page.txt").read_text("utf-8")
    d = assistant.draft(text, assistant.Known({}, {}, {}, {}, set()), LEXICON, "a900", "x.txt", "0" * 64)
    lay = d.layout
    assert text[lay.body_start:].startswith("MINAS TIRITH, Gondor (AP) — The foreign ministers")
    assert text[:lay.body_end].endswith("a charge Narnia denies.")
    assert (d.published.source, d.published.date) == ("printed", dt.date(2024, 3, 14))
    assert lay.byline.text == "JANE DOE and RICHARD ROE"
    assert {q.text: q.speaker for q in d.quotes}["We have agreed to meet again next month"] == "lucy-pevensie"


def test_what_the_curator_supplies_at_capture_goes_to_the_capture_record_not_the_coding(tmp_path):
    project = _project(tmp_path)
    source = tmp_path / "new.txt"
    source.write_bytes(SEEDS[2].read_bytes() + b"\nA line that makes this text new.\n")
    given = adding.Capture(url="https://example.org/a", outlet="Example Wire", published="2022-12-29")
    added = adding.add(project, source, given)
    record = yaml.safe_load(added.capture.read_text("utf-8"))
    assert (record["url"], record["outlet"], record["published"]) == ("https://example.org/a", "Example Wire", "2022-12-29")
    assert (record["seed"], record["sha256"]) == (added.seed.name, load.sha256(added.seed.read_bytes()))
    data = yaml.safe_load(added.coding.read_text("utf-8"))
    assert "url" not in data and "outlet" not in data  # not words of the text: the span rule would refuse them
    assert {"outlet", "url", "published"}.isdisjoint(data["draft"].get("fields", {}))


def test_another_articles_unfinished_draft_does_not_stop_the_next_add(tmp_path):
    """Drafts are confirmed one by one: while one article's draft is pending (and may not build yet), the next
    article is drafted against the confirmed codings alone."""
    project = _project(tmp_path)
    first = tmp_path / "first.txt"
    first.write_bytes(SEEDS[4].read_bytes() + b"\nA line that makes this text new.\n")
    adding.add(project, first)
    second = tmp_path / "second.txt"
    second.write_bytes(SEEDS[3].read_bytes() + b"\nAnother line that makes this text new.\n")
    added = adding.add(project, second)
    assert added.coding.name == f"a{len(SEEDS) + 1:03d}.yaml"
