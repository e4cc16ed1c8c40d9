"""Growing the dataset: a report added with what the curator knows of its capture builds once its draft marks are
deleted (every drafted value well-formed, nothing a placeholder), and the dataset's specification still holds on a
copy grown by one more confirmed article."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import ROOT, copy_project, delete_draft_marks, run

FIXTURE = ROOT / "tests" / "fixtures" / "agency_style_page.txt"  # an invented wire page, in no outlet's house style
CAPTURE = ["--url", "https://example.org/world/2024/talks-resume", "--outlet", "Example Wire", "--published", "2024-03-14"]
SPECIFICATION = ["tests/dataset", "tests/invariants"]  # the rules every checkout of the dataset must keep


def _added(project: Path, source: Path, *options: str) -> str:
    before = set((project / "seeds" / "codings" / "articles").iterdir())
    result = run("add", str(source), *options, "--root", str(project))
    assert result.exit_code == 0, result.output
    (coding,) = set((project / "seeds" / "codings" / "articles").iterdir()) - before
    return coding.stem


def _accept_every_draft(project: Path) -> None:
    for path in [*(project / "seeds" / "codings").glob("*.yaml"), *(project / "seeds" / "codings" / "articles").glob("*.yaml")]:
        delete_draft_marks(path)


def _row(project: Path, table: str, key: str, value: str) -> dict[str, str]:
    with open(project / "data" / "csv" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return next(r for r in csv.DictReader(f) if r[key] == value)


def test_a_draft_accepted_as_it_stands_builds(tmp_path):
    project = copy_project(tmp_path / "project")
    aid = _added(project, FIXTURE, *CAPTURE)
    _accept_every_draft(project)
    result = run("build", "--root", str(project))
    assert result.exit_code == 0, result.output
    row = _row(project, "articles", "article_id", aid)
    assert (row["url"], row["url_source"]) == ("https://example.org/world/2024/talks-resume", "supplied")
    assert (row["outlet"], row["outlet_source"]) == ("Example Wire", "supplied")
    assert (row["published_date"], row["published_date_source"]) == ("2024-03-14", "printed")  # the page prints it
    assert row["title"] == "Ministers meet again as talks on border security resume"


def test_what_the_draft_cannot_find_it_leaves_out_and_asks_for(tmp_path):
    """A bare text: no headline, no outlet, no date. The draft writes no placeholder for any of them; it asks, and
    the build then says exactly what is missing."""
    project = copy_project(tmp_path / "project")
    bare = tmp_path / "bare.txt"
    bare.write_text("The two ministers met for talks, officials said. “We agreed to meet again,” one official said.\n",
                    encoding="utf-8")
    aid = _added(project, bare)
    coding = project / "seeds" / "codings" / "articles" / f"{aid}.yaml"
    data = yaml.safe_load(coding.read_text("utf-8"))
    assert {"title", "outlet", "url", "byline"}.isdisjoint(data)
    asked = " ".join(m["rule"] for m in data["draft"]["asks"])
    assert "no outlet found" in asked and "no headline found" in asked
    assert "UNKNOWN" not in coding.read_text("utf-8")
    _accept_every_draft(project)
    result = run("build", "--root", str(project))
    assert result.exit_code == 1
    assert f"{aid}: no outlet" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(os.environ.get("TSTALKS_SPEC_ROOT") is not None, reason="already running on a grown copy")
def test_the_specification_holds_on_a_copy_grown_by_one_article(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "tests").mkdir()
    shutil.copytree(ROOT / "tests" / "fixtures", project / "tests" / "fixtures")
    shutil.copy2(ROOT / ".gitattributes", project / ".gitattributes")
    aid = _added(project, FIXTURE, *CAPTURE)
    _accept_every_draft(project)
    assert run("build", "--root", str(project)).exit_code == 0
    spec = subprocess.run([sys.executable, "-m", "pytest", *SPECIFICATION, "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env={**os.environ, "TSTALKS_SPEC_ROOT": str(project)}, capture_output=True, text=True)
    assert spec.returncode == 0, spec.stdout[-3000:] + spec.stderr[-2000:]
    assert _row(project, "articles", "article_id", aid)  # the grown copy is what the specification ran on


@pytest.mark.parametrize("option, value, says", [
    ("--url", "ftp://example.org/talks", "does not match"),         # the capture schema's pattern: http(s) only
    ("--published", "14 March 2024", "does not match"),
    ("--published", "2024-02-30", "is not a real date"),
    ("--captured", "2024-13", "is not a real date"),
    ("--method", "photocopy", "is not one of"),                       # capture_method's codes
    ("--completeness", "mostly", "is not one of"),
])
def test_an_option_the_capture_record_cannot_hold_is_refused_naming_it_and_nothing_is_written(
        tmp_path, option, value, says):
    project = copy_project(tmp_path / "project")
    seeds = sorted(p.name for p in (project / "seeds" / "articles").iterdir())
    result = run("add", str(FIXTURE), option, value, "--root", str(project))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{option}:" in result.output and says in result.output and "fix:" in result.output, result.output
    assert sorted(p.name for p in (project / "seeds" / "articles").iterdir()) == seeds
