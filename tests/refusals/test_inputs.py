"""Every input error is located and said once, however hostile the input: deep nesting, broken schema files,
links out of the project, seeds no coding names, values far too long. Each test copies the valid project, breaks
one thing, and asserts exactly the problem `tstalks build` prints (file, line, message, fix), that it is the
only one, the exit status 1, no traceback, and the outputs byte-identical."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from support import assert_refused

PASSWD = Path("/etc/passwd")


def refused(root: Path, file: str | None, block: str, count: int = 1, line: bool = True) -> str:
    """The build refuses, printing `block` (a problem and its fix) among exactly `count` problems."""
    output = assert_refused(root, file, line=line)
    assert block in output, output[-3000:]
    assert f"\n{count} problem(s). Nothing was written" in output, output[-3000:]
    return output


def lines_of(path: Path) -> int:
    return path.read_text("utf-8").count("\n")


# --- YAML nested past any coding's depth -----------------------------------------------------------------------------

def test_lists_nested_600_deep_are_refused_at_their_line(project):
    registry = project / "seeds/codings/events.yaml"
    at = lines_of(registry) + 1
    registry.write_text(registry.read_text("utf-8") + "deep: " + "[" * 600 + "]" * 600 + "\n", "utf-8")
    refused(project, "seeds/codings/events.yaml",
            f"seeds/codings/events.yaml:{at}: lists or mappings nested more than 64 levels deep\n"
            "    fix: curated files nest a few levels; check the brackets and indentation from this line")


def test_mappings_nested_600_deep_are_refused_at_the_line_past_the_limit(project):
    registry = project / "seeds/codings/participants.yaml"
    at = lines_of(registry) + 1  # the line of `deep:`; the mapping at depth k starts k lines below it
    text = "deep:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(600)) + "  " * 601 + "x: 1\n"
    registry.write_text(registry.read_text("utf-8") + text, "utf-8")
    refused(project, "seeds/codings/participants.yaml",
            f"seeds/codings/participants.yaml:{at + 65}: lists or mappings nested more than 64 levels deep\n")


def test_deep_nesting_in_an_article_coding_is_refused_too(project):
    coding = project / "seeds/codings/articles/a002.yaml"
    at = lines_of(coding) + 1
    coding.write_text(coding.read_text("utf-8") + "deep_extra: " + "{a: " * 500 + "1" + "}" * 500 + "\n", "utf-8")
    refused(project, "seeds/codings/articles/a002.yaml",
            f"seeds/codings/articles/a002.yaml:{at}: lists or mappings nested more than 64 levels deep\n")


# --- schemas/ ------------------------------------------------------------------------------------------------------

def test_a_table_schema_that_is_not_json_is_refused_at_its_line(project):
    path = project / "schemas/tables/events.json"
    lines = path.read_text("utf-8").split("\n")
    lines[2] = '  "title": oops,'
    path.write_text("\n".join(lines), "utf-8")
    refused(project, "schemas/tables/events.json",
            "schemas/tables/events.json:3: not valid JSON: Expecting value (column 12)\n    fix: fix the JSON on that line")


def test_a_table_schema_without_fields_is_refused_naming_the_file(project):
    path = project / "schemas/tables/events.json"
    schema = json.loads(path.read_text("utf-8"))
    del schema["fields"]
    path.write_text(json.dumps(schema, indent=2), "utf-8")
    refused(project, "schemas/tables/events.json",
            "schemas/tables/events.json:1: fields: has no list of fields\n    fix: give the table its fields")


def test_a_field_of_a_type_the_build_cannot_write_is_refused_at_its_line(project):
    path = project / "schemas/tables/events.json"
    schema = json.loads(path.read_text("utf-8"))
    i = next(i for i, f in enumerate(schema["fields"]) if f["name"] == "start_date")
    schema["fields"][i]["type"] = "datetime"
    text = json.dumps(schema, indent=2)
    path.write_text(text, "utf-8")
    at = text.split("\n").index('      "type": "datetime",') + 1
    refused(project, "schemas/tables/events.json",
            f"schemas/tables/events.json:{at}: fields/{i}/type: type 'datetime' is not one the build writes\n"
            "    fix: use one of string, integer, number, boolean, date")


def test_a_codelist_with_a_byte_order_mark_is_refused_at_line_1(project):
    path = project / "schemas/codelists/topic.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    refused(project, "schemas/codelists/topic.csv",
            "schemas/codelists/topic.csv:1: starts with a byte order mark (BOM), which would become part of the first "
            "column's name\n    fix: save the file as UTF-8 without a BOM")


def test_a_code_listed_twice_in_a_codelist_is_refused_at_its_second_line(project):
    path = project / "schemas/codelists/topic.csv"
    rows = path.read_text("utf-8").splitlines()
    code = rows[1].split(",")[0]
    path.write_text("\n".join([*rows, rows[1]]) + "\n", "utf-8")
    refused(project, "schemas/codelists/topic.csv",
            f"schemas/codelists/topic.csv:{len(rows) + 1}: {code}: the code is also on line 2\n    fix: keep one row per code")


# --- links out of the project, files that are not files ----------------------------------------------------------

@pytest.mark.skipif(not PASSWD.is_file(), reason="needs a file outside the project")
def test_a_coding_that_links_out_of_the_project_is_refused_unread(project):
    coding = project / "seeds/codings/articles/a001.yaml"
    coding.unlink()
    coding.symlink_to(PASSWD)
    output = refused(project, "seeds/codings/articles/a001.yaml",
                     "seeds/codings/articles/a001.yaml: is a symbolic link to a file outside the project; it is not read\n"
                     "    fix: put the file itself in the project (inputs are files of the checkout)", line=False)
    assert "root:" not in output  # nothing of the file is printed (and what refers to a001 is not refused again)


@pytest.mark.skipif(not PASSWD.is_file(), reason="needs a file outside the project")
def test_a_registry_that_links_out_of_the_project_is_refused_unread(project):
    registry = project / "seeds/codings/participants.yaml"
    registry.unlink()
    registry.symlink_to(PASSWD)
    output = refused(project, "seeds/codings/participants.yaml",
                     "seeds/codings/participants.yaml: is a symbolic link to a file outside the project; it is not read\n",
                     line=False)
    assert "root:" not in output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_among_the_codings_is_refused_without_waiting_on_it(project):
    """A FIFO under the first coding name no article uses yet, beside the real codings: refused, never opened."""
    codings = project / "seeds/codings/articles"
    name = next(f"a{n:03d}.yaml" for n in range(1000) if not (codings / f"a{n:03d}.yaml").exists())
    os.mkfifo(codings / name)
    refused(project, f"seeds/codings/articles/{name}",
            f"seeds/codings/articles/{name}: is not a regular file; it is not read\n"
            "    fix: replace it with the file itself", line=False)


# --- every seed accounted for --------------------------------------------------------------------------------------

def test_a_seed_no_coding_names_is_refused_with_the_fix(project):
    (project / "seeds/articles/005_0123456789abcdef.txt").write_text("An article nobody coded.\n", "utf-8")
    refused(project, "seeds/articles/005_0123456789abcdef.txt",
            "seeds/articles/005_0123456789abcdef.txt: no coding names this seed (seed.file): every file in "
            "seeds/articles/ is a coded article\n    fix: write its coding in seeds/codings/articles/ (`tstalks add` "
            "drafts one with a copy of it), or remove the file", line=False)


@pytest.mark.skipif(not PASSWD.is_file(), reason="needs a file outside the project")
def test_a_seed_linking_out_of_the_project_is_refused_unread(project):
    (project / "seeds/articles/005_0123456789abcdef.txt").symlink_to(PASSWD)
    output = refused(project, "seeds/articles/005_0123456789abcdef.txt",
                     "seeds/articles/005_0123456789abcdef.txt: is a symbolic link to a file outside the project; "
                     "it is not read\n", line=False)
    assert "root:" not in output


@pytest.mark.skipif(not PASSWD.is_file(), reason="needs a file outside the project")
def test_a_coded_seed_replaced_by_a_link_out_of_the_project_is_refused_once(project):
    seed = project / "seeds/articles/001_4a2626e5d3b4ed49.txt"
    seed.unlink()
    seed.symlink_to(PASSWD)
    refused(project, "seeds/articles/001_4a2626e5d3b4ed49.txt",
            "seeds/articles/001_4a2626e5d3b4ed49.txt: is a symbolic link to a file outside the project; it is not read\n",
            line=False)  # and not also "seed file ... is not in seeds/articles/" on a001.yaml


# --- one root error per cause --------------------------------------------------------------------------------------

def test_a_bad_key_in_an_article_coding_is_the_only_problem(project):
    """a000 is referred to by event and statement dates and discrepancy values: none of them is refused again."""
    coding = project / "seeds/codings/articles/a000.yaml"
    text = coding.read_text("utf-8")
    coding.write_text(text.replace("\npublished:", "\npublished_typo: 1\npublished:", 1), "utf-8")
    at = coding.read_text("utf-8").split("\n").index("published_typo: 1") + 1
    registries = "".join((project / "seeds/codings" / f).read_text("utf-8") for f in ("events.yaml", "statements.yaml",
                                                                                     "discrepancies.yaml"))
    assert len(re.findall(r"article: a000\b", registries)) >= 2  # the rule is about references that exist
    refused(project, "seeds/codings/articles/a000.yaml",
            f"seeds/codings/articles/a000.yaml:{at}: (top level): Additional properties are not allowed "
            "('published_typo' was unexpected)\n    fix: remove or rename the key; the allowed keys are in the coding schema")


def test_a_changed_seed_is_the_only_problem(project):
    seed = project / "seeds/articles/000_0305ecee9ab6d585.txt"
    seed.write_bytes(seed.read_bytes() + b"x")
    refused(project, "seeds/codings/articles/a000.yaml", ": the seed changed\n")


# --- values far too long -------------------------------------------------------------------------------------------

def _replace_first(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; the line it is on."""
    text = path.read_text("utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], "utf-8")
    return text[:at].count("\n") + 1


def test_a_10_mb_identifier_is_refused_in_a_few_hundred_characters(project):
    registry = project / "seeds/codings/events.yaml"
    event = re.search(r"  - id: (\S+)\n", registry.read_text("utf-8")).group(1)
    at = _replace_first(registry, f"  - id: {event}\n", "  - id: " + "x" * 10_000_000 + "\n")
    output = refused(project, "seeds/codings/events.yaml",
                     f"seeds/codings/events.yaml:{at}: events/0/id: '{'x' * 80}…' (10,000,000 characters) is longer than "
                     "the 100 characters allowed\n    fix: shorten it to at most 100 characters (see the coding schema)")
    assert len(output) < 1000


def test_a_10_mb_role_title_is_refused_by_the_coding_schema(project):
    registry = project / "seeds/codings/participants.yaml"
    title = re.search(r"\n    role_title: (.+)\n", registry.read_text("utf-8")).group(1)
    at = _replace_first(registry, f"    role_title: {title}\n", "    role_title: " + "a" * 10_000_000 + "\n")
    entry = registry.read_text("utf-8")[:registry.read_text("utf-8").index("a" * 100)].count("\n  - id: ") - 1
    output = refused(project, "seeds/codings/participants.yaml",
                     f"seeds/codings/participants.yaml:{at}: participants/{entry}/role_title: '{'a' * 80}…' (10,000,000 "
                     "characters) is longer than the 10,000 characters allowed")
    assert len(output) < 1000


def test_a_role_title_longer_than_its_table_schema_allows_is_refused_at_its_entry(project):
    """The coding schema bounds every text generously; the Table Schema gives each column its own limit."""
    limit = next(f["constraints"]["maxLength"] for f in json.loads((project / "schemas/tables/participants.json")
                 .read_text("utf-8"))["fields"] if f["name"] == "role_title")
    registry = project / "seeds/codings/participants.yaml"
    text = registry.read_text("utf-8")
    entry = re.search(r"  - id: (\S+)\n(?:    (?!role_title:).*\n)*    role_title: (.+)\n", text)
    _replace_first(registry, f"    role_title: {entry.group(2)}\n", "    role_title: " + "b" * (limit + 1) + "\n")
    at = text[:entry.start()].count("\n") + 1
    refused(project, "seeds/codings/participants.yaml",
            f"seeds/codings/participants.yaml:{at}: {entry.group(1)}: participants.role_title '{'b' * 80}…' "
            f"({limit + 1} characters) is longer than the {limit:,} characters allowed\n"
            f"    fix: shorten it to at most {limit:,} characters")


def test_every_free_text_and_identifier_column_has_a_length_limit(root):
    """Codes are bounded by their codelists, fixed forms by their patterns; every other string is given a maxLength."""
    for path in sorted((root / "schemas/tables").glob("*.json")):
        for f in json.loads(path.read_text("utf-8"))["fields"]:
            c = f.get("constraints", {})
            bounded = "codelist" in f or re.fullmatch(r"\^[^*+]*\$", c.get("pattern", "")) is not None
            if f["type"] == "string" and not bounded:
                assert isinstance(c.get("maxLength"), int), f"{path.name}: {f['name']} has no maxLength"
