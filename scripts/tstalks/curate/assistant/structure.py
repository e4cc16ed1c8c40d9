"""The reporting structure of a sentence: who speaks, who relays it, and which words report what was said.

Read on the sentence with its quoted passages masked ("§"), so that verbs inside quotation marks are never taken
for the attribution. Offsets are into the sentence. The verbs and nouns come from the lexicon (`Grammar`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import Lexicon
from .names import DEMONYM, NAME_RUN, STOP

_AUX = r"(?:(?:has|have|had|is|are|was|were|would|will|did|does|do)\s+)?(?:also\s+)?(?:been\s+)?"
_AFTER_VERB = r"(?:\s+(?:in|at|on|during|after|before|to|from|with|by|late|earlier|later)\b[^,§]{0,60})?"
_THAT = re.compile(r"^(?P<pre>[^§]{0,80}?\bthat)\s+")
_CUT = re.compile(r",\s+(?:using|after|while|amid|following|before|which|who|as|but|yet|and\s+(?:has|is|was))\b"
                  r"|\s+(?:much\s+to\s+the|despite|in\s+spite\s+of)\s")
_LEAD_CONNECTOR = re.compile(r"^(?:[A-Z][A-Z.’' -]{2,30}(?:,\s*[A-Z][\w. ]{1,30})?(?:\s*\([^)]{1,20}\))?\s*[—–-]{1,2}\s+)?"
                             r"(?:(?:In\s+addition|However|Also|Meanwhile|But|And|Yet|Earlier|Later|Separately)\s*,?\s+)?")
_HEAD_ACCORDING = re.compile(r"^\s*According\s+to\s+(?P<who>[^,§]{2,80}),\s*")
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>[^,.;“”\"]{2,80}(?:,\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}(?=\s*[.;]))?)",
                        re.IGNORECASE)
_SPEECH_ACT = re.compile(r"\b(?:threats?|calls?|comments?|remarks?|pledges?|warnings?|promises?|demands?)\s+by\s+"
                         r"(?P<who>[^,.;§]{2,60}?)\s+(?P<content>(?:to|that|on|about)\s+[^,.;§]+)")
_PARTICIPLE_SUBJECT = re.compile(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[\w’'-]+\s+){0,4}?[\w’'-]+?)\s+(?:have|has|had|is|are|was|were|\w+ed)\b")
_ADVERBIAL = re.compile(r"(?:at|in|on|during|after|before|to|from|by|with)\b")
_CONNECTOR = re.compile(r"^(?:in\s+turn|however|also|meanwhile|in\s+addition|for\s+its\s+part|too)$", re.IGNORECASE)
_SUBORDINATE = re.compile(r"\b(?:after|before|when|while|because|since|but|that|who|which|where|and)\b")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be)$", re.IGNORECASE)
_QUOTED_AS = re.compile(r"\bquoted\s+(?P<who>[^,§]{2,80}?)\s+as\s+saying\b(?:\s+that)?\s*", re.IGNORECASE)
STRIP_END = "\"“”‘’'.,;:!? \n\t"

Span = tuple[int, int]


@dataclass(frozen=True)
class Structure:
    form: str  # according, speech act, tail, mid, nested, head, stance, citing, quoted, group
    who: Span | None  # the words naming who speaks (None: carried from the account the sentence goes on with)
    content: Span  # the words reporting what was said
    via: Span | None = None  # the words naming who relays it


@dataclass(frozen=True)
class Attribution:
    """The phrase naming who speaks, in the seed: where it is, its words, the pattern that found it, and the
    phrase naming who relays it."""

    start: int
    end: int
    words: str
    how: str
    via: str | None = None  # the words naming the relay


def mask(text: str, start: int, end: int, passages: list[Span]) -> str:
    """The sentence with each quoted passage, marks included, replaced by '§' (offsets kept)."""
    end = min(end, len(text))  # a caller may reach one past an unclosed quotation at the end of the text
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


class Grammar:
    """The reporting structures, built from a lexicon's verbs, nouns and cues."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        say = lexicon.tail
        self.definite = lexicon.nouns_for()
        self.head = lexicon.head
        self.tails = (
            ("tail", re.compile(rf"(?:,|§)\s*(?P<who>[^,§]{{2,80}}?)\s+{_AUX}(?:{say}){_AFTER_VERB}\s*[.!]?\s*$", re.I)),
            ("tail", re.compile(rf"(?:,|§)\s*(?:{say})\s+(?P<who>[^,§]{{2,60}}?)\s*[.!]?\s*$", re.I)),
            ("according", re.compile(r"(?:,|§)\s*according\s+to\s+(?P<who>[^§]{2,80}?)\s*[.!]?\s*$", re.I)),
            ("tail", re.compile(r"§\s*(?P<who>(?:the\s+)?[A-Z][^,§]{2,50}?)\s*[.]?\s*$")),
        )
        # "..., the Turkish foreign minister said on Friday, as part of ...": an attribution inside the sentence.
        self.mid = re.compile(rf",\s*(?P<who>[^,§]{{2,80}}?)\s+{_AUX}(?:{say}){_AFTER_VERB}\s*,\s+(?=\S)", re.I)
        self.stance = re.compile(rf"\b(?P<verb>{_AUX}(?:{lexicon.stance}))\b", re.I)
        self.citing = re.compile(r"(?:,\s*)?\bciting\s+(?P<who>[^,§]{2,80}?)(?=\s*(?:,|\bthat\b|$|\s+as\s+saying))", re.I)

    # The structure of one sentence

    def structure(self, masked: str) -> Structure | None:
        """The reporting structure of a masked sentence; None if it reports no one."""
        lead = _LEAD_CONNECTOR.match(masked)
        start = lead.end() if lead else 0
        opening = _HEAD_ACCORDING.match(masked, start)
        if opening and self.speaker_like(opening.group("who")):
            return Structure("according", opening.span("who"), (opening.end(), len(masked.rstrip())))
        act = _SPEECH_ACT.search(masked)
        if act and self.speaker_like(act.group("who")):
            return Structure("speech act", act.span("who"), act.span("content"))
        for rule in (self._citing, self._quoted, self._tail, self._mid, self._head, self._stance):
            found = rule(masked, start)
            if found:
                return found
        return None

    def _citing(self, masked: str, start: int) -> Structure | None:
        """"A reported, citing B, that C" / "A, citing B, reported that C" / "C, A reported, citing B": B speaks, A
        relays."""
        m = self.citing.search(masked, start)
        if not m or not self.speaker_like(m.group("who")):
            return None
        before = masked[start:m.start()]
        verb = list(self.lexicon.speech.finditer(masked, start, m.start()))
        relay = subject(masked, verb[-1].start()) if verb else None
        after = masked[m.end():]
        that = re.match(r"\s*,?\s*(?:(?:\w+\s+){0,3}?(?:" + self.lexicon.tail + r")\s+)?that\s+", after, re.I)
        if that:
            return Structure("citing", m.span("who"), (m.end() + that.end(), len(masked.rstrip())), relay)
        # The content closes the sentence before "A reported, citing B".
        tail = re.search(r"(?:,|§)\s*[^,§]{2,80}?$", before)
        if tail and relay:
            return Structure("citing", m.span("who"), (start, start + tail.start() + 1), relay)
        return None

    def _quoted(self, masked: str, start: int) -> Structure | None:
        """"A quoted B as saying (that) C": B speaks, A relays."""
        m = _QUOTED_AS.search(masked, start)
        if not m or not self.speaker_like(m.group("who")):
            return None
        relay = subject(masked, m.start())
        return Structure("quoted", m.span("who"), (m.end(), len(masked.rstrip())), relay)

    def _tail(self, masked: str, start: int) -> Structure | None:
        """An attribution closing the sentence: '..., X said.', '..., said X.', '..., according to X.', '“...” the X.'"""
        for form, rx in self.tails:
            m = rx.search(masked)
            if not (m and self.speaker_like(m.group("who")) and m.start() > start):
                continue
            boundary = m.start() + (1 if masked[m.start()] == "§" else 0)
            if rx is self.tails[3][1] and "§" not in masked[start:boundary]:
                continue
            return self._nested(masked, start, boundary, form, m.span("who"))
        return None

    def _nested(self, masked: str, start: int, boundary: int, form: str, who: Span) -> Structure:
        """"the Syrian side described the meeting as '...', according to SANA": the inner verb's subject speaks and
        the closing attribution relays it."""
        first_quote = masked.find("§", start, boundary)
        search_to = first_quote if first_quote >= 0 else boundary
        clause = list(re.finditer(r",\s+(?:yet|but|while)\s+", masked[start:search_to]))
        if clause:
            start += clause[-1].end()
        inner = list(self.head.finditer(masked, start, search_to))
        if (inner and (sub := subject(masked, inner[-1].start())) and self.speaker_like(masked[sub[0]:sub[1]])
                and (first_quote >= 0 or form == "according")):
            return Structure("nested", sub, (inner[-1].end(), boundary), who)
        return Structure(form, who, (start, boundary))

    def _mid(self, masked: str, start: int) -> Structure | None:
        m = self.mid.search(masked, start)
        if not m or m.start() <= start or not self.speaker_like(m.group("who")):
            return None
        return Structure("mid", m.span("who"), (start, m.start()))

    def _head(self, masked: str, start: int) -> Structure | None:
        """An attribution opening the reported words: 'X said (that) ...'; a group or passive subject is part of
        the content, and the account the sentence goes on with speaks."""
        for m in self.head.finditer(masked):
            who = subject(masked, m.start())
            if m.group("verb").lower() in ("noting", "saying"):
                who = self._main_subject(masked, start, m.start())
            if who and self.carried_subject(masked[who[0]:who[1]]):
                return Structure("group", None, (who[0], _head_end(masked, m.end())))
            if not who or not self.speaker_like(masked[who[0]:who[1]]):
                continue
            if re.match(r"tol[dl]", m.group("verb"), re.I) and not _THAT.match(masked[m.end():]):
                continue  # "he told a joint news conference": the words after "told" are whom he told
            content = _head_content(masked, m.end())
            if content:
                return Structure("head", who, content)
        return None

    def _main_subject(self, masked: str, start: int, participle: int) -> Span | None:
        """Who ", saying ..." reports: the main clause's subject, or, after a quotation ('"...," Mr X told A,
        saying ...'), the subject of the verb before the participle."""
        main = re.match(r"\s*(?P<who>(?:[Tt]he\s+)?(?:[A-Z][\w’'-]*\s+)*[A-Z][\w’'-]*)", masked[start:])
        if main:
            return start + main.start("who"), start + main.end("who")
        before = [v for v in self.lexicon.speech.finditer(masked, start, participle)]
        return subject(masked, before[-1].start()) if before else None

    def _stance(self, masked: str, start: int) -> Structure | None:
        """A stance verb: 'Ankara blamed ...', 'the SDF denied ...', '..., accusing ...'."""
        for m in self.stance.finditer(masked):
            who = subject(masked, m.start())
            if m.group("verb").endswith("ing") and (main := _PARTICIPLE_SUBJECT.match(masked[start:])):
                who = (start + main.start("who"), start + main.end("who"))  # ", accusing ...": the main clause's subject
            if who and self.speaker_like(masked[who[0]:who[1]]):
                cut = _CUT.search(masked, m.end())
                return Structure("stance", who, (m.start(), cut.start() if cut else len(masked.rstrip())))
        return None

    # Words that can name a speaker

    def carried_subject(self, words: str) -> bool:
        """A subject standing for several parties ("The four ministers", "They") or a passive one ("Special
        attention was"): it names no speaker of its own."""
        words = words.strip()
        group = self.lexicon.cues.get("group")
        return bool((group and group.fullmatch(words)) or _PASSIVE.search(words))

    def speaker_like(self, words: str) -> bool:
        """Could these words name a speaker? A pronoun, a capitalised name, or a body ("the ministry")."""
        words = words.strip()
        if not words or len(words.split()) > 10:
            return False
        if re.fullmatch(r"(?:he|she|it|him|her)", words, re.IGNORECASE):
            return True
        if self.carried_subject(words):
            return False
        if self.definite.search(words):
            return True
        return any(not DEMONYM.match(n) and n.lower() not in STOP for n in NAME_RUN.findall(words))

    # The attribution of a quoted passage outside any structure

    def attribution(self, text: str, sent_s: int, sent_e: int, q_s: int, q_e: int, passages: list[Span]) -> Attribution | None:
        """The phrase naming who speaks a quoted passage, in its sentence outside quotation marks."""
        # Blank out every quoted passage (marks included) so speech verbs inside quotes are not read as attribution.
        outside = mask(text, sent_s, sent_e, passages).replace("§", " ")
        m = _ACCORDING.search(outside)
        if m:
            return Attribution(sent_s + m.start("who"), sent_s + m.end("who"), m.group("who").strip(), "according to X")
        found = self._verb_attribution(outside, q_s - sent_s, q_e - sent_s)
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

    def _verb_attribution(self, outside: str, rel_q: int, rel_e: int) -> tuple[Span, str] | None:
        """A speech verb's subject (or, right after the quote, its inverted subject) that could name a speaker."""
        verbs = list(self.lexicon.speech.finditer(outside))
        # A verb right after the quote ('...," he said') attributes it; else the nearest verb before it, then any other.
        tail = [v for v in verbs if v.start() >= rel_e and len(outside[rel_e:v.start()].split()) <= 6]
        before = [v for v in verbs if v.start() < rel_q][::-1]
        rest = [v for v in verbs if v not in tail and v not in before]
        for v in tail + before + rest:
            tries = [(subject(outside, v.start()), "X said")]
            if v in tail:  # inversion only right after the quote: '"...," said the statement.'
                tries.append((_after_verb(outside, v.end()), "said X"))
            for span, how in tries:
                if span and self.speaker_like(outside[span[0]:span[1]]):
                    return span, how
        return None


