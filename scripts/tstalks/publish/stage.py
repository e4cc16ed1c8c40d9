"""Publish a build: stage its outputs, validate the staged package, and only then swap it in; or compare the
outputs with what is committed. Every caller of `publish` gets the validation, the lock and the recovery: they
are not the CLI's to wire.

One build at a time. A build holds an exclusive lock (flock) on `.tstalks-build.lock` in the project root from
start to end; a second build refuses at once, naming the lock's path, and never touches the first one's files.
The kernel lets go of the lock when its holder dies, so a killed build leaves no stale lock (the file stays;
deleting it could let two builds lock two different files). `tstalks build --check` takes the lock shared.

The swap. The outputs are several paths (data/, docs/figures/, docs/codebook.md, datapackage.json), and no rename
replaces several paths at once, so the swap is journaled and rolled forward:

1. every output is written into a staging folder `.tstalks-stage-*` in the project root (the same filesystem,
   so moving it in is a rename), flushed to disk, and validated there;
2. the journal `.tstalks-swap.json` is written whole (a temporary file, flushed, then renamed into place) naming
   the staging folder, a backup folder and the outputs. Its appearance is the commit point: before it the
   outputs are untouched (old); after it the swap will be completed (new);
3. output by output, the current one is renamed into the backup folder and the staged one into its place. What
   has been done is visible on disk: a staged output still in the staging folder has not been moved in;
4. the journal is removed, then the backup and staging folders.

Recovery runs at the start of every build, under the lock: a journal left by a build killed during step 3 is
rolled forward from where the disk shows it stopped (killed during the recovery, the next build goes on from
there), and any `.tstalks-stage-*` or `.tstalks-backup-*` folder a dead build left is removed. So however a build
ends, the next one starts from complete outputs, old or new. Between a kill in step 3 and the next build the
outputs are mixed, and the journal says so: `tstalks validate` and `tstalks build --check` refuse the package
until `tstalks build` has finished the swap.

Never deletes what it did not write: a file (or folder) in data/ or docs/figures/ that the build does not write
would go with the old outputs, so the build refuses, naming it, before anything is replaced.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..build.pipeline import Build, build, with_file
from ..core.problems import Failed, Problem
from ..core.project import JOURNAL, LOCK, OUTPUTS, Project
from ..core.sqlite import content_differences, sqlite_path, writer_version
from ..validate import validate_package

try:
    import fcntl
except ImportError:  # Windows: msvcrt's byte-range lock, which also goes with its holder
    fcntl = None  # type: ignore[assignment]
    import msvcrt

STAGE, BACKUP = ".tstalks-stage-", ".tstalks-backup-"
Plan = dict[str, Any]  # the journal: {"stage": folder, "backup": folder, "outputs": [path, ...]}
# The root descriptor, which readers open first, is replaced last.
SWAP_ORDER = tuple(sorted(OUTPUTS, key=lambda rel: rel == OUTPUTS[0]))


@contextmanager
def locked(root: Path, shared: bool = False) -> Iterator[None]:
    """Hold the project's build lock (shared: for readers such as --check); raises Failed naming the lock when
    a build holds it. A reader in a folder it cannot write goes on without the lock."""
    path = root / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if shared:
            yield
            return
        raise Failed([Problem(LOCK, None, "", f"the build lock {path} cannot be created ({exc.strerror})",
                              "make the project folder writable")]) from None
    try:
        try:
            _lock(fd, shared)
        except OSError:
            raise Failed([Problem(LOCK, None, "", f"another build is running in this project: it holds the lock {path}",
                                  "wait for it to finish, then run the command again")]) from None
        yield
    finally:
        os.close(fd)  # lets go of the lock


def _lock(fd: int, shared: bool) -> None:
    if fcntl is not None:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)


def stage(root: Path, files: dict[str, bytes]) -> Path:
    """Write every output under a fresh staging folder inside `root` (same filesystem, so swaps are renames),
    each file flushed to disk (so that a journal written after it never points at lost bytes)."""
    staging = Path(tempfile.mkdtemp(prefix=STAGE, dir=root))
    for rel, raw in files.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
    return staging


def foreign(root: Path, files: dict[str, bytes], outputs: tuple[str, ...] = OUTPUTS) -> list[Problem]:
    """Everything in the output folders that the build does not write (and the swap would therefore delete)."""
    written = set(files)
    folders = {parent.as_posix() for rel in written for parent in Path(rel).parents}
    found = []
    for rel in outputs:
        top = root / rel
        if rel in written or top.is_symlink() or not top.is_dir():
            continue
        for folder, dirs, names in os.walk(top):
            for name in sorted(dirs + names):
                path = Path(folder) / name
                item = path.relative_to(root).as_posix()
                ours = item in written or (item in folders and path.is_dir() and not path.is_symlink())
                if not ours:
                    found.append(Problem(item, None, "", f"was not written by `tstalks build`, which replaces {rel}/ whole "
                                         "and would delete it", f"move it out of {rel}/ (only what the build writes "
                                         "belongs there), then build again"))
            dirs[:] = [d for d in dirs if (Path(folder) / d).relative_to(root).as_posix() in folders]
    return found


def swap_in(root: Path, staging: Path, outputs: tuple[str, ...] = OUTPUTS) -> None:
    """Replace each of `outputs` in `root` by the staged one, journaled so that a killed swap is completed by the
    next build (`recover`)."""
    backup = Path(tempfile.mkdtemp(prefix=BACKUP, dir=root))
    plan: Plan = {"stage": staging.name, "backup": backup.name, "outputs": [rel for rel in SWAP_ORDER if rel in outputs]}
    _write_journal(root, plan)  # the commit point
    _roll_forward(root, plan)
    _finish(root, plan)


def _write_journal(root: Path, plan: Plan) -> None:
    temporary = root / f"{JOURNAL}.tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(plan, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, root / JOURNAL)
    _sync(root)


def _roll_forward(root: Path, plan: Plan) -> None:
    """Do what is left of the swap: for each output still staged, move the current one out and the staged one in."""
    staging, backup = root / plan["stage"], root / plan["backup"]
    for rel in plan["outputs"]:
        staged, current, kept = staging / rel, root / rel, backup / rel
        if not os.path.lexists(staged):  # moved in already
            continue
        if os.path.lexists(current):
            if os.path.lexists(kept):
                raise Failed([Problem(JOURNAL, None, rel, "both the output and its backup are there: something other "
                                      "than tstalks changed the outputs during an interrupted build",
                                      f"compare {rel} with {plan['backup']}/{rel}, keep one, then build again")])
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.rename(current, kept)
        current.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, current)


def _finish(root: Path, plan: Plan) -> None:
    (root / JOURNAL).unlink()
    _sync(root)
    for folder in (plan["backup"], plan["stage"]):
        shutil.rmtree(root / folder, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush a folder's entries (the renames in it) to disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def recover(root: Path) -> list[str]:
    """Complete the swap of a build that was killed during it, and remove what dead builds left (to be called
    under the lock, which proves no live build owns those files). Returns what was done, in words."""
    done = []
    journal = root / JOURNAL
    if journal.exists():
        try:
            plan = json.loads(journal.read_text("utf-8"))
            if not isinstance(plan, dict) or not {"stage", "backup", "outputs"} <= plan.keys():
                raise ValueError("not a journal")
        except (OSError, ValueError):
            raise Failed([Problem(JOURNAL, None, "", "the journal of an interrupted build cannot be read",
                                  f"check the outputs with `git status`, restore them if needed, delete {JOURNAL}, "
                                  "then build again")]) from None
        _roll_forward(root, plan)
        _finish(root, plan)
        done.append(f"finished replacing the outputs, which a stopped build had begun ({JOURNAL})")
    for leftover in sorted([*root.glob(f"{STAGE}*"), *root.glob(f"{BACKUP}*"), root / f"{JOURNAL}.tmp"]):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        elif os.path.lexists(leftover):
            leftover.unlink()
        else:
            continue
        done.append(f"removed {leftover.name}, left by a stopped build")
    return done


def write(root: Path, files: dict[str, bytes], validate: Callable[[Path], list[str]],
          outputs: tuple[str, ...] = OUTPUTS) -> list[str]:
    """Stage, validate the staged package, and swap it in only if valid. Returns the validation failures.
    Raises Failed, replacing nothing, when the output folders hold files the build does not write."""
    staging = stage(root, files)
    try:
        failures = validate(staging)
        if failures:
            return failures
        found = foreign(root, files, outputs)
        if found:
            raise Failed(found)
        swap_in(root, staging, outputs)
        return []
    finally:
        # Stopped during the swap (Ctrl-C), the staged outputs not yet moved in are what the journal rolls
        # forward: they stay for the next build. Otherwise nothing of the staging folder is needed.
        if not (root / JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)


def differences(root: Path, files: dict[str, bytes], outputs: tuple[str, ...] = OUTPUTS) -> list[str]:
    """Output paths whose committed bytes differ from `files`, plus stale files no build writes (within `outputs`)."""
    if (root / JOURNAL).exists():
        return [f"all of them: a build was stopped while it replaced them ({JOURNAL}); run `tstalks build` to finish"]
    changed = [rel for rel, raw in sorted(files.items())
               if not (root / rel).is_file() or (root / rel).read_bytes() != raw]
    for rel in outputs:
        path = root / rel
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                name = f.relative_to(root).as_posix()
                if name not in files:
                    changed.append(f"{name} (no build writes it)")
    return changed


def adopt_sqlite(root: Path, result: Build) -> Build:
    """The build, keeping the committed SQLite file where another SQLite version wrote it and it holds what the
    build's own file holds (its bytes differ only in layout; see build/sqlite.py), with a note saying so; or
    noting that the content differs too. A file of this machine's version is compared by its bytes alone."""
    rel = sqlite_path(result.schemas.package)
    committed = root / rel
    if rel not in result.files or not committed.is_file() or committed.is_symlink():
        return result
    raw, ours = committed.read_bytes(), result.files[rel]
    theirs, mine = writer_version(raw), writer_version(ours)
    if raw == ours or raw[:16] != ours[:16] or theirs == mine:  # equal, not SQLite, or the same library
        return result
    with tempfile.TemporaryDirectory(prefix="tstalks-sqlite-") as folder:
        fresh = Path(folder) / "built.sqlite"
        fresh.write_bytes(ours)
        try:
            differ = content_differences(committed, fresh)
        except sqlite3.Error as exc:
            differ = [f"the committed file cannot be read ({exc})"]
    said = f"{rel}: the committed file was written by SQLite {theirs}, this machine has {mine}: compared by content"
    if differ:
        return Build(result.schemas, result.tables, result.files, result.skipped,
                     (*result.notes, f"{said}, which differs ({differ[0]})"))
    return with_file(result, rel, raw, f"{said}, the same; the committed file is kept")


