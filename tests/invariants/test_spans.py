"""find_all (str.find on a folded text) finds exactly what the whitespace-tolerant regular expression finds; a span is
whole words unless one of its edges falls between two letters or digits, and the locator takes only whole-word spans."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tstalks.core.spans import Span, SpanError, cuts_word, find_all, find_all_by_regex, locate, words_around

_ALPHABET = st.sampled_from(list("ab '\u2019\"\u201c\u201d\n\t") + ["\u00a0"])


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=40), st.text(_ALPHABET, min_size=1, max_size=8).filter(lambda w: w.split()),
       st.integers(0, 40), st.integers(0, 40))
def test_find_all_agrees_with_the_regular_expression(text: str, words: str, start: int, length: int) -> None:
    end = min(len(text), start + length)
    assert find_all(text, words, start, end) == find_all_by_regex(text, words, start, end)


# Letters of two scripts, a digit, a combining accent (part of the letter before it), spaces and quotation marks.
_WORDY = st.sampled_from(list("abI 9'\u2019\"\n") + ["\u0301", "\u00e9", "\u0436", "\u00a0"])


def _word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN"  # letters, combining marks, digits


@settings(max_examples=400, deadline=None)
@given(st.text(_WORDY, max_size=40), st.text(_WORDY, min_size=1, max_size=6).filter(lambda w: w.split()),
       st.integers(0, 40), st.integers(0, 40))
def test_whole_word_matches_agree_with_the_regular_expression_tried_at_every_position(text, words, start, length):
    end = min(len(text), start + length)
    assert find_all(text, words, start, end, whole_words=True) == find_all_by_regex(text, words, start, end, whole_words=True)


@settings(max_examples=400, deadline=None)
@given(st.text(_WORDY, max_size=40), st.text(_WORDY, min_size=1, max_size=6).filter(lambda w: w.split()))
def test_no_whole_word_match_starts_or_ends_inside_a_word(text, words):
    for span in find_all(text, words, whole_words=True):
        assert not (span.start > 0 and _word_char(text[span.start - 1]) and _word_char(text[span.start]))
        assert not (span.end < len(text) and _word_char(text[span.end - 1]) and _word_char(text[span.end]))


@settings(max_examples=400, deadline=None)
@given(st.text(_WORDY, max_size=40), st.text(_WORDY, min_size=1, max_size=6).filter(lambda w: w.split()))
def test_the_locator_takes_a_whole_word_occurrence_whenever_there_is_one(text, words):
    whole = find_all(text, words, whole_words=True)
    try:
        span = locate(text, words, occurrence=1)
    except SpanError:
        assert not whole
        return
    assert span == whole[0]


def test_a_name_inside_a_longer_word_is_passed_over_for_the_word_itself():
    text = "Iranian Defense Minister Ashtiani joined. Iran later joined the talks."
    assert locate(text, "Iran") == Span(42, 46)  # not the "Iran" of "Iranian" at 0
    assert locate(text, "Iran", occurrence=1) == Span(42, 46)


def test_words_found_only_inside_longer_words_are_refused_naming_the_words():
    with pytest.raises(SpanError) as refused:
        locate("The Russian and Syrian ministers met.", "Syria", region="the body of 004.txt")
    assert "only inside longer words: 'Syrian' (seed line 1)" in refused.value.message
    assert "word boundaries" in refused.value.fix


def test_a_word_with_an_accent_is_not_cut_before_its_combining_mark():
    assert find_all("cafe\u0301 cafe", "cafe", whole_words=True) == [Span(6, 10)]


@pytest.mark.parametrize("text, words, whole", [
    ("in Syria’s north", "Syria", True),          # an apostrophe ends the word
    ("the Syrian side", "Syria", False),           # the name's letters run on into a longer word
    ("Turkish-Syrian relations", "Syrian", True),  # a hyphen joins two words
    ("Erdogan's", "Erdogan", True),
    ("Moscow", "Moscow", True),                    # the edges of the text are word edges
    ("xMoscow", "Moscow", False),
    ('"practical steps', "practical steps", True),
])
def test_a_span_is_whole_words_unless_an_edge_falls_between_two_letters(text: str, words: str, whole: bool) -> None:
    span = find_all(text, words)[0]
    assert cuts_word(text, span.start, span.end) is not whole


def test_the_words_around_a_cut_span_are_the_whole_words_it_cuts() -> None:
    text = "Russian and Iranian foreign ministers"
    assert words_around(text, find_all(text, "Iran")[0]) == "Iranian"
    assert words_around(text, find_all(text, "ssian and Ir")[0]) == "Russian and Iranian"
