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

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
FORMATS = {
    "csv": {"descriptor": "datapackage.json", "folder": "data/csv/", "mediatype": "text/csv", "encoding": "utf-8"},
    "parquet": {"descriptor": "data/parquet/datapackage.json", "folder": "", "mediatype": "application/vnd.apache.parquet"},
}


def to_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def published_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The Table Schema as published: enums already filled in from the codelists."""
    return copy.deepcopy(schema)


def descriptor(package: dict[str, Any], sources: list[dict[str, Any]], schemas: dict[str, dict[str, Any]],
               files: dict[str, bytes], fmt: str) -> dict[str, Any]:
    spec = FORMATS[fmt]
    meta = {k: v for k, v in package.items() if k != "resources"}
    other = "data/parquet/datapackage.json" if fmt == "csv" else "../../datapackage.json"
    resources = []
    for name, schema in schemas.items():
        path = f"data/{fmt}/{name}.{fmt}"
        raw = files[path]
        resource = {
            "name": name, "type": "table", "profile": "tabular-data-resource",
            "path": spec["folder"] + f"{name}.{fmt}" if fmt == "csv" else f"{name}.{fmt}",
            "title": schema.get("title", name), "description": schema["description"],
            "format": fmt, "mediatype": spec["mediatype"],
        }
        if "encoding" in spec:
            resource["encoding"] = spec["encoding"]
        if fmt == "csv":
            resource["dialect"] = {"delimiter": ",", "quoteChar": "\"", "header": True, "lineTerminator": "\n"}
        if fmt == "csv":  # frictionless 5 reads Parquet through pandas and cannot count its bytes: a `bytes` there always fails
            resource["bytes"] = len(raw)
        resource.update({"hash": "sha256:" + hashlib.sha256(raw).hexdigest(), "schema": published_schema(schema)})
        resources.append(resource)
    return {
        "$schema": PROFILE,
        **meta,
        "description": meta["description"] + f" This descriptor lists the tables as {fmt.upper()}; {other} lists the same tables as "
                                              f"{'Parquet' if fmt == 'csv' else 'CSV'}.",
        "sources": sources,
        "resources": resources,
    }


def describe(package: dict[str, Any], sources: list[dict[str, Any]], schemas: dict[str, dict[str, Any]],
             files: dict[str, bytes]) -> dict[str, bytes]:
    return {FORMATS[fmt]["descriptor"]: to_json(descriptor(package, sources, schemas, files, fmt)) for fmt in FORMATS}


def sources_of(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The package's `sources`: one per article, from the articles table."""
    found = []
    for a in sorted(articles, key=lambda r: r["article_id"]):
        source = {"title": f"{a['outlet']}: {a['title'] or a['article_id'] + ' (no headline printed)'}"}
        if a.get("url"):
            source["path"] = a["url"]
        found.append(source)
    return found
