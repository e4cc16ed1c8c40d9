"""Fixtures every group of tests shares, and the hypothesis profiles: "dev" (quick, the default), "ci" (more
examples, derandomized; chosen when CI=true). HYPOTHESIS_PROFILE overrides both."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).parent))  # so tests can `import support` and `import strategies`

from support import ROOT, copy_project

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                                        HealthCheck.function_scoped_fixture]}
# dev skips shrinking: a generated curation takes minutes to shrink; ci shrinks and prints the blob to reproduce it.
settings.register_profile("dev", max_examples=10, phases=[Phase.explicit, Phase.reuse, Phase.generate], **_COMMON)
settings.register_profile("ci", max_examples=30, derandomize=True, print_blob=True, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A throwaway copy of this checkout's inputs and outputs, to build, break or rebuild."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def root() -> Path:
    """This checkout."""
    return ROOT
