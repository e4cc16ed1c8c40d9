"""`tstalks add`: take in a new raw article and write the draft of its coding.

The raw text is copied byte for byte under a content-addressed name (NNN_<first 16 hex digits of its SHA-256>.txt,
NNN the next free number), with its capture record beside it (what the curator knows of the capture: URL, outlet,
publication date, how and how completely it was captured); the draft coding goes to
seeds/codings/articles/aNNN.yaml, and the registry entries the assistant proposes are appended to the registries,
each marked as a draft. Nothing is written unless all of it can be, and every drafted file is checked against its
coding schema first.
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..build import codings as load
from ..build.drafts import draft_problems
from ..core.dates import DateError, parse_value
from ..core.problems import Failed, Problem
from ..core.project import Project
from ..core.schemas import ARTICLE, Schemas, load_schemas
from ..core.seeds import SEED_NAME, seed_name, sha256
from ..core.vocab import CaptureCompleteness
from ..core.yamlfile import parse_yaml
from . import assistant
from .evaluation.bundle import ARTICLE_FILE
from .evaluation.run import FIRST_CONTACT, KNOWN_FILE, known_ids
from .lexicon import load_lexicon


@dataclass(frozen=True)
class Capture:
    """What the curator knows of a page's capture (none of it words of the text)."""

    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD (or YYYY-MM), as known when the page was captured
    captured: str | None = None  # YYYY-MM-DD, when it was captured
    method: str | None = None  # a capture_method code
    completeness: str | None = None  # a capture_completeness code
    completeness_note: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class Added:
    seed: Path
    coding: Path
    capture: Path
    draft: assistant.Draft
    marks: int  # draft items left for the curator
    registries: dict[str, int]  # entries proposed per registry


