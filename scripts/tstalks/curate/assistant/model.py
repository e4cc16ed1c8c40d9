"""The draft: one typed document that every stage of the assistant reads and annotates (as a spaCy pipe sets
annotations on its Doc), and what the registries already know, which the stages match the text against."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...core.vocab import QuoteMode
from .layout import Layout

NEW = "new"  # the kind of a mention naming someone the registries do not know


@dataclass(frozen=True)
class Mark:
    """Why the assistant drafted an item: the rule and the words of the seed that triggered it."""

    rule: str
    evidence: str


@dataclass(frozen=True)
class Mention:
    participant_id: str
    text: str
    start: int
    end: int
    kind: str  # participant kind, or NEW


@dataclass(frozen=True)
class DraftQuote:
    start: int
    end: int
    text: str  # the seed's text at [start, end)
    speaker: str | None  # participant id, or a proposed new id
    speaker_is_new: bool
    statement: str
    mark: Mark
    occurrence: int | None = None
    mode: str = QuoteMode.DIRECT


@dataclass(frozen=True)
class DraftUncoded:
    start: int
    end: int
    text: str
    reason: str
    mark: Mark
    occurrence: int | None = None


@dataclass(frozen=True)
class DraftDate:
    start: int
    end: int
    text: str
    rule: str  # the rule name of core.dates that matched
    value: dt.date | None
    precision: str | None
    resolution: str | None
    error: str | None  # why it could not be resolved


@dataclass(frozen=True)
class DraftEvent:
    event_id: str
    is_new: bool
    text: str
    start: int
    end: int
    date_expression: str | None
    participants: tuple[tuple[str, str, str], ...]  # (participant id, role, attesting words)
    mark: Mark


@dataclass(frozen=True)
class DraftPublished:
    source: str
    expression: str | None = None
    value: str | None = None
    note: str | None = None
    date: dt.date | None = None
    precision: str | None = None
    mark: Mark = Mark("none", "none")


@dataclass
class Draft:
    """One article as the stages see it: its text and layout, then what each stage found in it."""

    article_id: str
    seed_file: str
    sha256: str
    text: str
    layout: Layout
    outlet: str
    url: str | None
    published: DraftPublished
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[DraftQuote] = field(default_factory=list)
    uncoded: list[DraftUncoded] = field(default_factory=list)
    dates: list[DraftDate] = field(default_factory=list)
    events: list[DraftEvent] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    new_participants: dict[str, Mark] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # fields the curator gave on the command line: not drafts


@dataclass
class Attribution:
    """What the quote stage carries from one passage to the next: who spoke last, the organisation that spoke
    last, the names proposed for newcomers, and the statement ids proposed so far."""

    last: str | None = None
    org: str | None = None
    proposed: dict[str, str] = field(default_factory=dict)  # name -> proposed participant id
    statements: dict[tuple[str, str], str] = field(default_factory=dict)  # (speaker, "") -> proposed statement id


# What the registries already know


@dataclass(frozen=True)
class KnownEvent:
    event_id: str
    title: str
    date: dt.date | None
    precision: str | None
    end: dt.date | None
    city: str | None
    country_code: str | None
    participants: frozenset[str]
    roles: dict[str, str]
    event_type: str | None = None


@dataclass(frozen=True)
class Known:
    """What the registries and the other articles' codings already say, for matching a new article against."""

    participants: dict[str, dict[str, Any]]  # id -> participant row
    spellings: dict[str, set[str]]  # spelling -> participant ids
    events: dict[str, KnownEvent]
    statements: dict[str, dict[str, Any]]  # id -> statement row
    outlets: set[str]
