"""The version state a release needs, and the refusals when it does not add up.

A release of version V is made from a checkout in which

1. schemas/package.json says V (and so both descriptors, which the build writes from it);
2. CHANGELOG.md's latest release heading is `## [V] - DATE`, with DATE a real date, and its `[Unreleased]`
   section holds no entries (they were moved under that heading);
3. CITATION.cff says V and DATE, as `version` and `date-released` and in its `preferred-citation`;
4. the ledger (releases/id-ledger.csv) is consistent with the data (`release.ledger_problems`) and, once it
   records any identifier as first published in V (V was released), holds every identifier of the data: an
   identifier that came after V's release needs a new version.

Then `tstalks release` writes the ledger with V's new identifiers; committed with it, the checkout is a released
commit, and `tstalks release` in a fresh clone of it changes no tracked file (the ledger already holds them).
What is left undetectable: values corrected after a release without a changelog entry and without a new
identifier (the ledger records identifiers, not values; the changelog rule asks for every correction).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.problems import Problem

CHANGELOG, CITATION = "CHANGELOG.md", "CITATION.cff"
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\S+)\s*$")
UNRELEASED = re.compile(r"^## \[Unreleased\]\s*$")
PROCEDURE = "see docs/versioning.md, Making a release"


@dataclass(frozen=True)
class Changelog:
    releases: list[tuple[str, str, int]]  # (version, date, line) of each release heading, in file order
    unreleased: list[int]  # lines of the entries under [Unreleased]
    has_unreleased: bool


def read_changelog(text: str) -> Changelog:
    releases: list[tuple[str, str, int]] = []
    unreleased: list[int] = []
    section = None
    for n, line in enumerate(text.splitlines(), start=1):
        if UNRELEASED.match(line):
            section = "unreleased"
        elif match := RELEASE_HEADING.match(line):
            releases.append((match.group(1), match.group(2), n))
            section = "release"
        elif line.startswith("## "):
            section = "other"
        elif section == "unreleased" and line.strip() and not line.startswith("#"):
            unreleased.append(n)  # an entry (or its continuation); sub-headings (### Added) are not entries
    return Changelog(releases, unreleased, any(UNRELEASED.match(line) for line in text.splitlines()))


def changelog_problems(log: Changelog, version: str) -> tuple[list[Problem], str | None]:
    """What is wrong with CHANGELOG.md for a release of `version`, and the date of its heading (if any)."""
    if not log.releases or log.releases[0][0] != version:
        found = f"is [{log.releases[0][0]}]" if log.releases else "is missing"
        return [Problem(CHANGELOG, log.releases[0][2] if log.releases else None, "",
                        f"the latest release heading {found}, but schemas/package.json says {version}",
                        f"move the [Unreleased] entries under a new `## [{version}] - YYYY-MM-DD` heading above the "
                        f"older releases, or set the version in schemas/package.json and CITATION.cff ({PROCEDURE})")], None
    _, date, line = log.releases[0]
    problems = []
    if not _is_date(date):
        problems.append(Problem(CHANGELOG, line, "", f"the release date {date!r} of [{version}] is not a date",
                                "write it as YYYY-MM-DD"))
    if log.unreleased:
        problems.append(Problem(CHANGELOG, log.unreleased[0], "[Unreleased]",
                                f"{len(log.unreleased)} line(s) of entries wait under [Unreleased], but the version "
                                f"is {version}, whose release heading is below them: they are not in {version}",
                                f"if {version} is not released yet, move them under `## [{version}] - {date}`; if it "
                                f"is, bump the version in schemas/package.json and CITATION.cff and move them under a "
                                f"new heading ({PROCEDURE})"))
    if not log.has_unreleased:
        problems.append(Problem(CHANGELOG, None, "", "has no `## [Unreleased]` section",
                                "keep an empty `## [Unreleased]` heading above the releases, for the next changes"))
    return problems, date


def citation_problems(cff: Any, version: str, date: str | None) -> list[Problem]:
    """CITATION.cff's version and date-released, top level and preferred-citation, against the release's."""
    if not isinstance(cff, dict):
        return [Problem(CITATION, None, "", "is not a YAML mapping", "see the Citation File Format 1.2.0")]
    places = [("", cff)]
    if isinstance(cff.get("preferred-citation"), dict):
        places.append(("preferred-citation.", cff["preferred-citation"]))
    problems = []
    for prefix, part in places:
        if str(part.get("version")) != version:
            problems.append(Problem(CITATION, None, f"{prefix}version", f"is {part.get('version')!r}, the package is "
                                    f"{version} (schemas/package.json)", f"set {prefix}version: \"{version}\""))
        if date is not None and str(part.get("date-released")) != date:
            problems.append(Problem(CITATION, None, f"{prefix}date-released",
                                    f"is {str(part.get('date-released'))!r}, CHANGELOG.md dates {version} {date}",
                                    f"set {prefix}date-released: \"{date}\" (or correct the changelog's date)"))
    return problems


def released_ledger_problems(ledger: list[dict[str, str]], current: set[tuple[str, str]], version: str,
                             ledger_file: str) -> list[Problem]:
    """Once the ledger records identifiers as first published in `version`, that version is released: the data
    may hold no identifier the ledger lacks (releasing again would add it to a released version)."""
    if not any(r["first_version"] == version for r in ledger):
        return []
    unknown = sorted(current - {(r["table"], r["id"]) for r in ledger})
    if not unknown:
        return []
    table, id_ = unknown[0]
    return [Problem(ledger_file, None, f"{table} {id_}",
                    f"{version} is released already (the ledger records identifiers first published in it), but the "
                    f"data holds {len(unknown)} identifier(s) the ledger lacks, such as this one",
                    f"bump the version in schemas/package.json and CITATION.cff, move the changes under a new "
                    f"changelog heading, then release ({PROCEDURE})")]


def version_problems(root: Path, version: str, ledger: list[dict[str, str]], current: set[tuple[str, str]],
                     ledger_file: str) -> list[Problem]:
    """Every way the changelog, the citation and the ledger disagree with the package version `version`."""
    problems: list[Problem] = []
    date = None
    if (root / CHANGELOG).is_file():
        found, date = changelog_problems(read_changelog((root / CHANGELOG).read_text("utf-8")), version)
        problems += found
    if (root / CITATION).is_file():
        try:
            cff = yaml.safe_load((root / CITATION).read_text("utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return [*problems, Problem(CITATION, mark.line + 1 if mark else None, "", "is not valid YAML",
                                       "correct it (cffconvert --validate checks it)")]
        problems += citation_problems(cff, version, date)
    return problems + released_ledger_problems(ledger, current, version, ledger_file)


def _is_date(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False
