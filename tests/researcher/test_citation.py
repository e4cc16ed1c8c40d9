"""CITATION.cff is valid Citation File Format 1.2.0, and the version is the same everywhere it is written."""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from support import ROOT

CFF_SCHEMA = ROOT / "schemas/profiles/citation-file-format-1.2.0/schema.json"
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))


def cff_errors(data: dict) -> list[str]:
    """What cffconvert --validate checks: the CFF 1.2.0 JSON Schema (draft-07)."""
    schema = json.loads(CFF_SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def changelog_releases() -> list[tuple[str, str]]:
    return RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text("utf-8"))


def test_citation_file_is_valid_under_the_cff_1_2_0_schema(cff):
    assert cff_errors(cff) == []


def test_the_cff_schema_check_rejects_a_citation_without_authors(cff):
    broken = copy.deepcopy(cff)
    del broken["authors"]
    assert any("'authors' is a required property" in e for e in cff_errors(broken))


def test_citation_names_title_version_date_authors_licence_and_preferred_citation(cff):
    for key in ("title", "version", "date-released", "authors", "license", "preferred-citation"):
        assert cff.get(key), f"CITATION.cff has no {key}"
    assert cff["preferred-citation"]["title"] == cff["title"]


def test_citation_version_is_the_package_version(cff):
    package = json.loads((ROOT / "schemas/package.json").read_text("utf-8"))
    assert str(cff["version"]) == package["version"]
    assert str(cff["preferred-citation"]["version"]) == package["version"]


def test_both_descriptors_carry_the_package_version():
    package = json.loads((ROOT / "schemas/package.json").read_text("utf-8"))
    for descriptor in ("datapackage.json", "data/parquet/datapackage.json"):
        assert json.loads((ROOT / descriptor).read_text("utf-8"))["version"] == package["version"], descriptor


def test_the_latest_changelog_release_is_the_cited_version_and_date(cff):
    releases = changelog_releases()
    assert releases, "CHANGELOG.md has no `## [x.y.z] - YYYY-MM-DD` heading"
    assert releases[0] == (str(cff["version"]), str(cff["date-released"]))


def test_changelog_keeps_an_unreleased_section_above_the_releases():
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert "## [Unreleased]" in text
    assert text.index("## [Unreleased]") < RELEASE_HEADING.search(text).start()


def test_changelog_releases_run_newest_first_without_repeats():
    versions = [tuple(map(int, v.split("."))) for v, _ in changelog_releases()]
    assert versions == sorted(set(versions), reverse=True)


def test_the_readme_cites_the_current_version(cff):
    text = (ROOT / "README.md").read_text("utf-8")
    cited = re.findall(r"\(Version (\d+\.\d+\.\d+)\)", text)
    assert cited, "the README's How to cite shows no `(Version x.y.z)`"
    assert set(cited) == {str(cff["version"])}


def test_cffconvert_validate_accepts_the_citation_file():
    """The real tool, where installed (CI puts it in its own virtual environment: it pins jsonschema<4)."""
    tool = os.environ.get("CFFCONVERT") or shutil.which("cffconvert")
    if not tool:
        pytest.skip("cffconvert not installed; .ci/run installs it in .venv-cff and sets CFFCONVERT")
    run = subprocess.run([tool, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
