"""Describe stage: the Data Package v2 descriptors for the exported files.

Two descriptors, one per format, so each validates with the stock `frictionless
validate` and a reader sees at once which to open: `datapackage.json` at the
root describes the CSV tables (readable everywhere, R included);
`data/parquet/datapackage.json` describes the same tables as Parquet.
"""
from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from ..core.project import CSV_DESCRIPTOR, PARQUET_DESCRIPTOR
from ..core.schemas import public
from ..core.sqlite import FORMAT, MEDIATYPE, sqlite_path

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# Per format: where its descriptor lies, the resource paths relative to it, and the properties its resources carry.
# Parquet resources carry no `bytes`: frictionless 5 reads Parquet through pandas, cannot count its bytes, and
# reports any `bytes` there as a mismatch (measured with 5.21); `tstalks validate` checks the hash itself.
FORMATS: dict[str, dict[str, Any]] = {
    "csv": {"descriptor": CSV_DESCRIPTOR, "folder": "data/csv/", "has_bytes": True, "properties": {
        "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": "\"", "header": True, "lineTerminator": "\n"}}},
    "parquet": {"descriptor": PARQUET_DESCRIPTOR, "folder": "", "has_bytes": False, "properties": {
        "mediatype": "application/vnd.apache.parquet"}},
}


def to_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def descriptor(package: dict[str, Any], sources: list[dict[str, Any]], schemas: dict[str, dict[str, Any]],
               files: dict[str, bytes], fmt: str) -> dict[str, Any]:
    spec = FORMATS[fmt]
    meta = {k: v for k, v in package.items() if k != "resources"}
    other = PARQUET_DESCRIPTOR if fmt == "csv" else "../../" + CSV_DESCRIPTOR
    resources = []
    for name, schema in schemas.items():
        path = f"data/{fmt}/{name}.{fmt}"
        raw = files[path]
        resource = {
            "name": name, "type": "table", "profile": "tabular-data-resource", "path": spec["folder"] + f"{name}.{fmt}",
            "title": schema.get("title", name), "description": schema["description"], "format": fmt,
            **copy.deepcopy(spec["properties"]),
        }
        if spec["has_bytes"]:
            resource["bytes"] = len(raw)
        # The schema's enums were filled in from the codelists by the load stage.
        resource.update({"hash": "sha256:" + hashlib.sha256(raw).hexdigest(), "schema": public(schema)})
        resources.append(resource)
    database = sqlite_path(package)
    if fmt == "csv" and database in files:
        resources.append(sqlite_resource(database, files[database]))
    also = f", and all of them in one SQLite file, {database}" if fmt == "csv" and database in files else ""
    return {
        "$schema": PROFILE,
        **meta,
        "description": meta["description"] + f" This descriptor lists the tables as {fmt.upper()}{also}; {other} lists the "
                                              f"same tables as {'Parquet' if fmt == 'csv' else 'CSV'}.",
        "sources": sources,
        "resources": resources,
    }


def sqlite_resource(path: str, raw: bytes) -> dict[str, Any]:
    """The SQLite file as a resource of the CSV descriptor: a non-tabular one (no `type`, no Table Schema), so that
    the stock validator checks its bytes and hash and reads nothing else of it (frictionless 5.21: type "file";
    Data Package v2 allows no `type` but "table"); `tstalks validate` compares it with the CSV tables."""
    return {"name": "sqlite", "path": path, "title": "All tables in one SQLite file",
            "description": "The same tables, rows and types as the CSV files, in one SQLite database: primary and "
                           "foreign keys as constraints, each codelist as a lookup table codelist_<name>, the "
                           "descriptions of the tables and columns in meta_tables and meta_columns, the package's "
                           "metadata in meta_package. Open it with any SQLite tool.",
            "format": FORMAT, "mediatype": MEDIATYPE, "bytes": len(raw), "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}


def describe(package: dict[str, Any], sources: list[dict[str, Any]], schemas: dict[str, dict[str, Any]],
             files: dict[str, bytes]) -> dict[str, bytes]:
    return {FORMATS[fmt]["descriptor"]: to_json(descriptor(package, sources, schemas, files, fmt)) for fmt in FORMATS}


# Past this many articles the descriptors name the articles table as the list of sources instead of repeating it:
# at 125,000 articles the list made each descriptor 19 MB, which every reader of the package parses first.
MAX_SOURCES = 100


def sources_of(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The package's `sources`: one per article, from the articles table (or, for a large corpus, one pointing
    to that table)."""
    if len(articles) > MAX_SOURCES:
        outlets = sorted({a["outlet"] for a in articles})
        return [{"title": f"{len(articles)} news articles from {len(outlets)} outlet(s), each listed with its outlet, "
                          "title and URL in the articles table", "path": "data/csv/articles.csv"}]
    found = []
    for a in sorted(articles, key=lambda r: r["article_id"]):
        source = {"title": f"{a['outlet']}: {a['title'] or a['article_id'] + ' (no headline printed)'}"}
        if a.get("url"):
            source["path"] = a["url"]
        found.append(source)
    return found


def data_readme(schemas: dict[str, dict[str, Any]], row_counts: dict[str, int]) -> bytes:
    """data/README.md: what the folder holds and who writes it, with each table's rows."""
    lines = [
        "# data/ — generated by `tstalks build`; never edit by hand",
        "",
        "To change anything here, change `seeds/` or `schemas/` and run `tstalks build`.",
        "",
        "- `csv/*.csv` — the tables as CSV (UTF-8, header row, LF line endings, RFC 4180 quoting, rows sorted by",
        "  primary key; an empty cell is a missing value), described by `../datapackage.json`.",
        "- `parquet/*.parquet` — the same tables as Parquet (typed columns, LZ4), described by",
        "  `parquet/datapackage.json`.",
        "- `sqlite/*.sqlite` — the same tables in one SQLite database (keys as constraints, codelists as lookup",
        "  tables `codelist_<name>`, descriptions in `meta_tables` and `meta_columns`), listed in",
        "  `../datapackage.json` as a non-tabular resource; `tstalks validate` checks it against the CSV.",
        "",
        "| table | rows | what a row is |",
        "|---|---:|---|",
    ]
    lines += [f"| `{name}` | {row_counts[name]} | {schema['description']} |" for name, schema in schemas.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")
