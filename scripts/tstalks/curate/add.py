"""`tstalks add`: take in a new raw article and write the draft of its coding.

The raw text is copied byte for byte under a content-addressed name
(NNN_<first 16 hex digits of its SHA-256>.txt, NNN the next free number); the
draft coding goes to seeds/codings/articles/aNNN.yaml. Nothing is written
unless both can be, and the draft is checked against the coding schema first.
"""
from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..build import codings as load
from ..build import resolve
from ..build.drafts import draft_problems
from ..core.problems import Failed, Problem
from ..core.project import Project
from ..core.schemas import ARTICLE, load_schemas
from ..core.seeds import SEED_NAME, seed_name, sha256
from ..core.yamlfile import parse_yaml
from . import assistant


@dataclass(frozen=True)
class Added:
    seed: Path
    coding: Path
    draft: assistant.Draft
    marks: int  # draft items left for the curator


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


def add(project: Project, source: Path, url: str | None = None, outlet: str | None = None,
        published: str | None = None) -> Added:
    """Copy `source` into seeds/articles/ and write its draft coding; raise Failed with what stops it."""
    raw, text = read_article(source, str(source))
    problems = _check_options(url, published)
    digest = sha256(raw)
    numbers = []
    for existing in sorted(project.articles.glob("*.txt")):
        if sha256(existing.read_bytes()) == digest:
            problems.append(Problem(str(source), None, "", f"this text is already seed {existing.name} (same SHA-256)",
                                    "nothing to add; its coding is in seeds/codings/articles/"))
        m = SEED_NAME.match(existing.name) or re.match(r"^(?P<number>\d+)_", existing.name)
        if m:
            numbers.append(int(m.group("number")))
    if problems:
        raise Failed(problems)
    number = max(numbers, default=-1) + 1
    seed_file = seed_name(number, digest)
    article_id = f"a{number:03d}"
    coding_path = project.codings / "articles" / f"{article_id}.yaml"
    if coding_path.exists():
        raise Failed([Problem(project.relative(coding_path), None, "", "a coding with this article id already exists",
                              "move it aside or remove it, then add the article again")])
    schemas = load_schemas(project.schemas)
    codings = load.load_codings(project, schemas)
    resolution = resolve.resolve(codings, allow_drafts=True)
    pending = {c.data["article"] for c in codings.articles if "draft" in _keys(c.data)}
    known = assistant.known_from(resolution, codings, leave_out=pending)
    draft = assistant.draft(text, known, article_id, seed_file, digest, url=url, outlet=outlet, published=published)
    rendered = assistant.render(draft)
    rel = project.relative(coding_path)
    data, _, found = parse_yaml(rendered.encode("utf-8"), rel)
    if not found:
        found = load.schema_problems(load.CodingFile(rel, data, {}), schemas.codings[ARTICLE])
    if found:  # a drafting bug, not the curator's: say so rather than write a file the build cannot read
        raise Failed([Problem(p.file, p.line, p.where, f"the drafted coding does not fit the schema: {p.message}",
                              "report this as a bug of `tstalks add`") for p in found])
    seed_path = project.articles / seed_file
    seed_path.write_bytes(raw)
    coding_path.parent.mkdir(parents=True, exist_ok=True)
    coding_path.write_text(rendered, encoding="utf-8")
    return Added(seed_path, coding_path, draft, len(draft_problems(rel, data, lambda *path: None)))


def _keys(data: object) -> set[str]:
    return set(data) if isinstance(data, dict) else set()


def _check_options(url: str | None, published: str | None) -> list[Problem]:
    problems = []
    if url is not None and not re.match(r"^https?://\S+$", url):
        problems.append(Problem("--url", None, "", f"'{url}' is not an http(s) URL", "give the article's full URL"))
    if published is not None:
        try:
            value = dt.date.fromisoformat(published) if len(published) == 10 else None
        except ValueError:
            value = None
        if value is None:
            problems.append(Problem("--published", None, "", f"'{published}' is not a date written YYYY-MM-DD",
                                    "give the publication date as YYYY-MM-DD"))
    return problems
