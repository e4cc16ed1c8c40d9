"""Hypothesis strategies for whole curation inputs: registries, seed texts and the codings that point into them.

A generated `Curation` knows, independently of the pipeline, where it put every
piece of evidence in every seed (code-point offsets) and what every date must
resolve to, so properties can compare the build's output with the generator's
own record instead of with the program's output.

Seeds are built from *pieces* (a quote, a spelling of a name, an event mention,
...). Each piece carries a unique token (`§n§`) so it occurs once; the curator
writes its words with single spaces and straight quotation marks, while the
seed renders them with line breaks, tabs, non-breaking spaces and curly marks.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tstalks.core import sha256, spans

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"


def codelist(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((SCHEMAS / "codelists" / f"{name}.csv").read_text("utf-8"))))


def codes(name: str) -> list[str]:
    return [row["code"] for row in codelist(name)]


COW = [(int(row["code"]), row["description"]) for row in codelist("cow_state")]  # (COW number, ISO alpha-3)
ISO3 = sorted({iso for _, iso in COW} | {"EGY", "IRQ", "JOR", "LBN", "QAT", "SAU", "ARE", "AZE", "KAZ", "CHE"})

# --- text -------------------------------------------------------------------------------------------------------------

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإ"  # right-to-left
MARKS = "\u200f\u200e"  # right-to-left and left-to-right marks: not whitespace, part of a word
PUNCT = ",.;:!?()-/'\"‘’“”«»&%#@*"
DIGITS = "0123456789٠١٢٣"
WORD_ALPHABET = LATIN + CYRILLIC + ARABIC + MARKS + PUNCT + DIGITS
# Values that naive CSV/Parquet readers turn into something else.
TRICKY = ["NA", "N/A", "null", "None", "NaN", "nan", "true", "FALSE", "no", "0", "-1", "1e5", "2023-02-30",
          "~", "#", "a,b", "\"", "'", "=1+1", "\\", "  padded  "]
# Whitespace the seed may have where the curator wrote one space.
WHITESPACE = [" ", " ", " ", "  ", "\n", " \n", "\n\n", "\t", "\u00a0", "\r\n", " \t "]
# Straight and curly forms the build treats as the same character.
EQUIVALENT = {"'": "'‘’", "‘": "'‘’", "’": "'‘’", '"': '"“”', "“": '"“”', "”": '"“”'}
QUOTE_MARKS = [("“", "”"), ('"', '"'), ("«", "»"), ("‘", "’"), ("„", "“")]

words_ = st.text(alphabet=WORD_ALPHABET, min_size=1, max_size=7)
scripts = st.sampled_from([LATIN, CYRILLIC, ARABIC])


@st.composite
def name_words(draw: st.DrawFn) -> str:
    """A name in one script (Latin, Cyrillic or Arabic), one to three words."""
    alphabet = draw(scripts)
    return " ".join(draw(st.lists(st.text(alphabet=alphabet, min_size=2, max_size=8), min_size=1, max_size=3)))


# Free text for registry values: commas, tabs, newlines, quote characters, right-to-left text, CSV traps.
free_text = st.one_of(
    st.text(alphabet=WORD_ALPHABET + " ,\t\n\"'", min_size=1, max_size=30).filter(lambda s: s.strip()),
    st.sampled_from(TRICKY),
    name_words(),
)


# The reasoning of an inferred date: free text with at least one word in it (the build refuses blanks and marks).
reasoning = free_text.filter(lambda t: any(c.isalnum() for c in t))


def ident(prefix: str, i: int) -> str:
    return f"{prefix}{i}"


# --- dates ------------------------------------------------------------------------------------------------------------

MONTH_NAMES = list(calendar.month_name)[1:]
WEEKDAY_NAMES = list(calendar.day_name)
PRECISIONS = ("day", "month", "year", "decade")


def period_end(date: dt.date, precision: str) -> dt.date:
    if precision == "day":
        return date
    if precision == "month":
        return dt.date(date.year, date.month, calendar.monthrange(date.year, date.month)[1])
    if precision == "year":
        return dt.date(date.year, 12, 31)
    return dt.date(date.year + 9, 12, 31)


dates_ = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


@dataclass(frozen=True)
class Publication:
    source: str  # article_date_source code
    date: dt.date | None
    precision: str | None
    spec: dict[str, Any]  # the coding's `published` mapping
    header: str  # the line the seed prints it on ("" when it prints none)
    earliest: dt.date | None = None  # the bounds the coding narrows it to, if any
    latest: dt.date | None = None

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        return expected_bounds(self.date, self.precision, self.earliest, self.latest)


@st.composite
def publications(draw: st.DrawFn, token: str) -> Publication:
    source = draw(st.sampled_from(["printed", "printed_update", "url", "inferred", "unknown"]))
    d = draw(dates_)
    if source in ("printed", "printed_update"):
        # A time makes the printed date unique in the seed: no body expression carries one.
        form = draw(st.sampled_from(["{d} {M} {Y}, {h}:{m:02d} GMT", "{M} {d}, {Y} {h}:{m:02d} pm", "{W}, {d} {M} {Y} {h}:{m:02d}"]))
        expression = form.format(d=d.day, M=MONTH_NAMES[d.month - 1], Y=d.year, W=WEEKDAY_NAMES[d.weekday()],
                                 h=draw(st.integers(1, 12)), m=draw(st.integers(0, 59)))
        label = "Updated:" if source == "printed_update" else draw(st.sampled_from(["Published", "", "Опубликовано"]))
        return Publication(source, d, "day", {"source": source, "expression": expression}, f"{label} {expression}".strip())
    if source == "url":
        url = f"https://news.example.org/{d.year}/{d.month:02d}/{d.day:02d}/slug-{token}"
        return Publication(source, d, "day", {"source": "url", "expression": url}, url)
    if source == "inferred":
        precision = draw(st.sampled_from(["day", "month", "year"]))
        value = {"day": d.isoformat(), "month": d.isoformat()[:7], "year": d.isoformat()[:4]}[precision]
        start = {"day": d, "month": d.replace(day=1), "year": d.replace(month=1, day=1)}[precision]
        return Publication(source, start, precision, {"source": "inferred", "value": value, "note": draw(reasoning)}, "")
    return Publication(source, None, None, {"source": "unknown", "note": draw(free_text)}, "")


@dataclass(frozen=True)
class DateChoice:
    """A date spec for a registry entry, and what it must resolve to."""

    spec: dict[str, Any] | None  # the coding's date mapping (expression specs get `article` filled in later)
    date: dt.date | None
    precision: str | None
    expression: str | None = None  # words to place in the dating article's body
    resolution: str | None = None
    earliest: dt.date | None = None  # the bounds the spec narrows the date to, if any
    latest: dt.date | None = None

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        return expected_bounds(self.date, self.precision, self.earliest, self.latest)


def expected_bounds(date: dt.date | None, precision: str | None, earliest: dt.date | None,
                    latest: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest day the build must publish: the period's edges unless narrowed; none without a date."""
    if date is None or precision is None:
        return None, None
    return earliest or date, latest or period_end(date, precision)


