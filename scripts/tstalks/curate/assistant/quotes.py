"""Stage: the quotes. For each sentence of the body (never split inside quotation marks), its reporting structure
decides the span and the mode:

whole reported content that is one quoted passage -> direct (the words inside the marks); reported content holding
quoted words after a short lead-in -> mixed (the whole content); reported content without quotation marks ->
paraphrase; quoted words in a sentence with no reporting structure -> direct, or set aside as uncoded when short
(scare quotes, terms). Each quote gets its speaker and relay (speakers.py) and a statement (statements.py). A passage
whose speaker nothing names is set aside, saying so, rather than given a speaker by guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.spans import pattern
from ...core.vocab import QuoteMode
from ..text import quoted_passages, sentence_spans
from . import speakers, statements
from .context import Context
from .model import Attribution, Draft, DraftQuote, DraftUncoded, Mark
from .structure import Attribution as Phrase
from .structure import Structure, mask, subject, trim

SHORT_QUOTE_WORDS = 3  # a quoted phrase this short, with no speaker, is more likely a term than someone's words
Span = tuple[int, int]
_CARRIED_BY = re.compile(r"\b(?:carried|published|broadcast|aired|released|run|relayed)\s+(?:by|on|in)\s+(?P<medium>(?:the\s+)?"
                         r"(?:[A-Z][\w’'-]*\s+){0,4}(?:[\w’'-]+\s+)?(?:media|agency|television|TV|broadcaster|outlet|[A-Z][\w-]+))")
_TERM = re.compile(r"\b(?:the\s+(?:word|term|phrase|label|expression)|so-called|dubbed|termed|branded\s+as|called)\s*[\"“‘]?$")


@dataclass
class _Reading:
    """The article as the quote stage reads it, and what it carries from one sentence to the next."""

    d: Draft
    ctx: Context
    passages: list[Span]
    sentences: list[Span]
    state: Attribution


def draft_quotes(d: Draft, ctx: Context) -> None:
    """Draft every quote of the body into `d.quotes` (and passages set aside into `d.uncoded`)."""
    lay = d.layout
    passages = [(p.start, p.end) for p in quoted_passages(d.text, lay.body_start, lay.body_end)]
    units = _units(sentence_spans(d.text, _after_dateline(d), lay.body_end), passages)
    r = _Reading(d, ctx, passages, units, Attribution())
    for k, (sent_s, sent_e) in enumerate(r.sentences):
        inside = [(s, e) for s, e in passages if sent_s <= s and e <= sent_e + 1]
        masked = mask(d.text, sent_s, sent_e, passages)
        found = ctx.grammar.structure(masked)
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
    d.proposed_names.update(r.state.proposed)


def _after_dateline(d: Draft) -> int:
    """Where the reported text starts: after a wire dateline ("BEIRUT, April 25. /TASS/."), which is no one's words."""
    return d.layout.lead_end or d.layout.body_start


def _units(sentences: list[Span], passages: list[Span]) -> list[Span]:
    """The sentences, joined where a quoted passage runs from one into the next (a quote of several sentences is
    read whole)."""
    out: list[Span] = []
    for s, e in sentences:
        if out and any(p_s < out[-1][1] and p_e > s for p_s, p_e in passages):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _phrase(r: _Reading, masked: str, sent_s: int, found: Structure) -> Phrase:
    via = " ".join(masked[found.via[0]:found.via[1]].split()) if found.via else None
    if found.who is None:
        return Phrase(sent_s, sent_s, "", "group", via)
    return Phrase(sent_s + found.who[0], sent_s + found.who[1], " ".join(masked[found.who[0]:found.who[1]].split()),
                  found.form, via)


def _carried_quote(r: _Reading, k: int) -> None:
    """A sentence with no attribution of its own, in a paragraph that an attribution closes: a paraphrase of that
    speaker."""
    carried = _carried(r, k)
    if carried:
        who, c_s, c_e = carried
        sent_s, sent_e = r.sentences[k]
        _quote(r, who, c_s, c_e, QuoteMode.PARAPHRASE, "a sentence covered by the attribution closing its paragraph", (sent_s, sent_e))


