"""CSV and Parquet hold the same rows: each Parquet table against the CSV's typed columns."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core import tableschema
from ..core.problems import shown
from ..core.tableschema import arrow_schema, parquet_file, row_key

if TYPE_CHECKING:
    from .files import Files


def differences(path: Path, name: str, resource: dict[str, Any], cols: dict[str, tableschema.Column],
                files: Files) -> list[str]:
    """How the Parquet file at `path` (named `name` in messages) differs from the CSV's rows (as the columnar pass
    typed them) and the schema's types; empty when it holds them exactly. Compared column by column, while the
    CSV's typed columns are in memory, from the bytes that are hashed."""
    schema = arrow_schema(resource["schema"])
    try:
        parquet = parquet_file(pa.py_buffer(files.read(path)))
    except ValueError as exc:
        return [f"{name} is {exc}"]
    except OSError as exc:
        return [f"{name} cannot be read ({exc.strerror or exc})"]
    rows = len(next(iter(cols.values())).values) if cols else 0
    if parquet.schema_arrow != schema:
        return [f"{name}: {_schema_difference(parquet.schema_arrow, schema)}"]
    if parquet.metadata.num_rows != rows:
        return [f"{name} has {parquet.metadata.num_rows:,} rows, the CSV {rows:,}"]
    found = []
    try:
        for f in schema:  # one column at a time: only one decoded Parquet column is in memory beside the CSV's
            there = parquet.read(columns=[f.name], use_threads=False).column(0)
            here = pa.chunked_array([cols[f.name].values])
            if not there.equals(here):
                found.append(_cell(name, resource["schema"], cols, f.name, here, there))
    except (OSError, pa.ArrowException) as exc:
        return [f"{name} cannot be decoded ({shown(exc)})"]
    return found


def _schema_difference(found: pa.Schema, want: pa.Schema) -> str:
    if found.names != want.names:
        return f"its columns are {shown(', '.join(found.names))}, the Table Schema's {shown(', '.join(want.names))}"
    f = next(f for f, w in zip(found, want, strict=True) if not f.equals(w))
    w = want.field(f.name)
    if f.type != w.type:
        return f"column {f.name} is stored as {f.type}, the Table Schema says {w.type}"
    return f"column {f.name} is {'nullable' if f.nullable else 'not nullable'}, the Table Schema says it is " + \
        ("not required" if w.nullable else "required")


def _cell(name: str, schema: dict[str, Any], cols: dict[str, tableschema.Column], column: str,
          here: pa.ChunkedArray, there: pa.ChunkedArray) -> str:
    """The first row where a column differs: its key and both values."""
    same = pc.fill_null(pc.equal(here, there), False)
    both_null = pc.and_(pc.is_null(here), pc.is_null(there))
    differ = np.flatnonzero(~np.asarray(pc.or_(same, both_null).to_numpy(zero_copy_only=False), dtype=bool))
    if not len(differ):  # equal values in other chunks or types
        return f"{name}: column {column} differs in its encoding of the same values"
    i = int(differ[0])
    key = row_key(schema, cols, i + tableschema.FIRST_ROW)
    more = f" ({len(differ) - 1:,} more rows differ in {column})" if len(differ) > 1 else ""
    return (f"{name} row {i + tableschema.FIRST_ROW}" + (f" ({key})" if key else "") +
            f" {column}: the CSV has {_value(here[i].as_py())}, the Parquet {_value(there[i].as_py())}{more}")


def _value(value: Any) -> str:
    return "nothing (empty)" if value is None else shown(value, quote=True) if isinstance(value, str) else str(value)
