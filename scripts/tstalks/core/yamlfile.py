"""Safe YAML for curated files: plain data only, duplicate keys refused, every value's line kept.

PyYAML's parser gives the events; we build Python values from them ourselves so that
anchors, aliases and tags (which can build objects or hide repetition) are
refused, duplicate keys are an error rather than a silent overwrite, and
`yes`/`no`/`on`/`off` stay strings (YAML 1.2 behaviour: `country_code: NO`
must not become False). Timestamps stay strings; the schemas check them.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import yaml

from .problems import Problem, Refusal

Path = tuple[str | int, ...]
_STANDARD = "tag:yaml.org,2002:"
_BOOLS = {"true": True, "false": False}
# libyaml's parser when PyYAML has it (same events and nodes, about ten times faster); the pure-Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
MAX_DEPTH = 64  # levels of nesting; the coding schemas use at most seven


class YamlError(Refusal):
    """A curated file that is not plain YAML data, at a line of it."""

    def __init__(self, line: int | None, message: str, fix: str):
        super().__init__(message, fix, line)


def parse_yaml(raw: bytes, file: str) -> tuple[Any, dict[Path, int], list[Problem]]:
    """Parse one curated YAML file into (data, line of each path, problems)."""
    try:
        items = list(stream_yaml(raw, file))
    except YamlError as exc:
        return None, {}, [Problem(file, exc.line, "", exc.message, exc.fix)]
    (_, data, lines), = items
    return data, lines, []


def stream_yaml(raw: bytes, file: str, key: str | None = None) -> Iterator[tuple[Path, Any, dict[Path, int]]]:
    """Values of one curated YAML file as (path, value, line of each path under it), built straight from the
    parser's events, never holding a node tree (which took most of a large registry's memory).

    With `key`, each item of the top-level list `key` is yielded on its own as it is parsed, at path
    (key, i), and then the rest of the document at path (), with that list left empty: a registry of a
    million entries is read one entry at a time. Raises YamlError for anything that is not plain data."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(raw[: exc.start].count(b"\n") + 1, f"not UTF-8 (byte {exc.start} is 0x{raw[exc.start]:02x})",
                        "save the file as UTF-8") from None
    if not text.strip():
        raise YamlError(None, "the file is empty",
                        "write the mapping this file holds (see schemas/codings/), or delete the file")
    try:
        events = _plain(yaml.parse(text, Loader=_LOADER))
        next(events)  # stream start
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents == 1:
                    root = next(events)
                    lines: dict[Path, int] = {}
                    if key is not None and isinstance(root, yaml.MappingStartEvent):
                        yield from _streamed(root, events, key)
                    else:
                        yield (), _value(root, events, (), lines), lines
        if documents != 1:
            raise YamlError(None, f"holds {documents} YAML documents", "keep exactly one document (no '---' separators)")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(line, f"not valid YAML: {what}", "check indentation, colons and quoting on that line") from None


def _plain(events: Iterator[yaml.Event]) -> Iterator[yaml.Event]:
    """The events, refusing anchors, aliases and explicit tags as they come."""
    for event in events:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlError(line, "uses a YAML anchor or alias", "write the value out in full; curated files hold plain data")
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = implicit is False or (isinstance(implicit, tuple) and not any(implicit))
        if tag and explicit and tag not in ("!", f"{_STANDARD}str"):
            raise YamlError(line, f"uses the YAML tag {tag}", "remove the tag; curated files hold plain data")
        yield event


def _key(event: yaml.Event, seen: dict[str, Any]) -> str:
    if not isinstance(event, yaml.ScalarEvent):
        raise YamlError(event.start_mark.line + 1, "a mapping key is not a plain value", "use a plain text key")
    key = sys.intern(event.value)  # the same few keys recur in every entry: one copy each, not millions
    if key in seen:
        raise YamlError(event.start_mark.line + 1, f"duplicate key '{key}'", f"keep one '{key}' in this mapping")
    return key


def _streamed(root: yaml.Event, events: Iterator[yaml.Event], key: str) -> Iterator[tuple[Path, Any, dict[Path, int]]]:
    """The top-level mapping, yielding the items of its list `key` one by one, then the rest."""
    rest: dict[str, Any] = {}
    lines: dict[Path, int] = {(): root.start_mark.line + 1}
    for key_event in events:
        if isinstance(key_event, yaml.MappingEndEvent):
            yield (), rest, lines
            return
        name = _key(key_event, rest)
        value_event = next(events)
        if name != key or not isinstance(value_event, yaml.SequenceStartEvent):
            rest[name] = _value(value_event, events, (name,), lines)
            continue
        rest[name] = []
        lines[(name,)] = value_event.start_mark.line + 1
        for i, item_event in enumerate(events):
            if isinstance(item_event, yaml.SequenceEndEvent):
                break
            item_lines: dict[Path, int] = {}
            yield (name, i), _value(item_event, events, (name, i), item_lines), item_lines


def _value(event: yaml.Event, events: Iterator[yaml.Event], path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = event.start_mark.line + 1
    if len(path) > MAX_DEPTH and isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
        # A value is built by recursion, one level a call: refuse before Python's own limit is reached.
        raise YamlError(event.start_mark.line + 1, f"lists or mappings nested more than {MAX_DEPTH} levels deep",
                        "curated files nest a few levels; check the brackets and indentation from this line")
    if isinstance(event, yaml.MappingStartEvent):
        result: dict[str, Any] = {}
        for key_event in events:
            if isinstance(key_event, yaml.MappingEndEvent):
                return result
            key = _key(key_event, result)
            result[key] = _value(next(events), events, path + (key,), lines)
    if isinstance(event, yaml.SequenceStartEvent):
        items: list[Any] = []
        for item_event in events:
            if isinstance(item_event, yaml.SequenceEndEvent):
                return items
            items.append(_value(item_event, events, path + (len(items),), lines))
    return _scalar(event)


def _scalar(event: yaml.ScalarEvent) -> Any:
    tag, value = event.tag, event.value
    if tag is None or tag == "!":  # untagged: YAML's implicit rules decide, as PyYAML's composer does
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
    if event.style or tag == f"{_STANDARD}str":  # quoted scalars are always text
        return value
    if tag == f"{_STANDARD}null":
        return None
    if tag == f"{_STANDARD}bool":
        return _BOOLS.get(value.lower(), value)
    if tag == f"{_STANDARD}int":
        try:
            return int(value.replace("_", ""), 10)
        except ValueError:  # octal, hex, sexagesimal: not numbers a curator means
            return value
    if tag == f"{_STANDARD}float":
        try:
            return float(value)
        except ValueError:
            return value
    return value  # timestamps and anything else stay text; the schemas check them


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)
