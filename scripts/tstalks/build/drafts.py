"""The build's refusal of drafts: every `draft` mark `tstalks add` left in an article coding is a Problem.

A draft is a proposal, not evidence. Until a curator has checked each drafted item
against the seed and deleted its mark, the coding may not reach the published tables.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.problems import Problem


def draft_problems(path: str, data: Any, line_of: Callable[..., int | None]) -> list[Problem]:
    """A Problem for every draft mark left in one article coding (`line_of(*path)` gives a line)."""
    found: list[Problem] = []

    def walk(node: Any, where: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "draft" and where == ():
                    _top(v, found, path, line_of)
                elif k == "draft":
                    item = "/".join(map(str, where))
                    label = node.get("id") or node.get("event") or node.get("participant") or node.get("text") or item
                    evidence = v.get("evidence", "") if isinstance(v, dict) else ""
                    found.append(Problem(path, line_of(*where, k), item,
                                         f"drafted, not yet confirmed: {str(label)[:60]} (rule: "
                                         f"{v.get('rule', '') if isinstance(v, dict) else ''}; evidence: {evidence[:80]})",
                                         "check it against the seed, correct it, then delete its 'draft:' key"))
                else:
                    walk(v, where + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, where + (i,))

    walk(data, ())
    return found


def _top(block: Any, found: list[Problem], path: str, line_of: Callable[..., int | None]) -> None:
    if not isinstance(block, dict) or not any(block.values()):
        found.append(Problem(path, line_of("draft"), "draft", "the file is still marked as a draft",
                             "delete the top-level 'draft:' block once every item is confirmed"))
        return
    for name in ("fields", "aliases"):
        for key, mark in (block.get(name) or {}).items():
            found.append(Problem(path, line_of("draft", name, key), f"draft/{name}/{key}",
                                 f"drafted, not yet confirmed: {key} (rule: {mark.get('rule', '')})",
                                 "check the value against the seed, then delete this mark"))
    for i, mark in enumerate(block.get("asks") or []):
        found.append(Problem(path, line_of("draft", "asks", i), f"draft/asks/{i}",
                             f"the draft could not find this: {mark.get('rule', '')} ({mark.get('evidence', '')})",
                             "supply it where the text gives it, or leave it out; then delete this mark"))
    if block.get("dates"):
        found.append(Problem(path, line_of("draft", "dates"), "draft/dates",
                             f"{len(block['dates'])} drafted date expression(s) not yet reviewed",
                             "use them to date events and statements in the registries, then delete 'draft: dates:'"))


def entry_draft_problem(path: str, line: int | None, kind: str, entry: Any) -> Problem | None:
    """The Problem of a registry entry `tstalks add` proposed that a curator has not yet confirmed."""
    if not isinstance(entry, dict) or "draft" not in entry:
        return None
    mark = entry["draft"] if isinstance(entry["draft"], dict) else {}
    return Problem(path, line, str(entry.get("id", kind)), f"proposed, not yet confirmed: {kind} entry {entry.get('id')} "
                   f"(rule: {str(mark.get('rule', ''))[:80]}; evidence: {str(mark.get('evidence', ''))[:80]})",
                   "check the entry against the seed, correct it, then delete its 'draft:' key")
