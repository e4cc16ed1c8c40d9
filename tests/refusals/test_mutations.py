"""Every kind of broken input is refused: take a valid generated package, break one thing, and the build
exits non-zero naming the file, the id or line, and what to fix, with no traceback and data/ untouched."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from strategies import Curation, codes, curations, dump, from_json_schema, snapshot, write_outputs, write_project, yaml_values
from support import ROOT
from tstalks import build as pipeline
from tstalks.cli import main
from tstalks.core import Failed, Project, load_schemas, spans
from tstalks.core.yamlfile import parse_yaml

FEW = settings(max_examples=max(3, settings.default.max_examples // 4))
REGISTRIES = load_schemas(ROOT / "schemas").registries


@contextmanager
def published_project(curation: Curation) -> Iterator[Path]:
    """A project folder holding the curation and the outputs of its (valid) build, as a previous `tstalks build` left them."""
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), curation)
        write_outputs(root, pipeline.build(Project(root)).files)
        yield root


def registry_path(root: Path, kind: str) -> Path:
    return root / "seeds" / "codings" / f"{kind}.yaml"


def article_path(root: Path, aid: str) -> Path:
    return root / "seeds" / "codings" / "articles" / f"{aid}.yaml"


def rewrite(path: Path, data) -> None:
    path.write_bytes(dump(data))


def problems_of(root: Path) -> list:
    try:
        pipeline.build(Project(root))
    except Failed as exc:
        return exc.problems
    raise AssertionError("the build accepted the broken input")


def assert_refused(root: Path, file: str, *mentions: str, line: bool = True) -> str:
    """`tstalks build` exits 1 without a traceback, names `file` (with a line, unless the problem is the whole file),
    says each of `mentions` and how to fix it, and leaves the previous outputs byte-identical. Returns the output."""
    before = snapshot(root)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    output = result.output
    assert result.exit_code == 1, output
    assert isinstance(result.exception, SystemExit), f"escaped: {result.exception!r}"  # nothing but a clean exit
    assert "Traceback" not in output
    assert snapshot(root) == before, "a refused build changed data/ or datapackage.json"
    blocks = re.findall(r"^(\S.*)\n    fix: (.+)$", output, flags=re.MULTILINE)
    named = [head for head, fix in blocks if head.startswith(file + ":") and fix.strip()]
    assert named, f"no problem names {file}:\n{output}"
    assert any(all(m in head for m in mentions) for head in named), f"no problem on {file} says {mentions}:\n{output}"
    if line:
        assert any(re.match(rf"{re.escape(file)}:\d+: ", head) for head in named), f"no line number for {file}:\n{output}"
    return output


# --- removing what others refer to -----------------------------------------------------------------------------------

@pytest.mark.slow
@given(curations(), st.data())
def test_removing_a_referenced_participant_is_caught(curation, data):
    gone = data.draw(st.sampled_from([p["id"] for p in curation.participants]))
    spelt_in = sorted(a.id for a in curation.articles if gone in a.coding.get("aliases", {}))  # every participant is spelt somewhere
    with published_project(curation) as root:
        rewrite(registry_path(root, "participants"), {"participants": [p for p in curation.participants if p["id"] != gone]})
        files = {f"seeds/codings/articles/{aid}.yaml" for aid in spelt_in}
        problem = next(p for p in problems_of(root) if p.file in files and gone in p.where + p.message)
        assert_refused(root, problem.file, gone)


@pytest.mark.slow
@given(curations(), st.data())
def test_removing_a_referenced_event_is_caught(curation, data):
    gone = data.draw(st.sampled_from([e["id"] for e in curation.events]))
    mentioned_in = next(a.id for a in curation.articles if any(m["event"] == gone for m in a.coding.get("events", [])))
    with published_project(curation) as root:
        rewrite(registry_path(root, "events"), {"events": [e for e in curation.events if e["id"] != gone]})
        assert_refused(root, f"seeds/codings/articles/{mentioned_in}.yaml", gone, "refers to no row of events")


@pytest.mark.slow
@given(curations())
def test_removing_a_referenced_article_coding_is_caught(curation):
    gone = curation.events[0]["date"]["article"]  # the first event is always dated by words of an article
    with published_project(curation) as root:
        article_path(root, gone).unlink()
        assert_refused(root, "seeds/codings/events.yaml", f"article '{gone}' is not coded")


@pytest.mark.slow
@given(curations(), st.data())
def test_removing_an_article_seed_is_caught(curation, data):
    a = data.draw(st.sampled_from(curation.articles))
    with published_project(curation) as root:
        (root / "seeds" / "articles" / a.seed_file).unlink()
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", a.id, a.seed_file)


# --- duplicating an id -----------------------------------------------------------------------------------------------

@pytest.mark.slow
@given(curations(), st.data())
def test_duplicating_a_registry_id_is_caught(curation, data):
    kind = data.draw(st.sampled_from([k for k in REGISTRIES if getattr(curation, k)]))
    entries = getattr(curation, kind)
    original = data.draw(st.sampled_from(entries))
    copy = dict(json.loads(json.dumps(original)), **({"summary": "a second entry"} if kind in ("statements", "discrepancies") else {}))
    with published_project(curation) as root:
        rewrite(registry_path(root, kind), {kind: [*entries, copy]})
        assert_refused(root, f"seeds/codings/{kind}.yaml", original["id"], "duplicate")


@pytest.mark.slow
@given(curations(), st.data())
def test_duplicating_a_quote_id_is_caught(curation, data):
    quoted = [a for a in curation.articles if a.coding.get("quotes")]
    assume(quoted)
    a = data.draw(st.sampled_from(quoted))
    with published_project(curation) as root:
        quotes = a.coding["quotes"]
        rewrite(article_path(root, a.id), dict(a.coding, quotes=[*quotes, dict(quotes[0])]))
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", quotes[0]["id"], "duplicate")


@pytest.mark.slow
@given(curations(), st.data())
def test_coding_an_article_id_twice_is_caught(curation, data):
    a = data.draw(st.sampled_from(curation.articles))
    with published_project(curation) as root:
        (root / "seeds" / "codings" / "articles" / f"{a.id}-again.yaml").write_bytes(dump(a.coding))
        assert_refused(root, f"seeds/codings/articles/{a.id}-again.yaml", a.id, "duplicate articles key")


# --- spans -----------------------------------------------------------------------------------------------------------

def shifted(words: str) -> str:
    """The words with one word boundary moved by one character ("ab cd" -> "abc d"); no longer the seed's words."""
    i = words.find(" ")
    if i == -1 or i + 2 > len(words):
        return words[0] + " " + words[1:] if len(words) > 1 else words + "x"
    return words[:i] + words[i + 1] + " " + words[i + 2:]


