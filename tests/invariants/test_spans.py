"""find_all (str.find on a folded text) finds exactly what the whitespace-tolerant regular expression finds; a span is
whole words unless one of its edges falls between two letters or digits."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tstalks.core.spans import find_all, find_all_by_regex, is_whole_words, words_around

_ALPHABET = st.sampled_from(list("ab '\u2019\"\u201c\u201d\n\t") + ["\u00a0"])


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=40), st.text(_ALPHABET, min_size=1, max_size=8).filter(lambda w: w.split()),
       st.integers(0, 40), st.integers(0, 40))
def test_find_all_agrees_with_the_regular_expression(text: str, words: str, start: int, length: int) -> None:
    end = min(len(text), start + length)
    assert find_all(text, words, start, end) == find_all_by_regex(text, words, start, end)


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
    assert is_whole_words(text, find_all(text, words)[0]) is whole


def test_the_words_around_a_cut_span_are_the_whole_words_it_cuts() -> None:
    text = "Russian and Iranian foreign ministers"
    assert words_around(text, find_all(text, "Iran")[0]) == "Iranian"
    assert words_around(text, find_all(text, "ssian and Ir")[0]) == "Russian and Iranian"