@dataclass(frozen=True)
class Published:
    rows: dict[str, int]  # rows per table
    files: int  # files written
    skipped: dict[str, str]  # outputs this environment could not build, and why
    failures: list[str]  # why the staged package did not validate (nothing was replaced)
    recovered: list[str] = field(default_factory=list)  # what was left of stopped builds, and was put right
    notes: tuple[str, ...] = ()  # what the build adopted from the checkout, and why


def publish(project: Project, progress: Callable[[str], None] | None = None) -> Published:
    """Build the project, validate what it wrote in a staging folder, and swap it in only when valid, holding the
    project's build lock throughout and first completing whatever a stopped build left undone.
    Raises Failed (nothing written) when the inputs have problems or another build is running."""
    with locked(project.root):
        recovered = recover(project.root)
        result = adopt_sqlite(project.root, build(project, progress=progress))
        notes = result.notes
        rows = {name: table.num_rows for name, table in result.tables.items()}
        files, outputs, skipped = result.files, result.outputs, result.skipped
        del result  # the tables' columns are not needed to validate what was written; free them first
        found = foreign(project.root, files, outputs)  # before the validation, which takes a while at scale
        if found:
            raise Failed(found)
        failures = write(project.root, files, lambda folder: validate_package(folder, progress=progress).failures(), outputs)
        return Published(rows, len(files), skipped, failures, recovered, notes)


def check(project: Project, progress: Callable[[str], None] | None = None) -> tuple[Build, list[str]]:
    """A fresh build, and the committed outputs that differ from it (written nothing). A committed SQLite file
    of another SQLite version is compared by content (`adopt_sqlite`); the build's notes say so."""
    with locked(project.root, shared=True):
        result = adopt_sqlite(project.root, build(project, progress=progress))
        return result, differences(project.root, result.files, result.outputs)
