"""Check stage: rows -> problems. Keys, foreign keys and constraints are read from the Table Schemas,
so a new key or constraint is enforced without code; the rules below them are those no schema can state."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

import pycountry

from .dates import period_end
from .problems import Problem
from .resolve import ArticleText, Row

# Tables whose rows rest on a span of an article body (discrepancies about article metadata may not).
SPAN_TEXT = {"quotes": "quote_text", "event_sources": "span_text", "event_participants": "span_text",
             "participant_aliases": "alias", "discrepancy_values": "span_text"}


def _problem(row: Row, table: str, message: str, fix: str) -> Problem:
    file, line, where = row.get("_origin", (f"<{table}>", None, ""))
    return Problem(file, line, where, message, fix)


def key(row: Row, fields: Iterable[str]) -> tuple[Any, ...]:
    return tuple(row.get(f) for f in fields)


def check_schema_rules(tables: dict[str, list[Row]], schemas: dict[str, dict[str, Any]]) -> list[Problem]:
    """Required, enum, pattern, minimum, unique and primary keys, and every foreign key the schemas declare."""
    found: list[Problem] = []
    for name, schema in schemas.items():
        rows = tables.get(name, [])
        for f in schema["fields"]:
            c = f.get("constraints", {})
            rx = re.compile(c["pattern"]) if "pattern" in c else None
            for row in rows:
                value = row.get(f["name"])
                if value is None:
                    if c.get("required"):
                        found.append(_problem(row, name, f"{name}.{f['name']} is required but empty", "give a value"))
                    continue
                if "enum" in c and value not in c["enum"]:
                    found.append(_problem(row, name, f"{name}.{f['name']} '{value}' is not in codelist {f.get('codelist')}",
                                          f"use a code from schemas/codelists/{f.get('codelist')}.csv"))
                if rx and not rx.fullmatch(str(value)):
                    found.append(_problem(row, name, f"{name}.{f['name']} '{value}' does not match {c['pattern']}",
                                          "correct the value"))
                if "minimum" in c and value < c["minimum"]:
                    found.append(_problem(row, name, f"{name}.{f['name']} {value} is below {c['minimum']}", "correct the value"))
            if c.get("unique"):
                counts = Counter(row.get(f["name"]) for row in rows if row.get(f["name"]) is not None)
                for row in rows:
                    if counts.get(row.get(f["name"]), 0) > 1:
                        found.append(_problem(row, name, f"{name}.{f['name']} '{row[f['name']]}' is not unique "
                                              f"({counts[row[f['name']]]} rows)", "give each row its own value"))
        pk = schema["primaryKey"]
        for k, n in Counter(key(r, pk) for r in rows).items():
            if n > 1:
                for row in (r for r in rows if key(r, pk) == k):
                    found.append(_problem(row, name, f"duplicate {name} key {'/'.join(map(str, k))} ({n} rows)",
                                          "ids are unique and never reused: give this one a new id"))
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"].get("resource", name)
            known = {key(r, fk["reference"]["fields"]) for r in tables.get(target, [])}
            for row in rows:
                k = key(row, fk["fields"])
                if all(v is not None for v in k) and k not in known:
                    found.append(_problem(row, name,
                                          f"{'/'.join(fk['fields'])} '{'/'.join(map(str, k))}' refers to no row of {target}",
                                          f"add it to the {target} registry, or correct the reference"))
    return found


def check_domain_rules(tables: dict[str, list[Row]], texts: dict[str, ArticleText],
                       cow_iso: dict[int, str]) -> list[Problem]:
    """Spans, dates, state codes and evidence. `cow_iso` maps each COW state number to its ISO alpha-3 code."""
    found: list[Problem] = []
    found += _spans(tables, texts)
    found += _dates(tables, texts)
    found += _participants(tables, cow_iso)
    found += _evidence(tables)
    return found


def _spans(tables: dict[str, list[Row]], texts: dict[str, ArticleText]) -> list[Problem]:
    found = []
    metadata = {d["discrepancy_id"] for d in tables["discrepancies"] if d.get("article_id")}
    for name, text_field in SPAN_TEXT.items():
        for row in tables[name]:
            text = texts.get(row["article_id"])
            if text is None:
                continue
            start, end = row["span_start"], row["span_end"]
            if text.seed.text[start:end] != row[text_field]:
                found.append(_problem(row, name, f"{text_field} is not the seed's text at [{start}, {end})", "rebuild from the coding"))
            in_body = text.body_start <= start < end <= text.body_end
            if not in_body and not (name == "discrepancy_values" and row["discrepancy_id"] in metadata):
                found.append(_problem(row, name, f"span [{start}, {end}) lies outside the body of {row['article_id']}",
                                      "code only from the body; headlines, captions and boilerplate are not evidence"))
    return found


def _dates(tables: dict[str, list[Row]], texts: dict[str, ArticleText]) -> list[Problem]:
    found = []
    for e in tables["events"]:
        if e["start_date"] and e["end_date"] and period_end(e["end_date"], e["end_date_precision"]) < e["start_date"]:
            found.append(_problem(e, "events", f"end date {e['end_date']} is before start date {e['start_date']}",
                                  "swap or correct the dates"))
        if e["end_date"] and not e["start_date"]:
            found.append(_problem(e, "events", "an end date without a start date", "give the start date too"))
    for table, column in (("events", "start_date"), ("statements", "statement_date")):
        for row in tables[table]:
            text = texts.get(row.get("date_article_id") or "")
            planned = row.get("event_status") in ("planned", "proposed")
            if row[column] and text and text.published and not planned and row[column] > period_end(text.published, text.published_precision):
                found.append(_problem(row, table, f"{column} {row[column]} is after the publication of {text.article_id} "
                                      f"({text.published}), yet the event is not planned or proposed",
                                      "check the expression; a future date needs status 'planned' or 'proposed'"))
    return found


def _participants(tables: dict[str, list[Row]], cow_iso: dict[int, str]) -> list[Problem]:
    found = []
    for p in tables["participants"]:
        code = p.get("country_code")
        if code and pycountry.countries.get(alpha_3=code) is None:
            found.append(_problem(p, "participants", f"'{code}' is not an ISO 3166-1 alpha-3 code", "use the ISO 3166-1 alpha-3 code"))
        is_state = p["participant_kind"] == "state"
        if is_state and not code:
            found.append(_problem(p, "participants", "a state needs its ISO 3166-1 alpha-3 country_code", "add country_code"))
        if not is_state and (code or p.get("cow_code") is not None):
            found.append(_problem(p, "participants", "only states carry country_code and cow_code",
                                  "remove them; link a person or organization to its state with 'affiliation'"))
        cow = p.get("cow_code")
        if cow is not None and cow in cow_iso and cow_iso[cow] != code:
            found.append(_problem(p, "participants", f"COW state {cow} is {cow_iso[cow]}, but country_code is {code}",
                                  "make country_code and cow_code name the same state (schemas/codelists/cow_state.csv)"))
    for e in tables["events"]:
        code = e.get("country_code")
        if code and pycountry.countries.get(alpha_3=code) is None:
            found.append(_problem(e, "events", f"'{code}' is not an ISO 3166-1 alpha-3 code", "use the ISO 3166-1 alpha-3 code"))
    return found


def _evidence(tables: dict[str, list[Row]]) -> list[Problem]:
    """Every registry row is attested by at least one span of an article body."""
    found = []
    attested = {
        ("participants", "participant_id"): {r["participant_id"] for r in tables["participant_aliases"]},
        ("events", "event_id"): {r["event_id"] for r in tables["event_sources"]},
        ("statements", "statement_id"): {r["statement_id"] for r in tables["quotes"]},
        ("discrepancies", "discrepancy_id"): {r["discrepancy_id"] for r in tables["discrepancy_values"]},
    }
    how = {"participants": "add a spelling of its name to the aliases of an article that names it",
           "events": "add a mention of it to the events of an article that reports it",
           "statements": "add a quote of it to an article that reports it",
           "discrepancies": "give its values, each with the words of its article"}
    for (table, column), ids in attested.items():
        for row in tables[table]:
            if row[column] not in ids:
                found.append(_problem(row, table, f"{table} row {row[column]} is attested by no span of any article body", how[table]))
    return found
