"""The reporting structure of a sentence: who speaks, and which words report what they said.

Read on the sentence with its quoted passages masked ("§"), so that verbs inside quotation marks are never taken
for the attribution. Offsets are into the sentence."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import ACCORDING, DEFINITE, DEMONYM, NAME_RUN, SPEECH_RX, STOP

# Reporting structures, read on a sentence whose quoted passages are masked with "§".
_SAY = r"(?:said|says|told\s+reporters|reported|added|noted|stressed|stated|announced|indicated|insisted|warned|wrote)"
_TAIL = re.compile(rf"(?:,|§)\s*(?P<who>[^,§]{{2,80}}?)\s+(?:also\s+|previously\s+)?{_SAY}"
                   rf"(?:\s+(?:in|at|on|during|after|before|to|from|with|by|late|earlier|later)\b[^,§]{{0,60}})?\s*[.!]?\s*$",
                   re.IGNORECASE)
_TAIL_INVERTED = re.compile(rf"(?:,|§)\s*{_SAY}\s+(?P<who>[^,§]{{2,60}}?)\s*[.!]?\s*$", re.IGNORECASE)
_TAIL_ACCORDING = re.compile(r"(?:,|§)\s*according\s+to\s+(?P<who>[^§]{2,80}?)\s*[.!]?\s*$", re.IGNORECASE)
_TAIL_NOUN = re.compile(r"§\s*(?P<who>(?:the\s+)?[A-Z][^,§]{2,50}?)\s*[.]?\s*$")
_TAILS = (("tail", _TAIL), ("tail", _TAIL_INVERTED), ("according", _TAIL_ACCORDING), ("tail", _TAIL_NOUN))
HEAD = re.compile(r"\b(?P<verb>said|says|told\s+reporters|told|indicated|noted|noting|saying|stressed|pointed\s+to|"
                  r"described|added|announced|insisted|warned|confirmed|reaffirmed|focused\s+on)\b", re.IGNORECASE)
_STANCE = re.compile(r"\b(?P<verb>(?:has\s+|have\s+)?(?:blamed|denied|rejected|accusing|accused|acknowledged|cast|called\s+for|"
                     r"demanded|threatened)|(?:is\s+|are\s+)?pressing\s+for|(?:has\s+)?(?:also\s+)?(?:been\s+)?alluding\s+to)\b",
                     re.IGNORECASE)
_THAT = re.compile(r"^(?P<pre>[^§]{0,80}?\bthat)\s+")
_CUT = re.compile(r",\s+(?:using|after|while|amid|following|before|which|who|as|but|yet|and\s+(?:has|is|was))\b"
                  r"|\s+(?:much\s+to\s+the|despite|in\s+spite\s+of)\s")
_LEAD_CONNECTOR = re.compile(r"^(?:[A-Z][A-Z.’' -]{2,30}(?:,\s*[A-Z][\w. ]{1,30})?(?:\s*\([^)]{1,20}\))?\s*[—–-]{1,2}\s+)?"
                             r"(?:(?:In\s+addition|However|Also|Meanwhile|But|And|Yet)\s*,?\s+)?")
_HEAD_ACCORDING = re.compile(r"^\s*According\s+to\s+(?P<who>[^,§]{2,80}),\s*")
_SPEECH_ACT = re.compile(r"\b(?:threats?|calls?|comments?|remarks?|pledges?|warnings?|promises?|demands?)\s+by\s+"
                         r"(?P<who>[^,.;§]{2,60}?)\s+(?P<content>(?:to|that|on|about)\s+[^,.;§]+)")
_PARTICIPLE_SUBJECT = re.compile(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[\w’'-]+\s+){0,4}?[\w’'-]+?)\s+(?:have|has|had|is|are|was|were|\w+ed)\b")
_ADVERBIAL = re.compile(r"(?:at|in|on|during|after|before|to|from|by|with)\b")
_CONNECTOR = re.compile(r"^(?:in\s+turn|however|also|meanwhile|in\s+addition|for\s+its\s+part|too)$", re.IGNORECASE)
_SUBORDINATE = re.compile(r"\b(?:after|before|when|while|because|since|but|that|who|which|where|and)\b")
STRIP_END = "\"“”‘’'.,;:!? \n\t"

Span = tuple[int, int]


@dataclass(frozen=True)
class Structure:
    form: str  # according, speech act, tail, nested, head, stance
    who: Span  # the words naming who speaks
    content: Span  # the words reporting what was said


def mask(text: str, start: int, end: int, passages: list[Span]) -> str:
    """The sentence with each quoted passage, marks included, replaced by '§' (offsets kept)."""
    chars = list(text[start:end])
    for s, e in passages:
        for k in range(max(s - 1, start), min(e + 1, end)):
            chars[k - start] = "§"
    return "".join(chars)


def trim(text: str, start: int, end: int) -> Span:
    """The span without quotation marks, sentence punctuation or white space at either end."""
    while start < end and text[start] in STRIP_END:
        start += 1
    while end > start and text[end - 1] in STRIP_END:
        end -= 1
    return start, end


def structure(masked: str) -> Structure | None:
    """The reporting structure of a masked sentence; None if it reports no one."""
    lead = _LEAD_CONNECTOR.match(masked)
    start = lead.end() if lead else 0
    opening = _HEAD_ACCORDING.match(masked, start)
    if opening and speaker_like(opening.group("who")):
        return Structure("according", opening.span("who"), (opening.end(), len(masked.rstrip())))
    act = _SPEECH_ACT.search(masked)
    if act and speaker_like(act.group("who")):
        return Structure("speech act", act.span("who"), act.span("content"))
    return _tail(masked, start) or _head(masked, start) or _stance(masked, start)


def _tail(masked: str, start: int) -> Structure | None:
    """An attribution closing the sentence: '..., X said.', '..., said X.', '..., according to X.', '“...” the X.'"""
    for form, rx in _TAILS:
        m = rx.search(masked)
        if not (m and speaker_like(m.group("who")) and m.start() > start):
            continue
        boundary = m.start() + (1 if masked[m.start()] == "§" else 0)
        if rx is _TAIL_NOUN and "§" not in masked[start:boundary]:
            continue
        first_quote = masked.find("§", start, boundary)
        if first_quote >= 0:
            clause = list(re.finditer(r",\s+(?:yet|but|while)\s+", masked[start:first_quote]))
            if clause:
                start += clause[-1].end()
            # "the Syrian side described the meeting as '...', according to SANA": the content follows the inner verb.
            inner = list(HEAD.finditer(masked, start, first_quote))
            if inner and (sub := subject(masked, inner[-1].start())) and speaker_like(masked[sub[0]:sub[1]]):
                return Structure("nested", sub, (inner[-1].end(), boundary))
        return Structure(form, m.span("who"), (start, boundary))
    return None


def _head(masked: str, start: int) -> Structure | None:
    """An attribution opening the reported words: 'X said (that) ...'."""
    for m in HEAD.finditer(masked):
        who = subject(masked, m.start())
        if m.group("verb").lower() in ("noting", "saying"):
            # ", saying ..." reports the main clause's subject.
            main = re.match(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[A-Z][\w’'-]*\s+)*[A-Z][\w’'-]*)", masked[start:])
            who = (start + main.start("who"), start + main.end("who")) if main else None
        if not who or not speaker_like(masked[who[0]:who[1]]):
            continue
        content = _head_content(masked, m.end())
        if content:
            return Structure("head", who, content)
    return None


def _head_content(masked: str, verb_end: int) -> Span | None:
    """What a head verb reports: after 'that', up to a clause that is not its; None for 'said at the briefing'."""
    c_s = verb_end
    rest = masked[c_s:]
    that = _THAT.match(rest)
    c_s += that.end() if that and "§" not in that.group("pre") else len(rest) - len(rest.lstrip())
    cut = _CUT.search(masked, c_s)
    c_e = cut.start() if cut and "§" not in masked[cut.start():] else len(masked.rstrip())
    if _ADVERBIAL.match(masked[c_s:]) and "§" not in masked[c_s:c_e]:
        return None  # "he said at the end of the briefing": an adverbial, not what was said
    return (c_s, c_e) if c_e - c_s > 2 else None


def _stance(masked: str, start: int) -> Structure | None:
    """A stance verb: 'Ankara blamed ...', 'the SDF denied ...', '..., accusing ...'."""
    for m in _STANCE.finditer(masked):
        who = subject(masked, m.start())
        if m.group("verb").endswith("ing") and (main := _PARTICIPLE_SUBJECT.match(masked[start:])):
            who = (start + main.start("who"), start + main.end("who"))  # ", accusing ...": the main clause's subject
        if who and speaker_like(masked[who[0]:who[1]]):
            cut = _CUT.search(masked, m.end())
            return Structure("stance", who, (m.start(), cut.start() if cut else len(masked.rstrip())))
    return None


def speaker_like(words: str) -> bool:
    """Could these words name a speaker? A pronoun, a capitalised name, or an institution ("the ministry")."""
    words = words.strip()
    if not words or len(words.split()) > 10:
        return False
    if re.fullmatch(r"(?:he|she|they)", words, re.IGNORECASE):
        return True
    if re.match(r"(?:the|all)\s+(?:parties|sides|participants|meeting|talks|two|three|four)\b", words, re.IGNORECASE):
        return False
    if DEFINITE.search(words):
        return True
    return any(not DEMONYM.match(n) and n.lower() not in STOP for n in NAME_RUN.findall(words))


def subject(outside: str, verb_start: int) -> Span | None:
    """The words before a verb that name who acts: back to the clause boundary (a comma, a quote, a subordinator),
    skipping connectors ("Damascus, in turn, is pressing") and reaching back over a relative ("the opposition that")."""
    left = outside[:verb_start]
    segment = _clause(left)
    if segment is None:
        return None
    seg_s, seg_e = segment
    phrase = left[seg_s:seg_e]
    cuts = [m for m in _SUBORDINATE.finditer(phrase)
            if m.group(0) != "and" or (len(phrase[m.end():].split()) <= 3 and len(phrase.split()) > 8)]
    start = seg_s
    if cuts:
        last = cuts[-1]
        if phrase[last.end():].strip():
            start = seg_s + last.end()
        elif last.group(0) in ("that", "who", "which"):
            return _before_relative(left, phrase, seg_s, last.start())
    chunk = left[start:seg_e]
    chunk = re.sub(r"^(\s*)(?:yet|but|and|while|so)\s", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), chunk)
    chunk = re.sub(r"\s(?:also|too|then|now)(\s*)$", lambda m: " " * len(m.group(0)), chunk)
    words = chunk.strip(" ,;:§\n")
    if not words or len(words.split()) > 12:
        return None
    begin = start + chunk.find(words)
    return begin, begin + len(words)


def _clause(left: str) -> Span | None:
    """The last clause of `left` that is not only a connector ("in turn", "however")."""
    bounds = [m.end() for m in re.finditer(r"[,;:]|§+", left)]
    for seg_s, seg_e in reversed(list(zip([0, *bounds], [*bounds, len(left)], strict=True))):
        words = left[seg_s:seg_e].strip(" ,;:§\n")
        if words and not _CONNECTOR.match(words):
            return seg_s, seg_e
    return None


def _before_relative(left: str, phrase: str, seg_s: int, relative_at: int) -> Span | None:
    """'the opposition that ...': the (up to three) words before the relative pronoun."""
    back = " ".join(phrase[:relative_at].split()[-3:])
    start = seg_s + phrase.rfind(back, 0, relative_at) if back else seg_s
    piece = left[start:seg_s + relative_at]
    words = piece.strip()
    if not words:
        return None
    begin = start + (len(piece) - len(piece.lstrip()))
    return begin, begin + len(words)


def _after_verb(outside: str, verb_end: int) -> Span | None:
    right = outside[verb_end:]
    m = re.match(r"\s{1,3}(?P<who>(?:the\s+|he\b|she\b)?[A-Z]?[^,.;]{0,60}?)(?=\s*(?:[,.;]|$|\s+in\s+a\s+statement))", right)
    if not m or not re.match(r"(?:the\s|he\b|she\b|[A-Z])", m.group("who")):
        return None
    return verb_end + m.start("who"), verb_end + m.end("who")


@dataclass(frozen=True)
class Attribution:
    """The phrase naming who speaks, in the seed: where it is, its words, and the pattern that found it."""

    start: int
    end: int
    words: str
    how: str


def attribution(text: str, sent_s: int, sent_e: int, q_s: int, q_e: int, passages: list[Span]) -> Attribution | None:
    """The phrase naming who speaks a quoted passage, in its sentence outside quotation marks."""
    # Blank out every quoted passage (marks included) so speech verbs inside quotes are not read as attribution.
    outside = mask(text, sent_s, sent_e, passages).replace("§", " ")
    m = ACCORDING.search(outside)
    if m:
        return Attribution(sent_s + m.start("who"), sent_s + m.end("who"), m.group("who").strip(), "according to X")
    found = _verb_attribution(outside, q_s - sent_s, q_e - sent_s)
    if found:
        (s, e), how = found
        return Attribution(sent_s + s, sent_s + e, outside[s:e].strip(), how)
    # A quote followed only by a short noun phrase: '"...," the Russian Defense Ministry.'
    rel_e = q_e - sent_s
    tail_words = outside[rel_e + 1:].strip(" ,.;\n")
    if tail_words and len(tail_words.split()) <= 6 and re.match(r"(?:the\s+)?[A-Z]", tail_words) \
            and not re.search(r"\b(?:was|were|is|are|had|has)\b", tail_words):
        start = outside.index(tail_words, rel_e)
        return Attribution(sent_s + start, sent_s + start + len(tail_words), tail_words, "a noun phrase after the quote")
    return None


def _verb_attribution(outside: str, rel_q: int, rel_e: int) -> tuple[Span, str] | None:
    """A speech verb's subject (or, right after the quote, its inverted subject) that could name a speaker."""
    verbs = list(SPEECH_RX.finditer(outside))
    # A verb right after the quote ('...," he said') attributes it; else the nearest verb before it, then any other.
    tail = [v for v in verbs if v.start() >= rel_e and len(outside[rel_e:v.start()].split()) <= 6]
    before = [v for v in verbs if v.start() < rel_q][::-1]
    rest = [v for v in verbs if v not in tail and v not in before]
    for v in tail + before + rest:
        tries = [(subject(outside, v.start()), "X said")]
        if v in tail:  # inversion only right after the quote: '"...," said the statement.'
            tries.append((_after_verb(outside, v.end()), "said X"))
        for span, how in tries:
            if span and speaker_like(outside[span[0]:span[1]]):
                return span, how
    return None
