"""The synthetic corpus is reproducible and builds."""
from __future__ import annotations

from pathlib import Path

from support import ROOT
from tstalks import build as pipeline
from tstalks.core import Project, load_schemas
from tstalks.curate.synth import synth


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    synth(50, tmp_path / "a", ROOT / "schemas", seed=3)
    synth(50, tmp_path / "b", ROOT / "schemas", seed=3)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_a_synthetic_corpus_builds_with_n_quotes(tmp_path: Path) -> None:
    synth(60, tmp_path / "p", ROOT / "schemas", seed=1)
    result = pipeline.build(Project(tmp_path / "p"))
    assert result.tables["quotes"].num_rows == 60


def test_some_events_are_reported_by_several_articles(tmp_path: Path) -> None:
    synth(400, tmp_path / "p", ROOT / "schemas", seed=2)
    sources = pipeline.build(Project(tmp_path / "p")).tables["event_sources"].to_pylist()
    per_event: dict[str, int] = {}
    for row in sources:
        per_event[row["event_id"]] = per_event.get(row["event_id"], 0) + 1
    assert max(per_event.values()) > 1


def test_the_partitioned_parquet_holds_every_row_under_its_articles_year(tmp_path: Path) -> None:
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from tstalks.publish.partition import partition_by_year

    synth(80, tmp_path / "p", ROOT / "schemas", seed=4)
    for rel, raw in pipeline.build(Project(tmp_path / "p")).files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_bytes(raw)
    partition_by_year(tmp_path / "p" / "data" / "parquet", tmp_path / "parts", list(load_schemas(ROOT / "schemas").span_tables))
    years = {a["article_id"]: a["published_date"].year
             for a in pq.read_table(tmp_path / "p" / "data" / "parquet" / "articles.parquet").to_pylist()}
    parts = ds.dataset(tmp_path / "parts" / "quotes", format="parquet", partitioning="hive").to_table().to_pylist()
    original = pq.read_table(tmp_path / "p" / "data" / "parquet" / "quotes.parquet").to_pylist()
    assert sorted(r["quote_id"] for r in parts) == sorted(r["quote_id"] for r in original)
    assert all(r["year"] == years[r["article_id"]] for r in parts)
