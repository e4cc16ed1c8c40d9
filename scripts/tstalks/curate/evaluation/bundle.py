"""What the assistant proposes for one article, as the curator receives it: the article coding and the entries
it adds to each registry, every item still marked `draft:`. The evaluation reads drafts in this form, whether just
drafted (leave-one-out) or saved at first contact, so both are measured the same way."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.problems import Failed
from ...core.yamlfile import parse_yaml

ARTICLE_FILE = "article.yaml"


@dataclass(frozen=True)
class Bundle:
    article: dict[str, Any]  # the drafted article coding, parsed
    registries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # kind -> proposed new entries

    def proposed(self, kind: str) -> dict[str, dict[str, Any]]:
        """The proposed entries of a registry, by id."""
        return {e["id"]: e for e in self.registries.get(kind, []) if isinstance(e, dict) and "id" in e}


def parse(article: str, registries: dict[str, str], where: str = "draft") -> Bundle:
    """A bundle from the texts `tstalks add` writes: the article coding and, per registry, the YAML of the entries
    appended to it (as they would be appended: list items, two spaces in)."""
    data, _, problems = parse_yaml(article.encode("utf-8"), f"{where}/{ARTICLE_FILE}")
    if problems:
        raise Failed(problems)
    entries = {}
    for kind, text in registries.items():
        parsed, _, problems = parse_yaml(f"{kind}:\n{text}".encode(), f"{where}/{kind}.yaml")
        if problems:
            raise Failed(problems)
        entries[kind] = list(parsed.get(kind) or [])
    return Bundle(data, entries)


def save(bundle_texts: tuple[str, dict[str, str]], folder: Path) -> None:
    """Keep a draft as it was written: the article coding and each registry's appended entries, one file each."""
    article, registries = bundle_texts
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ARTICLE_FILE).write_text(article, encoding="utf-8")
    for kind, text in registries.items():
        (folder / f"{kind}.yaml").write_text(text, encoding="utf-8")


def load(folder: Path, kinds: tuple[str, ...]) -> Bundle:
    """A draft kept by `save`."""
    article = (folder / ARTICLE_FILE).read_text("utf-8")
    registries = {k: (folder / f"{k}.yaml").read_text("utf-8") for k in kinds if (folder / f"{k}.yaml").is_file()}
    return parse(article, registries, folder.as_posix())
