"""Live preview: save → the page open in chromium shows the change (issue 17).

    .venv/bin/python benchmarks/preview_bench.py                 # the real content and 1,000 synthetic pages
    .venv/bin/python benchmarks/preview_bench.py --pages 0       # the real content only

For each library, in a temporary copy: `kb preview` (kb_tools/pipeline/preview.py) in this
process on 127.0.0.1, Debian's chromium (Playwright) on a procedure page, then --saves saves
of that page's file, each adding a new word to its title; the time from the save until the
open page shows the word. Reports the median wall time and the median CPU time of this
process per save (the check, the render and MkDocs all run here; the browser's CPU is not
counted), and the load average, as the machine may be shared. Not a test: timings depend on
the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kb_tools.config import Paths  # noqa: E402
from kb_tools.dev import synth  # noqa: E402
from kb_tools.pipeline import preview  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (Debian's chromium, as the browser tests use it)

WAIT_MS = 120_000


def measure(content: Path, saves: int) -> dict[str, float]:
    root = content.parent
    paths = Paths(content, root / "docs", root / "site", root / "index", ROOT / "mkdocs.yml", root / ".kb-cache")
    started = time.perf_counter()
    viewer = preview.Preview(paths, root / ".kb-cache" / "preview", say=lambda message: None)
    running = preview.start(viewer, port=0)
    first = time.perf_counter() - started
    assert viewer.library is not None, viewer.state.errors
    pages = sorted(viewer.library.pages, key=lambda p: p.id)
    page = pages[len(pages) // 2]
    file = next(content.rglob(f"{page.id}.yml"))
    original = file.read_text(encoding="utf-8")
    walls, cpus = [], []
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page()
            tab.goto(f"{running.url}/gb/{page.section}/{page.id}/index.html")
            for i in range(saves):
                word = "Preview " + "".join(chr(97 + (i + k) % 26) for k in range(3))  # no digits: not a reference
                cpu, wall = time.process_time(), time.perf_counter()
                file.write_text(original.replace("\ntitle: ", f"\ntitle: {word} ", 1), encoding="utf-8")
                tab.get_by_text(word).first.wait_for(timeout=WAIT_MS)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                time.sleep(0.5)  # let the page settle, as a maintainer reads it
            browser.close()
    finally:
        running.close()
    return {
        "pages": len(pages),
        "first_preview_s": first,
        "save_to_page_median_s": statistics.median(walls),
        "save_to_page_cpu_median_s": statistics.median(cpus),
        "load_average_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="synthetic library size (0: real content only)")
    parser.add_argument("--saves", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        libraries = [("real content", Path(shutil.copytree(ROOT / "content", Path(tmp, "real", "content"))))]
        if args.pages:
            libraries.append((f"{args.pages} pages", synth.generate(Path(tmp, "synth", "content"), args.pages).root))
        for name, content in libraries:
            figures = measure(content, args.saves)
            print(
                f"{name}: first preview {figures['first_preview_s']:.1f} s; save → page shows it: median "
                f"{figures['save_to_page_median_s']:.2f} s (CPU {figures['save_to_page_cpu_median_s']:.2f} s), "
                f"load average {figures['load_average_1min']:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
