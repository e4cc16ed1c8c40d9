"""The build replaces its outputs atomically: killed at any rename of the swap, it leaves them old, or the next
build makes them new; two builds at once never mix; a file the build did not write is never deleted."""
from __future__ import annotations

import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import ROOT, copy_project, run, snapshot
from tstalks import build as pipeline
from tstalks.core import Project
from tstalks.core.project import JOURNAL, LOCK
from tstalks.publish import stage

OUTPUTS = ("datapackage.json", "data", "docs/codebook.md", "docs/figures")
LEFT_BY_A_BUILD = (".tstalks-stage-", ".tstalks-backup-", JOURNAL)

# A child process that builds `root` (its build taken from a pickle, so that only the publishing is timed) and
# stops at the Nth call of os.rename or os.replace: with os._exit (a kill: nothing more runs) or SystemExit
# (an interruption, such as Ctrl-C: `finally` blocks run).
CHILD = """
import os, pickle, sys
root, n, how, built = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
from tstalks.publish import stage
stage.build = lambda project, progress=None: pickle.load(open(built, "rb"))
calls = [0]
def stopping(real):
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            if how == "kill":
                os._exit(9)
            raise SystemExit(9)
        return real(*args, **kwargs)
    return call
os.rename, os.replace = stopping(os.rename), stopping(os.replace)
from tstalks.core import Project
result = stage.publish(Project(__import__("pathlib").Path(root)))
print("calls", calls[0], "failures", len(result.failures))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """This checkout's build, pickled (the same for every copy of the inputs)."""
    path = tmp_path_factory.mktemp("built") / "build.pickle"
    path.write_bytes(pickle.dumps(pipeline.build(Project(copy_project(tmp_path_factory.mktemp("inputs") / "p")))))
    return path


def stale(root: Path) -> dict[str, bytes]:
    """Make every output differ from what the build writes (so old and new can be told apart); the old ones."""
    for rel in ("datapackage.json", "data/csv/quotes.csv", "data/parquet/datapackage.json", "docs/codebook.md",
                "docs/figures/timeline.svg"):
        (root / rel).write_bytes((root / rel).read_bytes() + b"\n")
    return snapshot(root, OUTPUTS)


def child(root: Path, n: int, how: str, built: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(root), str(n), how, str(built)], capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"})


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(LEFT_BY_A_BUILD))


def renames_of_a_swap(root: Path, built: Path) -> int:
    done = child(root, 0, "kill", built)  # never stops
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[1])


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_a_build_stopped_at_any_rename_of_its_swap_leaves_old_outputs_or_new_ones_the_next_build_finishes(
        tmp_path, built, how):
    new = snapshot(ROOT, OUTPUTS)  # what the build writes (test_committed_outputs_match_a_fresh_build)
    calls = renames_of_a_swap(copy_project(tmp_path / "count"), built)
    assert calls >= 1 + 2 * len(OUTPUTS)  # the journal, then out and in for each output
    committed = set()
    for n in range(1, calls + 1):
        root = copy_project(tmp_path / f"{how}-{n}")
        old = stale(root)
        stopped = child(root, n, how, built)
        assert stopped.returncode == 9, stopped.stderr
        assert "Traceback" not in stopped.stdout
        committed.add((root / JOURNAL).exists())
        if not (root / JOURNAL).exists():  # stopped before the commit point: nothing was replaced
            assert snapshot(root, OUTPUTS) == old, n
        else:  # past it: validate refuses the mixed outputs until a build finishes the swap
            said = run("validate", str(root))
            assert said.exit_code == 1 and "a build was stopped while it replaced the outputs" in said.output
        result = run("build", "--root", str(root))
        assert result.exit_code == 0, result.output
        assert snapshot(root, OUTPUTS) == new, n
        assert leftovers(root) == [], n
    assert committed == {False, True}  # stopped both before the journal and after it