@st.composite
def narrowing(draw: st.DrawFn, date: dt.date | None, precision: str | None,
              witness: tuple[str, str]) -> tuple[dict[str, Any], dt.date | None, dt.date | None] | None:
    """Bounds a curator may give a date coarser than a day: one or both days inside its period, leaving more than one
    day, with a note quoting the evidence `witness` (an article id and words of its seed). None for no bounds."""
    if date is None or precision in (None, "day"):
        return None
    last = period_end(date, precision)
    inside = st.dates(min_value=date, max_value=last)
    earliest, latest = draw(st.none() | inside), draw(st.none() | inside)
    if earliest and latest and earliest > latest:
        earliest, latest = latest, earliest
    if (earliest is None and latest is None) or (earliest or date) == (latest or last):
        return None
    article, words = witness
    spec: dict[str, Any] = {k: d.isoformat() for k, d in (("earliest", earliest), ("latest", latest)) if d}
    spec |= {"note": f"{draw(free_text)} - {article} \"{words}\"", "evidence": [{"article": article, "text": words}]}
    return spec, earliest, latest


@st.composite
def bounded(draw: st.DrawFn, choice: DateChoice, witness: tuple[str, str]) -> DateChoice:
    """`choice`, maybe narrowed by bounds resting on `witness`."""
    narrowed = draw(narrowing(choice.date, choice.precision, witness))
    if narrowed is None:
        return choice
    spec, earliest, latest = narrowed
    return replace(choice, spec={**(choice.spec or {}), "bounds": spec}, earliest=earliest, latest=latest)


def _latest_weekday(pub: dt.date, weekday: int) -> dt.date:
    return next(pub - dt.timedelta(days=k) for k in range(7) if (pub - dt.timedelta(days=k)).weekday() == weekday)