def read_article(path: Path, shown: str) -> tuple[bytes, str]:
    """The bytes and text of a file that can be a seed: a regular, non-empty UTF-8 text file."""
    try:
        mode = path.lstat().st_mode if path.is_symlink() else path.stat().st_mode
    except OSError as exc:
        raise Failed([Problem(shown, None, "", f"cannot read it ({exc.strerror})", "give the path of a text file")]) from None
    if not stat.S_ISREG(mode) or path.is_symlink():
        raise Failed([Problem(shown, None, "", "not a regular file", "give the path of the article's text file itself")])
    raw = path.read_bytes()
    if not raw.strip():
        raise Failed([Problem(shown, None, "", "the file is empty", "save the article's text into it first")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Failed([Problem(shown, line, "", f"not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x})",
                              "save the article as UTF-8 text (not a PDF, a word-processor file or another encoding)")]) from None
    bad = next((i for i, c in enumerate(text) if c == "\x00" or (ord(c) < 32 and c not in "\n\r\t\f")), None)
    if bad is not None:
        raise Failed([Problem(shown, text.count("\n", 0, bad) + 1, "", f"holds a control character (U+{ord(text[bad]):04X}), "
                              "so it is not plain text", "save the article's text as plain UTF-8 text")])
    return raw, text


def add(project: Project, source: Path, capture: Capture | None = None, keep_first_contact: bool = False) -> Added:
    """Copy `source` into seeds/articles/ with its capture record, write its draft coding and the registry entries
    it proposes; raise Failed with what stops it (and then write nothing). `keep_first_contact`: also keep the draft
    unedited, with the registry ids known now, in benchmarks/first-contact/<article>/ for `tstalks evaluate-assistant`."""
    capture = capture or Capture()
    raw, text = read_article(source, str(source))
    schemas = load_schemas(project.schemas)
    problems: list[Problem] = []
    digest = sha256(raw)
    number = _next_number(project, digest, str(source), problems)
    seed_file = seed_name(number, digest)
    record = render_capture(seed_file, digest, capture)
    problems += _option_problems(record, schemas)
    if problems:
        raise Failed(problems)
    article_id = f"a{number:03d}"
    coding_path = project.codings / "articles" / f"{article_id}.yaml"
    if coding_path.exists():
        raise Failed([Problem(project.relative(coding_path), None, "", "a coding with this article id already exists",
                              "move it aside or remove it, then add the article again")])
    codings = load.load_codings(project, schemas)
    resolution, pending = assistant.confirmed(codings)
    known = assistant.known_from(resolution, codings, leave_out=pending)
    draft = assistant.draft(text, known, load_lexicon(project.schemas), article_id, seed_file, digest, url=capture.url,
                            outlet=capture.outlet, published=capture.published)
    article, registries = assistant.render_bundle(draft)
    files = _files(project, schemas, coding_path, article, registries)
    files[project.articles / load.capture_file(seed_file)] = record.encode("utf-8")
    files[project.articles / seed_file] = raw
    if keep_first_contact:
        files |= _first_contact(project, article_id, article, registries, known)
    _write_all(files)
    rel = project.relative(coding_path)
    data, _, _ = parse_yaml(article.encode("utf-8"), rel)
    counts = {kind: text.count("\n  - id:") for kind, text in registries.items()}
    return Added(project.articles / seed_file, coding_path, project.articles / load.capture_file(seed_file), draft,
                 len(draft_problems(rel, data, lambda *path: None)) + sum(counts.values()), counts)


def _first_contact(project: Project, article_id: str, article: str, registries: dict[str, str],
                   known: assistant.Known) -> dict[Path, bytes]:
    """The draft as written, kept for measuring the assistant on an article its rules have not seen."""
    folder = project.root / FIRST_CONTACT / article_id
    if folder.exists():
        raise Failed([Problem(project.relative(folder), None, "", "a first-contact draft is already kept for this article",
                              "it measures the draft the assistant first wrote; remove the folder only if that draft is gone")])
    files = {folder / ARTICLE_FILE: article.encode("utf-8"), folder / KNOWN_FILE: known_ids(known).encode("utf-8")}
    files |= {folder / f"{kind}.yaml": text.encode("utf-8") for kind, text in registries.items()}
    return files


def _next_number(project: Project, digest: str, shown: str, problems: list[Problem]) -> int:
    numbers = []
    for existing in sorted(project.articles.glob("*.txt")):
        if sha256(existing.read_bytes()) == digest:
            problems.append(Problem(shown, None, "", f"this text is already seed {existing.name} (same SHA-256)",
                                    "nothing to add; its coding is in seeds/codings/articles/"))
        m = SEED_NAME.match(existing.name) or re.match(r"^(?P<number>\d+)_", existing.name)
        if m:
            numbers.append(int(m.group("number")))
    return max(numbers, default=-1) + 1


def _files(project: Project, schemas: Schemas, coding_path: Path, article: str, registries: dict[str, str]) -> dict[Path, bytes]:
    """The article coding and each registry with the proposed entries appended, each checked against its schema:
    a drafting bug is reported as one, rather than written as a file the build cannot read."""
    files = {coding_path: article.encode("utf-8")}
    found = _schema_check(project.relative(coding_path), article.encode("utf-8"), schemas.codings[ARTICLE])
    for kind, entries in registries.items():
        path = project.codings / f"{kind}.yaml"
        current = path.read_bytes() if path.is_file() else f"{kind}:\n".encode()
        joined = current + (b"" if current.endswith(b"\n") else b"\n") + entries.encode("utf-8")
        found += _schema_check(project.relative(path), joined, schemas.codings[kind])
        files[path] = joined
    if found:
        raise Failed([Problem(p.file, p.line, p.where, f"the draft does not fit the schema: {p.message}",
                              "report this as a bug of `tstalks add`") for p in found])
    return files


def _schema_check(rel: str, raw: bytes, schema: dict[str, object]) -> list[Problem]:
    data, lines, found = parse_yaml(raw, rel)
    return found or load.schema_problems(load.CodingFile(rel, data, lines), schema)


def _write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: each to a temporary file beside it first, then all renamed into place; a failure
    before the renames leaves nothing behind, one during them puts the earlier files back."""
    staged: dict[Path, Path] = {}
    try:
        for path, raw in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tstalks-add")
            tmp.write_bytes(raw)
            staged[path] = tmp
    except OSError as exc:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise Failed([Problem(str(exc.filename or ""), None, "", f"cannot be written ({exc.strerror})",
                              "free some space or fix the permissions, then add the article again")]) from None
    before = {path: path.read_bytes() if path.exists() else None for path in staged}
    done: list[Path] = []
    try:
        for path, tmp in staged.items():
            os.replace(tmp, path)
            done.append(path)
    except OSError:
        for path in done:
            old = before[path]
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        raise


def _option_problems(record: str, schemas: Schemas) -> list[Problem]:
    """What is wrong with the options, found by checking the capture record they make against its schema
    (schemas/codings/capture.schema.json), each named by its option; a date must also be a real day."""
    data = yaml.safe_load(record)
    option = {key: "--" + key.replace("_", "-") for key in data}
    found = [Problem(option.get(p.where, p.where), None, "", p.message, p.fix)
             for p in load.schema_problems(load.CodingFile("(options)", data, {}), schemas.codings["capture"])]
    for key in ("published", "captured"):
        if key in data and not any(p.file == option[key] for p in found):
            try:
                parse_value(data[key])
            except DateError as exc:
                found.append(Problem(option[key], None, "", exc.message, exc.fix))
    return found


def render_capture(seed_file: str, digest: str, capture: Capture) -> str:
    """The capture record as YAML: only what the curator supplied (nothing is a placeholder)."""
    lines = [f"# Capture record of seed {seed_file}: what the curator knows of its capture, not words of the text.",
             f"seed: {seed_file}", f"sha256: {digest}"]
    for key, value in (("url", capture.url), ("outlet", capture.outlet), ("published", capture.published),
                       ("captured", capture.captured), ("method", capture.method),
                       ("completeness", capture.completeness or CaptureCompleteness.UNKNOWN),
                       ("completeness_note", capture.completeness_note),
                       ("licence", capture.licence)):
        if value is not None:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
