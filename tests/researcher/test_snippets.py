"""The README's loading snippets run as written: every fenced block marked `python run` or `r run`.

Each runs in a fresh process with the repository root as its working folder, as a reader would run it.
"""
from __future__ import annotations

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
    return [f"{i}:{next((l for l in b.splitlines() if l.strip() and not l.startswith('#')), '')[:40]}" for i, b in enumerate(bodies)]


PASTE = "mark each loading snippet of README.md with the info string `python run` or `r run`"


def test_the_readme_has_runnable_python_and_r_snippets():
    assert snippets("python"), f"no ```python run block in {snippet_source().name}: {PASTE}"
    assert snippets("r"), f"no ```r run block in {snippet_source().name}: {PASTE}"


def test_the_python_snippets_cover_frictionless_pandas_polars_and_duckdb():
    text = "\n".join(snippets("python"))
    for library in ("frictionless", "pandas", "polars", "duckdb", "read_parquet", "read_csv"):
        assert library in text, f"no runnable Python snippet in {snippet_source().name} uses {library}: {PASTE}"


@pytest.mark.parametrize("body", snippets("python"), ids=_ids(snippets("python")))
def test_python_snippet_runs(body: str):
    done = subprocess.run([sys.executable, "-c", body], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"snippet failed:\n{body}\n--- stderr ---\n{done.stderr}"
    assert done.stdout.strip(), "snippet printed nothing"


@pytest.mark.parametrize("body", snippets("r"), ids=_ids(snippets("r")))
def test_r_snippet_runs(body: str):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found: install R with readr and jsonlite (.ci/install-r) to run the R snippets")
    done = subprocess.run([rscript, "-e", body], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"snippet failed:\n{body}\n--- stderr ---\n{done.stderr}"
    assert done.stdout.strip(), "snippet printed nothing"
