"""Load stage: the curated codings and seed texts, as plain data, each checked against its coding schema.

Read one file (or one registry entry) at a time, so the build streams a large corpus; `load_codings` holds them
all, for the curation commands."""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from ..core.problems import SHOWN, Failed, Problem, shown
from ..core.project import Project
from ..core.schemas import ARTICLE, Schemas
from ..core.seeds import sha256
from ..core.yamlfile import Path as DataPath
from ..core.yamlfile import YamlError, line_of, parse_yaml, stream_yaml


@dataclass(frozen=True)
class CodingFile:
    path: str  # relative to the project root
    data: Any
    lines: dict[DataPath, int] = field(repr=False)

    def line(self, *path: str | int) -> int | None:
        return line_of(self.lines, tuple(path))


CAPTURE_SUFFIX = ".capture.yaml"  # a seed's capture record lies beside it: NNN_<hash>.capture.yaml


def capture_file(seed_file: str) -> str:
    return seed_file.removesuffix(".txt") + CAPTURE_SUFFIX


class Seed:
    """A seed article: its file name, SHA-256, and its text, decoded without newline translation (so offsets are
    into the file as stored), with its capture record when it has one. The text is held, or, for a large corpus, a
    function that reads it again when asked."""

    __slots__ = ("_text", "capture", "file", "sha256")

    def __init__(self, file: str, text: str | Callable[[], str], sha256: str, capture: CodingFile | None = None):
        self.file, self._text, self.sha256, self.capture = file, text, sha256, capture

    @property
    def text(self) -> str:
        return self._text() if callable(self._text) else self._text

    def __repr__(self) -> str:
        return f"Seed({self.file!r}, sha256={self.sha256[:12]}...)"


Entry = tuple[int, dict[str, Any], CodingFile]  # (index in its registry list, the entry, where its lines are)


@dataclass(frozen=True)
class Codings:
    """Every curated file and seed, held in memory (for the curation commands; the build streams them)."""

    schemas: Schemas  # what the codings were checked against
    registries: dict[str, CodingFile]  # participants, events, statements, discrepancies
    articles: list[CodingFile]  # one per article, sorted by path
    seeds: dict[str, Seed]  # by file name

    def entries(self, kind: str) -> Iterator[Entry]:
        reg = self.registries.get(kind)
        if reg is None:
            return
        for i, entry in enumerate(reg.data[kind]):
            yield i, entry, reg


def load_codings(project: Project, schemas: Schemas) -> Codings:
    """Read and schema-check every curated file and every seed; raise Failed with all problems found."""
    problems: list[Problem] = []
    registries = {}
    for kind in schemas.registries:
        entries = list(read_entries(project, schemas, kind, problems))
        lines: dict[DataPath, int] = {}
        for _, _, coding in entries:
            lines.update(coding.lines)
        registries[kind] = CodingFile(project.relative(project.codings / f"{kind}.yaml"), {kind: [e for _, e, _ in entries]}, lines)
    articles = list(read_articles(project, schemas, problems))
    read_seed = SeedReader(project, problems, keep=True, capture_schema=schemas.codings.get("capture"))
    seeds = {path.name: seed for path in sorted(project.articles.glob("*.txt")) if (seed := read_seed(path.name))}
    if problems:
        raise Failed(problems)
    return Codings(schemas, registries, articles, seeds)


def read_articles(project: Project, schemas: Schemas, problems: list[Problem],
                  refused: set[str] | None = None) -> Iterator[CodingFile]:
    """Each article coding, parsed and schema-checked, one at a time in path order; problems go to `problems`.
    The ids of the articles whose coding is refused (its `article`, else its file's stem) go to `refused`, so that
    what refers to them is not reported again."""
    for path in sorted((project.codings / "articles").glob("*")):
        if path.suffix not in (".yaml", ".yml"):
            problems.append(Problem(project.relative(path), None, "", "not a .yaml coding file",
                                    "move it out of seeds/codings/articles/ or rename it to .yaml"))
            continue
        coding = _read(project, path, schemas.codings[ARTICLE], problems, refused)
        if coding:
            yield coding


def unreadable(project: Project, path: Path) -> Problem | None:
    """Why a curated input may not be read: a link to a file outside the project (never followed, so nothing of
    it is printed), or not a regular file (a FIFO would never end)."""
    rel = project.relative(path)
    if path.is_symlink() and not path.resolve().is_relative_to(project.root.resolve()):
        return Problem(rel, None, "", "is a symbolic link to a file outside the project; it is not read",
                       "put the file itself in the project (inputs are files of the checkout)")
    if not path.is_file():
        return Problem(rel, None, "", "is not a regular file; it is not read", "replace it with the file itself")
    return None


