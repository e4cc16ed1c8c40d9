"""The built tables hold the coding the issue asks for. Every expectation below was checked by hand against the
seed texts, not copied from the program's output. Where a test names articles, it names those checked by hand as
"at least these"; the rule it states is computed from the tables, so it holds as the corpus grows."""
from __future__ import annotations

import calendar
import csv
import re
import unicodedata
from collections import defaultdict

import pytest
import yaml

from support import ROOT
from tstalks.core import load_schemas

DEC, APR = "moscow-defence-ministers-2022-12", "moscow-defence-ministers-2023-04"


def table(name: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / "csv" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sources(event_id: str) -> set[str]:
    return {r["article_id"] for r in table("event_sources") if r["event_id"] == event_id}


def participants(event_id: str) -> set[str]:
    return {r["participant_id"] for r in table("event_participants") if r["event_id"] == event_id}


def statement_events() -> dict[str, str]:
    return {s["statement_id"]: s["event_id"] for s in table("statements") if s["event_id"]}


def quoting_articles(event_id: str) -> set[str]:
    """The articles that quote a statement about, or made at, the event."""
    about = {sid for sid, eid in statement_events().items() if eid == event_id}
    return {q["article_id"] for q in table("quotes") if q["statement_id"] in about}


def speaker_of_quote(words: str, article_id: str) -> str:
    speakers = {s["statement_id"]: s["speaker_id"] for s in table("statements")}
    found = [q for q in table("quotes") if q["article_id"] == article_id and words in " ".join(q["quote_text"].split())]
    assert len(found) == 1, f"{len(found)} quotes of {article_id} hold '{words}'"
    return speakers[found[0]["statement_id"]]


def _plain(text: str) -> str:
    return " ".join(text.split()).lower().translate(str.maketrans("“”’", "\"\"'"))


def statements_of_quotes(words: str) -> dict[str, str]:
    return {q["article_id"]: q["statement_id"] for q in table("quotes") if _plain(words) in _plain(q["quote_text"])}


def test_each_defence_ministers_meeting_is_a_single_event_row():
    meetings = [(e["event_format"], e["start_date"]) for e in table("events")
                if e["event_type"] == "meeting" and e["event_level"] == "defence_ministers" and not e["parent_event_id"]]
    assert sorted(meetings) == [("quadrilateral", "2023-04-25"), ("trilateral", "2022-12-01")]


def test_every_article_quoting_a_statement_about_an_event_reports_that_event():
    """An article that quotes a readout of a meeting (or any statement tied to an event) is among that event's
    sources: its mention of the event is coded, not only the quote."""
    missing = {(eid, aid) for eid in set(statement_events().values()) for aid in quoting_articles(eid) - sources(eid)}
    assert missing == set()


@pytest.mark.parametrize("event_id, reporting", [
    # checked by hand: a001 "In December", a002 "on Wednesday", a003, a004 "late December 2022",
    # a005 "held talks in Moscow in December", a006 "hosting talks between their defense ministers in December"
    (DEC, {"a001", "a002", "a003", "a004", "a005", "a006"}),
    # checked by hand: a000, a001, a004 "on Tuesday", a007 "last month", a008, a009 "on Tuesday"
    (APR, {"a000", "a001", "a004", "a007", "a008", "a009"}),
])
def test_each_defence_ministers_meeting_has_every_reporting_article_as_a_source(event_id: str, reporting: set[str]):
    """Every article that reports the meeting is among its sources, whether it quotes a readout of it or only
    mentions it (one real-world meeting is one row, whatever the outlet calls it)."""
    assert reporting | quoting_articles(event_id) <= sources(event_id)


def test_the_december_meeting_is_dated_to_the_month_only():
    event = next(e for e in table("events") if e["event_id"] == DEC)
    assert (event["start_date"], event["start_date_precision"]) == ("2022-12-01", "month")
    assert "Wednesday" in event["note"] and "December 29, 2022" in event["note"]


@pytest.mark.parametrize("event_id", [DEC, "intelligence-chiefs-moscow-2022-12"])
def test_the_december_meeting_lies_between_21_and_28_december_2022(event_id: str):
    """a002 "on Wednesday", a004 "late December 2022", a003 "Updated: December 29, 2022", after a002's "In
    mid-December, he indicated ...": Wednesday 21 or 28 December (issue 16). The intelligence chiefs met at it."""
    event = next(e for e in table("events") if e["event_id"] == event_id)
    assert (event["start_date_earliest"], event["start_date_latest"]) == ("2022-12-21", "2022-12-28")
    note = " ".join(event["date_bounds_note"].split())
    for words in ("on Wednesday", "late December 2022", "Updated: December 29, 2022"):
        assert words in note, words
    readouts = [s for s in table("statements") if s["event_id"] == event_id and s["date_resolution"] == "from_event"]
    assert readouts and {(s["statement_date_earliest"], s["statement_date_latest"]) for s in readouts} == \
        {("2022-12-21", "2022-12-28")}


DATED = [("events", "start_date", "date_resolution", "date_note"), ("statements", "statement_date", "date_resolution",
                                                                      "date_note")]


@pytest.mark.parametrize("name, column, resolution, note", DATED)
def test_every_inferred_date_is_published_with_its_reasoning(name: str, column: str, resolution: str, note: str):
    inferred = [r for r in table(name) if r[resolution] == "inferred"]
    assert inferred and all(r[column] for r in inferred)
    assert [r for r in inferred if not r[note].strip()] == []


def test_every_inferred_publication_date_is_published_with_its_reasoning():
    inferred = [a for a in table("articles") if a["published_date_source"] == "inferred"]
    assert inferred and [a["article_id"] for a in inferred if not a["published_date_note"].strip()] == []


def _last_day(date: str, precision: str) -> str:
    y, m, _ = (int(x) for x in date.split("-"))
    return {"day": date, "month": f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}", "year": f"{y:04d}-12-31",
            "decade": f"{y + 9:04d}-12-31"}[precision]


