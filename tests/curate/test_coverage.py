"""The coverage detector finds every quotation and attribution sentence; every seed article is fully coded."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from support import ROOT
from tstalks.build import ArticleText, Seed, resolve
from tstalks.build import codings as load
from tstalks.cli import main
from tstalks.core import Project, load_schemas
from tstalks.core.spans import Span
from tstalks.curate import coverage
from tstalks.curate.text import quoted_passages


def _text(body: str, uncoded: tuple[Span, ...] = ()) -> ArticleText:
    return ArticleText("t1", Seed("t1.txt", body, "0" * 64), 0, len(body), None, None, uncoded)


def _passages(text: str) -> list[str]:
    return [text[p.start:p.end] for p in quoted_passages(text)]


def test_seed_articles_are_fully_covered():
    """Every coded article is in the report, and each is fully covered: every quotation and attribution sentence
    of its body is coded or waived with a reason."""
    project = Project(ROOT)
    codings = load.load_codings(project, load_schemas(project.schemas))
    coded = sorted(c.data["article"] for c in codings.articles)
    report = coverage.coverage(resolve.resolve(codings))
    assert sorted(a.article_id for a in report.articles) == coded
    assert {a.article_id: [i.text for i in a.missing] for a in report.articles} == {aid: [] for aid in coded}


def test_curly_quotes_are_found_across_a_line_break():
    assert _passages("The ministry said “practical steps\nwere discussed” on Tuesday.") == ["practical steps\nwere discussed"]


def test_straight_quotes_are_found_across_a_line_break():
    assert _passages('He said "we are holding\r\ndiscussions," and left.') == ["we are holding\r\ndiscussions,"]


def test_a_straight_opening_mark_pairs_with_a_curly_closing_mark():
    assert _passages('the parties "reaffirmed their adherence.” Then “more”.') == ["reaffirmed their adherence.", "more"]


def test_an_apostrophe_does_not_close_a_single_quoted_passage():
    assert _passages("discuss ‘Syria’s normalization’ now") == ["Syria’s normalization"]


def test_an_unpaired_mark_is_reported_missing():
    items = coverage.article_coverage(_text('It was "constructive and then nothing.'), []).items
    assert [(i.kind, i.status, i.detail) for i in items] == [("quotation", "missing", "unpaired quotation mark")]


def test_an_uncoded_quotation_is_missing_and_a_coded_one_is_coded():
    body = 'A “scare” word. The minister said “we agree”.'
    inner = body.index("we agree")
    result = coverage.article_coverage(_text(body), [(inner - 20, inner + len("we agree"))])
    assert [(i.text, i.status) for i in result.items if i.kind == "quotation"] == [("scare", "missing"), ("we agree", "coded")]


def test_a_waived_quotation_counts_as_waived():
    body = "A “scare” word here."
    start = body.index("scare")
    result = coverage.article_coverage(_text(body, (Span(start, start + 5),)), [])
    assert [(i.text, i.status) for i in result.items] == [("scare", "waived")]
    assert result.percent == 100.0


def test_an_attribution_sentence_across_a_line_break_is_detected():
    body = "Talks went on. The ministry\nsaid the talks focused on security. Nothing else happened."
    items = coverage.article_coverage(_text(body), []).items
    assert [(i.text, i.status, i.detail) for i in items] == [
        ("The ministry\nsaid the talks focused on security.", "missing", "said")]


def test_an_attribution_sentence_overlapping_a_quote_is_coded():
    body = "Intro. Moscow stressed the importance of peace. End."
    start = body.index("the importance")
    items = coverage.article_coverage(_text(body), [(start, start + 10)]).items
    assert [(i.status, i.detail) for i in items] == [("coded", "stressed")]


@given(st.text(alphabet=st.characters(blacklist_characters='"“”‘', blacklist_categories=("Cs",)), min_size=1))
def test_any_text_between_curly_marks_within_a_paragraph_is_one_passage_trimmed(inner: str):
    assume(inner.strip() and "\n\n" not in inner and not re.search(r'[.”"]\n ', "“" + inner))
    assert _passages(f"x “{inner}” y") == [inner.strip()]


def test_the_command_exits_non_zero_when_a_quote_is_left_uncoded(tmp_path: Path):
    for folder in ("schemas", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    coding = tmp_path / "seeds" / "codings" / "articles" / "a002.yaml"
    text = coding.read_text("utf-8")
    removed = """  - id: a002-q08
    statement: akar-airspace-remarks
    text: We are holding discussions with the Russians about the opening of the airspace
    mode: direct
"""
    assert removed in text
    coding.write_text(text.replace(removed, ""), "utf-8")
    result = CliRunner().invoke(main, ["coverage", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "We are holding discussions with the Russians about the opening of the airspace" in result.output
