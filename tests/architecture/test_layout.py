"""The package's layout is part of the specification: each product in its subpackage over a shared core, who may
import whom, every table column with one source written in the schemas, every code named in Python in its
codelist, and no function too long or too branched to read."""
from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
from radon.visitors import ComplexityVisitor

from support import ROOT
from tstalks.core import load_schemas, vocab
from tstalks.core.problems import Failed

PACKAGE = ROOT / "scripts" / "tstalks"
PRODUCTS = ("core", "build", "validate", "publish", "curate", "cli")
# Who may import whom, inside the package (anything may import the standard library and third-party packages).
MAY_IMPORT = {
    "core": set(),
    "build": {"core"},
    "validate": {"core"},
    "curate": {"core", "build"},
    "publish": {"core", "build", "validate"},
    "cli": {"core", "build", "validate", "curate", "publish"},
}
MAX_LINES, MAX_COMPLEXITY, MAX_MODULE_LINES = 60, 15, 400


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def product(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def imported_products(path: Path) -> set[tuple[str, int]]:
    """The products a module imports from, with the line of each import (relative imports resolved)."""
    here = path.relative_to(PACKAGE).parent.parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - node.level + 1]) + (node.module.split(".") if node.module else [])
                names = [base + [a.name] for a in node.names] if not node.module else [base]
            elif node.module and node.module.startswith("tstalks."):
                names = [node.module.split(".")[1:]]
            else:
                continue
        elif isinstance(node, ast.Import):
            names = [a.name.split(".")[1:] for a in node.names if a.name.startswith("tstalks.")]
        else:
            continue
        found |= {(n[0], node.lineno) for n in names if n and n[0] in PRODUCTS}
    return found


def test_the_package_is_one_subpackage_per_product_over_a_shared_core():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(PRODUCTS)
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py"}, "modules belong to a product's subpackage"


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_each_module_imports_only_what_its_product_may(path: Path):
    mine = product(path)
    if mine is None:
        return
    wrong = sorted((other, line) for other, line in imported_products(path) if other != mine and other not in MAY_IMPORT[mine])
    assert not wrong, f"{path.relative_to(ROOT)} ({mine}) imports {wrong}; {mine} may import only {sorted(MAY_IMPORT[mine])}"


def test_the_import_rule_check_sees_relative_and_absolute_imports(tmp_path: Path):
    """The rule above is only as good as its reading of imports: it must see both forms."""
    module = PACKAGE / "core" / "_probe_for_test.py"
    try:
        module.write_text("from ..build import pipeline\nfrom tstalks.curate import add\nimport tstalks.cli\n", "utf-8")
        assert {p for p, _ in imported_products(module)} == {"build", "curate", "cli"}
    finally:
        module.unlink()


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_function_is_too_long_or_too_branched(path: Path):
    source = path.read_text("utf-8")
    long = [(n.name, n.lineno, n.end_lineno - n.lineno + 1) for n in ast.walk(ast.parse(source))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_LINES]
    visited = ComplexityVisitor.from_code(source)
    blocks = visited.functions + [m for c in visited.classes for m in c.methods]
    branched = [(b.name, b.lineno, b.complexity) for b in blocks if b.complexity > MAX_COMPLEXITY]
    assert not long, f"functions over {MAX_LINES} lines in {path.relative_to(ROOT)}: {long}"
    assert not branched, f"cyclomatic complexity over {MAX_COMPLEXITY} (radon) in {path.relative_to(ROOT)}: {branched}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "curate" / "assistant").glob("*.py")), ids=lambda p: p.name)
def test_each_stage_of_the_assistant_is_small(path: Path):
    assert len(path.read_text("utf-8").splitlines()) <= MAX_MODULE_LINES


# Written once, in schemas/

SCHEMAS = load_schemas(ROOT / "schemas")


