"""The README is part of the package: its set-up commands are what CI runs, and it names every table."""
from __future__ import annotations

import json
import re

from support import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def first_commands():
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_two_commands_one_to_build_one_to_test():
    build, test = first_commands()
    assert "pip install" in build and "tstalks build" in build
    assert "pytest" in test


def test_ci_runs_the_readme_commands_verbatim():
    ci = (ROOT / ".ci/run").read_text("utf-8").splitlines()
    build, test = first_commands()
    assert build in ci
    assert any(line.endswith(test) for line in ci)


def test_the_readme_table_of_tables_names_every_published_table():
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", README, re.M))
    published = set(json.loads((ROOT / "schemas/package.json").read_text("utf-8"))["resources"])
    assert listed == published
