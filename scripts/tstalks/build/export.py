"""Export stage: rows -> typed Arrow tables -> CSV and Parquet bytes, sorted by primary key.

Rows become columns in batches as they arrive (`collect`), so a corpus of a million quotes is never held as
Python dicts. Deterministic by construction: fixed row order, fixed writer settings, no timestamps.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.tableschema import ARROW, arrow_schema

Row = dict[str, Any]  # as resolve makes them

# Where each row was coded (file, line, id), carried beside the published columns until export drops them.
ORIGIN = (pa.field("_file", pa.string()), pa.field("_line", pa.int32()), pa.field("_where", pa.string()))
BATCH_ROWS = 20_000


def collect(rows: Iterable[tuple[str, Row]], schemas: dict[str, dict[str, Any]], batch_rows: int = BATCH_ROWS
            ) -> dict[str, pa.Table]:
    """(table, row) pairs -> one Arrow table per Table Schema, in arrival order, with the row's origin in the
    columns _file, _line and _where. Every column may hold nulls here: the checks report a missing required value
    with its origin; `published` enforces the schema."""
    types = {name: pa.schema([pa.field(f["name"], ARROW[f["type"]]) for f in s["fields"]] + list(ORIGIN))
             for name, s in schemas.items()}
    pending: dict[str, list[Row]] = {name: [] for name in schemas}
    # Arrays per column (not record batches), so that joining them at the end copies one column at a time.
    chunks: dict[str, dict[str, list[pa.Array]]] = {name: {f.name: [] for f in types[name]} for name in schemas}

    def flush(name: str) -> None:
        held = pending[name]
        for f in types[name]:
            if f.name.startswith("_"):
                k = [o.name for o in ORIGIN].index(f.name)
                values = [r["_origin"][k] if "_origin" in r else None for r in held]
            else:
                values = [r.get(f.name) for r in held]
            chunks[name][f.name].append(pa.array(values, f.type))
        held.clear()

    for name, row in rows:
        pending[name].append(row)
        if len(pending[name]) >= batch_rows:
            flush(name)
    tables = {}
    for name in schemas:
        flush(name)
        columns = {}
        for f in types[name]:
            columns[f.name] = pa.concat_arrays(chunks[name].pop(f.name))
        tables[name] = pa.table(columns, schema=types[name])
    return tables


def published(table: pa.Table, schema: dict[str, Any]) -> pa.Table:
    """The rows as published: the schema's columns only, sorted by primary key (which the checks have made complete and unique), typed
    by the Table Schema (required columns not nullable)."""
    columns = table.select([f["name"] for f in schema["fields"]])
    order = pc.sort_indices(columns, sort_keys=[(k, "ascending") for k in schema["primaryKey"]])
    return columns.take(order).cast(arrow_schema(schema))


def to_csv(table: pa.Table, schema: dict[str, Any]) -> bytes:
    """UTF-8, header row, LF line endings, RFC 4180 quoting; empty cell = missing value. `table` as published."""
    names = [f["name"] for f in schema["fields"]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    chunks = []
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = [batch.column(n).to_pylist() for n in names]
        writer.writerows([_cell(v) for v in row] for row in zip(*columns, strict=True))
        chunks.append(out.getvalue().encode("utf-8"))
        out.seek(0)
        out.truncate()
    chunks.append(out.getvalue().encode("utf-8"))
    return b"".join(chunks)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Rows per Parquet row group: a million-row table gets two, which readers decode in parallel.
ROW_GROUP_ROWS = 1 << 19


def parquet_options(schema: dict[str, Any]) -> dict[str, Any]:
    """Encodings chosen from the Table Schema, for fast reads more than the smallest file (measured in
    docs/performance.md): a dictionary for codes and references (few distinct values, many repeats), delta
    encodings for identifiers (sorted, sharing prefixes), free text and integers."""
    references = {name for fk in schema.get("foreignKeys", []) for name in fk["fields"]}
    dictionary, encoding = [], {}
    for f in schema["fields"]:
        name = f["name"]
        if f["type"] == "string" and ("codelist" in f or name in references) and schema["primaryKey"] != [name]:
            dictionary.append(name)
        elif f["type"] == "string":
            encoding[name] = "DELTA_BYTE_ARRAY" if schema["primaryKey"] == [name] else "DELTA_LENGTH_BYTE_ARRAY"
        elif f["type"] == "integer":
            encoding[name] = "DELTA_BINARY_PACKED"
    return {"use_dictionary": dictionary, "column_encoding": encoding}


def to_parquet(table: pa.Table, schema: dict[str, Any]) -> bytes:
    """`table` as published, as Parquet bytes (LZ4: decompresses several times faster than zstd)."""
    out = pa.BufferOutputStream()
    pq.write_table(table, out, compression="lz4", row_group_size=ROW_GROUP_ROWS, write_statistics=True,
                   version="2.6", store_schema=False, **parquet_options(schema))
    return out.getvalue().to_pybytes()


def export(tables: dict[str, pa.Table], schemas: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """{relative path: bytes} for every table (as published) in both formats."""
    files = {}
    for name, schema in schemas.items():
        files[f"data/csv/{name}.csv"] = to_csv(tables[name], schema)
        files[f"data/parquet/{name}.parquet"] = to_parquet(tables[name], schema)
    return files
