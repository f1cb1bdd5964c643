"""The Zensical canary (issue 19): build the generated editions with Zensical, Material for
MkDocs' successor, and report what differs from the MkDocs build. Run by .ci/zensical-canary
(which makes Zensical's own virtual environment first) in CI, reported and never failing it.

    .venv/bin/python -m kb_tools.dev.zensical_canary --zensical .kb-cache/zensical-venv/bin/zensical

Steps: `kb build` (the published MkDocs site is the reference, and the build writes
docs/mkdocs.<edition>.yml); `zensical build -f docs/mkdocs.<edition>.yml` for each edition,
unchanged, into the config's own `site_dir` (docs/_site/<edition>), moved into the canary's
folder (.kb-cache/zensical-canary/site/); the same finishing as `kb build` (no 404 page, the
root page, the Content-Security-Policy); the built-site checks (links, HTML allow-list) on it;
then a comparison with the MkDocs site: pages, files, the page text, the theme overrides and
assets, the search parts. The report is Markdown (.kb-cache/zensical-canary.md) and stdout.

Exit 0 whatever Zensical does (it is a canary: it tells, it does not fail the build); 2 for
bad arguments; a traceback (exit 1) only when this code itself is broken.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import CACHE_DIR_NAME, CHROMIUM, CHROMIUM_ARGS, PACKAGE_DIR, Paths, project_root
from kb_tools.errors import KbError
from kb_tools.model import Library
from kb_tools.pipeline.build import api_origins, build, drop_error_page, edition_config_path, write_root
from kb_tools.search import browser_index
from kb_tools.search.index import current_version, edition_folder
from kb_tools.site.built_html import built_html_problems, bytes_findings
from kb_tools.site.built_links import site_link_problems
from kb_tools.site.csp import protect_site, write_policy_file
from kb_tools.site.render import STANDALONE_SITE_DIR

CANARY_DIR = Path(CACHE_DIR_NAME) / "zensical-canary"  # Zensical's output, relative to the project
REPORT_FILE = Path(CACHE_DIR_NAME) / "zensical-canary.md"
THEME_DIR = PACKAGE_DIR / "site" / "theme"
ZENSICAL_TIMEOUT = 600  # seconds for one edition; a hung build is reported, not waited for
SHOWN = 10  # findings listed in full in the report; the rest are counted
SEARCH_QUERY = "how do I raise an SR"  # typed into the search box in the browser check
SEARCH_BOX = 'form[role="search"] input[type="search"]'
HEADER_COLOUR = "() => { const h = document.querySelector('.md-header'); return h ? getComputedStyle(h).backgroundColor : 'no header'; }"
BROWSER_TIMEOUT_MS = 5_000  # for the box to show, and again for the first result
ROUTINE_OUTPUT = ("Build started", "Build finished", "No issues found")  # what a clean Zensical build prints


@dataclass(frozen=True)
class Marker:
    """Something a theme override or the project's own files put into built pages, found by a
    CSS selector: whether a page holds it shows whether the override was used."""

    name: str
    source: str  # the file in kb_tools/site/theme (or the renderer) that writes it
    selector: str


THEME_MARKERS = (
    Marker("search service address", "main.html (extrahead)", 'meta[name="kb-api"]'),
    Marker("edition badge and switch", "main.html (announce)", ".kb-edition"),
    Marker("printed-copy notice", "main.html (content)", ".kb-print-only"),
    Marker("site script furniture.js", "main.html (scripts)", 'script[src$="assets/kb/furniture.js"]'),
    Marker("site stylesheet kb.css", "mkdocs.yml extra_css", 'link[href$="assets/stylesheets/kb.css"]'),
    Marker("footer links", "partials/copyright.html", '.md-copyright a[href$="whats-changed.html"]'),
    Marker("named breadcrumb", "partials/path.html", 'nav.md-path[aria-label="Breadcrumb"]'),
    Marker("named tags list", "partials/tags.html", 'nav.md-tags[aria-label="Tags"]'),
    Marker("print and feedback", "partials/kb-page-tools.html", ".kb-page-tools"),
)
# The search component (issue 19) builds its box with its script (assets/kb/search.js) where
# the theme leaves a placeholder, and loads the engine only when a search needs it; before
# it, the SR check page had its own script. Selector lists cover both.
SEARCH_MARKERS = (
    Marker("the search component's place", "partials/kb-search.html", "[data-kb-search]"),
    Marker("the search component's script", "main.html (scripts)", 'script[src$="assets/kb/search.js"]'),
    Marker(
        "the SR check page's search box",
        "render.py SR_CHECK_BOX (sr-check.html before)",
        '[data-kb-search="page"], script[src$="assets/kb/sr-check.js"]',
    ),
    Marker("Material's (or Zensical's) search box", "the theme", ".md-search"),
)
# Search index files, by who writes them (relative to an edition's root).
SEARCH_FILES = (
    ("the project's in-browser index (written by kb build, and by the canary)", "search-index/"),
    ("Material's index (MkDocs search plugin)", "search/search_index.json"),
    ("Zensical's index", "search.json"),
)


@dataclass(frozen=True)
class ZensicalRun:
    edition: str
    returncode: int | None  # None: it did not finish in time, or could not start
    seconds: float
    output: str  # what Zensical printed (the last lines)
    outcome: str = ""  # said when there is no exit code

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.returncode is None:
            return self.outcome
        return "built" if self.ok else f"failed (exit {self.returncode})"


@dataclass(frozen=True)
class MarkerCount:
    marker: Marker
    mkdocs: int  # pages holding it
    zensical: int


@dataclass(frozen=True)
class EditionComparison:
    edition: str
    mkdocs_pages: int
    zensical_pages: int
    missing_pages: tuple[str, ...]  # built by MkDocs, not by Zensical
    extra_pages: tuple[str, ...]
    missing_files: tuple[str, ...]  # other files (feeds, sitemaps, indexes), outside assets/
    extra_files: tuple[str, ...]
    text_differs: tuple[str, ...]  # pages in both whose article text differs
    tags_above_title: tuple[int, int]  # pages showing their tags above the title: MkDocs, Zensical
    missing_theme_assets: tuple[str, ...]  # files of kb_tools/site/theme/assets Zensical did not copy
    markers: tuple[MarkerCount, ...]
    search_files: tuple[tuple[str, bool, bool], ...]  # (what, in MkDocs, in Zensical)


@dataclass(frozen=True)
class SearchBoxCheck:
    """The site's search component on an edition's home page opened from file:// (no search
    service there, so any results come from the edition's in-browser index)."""

    build: str  # "MkDocs" or "Zensical"
    edition: str
    box: bool  # a search box (form[role=search] input[type=search]) became visible
    results: tuple[str, ...]  # the first results' link texts after typing SEARCH_QUERY
    index_files: int  # files of search-index/ the page loaded
    errors: tuple[str, ...]  # uncaught script errors, and what the Content-Security-Policy refused
    header_colour: str = ""  # the header bar's background: whether kb.css's colours reached the theme