@st.composite
def date_choices(draw: st.DrawFn, pub: Publication | None, not_after: bool, ahead: bool = False) -> DateChoice:
    """A date: inferred, or an expression resolvable against `pub`. `not_after`: never after publication.
    `ahead`: it dates a planned or proposed event, so a bare weekday or month is the next one, not the last."""
    kinds = ["inferred"]
    if pub is not None:
        kinds.append("explicit")
        if pub.date is not None:
            rank = PRECISIONS.index(pub.precision)
            kinds += ["this_year", "last_year", "years_ago"]
            if rank <= 1:
                kinds += ["named_month", "this_month", "last_month"]
            if rank == 0:
                kinds += ["weekday"]
    kind = draw(st.sampled_from(kinds))
    if kind == "inferred":
        d = draw(dates_)
        precision = draw(st.sampled_from(PRECISIONS))
        start = {"day": d, "month": d.replace(day=1), "year": d.replace(month=1, day=1),
                 "decade": dt.date(d.year - d.year % 10, 1, 1)}[precision]
        value = {"day": d.isoformat(), "month": d.isoformat()[:7], "year": d.isoformat()[:4],
                 "decade": f"{start.year}s"}[precision]
        return DateChoice({"value": value, "note": draw(reasoning)}, start, precision, resolution="inferred")
    assert pub is not None
    p = pub.date
    if kind == "explicit":
        latest = period_end(p, pub.precision) if (not_after and p) else dt.date(2030, 12, 31)
        d = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=latest))
        form = draw(st.sampled_from(["dmy", "mdy", "wdmy", "my", "late_my", "y", "decade"]))
        month = MONTH_NAMES[d.month - 1]
        text, date, precision = {
            "dmy": (f"on {d.day} {month} {d.year}", d, "day"),
            "mdy": (f"{month} {d.day}, {d.year}", d, "day"),
            "wdmy": (f"{WEEKDAY_NAMES[d.weekday()]}, {d.day} {month} {d.year}", d, "day"),
            "my": (f"in {month} {d.year}", d.replace(day=1), "month"),
            "late_my": (f"late {month} {d.year}", d.replace(day=1), "month"),
            "y": (f"in {d.year}", d.replace(month=1, day=1), "year"),
            "decade": (f"the {d.year - d.year % 10}s", dt.date(d.year - d.year % 10, 1, 1), "decade"),
        }[form]
        return DateChoice({"expression": text}, date, precision, text, "explicit")
    assert p is not None
    if kind == "weekday":
        wd = draw(st.integers(0, 6))
        text = draw(st.sampled_from(["on {W}", "{W}", "last {W}", "on {W}'s"])).format(W=WEEKDAY_NAMES[wd])
        if ahead and not text.startswith("last"):
            following = p + dt.timedelta(days=next(n for n in range(1, 8) if (p.weekday() + n) % 7 == wd))
            return DateChoice({"expression": text}, following, "day", text, "weekday_ahead")
        return DateChoice({"expression": text}, _latest_weekday(p, wd), "day", text, "weekday")
    if kind == "named_month":
        m = draw(st.integers(1, 12))
        text = draw(st.sampled_from(["In {M}", "in early {M}", "{M}", "late {M}"])).format(M=MONTH_NAMES[m - 1])
        if ahead:  # the first such month from the publication's on
            year = p.year if m >= p.month else p.year + 1
            return DateChoice({"expression": text}, dt.date(year, m, 1), "month", text, "named_month_ahead")
        year = p.year if m <= p.month else p.year - 1
        return DateChoice({"expression": text}, dt.date(year, m, 1), "month", text, "named_month")
    if kind == "this_month":
        return DateChoice({"expression": "earlier this month"}, p.replace(day=1), "month", "earlier this month", "this_month")
    if kind == "last_month":
        prev = p.replace(day=1) - dt.timedelta(days=1)
        return DateChoice({"expression": "last month"}, prev.replace(day=1), "month", "last month", "last_month")
    if kind == "this_year":
        return DateChoice({"expression": "this year"}, dt.date(p.year, 1, 1), "year", "this year", "this_year")
    if kind == "last_year":
        return DateChoice({"expression": "last year"}, dt.date(p.year - 1, 1, 1), "year", "last year", "last_year")
    n = draw(st.integers(1, 12))
    word = draw(st.sampled_from([str(n), "zero one two three four five six seven eight nine ten eleven twelve".split()[n]]))
    text = draw(st.sampled_from(["{n} years ago", "for {n} years", "the {n}-year conflict"])).format(n=word)
    return DateChoice({"expression": text}, dt.date(p.year - n, 1, 1), "year", text, "years_ago")


# --- pieces and seeds -------------------------------------------------------------------------------------------------

