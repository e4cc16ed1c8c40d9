"""Hive-partitioned copies of the Parquet tables, for engines that prune partitions."""
from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..core.problems import Failed, Problem


def partition_by_year(parquet_folder: Path, out: Path, tables: list[str]) -> dict[str, int]:
    """Write hive-style copies of `tables` (each carrying article_id: the span tables) under `out`, partitioned by
    the year of publication of each row's article (`out/quotes/year=2023/part-0.parquet`;
    `year=__HIVE_DEFAULT_PARTITION__` for undated articles), for engines that prune partitions (DuckDB, Spark,
    Polars, BigQuery external tables). Read from a built package's Parquet files; returns the rows written per table."""
    if out.exists() and any(out.iterdir()):
        raise Failed([Problem(str(out), None, "", "exists and is not empty", "give a new folder")])
    years = pq.read_table(parquet_folder / "articles.parquet", columns=["article_id", "published_date"])
    years = years.append_column("year", pc.year(years["published_date"])).drop_columns(["published_date"])
    written = {}
    for name in tables:
        table = pq.read_table(parquet_folder / f"{name}.parquet")
        joined = table.join(years, "article_id", join_type="left outer").sort_by(
            [(f, "ascending") for f in table.column_names])  # joins do not keep order; sorting makes the files reproducible
        ds.write_dataset(joined, out / name, format="parquet", partitioning=["year"], partitioning_flavor="hive",
                         basename_template="part-{i}.parquet", existing_data_behavior="error",
                         file_options=ds.ParquetFileFormat().make_write_options(compression="lz4"))
        written[name] = joined.num_rows
    return written
