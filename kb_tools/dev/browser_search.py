"""The in-browser search engine, driven in Debian's chromium: for the evaluation and the
parity test (the same questions through `kb serve`'s search and the page's own).

    with BrowserSearch({"gb": site / "gb", "ni": site / "ni"}, work) as engine:
        engine.search("how do I raise an SR", "gb")      # what GET /api/search answers

Each edition folder holds search-index/ as `kb build` writes it into the built site
(`export_indexes` writes one from a search_index/ folder without building the site). The
engine runs in a blank page opened from file://, as a caseworker opening the site from a
shared drive would.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from kb_tools.config import CHROMIUM, CHROMIUM_ARGS, EDITIONS, PACKAGE_DIR
from kb_tools.search import browser_index
from kb_tools.search.index import current_version, edition_folder

ENGINE = PACKAGE_DIR / "site" / "theme" / "assets" / "kb" / "search-engine.js"
BLANK_PAGE = '<!doctype html><meta charset="utf-8"><title>search</title><script src="search-engine.js"></script>\n'
# All questions in one call: a round trip to the browser per question would be most of the time.
_SEARCH_ALL = """async ([root, queries, limit]) => {
  const out = [];
  for (const query of queries) {
    try { out.push(await window.kbSearchEngine.search(root, query, limit)); }
    catch (error) { out.push({error: String(error.message || error)}); }
  }
  return out;
}"""


def export_indexes(search_index: Path, work: Path) -> dict[str, Path]:
    """Each edition's published index exported as a build exports it: {edition: folder}."""
    folders = {}
    for edition in EDITIONS:
        version = current_version(edition_folder(search_index, edition))
        if version is None:
            raise FileNotFoundError(f"no search index for {edition} in {search_index}")
        folders[edition] = work / edition
        browser_index.write(browser_index.export(version, edition), folders[edition])
    return folders


class BrowserSearch:
    """The engine in chromium. Pass a Playwright `browser` to share one (a test session's);
    otherwise one is started and closed with this."""

    def __init__(self, editions: dict[str, Path], work: Path, browser: Any = None) -> None:
        self.roots = {edition: folder.resolve().as_uri() + "/" for edition, folder in editions.items()}
        self.work = work
        self._browser = browser
        self._own: tuple[Any, Any] | None = None
        self._page: Any = None

    def __enter__(self) -> BrowserSearch:
        self.work.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ENGINE, self.work / "search-engine.js")
        (self.work / "blank.html").write_text(BLANK_PAGE, encoding="utf-8")
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            self._browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
            self._own = (playwright, self._browser)
        self._page = self._browser.new_page()
        self._page.goto((self.work / "blank.html").as_uri())
        self._page.wait_for_function("window.kbSearchEngine !== undefined")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._page is not None:
            self._page.close()
        if self._own is not None:
            playwright, browser = self._own
            browser.close()
            playwright.stop()

    def search_many(self, edition: str, queries: Sequence[str], limit: int = 10) -> list[Any]:
        """Each query's results (a list of result dicts, or {"error": message})."""
        return list(self._page.evaluate(_SEARCH_ALL, [self.roots[edition], list(queries), limit]))

    def search(self, query: str, edition: str = "gb", limit: int = 10) -> Any:
        return self.search_many(edition, [query], limit)[0]
