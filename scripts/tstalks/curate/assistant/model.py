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
    title: str | None = None  # for a newcomer: the title printed before the name ("Syrian Foreign Minister")
    medium: bool = False  # a news agency, broadcaster or newspaper


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
    via: str | None = None  # the medium that relays the statement


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
    ahead: bool = False  # its sentence speaks of a plan: resolved as the next such day or month
    speech: bool = False  # it dates the reporting verb ("said on Monday"), not the event reported


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
    # Only the week is known (a weekday naming a registry event): relative dates of the body are resolved against its
    # first day for the draft, and dated entries then carry the resolved value with that reasoning, not an expression
    # the build could not resolve against a month or a year.
    first_day: dt.date | None = None

    @property
    def reference(self) -> dt.date | None:
        """The day the draft reads relative words against: the first possible day, else the date."""
        return self.first_day or self.date


@dataclass(frozen=True)
class ProposedParticipant:
    """A participant the registries do not know, as the text presents it."""

    id: str
    kind: str  # a participant_kind code
    name: str
    mark: Mark
    role_title: str | None = None
    affiliation: str | None = None
    country_code: str | None = None
    cow_code: int | None = None


@dataclass(frozen=True)
class ProposedStatement:
    """A statement the registries do not know: who made it, about which event, when, of which kind."""

    id: str
    speaker: str
    kind: str  # a statement_kind code
    summary: str
    mark: Mark
    event: str | None = None
    date: dict[str, Any] | None = None  # a coding date spec: {expression, article}, {from_event: true}
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProposedEvent:
    """An event the registries do not know, as the sentence that reports it gives it."""

    id: str
    type: str  # an event_type code
    title: str
    status: str  # an event_status code
    mark: Mark
    date: dict[str, Any] | None = None
    city: str | None = None


@dataclass
class Draft:
    """One article as the stages see it: its text and layout, then what each stage found in it."""

    article_id: str
    seed_file: str
    sha256: str
    text: str
    layout: Layout
    outlet: str | None  # None: found nowhere, and not given at capture
    url: str | None
    published: DraftPublished
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[DraftQuote] = field(default_factory=list)
    uncoded: list[DraftUncoded] = field(default_factory=list)
    dates: list[DraftDate] = field(default_factory=list)
    events: list[DraftEvent] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    participants: dict[str, ProposedParticipant] = field(default_factory=dict)
    statements: dict[str, ProposedStatement] = field(default_factory=dict)
    proposed_events: dict[str, ProposedEvent] = field(default_factory=dict)
    proposed_names: dict[str, str] = field(default_factory=dict)  # name -> id, for speakers only described
    asks: list[Mark] = field(default_factory=list)  # what the draft could not find, for the curator to supply
    given: frozenset[str] = frozenset()  # fields the curator gave on the command line: not drafts

    @property
    def new_participants(self) -> dict[str, ProposedParticipant]:
        return self.participants


@dataclass
class Attribution:
    """What the quote stage carries from one passage to the next: who spoke last, the organisation that spoke
    last, the names proposed for newcomers, and the statement ids proposed so far."""

    last: str | None = None
    org: str | None = None
    proposed: dict[str, str] = field(default_factory=dict)  # name -> proposed participant id
    statements: dict[tuple[str, str], str] = field(default_factory=dict)  # (speaker, "") -> proposed statement id
    via: str | None = None  # the medium that relayed the last quote
    via_speaker: str | None = None  # whose words it relayed


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
    event_format: str | None = None
    event_level: str | None = None
    status: str | None = None  # an event_status code


@dataclass(frozen=True)
class Known:
    """What the registries and the other articles' codings already say, for matching a new article against."""

    participants: dict[str, dict[str, Any]]  # id -> participant row
    spellings: dict[str, set[str]]  # spelling -> participant ids
    events: dict[str, KnownEvent]
    statements: dict[str, dict[str, Any]]  # id -> statement row
    outlets: set[str]
    cow: dict[str, int] = field(default_factory=dict)  # ISO alpha-3 -> Correlates of War number (schemas/codelists/cow_state.csv)
    quotes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # statement id -> its quotes' words in other articles