def _at(root: dict, node: dict | None, path: list[str]) -> dict | None:
    """The JSON Schema, inside the coding schema `root`, of the value at `path` below `node` (keys, or "*" for a
    list's items or a mapping's values; of a `oneOf`, the first alternative that defines the rest of the path);
    None where the schema defines no such value."""
    for i, key in enumerate(path):
        if node is None:
            return None
        while "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if "oneOf" in node:
            return next((found for alternative in node["oneOf"] if (found := _at(root, alternative, path[i:]))), None)
        node = (node.get("items") or node.get("additionalProperties")) if key == "*" else node.get("properties", {}).get(key)
    while node is not None and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize("table", list(SCHEMAS.roles))
def test_every_column_has_one_source_in_the_codings_or_the_build(table: str):
    role = SCHEMAS.roles[table]
    for column, source in role.sources.items():
        assert (source.coding is None) != (source.built is None), f"{table}.{column}: give exactly one of tstalks.coding or tstalks.built"
        if source.coding is None:
            continue
        # The item's schema: the coding file's (a registry's: one entry of its list), then down the lists the rows come from.
        root = SCHEMAS.codings[role.kind]
        item = [] if role.kind == "article" else [role.kind, "*"]
        lists = [step for key in role.coded_in[1:] for step in (key, "*")]
        here = _at(root, root, item + lists)
        if source.coding == ".":
            found = here
        elif source.coding.startswith("../"):
            found = _at(root, root, item + lists[:-2] + [source.coding[3:]])
        else:
            found = _at(root, here, source.coding.split("."))
        assert found is not None, f"{table}.{column} is coded from '{source.coding}', which the {role.kind} coding schema does not define"


def test_a_column_without_a_source_is_refused_by_the_build(tmp_path: Path):
    from tstalks.build.resolve import Rows
    from tstalks.core.schemas import Role, Source

    role = SCHEMAS.roles["quotes"]
    broken = Role(role.table, role.coded_in, role.span_text, role.attested_by, role.attest_fix,
                  {**role.sources, "added_later": Source(None, None)})
    with pytest.raises(Failed) as refused:
        Rows({"quotes": broken})
    (problem,) = refused.value.problems
    assert problem.file == "schemas/tables/quotes.json" and problem.where == "fields/added_later"


def test_every_registry_has_a_coding_file_schema_and_a_table():
    kinds = {p.name.removesuffix(".schema.json") for p in (ROOT / "schemas" / "codings").glob("*.schema.json")}
    kinds -= {"common", "article", "capture"}
    assert set(SCHEMAS.registries) == kinds


def test_every_span_table_names_its_text_column_and_attestations_name_a_table():
    for table, column in SCHEMAS.span_tables.items():
        names = [f["name"] for f in SCHEMAS.tables[table]["fields"]]
        assert {column, "article_id", "span_start", "span_end"} <= set(names), table
    for table, role in SCHEMAS.roles.items():
        if role.attested_by:
            assert role.is_registry and role.attested_by in SCHEMAS.roles, table


@pytest.mark.parametrize("vocabulary", vocab.VOCABULARIES, ids=lambda v: v.CODELIST)
def test_every_code_named_in_python_is_in_its_codelist(vocabulary: type):
    with (ROOT / "schemas" / "codelists" / f"{vocabulary.CODELIST}.csv").open(encoding="utf-8", newline="") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    missing = {name: code for name, code in vocab.named(vocabulary).items() if code not in codes}
    assert not missing, f"codes not in schemas/codelists/{vocabulary.CODELIST}.csv: {missing}"


def test_every_code_a_lexicon_is_keyed_by_is_in_its_codelist():
    from tstalks.curate.lexicon import load_lexicon

    lexicon = load_lexicon(ROOT / "schemas")
    for words, codelist in ((lexicon.event_words, "event_type"), (lexicon.topic_words, "topic"),
                            (lexicon.format_words, "event_format"), (lexicon.level_words, "event_level")):
        assert set(words) <= set(SCHEMAS.codes(codelist)), codelist


def test_every_module_is_on_the_map_in_scripts_readme():
    """scripts/README.md names every module of the package, so the map cannot fall behind the code."""
    mapped = (ROOT / "scripts" / "README.md").read_text("utf-8")
    modules = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert [m for m in modules if f"`{m}`" not in mapped] == []
