"""Stage: the quotes. For each sentence of the body, its reporting structure decides the span and the mode:

whole reported content that is one quoted passage -> direct (the words inside the marks); reported content holding
quoted words after a short lead-in -> mixed (the whole content); reported content without quotation marks ->
paraphrase; quoted words in a sentence with no reporting structure -> direct, or set aside as uncoded when short
(scare quotes, terms). Each quote gets its speaker (speakers.py) and a statement (the registry's, or a proposed one).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.spans import pattern
from ...core.vocab import QuoteMode
from ..text import quoted_passages, sentence_spans
from . import speakers
from .model import Attribution, Draft, DraftQuote, DraftUncoded, Known, Mark
from .structure import Attribution as Phrase
from .structure import Structure, attribution, mask, structure, trim

SHORT_QUOTE_WORDS = 3  # a quoted phrase this short, with no speaker, is more likely a term than someone's words
Span = tuple[int, int]
_TERM = re.compile(r"\b(?:the\s+(?:word|term|phrase|label|expression)|so-called|dubbed|termed|branded\s+as|called)\s*[\"“‘]?$")


@dataclass
class _Reading:
    """The article as the quote stage reads it, and what it carries from one sentence to the next."""

    d: Draft
    known: Known
    passages: list[Span]
    sentences: list[Span]
    state: Attribution


def draft_quotes(d: Draft, known: Known) -> None:
    """Draft every quote of the body into `d.quotes` (and short unattributed passages into `d.uncoded`)."""
    lay = d.layout
    passages = [(p.start, p.end) for p in quoted_passages(d.text, lay.body_start, lay.body_end) if p.paired]
    r = _Reading(d, known, passages, sentence_spans(d.text, lay.body_start, lay.body_end), Attribution())
    for k, (sent_s, sent_e) in enumerate(r.sentences):
        inside = [(s, e) for s, e in passages if sent_s <= s and e <= sent_e + 1]
        masked = mask(d.text, sent_s, sent_e, passages)
        found = structure(masked)
        if found is None and not inside:
            _carried_quote(r, k)
        elif found is None:
            for s, e in inside:
                _loose_quote(r, s, e, sent_s, sent_e)
        elif found.form == "stance":
            _stances(r, found, masked, sent_s, sent_e)
        else:
            _reported(r, found, masked, inside, sent_s, sent_e)
    d.quotes.sort(key=lambda q: q.start)


def _phrase(masked: str, sent_s: int, who: Span, form: str) -> Phrase:
    return Phrase(sent_s + who[0], sent_s + who[1], " ".join(masked[who[0]:who[1]].split()), form)


def _carried_quote(r: _Reading, k: int) -> None:
    """A sentence with no attribution of its own, in a paragraph that an attribution closes: a paraphrase of that
    speaker."""
    carried = _carried(r, k)
    if carried:
        who, c_s, c_e = carried
        sent_s, sent_e = r.sentences[k]
        speaker, how = speakers.resolve(r.d, who, r.known, c_s, r.state)
        _add_quote(r, c_s, c_e, QuoteMode.PARAPHRASE, speaker, "a sentence covered by the attribution closing its paragraph",
                   f"{how}: {_context(r.d.text, sent_s, sent_e)}")


def _carried(r: _Reading, k: int) -> tuple[Phrase, int, int] | None:
    """A paragraph closed by "..., SANA said." reports its earlier sentences too: (speaker phrase, content span)."""
    text = r.d.text
    s, e = r.sentences[k]
    for s2, e2 in r.sentences[k + 1:]:
        if "\n\n" in text[s:s2] or "\n" in text[e:s2]:
            return None
        masked = mask(text, s2, e2, r.passages)
        found = structure(masked)
        if found is None:
            continue
        if found.form in ("tail", "according"):
            c_s, c_e = trim(text, s, e)
            return _phrase(masked, s2, found.who, "carried"), c_s, c_e
        return None
    return None


def _stances(r: _Reading, found: Structure | None, masked: str, sent_s: int, sent_e: int) -> None:
    """"Ankara blamed X, but the SDF denied Y": each stance its own paraphrase."""
    text = r.d.text
    while found is not None and found.form == "stance":
        c_s, c_e = trim(text, sent_s + found.content[0], sent_s + found.content[1])
        speaker, how = speakers.resolve(r.d, _phrase(masked, sent_s, found.who, "stance"), r.known, c_s, r.state)
        _add_quote(r, c_s, c_e, QuoteMode.PARAPHRASE, speaker, "a stance verb (blamed, denied, rejected...)",
                   f"{how}: {_context(text, sent_s, sent_e)}")
        end = found.content[1]
        tail = masked[end:]
        nxt = structure(" " * end + tail) if tail.strip() else None
        found = nxt if nxt and nxt.content[0] >= end else None


def _reported(r: _Reading, found: Structure, masked: str, inside: list[Span], sent_s: int, sent_e: int) -> None:
    """A sentence with a reporting structure: its content as direct, mixed or paraphrased quotes; its other quoted
    passages as loose quotes."""
    text = r.d.text
    c_s, c_e = trim(text, sent_s + found.content[0], sent_s + found.content[1])
    items = _content_items(text, found.form, c_s, c_e, [(s, e) for s, e in inside if c_s - 1 <= s and e <= c_e + 1])
    for s, e in inside:
        if not any(a <= s and e <= b + 1 for a, b, _ in items):
            _loose_quote(r, s, e, sent_s, sent_e)
    phrase = _phrase(masked, sent_s, found.who, found.form)
    for s, e, mode in items:
        speaker, how = speakers.resolve(r.d, phrase, r.known, s, r.state)
        _add_quote(r, s, e, mode, speaker, f"{found.form} attribution", f"{how}: {_context(text, sent_s, sent_e)}")


def _content_items(text: str, form: str, c_s: int, c_e: int, quoted: list[Span]) -> list[tuple[int, int, str]]:
    """The quotes a reported content gives: (start, end, mode)."""
    if not quoted:
        return [(c_s, c_e, QuoteMode.PARAPHRASE)] if c_e - c_s > 0 and len(text[c_s:c_e].split()) >= 3 else []
    prefix = text[c_s: quoted[0][0] - 1]
    if not prefix.strip() and len(quoted) == 1:
        return [(*trim(text, *quoted[0]), QuoteMode.DIRECT)]
    if "," not in prefix and len(prefix.split()) <= 16:
        return [(c_s, c_e, QuoteMode.MIXED)]
    items = [(*trim(text, s, e), QuoteMode.DIRECT) for s, e in quoted]
    head = text[c_s: quoted[0][0]]
    cut = head.find(",")
    if form == "head" and cut > 0 and len(head[:cut].split()) >= 4:
        items.append((*trim(text, c_s, c_s + cut), QuoteMode.PARAPHRASE))
    return items


def _loose_quote(r: _Reading, s: int, e: int, sent_s: int, sent_e: int) -> None:
    """A quoted passage outside any reporting structure: a direct quote, or set aside when short."""
    text, lay = r.d.text, r.d.layout
    words = text[s:e]
    phrase = attribution(text, sent_s, max(sent_e, e + 1), s, e, r.passages)
    term = _TERM.search(text[max(0, s - 40): s])
    if (term or phrase is None) and len(words.split()) <= SHORT_QUOTE_WORDS:
        reason = ("DRAFT: a word quoted as a term, not as someone's words" if term else
                  "DRAFT: a short quoted phrase with no speaker around it (a scare quote, a term or a title?)")
        r.d.uncoded.append(DraftUncoded(s, e, words, reason, Mark("short quoted phrase, no attribution",
                                                                  _context(text, sent_s, sent_e)),
                                        occurrence(text, words, s, lay.body_start, lay.body_end)))
        return
    speaker, how = speakers.resolve(r.d, phrase, r.known, s, r.state)
    ts, te = trim(text, s, e)
    _add_quote(r, ts, te, QuoteMode.DIRECT, speaker, "a passage in quotation marks" + ("" if phrase else ", no attribution found"),
               f"{how}: {_context(text, sent_s, sent_e)}")


def _add_quote(r: _Reading, s: int, e: int, mode: str, speaker: str | None, rule: str, evidence: str) -> None:
    d, known = r.d, r.known
    if e <= s or any(q.start == s and q.end == e for q in d.quotes):
        return
    statement = _statement(d, speaker, s, known, r.state.statements)
    d.quotes.append(DraftQuote(s, e, d.text[s:e], speaker, speaker is not None and speaker not in known.participants,
                               statement, Mark(f"{mode}: {rule}", evidence),
                               occurrence(d.text, d.text[s:e], s, d.layout.body_start, d.layout.body_end), mode))


def occurrence(text: str, words: str, at: int, start: int, end: int) -> int | None:
    """The occurrence number of `words` at offset `at` within text[start:end], when they occur more than once."""
    found = [m.start() for m in pattern(words).finditer(text, start, end)]
    return found.index(at) + 1 if len(found) > 1 and at in found else None


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start): end].split())


def _statement(d: Draft, speaker: str | None, q_s: int, known: Known, made: dict[tuple[str, str], str]) -> str:
    """The registry statement of this speaker about an event the article reports, else a proposed id."""
    # The event this passage most likely reports: the last registry event mentioned before it, else the first.
    mentioned = [e for e in d.events if not e.is_new]
    before = [e for e in mentioned if e.start <= q_s]
    order = ([before[-1].event_id] if before else []) + [e.event_id for e in mentioned]
    if speaker:
        mine = {sid: row for sid, row in known.statements.items() if row["speaker_id"] == speaker}
        for eid in order:
            for sid, row in mine.items():
                if row.get("event_id") == eid:
                    return sid
    key = (speaker or "unknown", "")
    if key not in made:
        made[key] = f"new-{d.article_id}-s{len(made) + 1:02d}"
    return made[key]
