"""Scale benchmark: build, validate (tstalks vs stock frictionless) and load (CSV vs Parquet) synthetic packages.

Not a test: it takes minutes to hours. Run from the checkout root:

    .venv/bin/python benchmarks/run.py --sizes 1000 10000 100000 1000000 --work /tmp/bench

Each size is synthesized once (`tstalks synth N`), built (`tstalks build`), validated both ways and
loaded with pandas. Results accumulate in benchmarks/results.json (one entry per size, so sizes can be
run separately) and the table in docs/performance.md is rewritten from all of them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results.json"
DOC = ROOT / "docs" / "performance.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"


def steal_seconds() -> float | None:
    """CPU time the hypervisor gave other guests, summed over this machine's cores (Linux /proc/stat): on a
    virtual machine, a wall time with much steal in it says more about the neighbours than about the program."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")  # cpu user nice system idle iowait irq softirq steal
    except (OSError, IndexError, ValueError):
        return None


def timed(cmd: list[str], timeout: float | None = None) -> dict:
    """Wall time, CPU time and peak memory of the child (GNU time), the host's steal time meanwhile, and the
    exit code of one command."""
    stolen = steal_seconds()
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    after = steal_seconds()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
            "host_steal_seconds": round(after - stolen, 2) if stolen is not None and after is not None else None,
            "exit": proc.returncode, "tail": (proc.stdout + proc.stderr).strip().splitlines()[-25:-23] if proc.returncode else []}


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(min(times), 3)


def measure(n: int, work: Path, frictionless_timeout: float, previous: dict | None = None) -> dict:
    import pandas as pd

    folder = work / f"src-{n}"
    if not (folder / "seeds").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([BIN / "tstalks", "synth", str(n), "--out", str(folder)], check=True, cwd=ROOT)
    result: dict = {"quotes": n, "load_average_1min": round(os.getloadavg()[0], 2)}  # other jobs on the machine
    if previous and previous["build"]["exit"] == 0 and (folder / "datapackage.json").is_file():
        result["build"] = previous["build"]  # --validate-only: keep the build measured before
    else:
        for out in ("data", "datapackage.json"):  # build from scratch every time
            target = folder / out
            shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        result["build"] = timed([str(BIN / "tstalks"), "build", "--root", str(folder)])
    if result["build"]["exit"] != 0:
        return result
    # Best of 3 (by wall time), all three kept: a few seconds' run moves with the machine's other work more than
    # frictionless's minutes do, which is measured once.
    runs = [timed([str(BIN / "tstalks"), "validate", "--root", str(folder)]) for _ in range(3)]
    result["validate_tstalks"] = {**min(runs, key=lambda r: r["seconds"]), "runs": runs}
    result["schema_checks_csv"] = timed([str(BIN / "python"), "-c", "import sys; from pathlib import Path; "
                                         "from tstalks.core.tableschema import check_package; "
                                         "sys.exit(1 if check_package(Path(sys.argv[1])) else 0)", str(folder / "datapackage.json")])
    try:
        result["validate_frictionless"] = timed([str(BIN / "frictionless"), "validate", "--limit-errors", "1000000000",
                                                 str(folder / "datapackage.json")], timeout=frictionless_timeout)
    except subprocess.TimeoutExpired:
        result["validate_frictionless"] = {"seconds": None, "timeout": frictionless_timeout}
    quotes_csv, quotes_pq = folder / "data" / "csv" / "quotes.csv", folder / "data" / "parquet" / "quotes.parquet"
    result["load_quotes"] = {"csv_seconds": best_of(lambda: pd.read_csv(quotes_csv, keep_default_na=False)),
                             "parquet_seconds": best_of(lambda: pd.read_parquet(quotes_pq)),
                             "csv_bytes": quotes_csv.stat().st_size, "parquet_bytes": quotes_pq.stat().st_size,
                             **ceiling(quotes_pq, work)}
    result["bytes_all_tables"] = {fmt: sum(p.stat().st_size for p in (folder / "data" / fmt).glob(f"*.{fmt}"))
                                  for fmt in ("csv", "parquet")}
    return result


def ceiling(published: Path, work: Path) -> dict:
    """The same table written for read speed alone (no compression, no dictionary, plain encodings, so larger
    than its CSV) and loaded the same way: what no choice of Parquet settings can beat here."""
    import pandas as pd
    import pyarrow.parquet as pq

    fastest = work / "quotes-uncompressed.parquet"
    pq.write_table(pq.read_table(published), fastest, compression="none", use_dictionary=False, row_group_size=1 << 19)
    try:
        return {"uncompressed_parquet_seconds": best_of(lambda: pd.read_parquet(fastest)),
                "uncompressed_parquet_bytes": fastest.stat().st_size}
    finally:
        fastest.unlink()


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(),
            "versions": {p: version(p) for p in ("frictionless", "pyarrow", "pandas", "pyyaml", "jsonschema")}}


