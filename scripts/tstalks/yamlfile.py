"""Safe YAML for curated files: plain data only, duplicate keys refused, every value's line kept.

PyYAML builds the node tree; we turn nodes into Python values ourselves so that
anchors, aliases and tags (which can build objects or hide repetition) are
refused, duplicate keys are an error rather than a silent overwrite, and
`yes`/`no`/`on`/`off` stay strings (YAML 1.2 behaviour: `country_code: NO`
must not become False). Timestamps stay strings; the schemas check them.
"""
from __future__ import annotations

import sys
from typing import Any

import yaml

from .problems import Problem

Path = tuple[str | int, ...]
_STANDARD = "tag:yaml.org,2002:"
_BOOLS = {"true": True, "false": False}
# libyaml's parser when PyYAML has it (same events and nodes, about ten times faster); the pure-Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(Exception):
    def __init__(self, line: int | None, message: str, fix: str):
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


def parse_yaml(raw: bytes, file: str) -> tuple[Any, dict[Path, int], list[Problem]]:
    """Parse one curated YAML file into (data, line of each path, problems)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, {}, [Problem(file, line, "", f"not UTF-8 (byte {exc.start} is 0x{raw[exc.start]:02x})",
                                  "save the file as UTF-8")]
    if not text.strip():
        return None, {}, [Problem(file, None, "", "the file is empty",
                                  "write the mapping this file holds (see schemas/codings/), or delete the file")]
    try:
        _refuse_anchors_and_tags(text)
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
        if len(nodes) != 1:
            raise YamlError(None, f"holds {len(nodes)} YAML documents", "keep exactly one document (no '---' separators)")
        lines: dict[Path, int] = {}
        return _value(nodes[0], (), lines), lines, []
    except YamlError as exc:
        return None, {}, [Problem(file, exc.line, "", exc.message, exc.fix)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, {}, [Problem(file, line, "", f"not valid YAML: {what}",
                                  "check indentation, colons and quoting on that line")]


def _refuse_anchors_and_tags(text: str) -> None:
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlError(line, "uses a YAML anchor or alias", "write the value out in full; curated files hold plain data")
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = implicit is False or (isinstance(implicit, tuple) and not any(implicit))
        if tag and explicit and tag not in ("!", f"{_STANDARD}str"):
            raise YamlError(line, f"uses the YAML tag {tag}", "remove the tag; curated files hold plain data")


def _value(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_node.start_mark.line + 1, "a mapping key is not a plain value", "use a plain text key")
            key = sys.intern(key_node.value)  # the same few keys recur in every entry: one copy each, not millions
            if key in result:
                raise YamlError(key_node.start_mark.line + 1, f"duplicate key '{key}'",
                                f"keep one '{key}' in this mapping")
            result[key] = _value(value_node, path + (key,), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if node.style or tag == f"{_STANDARD}str":  # quoted scalars are always text
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
