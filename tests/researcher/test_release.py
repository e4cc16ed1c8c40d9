"""`tstalks release`: a deterministic zip that stands alone (its own README, no dead link, the seeds with their
licence note) and validates completely wherever it is unpacked; identifiers only grow."""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import ROOT, prepare_release
from support import copy_release_checkout as copy_checkout
from tstalks import build
from tstalks.core import Failed, Project
from tstalks.publish import release
from tstalks.validate import validate_package

VERSION, DATE = "9.8.7", "2030-01-02"  # a release made in the copy only, as docs/versioning.md says
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return prepare_release(copy_checkout(tmp_path_factory.mktemp("checkout")), VERSION, DATE)


@pytest.fixture(scope="module")
def made(checkout) -> release.Release:
    return release.release(Project(checkout), build.build(Project(checkout)))


@pytest.fixture(scope="module")
def unpacked(made, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("elsewhere")
    with zipfile.ZipFile(io.BytesIO(made.zip)) as archive:
        archive.extractall(where)
    return where / made.name


def test_the_release_is_the_same_bytes_every_time(checkout, made):
    again = release.release(Project(checkout), build.build(Project(checkout)))
    assert hashlib.sha256(again.zip).hexdigest() == hashlib.sha256(made.zip).hexdigest()


def test_the_zip_holds_one_folder_named_for_the_version_with_sorted_entries_and_fixed_times(made):
    with zipfile.ZipFile(io.BytesIO(made.zip)) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert all(n.startswith(f"{made.name}/") for n in names)
    assert made.name == f"turkey-syria-talks-{VERSION}"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_zip_holds_descriptors_data_schemas_docs_and_the_release_files(unpacked):
    for rel in ("datapackage.json", "data/parquet/datapackage.json", "data/csv/events.csv", "data/parquet/events.parquet",
                "schemas/package.json", "schemas/tables/events.json", "schemas/codelists/topic.csv", "docs/codebook.md",
                "data/sqlite/turkey-syria-talks.sqlite", "README.md", "LICENSE", "CITATION.cff", "CHANGELOG.md",
                "SHA256SUMS", release.LEDGER, "seeds/README.md", "scripts/load_package.R"):
        assert (unpacked / rel).is_file(), rel
    seeds = sorted(p.name for p in (ROOT / "seeds" / "articles").iterdir() if p.is_file())
    assert sorted(p.name for p in (unpacked / "seeds" / "articles").iterdir()) == seeds
    for name in seeds:  # byte for byte: the span check compares them with the tables
        assert (unpacked / "seeds" / "articles" / name).read_bytes() == (ROOT / "seeds" / "articles" / name).read_bytes()


def test_the_seeds_come_with_the_note_that_they_remain_their_publishers_copyright(unpacked):
    note = (unpacked / "seeds" / "README.md").read_text("utf-8")
    assert "not** licensed" in note and "copyright of their publishers" in note and "verified" in note
    for outlet in set(pq.read_table(unpacked / "data/parquet/articles.parquet").column("outlet").to_pylist()):
        assert outlet in note, f"the note does not name the publisher {outlet}"


def markdown_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.md"))


def test_no_relative_link_in_the_zip_is_dead(unpacked):
    """Every relative link of every Markdown file of the unzipped release leads to a file or folder inside it."""
    dead = []
    for md in markdown_files(unpacked):
        for target in LINK.findall(md.read_text("utf-8")):
            if urllib.parse.urlparse(target).scheme or target.startswith("#"):
                continue
            path = (md.parent / urllib.parse.unquote(target.split("#", 1)[0])).resolve()
            if not path.is_relative_to(unpacked.resolve()) or not path.exists():
                dead.append(f"{md.relative_to(unpacked)} -> {target}")
    assert not dead, dead
    assert len(markdown_files(unpacked)) >= 5


def test_the_zips_readme_is_written_for_the_downloaded_data(unpacked, checkout):
    text = (unpacked / "README.md").read_text("utf-8")
    assert "{{" not in text and f"Version {VERSION}, released {DATE}" in text
    assert f"(Version {VERSION}) [Data set]" in text
    assert "pip install -e" not in text and "pyproject" not in text, "a command of the repository, not of the release"
    for name in build.build(Project(checkout)).schemas.tables:
        assert f"| `{name}` |" in text, f"the README's table list lacks {name}"
    for words in ("frictionless validate datapackage.json", "frictionless validate data/parquet/datapackage.json",
                  "pip install turkey-syria-talks", "tstalks validate", "CC BY 4.0", "seeds/articles/"):
        assert words in text, words


def snippets(folder: Path, language: str) -> list[str]:
    return [body for info, body in FENCE.findall((folder / "README.md").read_text("utf-8")) if info.split() == [language, "run"]]


def test_the_zips_python_snippets_run_in_the_unzipped_folder(unpacked):
    bodies = snippets(unpacked, "python")
    assert len(bodies) >= 4
    for body in bodies:
        done = subprocess.run([sys.executable, "-c", body], cwd=unpacked, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip(), f"{body}\n{done.stderr}"


def test_the_zips_r_snippets_run_in_the_unzipped_folder(unpacked):
    rscript = shutil.which("Rscript")
    if not rscript:
        pytest.skip("Rscript not installed (.ci/install-r installs it)")
    bodies = snippets(unpacked, "r")
    assert len(bodies) == 2
    for body in bodies:
        if "library(frictionless)" in body:
            probe = subprocess.run([rscript, "-e", "library(frictionless)"], capture_output=True, text=True)
            if probe.returncode:
                pytest.skip("the R frictionless package is not installed (.ci/install-r installs it)")
        done = subprocess.run([rscript, "-e", body], cwd=unpacked, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "Date" in done.stdout, f"{body}\n{done.stdout}\n{done.stderr}"


def test_sha256sums_lists_every_other_file_with_its_hash(unpacked):
    listed = {}
    for line in (unpacked / "SHA256SUMS").read_text("utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    files = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((unpacked / rel).read_bytes()).hexdigest() == digest, rel


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum (coreutils) not found")
def test_sha256sums_checks_with_coreutils(unpacked):
    done = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_unpacked_release_validates_completely_away_from_the_checkout(unpacked):
    report = validate_package(unpacked)
    assert report.valid, report.failures()
    assert [line for line in report.lines() if line[0] != "ok"] == [], "no check may be skipped in the release"
    assert ("ok", "spans equal their seed text", "all spans match") in report.lines()


def test_the_release_command_line_validates_the_unzipped_folder(unpacked):
    from click.testing import CliRunner

    from tstalks.cli import main

    result = CliRunner().invoke(main, ["validate", str(unpacked)])
    assert result.exit_code == 0, result.output
    assert "skip" not in result.output and result.output.rstrip().endswith("valid")


def test_the_unpacked_release_passes_stock_frictionless(unpacked):
    frictionless = shutil.which("frictionless") or str(Path(__import__("sys").executable).with_name("frictionless"))
    for descriptor in ("datapackage.json", "data/parquet/datapackage.json"):
        done = subprocess.run([frictionless, "validate", descriptor], cwd=unpacked, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def ready(prepared: Path, tmp_path: Path) -> Path:
    """A copy of the checkout made ready for release, to break one thing in."""
    return Path(shutil.copytree(prepared, tmp_path / "ready"))


def test_release_refuses_outputs_that_differ_from_a_fresh_build(tmp_path, checkout):
    checkout = ready(checkout, tmp_path)
    (checkout / "data/csv/events.csv").write_text("event_id\n", "utf-8")
    with pytest.raises(Failed) as failed:
        release.release(Project(checkout), build.build(Project(checkout)))
    assert [p.file for p in failed.value.problems] == ["data/csv/events.csv"]


def test_release_refuses_a_citation_of_another_version(tmp_path, checkout):
    checkout = ready(checkout, tmp_path)
    cff = checkout / "CITATION.cff"
    cff.write_text(cff.read_text("utf-8").replace('version: "', 'version: "9', 1), "utf-8")
    with pytest.raises(Failed) as failed:
        release.release(Project(checkout), build.build(Project(checkout)))
    assert [(p.file, p.where) for p in failed.value.problems] == [("CITATION.cff", "version")]


def test_release_refuses_without_a_changelog(tmp_path, checkout):
    checkout = ready(checkout, tmp_path)
    (checkout / "CHANGELOG.md").unlink()
    with pytest.raises(Failed) as failed:
        release.release(Project(checkout), build.build(Project(checkout)))
    assert [p.file for p in failed.value.problems] == ["CHANGELOG.md"]


def test_release_records_every_published_identifier_once(checkout, made):
    ledger = release.read_ledger(made.ledger.decode("utf-8"))
    b = build.build(Project(checkout))
    assert {(r["table"], r["id"]) for r in ledger} == release.published_ids(b.tables, b.schemas.tables)
    assert len(ledger) == len({(r["table"], r["id"]) for r in ledger})


# ------------------------------------------------------------------ identifiers only grow

def test_committed_data_still_holds_every_identifier_the_ledger_says_was_published():
    """The committed ledger against the committed data: nothing published has gone, nothing withdrawn is back."""
    b = build.build(Project(ROOT))
    ledger = release.read_ledger((ROOT / release.LEDGER).read_text("utf-8"))
    problems = release.ledger_problems(ledger, release.published_ids(b.tables, b.schemas.tables),
                                       b.schemas.package["version"])
    assert problems == [], "\n".join(map(str, problems))


ids = st.sets(st.tuples(st.sampled_from(["events", "quotes", "statements"]), st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True)),
              min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(published=ids, data=st.data())
def test_an_identifier_that_disappears_after_release_is_reported(published, data):
    ledger, _ = release.record([], published, "0.1.0")
    gone = data.draw(st.sampled_from(sorted(published)))
    problems = release.ledger_problems(ledger, published - {gone}, "0.2.0")
    assert [p.where for p in problems] == [f"{gone[0]} {gone[1]}"]
    assert "no longer in the data" in problems[0].message


@settings(max_examples=60, deadline=None)
@given(published=ids, data=st.data())
def test_a_withdrawn_identifier_that_comes_back_is_reported(published, data):
    ledger, _ = release.record([], published, "0.1.0")
    back = data.draw(st.sampled_from(sorted(published)))
    for row in ledger:
        if (row["table"], row["id"]) == back:
            row.update(withdrawn_in="1.0.0", reason="duplicate")
    assert release.ledger_problems(ledger, published - {back}, "1.0.0") == []
    problems = release.ledger_problems(ledger, published, "1.0.0")
    assert [p.where for p in problems] == [f"{back[0]} {back[1]}"]
    assert "never reused" in problems[0].fix


@settings(max_examples=60, deadline=None)
@given(first=ids, later=ids)
def test_recording_a_release_keeps_old_versions_and_adds_only_new_identifiers(first, later):
    ledger, _ = release.record([], first, "0.1.0")
    grown, added = release.record(ledger, first | later, "0.2.0")
    assert added == len(later - first)
    versions = {(r["table"], r["id"]): r["first_version"] for r in grown}
    assert all(versions[i] == "0.1.0" for i in first)
    assert all(versions[i] == "0.2.0" for i in later - first)
    assert release.read_ledger(release.write_ledger(grown).decode("utf-8")) == sorted(grown, key=lambda r: (r["table"], r["id"]))


def test_the_release_command_writes_the_zip_and_the_ledger(tmp_path):
    from click.testing import CliRunner

    from tstalks.cli import main

    checkout = prepare_release(copy_checkout(tmp_path / "checkout"), VERSION, DATE)
    result = CliRunner().invoke(main, ["release", "--root", str(checkout)])
    assert result.exit_code == 0, result.output
    version = VERSION
    written = checkout / "dist" / f"turkey-syria-talks-{version}.zip"
    assert hashlib.sha256(written.read_bytes()).hexdigest() in result.output
    with zipfile.ZipFile(written) as archive:
        inside = archive.read(f"turkey-syria-talks-{version}/{release.LEDGER}")
    assert (checkout / release.LEDGER).read_bytes() == inside