def _fmt(x, unit: str = "") -> str:
    return "n/a" if x is None else f"{x:,}{unit}" if isinstance(x, int) else f"{x:.2f}{unit}"


def _ratio(a, b) -> str:
    return f"{a / b:.1f}x" if a and b else "n/a"


def table(results: dict) -> str:
    rows = ["| quotes | build wall s | build CPU s | build CPU s per 10^5 quotes | build peak MB | "
            "tstalks validate wall s (CPU s), best of 3 | tstalks validate peak MB | schema checks only, CPU s | "
            "frictionless validate wall s (CPU s) | frictionless / tstalks validate, wall | frictionless / tstalks validate, CPU | "
            "pandas CSV s | pandas Parquet s | CSV / Parquet load time | CSV / uncompressed Parquet load time (ceiling) | "
            "quotes.csv bytes | quotes.parquet bytes | all CSV bytes | all Parquet bytes |",
            "|" + "---:|" * 19]
    for key in sorted(results, key=int):
        r = results[key]
        n, b = r["quotes"], r["build"]
        vt, sc, vf = r.get("validate_tstalks", {}), r.get("schema_checks_csv", {}), r.get("validate_frictionless", {})
        vf_text = (f"> {vf['timeout']:.0f} (stopped)" if vf.get("timeout")
                   else f"{_fmt(vf.get('seconds'))} ({_fmt(vf.get('cpu_seconds'))})")
        ld, by = r.get("load_quotes", {}), r.get("bytes_all_tables", {})
        cpu = b.get("cpu_seconds")
        rows.append(f"| {n:,} | {_fmt(b['seconds'])} | {_fmt(cpu)} | {_fmt(cpu / n * 1e5 if cpu else None)} | {_fmt(b['peak_mb'])} | "
                    f"{_fmt(vt.get('seconds'))} ({_fmt(vt.get('cpu_seconds'))}) | {_fmt(vt.get('peak_mb'))} | "
                    f"{_fmt(sc.get('cpu_seconds'))} | {vf_text} | "
                    f"{_ratio(vf.get('seconds'), vt.get('seconds'))} | {_ratio(vf.get('cpu_seconds'), vt.get('cpu_seconds'))} | "
                    f"{_fmt(ld.get('csv_seconds'))} | {_fmt(ld.get('parquet_seconds'))} | "
                    f"{_ratio(ld.get('csv_seconds'), ld.get('parquet_seconds'))} | "
                    f"{_ratio(ld.get('csv_seconds'), ld.get('uncompressed_parquet_seconds'))} | "
                    f"{_fmt(ld.get('csv_bytes'))} | {_fmt(ld.get('parquet_bytes'))} | {_fmt(by.get('csv'))} | {_fmt(by.get('parquet'))} |")
    return "\n".join(rows)


def write_doc(results: dict, info: dict) -> None:
    m = info
    block = (f"{TABLE_START}\nMachine: {m['nproc']} cores, {m['memory_gb']} GB RAM, {m['cpu']}; Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".\n\n" + table(results) + f"\n{TABLE_END}")
    text = DOC.read_text("utf-8") if DOC.is_file() else f"# Performance\n\n{TABLE_START}\n{TABLE_END}\n"
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    DOC.write_text(text[:start] + block + text[end:], "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/tstalks-bench"))
    parser.add_argument("--frictionless-timeout", type=float, default=1800)
    parser.add_argument("--validate-only", action="store_true",
                        help="Keep each size's earlier build measurement and package; measure validation and loads again")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="JSON file for these sizes; the doc's table merges every benchmarks/results*.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.results.read_text()) if args.results.is_file() else {}
    for n in args.sizes:
        print(f"== {n} quotes", flush=True)
        results[str(n)] = measure(n, args.work, args.frictionless_timeout,
                                  results.get(str(n)) if args.validate_only else None)
        print(json.dumps(results[str(n)]), flush=True)
        args.results.write_text(json.dumps(results, indent=2) + "\n")
        write_merged()
    write_merged()


def write_merged() -> None:
    """The doc's table from every results file (later names win: results.json, then results_*.json)."""
    merged: dict = {}
    for path in sorted(RESULTS.parent.glob("results*.json")):
        merged.update({k: v for k, v in json.loads(path.read_text()).items() if v["build"]["exit"] == 0})
    write_doc(merged, machine())


if __name__ == "__main__":
    main()