def read_entries(project: Project, schemas: Schemas, kind: str, problems: list[Problem]) -> Iterator[Entry]:
    """Each entry of a registry, parsed and schema-checked, one at a time; problems go to `problems`."""
    path = project.codings / f"{kind}.yaml"
    rel = project.relative(path)
    if not os.path.lexists(path):
        problems.append(Problem(rel, None, "", "missing registry file",
                                f"create it with a top-level '{kind}:' list (see schemas/codings/{kind}.schema.json)"))
        return
    refused = unreadable(project, path)
    if refused:
        problems.append(refused)
        return
    try:
        for where, value, lines in stream_yaml(path.read_bytes(), rel, kind):
            coding = CodingFile(rel, value, lines)
            if not where:  # the rest of the file, its list emptied: the top-level keys
                problems.extend(schema_problems(coding, schemas.codings[kind]))
                continue
            found = schema_problems(coding, schemas.entries[kind], where)
            problems.extend(found)
            if not found:
                yield int(where[1]), value, coding
    except YamlError as exc:
        problems.append(Problem(rel, exc.line, "", exc.message, exc.fix))


class SeedReader:
    """Seeds by file name, each read, hashed and decoded once; problems go to `problems`.

    With `keep`, each Seed holds its text; otherwise it reads the file again when asked (a few recent texts are
    cached), so a corpus of a hundred thousand seeds does not sit in memory."""

    def __init__(self, project: Project, problems: list[Problem], keep: bool = False, cached: int = 256,
                 reported: set[str] | None = None, capture_schema: dict[str, Any] | None = None):
        """`reported` gets the names of the seeds refused here, whose codings then need not say so again;
        `capture_schema` checks each seed's capture record."""
        self.project, self.problems, self.keep = project, problems, keep
        self.capture_schema = capture_schema
        self.reported = reported if reported is not None else set()
        self.read: dict[str, Seed | None] = {}
        self._text = functools.lru_cache(maxsize=cached)(self._decoded)

    def __call__(self, file: str) -> Seed | None:
        if file not in self.read:
            path = self.project.articles / file
            usable = path.parent == self.project.articles and path.is_file() and not self._refused(path)
            raw = path.read_bytes() if usable else None
            text = self._decode(raw, path) if raw is not None else None
            self.read[file] = None if text is None or raw is None else Seed(
                file, text if self.keep else functools.partial(self._text, file), sha256(raw), self._capture(file, raw))
        return self.read[file]

    def _capture(self, file: str, raw: bytes) -> CodingFile | None:
        """The seed's capture record, schema-checked, pinned to the seed's bytes."""
        path = self.project.articles / capture_file(file)
        if self.capture_schema is None or not path.is_file():
            return None
        return _read(self.project, path, self.capture_schema, self.problems)

    def _refused(self, path: Path) -> bool:
        problem = unreadable(self.project, path) if path.is_symlink() else None
        if problem:
            self.problems.append(problem)
            self.reported.add(path.name)
        return problem is not None

    def check_unread(self, every_coding_read: bool = True) -> None:
        """Seeds no coding names: report any that is not UTF-8, and, once every coding was read (else the seed of
        a refused coding would be reported again), every one of them, as each seed must be coded."""
        for path in sorted(self.project.articles.iterdir()):
            if path.name in self.read or path.name == "README.md":
                continue
            if path.name.endswith(CAPTURE_SUFFIX) and path.name.removesuffix(CAPTURE_SUFFIX) + ".txt" in self.read:
                continue
            refused = unreadable(self.project, path)
            if refused:
                self.problems.append(refused)
                continue
            if path.suffix == ".txt":
                self._decode(path.read_bytes(), path)
            if every_coding_read:
                self.problems.append(Problem(self.project.relative(path), None, "", "no coding names this seed "
                                             "(seed.file): every file in seeds/articles/ is a coded article",
                                             "write its coding in seeds/codings/articles/ (`tstalks add` drafts one "
                                             "with a copy of it), or remove the file"))

    def _decode(self, raw: bytes, path: Path) -> str | None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(self.project.relative(path), raw[: exc.start].count(b"\n") + 1, "",
                                         "seed is not UTF-8", "restore the file as received; seeds are never edited"))
            return None

    def _decoded(self, file: str) -> str:
        return (self.project.articles / file).read_bytes().decode("utf-8")


