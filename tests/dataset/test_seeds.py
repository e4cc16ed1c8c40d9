"""Raw is frozen: seeds are kept byte for byte, and every coding pins the hash of the text it annotates."""
from __future__ import annotations

import hashlib

from support import ROOT
from tstalks.build import load_codings
from tstalks.core import Project, load_schemas


def test_every_coding_pins_the_sha256_of_an_existing_seed():
    project = Project(ROOT)
    codings = load_codings(project, load_schemas(project.schemas))
    for coding in codings.articles:
        seed = ROOT / "seeds/articles" / coding.data["seed"]["file"]
        assert hashlib.sha256(seed.read_bytes()).hexdigest() == coding.data["seed"]["sha256"], coding.path


def test_every_seed_is_coded_exactly_once():
    project = Project(ROOT)
    codings = load_codings(project, load_schemas(project.schemas))
    coded = sorted(c.data["seed"]["file"] for c in codings.articles)
    assert coded == sorted(p.name for p in (ROOT / "seeds/articles").glob("*.txt"))


def test_seeds_are_exempt_from_line_ending_conversion():
    attributes = (ROOT / ".gitattributes").read_text("utf-8").splitlines()
    assert "seeds/articles/** -text" in attributes
    assert "* text=auto eol=lf" in attributes
