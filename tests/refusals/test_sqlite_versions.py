"""`tstalks build --check` and `tstalks build` with a committed SQLite file that another SQLite version wrote: its
bytes differ in layout (the same tables, their cells in other pages), so it is compared by content, and the
command says so; a file of this machine's version is compared by its bytes, as every other output."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from support import run
from tstalks.core import load_schemas
from tstalks.core.sqlite import sqlite_path, writer_version

apsw = pytest.importorskip("apsw", reason="apsw (in the [test] extra) bundles the other SQLite version these tests need")
if apsw.sqlite_lib_version() == sqlite3.sqlite_version:
    pytest.skip("apsw's SQLite is this Python's own version: no other version to write with", allow_module_level=True)


def sqlite_file(project: Path) -> Path:
    return project / sqlite_path(load_schemas(project / "schemas").package)


def rewrite_with_other_sqlite(project: Path, *sql: str) -> bytes:
    """Run `sql` then VACUUM on the committed file with apsw's SQLite, and make the CSV descriptor describe the
    result, as a build on a machine with that SQLite would have left them."""
    path = sqlite_file(project)
    con = apsw.Connection(str(path))
    for statement in sql:
        con.execute(statement)
    con.execute("VACUUM")
    con.close()
    raw = path.read_bytes()
    descriptor = project / "datapackage.json"
    package = json.loads(descriptor.read_text("utf-8"))
    for r in package["resources"]:
        if r.get("format") == "sqlite":
            r["bytes"], r["hash"] = len(raw), "sha256:" + hashlib.sha256(raw).hexdigest()
    descriptor.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return raw


def test_a_file_of_another_sqlite_version_with_the_same_content_passes_the_check_which_says_so(project):
    raw = rewrite_with_other_sqlite(project)
    assert writer_version(raw) == apsw.sqlite_lib_version()
    result = run("build", "--check", "--root", str(project))
    assert result.exit_code == 0, result.output
    rel = sqlite_path(load_schemas(project / "schemas").package)
    assert (f"note: {rel}: the committed file was written by SQLite {apsw.sqlite_lib_version()}, this machine has "
            f"{sqlite3.sqlite_version}: compared by content, the same; the committed file is kept") in result.output


def test_a_file_of_another_sqlite_version_with_other_content_fails_the_check_which_names_it(project):
    rewrite_with_other_sqlite(project, "UPDATE quotes SET note = 'changed' WHERE quote_id = (SELECT min(quote_id) "
                                       "FROM quotes)")
    result = run("build", "--check", "--root", str(project))
    assert result.exit_code == 1, result.output
    rel = sqlite_path(load_schemas(project / "schemas").package)
    assert f"  {rel}\n" in result.output
    assert "compared by content, which differs (statement" in result.output


def test_a_file_of_this_sqlite_version_is_compared_by_its_bytes(project):
    path = sqlite_file(project)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 0")  # a write that changes no content, only the header's change counter
    con.commit()
    con.close()
    result = run("build", "--check", "--root", str(project))
    assert result.exit_code == 1, result.output
    assert "compared by content" not in result.output


def test_a_build_keeps_a_committed_file_of_another_version_that_holds_the_same(project):
    raw = rewrite_with_other_sqlite(project)
    result = run("build", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert sqlite_file(project).read_bytes() == raw
    assert "the committed file is kept" in result.output
    assert run("build", "--check", "--root", str(project)).exit_code == 0