@dataclass
class CanaryResult:
    zensical_version: str
    build_note: str = ""  # how the MkDocs reference build went
    runs: list[ZensicalRun] = field(default_factory=list)
    editions: list[EditionComparison] = field(default_factory=list)
    link_problems: list[str] = field(default_factory=list)
    html_problems: list[str] = field(default_factory=list)
    html_findings: Counter[str] = field(default_factory=Counter)  # what the allow-list refused: pages
    browser_checks: list[SearchBoxCheck] = field(default_factory=list)
    browser_note: str = ""  # why the browser check did not run, when it did not


# --- comparing two built sites ------------------------------------------------------------


def site_files(edition_root: Path) -> set[str]:
    """Every file of a built edition, relative to its root."""
    if not edition_root.is_dir():
        return set()
    return {p.relative_to(edition_root).as_posix() for p in edition_root.rglob("*") if p.is_file()}


def _pages(files: set[str]) -> set[str]:
    return {f for f in files if f.endswith(".html") and not f.startswith("assets/")}


def _others(files: set[str]) -> set[str]:
    return {f for f in files if not f.endswith(".html") and not f.startswith("assets/")}


def article_text(html: str) -> str:
    """The words of a page's article (what the renderer wrote), whitespace normalised. The
    tags list is left out: where the theme puts it is compared apart (tags_before_title)."""
    tree = LexborHTMLParser(html)
    for tags in tree.css("article nav.md-tags"):
        tags.decompose()
    article = tree.css_first("article") or tree.body
    return " ".join(article.text(deep=True, separator=" ").split()) if article is not None else ""


