"""The words the curation tools look for, read once from the project's `schemas/lexicons/` (see its README):
reporting verbs and their structures, titles, the nouns that name a speaking body, the news media, and event and
topic words keyed by codelist codes. Coverage and every stage of the assistant read them from one `Lexicon`."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.problems import Failed, Problem

FOLDER = "lexicons"


@dataclass(frozen=True)
class Medium:
    name: str
    names: tuple[str, ...]  # the name and its other names
    country_code: str | None
    kind: str  # agency, broadcaster, newspaper


@dataclass(frozen=True)
class Title:
    words: str
    portfolio: str | None  # defence, foreign, interior, ... (the ministry a holder belongs to)


@dataclass(frozen=True)
class Lexicon:
    speech: re.Pattern[str]  # a verb that attributes a nearby quotation
    tail: str  # alternation of the verbs of a closing attribution ("...," X said.)
    head: re.Pattern[str]  # a verb that opens reported words (X said that ...), group "verb"
    stance: str  # alternation of stance verbs (X denied ...)
    coverage: re.Pattern[str]  # any attribution word, for coverage
    titles: tuple[Title, ...]
    nouns: dict[str, str]  # speaker noun -> what it stands for (institution, state, government, medium)
    media: tuple[Medium, ...]
    event_words: dict[str, re.Pattern[str]]  # event_type code -> words reporting such an event
    one_per_parties: frozenset[str]  # event_type codes the texts report once per set of parties (a war, a rupture)
    topic_words: dict[str, re.Pattern[str]]  # topic code -> words addressing it
    cues: dict[str, re.Pattern[str]]  # cue (future, proposal, group, citing, ...) -> its words
    format_words: dict[str, re.Pattern[str]]  # event_format code -> words giving it
    level_words: dict[str, re.Pattern[str]]  # event_level code -> words giving it

    def cue(self, name: str, text: str) -> re.Match[str] | None:
        return self.cues[name].search(text) if name in self.cues else None

    def nouns_for(self, *meanings: str) -> re.Pattern[str]:
        """The speaker nouns that stand for one of `meanings` (all nouns when none is given)."""
        chosen = [n for n, m in self.nouns.items() if not meanings or m in meanings]
        return re.compile(rf"\b(?:{alternation(chosen)})\b", re.IGNORECASE)

    def medium_named(self, words: str) -> Medium | None:
        """The medium one of whose names is `words` (case and white space aside)."""
        key = " ".join(words.split()).lower()
        return next((m for m in self.media if key in (n.lower() for n in m.names)), None)


def _form(words: str) -> str:
    """A lexicon form as a regular expression: a space matches any white space, a final * any ending."""
    tail = r"\w*" if words.endswith("*") else ""
    return r"\s+".join(re.escape(w) for w in words.rstrip("*").split()) + tail


def alternation(forms: list[str]) -> str:
    """One alternation of every form, longest first (so "told reporters" wins over "told")."""
    alts = [_form(a) for f in forms for a in f.split("|") if a.strip()]
    return "|".join(sorted(set(alts), key=lambda a: (-len(a), a)))


def _rows(folder: Path, name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    rel = f"schemas/{FOLDER}/{name}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = tuple(reader.fieldnames or ())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise Failed([Problem(rel, None, "", f"cannot be read ({exc})", "restore the file (see schemas/lexicons/README.md)")]) from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise Failed([Problem(rel, 1, "", f"lacks the column(s) {', '.join(missing)}", "see schemas/lexicons/README.md")])
    return rows


def load_lexicon(schemas: Path) -> Lexicon:
    """The lexicon of the project whose schemas/ is `schemas`."""
    folder = schemas / FOLDER
    reporting = _rows(folder, "reporting", ("words", "speech", "tail", "head", "stance", "coverage"))

    def forms(flag: str) -> list[str]:
        return [r["words"] for r in reporting if r[flag] == "1"]

    media = tuple(Medium(r["name"], (r["name"], *[n for n in r["other_names"].split("|") if n]), r["country_code"] or None,
                         r["medium"]) for r in _rows(folder, "media", ("name", "other_names", "country_code", "medium")))
    return Lexicon(
        speech=re.compile(rf"\b(?:{alternation(forms('speech'))})\b", re.IGNORECASE),
        tail=alternation(forms("tail")),
        head=re.compile(rf"\b(?P<verb>{alternation(forms('head'))})\b", re.IGNORECASE),
        stance=alternation(forms("stance")),
        coverage=re.compile(rf"\b(?:{alternation(forms('coverage'))})\b", re.IGNORECASE),
        titles=tuple(Title(r["title"], r["portfolio"] or None) for r in _rows(folder, "titles", ("title", "portfolio"))),
        nouns={r["noun"]: r["stands_for"] for r in _rows(folder, "speaker_nouns", ("noun", "stands_for"))},
        media=media,
        event_words=_keyed(_rows(folder, "event_words", ("event_type", "words")), "event_type"),
        one_per_parties=frozenset(r["event_type"] for r in _rows(folder, "event_words", ("event_type", "one_per_parties"))
                                  if r["one_per_parties"] == "1"),
        topic_words=_keyed(_rows(folder, "topic_words", ("topic", "words")), "topic"),
        cues=_keyed(_rows(folder, "cues", ("cue", "words")), "cue"),
        format_words=_keyed(_rows(folder, "format_words", ("event_format", "words")), "event_format"),
        level_words=_keyed(_rows(folder, "level_words", ("event_level", "words")), "event_level"),
    )


def _keyed(rows: list[dict[str, str]], key: str) -> dict[str, re.Pattern[str]]:
    return {r[key]: re.compile(rf"\b(?:{alternation([r['words']])})\b", re.IGNORECASE) for r in rows}
