"""The copyable CI workflow runs what it promises, with commands and extras that exist."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from support import ROOT
from tstalks.cli import main

WORKFLOW = ROOT / ".github/workflows/validate.yml"


def run_lines() -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    return [line.strip() for job in workflow["jobs"].values() for step in job["steps"]
            for line in step.get("run", "").splitlines() if line.strip()]


def test_workflow_validates_both_descriptors_with_stock_frictionless():
    lines = run_lines()
    assert "frictionless validate datapackage.json" in lines
    assert "frictionless validate data/parquet/datapackage.json" in lines


def test_workflow_runs_tstalks_validate_the_build_check_and_the_tests():
    lines = run_lines()
    assert "tstalks validate" in lines
    assert "tstalks build --check" in lines
    assert any(re.fullmatch(r"(python -m )?pytest\b.*", line) for line in lines)


def test_every_tstalks_command_in_the_workflow_exists():
    for line in run_lines():
        if line.startswith("tstalks "):
            assert line.split()[1] in main.commands, line


def test_the_extras_the_workflow_installs_exist():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
    for line in run_lines():
        for group in re.findall(r"\.\[([a-z,]+)\]", line):
            for name in group.split(","):
                assert name in extras, f"{line}: no extra [{name}] in pyproject.toml"


def test_the_r_installer_the_workflow_calls_is_an_executable_bash_script():
    assert ".ci/install-r" in run_lines()
    script = ROOT / ".ci/install-r"
    assert os.access(script, os.X_OK)
    assert script.read_text("utf-8").startswith("#!/usr/bin/env bash\n")


def test_the_r_installer_skips_with_a_message_where_apt_get_is_absent(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not found")
    done = subprocess.run([bash, str(ROOT / ".ci/install-r")], env={"PATH": str(tmp_path)}, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "SKIPPED: apt-get is not available" in done.stderr


def test_the_r_installer_refuses_a_vendored_tarball_that_fails_its_hash_before_installing_anything(tmp_path):
    # Lay out what CI has, a repository with shared/ beside it, with a tarball that is not the pinned one,
    # and an apt-get that records being called. Rscript is absent, so the installer has work to do.
    bash, sha256sum = shutil.which("bash"), shutil.which("sha256sum")
    if bash is None or sha256sum is None:
        pytest.skip("bash or sha256sum not found")
    (tmp_path / "repo/.ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci/install-r", tmp_path / "repo/.ci/install-r")
    vendor = tmp_path / "shared/vendor/r-frictionless"
    vendor.mkdir(parents=True)
    (vendor / "frictionless_1.2.1.tar.gz").write_bytes(b"not the pinned tarball\n")
    (vendor / "SHA256SUMS").write_text(f"{'0' * 64}  frictionless_1.2.1.tar.gz\n", "utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sha256sum").symlink_to(sha256sum)
    (bin_dir / "apt-get").write_text(f"#!{bash}\necho called >> {tmp_path / 'apt-get.log'}\n", "utf-8")
    (bin_dir / "apt-get").chmod(0o755)
    done = subprocess.run([bash, str(tmp_path / "repo/.ci/install-r")], env={"PATH": str(bin_dir)},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, done.stderr
    assert f"FAILED: {vendor / 'frictionless_1.2.1.tar.gz'} does not match {vendor / 'SHA256SUMS'}" in done.stderr
    assert not (tmp_path / "apt-get.log").exists(), "apt-get ran before the hash was checked"
