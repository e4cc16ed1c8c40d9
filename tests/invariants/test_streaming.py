"""The build streams: registries are read entry by entry, rows become Arrow columns in batches. Streaming is an
implementation choice, so these properties hold it to give exactly what reading everything at once gives."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import curations, dump, write_project
from support import ROOT, copy_project
from tstalks import build as pipeline
from tstalks.build import codings as load
from tstalks.build import export, resolve
from tstalks.core import Failed, Project, load_schemas
from tstalks.core.yamlfile import parse_yaml, stream_yaml

REGISTRIES = load_schemas(ROOT / "schemas").registries


@given(curations(max_articles=2))
def test_a_registry_read_entry_by_entry_is_the_registry_read_whole(curation):
    for kind in REGISTRIES:
        raw = curation.files()[f"seeds/codings/{kind}.yaml"]
        whole, whole_lines, problems = parse_yaml(raw, "r.yaml")
        assert problems == []
        items = list(stream_yaml(raw, "r.yaml", kind))
        entries = [(path, value, lines) for path, value, lines in items if path]
        rest = [(value, lines) for path, value, lines in items if not path]
        assert [value for _, value, _ in entries] == whole[kind]
        assert [path for path, _, _ in entries] == [(kind, i) for i in range(len(whole[kind]))]
        for path, _, lines in entries:  # each entry's lines are the whole file's lines under its path
            assert lines == {p: n for p, n in whole_lines.items() if p[:2] == path}
        assert len(rest) == 1 and rest[0][0] == {**whole, kind: []}


@given(curations(max_articles=2), st.integers(min_value=1, max_value=7))
def test_rows_give_the_same_tables_whatever_the_batch_size(curation, batch_rows):
    with tempfile.TemporaryDirectory() as folder:
        project = Project(write_project(Path(folder), curation))
        schemas = load_schemas(project.schemas)
        codings = load.load_codings(project, schemas)
        rows = list(resolve.rows(schemas, codings.articles, codings.entries, codings.seeds.get, {}, []))
    one_batch = export.collect(rows, schemas.tables, batch_rows=10**9)
    batched = export.collect(rows, schemas.tables, batch_rows=batch_rows)
    assert {n: t.to_pylist() for n, t in batched.items()} == {n: t.to_pylist() for n, t in one_batch.items()}
    counted = {name: sum(1 for n, _ in rows if n == name) for name in schemas.tables}
    assert {n: t.num_rows for n, t in batched.items()} == counted
    # Each row keeps where it was coded, for the checks' messages.
    for table in batched.values():
        assert all(f and f.startswith("seeds/codings/") for f in table["_file"].to_pylist())


def _entry_line(raw: bytes, kind: str, index: int) -> int:
    return next(lines[(kind, index)] for path, _, lines in stream_yaml(raw, "r.yaml", kind) if path == (kind, index))


def test_an_off_schema_registry_entry_is_reported_at_its_own_line_and_path(tmp_path):
    root = copy_project(tmp_path)
    path = root / "seeds" / "codings" / "statements.yaml"
    data, _, _ = parse_yaml(path.read_bytes(), "s.yaml")
    assert len(data["statements"]) >= 1
    data["statements"][-1]["kind"] = "not-a-kind"
    path.write_bytes(dump(data))
    last = len(data["statements"]) - 1
    with pytest.raises(Failed) as failed:
        pipeline.build(Project(root))
    [problem] = [p for p in failed.value.problems if "not-a-kind" in p.message]
    assert problem.file == "seeds/codings/statements.yaml"
    assert problem.where == f"statements/{last}/kind"
    assert problem.line == _entry_line(path.read_bytes(), "statements", last) + list(data["statements"][-1]).index("kind")


def test_a_registry_that_is_not_a_mapping_is_refused(tmp_path):
    root = copy_project(tmp_path)
    (root / "seeds" / "codings" / "events.yaml").write_bytes(b"- id: x\n")
    with pytest.raises(Failed) as failed:
        pipeline.build(Project(root))
    assert any(p.file == "seeds/codings/events.yaml" and "object" in p.message for p in failed.value.problems)
