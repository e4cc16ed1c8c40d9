"""The schemas of a project, read from its `schemas/` folder: package metadata, codelists, Table Schemas with the
roles of their tables, and the JSON Schemas of the codings.

Everything about a table that the code needs (which coding file and list its rows come from, which column holds
the text of its span, which link table attests a registry row, where each column's value comes from) is written in
its Table Schema under the key `tstalks`, once; this module turns those into `Role`s. The key is the build's own:
`public` strips it from the schemas the descriptors carry.

Vocabularies are written once, as codelists in schemas/codelists/; a field or property names its codelist with
`"codelist": NAME` and this module turns that into the `enum` that validators understand.
"""
from __future__ import annotations

import copy
import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import schemafiles
from .problems import Failed, Problem

ARTICLE = "article"  # the coding kind of seeds/codings/articles/*.yaml; every other kind is a registry file
COMMON = "common"  # schemas/codings/common.schema.json: shared definitions, not a coding kind
_COMMON_REF = "common.schema.json#/$defs/"
OWN = "tstalks"  # the key of the build's own properties in a Table Schema and its fields


@dataclass(frozen=True)
class Source:
    """Where a column's value comes from: a key of the coding item (`coding`, a dotted path; `../k` is a key of
    the item's parent, `.` the item itself), or the build (`built`, saying how)."""

    coding: str | None
    built: str | None


@dataclass(frozen=True)
class Role:
    """What the build knows of one table, from its Table Schema's `tstalks` properties."""

    table: str
    coded_in: tuple[str, ...]  # the coding kind, then the keys of the lists its rows come from
    span_text: str | None  # the column holding the seed's text at [span_start, span_end), for span tables
    attested_by: str | None  # for a registry: the link table whose rows attest each row
    attest_fix: str | None
    sources: dict[str, Source]  # by column, in the schema's order

    @property
    def kind(self) -> str:
        return self.coded_in[0]

    @property
    def is_registry(self) -> bool:
        """One row per entry of a registry file (participants.yaml, ...)."""
        return len(self.coded_in) == 1 and self.kind != ARTICLE


@dataclass(frozen=True)
class Schemas:
    package: dict[str, Any]  # package metadata from schemas/package.json
    codelists: dict[str, list[dict[str, str]]]  # name -> rows of code, title, description
    tables: dict[str, dict[str, Any]]  # table name -> Table Schema with enums filled in, in publication order
    codings: dict[str, dict[str, Any]]  # coding kind -> self-contained JSON Schema with enums filled in
    roles: dict[str, Role]  # by table, in publication order

    @functools.cached_property
    def registries(self) -> tuple[str, ...]:
        """The registry kinds, in publication order (events before statements: a statement may be dated by its event)."""
        return tuple(r.kind for r in self.roles.values() if r.is_registry)

    @functools.cached_property
    def span_tables(self) -> dict[str, str]:
        """Table -> the column holding its span's text, for every table whose rows rest on a span of a seed."""
        return {t: r.span_text for t, r in self.roles.items() if r.span_text}

    @functools.cached_property
    def entries(self) -> dict[str, dict[str, Any]]:
        """Registry kind -> the schema of one entry of its list (registries are checked entry by entry)."""
        return {kind: {"$defs": self.codings[kind].get("$defs", {}), **self.codings[kind]["properties"][kind]["items"]}
                for kind in self.registries}

    def codes(self, codelist: str) -> list[str]:
        return [row["code"] for row in self.codelists[codelist]]


def read_codelist(raw: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw)))


def load_schemas(root: Path) -> Schemas:
    """The schemas in the folder `root` (a project's schemas/); raises Failed naming the file (and line) that is
    broken."""
    package = schemafiles.read_json(root / "package.json", root)
    problems = schemafiles.package_problems(package, root / "package.json", root)
    if problems:
        raise Failed(problems)
    codelists = {p.stem: schemafiles.read_codelist(p, root) for p in sorted((root / "codelists").glob("*.csv"))}
    raw_tables = {name: schemafiles.read_json(root / "tables" / f"{name}.json", root) for name in package["resources"]}
    problems = [p for name, schema in raw_tables.items() for p in schemafiles.table_problems(
        name, schema, root / "tables" / f"{name}.json", root, package["resources"], codelists)]
    if problems:
        raise Failed(problems)
    tables = {name: table_schema_with_enums(schema, codelists) for name, schema in raw_tables.items()}
    common = schemafiles.read_json(root / "codings" / f"{COMMON}.schema.json", root)
    codings = {}
    for path in sorted((root / "codings").glob("*.schema.json")):
        kind = path.name.removesuffix(".schema.json")
        if kind != COMMON:
            codings[kind] = _coding_schema(path, root, common, codelists)
    roles = {name: role(name, schema) for name, schema in raw_tables.items()}
    return Schemas(package, codelists, tables, codings, roles)


def _coding_schema(path: Path, root: Path, common: Any, codelists: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    schema = schemafiles.read_json(path, root)
    if not isinstance(schema, dict) or not isinstance(common, dict) or not isinstance(common.get("$defs"), dict):
        bad = path if not isinstance(schema, dict) else root / "codings" / f"{COMMON}.schema.json"
        raise Failed([Problem(schemafiles.rel_of(bad, root), 1, "", "is not a JSON Schema object" +
                              (" with $defs" if bad != path else ""), "see the other files of schemas/codings/")])
    try:
        return coding_schema_with_enums(schema, common, codelists)
    except KeyError as exc:
        raise Failed([Problem(schemafiles.rel_of(path, root), None, "", f"names codelist {exc}, which is not in "
                              "schemas/codelists/", "add the codelist, or correct its name")]) from None


def role(name: str, schema: dict[str, Any]) -> Role:
    own = schema.get(OWN, {})
    attested = own.get("attested_by") or {}
    sources = {f["name"]: Source(f.get(OWN, {}).get("coding"), f.get(OWN, {}).get("built")) for f in schema["fields"]}
    return Role(name, tuple(own.get("coded_in", "").split("/")), own.get("span_text"), attested.get("table"),
                attested.get("fix"), sources)


def public(schema: dict[str, Any]) -> dict[str, Any]:
    """The Table Schema as the descriptors publish it: without the build's own `tstalks` properties."""
    out = {k: copy.deepcopy(v) for k, v in schema.items() if k != OWN}
    out["fields"] = [{k: copy.deepcopy(v) for k, v in f.items() if k != OWN} for f in schema["fields"]]
    return out


def codes(codelist: list[dict[str, str]], type_: str = "string") -> list[Any]:
    return [int(row["code"]) if type_ == "integer" else row["code"] for row in codelist]


def table_schema_with_enums(schema: dict[str, Any], codelists: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    for f in schema["fields"]:
        if "codelist" in f:
            f.setdefault("constraints", {})["enum"] = codes(codelists[f["codelist"]], f["type"])
    return schema


def coding_schema_with_enums(schema: dict[str, Any], common: dict[str, Any],
                             codelists: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    """Inline the shared definitions and turn every `codelist` into an `enum`."""
    schema = copy.deepcopy(schema)
    schema["$defs"] = {**copy.deepcopy(common["$defs"]), **schema.get("$defs", {})}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: walk(v) for k, v in node.items()}
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith(_COMMON_REF):
                node["$ref"] = "#/$defs/" + node["$ref"].removeprefix(_COMMON_REF)
            if "codelist" in node:
                node["enum"] = codes(codelists[node.pop("codelist")], node.get("type", "string"))
            return node
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)
