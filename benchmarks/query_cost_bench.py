"""What a query of random words costs against a normal one (issue 20: bounded correction work).

    .venv/bin/python benchmarks/query_cost_bench.py            # the real content and a 1,000-page synthetic library
    .venv/bin/python benchmarks/query_cost_bench.py --pages 0  # the real content only

A query of random words is the worst case for typo correction: every word is unknown to the
index and to the English dictionary, so each is looked up for the nearest known word. Each
measured query is new (fresh random words, a seed per query), so no cache helps it. Normal
queries are the development set's questions. For each library: the median and 95th
percentile over --runs rounds, wall time and CPU time (process_time) side by side, warm index
(opened before timing, as `kb serve` does). Writes test-output/query-cost-bench.json.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_tools.dev import synth  # noqa: E402
from kb_tools.dev.search_eval import DEVELOPMENT_SET, build_search_index, load_questions  # noqa: E402
from kb_tools.search.query import MAX_QUERY_LENGTH, SearchService  # noqa: E402


def random_query(seed: int, length: int = MAX_QUERY_LENGTH) -> str:
    """Lower-case words of 6 to 12 random letters up to `length` characters: all misspellings."""
    rng = random.Random(seed)
    words: list[str] = []
    while True:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 12)))
        if len(" ".join([*words, word])) > length:
            return " ".join(words)
        words.append(word)


def timed(service: SearchService, query: str) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    service.search(query, "gb", 10)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(search_index: Path, label: str, runs: int) -> dict:
    service = SearchService(search_index)
    service.open_published()
    normal = [q.text for q in load_questions(DEVELOPMENT_SET) if q.edition == "gb"]
    for query in normal:  # warm the term caches as a running service has them
        service.search(query, "gb", 10)
    figures: dict[str, dict[str, list[float]]] = {"normal": {"wall": [], "cpu": []}, "random": {"wall": [], "cpu": []}}
    seed = 0
    for _ in range(runs):
        for query in normal:
            wall, cpu = timed(service, query)
            figures["normal"]["wall"].append(wall)
            figures["normal"]["cpu"].append(cpu)
            seed += 1
            wall, cpu = timed(service, random_query(seed))
            figures["random"]["wall"].append(wall)
            figures["random"]["cpu"].append(cpu)
    service.close()
    row: dict[str, object] = {"library": label, "queries_per_kind": len(normal) * runs}
    for kind, times in figures.items():
        for clock, values in times.items():
            row[f"{kind}_{clock}_p50_ms"] = statistics.median(values)
            row[f"{kind}_{clock}_p95_ms"] = percentile(values, 0.95)
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| library | normal query p50 / p95 (CPU p50) | 200-character random-word query p50 / p95 (CPU p50) |",
        "|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['library']} | {r['normal_wall_p50_ms']:.2f} / {r['normal_wall_p95_ms']:.2f} ms "
            f"({r['normal_cpu_p50_ms']:.2f} ms) | {r['random_wall_p50_ms']:.2f} / {r['random_wall_p95_ms']:.2f} ms "
            f"({r['random_cpu_p50_ms']:.2f} ms) |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="synthetic library size (0: the real content only)")
    parser.add_argument("--runs", type=int, default=5, help="rounds over the normal queries, each with new random ones")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kb-query-cost-") as work:
        real = Path(work) / "real"
        build_search_index(ROOT / "content", real)
        rows.append(measure(real, "real content (18 pages)", args.runs))
        if args.pages:
            content = Path(work) / "synth"
            synth.generate(content, args.pages)
            build_search_index(content, Path(work) / "synth-index")
            rows.append(measure(Path(work) / "synth-index", f"synthetic ({args.pages:,} pages)", args.runs))
    print(table(rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {len(os.sched_getaffinity(0))} cores, load average at the end {load}"
    print(f"\n{machine}")
    out = ROOT / "test-output" / "query-cost-bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
