"""The page's own search at scale (issue 19): index size, and time and memory in chromium.

    .venv/bin/python benchmarks/browser_search_bench.py                    # 1,000 and 10,000 pages
    .venv/bin/python benchmarks/browser_search_bench.py --pages 1000 --runs 3

For each synthetic library (kb_tools/dev/synth.py): the Whoosh index built as `kb build`
builds it, then exported as the build exports it (search/browser_index.py). Measured:
- the export: files, bytes raw and gzip (what a server sends) by kind, the largest part,
  and the export's CPU and wall time;
- in Debian's chromium, from file:// (the slowest way: nothing cached by a server), over
  --runs fresh pages: the first query after the page opened (every part it needs loaded:
  the cost of the first keystroke), then each further query (warm, parts loading as new
  letters need them), median and 95th percentile; the parts and bytes the first query
  loaded; the page's JavaScript heap after all queries (CDP's JSHeapUsedSize).
Queries are pairs and triples of words the library's pages hold, drawn with a fixed seed,
and a few with typos. Writes test-output/browser-search-bench.json. Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_tools.config import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from kb_tools.dev import synth  # noqa: E402
from kb_tools.dev.bench import percentile  # noqa: E402
from kb_tools.dev.browser_search import BLANK_PAGE, ENGINE  # noqa: E402
from kb_tools.dev.search_eval import build_search_index  # noqa: E402
from kb_tools.search import browser_index  # noqa: E402
from kb_tools.search.index import current_version, edition_folder  # noqa: E402

QUERIES = 40
_TIMED = """async ([root, queries]) => {
  const times = [];
  for (const query of queries) {
    const start = performance.now();
    await window.kbSearchEngine.search(root, query, 10);
    times.push(performance.now() - start);
  }
  const loaded = [...document.querySelectorAll("script[data-kb-root]")].map(s => s.src);
  return {times, loaded};
}"""


def export_library(pages: int, work: Path) -> dict:
    corpus = synth.generate(work / "content", pages, seed=1)
    build_search_index(corpus.root, work / "search_index")
    version = current_version(edition_folder(work / "search_index", "gb"))
    assert version is not None
    english = browser_index._english_stems()  # kept between builds (export_all's store)
    cpu, wall = time.process_time(), time.perf_counter()
    files = browser_index._export(version, "gb", english)  # not the cached export: its cost is measured
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    site = work / "site"
    browser_index.write(files, site)
    (site / "search-engine.js").write_bytes(ENGINE.read_bytes())
    (site / "bench.html").write_text(BLANK_PAGE, encoding="utf-8")
    sizes: dict[str, dict] = {}
    for file in files:
        raw = file.text.encode("utf-8")
        kind = sizes.setdefault(file.name.split("-")[0].removesuffix(".js"), {"files": 0, "raw": 0, "gzip": 0})
        kind["files"] += 1
        kind["raw"] += len(raw)
        kind["gzip"] += len(gzip.compress(raw))
    largest = max(files, key=lambda f: len(f.text))
    return {
        "pages": pages,
        "export_cpu_s": round(cpu, 2),
        "export_wall_s": round(wall, 2),
        "by_kind": sizes,
        "raw_bytes": sum(k["raw"] for k in sizes.values()),
        "gzip_bytes": sum(k["gzip"] for k in sizes.values()),
        "largest_part": {"name": largest.name, "raw": len(largest.text.encode("utf-8"))},
        "site": site,
        "words": _page_words(files),
    }


def _page_words(files: tuple[browser_index.ExportedFile, ...]) -> list[str]:
    words: list[str] = []
    for file in files:
        if file.name.startswith("w-"):
            part = json.loads(file.text[file.text.index(",") + 1 : -3])
            words += [w for w, (_, pages) in part.items() if pages and w.isalpha() and len(w) > 3]
    return sorted(words)


def queries(words: list[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    out = [" ".join(rng.sample(words, rng.choice((2, 3)))) for _ in range(QUERIES)]
    for i in range(0, QUERIES, 8):  # a typo in every eighth query: the correction path
        word = rng.choice(words)
        out[i] = f"{word[:2]}{word[3]}{word[2]}{word[4:]} {out[i]}"
    return out


def measure_in_chromium(site: Path, words: list[str], runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    first, later, heaps, loaded = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        for run in range(runs):
            page = browser.new_page()
            page.goto((site / "bench.html").as_uri())
            page.wait_for_function("window.kbSearchEngine !== undefined")
            asked = queries(words, seed=run)
            timed = page.evaluate(_TIMED, ["./", asked[:1]])
            first.append(timed["times"][0])
            loaded.append(timed["loaded"])
            later += page.evaluate(_TIMED, ["./", asked[1:]])["times"]
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            heaps.append(metrics["JSHeapUsedSize"])
            page.close()
        browser.close()
    first_parts = loaded[0]
    return {
        "first_query_ms": {"median": round(statistics.median(first), 1), "max": round(max(first), 1)},
        "later_queries_ms": {"p50": round(percentile(later, 50), 1), "p95": round(percentile(later, 95), 1)},
        "first_query_loaded": {
            "files": len(first_parts),
            "bytes": sum((site / "search-index" / Path(src).name).stat().st_size for src in first_parts),
        },
        "js_heap_mb": round(statistics.median(heaps) / 1e6, 1),
        "runs": runs,
    }


_WATCH = """() => {
  const host = document.querySelector("[data-kb-search]");
  const input = host.querySelector("input[type=search]");
  window.kbBench = {typed: 0, painted: 0, state: ""};
  input.addEventListener("input", () => { window.kbBench.typed = performance.now(); window.kbBench.painted = 0; });
  new MutationObserver(() => {
    const state = host.getAttribute("data-kb-state");
    if (state === "results" || state === "no-results") {
      requestAnimationFrame(() => { window.kbBench.painted = performance.now(); window.kbBench.state = state; });
    }
  }).observe(host, {attributes: true, attributeFilter: ["data-kb-state"]});
}"""


def build_real_site(work: Path) -> Path:
    """The real content built as `kb build` builds it: the page the component runs on."""
    from kb_tools.config import Paths
    from kb_tools.pipeline.build import build

    paths = Paths(ROOT / "content", work / "docs", work / "site", work / "search_index", ROOT / "mkdocs.yml")
    result = build(paths)
    if not result.ok:
        raise SystemExit("the real content did not build: run kb build")
    return paths.site


def measure_typing(real_site: Path, library_site: Path, words: list[str], runs: int) -> dict:
    """Keystroke → results painted, through the header search box, over the library's index."""
    from playwright.sync_api import sync_playwright

    edition = real_site / "gb"
    target = edition / "search-index"
    for old in target.iterdir():
        old.unlink()
    for part in (library_site / "search-index").iterdir():
        (target / part.name).write_bytes(part.read_bytes())
    pause = _pause_ms()
    painted, loaded_before_use = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        for run in range(runs):
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request, seen=requested: seen.append(request.url))
            page.goto((edition / "index.html").as_uri())
            page.wait_for_selector("[data-kb-search][data-kb-state=ready]")
            loaded_before_use.append(sum(1 for url in requested if "/search-index/" in url or "search-engine" in url))
            page.evaluate(_WATCH)
            box = page.locator("[data-kb-search] input[type=search]").first
            for query in queries(words, seed=100 + run)[:10]:
                box.fill("")
                box.press_sequentially(query)
                page.wait_for_function("() => window.kbBench.painted > window.kbBench.typed", timeout=30_000)
                painted.append(page.evaluate("() => window.kbBench.painted - window.kbBench.typed"))
            page.close()
        browser.close()
    return {
        "typed_to_painted_ms": {"p50": round(percentile(painted, 50), 1), "p95": round(percentile(painted, 95), 1)},
        "after_the_pause_ms": {
            "p50": round(percentile(painted, 50) - pause, 1),
            "p95": round(percentile(painted, 95) - pause, 1),
        },
        "pause_ms": pause,
        "search_files_loaded_before_use": max(loaded_before_use),
    }


def _pause_ms() -> float:
    script = (ROOT / "kb_tools" / "site" / "theme" / "assets" / "kb" / "search.js").read_text(encoding="utf-8")
    match = re.search(r"PAUSE_MS = (\d+)", script)
    return float(match.group(1)) if match else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "libraries": []}
    real = tempfile.TemporaryDirectory(prefix="kb-browser-bench-site-")
    real_site = build_real_site(Path(real.name))
    for pages in args.pages:
        with tempfile.TemporaryDirectory(prefix="kb-browser-bench-") as work:
            library = export_library(pages, Path(work))
            site, words = library.pop("site"), library.pop("words")
            library.update(measure_in_chromium(site, words, args.runs))
            library.update(measure_typing(real_site, site, words, args.runs))
        report["libraries"].append(library)
        print(json.dumps(library, indent=2))
    out = ROOT / "test-output" / "browser-search-bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    real.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
