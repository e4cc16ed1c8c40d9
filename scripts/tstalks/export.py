"""Export stage: rows -> CSV and Parquet bytes, typed by the Table Schema, sorted by primary key.

Deterministic by construction: fixed row order, fixed writer settings, no timestamps.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
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