def _head_content(masked: str, verb_end: int) -> Span | None:
    """What a head verb reports: after 'that', up to a clause that is not its; None for 'said at the briefing'."""
    c_s = verb_end
    rest = masked[c_s:]
    that = _THAT.match(rest)
    c_s += that.end() if that and "§" not in that.group("pre") else len(rest) - len(rest.lstrip())
    c_e = _head_end(masked, c_s)
    if _ADVERBIAL.match(masked[c_s:]) and "§" not in masked[c_s:c_e]:
        return None  # "he said at the end of the briefing": an adverbial, not what was said
    return (c_s, c_e) if c_e - c_s > 2 else None


def _head_end(masked: str, from_: int) -> int:
    cut = _CUT.search(masked, from_)
    return cut.start() if cut and "§" not in masked[cut.start():] else len(masked.rstrip())


def subject(outside: str, verb_start: int) -> Span | None:
    """The words before a verb that name who acts: back to the clause boundary (a comma, a quote, a subordinator),
    skipping connectors ("Damascus, in turn, is pressing") and reaching back over a relative ("the opposition that");
    auxiliaries before the verb ("have said") are not part of it."""
    left = re.sub(r"(\s(?:has|have|had|would|will|did|does|do)(?:\s+also)?\s*)$", lambda m: " " * len(m.group(0)),
                  outside[:verb_start])
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
    chunk = re.sub(r"^(\s*)(?:yet|but|and|while|so|however|meanwhile)\s", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))),
                   chunk, flags=re.IGNORECASE)  # "But Damascus demands": the connector is no part of the name
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
