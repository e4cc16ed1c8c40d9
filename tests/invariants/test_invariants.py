"""Invariants of every package built from a valid curation: any registries, any seeds, any codings that fit them."""
from __future__ import annotations

import tempfile
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from strategies import curations, expected_spans, period_end, published, read_csv, read_parquet, snapshot, write_project
from tstalks import build as pipeline
from tstalks.cli import main
from tstalks.core import Project
from tstalks.core.tableschema import ARROW as ARROW_TYPES

# Properties that run Frictionless or the CLI take seconds an example: fewer of them.
FEW = settings(max_examples=max(3, settings.default.max_examples // 4))


def build_in_tmp(curation):
    with tempfile.TemporaryDirectory() as folder:
        return pipeline.build(Project(write_project(Path(folder), curation)))


@pytest.mark.slow
@given(curations())
def test_every_primary_key_is_unique(curation):
    result = build_in_tmp(curation)
    for name, rows in published(result.files, result.schemas.tables).items():
        pk = result.schemas.tables[name]["primaryKey"]
        keys = [tuple(r[f] for f in pk) for r in rows]
        assert len(keys) == len(set(keys)), f"{name}: duplicate primary key"


@pytest.mark.slow
@given(curations())
def test_every_foreign_key_declared_in_the_table_schemas_resolves(curation):
    result = build_in_tmp(curation)
    tables = published(result.files, result.schemas.tables)
    checked = 0
    for name, schema in result.schemas.tables.items():
        for fk in schema.get("foreignKeys", []):  # read from the schemas: a new foreign key is covered without a test change
            target = fk["reference"].get("resource") or name
            known = {tuple(r[f] for f in fk["reference"]["fields"]) for r in tables[target]}
            for row in tables[name]:
                value = tuple(row[f] for f in fk["fields"])
                if all(v is not None for v in value):
                    assert value in known, f"{name}.{fk['fields']} {value} refers to no row of {target}"
                    checked += 1
    assert checked > 0


@pytest.mark.slow
@given(curations())
def test_every_quote_matches_its_span(curation):
    result = build_in_tmp(curation)
    seeds = {a.id: a.text for a in curation.articles}
    quotes = published(result.files, result.schemas.tables)["quotes"]
    assert len(quotes) == sum(1 for a in curation.articles for p in a.pieces if p.key[0] == "quote")
    for q in quotes:
        assert seeds[q["article_id"]][q["span_start"]:q["span_end"]] == q["quote_text"]


@pytest.mark.slow
@given(curations())
def test_every_span_is_where_the_curated_words_were_placed(curation):
    result = build_in_tmp(curation)
    tables = published(result.files, result.schemas.tables)
    for name, expected in expected_spans(curation).items():
        pk = result.schemas.tables[name]["primaryKey"]
        found = {tuple(r[f] for f in pk): (r["span_start"], r["span_end"]) for r in tables[name]}
        assert found == expected, name


@pytest.mark.slow
@given(curations())
def test_every_article_body_lies_between_its_first_and_last_words(curation):
    result = build_in_tmp(curation)
    for row in published(result.files, result.schemas.tables)["articles"]:
        a = curation.article(row["article_id"])
        assert (row["body_start"], row["body_end"]) == a.body
        assert row["word_count"] == len(a.text[a.body[0]:a.body[1]].split())


@pytest.mark.slow
@given(curations())
def test_every_date_is_what_its_words_or_value_mean(curation):
    result = build_in_tmp(curation)
    tables = published(result.files, result.schemas.tables)
    for row in tables["articles"]:
        pub = curation.article(row["article_id"]).publication
        assert (row["published_date"], row["published_date_precision"]) == (pub.date, pub.precision)
        assert (row["published_date_earliest"], row["published_date_latest"]) == pub.bounds()
    for row in tables["events"]:
        choice = curation.event_dates.get(row["event_id"])
        expected = (choice.date, choice.precision, choice.resolution) if choice else (None, None, None)
        assert (row["start_date"], row["start_date_precision"], row["date_resolution"]) == expected, row["event_id"]
        assert (row["start_date_earliest"], row["start_date_latest"]) == (choice.bounds() if choice else (None, None))
    for row in tables["statements"]:
        choice = curation.statement_dates.get(row["statement_id"])
        expected = (choice.date, choice.precision, choice.resolution) if choice else (None, None, None)
        assert (row["statement_date"], row["statement_date_precision"], row["date_resolution"]) == expected
        assert (row["statement_date_earliest"], row["statement_date_latest"]) == (choice.bounds() if choice else (None, None))


@pytest.mark.slow
@given(curations())
def test_every_inferred_date_is_published_with_its_note_and_every_narrowing_with_its_reasoning(curation):
    result = build_in_tmp(curation)
    tables = published(result.files, result.schemas.tables)
    for name, dates, key in (("events", curation.event_dates, "event_id"), ("statements", curation.statement_dates,
                                                                             "statement_id")):
        for row in tables[name]:
            spec = (dates[row[key]].spec or {}) if row[key] in dates else {}
            assert row["date_note"] == (spec.get("note") if "value" in spec else None), row[key]
            assert row["date_bounds_note"] == spec.get("bounds", {}).get("note"), row[key]
    for row in tables["articles"]:
        spec = curation.article(row["article_id"]).publication.spec
        assert row["published_date_bounds_note"] == spec.get("bounds", {}).get("note")


@pytest.mark.slow
@given(curations())
def test_every_dated_row_has_bounds_inside_its_period_and_a_day_is_its_own_bounds(curation):
    result = build_in_tmp(curation)
    tables = published(result.files, result.schemas.tables)
    for name, column in (("events", "start_date"), ("events", "end_date"), ("statements", "statement_date"),
                         ("articles", "published_date")):
        for row in tables[name]:
            date, precision, low, high = (row[column + k] for k in ("", "_precision", "_earliest", "_latest"))
            if date is None:
                assert (low, high) == (None, None)
                continue
            assert date <= low <= high <= period_end(date, precision), (name, row)
            assert precision != "day" or low == high == date, (name, row)


@pytest.mark.slow
@given(curations())
def test_curated_values_survive_csv_and_parquet_unchanged(curation):
    """Unicode, right-to-left text, commas, tabs, newlines, quote characters, CSV traps ("NA", "null"),
    integers and missing values come back as written, from both formats."""
    result = build_in_tmp(curation)
    from_csv = published(result.files, result.schemas.tables)
    from_parquet = {name: read_parquet(result.files[f"data/parquet/{name}.parquet"])[0] for name in result.schemas.tables}
    columns = {"participants": ("participant_id", {"name": "name", "role_title": "role_title", "note": "note",
                                                   "cow_code": "cow_code", "wikidata_qid": "wikidata_qid",
                                                   "affiliation_id": "affiliation"}),
               "events": ("event_id", {"title": "title", "city": "city", "note": "note", "country_code": "country_code",
                                       "parent_event_id": "parent"}),
               "statements": ("statement_id", {"summary": "summary", "note": "note", "event_id": "event"}),
               "discrepancies": ("discrepancy_id", {"field": "field", "summary": "summary", "note": "note"})}
    for table, (id_column, fields) in columns.items():
        curated = {x["id"]: x for x in getattr(curation, table)}
        for rows in (from_csv[table], from_parquet[table]):
            assert {r[id_column] for r in rows} == set(curated)
            for r in rows:
                for column, key in fields.items():
                    assert r[column] == curated[r[id_column]].get(key), f"{table}.{column}"
    for rows in (from_csv["articles"], from_parquet["articles"]):
        for r in rows:
            a = curation.article(r["article_id"])
            assert (r["outlet"], r["note"], r["url"], r["byline"]) == (a.outlet, a.note, a.url, a.byline)


@pytest.mark.slow
@given(curations())
def test_csv_and_parquet_hold_identical_rows_and_types(curation):
    result = build_in_tmp(curation)
    for name, schema in result.schemas.tables.items():
        rows, arrow = read_parquet(result.files[f"data/parquet/{name}.parquet"])
        assert rows == read_csv(result.files[f"data/csv/{name}.csv"], schema), name
        assert [(f.name, f.type) for f in arrow] == [(f["name"], ARROW_TYPES[f["type"]]) for f in schema["fields"]], name


@pytest.mark.slow
@given(curations())
def test_two_builds_of_the_same_input_are_byte_identical(curation):
    first, second = build_in_tmp(curation), build_in_tmp(curation)  # in two different folders
    assert first.files == second.files


@pytest.mark.slow
@FEW
@given(curations())
def test_stock_frictionless_validator_reports_the_package_valid(curation):
    result = build_in_tmp(curation)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for rel, raw in result.files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(raw)
        for descriptor in ("datapackage.json", "data/parquet/datapackage.json"):
            report = frictionless.validate(str(root / descriptor))
            assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.slow
@FEW
@given(curations(max_articles=2))
def test_cli_build_writes_a_package_that_tstalks_validate_accepts(curation):
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), curation)
        runner = CliRunner()
        built = runner.invoke(main, ["build", "--root", str(root)])
        assert built.exit_code == 0, built.output
        first = snapshot(root)
        checked = runner.invoke(main, ["build", "--check", "--root", str(root)])
        assert checked.exit_code == 0, checked.output
        validated = runner.invoke(main, ["validate", "--root", str(root)])
        assert validated.exit_code == 0, validated.output
        again = runner.invoke(main, ["build", "--root", str(root)])
        assert again.exit_code == 0 and snapshot(root) == first