@dataclass
class Piece:
    """A passage placed in a seed: the curator's words and, after assembly, its offsets."""

    key: tuple[Any, ...]  # what it evidences, e.g. ("quote", "q3")
    segments: list[tuple[str, str]]  # (name, curator words); the piece is their words joined by whitespace
    wrap: tuple[str, str] = ("", "")  # quotation marks around it in the seed (not part of the span)
    start: int = -1
    end: int = -1
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # segment name -> span in the seed
    roles: list[tuple[str, str]] = field(default_factory=list)  # for a mention: (participant, role) it attests
    quote: dict[str, Any] = field(default_factory=dict)  # for a quote: its coding apart from the text

    @property
    def words(self) -> str:
        return " ".join(w for _, w in self.segments)


@st.composite
def rendered(draw: st.DrawFn, words: str, curly: bool = True) -> str:
    """The seed's form of the curator's words: other whitespace, and curly or straight marks."""
    out = []
    for i, token in enumerate(words.split(" ")):
        if i:
            out.append(draw(st.sampled_from(WHITESPACE)))
        for c in token:
            out.append(draw(st.sampled_from(EQUIVALENT[c])) if (curly and c in EQUIVALENT) else c)
    return "".join(out)


@st.composite
def filler(draw: st.DrawFn) -> str:
    """Words between pieces; never holds the token mark §."""
    parts = draw(st.lists(words_, min_size=0, max_size=3))
    return "".join(draw(st.sampled_from(WHITESPACE)) + p for p in parts) + draw(st.sampled_from(WHITESPACE))


@dataclass
class Article:
    id: str
    seed_file: str
    publication: Publication
    title: str
    outlet: str
    byline: str | None
    url: str | None
    dateline: str | None
    note: str | None
    pieces: list[Piece] = field(default_factory=list)
    text: str = ""
    body: tuple[int, int] = (-1, -1)
    coding: dict[str, Any] = field(default_factory=dict)

    def piece(self, *key: Any) -> Piece:
        return next(p for p in self.pieces if p.key == key)


@dataclass
class Curation:
    participants: list[dict[str, Any]]
    events: list[dict[str, Any]]
    statements: list[dict[str, Any]]
    discrepancies: list[dict[str, Any]]
    articles: list[Article]
    event_dates: dict[str, DateChoice]
    statement_dates: dict[str, DateChoice]

    def article(self, aid: str) -> Article:
        return next(a for a in self.articles if a.id == aid)

    def registry(self, kind: str) -> dict[str, Any]:
        return {kind: getattr(self, kind)}

    def files(self) -> dict[str, bytes]:
        """Every curated and raw input file, by path relative to the project root."""
        files = {f"seeds/articles/{a.seed_file}": a.text.encode("utf-8") for a in self.articles}
        for kind in ("participants", "events", "statements", "discrepancies"):
            files[f"seeds/codings/{kind}.yaml"] = dump(self.registry(kind))
        for a in self.articles:
            files[f"seeds/codings/articles/{a.id}.yaml"] = dump(a.coding)
        return files


class _PlainDumper(yaml.SafeDumper):
    """Writes a value shared by two places out twice: curated files hold no anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def sha256_text(text: str) -> str:
    return sha256(text.encode("utf-8"))


def dump(data: Any) -> bytes:
    return yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=80).encode("utf-8")


def write_project(root: Path, curation: Curation) -> Path:
    """A project folder: the repository's schemas/ and the generated seeds/."""
    for part in ("codelists", "codings", "tables"):
        shutil.copytree(SCHEMAS / part, root / "schemas" / part, dirs_exist_ok=True)
    shutil.copy(SCHEMAS / "package.json", root / "schemas" / "package.json")
    for rel, raw in curation.files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    return root


class _Tokens:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"§{self.n}§"


@st.composite
def evidence_words(draw: st.DrawFn, token: str, inner: bool = False) -> str:
    """Curator words for one piece: the token and some words, maybe quote characters inside."""
    before = draw(st.lists(words_, max_size=3))
    after = draw(st.lists(words_, max_size=4))
    if inner:
        after.append(draw(st.sampled_from(["'no'", '"yes"', "Syria's", "don't", "«тест»"])))
    return " ".join([*before, token, *after])