@pytest.mark.slow
@given(curations(), st.data())
def test_curated_words_shifted_by_one_character_are_caught(curation, data):
    a = data.draw(st.sampled_from(curation.articles))
    kinds = ["first", "last"] + (["quote"] if a.coding.get("quotes") else []) + (["event"] if a.coding.get("events") else [])
    kind = data.draw(st.sampled_from(kinds))
    coding = json.loads(json.dumps(a.coding))
    if kind in ("first", "last"):
        target, where = coding["body"][kind], a.id
    else:
        items = coding["quotes" if kind == "quote" else "events"]
        target = data.draw(st.sampled_from(items))
        where = target.get("id") or target["event"]
    target["text"] = shifted(target["text"])
    with published_project(curation) as root:
        rewrite(article_path(root, a.id), coding)
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", where, "is not in")


@pytest.mark.slow
@given(curations(), st.data())
def test_an_occurrence_that_does_not_pick_one_match_is_caught(curation, data):
    quoted = [a for a in curation.articles if a.coding.get("quotes")]
    assume(quoted)
    a = data.draw(st.sampled_from(quoted))
    coding = json.loads(json.dumps(a.coding))
    q = data.draw(st.sampled_from(coding["quotes"]))
    count = len(spans.find_all(a.text, q["text"], *a.body))
    if "occurrence" in q:  # repeated words: without an occurrence the build cannot tell which is meant
        del q["occurrence"]
        said = f"occurs {count} times"
    else:
        q["occurrence"] = count + data.draw(st.integers(1, 3))
        said = f"occurrence {q['occurrence']} asked for"
    with published_project(curation) as root:
        rewrite(article_path(root, a.id), coding)
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", q["id"], said)