def tags_before_title(html: str) -> bool:
    """Whether a page shows its tags above its title (Material does)."""
    tags, title = html.find('class="md-tags"'), html.find("<h1")
    return 0 <= tags < title


def marker_counts(edition_root: Path, pages: set[str], markers: Sequence[Marker]) -> list[int]:
    counts = [0] * len(markers)
    for page in pages:
        tree = LexborHTMLParser((edition_root / page).read_text(encoding="utf-8", errors="replace"))
        for i, marker in enumerate(markers):
            if tree.css_first(marker.selector) is not None:
                counts[i] += 1
    return counts


def compare_edition(
    mkdocs_root: Path, zensical_root: Path, edition: str, theme_dir: Path = THEME_DIR
) -> EditionComparison:
    """What the Zensical build of one edition has and lacks beside the MkDocs build."""
    mk_files, z_files = site_files(mkdocs_root), site_files(zensical_root)
    mk_pages, z_pages = _pages(mk_files), _pages(z_files)
    text_differs, tags_above = [], [0, 0]
    for page in sorted(mk_pages & z_pages):
        texts = [(root / page).read_text(encoding="utf-8", errors="replace") for root in (mkdocs_root, zensical_root)]
        if article_text(texts[0]) != article_text(texts[1]):
            text_differs.append(page)
        for i, text in enumerate(texts):
            tags_above[i] += tags_before_title(text)
    theme_assets = {p.relative_to(theme_dir).as_posix() for p in (theme_dir / "assets").rglob("*") if p.is_file()}
    markers = (*THEME_MARKERS, *SEARCH_MARKERS)
    mk_counts, z_counts = marker_counts(mkdocs_root, mk_pages, markers), marker_counts(zensical_root, z_pages, markers)
    return EditionComparison(
        edition=edition,
        mkdocs_pages=len(mk_pages),
        zensical_pages=len(z_pages),
        missing_pages=tuple(sorted(mk_pages - z_pages)),
        extra_pages=tuple(sorted(z_pages - mk_pages)),
        missing_files=tuple(sorted(_others(mk_files) - _others(z_files))),
        extra_files=tuple(sorted(_others(z_files) - _others(mk_files))),
        text_differs=tuple(text_differs),
        tags_above_title=(tags_above[0], tags_above[1]),
        missing_theme_assets=tuple(sorted(theme_assets - z_files)),
        markers=tuple(MarkerCount(m, a, b) for m, a, b in zip(markers, mk_counts, z_counts)),
        search_files=tuple((what, _has(mkdocs_root, name), _has(zensical_root, name)) for what, name in SEARCH_FILES),
    )


def _has(edition_root: Path, name: str) -> bool:
    path = edition_root / name
    return any(path.iterdir()) if name.endswith("/") and path.is_dir() else path.is_file()


def site_check_findings(site: Path, library: Library) -> tuple[list[str], list[str], Counter[str]]:
    """The built-site link check and HTML allow-list check of `kb build`, on another site
    folder (no cache: the records are for the published site); and what the allow-list
    refused, each thing once with the number of pages holding it (the problems name pages)."""
    links = [str(p) for p in site_link_problems(site, library, None)]
    allowed = [str(p) for p in built_html_problems(site, library, None)]
    findings: Counter[str] = Counter()
    for file in site.rglob("*.html"):
        findings.update(set(bytes_findings(file.read_bytes())))
    return links, allowed, findings


