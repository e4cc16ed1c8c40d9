"""Bad input gets a clear error naming the file, the line or id, and the fix; never a traceback,
never a half-written data/. (The property-based versions over generated packages are in test_mutations.py.)"""
from __future__ import annotations

import re

import pytest

from support import assert_refused


def test_changing_one_byte_of_a_seed_fails_naming_the_coding_file_and_article(project):
    seed = project / "seeds/articles/000_0305ecee9ab6d585.txt"
    raw = bytearray(seed.read_bytes())
    raw[100] = ord("X") if raw[100] != ord("X") else ord("Y")
    seed.write_bytes(bytes(raw))
    assert_refused(project, "seeds/codings/articles/a000.yaml", "a000: seed 000_0305ecee9ab6d585.txt has SHA-256")


def test_deleting_a_referenced_participant_fails_naming_the_referring_file_and_id(project):
    registry = project / "seeds/codings/participants.yaml"
    text = registry.read_text("utf-8")
    block = re.search(r"  - id: russian-defence-ministry\n(?:    .*\n)+", text).group(0)
    registry.write_text(text.replace(block, ""), "utf-8")
    assert_refused(project, None, "'russian-defence-ministry' refers to no row of participants")


def test_duplicating_an_id_fails_naming_the_file_and_the_id(project):
    registry = project / "seeds/codings/events.yaml"
    text = registry.read_text("utf-8")
    first = re.search(r"  - id: (\S+)\n(?:    .*\n|      .*\n)+", text)
    registry.write_text(text + first.group(0), "utf-8")
    assert_refused(project, "seeds/codings/events.yaml", f"{first.group(1)}: duplicate events key {first.group(1)}")


def test_a_quote_not_in_its_text_fails_saying_where_the_words_stop_matching(project):
    coding = project / "seeds/codings/articles/a000.yaml"
    text = coding.read_text("utf-8")
    coding.write_text(text.replace("Practical steps were discussed", "Practical steps were agreed", 1), "utf-8")
    assert_refused(project, "seeds/codings/articles/a000.yaml", "a000-q01: 'Practical steps were agreed", "is not in the body",
                   "the first 3 word(s) match")


def test_malformed_yaml_fails_with_file_and_line(project):
    coding = project / "seeds/codings/events.yaml"
    coding.write_text(coding.read_text("utf-8") + "  - id: [unclosed\n", "utf-8")
    assert_refused(project, "seeds/codings/events.yaml", "not valid YAML")


def test_an_impossible_date_fails_with_file_line_and_id(project):
    registry = project / "seeds/codings/events.yaml"
    text = registry.read_text("utf-8")
    event = re.search(r"  - id: (\S+)\n", text).group(1)
    text = re.sub(r"(  - id: " + re.escape(event) + r"\n(?:    (?!date:).*\n)*)    date:\n(?:      .*\n)+",
                  r"\1    date:\n      value: 2023-02-30\n      note: test\n", text, count=1)
    registry.write_text(text, "utf-8")
    assert_refused(project, "seeds/codings/events.yaml", f"{event}: '2023-02-30' is not a real date")


def test_an_unknown_vocabulary_value_fails_naming_the_codelist(project):
    registry = project / "seeds/codings/events.yaml"
    text = registry.read_text("utf-8")
    registry.write_text(re.sub(r"status: occurred", "status: happened", text, count=1), "utf-8")
    assert_refused(project, "seeds/codings/events.yaml", "/status: 'happened' is not one of", "codelist")


def test_a_whole_number_written_as_a_float_is_refused_as_not_an_integer(project):
    registry = project / "seeds/codings/participants.yaml"
    text = registry.read_text("utf-8")
    registry.write_text(text.replace("cow_code: 365\n", "cow_code: 365.0\n", 1), "utf-8")
    assert_refused(project, "seeds/codings/participants.yaml", "/cow_code: 365.0 is not of type 'integer'")


def test_a_spelling_found_only_inside_longer_words_is_refused_naming_the_word(project):
    """a008 names Iran only in the adjective ("Russian, Iranian, Syrian, and Turkish"): "Iran" is not a spelling of
    the state there, though the letters occur."""
    coding = project / "seeds/codings/articles/a008.yaml"
    text = coding.read_text("utf-8")
    assert "\n  iran:" not in text
    coding.write_text(text.replace("\naliases:\n", "\naliases:\n  iran: [Iran]\n", 1), "utf-8")
    assert_refused(project, "seeds/codings/articles/a008.yaml",
                   "iran: 'Iran' occurs in the body of 008_dd4ee5cabd73d7c9.txt only inside longer words: 'Iranian' "
                   "(seed line", "write the whole word")


@pytest.mark.parametrize("record, key, value", [
    ("006_6978fd82054c1e57", "published", "2023-02-30"),  # a006 prints no date: the record's is its publication date
    ("005_7d14343df195e22d", "published", "2023-13"),     # a005 prints one, which the record's is compared with
    ("005_7d14343df195e22d", "captured", "2023-04-31"),
])
def test_an_impossible_date_in_a_capture_record_is_refused_once_with_its_line(project, record, key, value):
    path = project / "seeds" / "articles" / f"{record}.capture.yaml"
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith(f"{key}:")]
    path.write_text("\n".join([*lines, f'{key}: "{value}"']) + "\n", "utf-8")
    output = assert_refused(project, f"seeds/articles/{record}.capture.yaml", f"{key}: '{value}' is not a real date",
                            "with a real month and day")
    assert "1 problem(s)" in output, output  # nothing dated from that article is refused for want of its date
