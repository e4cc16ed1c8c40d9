"""The published package: what a researcher downloads must validate, and must be what the build makes."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner

from support import ROOT, copy_project, snapshot
from tstalks.cli import main
from tstalks.core import sha256

PARQUET = ROOT / "data" / "parquet" / "datapackage.json"


def test_committed_outputs_match_a_fresh_build():
    result = CliRunner().invoke(main, ["build", "--check", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output + "\nRun: tstalks build"


def test_root_descriptor_validates_against_the_official_data_package_v2_profile():
    profile = json.loads((ROOT / "schemas/profiles/datapackage-2.0/datapackage.json").read_text("utf-8"))
    for path in (ROOT / "datapackage.json", PARQUET):
        descriptor = json.loads(path.read_text("utf-8"))
        jsonschema.Draft7Validator(profile).validate(descriptor)
        assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"


@pytest.mark.parametrize("descriptor", ["datapackage.json", "data/parquet/datapackage.json"])
def test_stock_frictionless_validate_passes(descriptor):
    run = subprocess.run([sys.executable, "-m", "frictionless", "validate", descriptor], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_every_resource_says_which_file_format_and_hash_it_has():
    for path in (ROOT / "datapackage.json", PARQUET):
        for resource in json.loads(path.read_text("utf-8"))["resources"]:
            file = path.parent / resource["path"]
            assert resource["format"] == file.suffix.lstrip(".")
            assert resource["hash"] == "sha256:" + sha256(file.read_bytes())
            if resource["format"] == "sqlite":  # not a table: Data Package v2 has no `type` for it
                assert "type" not in resource and "schema" not in resource
                assert resource["bytes"] == file.stat().st_size
            else:
                assert resource["type"] == "table" and resource["profile"] == "tabular-data-resource"


def test_csv_and_parquet_descriptors_describe_the_same_tables_with_the_same_schemas():
    csv = json.loads((ROOT / "datapackage.json").read_text("utf-8"))["resources"]
    parquet = json.loads(PARQUET.read_text("utf-8"))["resources"]
    tables = [r for r in csv if r["format"] != "sqlite"]
    assert [(r["name"], r["schema"]) for r in tables] == [(r["name"], r["schema"]) for r in parquet]


def test_the_csv_descriptor_lists_the_sqlite_file_once_beside_the_tables():
    csv = json.loads((ROOT / "datapackage.json").read_text("utf-8"))["resources"]
    parquet = json.loads(PARQUET.read_text("utf-8"))["resources"]
    assert [r["path"] for r in csv if r["format"] == "sqlite"] == ["data/sqlite/turkey-syria-talks.sqlite"]
    assert not [r for r in parquet if r["format"] == "sqlite"]


def test_tstalks_validate_reports_the_committed_package_valid():
    result = CliRunner().invoke(main, ["validate", str(ROOT / "datapackage.json")])
    assert result.exit_code == 0, result.output
    assert "spans equal their seed text: all spans match" in result.output


def test_tstalks_validate_checks_a_copy_without_seeds_skipping_only_spans(tmp_path):
    copy = copy_project(tmp_path / "copy")
    for part in ("seeds", "schemas"):
        subprocess.run(["rm", "-rf", str(copy / part)], check=True)
    result = CliRunner().invoke(main, ["validate", str(copy / "datapackage.json")])
    assert result.exit_code == 0, result.output
    assert "\nskip spans equal their seed text: no seeds/articles/ beside this package\n" in result.output


def test_tstalks_validate_fails_on_a_tampered_csv_cell(tmp_path):
    copy = copy_project(tmp_path / "copy")
    quotes = copy / "data/csv/quotes.csv"
    quotes.write_bytes(quotes.read_bytes().replace(b",direct,", b",directly,", 1))
    result = CliRunner().invoke(main, ["validate", str(copy)])
    assert result.exit_code == 1
    assert re.search(r"FAIL Schema checks: datapackage\.json: quotes row \d+ \(quote_id '[a-z0-9-]+'\) quote_mode: "
                     r"constraint-error: 'directly' is not one of the enum's 3 values", result.output)


def test_two_builds_of_the_same_inputs_are_byte_identical(tmp_path):
    outputs = []
    for name in ("one", "two"):
        copy = copy_project(tmp_path / name)
        result = CliRunner().invoke(main, ["build", "--root", str(copy)])
        assert result.exit_code == 0, result.output
        outputs.append(snapshot(copy))
    assert outputs[0] == outputs[1]
    assert outputs[0] == snapshot(ROOT)


def test_the_descriptors_list_each_article_as_a_source_until_the_corpus_is_large(tmp_path, monkeypatch):
    """Up to MAX_SOURCES articles, `sources` has one entry per article, in article order, titled by its outlet and
    carrying its URL where the articles table has one; past it, one entry pointing to the articles table."""
    from tstalks import build as pipeline
    from tstalks.build import describe
    from tstalks.core import Project

    root = copy_project(tmp_path)
    result = pipeline.build(Project(root))
    articles = sorted(result.tables["articles"].to_pylist(), key=lambda a: a["article_id"])
    outlets = len({a["outlet"] for a in articles})
    built = json.loads(result.files["datapackage.json"])
    if len(articles) <= describe.MAX_SOURCES:
        assert len(built["sources"]) == len(articles)
        for article, source in zip(articles, built["sources"], strict=True):
            assert source["title"].startswith(f"{article['outlet']}: "), source
            assert source.get("path") == article["url"], source
            assert source.get("path", "http").startswith("http")
    monkeypatch.setattr(describe, "MAX_SOURCES", len(articles) - 1)
    built = json.loads(pipeline.build(Project(root)).files["datapackage.json"])
    assert [s["path"] for s in built["sources"]] == ["data/csv/articles.csv"]
    assert built["sources"][0]["title"].startswith(f"{len(articles)} news articles from {outlets} outlet(s)")