def test_a_swap_stopped_again_while_it_is_being_finished_is_finished_by_the_next_build(tmp_path, built):
    root = copy_project(tmp_path / "p")
    stale(root)
    assert child(root, 4, "kill", built).returncode == 9  # the journal, then a few renames
    assert (root / JOURNAL).exists()
    finishing = subprocess.run([sys.executable, "-c", "import os, sys\n"
                                "from pathlib import Path\n"
                                "real = os.rename\n"
                                "os.rename = lambda *a: os._exit(9)\n"  # killed at its first rename
                                "from tstalks.publish import stage\n"
                                "from tstalks.core import Project\n"
                                "with stage.locked(Path(sys.argv[1])):\n"
                                "    stage.recover(Path(sys.argv[1]))\n", str(root)],
                               env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert finishing.returncode == 9 and (root / JOURNAL).exists()
    with stage.locked(root):
        done = stage.recover(root)
    assert done[0] == f"finished replacing the outputs, which a stopped build had begun ({JOURNAL})"
    assert snapshot(root, OUTPUTS) == snapshot(ROOT, OUTPUTS)
    assert leftovers(root) == []


def test_what_a_dead_build_left_is_removed_by_the_next_and_said(project):
    (project / ".tstalks-stage-dead").mkdir()
    (project / ".tstalks-stage-dead" / "datapackage.json").write_text("{}", "utf-8")
    (project / ".tstalks-backup-dead").mkdir()
    result = run("build", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert "recovered: removed .tstalks-backup-dead, left by a stopped build" in result.output
    assert "recovered: removed .tstalks-stage-dead, left by a stopped build" in result.output
    assert leftovers(project) == []


def test_build_check_refuses_outputs_a_stopped_build_left_mixed(project):
    (project / JOURNAL).write_text('{"stage": ".tstalks-stage-x", "backup": ".tstalks-backup-x", "outputs": []}', "utf-8")
    result = run("build", "--check", "--root", str(project))
    assert result.exit_code == 1
    assert f"all of them: a build was stopped while it replaced them ({JOURNAL}); run `tstalks build` to finish" in result.output


def test_a_second_build_while_one_runs_refuses_naming_the_lock_and_leaves_the_first_alone(tmp_path, built):
    root = copy_project(tmp_path / "p")
    old = stale(root)
    started, go = tmp_path / "started", tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", "import pickle, sys, time\n"
                              "from pathlib import Path\n"
                              "from tstalks.publish import stage\n"
                              "from tstalks.core import Project\n"
                              "stage.build = lambda project, progress=None: pickle.load(open(sys.argv[2], 'rb'))\n"
                              "real = stage.validate_package\n"
                              "def waiting(folder, **kw):\n"  # holds the lock, its outputs staged, until told
                              "    Path(sys.argv[3]).touch()\n"
                              "    while not Path(sys.argv[4]).exists(): time.sleep(0.05)\n"
                              "    return real(folder, **kw)\n"
                              "stage.validate_package = waiting\n"
                              "print(stage.publish(Project(Path(sys.argv[1]))).failures)\n",
                              str(root), str(built), str(started), str(go)],
                             env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not started.exists() and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert started.exists(), first.communicate()
        second = run("build", "--root", str(root))
        assert second.exit_code == 1 and "Traceback" not in second.output
        assert (f"{LOCK}: another build is running in this project: it holds the lock {root / LOCK}\n"
                "    fix: wait for it to finish, then run the command again") in second.output
        assert snapshot(root, OUTPUTS) == old  # the second build wrote nothing
        assert len([p for p in root.iterdir() if p.name.startswith(".tstalks-stage-")]) == 1  # the first's, kept
        go.touch()
        out, err = first.communicate(timeout=120)
    finally:
        go.touch()
        first.wait(timeout=120)
    assert first.returncode == 0 and out.strip() == "[]", err
    assert snapshot(root, OUTPUTS) == snapshot(ROOT, OUTPUTS)
    assert leftovers(root) == []


@pytest.mark.parametrize("rel", ["data/notes.txt", "data/csv/extra.csv", "docs/figures/mine.png", "data/mine"])
def test_a_file_in_the_output_folders_the_build_did_not_write_is_refused_and_kept(project, rel):
    path = project / rel
    if rel == "data/mine":
        path.mkdir()
    else:
        path.write_bytes(b"the user's own")
    before = snapshot(project, OUTPUTS)
    result = run("build", "--root", str(project))
    assert result.exit_code == 1 and "Traceback" not in result.output
    top = rel.split("/")[0] if rel.startswith("data") else "docs/figures"
    assert (f"{rel}: was not written by `tstalks build`, which replaces {top}/ whole and would delete it\n"
            f"    fix: move it out of {top}/ (only what the build writes belongs there), then build again") in result.output
    assert snapshot(project, OUTPUTS) == before and path.exists()