@pytest.mark.parametrize("name, column", [("events", "start_date"), ("events", "end_date"),
                                          ("statements", "statement_date"), ("articles", "published_date"),
                                          ("articles", "captured_date")])
def test_every_date_has_bounds_inside_its_period_and_a_day_has_itself(name: str, column: str):
    for r in table(name):
        date, precision, low, high = (r[column + k] for k in ("", "_precision", "_earliest", "_latest"))
        if not date:
            assert (low, high) == ("", ""), r
            continue
        assert date <= low <= high <= _last_day(date, precision), r  # ISO dates compare as text
        if precision == "day":
            assert low == high == date, r


def test_bounds_narrower_than_their_period_say_why():
    for name, column, note in [("events", "start_date", "date_bounds_note"), ("statements", "statement_date", "date_bounds_note"),
                               ("articles", "published_date", "published_date_bounds_note")]:
        for r in table(name):
            narrowed = r[column] and (r[column + "_earliest"], r[column + "_latest"]) != \
                (r[column], _last_day(r[column], r[column + "_precision"]))
            if narrowed and r.get("date_resolution") != "from_event":
                assert r[note].strip(), (name, r)


def test_the_december_meeting_lists_its_named_participants():
    assert {"sergei-shoigu", "hulusi-akar", "ali-mahmoud-abbas", "recep-tayyip-erdogan",
            "turkish-intelligence-service", "syrian-intelligence-service"} <= participants(DEC)


def test_the_april_meeting_lists_its_named_participants():
    assert {"sergei-shoigu", "hulusi-akar", "ali-mahmoud-abbas", "mohammed-reza-ashtiani", "kremlin",
            "turkish-intelligence-service", "syrian-intelligence-service", "russian-intelligence-service",
            "iranian-intelligence-service"} <= participants(APR)


