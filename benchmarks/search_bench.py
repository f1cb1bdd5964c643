"""Search benchmark: index build time and search latency on synthetic libraries.

    .venv/bin/python benchmarks/search_bench.py                 # 1,000 and 10,000 pages
    .venv/bin/python benchmarks/search_bench.py --pages 200     # a quick run

For each size: a synthetic library from kb_tools.dev.synth (fixed seed), validated, in both
editions; then, each the median of --runs runs:
- full index build (both editions, from nothing), the index's size on disk;
- a one-page change (prepare + publish), and a build where nothing changed;
- search latency over synth.QUERIES in the GB edition: "first" is each query's first run
  in a freshly opened index (opened as `kb serve` opens it, nothing searched yet: what the
  first caseworker to search a new index waits), "warm" every later run (what a running `kb serve` answers with).
Prints a table and writes test-output/search-bench.json. Not a test: timings depend on the
machine; the tests check behaviour.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_tools.content.validate import check_content  # noqa: E402
from kb_tools.dev import synth  # noqa: E402
from kb_tools.editions.terminology import page_for_edition  # noqa: E402
from kb_tools.search import index  # noqa: E402
from kb_tools.search.query import SearchService  # noqa: E402

EDITIONS = ("gb", "ni")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def build_all(root: Path, editions: dict, synonyms) -> None:
    for edition, pages in editions.items():
        index.publish(index.prepare(root, edition, pages, synonyms))


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench(pages: int, runs: int, work: Path) -> dict:
    content = work / f"content-{pages}"
    synth.generate(content, pages)
    library = check_content(content).library
    assert library is not None, "the synthetic library does not validate"
    synonyms = library.terminology.synonyms
    editions = {e: [page_for_edition(p, e, library.terminology.ni_terms) for p in library.pages] for e in EDITIONS}
    root = work / f"index-{pages}"

    full = []
    for _ in range(runs):
        shutil.rmtree(root, ignore_errors=True)
        full.append(timed(build_all, root, editions, synonyms)[0])
    size = sum(folder_size(index.current_version(root / e)) for e in EDITIONS)

    one_page, nothing = [], []
    for run in range(runs):
        changed = dict(editions)
        first = changed["gb"][0]
        changed["gb"] = [replace(first, summary=f"{first.summary} Edited {run}."), *changed["gb"][1:]]
        one_page.append(timed(build_all, root, changed, synonyms)[0])
        nothing.append(timed(build_all, root, changed, synonyms)[0])

    first_runs, warm_runs, warm_cpu = [], [], []
    for _ in range(runs):
        service = SearchService(root)
        service.open_published()  # as `kb serve` does at start: opening is not a search
        for repeat in range(5):
            for query in synth.QUERIES:
                cpu = time.process_time()
                seconds, response = timed(service.search, query, "gb", 10)
                (first_runs if repeat == 0 else warm_runs).append(seconds * 1000)
                if repeat:
                    warm_cpu.append((time.process_time() - cpu) * 1000)
        service.close()
    return {
        "pages": pages,
        "index_build_s": statistics.median(full),
        "index_mb": size / 1e6,
        "one_page_change_s": statistics.median(one_page),
        "no_change_s": statistics.median(nothing),
        "first_p50_ms": percentile(first_runs, 0.5),
        "first_p95_ms": percentile(first_runs, 0.95),
        "warm_p50_ms": percentile(warm_runs, 0.5),
        "warm_p95_ms": percentile(warm_runs, 0.95),
        "warm_cpu_p95_ms": percentile(warm_cpu, 0.95),
        "queries": len(synth.QUERIES),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| pages | index build (both editions) | index size | one-page change | no change | first search p50 / p95 | warm search p50 / p95 | warm search CPU p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['pages']:,} | {r['index_build_s']:.1f} s | {r['index_mb']:.1f} MB | {r['one_page_change_s']:.2f} s | "
            f"{r['no_change_s']:.2f} s | {r['first_p50_ms']:.1f} / {r['first_p95_ms']:.1f} ms | "
            f"{r['warm_p50_ms']:.1f} / {r['warm_p95_ms']:.1f} ms | {r['warm_cpu_p95_ms']:.1f} ms |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-search-bench-") as work:
        rows = [bench(n, args.runs, Path(work)) for n in args.pages]
    print(table(rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {len(os.sched_getaffinity(0))} cores, load average at the end {load}"
    print(f"\n{machine}")
    out = ROOT / "test-output" / "search-bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