def _read(project: Project, path: Path, schema: dict[str, Any], problems: list[Problem],
          refused: set[str] | None = None) -> CodingFile | None:
    rel = project.relative(path)
    found = [p for p in [unreadable(project, path)] if p]
    data: Any = None
    lines: dict[DataPath, int] = {}
    if not found:
        data, lines, found = parse_yaml(path.read_bytes(), rel)
    if not found:
        found = schema_problems(CodingFile(rel, data, lines), schema)
    if found:
        problems.extend(found)
        if refused is not None:
            refused.add(data["article"] if isinstance(data, dict) and isinstance(data.get("article"), str) else path.stem)
        return None
    return CodingFile(rel, data, lines)


# JSON Schema counts 2.0 as an integer; a curated `occurrence: 2.0` or `cow_code: 365.0` would then pass the schema
# and fail later (a float list index, a CSV cell "365.0"). An integer here is an int, never a float or a bool.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)))


_COMPILED: dict[int, tuple[dict[str, Any], jsonschema.protocols.Validator, Callable[[Any], Any]]] = {}


def _compiled(schema: dict[str, Any]) -> tuple[jsonschema.protocols.Validator, Callable[[Any], Any]]:
    """The jsonschema validator and the fastjsonschema check of a schema, built once per schema object:
    building them per file dominated the load of large corpora."""
    cached = _COMPILED.get(id(schema))
    if cached is None or cached[0] is not schema:
        strict = _Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        fast = fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"})
        cached = _COMPILED[id(schema)] = (schema, strict, fast)
    return cached[1], cached[2]


def fast_valid(schema: dict[str, Any], data: Any) -> bool:
    """True only when `data` is valid, checked by code fastjsonschema generates from the schema (many times
    faster than jsonschema on large corpora). The coding schemas use only keywords whose meaning is the same in
    draft 7, which fastjsonschema implements, and in 2020-12; a test holds the two validators to the same verdict.
    False means: ask jsonschema, which also says what is wrong."""
    try:
        _compiled(schema)[1](data)
        return True
    except Exception:
        return False


def _has_float(data: Any) -> bool:
    if isinstance(data, float):
        return True
    if isinstance(data, dict):
        return any(_has_float(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_float(v) for v in data)
    return False


def schema_problems(coding: CodingFile, schema: dict[str, Any], at: DataPath = ()) -> list[Problem]:
    """Problems of `coding.data` against `schema`; `at` is where the data sits in its file (a registry entry)."""
    # fastjsonschema counts 365.0 as an integer; no coding field is a float, so a float goes to the strict check.
    if not _has_float(coding.data) and fast_valid(schema, coding.data):
        return []
    validator = _compiled(schema)[0]
    found = []
    for error in sorted(validator.iter_errors(coding.data), key=lambda e: list(map(str, e.absolute_path))):
        path = at + tuple(error.absolute_path)
        where = "/".join(shown(p) for p in path) or "(top level)"
        found.append(Problem(coding.path, coding.line(*path, *_unexpected(error)[:1]), where, _schema_message(error),
                             _schema_fix(error)))
    return found


def _unexpected(error: jsonschema.ValidationError) -> list[str]:
    """The keys an additionalProperties error is about (so that it points at the line of the first)."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    return [k for k in error.instance if k not in error.schema.get("properties", {})]


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return ("matches none of the allowed forms: give either 'expression' and 'article', "
                "or 'value' and 'note', or 'from_event: true'")
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return f"{shown(error.instance, quote=True)} is longer than the {error.validator_value:,} characters allowed"
    # jsonschema quotes the value at fault whole: cut each long quoted text (first SHOWN characters, and its length).
    return _LONG_QUOTE.sub(lambda m: f"{m.group(0)[:SHOWN + 1]}…' ({len(m.group(0)) - 2:,} characters)", error.message)


_LONG_QUOTE = re.compile(rf"'(?:[^'\\]|\\.){{{SHOWN + 1},}}'")


def _schema_fix(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        return "use one of the codes listed (see schemas/codelists/), or add a code to the codelist with a definition"
    if error.validator == "additionalProperties":
        return "remove or rename the key; the allowed keys are in the coding schema"
    if error.validator == "required":
        return "add the missing key"
    if error.validator == "pattern":
        return f"write a value matching {error.validator_value}"
    if error.validator == "maxLength":
        return f"shorten it to at most {error.validator_value:,} characters (see the coding schema)"
    return "see the coding schema in schemas/codings/"