@st.composite
def curations(draw: st.DrawFn, max_articles: int = 3) -> Curation:
    """A whole valid curation: registries, articles and seeds that reference each other."""
    token = _Tokens()
    n_articles = draw(st.integers(1, max_articles))
    articles = []
    for i in range(n_articles):
        pub = draw(publications(token()))
        has_url = pub.source == "url" or draw(st.booleans())
        url = pub.spec["expression"] if pub.source == "url" else (f"https://example.net/a/{token()}" if has_url else None)
        articles.append(Article(
            id=f"a{i}", seed_file=f"{i:03d}_{draw(st.text('0123456789abcdef', min_size=4, max_size=8))}.txt",
            publication=pub, title=draw(name_words()) + " " + token(), outlet=draw(free_text),
            byline=(draw(name_words()) + " " + token()) if draw(st.booleans()) else None, url=url,
            dateline=None, note=draw(st.none() | free_text)))
    by_id = {a.id: a for a in articles}
    titles = [(a.id, a.title) for a in articles]  # words of every seed: evidence for bounds
    for a in articles:
        narrowed = draw(narrowing(a.publication.date, a.publication.precision, draw(st.sampled_from(titles))))
        if narrowed:
            spec, earliest, latest = narrowed
            a.publication = replace(a.publication, spec={**a.publication.spec, "bounds": spec}, earliest=earliest,
                                    latest=latest)

    def place(aid: str, piece: Piece) -> Piece:
        by_id[aid].pieces.append(piece)
        return piece

    article_ids = [a.id for a in articles]
    subset = st.lists(st.sampled_from(article_ids), min_size=1, max_size=n_articles, unique=True)

    # Participants, each spelt in the body of at least one article.
    participants = []
    for i in range(draw(st.integers(1, 5))):
        pid = ident(draw(st.sampled_from(["p", "person-", "org_", "state-"])), i)
        kind = draw(st.sampled_from(["person", "organization", "state"]))
        p: dict[str, Any] = {"id": pid, "kind": kind, "name": draw(free_text)}
        if draw(st.booleans()):
            p["role_title"] = draw(free_text)
        if participants and draw(st.booleans()):
            p["affiliation"] = draw(st.sampled_from([q["id"] for q in participants]))
        if kind == "state":
            cow, iso = draw(st.sampled_from(COW))
            p["country_code"] = iso
            if draw(st.booleans()):
                p["cow_code"] = cow
        if draw(st.booleans()):
            p["wikidata_qid"] = f"Q{draw(st.integers(1, 10**9))}"
        if draw(st.booleans()):
            p["note"] = draw(free_text)
        participants.append(p)
        for aid in draw(subset):
            for _ in range(draw(st.integers(1, 2))):
                place(aid, Piece(("alias", pid), [("alias", draw(name_words()) + " " + token())]))
    pids = [p["id"] for p in participants]

    # Events, each mentioned in at least one article; the first is always dated by an article's words.
    events, event_dates = [], {}
    for i in range(draw(st.integers(1, 3))):
        eid = f"e{i}-{draw(st.sampled_from(['talks', 'meeting', 'x']))}"
        mentioned = draw(subset)
        dating = by_id[draw(st.sampled_from(mentioned))]
        status = draw(st.sampled_from(codes("event_status")))
        dated = date_choices(dating.publication, not_after=False, ahead=status in ("planned", "proposed"))
        # The first event is always dated by words of an article, so some article is always referenced.
        choice = draw(dated.filter(lambda c: c.expression is not None) if i == 0 else st.none() | dated)
        if choice is not None:
            choice = draw(bounded(choice, draw(st.sampled_from(titles))))
        after = choice is not None and choice.date is not None and choice.expression is not None \
            and dating.publication.date is not None \
            and choice.date > period_end(dating.publication.date, dating.publication.precision)
        if after and status not in ("planned", "proposed"):  # only an explicit date can be: ahead changes nothing
            status = draw(st.sampled_from(["planned", "proposed"]))
        e: dict[str, Any] = {"id": eid, "type": draw(st.sampled_from(codes("event_type"))), "title": draw(free_text),
                             "status": status}
        if choice is not None:
            e["date"] = dict(choice.spec, **({"article": dating.id} if choice.expression else {}))
            event_dates[eid] = choice
            if choice.date and draw(st.booleans()):
                end = choice.date + dt.timedelta(days=draw(st.integers(0, 40)))
                e["end_date"] = {"value": end.isoformat(), "note": draw(reasoning)}
        for key, strategy in (("city", free_text), ("country_code", st.sampled_from(ISO3)),
                              ("format", st.sampled_from(codes("event_format"))),
                              ("level", st.sampled_from(codes("event_level"))), ("note", free_text)):
            if draw(st.booleans()):
                e[key] = draw(strategy)
        if events and draw(st.booleans()):
            e["parent"] = draw(st.sampled_from([x["id"] for x in events]))
        events.append(e)
        for aid in mentioned:
            segments = [("mention", draw(evidence_words(token())))]
            if choice is not None and choice.expression and aid == dating.id:
                segments += [("expression", choice.expression), ("tail", draw(words_))]
            mention = place(aid, Piece(("mention", eid), segments))
            mention.roles = draw(st.lists(st.tuples(st.sampled_from(pids), st.sampled_from(codes("event_role"))),
                                          max_size=3, unique=True))
            for pid, role in mention.roles:
                place(aid, Piece(("role", eid, pid, role), [("text", draw(evidence_words(token())))]))
    eids = [e["id"] for e in events]

    # Statements, each quoted in at least one article.
    statements, statement_dates = [], {}
    quote_n = 0
    for i in range(draw(st.integers(0, 3))):
        sid = f"s{i}"
        s: dict[str, Any] = {"id": sid, "speaker": draw(st.sampled_from(pids)), "kind": draw(st.sampled_from(codes("statement_kind"))),
                             "summary": draw(free_text)}
        if draw(st.booleans()):
            s["event"] = draw(st.sampled_from(eids))
        how = draw(st.sampled_from(["none", "choice"] + (["from_event"] if "event" in s else [])))
        if how == "from_event":
            s["date"] = {"from_event": True}
            ev = event_dates.get(s["event"])
            statement_dates[sid] = DateChoice(s["date"], ev.date if ev else None, ev.precision if ev else None,
                                              resolution="from_event", earliest=ev.earliest if ev else None,
                                              latest=ev.latest if ev else None)
        elif how == "choice":
            dating = by_id[draw(st.sampled_from(article_ids))]
            choice = draw(bounded(draw(date_choices(dating.publication, not_after=True)), draw(st.sampled_from(titles))))
            s["date"] = dict(choice.spec, **({"article": dating.id} if choice.expression else {}))
            statement_dates[sid] = choice
            if choice.expression:
                place(dating.id, Piece(("statement_date", sid), [("expression", choice.expression)]))
        topics = draw(st.lists(st.sampled_from(codes("topic")), unique=True, max_size=3))
        if topics:
            s["topics"] = topics
        if draw(st.booleans()):
            s["note"] = draw(free_text)
        statements.append(s)
        for aid in draw(subset):
            quote_n += 1
            qid = f"{aid}-q{quote_n:02d}"
            piece = place(aid, Piece(("quote", qid), [("text", draw(evidence_words(token(), inner=draw(st.booleans()))))],
                                     wrap=draw(st.sampled_from(QUOTE_MARKS))))
            piece.quote = {"id": qid, "statement": sid, "mode": draw(st.sampled_from(codes("quote_mode")))}
            if draw(st.booleans()):
                piece.quote["via"] = draw(st.sampled_from(pids))
            if draw(st.booleans()):
                piece.quote["note"] = draw(free_text)
            if draw(st.integers(0, 3)) == 0:  # the same words quoted again: the coding must say which occurrence
                place(aid, Piece(("repeat", qid), piece.segments, wrap=piece.wrap))

    # Discrepancies, each with two or more values from article bodies.
    discrepancies = []
    targets = [("participant", x) for x in pids] + [("event", x) for x in eids] + \
              [("statement", s["id"]) for s in statements] + [("article", x) for x in article_ids]
    for i in range(draw(st.integers(0, 2))):
        did = f"d{i}"
        about_kind, about_id = draw(st.sampled_from(targets))
        d: dict[str, Any] = {"id": did, "field": draw(free_text), "about": {about_kind: about_id}, "summary": draw(free_text),
                             "values": []}
        if draw(st.booleans()):
            d["note"] = draw(free_text)
        for j in range(draw(st.integers(2, 3))):
            aid = draw(st.sampled_from(article_ids))
            place(aid, Piece(("value", did, j), [("text", draw(evidence_words(token())))]))
            d["values"].append({"article": aid, "value": draw(free_text)})
        discrepancies.append(d)

    for a in articles:
        _assemble(draw, a, token)
        a.coding = _article_coding(a)
    curation = Curation(participants, events, statements, discrepancies, articles, event_dates, statement_dates)
    _fill_references(curation)
    return curation


