"""Fixtures that build small content trees in tmp_path."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from kb_tools import config
from kb_tools.config import Paths

# CI explores the same examples on every run, so a red build always means a change broke
# something; a developer's runs are random and keep finding new cases (pin them with @example).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
REAL_CONTENT = REPO / "content"

SITE_YML = """\
title: Test Procedures
editions:
  - id: gb
    name: Great Britain
    badge: GB
  - id: ni
    name: Northern Ireland
    badge: NI
sections:
  - id: guidance
    title: Guidance
    summary: Pages about guidance.
"""

TERMINOLOGY_YML = """\
northern_ireland:
  - gb: Child Maintenance Group (CMG)
    ni: Division
  - gb: Child Maintenance Group
    ni: Division
  - gb: CMG
    ni: Division
legacy:
  - term: non-resident parent
    use: paying parent
synonyms:
  - [SR, service request]
"""


def page_yaml(
    page_id: str, *, related: tuple[str, ...] = ("other",), extra: str = "", text: str = "Some plain text."
) -> str:
    related_yaml = "\n".join(f"  - {r}" for r in related)
    return (
        textwrap.dedent(
            f"""\
            id: {page_id}
            title: Page {page_id}
            summary: A short summary of page {page_id}.
            section: guidance
            owner: Test team
            last_reviewed: 2026-01-01
            body:
              - heading: What to do
                text: {text}
            related:
            {{related}}
            """
        ).replace("{related}", related_yaml)
        + extra
    )


class ContentTree:
    """A content folder in tmp_path that a test can add pages to and break."""

    def __init__(self, root: Path):
        self.root = root
        (root / "pages").mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def page(self, page_id: str, source: str | None = None, **kwargs) -> Path:
        """Write a page: `source` is the whole file, else a valid page built from kwargs."""
        return self.write(f"pages/{page_id}.yml", source if source is not None else page_yaml(page_id, **kwargs))


def new_content(root: Path) -> ContentTree:
    """A content folder with the test site.yml and terminology.yml, and no pages yet."""
    tree = ContentTree(root)
    tree.write("site.yml", SITE_YML)
    tree.write("terminology.yml", TERMINOLOGY_YML)
    return tree


def paths_beside(tree: ContentTree) -> Paths:
    """Build outputs next to a content folder, with the project's own mkdocs.yml and theme."""
    root = tree.root.parent
    return Paths(tree.root, root / "docs", root / "site", root / "search_index", REPO / "mkdocs.yml")


@pytest.fixture
def content(tmp_path: Path) -> ContentTree:
    tree = new_content(tmp_path / "content")
    tree.page("first", related=("other",))
    tree.page("other", related=("first",))
    return tree


@pytest.fixture
def real_content_copy(tmp_path: Path) -> ContentTree:
    """A copy of the real content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, target)
    return ContentTree(target)


@pytest.fixture
def project_paths(tmp_path: Path):
    """Build outputs in tmp_path, using the project's own mkdocs.yml and theme."""

    def make(content_dir: Path) -> Paths:
        return Paths(
            content=content_dir,
            docs=tmp_path / "docs",
            site=tmp_path / "site",
            search_index=tmp_path / "search_index",
            mkdocs_yml=REPO / "mkdocs.yml",
        )

    return make


# --- browser tests: Debian's chromium driven by Playwright ----------------------------------

CHROMIUM, CHROMIUM_ARGS = config.CHROMIUM, list(config.CHROMIUM_ARGS)  # Debian's chromium
TEST_OUTPUT = REPO / "test-output"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real content built once per test session (both editions), for browser tests."""
    from kb_tools.pipeline.build import build

    root = tmp_path_factory.mktemp("built")
    paths = Paths(
        content=REAL_CONTENT,
        docs=root / "docs",
        site=root / "site",
        search_index=root / "search_index",
        mkdocs_yml=REPO / "mkdocs.yml",
    )
    result = build(paths)
    assert result.ok, [str(p) for p in result.check.problems + result.problems]
    return paths


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class RequestLog:
    """Every URL a page asked for; anything not on 127.0.0.1 or a file is a leak."""

    def __init__(self):
        self.urls: list[str] = []

    LOCAL = ("http://127.0.0.1", "file://", "data:", "blob:", "about:")

    def external_url(self, url: str) -> bool:
        return not url.startswith(self.LOCAL)

    def external(self) -> list[str]:
        return [u for u in self.urls if self.external_url(u)]


@pytest.fixture
def page(browser):
    """A fresh page that records requests and blocks any that would leave the machine."""
    context = browser.new_context()
    log = RequestLog()

    def guard(route):
        if log.external_url(route.request.url):
            route.abort()
        else:
            route.continue_()

    # Routing sees only http(s); the request event also sees file:// loads (the offline site).
    context.on("request", lambda request: log.urls.append(request.url))
    context.route("**/*", guard)
    page = context.new_page()
    page.request_log = log
    yield page
    context.close()


@pytest.fixture(scope="session")
def static_server(built_site):
    """The built site served on 127.0.0.1 by the standard library (no search API)."""
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # one line per request would bury the test output
            pass

    handler = functools.partial(QuietHandler, directory=str(built_site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def kb_server(built_site):
    """`kb serve` on the built site: the site's files and the search API, on 127.0.0.1."""
    from service_helpers import Service

    server = Service(built_site.site.parent)
    yield server.url
    server.stop()


# --- random edits a maintainer might make (byte-identity tests of render and build) -------


def rewrite(file, change):
    import yaml

    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


EDIT_KINDS = ("text", "title", "summary", "related", "link", "synonyms", "section")


def random_edit(rng, corpus, step, kind):
    """One maintainer's edit of a random page: its text, title, summary (with a link),
    related pages or a link in its body; or the terminology's synonyms or a section's title."""
    page = rng.choice(corpus.pages)
    other = rng.choice([p for p in corpus.pages if p.id != page.id])
    file = corpus.page_file(page)
    if kind == "text":
        rewrite(file, lambda d: d["body"][0].update(text=d["body"][0]["text"] + f"\nEdit {step}.\n"))
    elif kind == "title":
        rewrite(file, lambda d: d.update(title=f"Renamed page {step} {page.id.replace('-', ' ')}"))
    elif kind == "summary":
        rewrite(file, lambda d: d.update(summary=f"Summary {step}: see [the other](page:{other.id})."))
    elif kind == "related":
        rewrite(file, lambda d: d.update(related=[other.id]))
    elif kind == "link":
        rewrite(file, lambda d: d["body"][0].update(text=d["body"][0]["text"] + f"\nSee [{step}](page:{other.id}).\n"))
    elif kind == "synonyms":
        rewrite(corpus.root / "terminology.yml", lambda d: d["synonyms"].append([f"word{step}", "arrears"]))
    else:
        rewrite(corpus.root / "site.yml", lambda d: d["sections"][0].update(title=f"Section renamed {step}"))
    return kind
