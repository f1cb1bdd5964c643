"""The search service under load, on this machine, over 127.0.0.1 only (a benchmark, not a test).

Builds the real content into a temporary folder, starts `kb serve --workers N`, and loads it
with wrk (Debian's `wrk`, a C load generator with one thread, so that the load generator
takes as little of this 2-core machine as it can):
1. concurrency 1, 8 and 32: clients each send the caseworkers' questions
   (tests/search_questions.yml) one after another for a fixed time: requests/s and
   p50/p95/p99 latency;
2. a normal client's latency alone, then while four clients send 200-character queries of
   random long words as fast as they can.
Every phase is bounded in time; figures are the median of several runs. CPU time of the
server's processes and of the load generator is reported beside wall time, with the load
average, since the machine may be shared.

    .venv/bin/python benchmarks/service_bench.py --workers 4 --seconds 5 --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from service_helpers import Service  # noqa: E402

from kb_tools.config import Paths  # noqa: E402
from kb_tools.pipeline.build import build  # noqa: E402


def questions() -> list[str]:
    data = yaml.safe_load((REPO / "tests/search_questions.yml").read_text())
    return [q["q"] for q in data]


def random_query(rng: random.Random) -> str:
    words = []
    while len(" ".join(words)) < 190:
        words.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(7, 12))))
    return " ".join(words)[:200]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("KB_BENCH_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format('KBJSON {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def search_paths(queries: list[str]) -> list[str]:
    from urllib.parse import urlencode

    return [f"/api/search?{urlencode({'q': q, 'edition': 'gb'})}" for q in queries]


def start_wrk(base: str, paths: list[str], connections: int, seconds: float, work: Path, name: str) -> subprocess.Popen:
    """wrk (C, one thread, so the server keeps the cores) sending the paths in turn."""
    script, listed = work / f"{name}.lua", work / f"{name}.paths"  # one script each: wrk reads it while another starts
    script.write_text(WRK_SCRIPT)
    listed.write_text("\n".join(paths) + "\n")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(script), base]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "KB_BENCH_PATHS": str(listed)}
    )


def wrk_result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=600)
    line = next(line for line in out.splitlines() if line.startswith("KBJSON "))
    result = json.loads(line.removeprefix("KBJSON "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def phase(base: str, clients: int, seconds: float, queries: list[str], work: Path) -> dict:
    return wrk_result(start_wrk(base, search_paths(queries), clients, seconds, work, f"load{clients}"))


def attacked(base: str, seconds: float, queries: list[str], attackers: int, work: Path) -> dict:
    """A normal client's latency while `attackers` clients send random 200-character queries."""
    rng = random.Random(7)
    hostile = [random_query(rng) for _ in range(500)]
    normal = start_wrk(base, search_paths(queries), 1, seconds, work, "normal")
    attack = start_wrk(base, search_paths(hostile), attackers, seconds, work, "attack") if attackers else None
    result = wrk_result(normal)
    if attack is not None:
        result["hostile"] = wrk_result(attack)
    return {"normal_p95": result["p95"], "normal_requests": result["requests"], "errors": result["errors"]}


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the uvicorn workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def run_once(root: Path, workers: int, seconds: float) -> dict:
    service = Service(root, workers=workers, env={"KB_ANALYTICS": "off"})
    try:
        asked = questions()
        phase(service.url, 4, 2, asked, root)  # warm every worker's index
        server_cpu = process_cpu(service.process.pid)
        started = time.perf_counter()
        result: dict = {"load": {c: phase(service.url, c, seconds, asked, root) for c in (1, 8, 32)}}
        result["alone"] = attacked(service.url, seconds, asked, 0, root)
        result["attacked"] = attacked(service.url, seconds, asked, 4, root)
        result["wall"] = time.perf_counter() - started
        result["server_cpu"] = process_cpu(service.process.pid) - server_cpu
        result["loadavg"] = os.getloadavg()[0]
        return result
    finally:
        service.stop()


def median_of(runs: list[dict], *keys: object) -> float:
    values = []
    for run in runs:
        value: object = run
        for key in keys:
            value = value[key]  # type: ignore[index]
        values.append(float(value))  # type: ignore[arg-type]
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("the load generator wrk is needed: bash .ci/bench-service installs it (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="kb-service-bench-"))
    try:
        paths = Paths(REPO / "content", work / "docs", work / "site", work / "search_index", REPO / "mkdocs.yml")
        assert build(paths).ok
        runs = [run_once(work, args.workers, args.seconds) for _ in range(args.runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    for clients in (1, 8, 32):
        rows.append(
            f"| {clients} | {median_of(runs, 'load', clients, 'rps'):.0f} | {median_of(runs, 'load', clients, 'p50'):.1f} | "
            f"{median_of(runs, 'load', clients, 'p95'):.1f} | {median_of(runs, 'load', clients, 'p99'):.1f} | "
            f"{median_of(runs, 'load', clients, 'errors'):.0f} |"
        )
    alone, hit = median_of(runs, "alone", "normal_p95"), median_of(runs, "attacked", "normal_p95")
    ratio = median_of(runs, "load", 32, "rps") / median_of(runs, "load", 1, "rps")
    print(f"kb serve --workers {args.workers}, real content, {args.seconds:.0f} s a phase, median of {args.runs} runs")
    print("| clients | requests/s | p50 ms | p95 ms | p99 ms | errors |\n|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"throughput at 32 clients / at 1 client: {ratio:.2f}x (target >= 1.6x)")
    print(f"p99 at 32 clients: {median_of(runs, 'load', 32, 'p99'):.0f} ms (target < 300 ms)")
    print(
        f"a normal client's p95: {alone:.1f} ms alone, {hit:.1f} ms with four clients sending 200-character random queries ({hit / alone:.2f}x; target < 3x)"
    )
    print(
        f"CPU per run: server {median_of(runs, 'server_cpu'):.1f} s (every worker), "
        f"in {median_of(runs, 'wall'):.1f} s wall; load average {median_of(runs, 'loadavg'):.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str))


if __name__ == "__main__":
    main()
