"""What a package's descriptors say, checked before any resource file is read: which descriptors make up the
package, that each is a data package descriptor whose resources this validator can check (unique names, a
Table Schema of known types), that every resource path is safe (relative, inside the package folder, a regular
file), that the two descriptors of a turkey-syria-talks package list the same tables with the same schemas, and
that a package with schemas/ holds every table they define, with their Table Schemas.

A path is judged as stock frictionless judges it ("path ... is not safe": absolute, climbing out with `..`,
starting with `~`, holding a variable, a file:// URL), and then on disk: it must lead to a regular file inside
the package folder (a symbolic link out of the folder, a FIFO, a device or a directory is refused), so that
nothing outside the package is ever read, and nothing is read that never ends.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.problems import Failed, shown
from ..core.project import CSV_DESCRIPTOR, PARQUET_DESCRIPTOR
from ..core.schemas import OWN, Schemas
from ..core.tableschema import ARROW

# Formats of the non-tabular resources a package may list (no Table Schema: their path, bytes and hash are
# checked, and the SQLite file against the CSV tables). Anything else without a Table Schema is refused.
FILE_FORMATS = ("sqlite",)
MAX_DESCRIPTOR = 256 << 20  # bytes: a descriptor is metadata; a larger file is refused unread (memory)
KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


@dataclass(frozen=True)
class Located:
    """The descriptors that make up the package at a location the user gave."""

    root: Path  # the package folder: resource paths stay inside it; schemas/ and seeds/ lie beside them
    descriptors: tuple[Path, ...]  # the CSV descriptor first when there are two
    pair: bool  # the two descriptors of the turkey-syria-talks layout: compared with each other

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def locate(location: Path) -> Located | str:
    """The package at `location`: a folder (its datapackage.json and data/parquet/datapackage.json), the path
    of either of those two (the package they belong to), or any other descriptor file (that one alone).
    A string says why there is none."""
    if location.is_dir():
        root = location.resolve()
        return Located(root, (root / CSV_DESCRIPTOR, root / PARQUET_DESCRIPTOR), True)
    if not location.exists():
        return f"{location}: no such file or folder"
    given = location.resolve()
    if given.name == CSV_DESCRIPTOR and given.parent.name == "parquet" and given.parent.parent.name == "data" \
            and (given.parents[2] / CSV_DESCRIPTOR).is_file():
        root = given.parents[2]
        return Located(root, (root / CSV_DESCRIPTOR, given), True)
    if given.name == CSV_DESCRIPTOR:
        return Located(given.parent, (given, given.parent / PARQUET_DESCRIPTOR), True)
    return Located(given.parent, (given,), False)


@dataclass
class Descriptor:
    path: Path
    name: str  # relative to the package folder, for messages
    resources: list[dict[str, Any]]  # name, path, schema (keys as lists), format, hash, bytes of each table
    unsafe: dict[str, str] = field(default_factory=dict)  # resource name -> why its path is refused
    files: list[dict[str, Any]] = field(default_factory=list)  # non-tabular resources: name, path, format, hash, bytes

    @property
    def usable(self) -> list[dict[str, Any]]:
        """The tables whose files may be read."""
        return [r for r in self.resources if r["name"] not in self.unsafe]

    @property
    def usable_files(self) -> list[dict[str, Any]]:
        """The non-tabular resources whose files may be read."""
        return [r for r in self.files if r["name"] not in self.unsafe]

    def file(self, resource: dict[str, Any]) -> Path:
        return self.path.parent / resource["path"]

    def rel(self, resource: dict[str, Any]) -> str:
        """The resource's file, relative to the package folder (for messages)."""
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.name), resource["path"]))


class NotADescriptor(Exception):
    """The file is not a descriptor this validator can check; the message says why."""


