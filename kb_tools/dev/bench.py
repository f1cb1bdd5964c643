"""`kb bench`: the whole pipeline measured on synthetic libraries of N pages.

For each N it writes a synthetic content folder (kb_tools/synth.py), then measures every
stage several times and reports the median: the tool's own steps in this process, MkDocs
as `kb build` runs it, and whole `kb build` runs (fresh, no change, one page changed) each in
a new Python process, as a maintainer or CI runs them. It prints a table and writes JSON.

    kb bench --pages 1000,10000 --runs 3 --json bench.json
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import CACHE_DIR_NAME, Paths
from kb_tools.content.text import parse
from kb_tools.dev import synth
from kb_tools.model import Library
from kb_tools.pipeline.build import build_sites, render_all
from kb_tools.search import index
from kb_tools.search.query import SearchService
from kb_tools.versions import VERSION_PREFIX, current, versions_folder

# key, label, unit: every figure the benchmark reports, in table order.
FIGURES = (
    ("validate", "validate (kb check, nothing cached)", "s"),
    ("validate_cached", "validate again (kb check, nothing changed: cached)", "s"),
    ("render", "render both editions (Markdown written)", "s"),
    ("link_check", "link check (built HTML, both editions)", "s"),
    ("index_build", "search index build (both editions)", "s"),
    ("mkdocs", "MkDocs build (editions in parallel)", "s"),
    ("mkdocs_serial", "MkDocs build (one edition after the other)", "s"),
    ("tool_share", "tool's own steps / MkDocs build", "%"),
    ("full_build", "kb build, from nothing", "s"),
    ("no_change_build", "kb build, nothing changed", "s"),
    ("one_page_build", "kb build, one page changed (an old version to delete)", "s"),
    ("one_page_build_less_mkdocs", "kb build, one page changed, less MkDocs", "s"),
    ("search_p50", "search latency p50", "ms"),
    ("search_p95", "search latency p95", "ms"),
    ("index_size", "search index on disk", "MB"),
    ("site_size", "site on disk (both editions)", "MB"),
    ("page_size", "average HTML page", "KB"),
    ("peak_memory_tool", "peak memory: kb build process", "MB"),
    ("peak_memory_mkdocs", "peak memory: one MkDocs process", "MB"),
)
UNITS = {key: unit for key, _, unit in FIGURES}
# Building the editions one after the other only shows what building them in parallel
# gains: measured up to this size, where it costs minutes, not hours.
SERIAL_UP_TO = 2000

# Issue 17's targets: (figure, limit, at N or None for every N, what it says). A figure
# ending in _cpu is the CPU time of all processes (the steadier figure on a shared machine).
TARGETS: tuple[tuple[str, float, int | None, str], ...] = (
    ("tool_share_cpu", 25.0, 1000, "tool's own CPU under 25% of MkDocs' at 1,000 pages"),
    ("no_change_build_cpu", 0.5, 1000, "no-change kb build under 0.5 CPU-s at 1,000 pages"),
    ("one_page_build_less_mkdocs_cpu", 1.0, 1000, "one-page change: tool's own CPU under 1 s at 1,000 pages"),
    ("one_page_build_less_mkdocs_cpu", 5.0, 10000, "one-page change: tool's own CPU under 5 s at 10,000 pages"),
    ("search_p95", 8.0, 10000, "search p95 under 8 ms at 10,000 pages"),
    ("page_size", 100.0, 10000, "average page under 100 KB at 10,000 pages"),
)


@dataclass
class Runs:
    """Each figure's value in every run; the reported figure is the median."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float | None, cpu: float | None = None) -> None:
        if value is not None:
            self.values.setdefault(key, []).append(value)
        if cpu is not None:
            self.values.setdefault(f"{key}_cpu", []).append(cpu)

    def medians(self) -> dict[str, float | None]:
        return {key: statistics.median(values) for key, values in self.values.items()}


# --- what is measured --------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of every child process it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Timing:
    """Wall-clock time, and CPU time: on a shared machine the CPU time is the steadier figure."""

    wall: float
    cpu: float


T = TypeVar("T")


