"""`tstalks validate` on broken and hostile copies of the package (tests/hostile.py): each copy has one thing broken,
and the output holds exactly the findings the case states; the exit status is 1 (0 where the case is valid), no
traceback, nothing of a file outside the package printed, and the package unchanged."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from hostile import CASES, Case, package_copy
from support import run

PASSWD = Path("/etc/passwd")


def _files(folder: Path) -> dict[str, bytes | str]:
    """Every entry of the folder: a file's bytes, else what it is (a link's target, a FIFO, a folder)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = f"link to {os.readlink(path)}"
        elif path.is_file():
            found[rel] = path.read_bytes()
        else:
            found[rel] = "folder" if path.is_dir() else "other"
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_says_exactly_what_is_wrong(tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.needs == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    if case.needs == "passwd" and not PASSWD.is_file():
        pytest.skip("needs /etc/passwd")
    folder = package_copy(tmp_path / "package")
    location, expected = case.breaks(folder)
    before = _files(folder)
    monkeypatch.chdir(folder)
    result = run("validate", location)
    lines = result.output.splitlines()
    valid = expected[-1] == "valid"
    assert result.exit_code == (0 if valid else 1), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert lines[-1] == ("valid" if valid else "NOT VALID"), result.output
    for line in expected:
        assert line in lines, f"missing:\n{line}\n\nin:\n{result.output}"
    assert "root:" not in result.output  # nothing of /etc/passwd
    assert _files(folder) == before  # validate changes nothing


# --- the rules, over generated paths and values ----------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tstalks.validate.descriptors import unsafe_path  # noqa: E402

SEGMENTS = st.sampled_from(["..", ".", "data", "csv", "quotes.csv", "inside", "link", "~", "$HOME", "%TEMP%", "a\\b",
                            "file:", "http:", "", "outside.csv", "etc", "passwd"])


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A package folder with a file, a folder and a link out, beside a file outside it."""
    base = tmp_path_factory.mktemp("paths")
    root = base / "package"
    (root / "data" / "csv").mkdir(parents=True)
    (root / "data" / "csv" / "quotes.csv").write_text("a\n", "utf-8")
    (root / "inside").mkdir()
    (base / "outside.csv").write_text("secret\n", "utf-8")
    (root / "link").symlink_to(base / "outside.csv")
    return root.resolve(), base / "outside.csv"


@settings(max_examples=200)
@given(parts=st.lists(SEGMENTS, min_size=1, max_size=6), absolute=st.booleans())
def test_a_path_is_accepted_only_when_it_leads_to_a_regular_file_inside_the_package(folders, parts, absolute):
    root, _ = folders
    path = ("/" if absolute else "") + "/".join(parts)
    why = unsafe_path(root, root, path)  # never raises
    if why is None:
        target = (root / path).resolve()
        assert target.is_relative_to(root) and target.is_file() and ".." not in path.split("/") and not absolute
    else:
        assert why.startswith(f"path {path!r}" if len(path) <= 80 else "path '")


@settings(max_examples=25)
@given(value=st.text(min_size=81, max_size=5000).map(lambda v: v.replace("\x00", "")).filter(lambda v: len(v) > 80))
def test_a_long_value_is_cut_in_every_finding(tmp_path_factory, value):
    """Whatever the cell holds (a value the enum refuses, or text that breaks the CSV), no finding prints it whole."""
    from hostile import set_cell

    folder = package_copy(tmp_path_factory.mktemp("long") / "p", ("datapackage.json", "data"))
    set_cell(folder, "events", 0, "event_type", value)
    result = run("validate", str(folder))
    assert result.exit_code == 1 and "FAIL Schema checks: datapackage.json: events " in result.output
    # 80 characters of the value, each at most 10 once escaped (\U0010ffff), and the words around them
    assert all(len(line) < 80 * 10 + 400 for line in result.output.splitlines()), result.output
    assert repr(value)[1:-1] not in result.output and value not in result.output


def test_a_bare_validate_in_a_copy_without_schemas_validates_the_copy_it_is_in(tmp_path, monkeypatch):
    folder = package_copy(tmp_path / "copy", ("datapackage.json", "data"))
    monkeypatch.chdir(folder / "data" / "csv")  # anywhere inside it
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "ok   descriptor datapackage.json: 12 resources (11 tables; sqlite, without a Table Schema)" \
        in result.output.splitlines()


def test_a_bare_validate_outside_any_package_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert ("no package here: no datapackage.json in this folder or above it; name a folder, a descriptor or a URL"
            in result.output)
