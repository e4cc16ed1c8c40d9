"""The schemas are linted like code: every vocabulary is written once, as a codelist, and read everywhere."""
from __future__ import annotations

import json
from collections import defaultdict

import jsonschema
import pytest

from support import ROOT
from tstalks.core import load_schemas, read_codelist

SCHEMAS = ROOT / "schemas"
TABLES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((SCHEMAS / "tables").glob("*.json"))}
CODINGS = {p.name: json.loads(p.read_text("utf-8")) for p in sorted((SCHEMAS / "codings").glob("*.schema.json"))}
CODELISTS = {p.stem: read_codelist(p.read_text("utf-8")) for p in sorted((SCHEMAS / "codelists").glob("*.csv"))}


def codelist_uses(node, found):
    if isinstance(node, dict):
        if "codelist" in node:
            found.append(node["codelist"])
        for value in node.values():
            codelist_uses(value, found)
    elif isinstance(node, list):
        for value in node:
            codelist_uses(value, found)
    return found


def test_every_codelist_row_has_a_unique_code_a_title_and_a_description():
    for name, rows in CODELISTS.items():
        codes = [r["code"] for r in rows]
        assert len(codes) == len(set(codes)), name
        assert all(r["code"] and r["title"] and r["description"] for r in rows), name


def test_every_codelist_is_used_and_every_codelist_named_exists():
    used = set(codelist_uses(list(TABLES.values()) + list(CODINGS.values()), []))
    assert used == set(CODELISTS)


def test_no_schema_writes_a_vocabulary_inline():
    for name, schema in {**TABLES, **CODINGS}.items():
        assert '"enum"' not in json.dumps(schema), f"{name} lists values inline; name a codelist instead"


def test_published_enums_and_coding_enums_equal_their_codelists():
    schemas = load_schemas(ROOT / "schemas")
    for table in schemas.tables.values():
        for field in table["fields"]:
            if "codelist" in field:
                expected = [int(r["code"]) if field["type"] == "integer" else r["code"] for r in CODELISTS[field["codelist"]]]
                assert field["constraints"]["enum"] == expected
    for kind, schema in schemas.codings.items():
        assert "codelist" not in json.dumps(schema), kind


def test_every_table_is_published_once_in_the_package_order():
    package = json.loads((SCHEMAS / "package.json").read_text("utf-8"))
    assert sorted(package["resources"]) == sorted(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_field_has_a_title_description_and_type(name):
    for field in TABLES[name]["fields"]:
        assert field.get("title") and field.get("description") and field.get("type"), (name, field["name"])


def test_fields_with_the_same_name_mean_the_same_thing_in_every_table():
    seen = defaultdict(set)
    for table in TABLES.values():
        for f in table["fields"]:
            seen[f["name"]].add((f["type"], f.get("format"), f.get("codelist"), f.get("constraints", {}).get("pattern")))
    assert {name: kinds for name, kinds in seen.items() if len(kinds) > 1} == {}


def test_key_and_date_fields_follow_the_naming_grammar():
    for table in TABLES.values():
        names = [f["name"] for f in table["fields"]]
        for f in table["fields"]:
            if f["type"] == "date" and f["name"].endswith(("_date_earliest", "_date_latest")):
                assert f["name"].rsplit("_", 1)[0] in names, f"{f['name']} bounds no date of its table"
            elif f["type"] == "date":
                bounds = [f["name"] + "_precision", f["name"] + "_earliest", f["name"] + "_latest"]
                assert f["name"].endswith("_date") and all(b in names for b in bounds), f["name"]
            if f["type"] == "boolean":
                assert f["name"].startswith(("is_", "has_")), f["name"]
        for key in table["primaryKey"] + [k for fk in table.get("foreignKeys", []) for k in fk["fields"]]:
            assert key in names


def _properties(node, path=()):
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield path + (name,), prop
        for key, value in node.items():
            yield from _properties(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, path + (i,))


def _objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


@pytest.mark.parametrize("name", sorted(CODINGS))
def test_coding_schemas_are_draft_2020_12_and_closed_and_every_property_is_documented(name):
    schema = CODINGS[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    for obj in _objects(schema):
        assert obj.get("additionalProperties") is False, (name, sorted(obj["properties"]))
    for path, prop in _properties(schema):
        assert prop.get("title") and prop.get("description"), (name, path)
