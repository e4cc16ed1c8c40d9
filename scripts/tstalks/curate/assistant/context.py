"""What every stage of the assistant reads besides the draft: the registries, the lexicon and its grammar."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..lexicon import Lexicon
from .model import Known
from .structure import Grammar


@dataclass
class Context:
    known: Known
    lexicon: Lexicon
    published: dt.date | None = None  # the article's publication date, once known
    last_meeting: str | None = None  # the meeting the article reported last (for "the meeting" after it)
    grammar: Grammar = field(init=False)

    def __post_init__(self) -> None:
        self.grammar = Grammar(self.lexicon)