@pytest.mark.parametrize("article_id, words, speaker", [
    ("a000", "Practical steps were discussed", "russian-defence-ministry"),
    ("a000", "the fight against all extremist groups in Syria", "russian-defence-ministry"),
    ("a000", "return Syrian refugees to their lands", "turkish-defence-ministry"),
    ("a000", "reaffirmed their respect for Syria's territorial integrity", "turkish-defence-ministry"),
    ("a000", "quartet meeting of the defense ministers", "syrian-defence-ministry"),
    ("a001", "practical steps to strengthen security", "russian-defence-ministry"),
    ("a001", "reaffirmed their adherence to the preservation", "russian-defence-ministry"),
    ("a001", "special attention was given to countering terror threats", "russian-defence-ministry"),
    ("a001", "to ensure and maintain stability in Syria", "turkish-defence-ministry"),
    ("a004", "The parties confirmed their respect", "turkish-defence-ministry"),
    ("a004", "reopening of the strategic M-4 highway", "syrian-defence-ministry"),
    ("a004", "the meeting as “positive", "syrian-defence-ministry"),
    ("a002", "ways to resolve the Syrian crisis", "russian-defence-ministry"),
    ("a002", "noted the constructive nature of the dialog", "russian-defence-ministry"),
    ("a002", "constructive atmosphere", "turkish-defence-ministry"),
    ("a002", "joint efforts to combat all terrorist organizations", "turkish-defence-ministry"),
    ("a003", "ways to resolve the Syrian crisis", "russian-defence-ministry"),
    ("a003", "constructive atmosphere", "turkish-defence-ministry"),
    ("a002", "We are holding discussions with the Russians", "hulusi-akar"),
    ("a003", "There will be no permanent peace otherwise", "mevlut-cavusoglu"),
])
def test_each_readout_quote_is_linked_to_its_speaker(article_id: str, words: str, speaker: str):
    assert speaker_of_quote(words, article_id) == speaker


@pytest.mark.parametrize("words, articles", [
    ("ways to resolve the Syrian crisis", {"a002", "a003"}),
    ("noted the constructive nature of the dialog", {"a002", "a003"}),
    ("practical steps", {"a000", "a001", "a008", "a009"}),
    ('was held in a "constructive atmosphere', {"a002", "a003"}),
    ("respect for Syria's territorial integrity", {"a000", "a004"}),
    ('the "constructive atmosphere', {"a000", "a009"}),
    ("to ensure and maintain stability in Syria and the region as a whole", {"a001", "a009"}),
    ('"quartet meeting of the defense ministers', {"a000", "a009"}),
])
def test_one_readout_reported_by_several_outlets_is_one_statement(words: str, articles: set[str]):
    """Every quote holding the same words of a readout, in whichever article, attests one statement; the articles
    found by hand to hold them are among those quoting them."""
    found = statements_of_quotes(words)
    assert articles <= set(found)
    assert len(set(found.values())) == 1


@pytest.mark.parametrize("speaker, articles", [
    ("russian-defence-ministry", {"a000", "a001", "a007", "a008", "a009"}),
    ("turkish-defence-ministry", {"a000", "a001", "a004", "a009"}),
    ("syrian-defence-ministry", {"a000", "a004", "a008", "a009"}),
])
def test_each_ministrys_readout_of_the_april_meeting_is_one_statement_across_articles(speaker: str, articles: set[str]):
    """A ministry's readout of the April meeting is one statement, however many articles quote it (one row, not one
    per outlet); the articles found by hand to quote it are among its quotes' articles."""
    readouts = [s["statement_id"] for s in table("statements")
                if s["speaker_id"] == speaker and s["event_id"] == APR and s["statement_kind"] == "readout"]
    assert len(readouts) == 1
    assert articles <= {q["article_id"] for q in table("quotes") if q["statement_id"] == readouts[0]}


