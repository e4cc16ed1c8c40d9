"""`tstalks release` refuses, located and with the fix, while the version state does not add up: the package
version (schemas/package.json), CHANGELOG.md's latest release heading and its [Unreleased] section, CITATION.cff's
version and date-released, and the ledger of identifiers. A release made as docs/versioning.md says, committed,
re-releases in a fresh clone without changing any tracked file."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT, copy_release_checkout, prepare_release, run
from tstalks import build
from tstalks.core import Failed, Project
from tstalks.publish import release

VERSION, DATE = "9.8.7", "2030-01-02"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare_release(copy_release_checkout(tmp_path_factory.mktemp("prepared")), VERSION, DATE)


@pytest.fixture(scope="module")
def built(prepared) -> build.Build:
    return build.build(Project(prepared))


@pytest.fixture
def checkout(prepared, tmp_path) -> Path:
    return Path(shutil.copytree(prepared, tmp_path / "checkout"))


def refused(checkout: Path, built: build.Build) -> list[tuple[str, int | None, str, str, str]]:
    with pytest.raises(Failed) as failed:
        release.release(Project(checkout), built)
    return [(p.file, p.line, p.where, p.message, p.fix) for p in failed.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def line_of(path: Path, words: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1) if words in line)


def test_a_prepared_checkout_is_released(checkout, built):
    assert release.release(Project(checkout), built).name == f"turkey-syria-talks-{VERSION}"


def test_entries_under_unreleased_are_refused_with_their_line(checkout, built):
    log = checkout / "CHANGELOG.md"
    edit(log, "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- A date corrected after the release.\n")
    [(file, line, where, message, fix)] = refused(checkout, built)
    assert (file, line, where) == ("CHANGELOG.md", line_of(log, "A date corrected"), "[Unreleased]")
    assert f"the version is {VERSION}" in message
    assert f"move them under `## [{VERSION}] - {DATE}`" in fix and "bump the version" in fix


def test_a_latest_release_heading_of_another_version_is_refused(checkout, built):
    log = checkout / "CHANGELOG.md"
    edit(log, f"## [{VERSION}] - {DATE}", f"## [9.8.6] - {DATE}")
    problems = refused(checkout, built)
    assert [(f, line, w) for f, line, w, *_ in problems] == [("CHANGELOG.md", line_of(log, "## [9.8.6]"), "")]
    assert f"is [9.8.6], but schemas/package.json says {VERSION}" in problems[0][3]
    assert f"`## [{VERSION}] - YYYY-MM-DD`" in problems[0][4]


def test_a_release_date_that_is_not_a_date_is_refused(checkout, built):
    log = checkout / "CHANGELOG.md"
    edit(log, f"## [{VERSION}] - {DATE}", f"## [{VERSION}] - 2030-02-30")
    edit(checkout / "CITATION.cff", f'date-released: "{DATE}"', 'date-released: "2030-02-30"')
    edit(checkout / "CITATION.cff", f'date-released: "{DATE}"', 'date-released: "2030-02-30"')
    problems = refused(checkout, built)
    assert [(f, line) for f, line, *_ in problems] == [("CHANGELOG.md", line_of(log, "2030-02-30"))]
    assert "is not a date" in problems[0][3] and "YYYY-MM-DD" in problems[0][4]


@pytest.mark.parametrize("where", ["version", "preferred-citation.version"])
def test_a_citation_of_another_version_is_refused_where_it_says_so(checkout, built, where):
    cff = checkout / "CITATION.cff"
    text = cff.read_text("utf-8")
    spots = [m.start() for m in re.finditer(f'version: "{re.escape(VERSION)}"', text)]
    at = spots[0] if where == "version" else spots[-1]
    cff.write_text(text[:at] + 'version: "9.8.6"' + text[at + len(f'version: "{VERSION}"'):], "utf-8")
    problems = refused(checkout, built)
    assert [(f, w) for f, _, w, *_ in problems] == [("CITATION.cff", where)]
    assert f"is '9.8.6', the package is {VERSION}" in problems[0][3]
    assert problems[0][4] == f'set {where}: "{VERSION}"'


def test_a_citation_dated_otherwise_than_the_changelog_is_refused(checkout, built):
    edit(checkout / "CITATION.cff", f'date-released: "{DATE}"', 'date-released: "2030-01-03"')
    problems = refused(checkout, built)
    assert [(f, w) for f, _, w, *_ in problems] == [("CITATION.cff", "date-released")]
    assert f"CHANGELOG.md dates {VERSION} {DATE}" in problems[0][3]


def test_a_released_version_whose_ledger_lacks_an_identifier_of_the_data_is_refused(checkout, built):
    """The ledger records identifiers first published in the version: it was released, and an identifier of the
    data that the ledger lacks came after that release."""
    made = release.release(Project(checkout), built)
    header, *rows = made.ledger.decode("utf-8").splitlines()
    # Whether or not this release added identifiers (none, when the data holds only released ones), make the
    # ledger say that VERSION was released: one identifier first published in it.
    last = rows[-1].split(",")
    rows[-1] = ",".join([*last[:2], VERSION, *last[3:]])
    dropped = rows.pop(0)  # the data still holds it
    (checkout / release.LEDGER).write_text("\n".join([header, *rows]) + "\n", "utf-8")
    problems = refused(checkout, built)
    table, id_ = dropped.split(",")[:2]
    assert [(f, w) for f, _, w, *_ in problems] == [(release.LEDGER, f"{table} {id_}")]
    assert f"{VERSION} is released already" in problems[0][3] and "bump the version" in problems[0][4]


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=folder,
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_a_release_committed_as_documented_re_releases_in_a_fresh_clone_without_changing_a_tracked_file(tmp_path):
    work = copy_release_checkout(tmp_path / "work")
    for rel in (".gitignore", ".gitattributes"):
        shutil.copy2(ROOT / rel, work / rel)
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "before the release")
    prepare_release(work, VERSION, DATE)  # bump both versions, move [Unreleased] under the new heading, build
    first = run("release", "--root", str(work))
    assert first.exit_code == 0, first.output
    git(work, "add", "-A")
    git(work, "commit", "-qm", f"Release {VERSION}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(work), str(clone)], check=True)
    again = run("release", "--root", str(clone))
    assert again.exit_code == 0, again.output
    assert git(clone, "status", "--porcelain") == ""
    zips = [(folder / "dist" / f"turkey-syria-talks-{VERSION}.zip").read_bytes() for folder in (work, clone)]
    assert zips[0] == zips[1], "the same commit gives the same zip"