# --- the report -----------------------------------------------------------------------------


def _listed(items: Sequence[str], limit: int = SHOWN) -> list[str]:
    lines = [f"  - `{item}`" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"  - … and {len(items) - limit} more")
    return lines


def report_markdown(result: CanaryResult) -> str:
    """The canary's findings, for people: what Zensical built and what differs from MkDocs."""
    lines = [f"# Zensical canary: Zensical {result.zensical_version}", ""]
    if result.build_note:
        lines += [result.build_note, ""]
    lines += ["## Zensical builds", ""]
    for run in result.runs:
        lines.append(f"- {run.edition.upper()}: {run.describe()} in {run.seconds:.1f} s")
        said = [line for line in run.output.splitlines() if line.strip() and not line.startswith(ROUTINE_OUTPUT)]
        if said:
            lines += ["", "  ```", *[f"  {line}" for line in said[-15:]], "  ```", ""]
    for comparison in result.editions:
        lines += ["", *_edition_section(comparison)]
    lines += ["", "## Built-site checks on the Zensical output", "", *_site_check_lines(result)]
    lines += ["", f'## The search component in chromium, from file:// (typing "{SEARCH_QUERY}")', ""]
    if not result.editions:
        lines.append("Not run: no Zensical output to check (see above).")
    elif result.browser_note:
        lines.append(result.browser_note)
    for check in result.browser_checks:
        header = f"; header colour {check.header_colour}" if check.header_colour else ""
        lines.append(f"- {check.build} {check.edition.upper()}: {_describe_search(check)}{header}")
        lines += _listed(check.errors, 5)
    return "\n".join(lines) + "\n"


def _site_check_lines(result: CanaryResult) -> list[str]:
    if not result.editions:
        return ["- Not run: no Zensical output to check (see above)."]
    lines = [f"- Link check (kb_tools/site/built_links.py): {_count(result.link_problems, 'problem')}"]
    lines += _listed(result.link_problems)
    flagged = _count(result.html_problems, "page")
    lines.append(f"- HTML allow-list check (kb_tools/site/built_html.py): {flagged} flagged")
    lines += _listed([f"{what}: {n} pages" for what, n in sorted(result.html_findings.items())], 25)
    return lines


def _describe_search(check: SearchBoxCheck) -> str:
    if not check.box:
        return "no search box on the home page"
    if not check.results:
        return f"search box present, no results ({check.index_files} index files loaded)"
    first = "; ".join(f"'{text}'" for text in check.results)
    return f"search box present, results from the in-browser index ({check.index_files} index files loaded): {first}"


