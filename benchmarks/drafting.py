"""Drafting benchmark: how long `tstalks add` takes an article, the goal being under 3 seconds on the 2-core machine.

Not a test. Run from the checkout root:

    .venv/bin/python benchmarks/drafting.py --work /tmp/tstalks-drafting

For every seed of the checkout, its text (with one more line break, so that it is a new text) is added to a fresh
copy of the project with `tstalks add`, as a user runs it, under GNU `time -v`, three times (a new copy each time);
the fastest wall time, its CPU time and peak memory are kept. The command's time includes
starting Python, reading the schemas, registries and every other seed, resolving the codings and writing the draft.
Results go to benchmarks/drafting.json and the table between the drafting markers of docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TSTALKS = Path(sys.executable).parent / "tstalks"
RESULTS = ROOT / "benchmarks" / "drafting.json"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- drafting:start -->", "<!-- drafting:end -->"
GOAL_SECONDS = 3.0


def _copy(into: Path) -> Path:
    """A fresh copy of the project's inputs (schemas and seeds with their codings)."""
    if into.exists():
        shutil.rmtree(into)
    for part in ("schemas", "seeds"):
        shutil.copytree(ROOT / part, into / part)
    return into


def _timed(cmd: list[str]) -> dict:
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    def field(name: str) -> str:
        m = re.search(rf"{re.escape(name)}: (.+)", out.stderr)
        return m.group(1).strip() if m else "nan"
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"exit": out.returncode, "wall_s": round(seconds, 3),
            "cpu_s": round(float(field("User time (seconds)")) + float(field("System time (seconds)")), 3),
            "peak_mb": round(int(field("Maximum resident set size (kbytes)")) / 1024, 1),
            "output": out.stdout[-400:] if out.returncode else ""}


def measure(seed: Path, work: Path, runs: int) -> dict:
    """The seed's text with one more line break is a new text to `tstalks add` (a seed's own bytes are refused as
    a duplicate); drafting it does the same work as drafting the seed."""
    text = work / f"{seed.stem}.txt"
    text.write_bytes(seed.read_bytes() + b"\n")
    best: dict | None = None
    for i in range(runs):
        project = _copy(work / f"{seed.stem}-{i}")
        r = _timed([str(TSTALKS), "add", str(text), "--root", str(project)])
        if best is None or (r["exit"] == 0 and r["wall_s"] < best["wall_s"]):
            best = r
        shutil.rmtree(project)
    assert best is not None
    return best


def write_doc(results: dict[str, dict]) -> None:
    rows = ["| seed | wall s (best of runs) | CPU s | peak MB | under 3 s |", "|---|---|---|---|---|"]
    for name, r in sorted(results.items()):
        ok = "yes" if r["exit"] == 0 and r["wall_s"] < GOAL_SECONDS else "no"
        rows.append(f"| {name} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} | {ok} |")
    walls = [r["wall_s"] for r in results.values() if r["exit"] == 0]
    summary = (f"\n\nSlowest: {max(walls):.2f} s; mean {sum(walls) / len(walls):.2f} s over {len(walls)} articles."
               if walls else "")
    text = DOC.read_text("utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    DOC.write_text(text[:start] + START + "\n" + "\n".join(rows) + summary + "\n" + END + text[end:], "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tstalks-drafting"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for seed in sorted((ROOT / "seeds" / "articles").glob("*.txt")):
        results[seed.name] = measure(seed, args.work, args.runs)
        print(seed.name, json.dumps(results[seed.name]), flush=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    write_doc(results)


if __name__ == "__main__":
    main()