def read(path: Path, name: str) -> Descriptor:
    """The descriptor at `path`, its resources' structure checked; raises NotADescriptor saying what is wrong."""
    raw = read_small(path, MAX_DESCRIPTOR)
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise NotADescriptor(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise NotADescriptor(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise NotADescriptor("not a data package descriptor: it has no `resources` list")
    if not data["resources"]:
        raise NotADescriptor("lists no resources (a data package has at least one)")
    resources = [_resource(r, i) for i, r in enumerate(data["resources"], start=1)]
    seen: dict[str, int] = {}
    for i, r in enumerate(resources, start=1):
        if r["name"] in seen:
            raise NotADescriptor(f"resources {seen[r['name']]} and {i} are both named {shown(r['name'], quote=True)}; "
                                 "each resource needs its own name")
        seen[r["name"]] = i
    tables = [r for r in resources if r["schema"] is not None]
    if not tables:
        raise NotADescriptor("lists no table (a resource with a Table Schema)")
    return Descriptor(path, name, tables, files=[r for r in resources if r["schema"] is None])


def read_small(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises NotADescriptor otherwise (never blocks on
    a FIFO, never reads a device)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise NotADescriptor("missing; run `tstalks build`") from None
    except OSError as exc:
        raise NotADescriptor(f"cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotADescriptor(f"is {KINDS.get(stat.S_IFMT(info.st_mode), 'not a regular file')}, not a file")
        if info.st_size > limit:
            raise NotADescriptor(f"is {info.st_size:,} bytes, more than the {limit:,} a descriptor may have")
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(limit + 1)
    finally:
        os.close(fd)


def _resource(r: Any, i: int) -> dict[str, Any]:
    """The parts of resource `i` that are checked, in the form the checks use (keys as lists)."""
    if not isinstance(r, dict) or not isinstance(r.get("name"), str) or not r["name"]:
        raise NotADescriptor(f"resource {i} has no name")
    label = f"resource {i} ({shown(r['name'], quote=True)})"
    path = r.get("path")
    if isinstance(path, list):
        raise NotADescriptor(f"{label} lists several paths; tstalks validate checks one file per resource "
                             "(use `tstalks validate --frictionless` or stock frictionless for multipart resources)")
    if not isinstance(path, str) or not path:
        raise NotADescriptor(f"{label} has no path (inline data is not a published table)")
    schema = r.get("schema")
    if schema is None and r.get("format") in FILE_FORMATS:
        return {**_sized(r, label), "name": r["name"], "path": path, "schema": None, "format": r["format"]}
    if not isinstance(schema, dict):
        raise NotADescriptor(f"{label} has no Table Schema written in the descriptor" +
                             (f" (a reference, {shown(schema, quote=True)}, is not followed)" if isinstance(schema, str) else ""))
    return {**_sized(r, label), "name": r["name"], "path": path, "schema": _schema(schema, label), "format": r.get("format")}


def _sized(r: dict[str, Any], label: str) -> dict[str, Any]:
    """The resource's hash and bytes, checked to be text and a count."""
    hash_ = r.get("hash")
    if hash_ is not None and not isinstance(hash_, str):
        raise NotADescriptor(f"{label}: its hash is not text")
    size = r.get("bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise NotADescriptor(f"{label}: its bytes is not a count of bytes")
    return {"hash": hash_, "bytes": size}


def _schema(schema: dict[str, Any], label: str) -> dict[str, Any]:
    """The Table Schema with its keys as lists (a key may be written as one field name), its structure checked."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise NotADescriptor(f"{label}: its Table Schema has no fields")
    names = []
    for j, f in enumerate(fields, start=1):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise NotADescriptor(f"{label}: field {j} has no name")
        if f.get("type", "string") not in ARROW:
            raise NotADescriptor(f"{label}: field {shown(f['name'], quote=True)} has type {shown(f.get('type'), quote=True)}, "
                                 f"which tstalks validate does not check ({', '.join(ARROW)}); use stock frictionless")
        if not isinstance(f.get("constraints", {}), dict):
            raise NotADescriptor(f"{label}: field {shown(f['name'], quote=True)} has constraints that are not an object")
        names.append(f["name"])
    out = {**schema, "fields": [{"type": "string", **f} for f in fields], "primaryKey": _key(schema.get("primaryKey", []), label)}
    out["foreignKeys"] = [_foreign_key(fk, label) for fk in schema.get("foreignKeys", [])]
    for key in [out["primaryKey"], *(fk["fields"] for fk in out["foreignKeys"])]:
        unknown = [k for k in key if k not in names]
        if unknown:
            raise NotADescriptor(f"{label}: its key names {shown(unknown[0], quote=True)}, which is not one of its fields")
    return out


def _key(key: Any, label: str) -> list[str]:
    if isinstance(key, str):
        return [key]
    if isinstance(key, list) and all(isinstance(k, str) for k in key):
        return key
    raise NotADescriptor(f"{label}: a key is neither a field name nor a list of them")


def _foreign_key(fk: Any, label: str) -> dict[str, Any]:
    if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
        raise NotADescriptor(f"{label}: a foreign key has no reference")
    fields, ref = _key(fk.get("fields"), label), fk["reference"]
    ref_fields = _key(ref.get("fields"), label)
    if len(ref_fields) != len(fields) or not isinstance(ref.get("resource", ""), str):
        raise NotADescriptor(f"{label}: the foreign key on {', '.join(fields)} does not say what it refers to")
    return {"fields": fields, "reference": {"resource": ref.get("resource", ""), "fields": ref_fields}}


# Paths


def unsafe_path(root: Path, base: Path, path: str) -> str | None:
    """Why the resource path `path` (relative to the descriptor's folder `base`) may not be read, or None."""
    why = _unsafe_text(path)
    if why:
        return f"path {shown(path, quote=True)} is not safe: {why}"
    target = base / path
    try:
        real = target.resolve(strict=True)
    except FileNotFoundError:
        return f"path {shown(path, quote=True)}: no such file"
    except (OSError, RuntimeError) as exc:  # a loop of links, a name too long
        return f"path {shown(path, quote=True)} cannot be followed ({getattr(exc, 'strerror', None) or exc})"
    if not real.is_relative_to(root):
        return f"path {shown(path, quote=True)} is not safe: it leads outside the package folder (through a symbolic link)"
    mode = real.stat().st_mode
    if not stat.S_ISREG(mode):
        return f"path {shown(path, quote=True)} is {KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a file"
    return None


def _unsafe_text(path: str) -> str | None:
    """What stock frictionless refuses in the text of a path, and what no package file is named."""
    scheme = urllib.parse.urlparse(path).scheme
    if path.startswith("/") or os.path.isabs(path) or re.match(r"^[A-Za-z]:[\\/]", path):
        return "it is absolute (a resource path is relative to the descriptor)"
    if scheme == "file":
        return "it is a file:// URL (a resource path is relative to the descriptor)"
    if scheme in ("http", "https", "ftp", "s3", "gs"):
        return ("it is a URL; tstalks validate checks the files of a package folder "
                "(give the package's own URL to validate a published copy)")
    if ".." in re.split(r"[\\/]", path):
        return "it climbs out of the package folder with '..'"
    if path.startswith("~"):
        return "it starts with '~'"
    if "\\" in path or "\0" in path:
        return "it holds a backslash or a NUL byte"
    if os.path.expandvars(path) != path or re.match(r"%.+%", path):
        return "it holds an environment variable"
    return None


def check_paths(root: Path, descriptors: list[Descriptor]) -> list[str]:
    """Refuse every unsafe resource path (recorded on its descriptor); the findings, one per resource."""
    found = []
    for d in descriptors:
        for r in [*d.resources, *d.files]:
            why = unsafe_path(root, d.path.parent, r["path"])
            if why:
                d.unsafe[r["name"]] = why
                found.append(f"{r['name']} ({d.name}): {why}")
    return found


# What tables the package must hold


def same_tables(first: Descriptor, second: Descriptor) -> list[str]:
    """How the two descriptors differ in the tables they list and the Table Schemas they give them."""
    found = []
    a, b = ({r["name"]: r["schema"] for r in d.resources} for d in (first, second))
    found += [f"{second.name} lacks {n}, which {first.name} lists" for n in a if n not in b]
    found += [f"{first.name} lacks {n}, which {second.name} lists" for n in b if n not in a]
    for n in a:
        if n in b and a[n] != b[n]:
            found.append(f"{n}: the Table Schemas differ ({_first_difference(a[n], b[n])})")
    return found


def schema_tables(schemas: Schemas) -> dict[str, dict[str, Any]]:
    """Table -> its Table Schema as the descriptors publish it (without the build's own properties: what
    core.schemas.public gives, without its copy, as this is only compared), from the package's schemas/."""
    def published(schema: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in schema.items() if k != OWN},
                "fields": [{k: v for k, v in f.items() if k != OWN} for f in schema["fields"]]}

    return {name: _schema(published(schema), name) for name, schema in schemas.tables.items()}


def holds_tables(d: Descriptor, expected: dict[str, dict[str, Any]]) -> list[str]:
    """How the descriptor differs from the tables schemas/ defines."""
    given = {r["name"]: r["schema"] for r in d.resources}
    found = [f"{d.name} lacks {n}, a table of schemas/tables/" for n in expected if n not in given]
    found += [f"{d.name} lists {shown(n, quote=True)}, which is not a table of schemas/tables/"
              for n in given if n not in expected]
    for n in expected:
        if n in given and given[n] != expected[n]:
            found.append(f"{n} in {d.name}: not the Table Schema of schemas/tables/{n}.json "
                         f"({_first_difference(expected[n], given[n])})")
    return found


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two JSON values first differ, as a path and both values."""
    inner = _inner_difference(a, b)
    if inner is None:
        return f"at {path or '/'}: {_text(a)} against {_text(b)}"
    step, x, y = inner
    return _first_difference(x, y, f"{path}/{step}")


def _inner_difference(a: Any, b: Any) -> tuple[Any, Any, Any] | None:
    """(key or index, both values) of the first difference inside two objects or two lists of one length."""
    if isinstance(a, dict) and isinstance(b, dict):
        k = next(k for k in [*a, *(k for k in b if k not in a)] if a.get(k, _MISSING) != b.get(k, _MISSING))
        return k, a.get(k, _MISSING), b.get(k, _MISSING)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        i, x, y = next((i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        same_name = isinstance(x, dict) and isinstance(y, dict) and x.get("name") == y.get("name") is not None
        return (x["name"] if same_name else i), x, y  # a field is named by its name, when both have the same
    return None


_MISSING = object()


def _text(value: Any) -> str:
    return "nothing" if value is _MISSING else shown(json.dumps(value, ensure_ascii=False))


def schemas_problem(exc: Failed) -> str:
    return "; ".join(str(p).replace("\n    fix:", "; fix:") for p in exc.problems[:3])
