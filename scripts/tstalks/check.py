"""Check stage: rows -> problems, each traced to the file and line the row was coded at.

Rules of one row (spans equal their seed text and lie in the body, dates in order, state codes) run on each
row as it is resolved. Rules of whole tables run on the collected Arrow tables: the Table Schemas' constraints,
unique fields, primary keys and every foreign key, by the same columnar code that validates a published package
(fastcheck.py), so each schema rule has one implementation and a new key or constraint needs no code; then the
evidence rule, which no schema can state."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import fastcheck
from .dates import period_end
from .problems import Problem

if TYPE_CHECKING:  # `tstalks validate` imports SPAN_TEXT from here: keep the build's modules out of its start-up
    from .resolve import ArticleText, Row

# Tables whose rows rest on a span of an article body (discrepancies about article metadata may not).
SPAN_TEXT = {"quotes": "quote_text", "event_sources": "span_text", "event_participants": "span_text",
             "participant_aliases": "alias", "discrepancy_values": "span_text"}


def _problem(row: Row, table: str, message: str, fix: str) -> Problem:
    file, line, where = row.get("_origin", (f"<{table}>", None, ""))
    return Problem(file, line, where, message, fix)


# Rules of one row


def row_problems(table: str, row: Row, texts: dict[str, ArticleText], cow_iso: dict[int, str]) -> list[Problem]:
    """Spans, dates and state codes of one row. `cow_iso` maps each COW state number to its ISO alpha-3 code."""
    import pycountry

    found: list[Problem] = []
    if table in SPAN_TEXT:
        found += _span(table, row, texts)
    if table in ("events", "statements"):
        found += _dates(table, row, texts)
    if table == "participants":
        found += _participant(row, cow_iso)
    if table == "events" and row.get("country_code") and pycountry.countries.get(alpha_3=row["country_code"]) is None:
        found.append(_problem(row, table, f"'{row['country_code']}' is not an ISO 3166-1 alpha-3 code",
                              "use the ISO 3166-1 alpha-3 code"))
    return found


def _span(table: str, row: Row, texts: dict[str, ArticleText]) -> list[Problem]:
    text = texts.get(row["article_id"])
    if text is None:
        return []
    found = []
    start, end, text_field = row["span_start"], row["span_end"], SPAN_TEXT[table]
    if text.seed.text[start:end] != row[text_field]:
        found.append(_problem(row, table, f"{text_field} is not the seed's text at [{start}, {end})", "rebuild from the coding"))
    if not (text.body_start <= start < end <= text.body_end) and not row.get("_whole_seed"):
        found.append(_problem(row, table, f"span [{start}, {end}) lies outside the body of {row['article_id']}",
                              "code only from the body; headlines, captions and boilerplate are not evidence"))
    return found


def _dates(table: str, row: Row, texts: dict[str, ArticleText]) -> list[Problem]:
    found = []
    if table == "events":
        if row["start_date"] and row["end_date"] and period_end(row["end_date"], row["end_date_precision"]) < row["start_date"]:
            found.append(_problem(row, table, f"end date {row['end_date']} is before start date {row['start_date']}",
                                  "swap or correct the dates"))
        if row["end_date"] and not row["start_date"]:
            found.append(_problem(row, table, "an end date without a start date", "give the start date too"))
    column = "start_date" if table == "events" else "statement_date"
    text = texts.get(row.get("date_article_id") or "")
    planned = row.get("event_status") in ("planned", "proposed")
    if row[column] and text and text.published and not planned and row[column] > period_end(text.published, text.published_precision):
        found.append(_problem(row, table, f"{column} {row[column]} is after the publication of {text.article_id} "
                              f"({text.published}), yet the event is not planned or proposed",
                              "check the expression; a future date needs status 'planned' or 'proposed'"))
    return found


def _participant(p: Row, cow_iso: dict[int, str]) -> list[Problem]:
    import pycountry

    found = []
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
    return found


# Rules of whole tables (Arrow tables as export.collect makes them: published columns plus _file, _line, _where)


def _origin(table: pa.Table, i: int) -> tuple[str, int | None, str]:
    return table["_file"][i].as_py(), table["_line"][i].as_py(), table["_where"][i].as_py() or ""


def _at(table: pa.Table, i: int, message: str, fix: str) -> Problem:
    return Problem(*_origin(table, i), message, fix)


def table_problems(tables: dict[str, pa.Table], schemas: dict[str, dict[str, Any]]) -> list[Problem]:
    """Constraints, unique fields, primary keys and foreign keys from the Table Schemas, then the evidence rule."""
    columns = {name: {f["name"]: fastcheck.Column(fastcheck.one_array(tables[name][f["name"]]), np.zeros(tables[name].num_rows, bool))
                      for f in schema["fields"]} for name, schema in schemas.items()}
    found: list[Problem] = []
    for name, schema in schemas.items():
        table, cols = tables[name], columns[name]
        for f in schema["fields"]:
            for kind, limit in f.get("constraints", {}).items():
                if kind == "unique":
                    continue
                for e in fastcheck.constraint_errors(name, {**f, "constraints": {kind: limit}}, cols[f["name"]]):
                    found.append(_constraint(table, name, f, kind, limit, e.row - fastcheck.FIRST_ROW))
        found += _repeats(name, schema, table, fastcheck.repeat_errors(name, schema, cols))
        for e in fastcheck.foreign_key_errors(name, schema, cols, columns):
            i = e.row - fastcheck.FIRST_ROW
            fields = e.field.split(",")
            target = next(fk["reference"].get("resource") or name for fk in schema["foreignKeys"] if fk["fields"] == fields)
            value = "/".join(str(table[f][i].as_py()) for f in fields)
            found.append(_at(table, i, f"{'/'.join(fields)} '{value}' refers to no row of {target}",
                             f"add it to the {target} registry, or correct the reference"))
    found += _evidence(tables)
    return found


def _constraint(table: pa.Table, name: str, f: dict[str, Any], kind: str, limit: Any, i: int) -> Problem:
    value = table[f["name"]][i].as_py()
    label = f"{name}.{f['name']}"
    if kind == "required":
        return _at(table, i, f"{label} is required but empty", "give a value")
    if kind == "enum":
        return _at(table, i, f"{label} '{value}' is not in codelist {f.get('codelist')}",
                   f"use a code from schemas/codelists/{f.get('codelist')}.csv")
    if kind == "pattern":
        return _at(table, i, f"{label} '{value}' does not match {limit}", "correct the value")
    if kind == "minimum":
        return _at(table, i, f"{label} {value} is below {limit}", "correct the value")
    return _at(table, i, f"{label} '{value}' breaks the constraint {kind} = {limit}", "correct the value")


def _repeats(name: str, schema: dict[str, Any], table: pa.Table, errors: list[fastcheck.Error]) -> list[Problem]:
    """The unique-field and primary-key errors, reported on every row that shares the repeated value (not only
    the repeats after the first), so the curator sees each place the id was given."""
    found = []
    for what, fields in [("unique", [f["name"]]) for f in schema["fields"]] + [("key", schema["primaryKey"])]:
        kind, field = ("unique-error", fields[0]) if what == "unique" else ("primary-key", None)
        rows = [e.row - fastcheck.FIRST_ROW for e in errors if e.type == kind and e.field == field]
        keys = {tuple(table[f][i].as_py() for f in fields) for i in rows}
        if not keys:
            continue
        first = [k[0] for k in keys if k[0] is not None]
        candidates = np.flatnonzero(np.asarray(pc.is_in(table[fields[0]], value_set=pa.array(first, table[fields[0]].type))
                                               .to_numpy(zero_copy_only=False), bool) | np.asarray(pc.is_null(table[fields[0]])))
        sharing = [(int(i), k) for i in candidates if (k := tuple(table[f][int(i)].as_py() for f in fields)) in keys]
        counts = Counter(k for _, k in sharing)
        for i, k in sharing:
            if what == "unique":
                found.append(_at(table, i, f"{name}.{field} '{k[0]}' is not unique ({counts[k]} rows)", "give each row its own value"))
            elif all(v is None for v in k):
                found.append(_at(table, i, f"{name} row has no {'/'.join(fields)}", "give the row its id"))
            else:
                found.append(_at(table, i, f"duplicate {name} key {'/'.join(map(str, k))} ({counts[k]} rows)",
                                 "ids are unique and never reused: give this one a new id"))
    return found


# Each registry row and the link table whose rows attest it, by the column they share.
ATTESTED = {
    "participants": ("participant_id", "participant_aliases", "add a spelling of its name to the aliases of an article that names it"),
    "events": ("event_id", "event_sources", "add a mention of it to the events of an article that reports it"),
    "statements": ("statement_id", "quotes", "add a quote of it to an article that reports it"),
    "discrepancies": ("discrepancy_id", "discrepancy_values", "give its values, each with the words of its article"),
}


def _evidence(tables: dict[str, pa.Table]) -> list[Problem]:
    """Every registry row is attested by at least one span of an article body."""
    found = []
    for table, (column, link, how) in ATTESTED.items():
        ids = tables[table][column]
        attested = np.asarray(pc.is_in(ids, value_set=pc.unique(tables[link][column])).to_numpy(zero_copy_only=False), bool)
        for i in np.flatnonzero(~attested):
            found.append(_at(tables[table], int(i), f"{table} row {ids[int(i)].as_py()} is attested by no span of any article body", how))
    return found