def _assemble(draw: st.DrawFn, a: Article, token: _Tokens) -> None:
    """Lay out one seed: header, body (first words, shuffled pieces, last words), trailer; record every offset."""
    first = Piece(("first",), [("text", draw(evidence_words(token())))])
    last = Piece(("last",), [("text", draw(evidence_words(token())))])
    middle = draw(st.permutations(a.pieces)) if a.pieces else []
    if draw(st.booleans()):
        a.dateline = draw(name_words()) + " " + token()
        middle = [Piece(("dateline",), [("text", a.dateline)]), *middle]
    header = [a.title]
    if a.byline:
        header.append("By " + a.byline)
    if a.publication.header:
        header.append(a.publication.header)
    if a.url and a.url != a.publication.header:
        header.append(a.url)
    text = ""
    for line in header:
        text += draw(rendered(line, curly=False)) + "\n"
    text += draw(st.sampled_from(["", "\n", "Photo: " + draw(words_) + "\n"]))
    for k, piece in enumerate([first, *middle, last]):
        if k:
            text += draw(filler())
        text += piece.wrap[0]
        piece.start = len(text)
        for j, (name, words) in enumerate(piece.segments):
            if j:
                text += draw(st.sampled_from(WHITESPACE))
            begin = len(text)
            text += draw(rendered(words, curly=name != "expression"))
            piece.offsets[name] = (begin, len(text))
        piece.end = len(text)
        text += piece.wrap[1]
    a.body = (first.start, last.end)
    text += "\n" + draw(filler()) + draw(st.sampled_from(["", "\n", "\n© " + draw(words_) + "\n"]))
    a.text = text
    a.pieces = [first, *middle, last]


