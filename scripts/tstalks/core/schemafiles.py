"""The files of schemas/, read with every problem located: a file that is not UTF-8, not JSON or not CSV, a
codelist with a byte order mark or a row without its code, a Table Schema without the parts the build relies on
(fields with names and known types, a primary key, foreign keys to known tables and fields, codelists that
exist). Each problem names the file and the line (for JSON, the line of the value at fault, found by reading the
file again with the line-keeping YAML reader, of which JSON is a subset)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .problems import Failed, Problem, shown

TYPES = ("string", "integer", "number", "boolean", "date")  # the Table Schema types the build writes (tableschema.ARROW)
HEADER = ["code", "title", "description"]
BOM = "\ufeff"


def rel_of(path: Path, root: Path) -> str:
    """`path` as problems name it: relative to the project (schemas/...)."""
    return path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)


def read_text(path: Path, root: Path) -> str:
    rel = rel_of(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Failed([Problem(rel, None, "", f"cannot be read ({exc.strerror})", "restore the file")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Failed([Problem(rel, raw[: exc.start].count(b"\n") + 1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                              "save the file as UTF-8")]) from None


def read_json(path: Path, root: Path) -> Any:
    rel, text = rel_of(path, root), read_text(path, root)
    if text.startswith(BOM):
        raise Failed([Problem(rel, 1, "", "starts with a byte order mark (BOM)", "save the file as UTF-8 without a BOM")])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Failed([Problem(rel, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})",
                              "fix the JSON on that line")]) from None


def line(path: Path, where: tuple[str | int, ...]) -> int | None:
    """The line of the JSON value at `where` in the file (of its nearest enclosing value that has one)."""
    from .yamlfile import line_of, parse_yaml  # only when there is a problem to locate: PyYAML is slow to import

    try:
        _, lines, problems = parse_yaml(path.read_bytes(), path.name)
    except (OSError, RecursionError):
        return None
    return None if problems else line_of(lines, where)


def read_codelist(path: Path, root: Path) -> list[dict[str, str]]:
    """A codelist's rows (code, title, description), each with a code, no code twice."""
    rel, text = rel_of(path, root), read_text(path, root)
    if text.startswith(BOM):
        raise Failed([Problem(rel, 1, "", "starts with a byte order mark (BOM), which would become part of the first "
                              "column's name", "save the file as UTF-8 without a BOM")])
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, problems = [], []
    seen: dict[str, int] = {}
    for cells in reader:
        n = reader.line_num
        if n == 1 and cells != HEADER:
            problems.append(Problem(rel, 1, "", f"the header is {shown(','.join(cells), quote=True)}, not "
                                    f"{','.join(HEADER)}", f"make the first line {','.join(HEADER)}"))
            break
        if n == 1 or not any(cells):
            continue
        if len(cells) != len(HEADER) or not cells[0].strip():
            problems.append(Problem(rel, n, "", f"row {shown(','.join(cells), quote=True)} does not give a code, a title "
                                    "and a description", "write code,title,description (quote a comma inside a value)"))
            continue
        if cells[0] in seen:
            problems.append(Problem(rel, n, cells[0], f"the code is also on line {seen[cells[0]]}", "keep one row per code"))
        seen[cells[0]] = n
        rows.append(dict(zip(HEADER, cells, strict=True)))
    if problems:
        raise Failed(problems)
    return rows


def package_problems(package: Any, path: Path, root: Path) -> list[Problem]:
    rel = rel_of(path, root)
    if not isinstance(package, dict):
        return [Problem(rel, 1, "", "is not a JSON object", "see schemas/README.md")]
    found = [Problem(rel, line(path, ()), key, f"lacks '{key}'", f"add '{key}'")
             for key in ("name", "version", "description", "resources") if key not in package]
    if "resources" in package and not (isinstance(package["resources"], list) and package["resources"]
                                       and all(isinstance(r, str) and r for r in package["resources"])):
        found.append(Problem(rel, line(path, ("resources",)), "resources", "is not a list of table names",
                             "list the tables, in their order, each with its schemas/tables/<name>.json"))
    return found


def table_problems(name: str, schema: Any, path: Path, root: Path, tables: list[str],
                   codelists: dict[str, list[dict[str, str]]]) -> list[Problem]:
    """What keeps a Table Schema from being built from: each problem with the line of the value at fault."""
    rel = rel_of(path, root)

    def at(where: tuple[str | int, ...], message: str, fix: str) -> Problem:
        return Problem(rel, line(path, where), "/".join(map(str, where)) or name, message, fix)

    if not isinstance(schema, dict):
        return [at((), "is not a JSON object", "write a Table Schema (see the other files of schemas/tables/)")]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return [at(("fields",), "has no list of fields", "give the table its fields")]
    found = [] if isinstance(schema.get("description"), str) else [at(("description",), "has no description", "describe a row")]
    names = [f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"]]
    for i, f in enumerate(fields):
        found += _field_problems(i, f, codelists, at)
    return found + _key_problems(schema, names, tables, at)


def _field_problems(i: int, f: Any, codelists: dict[str, list[dict[str, str]]], at: Any) -> list[Problem]:
    if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
        return [at(("fields", i), "is not a field with a name", "give the field a 'name'")]
    found = []
    if f.get("type") not in TYPES:
        found.append(at(("fields", i, "type"), f"type {shown(f.get('type'), quote=True)} is not one the build writes",
                        f"use one of {', '.join(TYPES)}"))
    if not isinstance(f.get("constraints", {}), dict):
        found.append(at(("fields", i, "constraints"), "constraints are not a JSON object", "write them as {...}"))
    if "codelist" in f and f["codelist"] not in codelists:
        found.append(at(("fields", i, "codelist"), f"names codelist {shown(f['codelist'], quote=True)}, which is not "
                        "in schemas/codelists/", "add the codelist, or correct its name"))
    elif "codelist" in f and f.get("type") == "integer":
        found += [at(("fields", i, "codelist"), f"codelist {f['codelist']} has the code {shown(row['code'], quote=True)}, "
                     "which is not an integer", "an integer field's codes are integers")
                  for row in codelists[f["codelist"]] if not row["code"].lstrip("-").isdigit()][:1]
    return found


def _key_problems(schema: dict[str, Any], names: list[str], tables: list[str], at: Any) -> list[Problem]:
    found = []
    pk = schema.get("primaryKey")
    if not isinstance(pk, list) or not pk or not all(k in names for k in pk):
        found.append(at(("primaryKey",), "has no primary key of its fields", "list the fields of the key in 'primaryKey'"))
    keys = schema.get("foreignKeys", [])
    for j, fk in enumerate(keys if isinstance(keys, list) else [None]):
        if not _is_foreign_key(fk, names, tables):
            found.append(at(("foreignKeys", j), "is not a foreign key from fields of this table to a table of "
                            "schemas/package.json", "give 'fields' and a 'reference' with 'resource' and as many 'fields'"))
    return found


def _is_foreign_key(fk: Any, names: list[str], tables: list[str]) -> bool:
    ref = fk.get("reference") if isinstance(fk, dict) else None
    if not isinstance(ref, dict) or not isinstance(fk.get("fields"), list) or not isinstance(ref.get("fields"), list):
        return False
    return (all(k in names for k in fk["fields"]) and len(ref["fields"]) == len(fk["fields"])
            and (ref.get("resource") or "") in ("", *tables))