def test_relayed_quotes_name_their_intermediary():
    """A quote's intermediary is an organization other than the statement's speaker, named in the quote's own
    article (it has an alias there); the relays found by hand are all recorded."""
    via = {q["quote_id"]: q["intermediary_id"] for q in table("quotes") if q["intermediary_id"]}
    assert {"a000-q05": "syrian-state-media", "a003-q01": "anadolu", "a004-q06": "sana", "a004-q07": "sana",
            "a004-q08": "sana", "a008-q01": "sana", "a008-q02": "sana", "a008-q03": "sana"}.items() <= via.items()
    kinds = {p["participant_id"]: p["participant_kind"] for p in table("participants")}
    speakers = {s["statement_id"]: s["speaker_id"] for s in table("statements")}
    named = {(a["article_id"], a["participant_id"]) for a in table("participant_aliases")}
    for q in table("quotes"):
        if q["intermediary_id"]:
            assert kinds[q["intermediary_id"]] == "organization", q["quote_id"]
            assert q["intermediary_id"] != speakers[q["statement_id"]], q["quote_id"]
            assert (q["article_id"], q["intermediary_id"]) in named, q["quote_id"]


@pytest.mark.parametrize("name, column", [
    ("quotes", "quote_text"), ("event_sources", "span_text"), ("event_participants", "span_text"),
    ("participant_aliases", "alias")])
def test_every_span_lies_inside_its_article_body(name: str, column: str):
    body = {a["article_id"]: (int(a["body_start"]), int(a["body_end"])) for a in table("articles")}
    outside = [r[column] for r in table(name)
               if not body[r["article_id"]][0] <= int(r["span_start"]) < int(r["span_end"]) <= body[r["article_id"]][1]]
    assert outside == []


@pytest.mark.parametrize("words", [
    "Vadim Savitsky", "foreign agent", "NATO", "Suzan Fraser", "Your support", "Powered by automated translation",
    "Sergei Savostyanov", "Al-Monitor PRO"])
def test_nothing_is_coded_from_captions_appeals_or_footers(words: str):
    coded = [r[c] for n, c in (("quotes", "quote_text"), ("event_sources", "span_text"),
                               ("event_participants", "span_text"), ("participant_aliases", "alias"))
             for r in table(n)]
    assert not any(words in text for text in coded)


def _seeds() -> dict[str, str]:
    """Each article's seed text as stored (offsets count its code points, so no newline translation)."""
    return {a["article_id"]: (ROOT / "seeds" / "articles" / a["seed_file"]).read_bytes().decode("utf-8")
            for a in table("articles")}


def _inside_a_word(text: str, at: int) -> bool:
    def wordy(c: str) -> bool:
        return unicodedata.category(c)[0] in "LMN"  # letters, combining marks, digits
    return 0 < at < len(text) and wordy(text[at - 1]) and wordy(text[at])


@pytest.mark.parametrize("name", sorted(load_schemas(ROOT / "schemas").span_tables))
def test_no_span_starts_or_ends_inside_a_word(name: str):
    seeds = _seeds()
    cut = [(r["article_id"], r["span_start"], r["span_end"]) for r in table(name)
           if _inside_a_word(seeds[r["article_id"]], int(r["span_start"]))
           or _inside_a_word(seeds[r["article_id"]], int(r["span_end"]))]
    assert cut == []


def test_every_alias_points_at_the_first_whole_word_appearance_of_its_spelling():
    seeds, body = _seeds(), {a["article_id"]: int(a["body_start"]) for a in table("articles")}
    straight = str.maketrans("‘’“”", "''\"\"")  # straight and curly marks are one spelling
    for r in table("participant_aliases"):
        text = seeds[r["article_id"]].translate(straight)
        words = r["alias"].translate(straight).split()
        spelling = re.compile(r"(?<![^\W_])" + r"\s+".join(map(re.escape, words)) + r"(?![^\W_])")
        first = spelling.search(text, body[r["article_id"]])
        assert first and first.start() == int(r["span_start"]), (r["participant_id"], r["article_id"], r["alias"])


