"""Export stage: rows -> CSV and Parquet bytes, typed by the Table Schema, sorted by primary key.

Deterministic by construction: fixed row order, fixed writer settings, no timestamps.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .resolve import Row

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}


def sort_key(row: Row, fields: list[str]) -> tuple[Any, ...]:
    # None sorts first; the tuple keeps mixed None/value columns comparable.
    return tuple((row.get(f) is not None, row.get(f) if row.get(f) is not None else "") for f in fields)


def sorted_rows(rows: list[Row], schema: dict[str, Any]) -> list[Row]:
    return sorted(rows, key=lambda r: sort_key(r, schema["primaryKey"]))


def to_csv(rows: list[Row], schema: dict[str, Any]) -> bytes:
    """UTF-8, header row, LF line endings, RFC 4180 quoting; empty cell = missing value."""
    names = [f["name"] for f in schema["fields"]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in sorted_rows(rows, schema):
        writer.writerow([_cell(row.get(n)) for n in names])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def arrow_schema(schema: dict[str, Any]) -> pa.Schema:
    return pa.schema([pa.field(f["name"], ARROW_TYPES[f["type"]], nullable=not f.get("constraints", {}).get("required", False))
                      for f in schema["fields"]])


def to_arrow(rows: list[Row], schema: dict[str, Any]) -> pa.Table:
    names = [f["name"] for f in schema["fields"]]
    ordered = sorted_rows(rows, schema)
    return pa.Table.from_pydict({n: [r.get(n) for r in ordered] for n in names}, schema=arrow_schema(schema))


def to_parquet(rows: list[Row], schema: dict[str, Any]) -> bytes:
    out = pa.BufferOutputStream()
    pq.write_table(to_arrow(rows, schema), out, compression="zstd", compression_level=9, use_dictionary=False,
                   write_statistics=True, version="2.6", store_schema=False)
    return out.getvalue().to_pybytes()


def export(tables: dict[str, list[Row]], schemas: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """{relative path: bytes} for every table in both formats."""
    files = {}
    for name, schema in schemas.items():
        files[f"data/csv/{name}.csv"] = to_csv(tables[name], schema)
        files[f"data/parquet/{name}.parquet"] = to_parquet(tables[name], schema)
    return files


# Tables that carry article_id, so each row has the publication year of its article.
BY_ARTICLE = ("quotes", "event_sources", "event_participants", "participant_aliases", "discrepancy_values")


def partition_by_year(parquet_folder: Path, out: Path) -> dict[str, int]:
    """Write hive-style copies of the article-linked tables under `out`, partitioned by the year of publication
    of each row's article (`out/quotes/year=2023/part-0.parquet`; `year=__HIVE_DEFAULT_PARTITION__` for undated
    articles), for engines that prune partitions (DuckDB, Spark, Polars, BigQuery external tables). Read from a
    built package's Parquet files; returns the rows written per table."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} exists and is not empty; give a new folder")
    years = pq.read_table(parquet_folder / "articles.parquet", columns=["article_id", "published_date"])
    years = years.append_column("year", pc.year(years["published_date"])).drop_columns(["published_date"])
    written = {}
    for name in BY_ARTICLE:
        table = pq.read_table(parquet_folder / f"{name}.parquet")
        joined = table.join(years, "article_id", join_type="left outer").sort_by(
            [(f, "ascending") for f in table.column_names])  # joins do not keep order; sorting makes the files reproducible
        ds.write_dataset(joined, out / name, format="parquet", partitioning=["year"], partitioning_flavor="hive",
                         basename_template="part-{i}.parquet", existing_data_behavior="error",
                         file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"))
        written[name] = joined.num_rows
    return written