def timed(function: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[Timing, T]:
    started, cpu = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    return Timing(time.perf_counter() - started, cpu_seconds() - cpu), result


def add_timing(runs: Runs, key: str, timing: Timing) -> None:
    runs.add(key, timing.wall, timing.cpu)


def bench_paths(root: Path, project: Paths) -> Paths:
    return Paths(
        content=root / "content",
        docs=root / "docs",
        site=root / "site",
        search_index=root / "search_index",
        mkdocs_yml=project.mkdocs_yml,
        cache=root / CACHE_DIR_NAME,
    )


def measure_steps(paths: Paths, runs: Runs) -> Library:
    """The tool's own steps and MkDocs, each from a cold start, in this process."""
    parse.cache_clear()  # a `kb build` process starts with nothing cached
    if paths.cache is not None:
        shutil.rmtree(paths.cache, ignore_errors=True)
    timing, check = timed(check_all, paths.content)
    assert check.ok and check.library is not None, [str(p) for p in check.problems[:5]]
    add_timing(runs, "validate", timing)
    check_all(paths.content, cache=paths.cache)  # fill the cache
    parse.cache_clear()
    add_timing(runs, "validate_cached", timed(check_all, paths.content, CheckOptions(), paths.cache)[0])

    parse.cache_clear()
    shutil.rmtree(paths.docs, ignore_errors=True)
    timing, (outputs, _) = timed(render_all, check.library, replace(paths, cache=None))  # rendering itself
    add_timing(runs, "render", timing)

    editions = [o.edition.id for o in outputs]
    staging = paths.site.with_name("mkdocs-bench")
    shutil.rmtree(staging, ignore_errors=True)
    add_timing(runs, "mkdocs", timed(build_sites, paths, editions, staging)[0])
    if len(check.library.pages) <= SERIAL_UP_TO:
        serial = [timed(build_sites, paths, [e], staging)[0] for e in editions]
        runs.add("mkdocs_serial", sum(t.wall for t in serial), sum(t.cpu for t in serial))
    add_timing(runs, "link_check", timed(run_site_checks, staging, check.library)[0])
    runs.add("site_size", folder_bytes(staging) / 1e6)
    runs.add("page_size", average_page_bytes(staging) / 1e3)
    shutil.rmtree(staging, ignore_errors=True)
    add_timing(runs, "index_build", timed(build_indexes, paths, check.library, outputs)[0])
    measure_search(paths, editions, runs)
    return check.library


def run_site_checks(site: Path, library: Library) -> None:
    """The built-site checks `kb build` runs before publishing: the HTML link check."""
    from kb_tools.site.checks import site_problems

    site_problems(site, library, None)  # nothing reused: the whole check


def build_indexes(paths: Paths, library: Library, outputs) -> None:
    """Both editions' search indexes from nothing, as the first `kb build` makes them."""
    shutil.rmtree(paths.search_index, ignore_errors=True)
    for output in outputs:
        index.publish(index.prepare(paths.search_index, output.edition.id, output.pages, library.terminology.synonyms))


def measure_search(paths: Paths, editions: Sequence[str], runs: Runs) -> None:
    """Latency of every query of the fixed set in each edition, three times (the first on an
    index nothing has searched yet), in a new process holding only the index, as `kb serve`
    answers: this process holds the whole library and its outputs."""
    _, latencies = run_child("child_search", "the search benchmark", str(paths.search_index), *editions)
    runs.add("search_p50", percentile(latencies, 50))
    runs.add("search_p95", percentile(latencies, 95))
    versions = [index.current_version(index.edition_folder(paths.search_index, e)) for e in editions]
    runs.add("index_size", sum(folder_bytes(v) for v in versions if v is not None) / 1e6)


def child_search(search_index: str, *editions: str) -> None:
    """Run in a new process by measure_search: every latency in milliseconds, as JSON."""
    service = SearchService(Path(search_index))
    try:
        service.open_published()  # as `kb serve` does at start: opening is not a search
        latencies = []
        for _ in range(3):
            for edition in editions:
                for query in synth.QUERIES:
                    started = time.perf_counter()
                    service.search(query, edition)
                    latencies.append((time.perf_counter() - started) * 1000)
    finally:
        service.close()
    print(json.dumps(latencies))


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def child_build(paths_json: str) -> None:
    """Run in a fresh process by measure_builds: one `kb build`, then its figures as JSON."""
    from kb_tools.pipeline.build import build

    paths = Paths(**{k: Path(v) if v else None for k, v in json.loads(paths_json).items()})  # type: ignore[arg-type]
    result = build(paths)
    mkdocs = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build's only child processes are MkDocs
    print(
        json.dumps(
            {
                "ok": result.ok,
                "rebuilt": list(result.rebuilt),
                "timings": result.timings,
                "peak_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "peak_children_kb": mkdocs.ru_maxrss,
                "mkdocs_cpu": mkdocs.ru_utime + mkdocs.ru_stime,
            }
        )
    )


def run_child(function: str, what: str, *args: str) -> tuple[Timing, Any]:
    """One of this module's child_… functions in a new Python process (its time includes
    starting Python and imports), and the JSON it printed last."""
    command = [
        sys.executable,
        "-c",
        f"import sys; from kb_tools.dev.bench import {function}; {function}(*sys.argv[1:])",
        *args,
    ]
    timing, completed = timed(
        subprocess.run, command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{completed.stderr[-2000:]}")
    return timing, json.loads(completed.stdout.strip().splitlines()[-1])


def run_build(paths: Paths) -> tuple[Timing, dict]:
    """`kb build` in a new Python process, as a maintainer or CI runs it."""
    data = json.dumps({k: str(v) if v is not None else "" for k, v in vars(paths).items()})
    timing, report = run_child("child_build", "kb build", data)
    if not report["ok"]:
        raise RuntimeError(f"kb build reported problems: {report}")
    return timing, report


def remove_outputs(root: Path, content: Path) -> None:
    """Everything a build wrote beside the content (folders, version folders, links to them)."""
    for item in root.iterdir():
        if item == content:
            continue
        if item.is_symlink() or not item.is_dir():
            item.unlink()
        else:
            shutil.rmtree(item)


def measure_builds(paths: Paths, corpus: synth.SynthCorpus, editions: list[str], run: int, runs: Runs) -> None:
    remove_outputs(paths.content.parent, paths.content)
    timing, report = run_build(paths)
    assert sorted(report["rebuilt"]) == sorted(editions), f"a build from nothing built only {report['rebuilt']}"
    add_timing(runs, "full_build", timing)
    runs.add("peak_memory_tool", report["peak_self_kb"] / 1024)
    runs.add("peak_memory_mkdocs", report["peak_children_kb"] / 1024)

    timing, report = run_build(paths)
    assert report["rebuilt"] == [], f"nothing changed, yet MkDocs ran for {report['rebuilt']}"
    add_timing(runs, "no_change_build", timing)

    synth.edit_page(corpus, run)
    plant_old_versions(paths.site)
    timing, report = run_build(paths)
    assert len(list(versions_folder(paths.site).glob(VERSION_PREFIX + "*"))) == 3, "the old version was not removed"
    add_timing(runs, "one_page_build", timing)
    mkdocs = report["timings"].get("mkdocs", 0.0)
    runs.add("one_page_build_less_mkdocs", timing.wall - mkdocs, timing.cpu - report["mkdocs_cpu"])


def plant_old_versions(site: Path) -> None:
    """Two earlier versions beside the published one, as after a maintainer's second build:
    the oldest, a full copy, is outdated, so the measured build has a whole site to delete
    (kb_tools/versions.py `outdated`); the newer one (hard links) is kept as the previous."""
    live = current(site)
    assert live is not None
    builds = versions_folder(site)
    shutil.copytree(live, builds / f"{VERSION_PREFIX}00000000T000001-bench-old")
    shutil.copytree(live, builds / f"{VERSION_PREFIX}00000000T000002-bench-previous", copy_function=os.link)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def average_page_bytes(site: Path) -> float:
    pages = [p.stat().st_size for p in site.glob("*/**/*.html")]  # every edition's pages
    return sum(pages) / len(pages)


def bench_one(
    pages: int, runs: int, workdir: Path, seed: int, progress: Callable[[str], None], save: Callable[[Runs], None]
) -> Runs:
    """Every figure at one size, run after run (save() is called as figures come in)."""
    paths = bench_paths(workdir / f"n{pages}", Paths.for_project())
    progress(f"{pages} pages: writing the synthetic library")
    corpus = synth.generate(paths.content, pages, seed)
    measured = Runs()
    for run in range(1, runs + 1):
        progress(f"{pages} pages, run {run} of {runs}: the tool's steps and MkDocs")
        library = measure_steps(paths, measured)
        save(measured)
        progress(f"{pages} pages, run {run} of {runs}: kb build (from nothing, no change, one page changed)")
        measure_builds(paths, corpus, [e.id for e in library.site.editions], run, measured)
        save(measured)
    return measured


def figures_of(measured: Runs) -> dict[str, float | None]:
    """The medians, and the tool's own steps as a share of the MkDocs build."""
    figures = measured.medians()
    for suffix in ("", "_cpu"):
        own = sum(figures.get(f"{k}{suffix}") or 0.0 for k in ("validate", "render", "link_check", "index_build"))
        mkdocs = figures.get(f"mkdocs{suffix}")
        figures[f"tool_share{suffix}"] = 100 * own / mkdocs if mkdocs else None
    return figures


# --- reporting ---------------------------------------------------------------------------


def memory_gib() -> int:
    meminfo = Path("/proc/meminfo")  # Linux; elsewhere the figure is left at 0
    lines = meminfo.read_text().splitlines() if meminfo.exists() else []
    kilobytes = next((int(line.split()[1]) for line in lines if line.startswith("MemTotal")), 0)
    return round(kilobytes / 1024 / 1024)


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "mkdocs": importlib.metadata.version("mkdocs"),
        "mkdocs-material": importlib.metadata.version("mkdocs-material"),
    }


def describe(about: dict, runs: int) -> str:
    load = ", ".join(f"{a:.1f}" for a in (about["load_average_before"][1], about["load_average_after"][1]))
    return (
        f"{about['cpus']} CPUs, {about['memory_gib']} GiB, Python {about['python']}, MkDocs {about['mkdocs']}, "
        f"Material {about['mkdocs-material']}; median of {runs} run{'s' * (runs != 1)}; load average (5 min) before and after: {load}"
    )


def target_results(results: dict[int, dict[str, float | None]]) -> list[dict[str, object]]:
    checks = []
    for key, limit, at, text in TARGETS:
        for pages, figures in results.items():
            if (at is None or at == pages) and figures.get(key) is not None:
                checks.append(
                    {
                        "target": text,
                        "pages": pages,
                        "value": figures[key],
                        "unit": UNITS[key.removesuffix("_cpu")],
                        "met": figures[key] < limit,  # type: ignore[operator]  # not None: checked above
                    }
                )
    return checks


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def format_figure(figures: dict[str, float | None], key: str, unit: str) -> str:
    text = format_value(figures.get(key), unit)
    cpu = figures.get(f"{key}_cpu")
    return f"{text} (CPU {format_value(cpu, unit)})" if cpu is not None else text


def table(results: dict[int, dict[str, float | None]]) -> str:
    sizes = list(results)
    header = ["figure (median; CPU time of all processes)", *(f"{n:,} pages" for n in sizes)]
    rows = [[label, *(format_figure(results[n], key, unit) for n in sizes)] for key, label, unit in FIGURES]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    for check in target_results(results):
        mark = "met" if check["met"] else "MISSED"
        lines.append(
            f"target {mark}: {check['target']} ({format_value(check['value'], str(check['unit']))} at {check['pages']:,} pages)"  # type: ignore[arg-type]
        )
    return "\n".join(lines)


def run_benchmark(
    sizes: Sequence[int],
    runs: int = 3,
    json_path: Path | None = None,
    workdir: Path | None = None,
    seed: int = 1,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, object]:
    """Measure every size; returns the report, and writes it to json_path after every run
    (a long benchmark that is stopped keeps what it measured)."""
    keep = workdir is not None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    load_before = os.getloadavg()
    measured: dict[int, Runs] = {}

    def report() -> dict[str, object]:
        results = {n: figures_of(m) for n, m in measured.items()}
        about = {**machine(), "load_average_before": load_before, "load_average_after": os.getloadavg()}
        done = {n: len(m.values.get("full_build", ())) for n, m in measured.items()}
        return {
            "machine": about,
            "runs": runs,
            "runs_done": {str(n): count for n, count in done.items()},
            "seed": seed,
            "units": UNITS,
            "results": {str(n): figures for n, figures in results.items()},
            "each_run": {str(n): m.values for n, m in measured.items()},
            "targets": target_results(results),
            "table": f"{describe(about, runs)}\n{table(results)}",
        }

    def save(size: int, runs_so_far: Runs) -> None:
        measured[size] = runs_so_far
        if json_path is not None:
            json_path.write_text(json.dumps(report(), indent=2) + "\n", encoding="utf-8")

    try:
        for size in sizes:
            bench_one(size, runs, workdir, seed, progress, functools.partial(save, size))
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return report()
