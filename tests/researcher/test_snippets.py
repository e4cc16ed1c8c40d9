"""The README's loading snippets run as written: every fenced block marked `python run` or `r run`.

Each runs in a fresh process with the repository root as its working folder, as a reader would run it.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def snippet_source() -> Path:
    return ROOT / "README.md"


def snippets(language: str) -> list[str]:
    """Bodies of the fenced blocks whose info string is `<language> run`."""
    text = snippet_source().read_text("utf-8")
    return [body for info, body in FENCE.findall(text) if info.split() == [language, "run"]]


def _ids(bodies: list[str]) -> list[str]:
    first = [next((line for line in b.splitlines() if line.strip() and not line.startswith("#")), "") for b in bodies]
    return [f"{i}:{line[:40]}" for i, line in enumerate(first)]


PASTE = "mark each loading snippet of README.md with the info string `python run` or `r run`"


def test_the_readme_has_runnable_python_and_r_snippets():
    assert snippets("python"), f"no ```python run block in {snippet_source().name}: {PASTE}"
    assert snippets("r"), f"no ```r run block in {snippet_source().name}: {PASTE}"


def test_the_python_snippets_cover_frictionless_pandas_polars_and_duckdb():
    text = "\n".join(snippets("python"))
    for library in ("frictionless", "pandas", "polars", "duckdb", "read_parquet", "read_csv"):
        assert library in text, f"no runnable Python snippet in {snippet_source().name} uses {library}: {PASTE}"


@functools.cache
def run_python(body: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", body], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("body", snippets("python"), ids=_ids(snippets("python")))
def test_python_snippet_runs(body: str):
    done = run_python(body)
    assert done.returncode == 0, f"snippet failed:\n{body}\n--- stderr ---\n{done.stderr}"
    assert done.stdout.strip(), "snippet printed nothing"


STRING = re.compile(r"""["']([^"'\n]+)["']""")
SQL_SELECT = re.compile(r"\bSELECT\b(.*?)\bFROM\b", re.DOTALL | re.IGNORECASE)


def selected_columns(body: str) -> list[str]:
    """The columns a snippet selects: names in `df[[...]]` and `group_by(...)`, and each item of a SQL
    SELECT list (its `AS` alias, or the column after `table.`)."""
    names = [n for group in re.findall(r"\[\[(.*?)\]\]|group_by\((.*?)\)", body, re.DOTALL)
             for part in group for n in STRING.findall(part)]
    for select in SQL_SELECT.findall(body):
        for item in select.split(","):
            alias = re.search(r"\bAS\s+(\w+)\s*$", item.strip(), re.IGNORECASE)
            names.append(alias.group(1) if alias else item.strip().split(".")[-1])
    return names


def test_the_column_parser_reads_pandas_polars_and_sql_selections():
    assert selected_columns("df[[\"a\", 'b']]\npl.group_by(\"c\").len()") == ["a", "b", "c"]
    sql = "SELECT e.start_date, p.name AS speaker, kind\n FROM t"
    assert selected_columns(sql) == ["start_date", "speaker", "kind"]


def test_most_python_snippets_select_columns():
    selecting = [body for body in snippets("python") if selected_columns(body)]
    assert len(selecting) >= 4, "the column check below would check almost nothing: the snippets select no columns"


@pytest.mark.parametrize("body", snippets("python"), ids=_ids(snippets("python")))
def test_python_snippet_prints_every_column_it_selects(body: str):
    # A wide data frame printed plainly hides its middle columns behind "...": every selected name must
    # appear in one line of the output, its header (so the columns are neither hidden nor wrapped apart).
    names = selected_columns(body)
    if not names:
        pytest.skip("this snippet selects no columns by name")
    assert "*" not in names, f"name the columns instead of SELECT *:\n{body}"
    done = run_python(body)
    assert done.returncode == 0, done.stderr
    lines = [set(re.split(r"[\s│┆|]+", line)) for line in done.stdout.splitlines()]
    assert any(set(names) <= line for line in lines), (
        f"no line of the output shows all of {names}; print with .to_string():\n{done.stdout[:2000]}")


@pytest.mark.parametrize("body", snippets("r"), ids=_ids(snippets("r")))
def test_r_snippet_runs(body: str):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found: install R with readr and jsonlite (.ci/install-r) to run the R snippets")
    for package in re.findall(r"library\((\w+)\)", body):
        if subprocess.run([rscript, "-e", f"quit(status = !requireNamespace('{package}', quietly = TRUE))"],
                          capture_output=True, timeout=60).returncode != 0:
            pytest.skip(f"the R package {package} is not installed: .ci/install-r installs it")
    done = subprocess.run([rscript, "-e", body], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"snippet failed:\n{body}\n--- stderr ---\n{done.stderr}"
    assert done.stdout.strip(), "snippet printed nothing"
