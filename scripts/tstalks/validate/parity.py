"""CSV and Parquet hold the same rows: each Parquet table against the CSV's typed columns."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..core import tableschema
from ..core.tableschema import arrow_schema

if TYPE_CHECKING:
    from .files import Files


def same_rows(folder: Path, resource: dict[str, Any], cols: dict[str, tableschema.Column], files: Files) -> bool:
    """The Parquet file holds the CSV's rows (as the columnar pass typed them), with the schema's types.
    Compared column by column, while the CSV's typed columns are in memory, from the bytes that are hashed."""
    schema = arrow_schema(resource["schema"])
    try:
        raw = pa.py_buffer(files.read(folder / "data" / "parquet" / f"{resource['name']}.parquet"))
        parquet = pq.ParquetFile(pa.BufferReader(raw))  # no dataset layer: less CPU than read_table
        rows = len(next(iter(cols.values())).values) if cols else 0
        if parquet.schema_arrow != schema or parquet.metadata.num_rows != rows:
            return False
        # One column at a time: only one decoded Parquet column is in memory beside the CSV's.
        return all(cols[f.name].values.type == f.type and
                   parquet.read(columns=[f.name], use_threads=False).column(0).equals(pa.chunked_array([cols[f.name].values]))
                   for f in schema)
    except (OSError, pa.ArrowException):  # unreadable: not the same rows
        return False


