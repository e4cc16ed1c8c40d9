"""The README's SQL query runs as written on the published SQLite file, in Python's sqlite3 and in the sqlite3
shell, and gives what the tables say: every quote with its speaker's name and its statement's event."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess

import pyarrow.parquet as pq
import pytest

from support import ROOT
from tstalks.core import load_schemas
from tstalks.core.sqlite import sqlite_path

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SCHEMAS = load_schemas(ROOT / "schemas")
DATABASE = ROOT / sqlite_path(SCHEMAS.package)


def readme_queries() -> list[str]:
    return [body for info, body in FENCE.findall((ROOT / "README.md").read_text("utf-8")) if info.split() == ["sql", "run"]]


def expected() -> list[tuple]:
    """The query's rows, computed from the Parquet tables: quotes -> statements -> participants, events."""
    tables = {n: pq.read_table(ROOT / "data" / "parquet" / f"{n}.parquet").to_pylist()
              for n in ("quotes", "statements", "participants", "events")}
    by_id = {n: {r[SCHEMAS.tables[n]["primaryKey"][0]]: r for r in tables[n]} for n in ("statements", "participants", "events")}
    rows = []
    for q in tables["quotes"]:
        statement = by_id["statements"][q["statement_id"]]
        event = by_id["events"].get(statement["event_id"]) or {}
        date = event.get("start_date")
        rows.append((date.isoformat() if isinstance(date, dt.date) else date, event.get("start_date_precision"),
                     event.get("title"), by_id["participants"][statement["speaker_id"]]["name"], q["quote_mode"],
                     q["quote_text"], q["quote_id"]))
    return sorted(rows, key=lambda r: (r[0] is None, r[0] or "", r[3], r[6]))  # quotes of no event last


def test_the_readme_has_one_sql_query_to_run():
    assert len(readme_queries()) == 1, "mark the README's SQL example with the info string `sql run`"


def test_the_readme_query_lists_every_quote_with_its_speaker_and_event():
    con = sqlite3.connect(f"{DATABASE.as_uri()}?mode=ro", uri=True)
    try:
        got = con.execute(readme_queries()[0]).fetchall()
    finally:
        con.close()
    assert got == expected()
    assert len(got) == pq.read_metadata(ROOT / "data" / "parquet" / "quotes.parquet").num_rows


def test_the_readme_query_runs_in_the_sqlite3_shell_with_foreign_keys_clean():
    if not shutil.which("sqlite3"):
        pytest.skip("no sqlite3 shell on this machine (Debian: apt-get install sqlite3)")
    run = subprocess.run(["sqlite3", "-readonly", "-json", str(DATABASE)], input=readme_queries()[0],
                         capture_output=True, text=True, check=True)
    assert [tuple(r.values()) for r in json.loads(run.stdout)] == expected()
    check = subprocess.run(["sqlite3", "-readonly", str(DATABASE), "PRAGMA foreign_key_check;",
                            "PRAGMA integrity_check;"], capture_output=True, text=True, check=True)
    assert check.stdout.split() == ["ok"]