def _occurrence(a: Article, words: str, start: int) -> int | None:
    """Which match of `words` in the body starts at `start` (None when it is the only one); the build counts
    whole-word matches only."""
    found = spans.find_all(a.text, words, *a.body, whole_words=True)
    starts = [m.start for m in found]
    assert start in starts, f"generator error: {words!r} not found at {start} in {a.id}"
    return None if len(found) == 1 else starts.index(start) + 1


def _with_occurrence(spec: dict[str, Any], a: Article, words: str, start: int) -> dict[str, Any]:
    n = _occurrence(a, words, start)
    return spec if n is None else {**spec, "occurrence": n}


def _article_coding(a: Article) -> dict[str, Any]:
    c: dict[str, Any] = {"article": a.id, "seed": {"file": a.seed_file, "sha256": sha256(a.text.encode("utf-8"))},
                         "outlet": a.outlet}
    if a.url:
        c["url"] = a.url
    c["title"] = a.title
    if a.byline:
        c["byline"] = a.byline
    if a.dateline:
        c["dateline"] = a.dateline
    c["published"] = dict(a.publication.spec)
    c["body"] = {"first": {"text": a.piece("first").words}, "last": {"text": a.piece("last").words}}
    if a.note:
        c["note"] = a.note
    aliases: dict[str, list[str]] = {}
    for p in a.pieces:
        if p.key[0] == "alias":
            aliases.setdefault(p.key[1], []).append(p.words)
    if aliases:
        c["aliases"] = aliases
    mentions = []
    for p in a.pieces:
        if p.key[0] != "mention":
            continue
        m: dict[str, Any] = _with_occurrence({"event": p.key[1], "text": p.words}, a, p.words, p.start)
        if "expression" in p.offsets:
            m["date_expression"] = dict(p.segments)["expression"]
        roles = []
        for pid, role in p.roles:
            rp = a.piece("role", p.key[1], pid, role)
            roles.append({"participant": pid, "role": role, "text": rp.words})
        if roles:
            m["participants"] = roles
        mentions.append(m)
    if mentions:
        c["events"] = mentions
    quotes = []
    for p in a.pieces:
        if p.key[0] == "quote":
            quotes.append(_with_occurrence({"id": p.quote["id"], "statement": p.quote["statement"], "text": p.words},
                                           a, p.words, p.start) | {k: v for k, v in p.quote.items() if k not in ("id", "statement")})
    if quotes:
        c["quotes"] = quotes
    return c


def _fill_references(c: Curation) -> None:
    """Point registry dates and discrepancy values at the words the seeds now hold."""
    for e in c.events:
        choice = c.event_dates.get(e["id"])
        if choice and choice.expression:
            a = c.article(e["date"]["article"])
            start = a.piece("mention", e["id"]).offsets["expression"][0]
            e["date"] = _with_occurrence(e["date"], a, choice.expression, start)
    for s in c.statements:
        choice = c.statement_dates.get(s["id"])
        if choice and choice.expression:
            a = c.article(s["date"]["article"])
            start = a.piece("statement_date", s["id"]).start
            s["date"] = _with_occurrence(s["date"], a, choice.expression, start)
    for d in c.discrepancies:
        for j, v in enumerate(d["values"]):
            a = c.article(v["article"])
            piece = a.piece("value", d["id"], j)
            v["text"] = piece.words
            if "article" in d["about"]:  # metadata discrepancies search the whole seed
                found = [m.start for m in spans.find_all(a.text, piece.words, whole_words=True)]
                if len(found) > 1:
                    v["occurrence"] = found.index(piece.start) + 1
            else:
                v.update(_with_occurrence({}, a, piece.words, piece.start))


# --- what the build must produce, by the generator's own record -------------------------------------------------------