def _count(items: Sequence[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}" if items else f"no {noun}s"


def _edition_section(c: EditionComparison) -> list[str]:
    lines = [f"## {c.edition.upper()} edition: Zensical beside MkDocs", ""]
    lines.append(f"- Pages: MkDocs {c.mkdocs_pages}, Zensical {c.zensical_pages}")
    for label, items in (
        ("Pages missing from the Zensical build", c.missing_pages),
        ("Pages only Zensical wrote", c.extra_pages),
        ("Other files missing (outside assets/)", c.missing_files),
        ("Other files only Zensical wrote", c.extra_files),
        ("Pages whose article text differs", c.text_differs),
        ("Theme assets (kb_tools/site/theme/assets) not copied", c.missing_theme_assets),
    ):
        lines.append(f"- {label}: {len(items) or 'none'}")
        lines += _listed(items)
    lines.append(
        f"- Pages showing their tags above the title: MkDocs {c.tags_above_title[0]}, Zensical {c.tags_above_title[1]}"
    )
    lines += ["", "Theme overrides and search parts (pages holding each, MkDocs → Zensical):", ""]
    for count in c.markers:
        if count.mkdocs == 0 and count.zensical == 0:
            note = "in neither build"
        elif count.zensical == count.mkdocs:
            note = "same"
        elif count.zensical == 0:
            note = "**not used by Zensical**"
        else:
            note = "**differs**"
        lines.append(f"- {count.marker.name} ({count.marker.source}): {count.mkdocs} → {count.zensical}, {note}")
    for what, in_mkdocs, in_zensical in c.search_files:
        lines.append(f"- {what}: MkDocs {'yes' if in_mkdocs else 'no'}, Zensical {'yes' if in_zensical else 'no'}")
    return lines


# --- running it -----------------------------------------------------------------------------


def zensical_version(zensical: Sequence[str]) -> str:
    try:
        done = subprocess.run([*zensical, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as err:
        return f"unknown ({err})"
    words = (done.stdout or done.stderr).split()
    return words[-1] if done.returncode == 0 and words else "unknown"


def run_zensical(
    zensical: Sequence[str], config_file: Path, edition: str, timeout: float = ZENSICAL_TIMEOUT
) -> ZensicalRun:
    """`zensical build -f <config>` as a user would run it, from the config's folder."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*zensical, "build", "-f", str(config_file)],
            cwd=config_file.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        output = err.stdout.decode("utf-8", "replace") if isinstance(err.stdout, bytes) else (err.stdout or "")
        return ZensicalRun(
            edition, None, time.perf_counter() - started, output[-4000:], f"did not finish within {timeout:.0f} s"
        )
    except OSError as err:
        return ZensicalRun(edition, None, time.perf_counter() - started, str(err), "could not start")
    output = (done.stdout + done.stderr).strip()
    return ZensicalRun(edition, done.returncode, time.perf_counter() - started, output[-4000:])


def finish_like_kb_build(
    site: Path, library: Library, built: Sequence[str], search_index: Path, cache: Path | None
) -> None:
    """What `kb build` does to MkDocs' output before its checks, done to Zensical's: the
    in-browser search index from the published Whoosh index (it is the project's, not the
    theme's), no 404 page, the root page, the Content-Security-Policy."""
    versions = {}
    for edition in built:
        version = current_version(edition_folder(search_index, edition))
        if version is not None:
            versions[edition] = version
        drop_error_page(site / edition)
    for edition, files in browser_index.export_all(versions, cache).items():
        browser_index.write(files, site / edition)
    write_root(site, library)
    connect = api_origins(library.site.search_api)
    protect_site(site, connect, only=tuple(built))
    write_policy_file(site, connect)


def search_box_check(browser: Any, edition_root: Path, build_name: str, edition: str) -> SearchBoxCheck:
    """Open the edition's home page from file://, type SEARCH_QUERY into the search box and
    read the results it lists (the component's own browser test covers the rest)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page()
    errors: list[str] = []
    loaded: set[str] = set()
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on("console", lambda message: _refused(message, errors))
    page.on("request", lambda request: loaded.add(request.url) if "/search-index/" in request.url else None)
    try:
        page.goto((edition_root / "index.html").resolve().as_uri())
        header = str(page.evaluate(HEADER_COLOUR))
        box = page.locator(SEARCH_BOX).first
        try:
            box.wait_for(state="visible", timeout=BROWSER_TIMEOUT_MS)
        except PlaywrightTimeout:
            return SearchBoxCheck(build_name, edition, False, (), len(loaded), tuple(errors), header)
        box.click()
        box.press_sequentially(SEARCH_QUERY, delay=20)  # as typed: the component answers keystrokes
        results = page.locator(f'[id="{box.get_attribute("aria-controls") or ""}"] a')
        with contextlib.suppress(PlaywrightTimeout):  # no result in time: reported as none
            results.first.wait_for(state="visible", timeout=BROWSER_TIMEOUT_MS)
        texts = tuple(" ".join(text.split()) for text in results.all_inner_texts()[:3])
        return SearchBoxCheck(build_name, edition, True, texts, len(loaded), tuple(errors), header)
    finally:
        page.close()


def _refused(message: Any, errors: list[str]) -> None:
    """Console errors that matter here: what the Content-Security-Policy refused. (From
    file:// the search service's health check fails by design; that is not reported.)"""
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


def browser_checks(sites: Sequence[tuple[str, Path]], editions: Sequence[str]) -> tuple[list[SearchBoxCheck], str]:
    """The search box check on each (build, site folder) for each edition, or why it cannot run."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [], "Not run: Playwright is not installed (`bash .ci/setup test` installs it)."
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
            try:
                return [search_box_check(browser, site / e, name, e) for name, site in sites for e in editions], ""
            finally:
                browser.close()
    except PlaywrightError as err:
        return [], f"Not run: chromium ({CHROMIUM}) did not start: {str(err).splitlines()[0]}"


def reference_build(paths: Paths) -> tuple[Library | None, str]:
    """`kb build`: the MkDocs site to compare with, and the generated configs. A failed build
    is reported (the tests and `kb check` fail CI for it), not raised."""
    try:
        result = build(paths)
    except KbError as err:
        return None, f"`kb build` failed, so there is no MkDocs site to compare with: {err}"
    if result.check.library is None or not result.ok:
        problems = [str(p) for p in (*result.check.problems, *result.problems) if p.severity == "error"]
        return (
            result.check.library,
            f"`kb build` failed ({len(problems)} errors), so the comparison uses the last published site.",
        )
    rebuilt = ", ".join(e.upper() for e in result.rebuilt) or "no edition changed"
    return (
        result.check.library,
        f"The MkDocs reference is the published site/ (`kb build` passed; MkDocs ran for: {rebuilt}).",
    )


def run_canary(
    paths: Paths, zensical: Sequence[str], out: Path, build_first: bool = True, browser: bool = True
) -> CanaryResult:
    result = CanaryResult(zensical_version(zensical))
    if build_first:
        library, result.build_note = reference_build(paths)
    else:
        library = check_all(paths.content, CheckOptions()).library
    if library is None:
        result.build_note = result.build_note or "The content does not load: nothing to build."
        return result
    site = out / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    built = []
    for edition in library.site.editions:
        config = edition_config_path(paths, edition.id)
        written = paths.docs / STANDALONE_SITE_DIR / edition.id
        shutil.rmtree(written, ignore_errors=True)
        run = run_zensical(zensical, config, edition.id)
        result.runs.append(run)
        if run.ok and written.is_dir():
            os.replace(written, site / edition.id)
            built.append(edition.id)
    if not built:
        return result
    try:
        finish_like_kb_build(site, library, built, paths.search_index, paths.cache)
    except (OSError, UnicodeDecodeError) as err:  # Zensical's files, not our code: reported
        result.build_note += f"\n\nZensical's output could not be finished as kb build finishes a site: {err}"
        return result
    result.editions = [compare_edition(paths.site / e, site / e, e) for e in built]
    result.link_problems, result.html_problems, result.html_findings = site_check_findings(site, library)
    if browser:
        result.browser_checks, result.browser_note = browser_checks([("MkDocs", paths.site), ("Zensical", site)], built)
    else:
        result.browser_note = "Not run (--no-browser)."
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zensical_canary", description=__doc__.split("\n\n")[0])
    parser.add_argument("--zensical", required=True, help="the zensical command (its own virtual environment's)")
    parser.add_argument("--project", type=Path, default=None, help="the project folder (default: this checkout)")
    parser.add_argument("--no-build", action="store_true", help="use the last `kb build`'s configs and site")
    parser.add_argument("--no-browser", action="store_true", help="skip the search component's check in chromium")
    args = parser.parse_args(argv)
    root = (args.project or project_root()).resolve()
    paths = Paths.for_project(root)
    zensical = (
        str(Path(args.zensical).resolve()) if os.sep in args.zensical else args.zensical
    )  # Zensical runs in docs/
    result = run_canary(
        paths, [zensical], root / CANARY_DIR, build_first=not args.no_build, browser=not args.no_browser
    )
    report = report_markdown(result)
    (root / REPORT_FILE).parent.mkdir(parents=True, exist_ok=True)
    (root / REPORT_FILE).write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    print(f"\n(report written to {REPORT_FILE}; Zensical's site in {CANARY_DIR / 'site'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
