"""The bulk span check (seedcheck.py) agrees with Python slicing of the decoded seed, and catches every kind of break."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tstalks.validate import seedcheck

# Code points of every UTF-8 length (1 to 4 bytes), and the curly quotes the synthetic seeds use.
ALPHABET = st.sampled_from(list("ab \n") + ["é", "ş", "“", "”", "€", "中", "😀", "\u00a0"])


def _seeds(folder: Path, texts: list[str]) -> tuple[pa.Array, pa.Array, pa.Array]:
    folder.mkdir(parents=True, exist_ok=True)
    files, digests = [], []
    for i, text in enumerate(texts):
        raw = text.encode("utf-8")
        (folder / f"s{i}.txt").write_bytes(raw)
        files.append(f"s{i}.txt")
        digests.append(hashlib.sha256(raw).hexdigest())
    return pa.array([f"a{i}" for i in range(len(texts))]), pa.array(files), pa.array(digests)


def _check(folder: Path, texts: list[str], spans: list[tuple[str, int, int, str]]) -> tuple[list[str], int]:
    ids, files, digests = _seeds(folder, texts)
    table = seedcheck.Spans("quotes", "quote_text", pa.array([s[0] for s in spans], pa.string()),
                            pa.array([s[1] for s in spans], pa.int64()), pa.array([s[2] for s in spans], pa.int64()),
                            pa.array([s[3] for s in spans], pa.string()))
    return seedcheck.check(folder, ids, files, digests, [table])


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(ALPHABET, max_size=40), min_size=1, max_size=5),
       picks=st.lists(st.tuples(st.integers(0, 4), st.integers(-45, 45), st.integers(-45, 45), st.booleans(),
                                st.integers(0, 3)), max_size=30),
       batch=st.sampled_from([1, 7, 1 << 20]), data=st.data())
def test_bulk_check_agrees_with_python_slicing(tmp_path_factory, texts, picks, batch, data):
    """Spans cut by Python are all found equal; a span given any other text is found different, in any batching."""
    folder = tmp_path_factory.mktemp("seeds")
    spans, expected_bad = [], 0
    for k, start, end, keep, how in picks:
        k %= len(texts)
        truth = texts[k][start:end]
        text = truth
        if not keep:  # change the text: a different code point, one more or one fewer
            text = [truth + "é", truth[:-1] if truth else "x", truth.replace(truth[:1], "中", 1) if truth[:1] != "中" else "x" + truth,
                    truth[1:] + "a" if truth else "b"][how]
        spans.append((f"a{k}", start, end, text))
        expected_bad += text != truth
    old = seedcheck.BATCH
    seedcheck.BATCH = batch
    try:
        shown, count = _check(folder, texts, spans)
    finally:
        seedcheck.BATCH = old
    assert count == expected_bad, shown


def test_one_changed_character_in_a_non_ascii_seed_span_is_found(tmp_path):
    text = "Çavuşoğlu said “we met in Şanlıurfa” and left. 😀 Then “Ankara”."
    start = text.index("we met")
    end = text.index("Şanlıurfa") + len("Şanlıurfa")
    good = text[start:end]
    assert _check(tmp_path / "a", [text], [("a0", start, end, good)]) == ([], 0)
    shown, count = _check(tmp_path / "b", [text], [("a0", start, end, good.replace("Ş", "S"))])
    assert count == 1 and shown == [f"quotes row 2: quote_text 'we met in Sanlıurfa' is not the text of seed 's0.txt' "
                                    f"at [{start}, {end}); the seed has 'we met in Şanlıurfa' there"]


def test_an_off_by_one_span_is_found(tmp_path):
    text = "“Ankara” and “Şam” — “Moskova”"
    start, end = text.index("Şam"), text.index("Şam") + 3
    for s, e in ((start + 1, end), (start - 1, end), (start, end + 1), (start, end - 1)):
        assert _check(tmp_path / f"{s}-{e}", [text], [("a0", s, e, "Şam")])[1] == 1


def test_a_changed_seed_byte_is_reported_and_its_spans_not_compared(tmp_path):
    texts = ["Şanlıurfa talks “resumed”", "plain ascii seed"]
    ids, files, digests = _seeds(tmp_path, texts)
    raw = (tmp_path / "s0.txt").read_bytes()
    (tmp_path / "s0.txt").write_bytes(raw[:-1] + b"X")  # same length, one byte different
    table = seedcheck.Spans("quotes", "quote_text", pa.array(["a0", "a1", "a1"]), pa.array([0, 0, 6]), pa.array([9, 5, 11]),
                            pa.array(["Şanlıurfa", "plain", "wrong"]))
    shown, count = seedcheck.check(tmp_path, ids, files, digests, [table])
    changed = hashlib.sha256(raw[:-1] + b"X").hexdigest()
    assert shown == [f"article 'a0': seed 's0.txt' has SHA-256 {changed}, but the articles table records "
                     f"'{digests[0].as_py()}': the seed changed",
                     "quotes row 4: quote_text 'wrong' is not the text of seed 's1.txt' at [6, 11); the seed has 'ascii' there"]
    assert count == 2


def test_a_missing_seed_and_a_seed_that_is_not_utf8_are_reported(tmp_path):
    ids, files, digests = _seeds(tmp_path, ["one", "two"])
    (tmp_path / "s0.txt").unlink()
    bad = b"caf\xe9"  # Latin-1, not UTF-8: Python cannot decode it, so no offset into it means anything
    (tmp_path / "s1.txt").write_bytes(bad)
    digests = pa.array([digests[0].as_py(), hashlib.sha256(bad).hexdigest()])
    table = seedcheck.Spans("quotes", "quote_text", pa.array(["a1"]), pa.array([0]), pa.array([3]), pa.array(["caf"]))
    shown, count = seedcheck.check(tmp_path, ids, files, digests, [table])
    assert shown == ["article 'a0': seed 's0.txt' is not in seeds/articles/",
                     "article 'a1': seed 's1.txt' is not UTF-8 text (byte 3)"] and count == 2


def test_spans_of_unknown_articles_are_left_to_the_foreign_key_check_and_null_cells_follow_python(tmp_path):
    text = "abc “dé” xyz"
    spans = [("nope", 0, 3, "zzz"), ("a0", None, 3, "abc"), ("a0", 9, None, "xyz"), ("a0", 0, 3, None)]
    ids, files, digests = _seeds(tmp_path, [text])
    table = seedcheck.Spans("quotes", "quote_text", pa.array([s[0] for s in spans]), pa.array([s[1] for s in spans], pa.int64()),
                            pa.array([s[2] for s in spans], pa.int64()), pa.array([s[3] for s in spans], pa.string()))
    shown, count = seedcheck.check(tmp_path, ids, files, digests, [table])
    # text[0:3] != None, as in Python
    assert count == 1 and shown == ["quotes row 5: quote_text (empty) is not the text of seed 's0.txt' at [0, 3); "
                                    "the seed has 'abc' there"]


@pytest.mark.parametrize("length", [0, 1, 4, 12, 13, 40])
def test_views_cover_inline_and_referenced_lengths(length):
    """Arrow keeps views of at most 12 bytes inline and longer ones as prefix + offset: both must compare right."""
    import numpy as np

    data = np.frombuffer(("x" * 5 + "é" * 30).encode(), np.uint8)
    views = seedcheck._views(data, np.array([3]), np.array([length]))
    assert views.to_pylist() == [data[3:3 + length].tobytes()]


def test_a_stopped_check_ends_early_and_a_failing_reader_raises(tmp_path, monkeypatch):
    import threading

    texts = ["x" * 100] * 50
    ids, files, digests = _seeds(tmp_path, texts)
    table = seedcheck.Spans("quotes", "quote_text", ids, pa.array([0] * 50), pa.array([1] * 50), pa.array(["y"] * 50))
    monkeypatch.setattr(seedcheck, "BATCH", 100)  # one seed a batch
    stop = threading.Event()
    stop.set()
    assert seedcheck.check(tmp_path, ids, files, digests, [table], stop) == ([], 0)  # nothing compared
    assert seedcheck.check(tmp_path, ids, files, digests, [table])[1] == 50

    def broken(*args):
        raise OSError("disk on fire")

    monkeypatch.setattr(seedcheck._SeedFolder, "seed", broken)
    with pytest.raises(OSError, match="disk on fire"):
        seedcheck.check(tmp_path, ids, files, digests, [table])


def test_a_reader_started_before_the_spans_are_known_gives_the_same_answer(tmp_path, monkeypatch):
    """`tstalks validate` starts reading the seeds once the articles table is typed, before the span tables are."""
    texts = ["Şam “talks”", "plain", "中文 text"]
    ids, files, digests = _seeds(tmp_path, texts)
    table = seedcheck.Spans("quotes", "quote_text", pa.array(["a0", "a1", "a2"]), pa.array([0, 0, 3]), pa.array([3, 5, 7]),
                            pa.array(["Şam", "plaix", "text"]))
    monkeypatch.setattr(seedcheck, "BATCH", 1)  # one seed a batch
    reader = seedcheck.SeedBatches(tmp_path, files, digests)
    found = (["quotes row 3: quote_text 'plaix' is not the text of seed 's1.txt' at [0, 5); the seed has 'plain' there"], 1)
    assert seedcheck.check(tmp_path, ids, files, digests, [table], reader=reader) == found
    assert seedcheck.check(tmp_path, ids, files, digests, [table]) == found


def test_the_early_reader_reads_at_most_its_read_ahead_and_stops_when_closed(tmp_path, monkeypatch):
    import time

    _, files, digests = _seeds(tmp_path, ["x" * 10] * 40)
    opened = []
    real = seedcheck._SeedFolder.seed
    monkeypatch.setattr(seedcheck._SeedFolder, "seed", lambda self, name, digest: opened.append(name) or real(self, name, digest))
    monkeypatch.setattr(seedcheck, "BATCH", 10)  # one seed a batch
    monkeypatch.setattr(seedcheck, "AHEAD", 30)  # three batches waiting
    reader = seedcheck.SeedBatches(tmp_path, files, digests)
    deadline = time.monotonic() + 10
    while len(opened) < 3 and time.monotonic() < deadline:  # nothing consumes: the reader fills its queue...
        time.sleep(0.01)
    time.sleep(0.3)  # ...and then waits
    assert 3 <= len(opened) <= 5  # three waiting, one held by the reader, perhaps one being read
    reader.close()
    assert not reader.worker.is_alive() and len(opened) <= 5


def test_a_check_that_fails_before_comparing_stops_the_reader_it_was_given(tmp_path, monkeypatch):
    ids, files, digests = _seeds(tmp_path, ["x" * 10] * 20)
    table = seedcheck.Spans("quotes", "quote_text", ids, pa.array([0] * 20), pa.array([1] * 20), pa.array(["x"] * 20))
    monkeypatch.setattr(seedcheck, "BATCH", 1)
    monkeypatch.setattr(seedcheck, "AHEAD", 1)  # the reader waits on a full queue until told to stop

    def broken(*args):
        raise pa.ArrowInvalid("columns of unexpected types")

    monkeypatch.setattr(seedcheck, "_indices", broken)
    reader = seedcheck.SeedBatches(tmp_path, files, digests)
    with pytest.raises(pa.ArrowInvalid):
        seedcheck.check(tmp_path, ids, files, digests, [table], reader=reader)
    assert not reader.worker.is_alive()
