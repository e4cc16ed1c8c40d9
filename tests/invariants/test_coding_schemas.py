"""The fast coding-schema check (fastjsonschema) gives jsonschema's verdict on broken codings."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import ROOT
from tstalks.build import codings as load
from tstalks.core import load_schemas
from tstalks.core.yamlfile import parse_yaml

SCHEMAS = load_schemas(ROOT / "schemas")
CODINGS = [("article", p) for p in sorted((ROOT / "seeds" / "codings" / "articles").glob("*.yaml"))] + [
    (kind, ROOT / "seeds" / "codings" / f"{kind}.yaml") for kind in SCHEMAS.registries]
VALUES = [None, 0, -1, 3, 1.5, True, "", "x", "UPPER", "a b", "2023-04", "abc.txt", "https://x", "0" * 64, [], {}, ["security"],
          {"text": "x"}, {"from_event": True}, {"value": "2023", "note": "n"}, {"expression": "on Tuesday", "article": "a000"}]


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, path + (i,))
    return found


def _mutate(data: Any, path: tuple, how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value if how == "set" else data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent["unexpected_key"] = value
    else:
        parent[last] = value
    return data


@pytest.mark.parametrize("kind,path", CODINGS, ids=[p.name for _, p in CODINGS])
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fast_check_agrees_with_jsonschema(kind: str, path: Path, data: st.DataObject) -> None:
    coding, _, problems = parse_yaml(path.read_bytes(), path.name)
    assert not problems
    schema = SCHEMAS.codings[kind]
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_paths(coding)))
        coding = _mutate(coding, where, data.draw(st.sampled_from(["set", "delete", "add"])), data.draw(st.sampled_from(VALUES)))
    expected = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).is_valid(coding)
    assert load.fast_valid(schema, coding) == expected