def _carried(r: _Reading, k: int) -> tuple[Phrase, int, int] | None:
    """A paragraph closed by "..., SANA said." reports its earlier sentences too: (speaker phrase, content span)."""
    text = r.d.text
    s, e = r.sentences[k]
    for s2, e2 in r.sentences[k + 1:]:
        if "\n\n" in text[s:s2] or "\n" in text[e:s2]:
            return None
        masked = mask(text, s2, e2, r.passages)
        found = r.ctx.grammar.structure(masked)
        if found is None:
            continue
        if found.form in ("tail", "according") and found.who:
            c_s, c_e = trim(text, s, e)
            return Phrase(s2 + found.who[0], s2 + found.who[1], " ".join(masked[found.who[0]:found.who[1]].split()),
                          "carried"), c_s, c_e
        return None
    return None


def _stances(r: _Reading, found: Structure | None, masked: str, sent_s: int, sent_e: int) -> None:
    """"Ankara blamed X, but the SDF denied Y": each stance its own paraphrase."""
    text = r.d.text
    while found is not None and found.form == "stance":
        c_s, c_e = trim(text, sent_s + found.content[0], sent_s + found.content[1])
        _quote(r, _phrase(r, masked, sent_s, found), c_s, c_e, QuoteMode.PARAPHRASE,
               "a stance verb (blamed, denied, rejected...)", (sent_s, sent_e))
        end = found.content[1]
        tail = masked[end:]
        nxt = r.ctx.grammar.structure(" " * end + tail) if tail.strip() else None
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
    phrase = _phrase(r, masked, sent_s, found)
    for s, e, mode in items:
        _quote(r, phrase, s, e, mode, f"{found.form} attribution", (sent_s, sent_e))


def _content_items(text: str, form: str, c_s: int, c_e: int, quoted: list[Span]) -> list[tuple[int, int, str]]:
    """The quotes a reported content gives: (start, end, mode)."""
    if not quoted:
        return [(c_s, c_e, QuoteMode.PARAPHRASE)] if c_e - c_s > 0 and len(text[c_s:c_e].split()) >= 3 else []
    prefix = text[c_s: quoted[0][0] - 1]
    if not prefix.strip() and len(quoted) == 1:
        return [(*trim(text, *quoted[0]), QuoteMode.DIRECT)]
    if "," not in prefix and len(prefix.split()) <= 16:
        return [(c_s, quoted[-1][1], QuoteMode.MIXED)]  # a mixed quote ends at its quoted words
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
    phrase = r.ctx.grammar.attribution(text, sent_s, max(sent_e, e + 1), s, e, r.passages)
    term = _TERM.search(text[max(0, s - 40): s])
    if (term or phrase is None) and len(words.split()) <= SHORT_QUOTE_WORDS:
        reason = ("DRAFT: a word quoted as a term, not as someone's words" if term else
                  "DRAFT: a short quoted phrase with no speaker around it (a scare quote, a term or a title?)")
        r.d.uncoded.append(DraftUncoded(s, e, words, reason, Mark("short quoted phrase, no attribution",
                                                                  _context(text, sent_s, sent_e)),
                                        occurrence(text, words, s, lay.body_start, lay.body_end)))
        return
    ts, te = trim(text, s, e)
    _quote(r, phrase, ts, te, QuoteMode.DIRECT, "a passage in quotation marks" + ("" if phrase else ", no attribution found"),
           (sent_s, sent_e))