def test_article_002_has_no_publication_date():
    a002 = next(a for a in table("articles") if a["article_id"] == "a002")
    assert (a002["published_date_source"], a002["published_date"], a002["url"]) == ("unknown", "", "")


def test_article_000_has_no_headline_coded_from_its_caption():
    a000 = next(a for a in table("articles") if a["article_id"] == "a000")
    assert a000["title"] == ""


@pytest.mark.parametrize("discrepancy_id, articles", [
    ("a000-source-url", {"a000", "a002"}),
    ("civil-war-start-year", {"a000", "a001", "a003", "a004", "a005", "a009"}),
    ("rupture-year", {"a000", "a003", "a004", "a009"}),
    ("april-meeting-format", {"a000", "a001", "a004", "a007", "a008", "a009"}),
    ("april-meeting-accounts", {"a000", "a004", "a008", "a009"}),
    ("dec-readout-attribution", {"a002", "a003"}),
    ("dec-atmosphere-attribution", {"a002", "a003"}),
    ("territorial-integrity-attribution", {"a000", "a001", "a004", "a009"}),
    ("civil-war-death-toll", {"a000", "a001"}),
    ("leaders-meeting-format", {"a002", "a003"}),
    ("foreign-ministers-proposal-format", {"a002", "a003"}),
    ("syrian-readout-speaker", {"a000", "a004", "a008", "a009"}),
    ("cavusoglu-may-meeting-remark-date", {"a005", "a007"}),
    ("four-party-continuation-attribution", {"a001", "a009"}),
    ("april-readout-mehr-attribution", {"a001", "a007", "a008", "a009"}),
    ("damascus-demands-accounts", {"a001", "a004", "a005", "a008"}),
    ("april-atmosphere-attribution", {"a000", "a009"}),
])
def test_each_discrepancy_names_its_articles(discrepancy_id: str, articles: set[str]):
    """Each disagreement found by hand is a row whose values cite at least the articles that disagree."""
    found = defaultdict(set)
    for v in table("discrepancy_values"):
        found[v["discrepancy_id"]].add(v["article_id"])
    assert articles <= found[discrepancy_id]


def test_every_discrepancy_sets_at_least_two_values_side_by_side():
    """A discrepancy compares: each has two or more values, from two or more articles unless one article contradicts
    itself (then two values of that article)."""
    values = defaultdict(list)
    for v in table("discrepancy_values"):
        values[v["discrepancy_id"]].append(v["article_id"])
    assert {d["discrepancy_id"] for d in table("discrepancies")} == set(values)
    assert all(len(found) >= 2 for found in values.values()), values


def test_the_discrepancies_table_holds_exactly_the_disagreements_recorded():
    """Every discrepancy of seeds/codings/discrepancies.yaml is a row, with every value it lists, and nothing else."""
    recorded = yaml.safe_load((ROOT / "seeds" / "codings" / "discrepancies.yaml").read_text("utf-8"))["discrepancies"]
    assert sorted(d["id"] for d in recorded) == sorted(d["discrepancy_id"] for d in table("discrepancies"))
    assert sorted((d["id"], v["article"]) for d in recorded for v in d["values"]) == \
        sorted((v["discrepancy_id"], v["article_id"]) for v in table("discrepancy_values"))


def test_the_syrian_presidents_spellings_are_all_aliases():
    spellings = {(a["article_id"], a["alias"]) for a in table("participant_aliases") if a["participant_id"] == "bashar-al-assad"}
    assert {("a000", "Bashar al-Assad"), ("a001", "Bashar Assad"), ("a003", "Bashar Al Assad"),
            ("a004", "Bashar al-Assad")} <= spellings
