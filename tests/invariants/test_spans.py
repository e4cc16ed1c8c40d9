"""find_all (str.find on a folded text) finds exactly what the whitespace-tolerant regular expression finds."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tstalks.core.spans import find_all, find_all_by_regex

_ALPHABET = st.sampled_from(list("ab '\u2019\"\u201c\u201d\n\t") + ["\u00a0"])


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=40), st.text(_ALPHABET, min_size=1, max_size=8).filter(lambda w: w.split()),
       st.integers(0, 40), st.integers(0, 40))
def test_find_all_agrees_with_the_regular_expression(text: str, words: str, start: int, length: int) -> None:
    end = min(len(text), start + length)
    assert find_all(text, words, start, end) == find_all_by_regex(text, words, start, end)
