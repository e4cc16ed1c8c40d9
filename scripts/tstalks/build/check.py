"""Check stage: rows -> problems, each traced to the file and line the row was coded at.

Rules of one row (spans equal their seed text, cut no word and lie in the body, dates in order, state codes) run on each
row as it is resolved. Rules of whole tables run on the collected Arrow tables: the Table Schemas' constraints,
unique fields, primary keys and every foreign key, by the same columnar code that validates a published package
(core.tableschema), so each schema rule has one implementation and a new key or constraint needs no code; then
the evidence rule, which no schema can state. Which tables hold spans, and which link table attests each
registry row, are the tables' roles (core.schemas)."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core import spans, tableschema
from ..core.dates import period_end
from ..core.problems import Problem, shown
from ..core.schemas import Schemas
from ..core.vocab import EventStatus, ParticipantKind

if TYPE_CHECKING:
    from .resolve import ArticleText, Row

UNDATED_STATUS = (EventStatus.PLANNED, EventStatus.PROPOSED)  # a date after publication is allowed only for these


def _problem(row: Row, table: str, message: str, fix: str) -> Problem:
    file, line, where = row.get("_origin", (f"<{table}>", None, ""))
    return Problem(file, line, where, message, fix)


# Rules of one row


class RowChecks:
    """The rules of one row, for the tables of `schemas`."""

    def __init__(self, schemas: Schemas):
        self.span_tables = schemas.span_tables
        # Each COW state number's ISO alpha-3 code (the codelist's description column).
        self.cow_iso = {int(row["code"]): row["description"] for row in schemas.codelists["cow_state"]}

    def __call__(self, table: str, row: Row, texts: dict[str, ArticleText]) -> list[Problem]:
        found: list[Problem] = []
        if table in self.span_tables:
            found += _span(table, self.span_tables[table], row, texts)
        if table in ("events", "statements"):
            found += _dates(table, row, texts)
        if table == "participants":
            found += _participant(row, self.cow_iso)
        if table == "events" and row.get("country_code") and not _is_iso3(row["country_code"]):
            found.append(_problem(row, table, f"'{shown(row['country_code'])}' is not an ISO 3166-1 alpha-3 code",
                                  "use the ISO 3166-1 alpha-3 code"))
        return found


def _is_iso3(code: str) -> bool:
    import pycountry  # slow to import: only the build's row checks need it

    return pycountry.countries.get(alpha_3=code) is not None


def _span(table: str, text_field: str, row: Row, texts: dict[str, ArticleText]) -> list[Problem]:
    text = texts.get(row["article_id"])
    if text is None:
        return []
    found = []
    start, end = row["span_start"], row["span_end"]
    if text.seed.text[start:end] != row[text_field]:
        found.append(_problem(row, table, f"{text_field} is not the seed's text at [{start}, {end})", "rebuild from the coding"))
    if spans.cuts_word(text.seed.text, start, end):
        found.append(_problem(row, table, f"span [{start}, {end}) of {row['article_id']} starts or ends inside a word",
                              "a span starts and ends on word boundaries: write whole words"))
    if not (text.body_start <= start < end <= text.body_end) and not row.get("_whole_seed"):
        found.append(_problem(row, table, f"span [{start}, {end}) lies outside the body of {row['article_id']}",
                              "code only from the body; headlines, captions and boilerplate are not evidence"))
    return found


def _dates(table: str, row: Row, texts: dict[str, ArticleText]) -> list[Problem]:
    found = []
    if table == "events":
        found += _event_order(row)
    column = "start_date" if table == "events" else "statement_date"
    text = texts.get(row.get("date_article_id") or "")
    planned = row.get("event_status") in UNDATED_STATUS
    after = text is not None and text.published is not None and row[column] is not None \
        and row[column] > period_end(text.published, text.published_precision or "day")
    if after and text is not None and not planned:
        found.append(_problem(row, table, f"{column} {row[column]} is after the publication of {text.article_id} "
                              f"({text.published}), yet the event is not planned or proposed",
                              "check the expression; a future date needs status 'planned' or 'proposed'"))
    return found


def _event_order(row: Row) -> list[Problem]:
    if row["start_date"] and row["end_date"] and period_end(row["end_date"], row["end_date_precision"]) < row["start_date"]:
        return [_problem(row, "events", f"end date {row['end_date']} is before start date {row['start_date']}",
                         "swap or correct the dates")]
    if row["end_date"] and not row["start_date"]:
        return [_problem(row, "events", "an end date without a start date", "give the start date too")]
    return []


def _participant(p: Row, cow_iso: dict[int, str]) -> list[Problem]:
    found = []
    code = p.get("country_code")
    if code and not _is_iso3(code):
        found.append(_problem(p, "participants", f"'{shown(code)}' is not an ISO 3166-1 alpha-3 code", "use the ISO 3166-1 alpha-3 code"))
    is_state = p["participant_kind"] == ParticipantKind.STATE
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


def table_problems(tables: dict[str, pa.Table], schemas: Schemas) -> list[Problem]:
    """Constraints, unique fields, primary keys and foreign keys from the Table Schemas, then the evidence rule."""
    columns = {name: {f["name"]: tableschema.Column(tableschema.one_array(tables[name][f["name"]]),
                                                    np.zeros(tables[name].num_rows, bool))
                      for f in schema["fields"]} for name, schema in schemas.tables.items()}
    found: list[Problem] = []
    for name, schema in schemas.tables.items():
        table, cols = tables[name], columns[name]
        for f in schema["fields"]:
            found += _constraints(name, table, f, cols[f["name"]])
        found += _repeats(name, schema, table, tableschema.repeat_errors(name, schema, cols))
        found += _references(name, schema, table, tableschema.foreign_key_errors(name, schema, cols, columns))
    return found + _evidence(tables, schemas)


def _constraints(name: str, table: pa.Table, f: dict[str, Any], col: tableschema.Column) -> list[Problem]:
    found = []
    for kind, limit in f.get("constraints", {}).items():
        if kind == "unique":
            continue
        for e in tableschema.constraint_errors(name, {**f, "constraints": {kind: limit}}, col):
            found.append(_constraint(table, name, f, kind, limit, (e.row or tableschema.FIRST_ROW) - tableschema.FIRST_ROW))
    return found


def _references(name: str, schema: dict[str, Any], table: pa.Table, errors: list[tableschema.Error]) -> list[Problem]:
    found = []
    for e in errors:
        i = (e.row or tableschema.FIRST_ROW) - tableschema.FIRST_ROW
        fields = (e.field or "").split(",")
        target = next(fk["reference"].get("resource") or name for fk in schema["foreignKeys"] if fk["fields"] == fields)
        value = shown("/".join(str(table[f][i].as_py()) for f in fields))
        found.append(_at(table, i, f"{'/'.join(fields)} '{value}' refers to no row of {target}",
                         f"add it to the {target} registry, or correct the reference"))
    return found


def _constraint(table: pa.Table, name: str, f: dict[str, Any], kind: str, limit: Any, i: int) -> Problem:
    raw = table[f["name"]][i].as_py()
    value, label = shown(raw), f"{name}.{f['name']}"
    if kind == "required":
        return _at(table, i, f"{label} is required but empty", "give a value")
    if kind == "enum":
        return _at(table, i, f"{label} '{value}' is not in codelist {f.get('codelist')}",
                   f"use a code from schemas/codelists/{f.get('codelist')}.csv")
    if kind == "pattern":
        return _at(table, i, f"{label} '{value}' does not match {limit}", "correct the value")
    if kind == "minimum":
        return _at(table, i, f"{label} {value} is below {limit}", "correct the value")
    if kind == "maxLength":
        return _at(table, i, f"{label} {shown(raw, quote=True)} is longer than the {limit:,} characters allowed",
                   f"shorten it to at most {limit:,} characters")
    return _at(table, i, f"{label} '{value}' breaks the constraint {kind} = {limit}", "correct the value")


def _repeats(name: str, schema: dict[str, Any], table: pa.Table, errors: list[tableschema.Error]) -> list[Problem]:
    """The unique-field and primary-key errors, reported on every row that shares the repeated value (not only
    the repeats after the first), so the curator sees each place the id was given."""
    found = []
    for what, fields in [("unique", [f["name"]]) for f in schema["fields"]] + [("key", schema["primaryKey"])]:
        kind, field = ("unique-error", fields[0]) if what == "unique" else ("primary-key", None)
        rows = [(e.row or tableschema.FIRST_ROW) - tableschema.FIRST_ROW for e in errors if e.type == kind and e.field == field]
        keys = {tuple(table[f][i].as_py() for f in fields) for i in rows}
        if keys:
            found += _repeated(name, table, what, fields, keys)
    return found


def _repeated(name: str, table: pa.Table, what: str, fields: list[str], keys: set[tuple[Any, ...]]) -> list[Problem]:
    """A problem on every row whose `fields` hold one of the repeated `keys`."""
    first = [k[0] for k in keys if k[0] is not None]
    column = table[fields[0]]
    candidates = np.flatnonzero(np.asarray(pc.is_in(column, value_set=pa.array(first, column.type))
                                           .to_numpy(zero_copy_only=False), bool) | np.asarray(pc.is_null(column)))
    sharing = [(int(i), k) for i in candidates if (k := tuple(table[f][int(i)].as_py() for f in fields)) in keys]
    counts = Counter(k for _, k in sharing)
    found = []
    for i, k in sharing:
        if what == "unique":
            found.append(_at(table, i, f"{name}.{fields[0]} '{shown(k[0])}' is not unique ({counts[k]} rows)",
                             "give each row its own value"))
        elif all(v is None for v in k):
            found.append(_at(table, i, f"{name} row has no {'/'.join(fields)}", "give the row its id"))
        else:
            found.append(_at(table, i, f"duplicate {name} key {shown('/'.join(map(str, k)))} ({counts[k]} rows)",
                             "ids are unique and never reused: give this one a new id"))
    return found


def _evidence(tables: dict[str, pa.Table], schemas: Schemas) -> list[Problem]:
    """Every registry row is attested by at least one span of an article body (its role names the link table)."""
    found = []
    for table, role in schemas.roles.items():
        if not role.attested_by:
            continue
        column = schemas.tables[table]["primaryKey"][0]
        ids = tables[table][column]
        attested = np.asarray(pc.is_in(ids, value_set=pc.unique(tables[role.attested_by][column]))
                              .to_numpy(zero_copy_only=False), bool)
        for i in np.flatnonzero(~attested):
            found.append(_at(tables[table], int(i), f"{table} row {shown(ids[int(i)].as_py())} is attested by no span of any article body",
                             role.attest_fix or ""))
    return found
