"""Run every broken or hostile package of tests/hostile.py through `tstalks validate` and through the stock
`frictionless validate`, and write what each says into the table of docs/reliability.md.

Not a test (tests/validate/test_hostile.py holds `tstalks validate` to each case's findings); it records what the
two tools say on the same files. Each command runs in its own process, limited to 60 s and 2 GB of memory
(a validator reading /dev/zero or a FIFO would otherwise never end). Run from the checkout root:

    .venv/bin/python benchmarks/reliability.py
"""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile import CASES, PARQUET, package_copy  # noqa: E402

BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- validate:start -->", "<!-- validate:end -->"
SECONDS, MEMORY = 60, 2 << 30


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(cmd: list[str], cwd: Path) -> tuple[int | str, str]:
    """(exit status, or what stopped it; output) of one command, within the time and memory limits."""
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=SECONDS, preexec_fn=_limits,
                              env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    except subprocess.TimeoutExpired:
        return "timeout", f"still running after {SECONDS} s (stopped)"
    return done.returncode, done.stdout + done.stderr


def tstalks_says(cwd: Path, location: str) -> tuple[bool, str]:
    code, out = run([str(BIN / "tstalks"), "validate", location], cwd)
    if code == 0:
        return True, "valid"
    lines, taking = [], False
    for line in out.splitlines():  # each FAIL line with its further findings (indented below it)
        taking = line.startswith("FAIL") or (taking and line.startswith("       "))
        if taking:
            lines.append(line.strip())
    return False, "<br>".join(_cell(line) for line in lines[:4]) or _cell(out.strip().splitlines()[-1])


def frictionless_says(cwd: Path, descriptor: str) -> tuple[bool | None, str]:
    code, out = run([str(BIN / "frictionless"), "validate", "--json", descriptor], cwd)
    if code == "timeout":
        return None, out
    longest = max((len(line) for line in out.splitlines()), default=0)
    echo = f" (a line of its output is {longest:,} characters long)" if longest > 10_000 else ""
    try:
        report = json.loads(out[out.index("{"):])
    except ValueError:  # not a report: an error, drawn in a box
        text = " ".join(re.sub(r"[\u2500-\u257f]", " ", out).split())
        if "MemoryError" in out or "Cannot allocate memory" in out:
            return None, f"ran out of memory (limit {MEMORY >> 30} GB)"
        return (False if code else None), _cell(text or f"exit {code}") + echo  # an error, without a report
    if report.get("valid"):
        return True, "valid"
    errors = [f"{e.get('type')}: {e.get('message')}" for e in report.get("errors", [])]
    for task in report.get("tasks", []):
        errors += [f"{task.get('name')}: {e.get('type')}: {e.get('message')}" for e in task.get("errors", [])]
    more = f" (and {len(errors) - 2} more)" if len(errors) > 2 else ""
    return False, "<br>".join(_cell(e) for e in errors[:2]) + more + echo


def _cell(text: str, limit: int = 240) -> str:
    text = re.sub(r"\s+", " ", text).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit] + "…"


def _stock_target(folder: Path, location: str) -> list[str]:
    if location == ".":
        return ["datapackage.json"] + ([PARQUET] if (folder / PARQUET).is_file() else [])
    return [location]


def row(case, tmp: Path) -> str:
    folder = package_copy(tmp / f"{CASES.index(case):02d}-{case.id}")
    location, expected = case.breaks(folder)
    ok, ours = tstalks_says(folder, location)
    stock = []
    for target in _stock_target(folder, location):
        valid, said = frictionless_says(folder, target)
        stock.append((target, valid, said))
    should = expected[-1] == "valid"
    result = _result(should, ok, stock)
    theirs = "<br>".join(f"`{t}`: {s}" if len(stock) > 1 else s for t, _, s in stock)
    command = f"`tstalks validate {location}`" if location != "." else "`tstalks validate`"
    return f"| {case.name} | {command} | {ours} | {theirs} | {result} |"


def _result(should: bool, ok: bool, stock: list[tuple[str, bool | None, str]]) -> str:
    ours = "tstalks: valid, rightly" if should and ok else "tstalks: refuses" if not ok and not should else \
        "**tstalks: WRONG**"
    refusing = [t for t, valid, _ in stock if valid is False]
    if should:
        theirs = "frictionless: valid" if all(valid for _, valid, _ in stock) else "frictionless: not valid"
    elif any(valid is None for _, valid, _ in stock):
        theirs = "frictionless: does not finish, or fails without a report"
    elif refusing:
        theirs = f"frictionless: refuses too (on {', '.join(f'`{t}`' for t in refusing)})"
    else:
        theirs = "frictionless: **says valid**"
    return f"{ours}; {theirs}"


class Drip(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(5)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


def remote_rows(tmp: Path) -> list[str]:
    """A server that sends a byte every 5 s: tstalks with --timeout 20, frictionless as it is."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/datapackage.json"
    try:
        start = time.monotonic()
        _, out = run([str(BIN / "tstalks"), "validate", url, "--timeout", "20"], tmp)
        took = time.monotonic() - start
        ours = _cell(next((line for line in out.splitlines() if line.startswith("FAIL")), out)) + f" (after {took:.0f} s)"
        _, theirs = frictionless_says(tmp, url)
    finally:
        server.shutdown()
    return [f"| a server sending one byte every 5 s | `tstalks validate URL --timeout 20` | {ours} | {theirs} | "
            "tstalks: refuses at its deadline; frictionless: does not finish |"]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tstalks-reliability-") as tmp:
        rows = []
        for case in CASES:
            print(case.name, flush=True)
            rows.append(row(case, Path(tmp)))
        rows += remote_rows(Path(tmp))
    table = "\n".join(["| case | command | what `tstalks validate` says | what stock `frictionless validate --json` says "
                       "(on each descriptor) | result |", "|---|---|---|---|---|", *rows])
    versions = subprocess.run([str(BIN / "frictionless"), "--version"], capture_output=True, text=True).stdout.strip()
    block = f"{START}\nfrictionless {versions}, each command limited to {SECONDS} s and {MEMORY >> 30} GB.\n\n{table}\n{END}"
    text = DOC.read_text("utf-8")
    DOC.write_text(text[:text.index(START)] + block + text[text.index(END) + len(END):], "utf-8")
    print(f"wrote {len(rows)} rows to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
