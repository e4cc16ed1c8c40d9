"""What the tests share: the checkout, throwaway copies of it, and the one way to assert a refusal."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from tstalks.cli import main

# The checkout the specification is run on: this one, or (TSTALKS_SPEC_ROOT) a copy that tests/curate/test_growth.py
# has grown by one article, to show the specification holds as the corpus grows.
ROOT = Path(os.environ.get("TSTALKS_SPEC_ROOT") or Path(__file__).resolve().parents[1])
PARTS = ("schemas", "seeds", "data", "docs", "datapackage.json")
OUTPUT_PARTS = ("datapackage.json", "data")


def copy_project(into: Path) -> Path:
    """A copy of the curated inputs and committed outputs, enough to run `tstalks build` in."""
    into.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part)
        elif source.is_file():
            shutil.copy2(source, into / part)
    return into


def copy_release_checkout(into: Path) -> Path:
    """A copy with everything `tstalks release` bundles: inputs, outputs, citation, changelog, licence, R loader."""
    copy_project(into)
    shutil.copytree(ROOT / "releases", into / "releases")
    for rel in ("CITATION.cff", "CHANGELOG.md", "README.md", "LICENSE", "scripts/load_package.R"):
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, into / rel)
    return into


def prepare_release(checkout: Path, version: str, date: str) -> Path:
    """Make `checkout` ready to release `version` as docs/versioning.md says: the version in schemas/package.json
    and CITATION.cff (with `date`), the [Unreleased] entries moved under `## [version] - date`, outputs rebuilt.
    Raises when the build fails."""
    package = checkout / "schemas" / "package.json"
    package.write_text(re.sub(r'"version": "[^"]+"', f'"version": "{version}"', package.read_text("utf-8"), count=1),
                       "utf-8")
    cff = checkout / "CITATION.cff"
    text = re.sub(r'^(\s*)version: "[^"]+"', rf'\g<1>version: "{version}"', cff.read_text("utf-8"), flags=re.MULTILINE)
    cff.write_text(re.sub(r'^(\s*)date-released: "[^"]+"', rf'\g<1>date-released: "{date}"', text, flags=re.MULTILINE),
                   "utf-8")
    log = checkout / "CHANGELOG.md"
    log.write_text(log.read_text("utf-8").replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - {date}\n", 1),
                   "utf-8")
    result = run("build", "--root", str(checkout))
    assert result.exit_code == 0, result.output
    return checkout


def snapshot(root: Path, parts: tuple[str, ...] = OUTPUT_PARTS) -> dict[str, bytes]:
    """Every output file's bytes (data/ and datapackage.json), to prove a failed build left them untouched."""
    files = {}
    for part in parts:
        path = root / part
        for f in sorted([path] if path.is_file() else path.rglob("*")):
            if f.is_file():
                files[f.relative_to(root).as_posix()] = f.read_bytes()
    return files


def write_outputs(root: Path, files: dict[str, bytes]) -> None:
    for rel, raw in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(raw)


def run(*args: str) -> Result:
    """`tstalks ARGS` in this process (exceptions are kept on the result, not raised)."""
    return CliRunner().invoke(main, list(args))


def assert_refused(root: Path, file: str | None, *mentions: str, line: bool = True, args: tuple[str, ...] = ()) -> str:
    """`tstalks build` exits 1 without a traceback, names `file` (any file when None; with a line, unless the problem
    is the whole file), says each of `mentions` (words, as written) in one problem (its message or its fix), says how
    to fix it, and leaves the previous outputs byte-identical. Returns the output."""
    before = snapshot(root)
    result = run("build", "--root", str(root), *args)
    output = result.output
    assert result.exit_code == 1, output
    assert isinstance(result.exception, SystemExit), f"escaped: {result.exception!r}"  # nothing but a clean exit
    assert "Traceback" not in output
    assert snapshot(root) == before, "a refused build changed data/ or datapackage.json"
    blocks = re.findall(r"^(\S.*)\n    fix: (.+)$", output, flags=re.MULTILINE)
    named = [(head, fix) for head, fix in blocks if (file is None or head.startswith(file + ":")) and fix.strip()]
    assert named, f"no problem names {file}:\n{output}"
    saying = [head for head, fix in named if all(m in f"{head}\n{fix}" for m in mentions)]
    assert saying, f"no problem on {file} says {mentions}:\n{output}"
    if line:
        assert any(re.match(r"\S+:\d+: ", head) for head in saying), f"no line number for {file}:\n{output}"
    return output


def query(path: Path, sql: str, *args: object) -> list[tuple]:
    """The rows `sql` gives on the SQLite file at `path`, the connection closed after."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def delete_draft_marks(path: Path) -> None:
    """What a curator who accepts a draft as it stands does: delete every `draft:` key with the lines under it, and
    the header comment, and touch nothing else."""
    out: list[str] = []
    under: int | None = None  # indentation of the draft key being deleted
    for line in path.read_text("utf-8").splitlines(keepends=True):
        indent = len(line) - len(line.lstrip())
        if under is not None and (not line.strip() or indent > under):
            continue
        under = None
        m = re.match(r"^(\s*)draft:", line)
        if m:
            under = len(m.group(1))
        elif not (line.startswith("#") and not out):
            out.append(line)
    path.write_text("".join(out), encoding="utf-8")