def tamper_span(root: Path, table: str, row_index: int, by: int) -> None:
    """Shift one published span by `by` in both formats, and re-hash the descriptors so only the span check can tell."""
    csv_path = root / "data" / "csv" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(csv_path.read_text("utf-8"), newline="")))
    header = rows[0]
    for column in ("span_start", "span_end"):
        i = header.index(column)
        rows[row_index + 1][i] = str(int(rows[row_index + 1][i]) + by)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    csv_path.write_bytes(out.getvalue().encode("utf-8"))
    parquet_path = root / "data" / "parquet" / f"{table}.parquet"
    t = pq.read_table(parquet_path)
    for column in ("span_start", "span_end"):
        values = t.column(column).to_pylist()
        values[row_index] += by
        t = t.set_column(t.schema.get_field_index(column), t.schema.field(column), pa.array(values, pa.int64()))
    pq.write_table(t, parquet_path, store_schema=False)
    for descriptor in (root / "datapackage.json", root / "data" / "parquet" / "datapackage.json"):
        package = json.loads(descriptor.read_text("utf-8"))
        for r in package["resources"]:
            raw = (descriptor.parent / r["path"]).read_bytes()
            r["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
            if "bytes" in r:
                r["bytes"] = len(raw)
        descriptor.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")


@settings(FEW)
@given(curations(max_articles=2), st.data())
def test_a_tampered_published_span_is_caught_by_tstalks_validate(curation, data):
    with published_project(curation) as root:
        tables = {name: len(list(csv.reader(io.StringIO((root / "data" / "csv" / f"{name}.csv").read_text("utf-8"),
                                                          newline="")))) - 1 for name in load_schemas(ROOT / "schemas").span_tables}
        table = data.draw(st.sampled_from(sorted(t for t, n in tables.items() if n)))
        row = data.draw(st.integers(0, tables[table] - 1))
        tamper_span(root, table, row, data.draw(st.sampled_from([-1, 1])))
        result = CliRunner().invoke(main, ["validate", "--root", str(root)])
        assert result.exit_code == 1, result.output
        assert "FAIL spans equal their seed text" in result.output
        assert "Traceback" not in result.output


@pytest.mark.slow
@given(curations(), st.data())
def test_a_tampered_published_span_is_caught_by_build_check(curation, data):
    with published_project(curation) as root:
        table = data.draw(st.sampled_from(["participant_aliases", "event_sources"]))  # never empty
        tamper_span(root, table, 0, data.draw(st.sampled_from([-1, 1])))
        result = CliRunner().invoke(main, ["build", "--check", "--root", str(root)])
        assert result.exit_code == 1
        assert f"data/csv/{table}.csv" in result.output and "Run: tstalks build" in result.output


# --- seeds -----------------------------------------------------------------------------------------------------------

@pytest.mark.slow
@given(curations(), st.data())
def test_changing_one_character_of_a_seed_is_caught(curation, data):
    a = data.draw(st.sampled_from(curation.articles))
    i = data.draw(st.integers(0, len(a.text) - 1))
    new = data.draw(st.characters(codec="utf-8").filter(lambda c: c != a.text[i]))
    with published_project(curation) as root:
        (root / "seeds" / "articles" / a.seed_file).write_bytes((a.text[:i] + new + a.text[i + 1:]).encode("utf-8"))
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", a.id, "the seed changed")


# --- dates -----------------------------------------------------------------------------------------------------------

impossible_dates = st.sampled_from(["2023-02-30", "2023-02-29", "2022-04-31", "2023-13-01", "2023-00-10", "2023-06-00",
                                    "2021-11-31", "2023-02"[:4] + "-14"])


@pytest.mark.slow
@given(curations(), st.data(), impossible_dates)
def test_an_impossible_date_is_caught(curation, data, value):
    where = data.draw(st.sampled_from(["event", "statement", "published"] if curation.statements else ["event", "published"]))
    with published_project(curation) as root:
        if where == "published":
            a = data.draw(st.sampled_from(curation.articles))
            rewrite(article_path(root, a.id), dict(a.coding, published={"source": "inferred", "value": value, "note": "n"}))
            assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", a.id, value, "not a real date")
            return
        kind = where + "s"
        entries = json.loads(json.dumps(getattr(curation, kind), default=str))
        entry = data.draw(st.sampled_from(entries))
        entry["date"] = {"value": value, "note": "as the curator read it"}
        rewrite(registry_path(root, kind), {kind: entries})
        assert_refused(root, f"seeds/codings/{kind}.yaml", entry["id"], value, "not a real date")


@pytest.mark.slow
@given(curations(), st.integers(1, 4000))
def test_an_end_date_before_the_start_date_is_caught(curation, days_before):
    events = json.loads(json.dumps(curation.events))
    first = events[0]  # always dated
    start = curation.event_dates[first["id"]].date
    import datetime as dt
    end = start - dt.timedelta(days=days_before)
    first["end_date"] = {"value": end.isoformat(), "note": "reversed"}
    with published_project(curation) as root:
        rewrite(registry_path(root, "events"), {"events": events})
        assert_refused(root, "seeds/codings/events.yaml", first["id"], "is before start date")


# --- vocabularies ----------------------------------------------------------------------------------------------------

unknown_codes = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@pytest.mark.slow
@given(curations(), st.data(), unknown_codes)
def test_an_unknown_vocabulary_value_is_caught(curation, data, code):
    places = [("participants", "kind", "participant_kind"), ("events", "type", "event_type"),
              ("events", "status", "event_status")]
    if curation.statements:
        places.append(("statements", "kind", "statement_kind"))
    kind, key, vocabulary = data.draw(st.sampled_from(places))
    if code in codes(vocabulary):
        code += "_unknown"
    entries = json.loads(json.dumps(getattr(curation, kind)))
    i = data.draw(st.integers(0, len(entries) - 1))
    entries[i][key] = code
    with published_project(curation) as root:
        rewrite(registry_path(root, kind), {kind: entries})
        output = assert_refused(root, f"seeds/codings/{kind}.yaml", f"{kind}/{i}/{key}", repr(code), "is not one of")
        assert "codelist" in output


@pytest.mark.slow
@given(curations(), st.data(), unknown_codes)
def test_an_unknown_vocabulary_value_in_an_article_coding_is_caught(curation, data, code):
    a = data.draw(st.sampled_from(curation.articles))
    coding = json.loads(json.dumps(a.coding))
    places = [("published", "source")]
    if coding.get("quotes"):
        places.append(("quotes", 0, "mode"))
    roles = [(i, j) for i, m in enumerate(coding.get("events", [])) for j, _ in enumerate(m.get("participants", []))]
    if roles:
        i, j = roles[0]
        places.append(("events", i, "participants", j, "role"))
    path = data.draw(st.sampled_from(places))
    vocabulary = {"source": "article_date_source", "mode": "quote_mode", "role": "event_role"}[path[-1]]
    if code in codes(vocabulary):
        code += "_unknown"
    node = coding
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = code
    with published_project(curation) as root:
        rewrite(article_path(root, a.id), coding)
        assert_refused(root, f"seeds/codings/articles/{a.id}.yaml", "/".join(map(str, path)), "is not one of")


# --- files that are not plain YAML -----------------------------------------------------------------------------------

coding_files = st.sampled_from([*REGISTRIES, "article"])


def coding_file(curation: Curation, which: str) -> str:
    return f"seeds/codings/{which}.yaml" if which != "article" else f"seeds/codings/articles/{curation.articles[0].id}.yaml"


BROKEN_YAML = ["oops: [unclosed\n", "key: value: another\n", "  - misplaced: item\n\tbad: tab\n", "\"unterminated\n",
               "{a: 1\n", "- x\n y: z\n"]


@pytest.mark.slow
@given(curations(), coding_files, st.sampled_from(BROKEN_YAML))
def test_a_coding_file_that_is_not_valid_yaml_is_caught(curation, which, snippet):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        path = root / rel
        path.write_bytes(path.read_bytes() + snippet.encode("utf-8"))
        assert_refused(root, rel, "not valid YAML")


ALIASES = ["extra: &shared [1, 2]\nagain: *shared\n", "base: &b {kind: person}\nmerged:\n  <<: *b\n", "solo: &lonely x\n"]


@pytest.mark.slow
@given(curations(), coding_files, st.sampled_from(ALIASES))
def test_a_coding_file_using_yaml_anchors_or_aliases_is_caught(curation, which, snippet):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        path = root / rel
        raw = path.read_bytes()
        path.write_bytes(raw + snippet.encode("utf-8"))
        assert_refused(root, rel, "anchor or alias")


TAGS = ["!!python/object/apply:os.system ['echo owned']", "!!python/name:os.system", "!!binary aGVsbG8=",
        "!!set {a: null}", "!!omap [a: 1]", "!custom value", "!!timestamp 2001-12-14", "!!float '1'"]


@pytest.mark.slow
@given(curations(), coding_files, st.sampled_from(TAGS))
def test_a_coding_file_using_yaml_tags_is_caught(curation, which, tagged):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        path = root / rel
        path.write_bytes(path.read_bytes() + f"extra: {tagged}\n".encode())
        assert_refused(root, rel, "uses the YAML tag")


@pytest.mark.slow
@given(curations(), coding_files, st.data())
def test_a_coding_file_that_is_not_utf8_is_caught(curation, which, data):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        path = root / rel
        text = path.read_text("utf-8")
        how = data.draw(st.sampled_from(["utf-16", "stray byte", "latin-1"]))
        if how == "utf-16":
            raw = text.encode("utf-16")
        elif how == "stray byte":
            raw = path.read_bytes()
            i = data.draw(st.integers(0, len(raw)))
            raw = raw[:i] + data.draw(st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80"])) + raw[i:]
        else:
            raw = (text + "note_in_latin1: café\n").encode("latin-1", errors="replace")
        path.write_bytes(raw)
        assert_refused(root, rel, "not UTF-8")


@pytest.mark.slow
@given(curations(), coding_files, st.sampled_from(["", "\n", "   \n\t\n", "# nothing but a comment\n"]))
def test_an_empty_coding_file_is_caught(curation, which, content):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        (root / rel).write_bytes(content.encode("utf-8"))
        assert_refused(root, rel, "empty" if not content.strip() else "0 YAML documents", line=False)


# --- arbitrary input never crashes -----------------------------------------------------------------------------------

SCHEMAS = load_schemas(ROOT / "schemas").codings


@settings(max_examples=max(10, settings.default.max_examples))
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_yaml_reader(raw):
    _, _, problems = parse_yaml(raw, "f.yaml")  # returns problems, never raises
    assert all(p.file == "f.yaml" and p.message and p.fix for p in problems)


@settings(max_examples=max(10, settings.default.max_examples))
@given(st.text(alphabet=":-[]{}&*!|>'\"#%@`,?\n\t abc1", max_size=200))
def test_arbitrary_yaml_like_text_never_crashes_the_yaml_reader(text):
    _, _, problems = parse_yaml(text.encode(), "f.yaml")
    assert all(p.file == "f.yaml" and p.message and p.fix for p in problems)


@pytest.mark.slow
@given(curations(max_articles=2), coding_files, st.data())
def test_documents_generated_from_the_coding_schemas_never_crash_the_build(curation, which, data):
    schema = SCHEMAS["article" if which == "article" else which]
    document = data.draw(from_json_schema(schema), label="document")
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        (root / rel).write_bytes(dump(document))
        before = snapshot(root)
        try:
            pipeline.build(Project(root))
        except Failed as exc:  # refusing is fine; any other exception is a crash
            assert all(p.file and p.message for p in exc.problems)
        result = CliRunner().invoke(main, ["build", "--check", "--root", str(root)])
        assert result.exit_code in (0, 1) and isinstance(result.exception, (SystemExit, type(None))), result.output
        assert snapshot(root) == before


@pytest.mark.slow
@given(curations(max_articles=2), coding_files, yaml_values)
def test_arbitrary_yaml_values_in_a_coding_file_never_crash_the_build(curation, which, value):
    rel = coding_file(curation, which)
    with published_project(curation) as root:
        (root / rel).write_bytes(dump(value))
        try:
            pipeline.build(Project(root))
        except Failed as exc:
            assert all(p.file and p.message for p in exc.problems)


@pytest.mark.slow
@FEW
@given(curations(max_articles=2), st.data())
def test_the_installed_command_refuses_broken_input_without_a_traceback(curation, data):
    """The real process, entry point and all: exit status 1, the file named on stderr, no traceback, data/ untouched."""
    a = curation.articles[0]
    rel = f"seeds/codings/articles/{a.id}.yaml"
    with published_project(curation) as root:
        how = data.draw(st.sampled_from(["tag", "not utf-8", "seed edited", "unknown code"]))
        path = root / rel
        if how == "tag":
            path.write_bytes(path.read_bytes() + b"x: !!python/object/apply:os.system ['echo owned']\n")
        elif how == "not utf-8":
            path.write_bytes(b"\xff\xfe" + path.read_bytes())
        elif how == "seed edited":
            seed = root / "seeds" / "articles" / a.seed_file
            seed.write_bytes(seed.read_bytes() + b" ")
        else:
            rewrite(path, dict(a.coding, published=dict(a.coding["published"], source="rumour")))
        before = snapshot(root)
        done = subprocess.run([sys.executable, "-m", "tstalks", "build", "--root", str(root)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert rel in done.stderr and "fix:" in done.stderr
        assert snapshot(root) == before