def expected_spans(c: Curation) -> dict[str, dict[tuple[Any, ...], tuple[int, int]]]:
    """Table -> primary key -> (span_start, span_end), from where the generator put each piece."""
    out: dict[str, dict[tuple[Any, ...], tuple[int, int]]] = {
        "quotes": {}, "participant_aliases": {}, "event_sources": {}, "event_participants": {}, "discrepancy_values": {}}
    for a in c.articles:
        for p in a.pieces:
            kind = p.key[0]
            if kind == "quote":
                out["quotes"][(p.quote["id"],)] = (p.start, p.end)
            elif kind == "alias":
                out["participant_aliases"][(p.key[1], a.id, a.text[p.start:p.end])] = (p.start, p.end)
            elif kind == "mention":
                out["event_sources"][(p.key[1], a.id)] = (p.start, p.end)
            elif kind == "role":
                out["event_participants"][(p.key[1], p.key[2], p.key[3], a.id)] = (p.start, p.end)
    for d in c.discrepancies:
        for j, v in enumerate(d["values"]):
            p = c.article(v["article"]).piece("value", d["id"], j)
            out["discrepancy_values"][(d["id"], v["article"], p.start)] = (p.start, p.end)
    return out


# --- building and reading a generated package -------------------------------------------------------------------------

def read_csv(raw: bytes, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a published CSV, typed by its Table Schema (an empty cell is a missing value)."""
    types = {f["name"]: f["type"] for f in schema["fields"]}
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    assert reader.fieldnames == list(types), f"columns {reader.fieldnames} are not the schema's {list(types)}"
    convert = {"string": str, "integer": int, "number": float, "date": dt.date.fromisoformat,
               "boolean": lambda v: {"true": True, "false": False}[v]}
    return [{k: None if v == "" else convert[types[k]](v) for k, v in row.items()} for row in reader]


def read_parquet(raw: bytes) -> tuple[list[dict[str, Any]], Any]:
    """Rows and Arrow schema of a published Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(raw))
    return table.to_pylist(), table.schema


def published(files: dict[str, bytes], schemas: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every table as read back from its CSV."""
    return {name: read_csv(files[f"data/csv/{name}.csv"], schema) for name, schema in schemas.items()}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output file under root (data/ and datapackage.json), by relative path."""
    out = {}
    for rel in ("datapackage.json", "data"):
        path = root / rel
        if path.is_file():
            out[rel] = path.read_bytes()
        elif path.is_dir():
            out.update({f.relative_to(root).as_posix(): f.read_bytes() for f in sorted(path.rglob("*")) if f.is_file()})
    return out


def write_outputs(root: Path, files: dict[str, bytes]) -> None:
    for rel, raw in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(raw)


# --- documents from the coding JSON Schemas ---------------------------------------------------------------------------
# hypothesis-jsonschema 0.23.1 (the latest) fails on hypothesis 6.170 (it uses a private API, `many.more`, that is gone);
# the coding schemas use a small part of JSON Schema, which this covers.

def from_json_schema(schema: dict[str, Any], root: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Documents valid under `schema` (a loader-resolved coding schema: local $refs, enums, patterns, oneOf)."""
    root = root or schema
    if "$ref" in schema:
        return from_json_schema(root["$defs"][schema["$ref"].removeprefix("#/$defs/")], root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "oneOf" in schema:
        return st.one_of([from_json_schema(s, root) for s in schema["oneOf"]])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(min_size=schema.get("minLength", 0), max_size=20)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum", 10**6))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = from_json_schema(schema.get("items", {}), root)
        low = schema.get("minItems", 0)
        unique = {"unique_by": lambda v: repr(v)} if schema.get("uniqueItems") else {}
        return st.lists(items, min_size=low, max_size=schema.get("maxItems", low + 3), **unique)
    if kind == "object":
        return _objects(schema, root)
    return st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@st.composite
def _objects(draw: st.DrawFn, schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties", {})
    required = list(schema.get("required", []))
    optional = [k for k in props if k not in required]
    low = max(0, schema.get("minProperties", 0) - len(required))
    high = schema.get("maxProperties", len(required) + len(optional)) - len(required)
    chosen = draw(st.lists(st.sampled_from(optional), unique=True, min_size=min(low, len(optional)),
                           max_size=min(high, len(optional)))) if optional else []
    out = {k: draw(from_json_schema(props[k], root)) for k in required + chosen}
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        names = st.from_regex(schema.get("propertyNames", {}).get("pattern", r"^[a-z]{1,8}$"), fullmatch=True)
        for name in draw(st.lists(names, max_size=3, unique=True)):
            out.setdefault(name, draw(from_json_schema(extra, root)))
    return out


# Any value a YAML file could hold: what a curator might write by mistake.
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10) | st.sampled_from(TRICKY),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