def _quote(r: _Reading, phrase: Phrase | None, s: int, e: int, mode: str, rule: str, sentence: Span) -> None:
    """One quote: its speaker and relay resolved, its statement chosen; set aside when no one can be named."""
    d, ctx = r.d, r.ctx
    if e <= s or any(q.start == s and q.end == e for q in d.quotes):
        return
    speaker, how = speakers.resolve(d, phrase, ctx, s, r.state)
    via = _via(r, phrase, speaker, sentence)
    if via and via == speaker:
        speaker, how = _relayed_source(r, sentence, s, how)
    evidence = f"{how}: {_context(d.text, *sentence)}"
    if speaker is None:
        d.uncoded.append(DraftUncoded(s, e, d.text[s:e], "DRAFT: reported words whose speaker the text does not name "
                                      "here: code them as a quote of the right statement, or keep them set aside",
                                      Mark(f"{mode}: {rule}", evidence), occurrence(d.text, d.text[s:e], s, d.layout.body_start,
                                                                                    d.layout.body_end)))
        return
    statement, body = statements.assign(d, ctx, r.state, speaker, s, e, sentence, phrase)
    if body != speaker:  # the account is a body's statement that the speaker relays or stands for
        via = via or (speaker if speakers.is_medium(speaker, d, ctx) else None)
        speaker = r.state.last = body
        evidence += f" (the registry statement {statement} of {body} about the same event)"
    r.state.via, r.state.via_speaker = via, speaker
    d.quotes.append(DraftQuote(s, e, d.text[s:e], speaker, speaker not in ctx.known.participants, statement,
                               Mark(f"{mode}: {rule}", evidence),
                               occurrence(d.text, d.text[s:e], s, d.layout.body_start, d.layout.body_end), mode, via))


def _via(r: _Reading, phrase: Phrase | None, speaker: str | None, sentence: Span) -> str | None:
    """Who relays the quote: the structure's relay, a medium the speaker "told", or the medium that speaks when the
    sentence names another body as the source."""
    d, ctx = r.d, r.ctx
    if phrase and phrase.via:
        relayed = speakers.relay(d, phrase.via, *sentence, ctx)
        if relayed:
            return relayed
    carried = _CARRIED_BY.search(d.text, sentence[0], sentence[1])
    if carried:
        relayed = speakers.relay(d, carried.group("medium"), sentence[0] + 0, sentence[1], ctx)
        if relayed and relayed != speaker:
            return relayed
    if speaker and speaker == r.state.via_speaker and (phrase is None or _PRONOUN.fullmatch(phrase.words.strip())):
        return r.state.via  # '"...," it said' after an agency's report of the ministry's words: the same report
    return speaker if speakers.is_medium(speaker, d, ctx) and _other_source(r, sentence, speaker) else None


_PRONOUN = re.compile(r"(?:it|they|he|she)", re.IGNORECASE)


def _other_source(r: _Reading, sentence: Span, medium: str | None) -> bool:
    """The sentence names a body that speaks through the medium ("the ministry said, SANA reported")."""
    return _relayed_source(r, sentence, sentence[0], "")[0] not in (None, medium)


def _relayed_source(r: _Reading, sentence: Span, at: int, how: str) -> tuple[str | None, str]:
    """The body a medium relays: the subject of an inner reporting verb of the sentence."""
    d, ctx = r.d, r.ctx
    masked = mask(d.text, *sentence, r.passages)
    for m in ctx.grammar.head.finditer(masked):
        sub = subject(masked, m.start())
        if not sub or not ctx.grammar.speaker_like(masked[sub[0]:sub[1]]):
            continue
        phrase = Phrase(sentence[0] + sub[0], sentence[0] + sub[1], " ".join(masked[sub[0]:sub[1]].split()), "relayed")
        who, _, found = speakers.speaker(d, phrase, ctx, at, Attribution(r.state.last, r.state.org, r.state.proposed))
        if who and not speakers.is_medium(who, d, ctx):
            return who, f"{how}; the medium relays {found}"
    return None, how


def occurrence(text: str, words: str, at: int, start: int, end: int) -> int | None:
    """The occurrence number of `words` at offset `at` within text[start:end], when they occur more than once."""
    found = [m.start() for m in pattern(words).finditer(text, start, end)]
    return found.index(at) + 1 if len(found) > 1 and at in found else None


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start): end].split())
