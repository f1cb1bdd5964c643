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


EDIT_KINDS = ("text", "title", "summary", "related", "link", "synonyms", "section", "glossary", "style")


def rewrite_or_create(file, empty, change):
    """rewrite, starting from `empty` when the file is not there yet (synth writes neither
    a glossary nor a words-to-avoid list)."""
    import yaml

    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(yaml.safe_dump(empty), encoding="utf-8")
    rewrite(file, change)


def a_word_of(rng, file):
    """A long word from the page's first paragraph: one that readers see, to define or avoid."""
    import re

    import yaml

    text = yaml.safe_load(file.read_text(encoding="utf-8"))["body"][0].get("text") or "procedure"
    return rng.choice(sorted(set(re.findall(r"\b[a-z]{7,}\b", text))) or ["procedure"])


def define_in_glossary(data, word, step, other_id):
    """A new term, or a new definition of one already there; the definition links to a
    page, as real definitions may (its title then shows on every page that uses the term)."""
    definition = f"Meaning {step} of this word. See [the other page](page:{other_id})."
    entry = next((t for t in data["terms"] if t["term"].lower() == word), None)
    if entry is None:
        data["terms"].append({"term": word, "definition": definition})
    else:
        entry["definition"] = definition


def avoid_word(data, word, step):
    entry = next((p for p in data["phrases"] if p["avoid"] == word), None)
    if entry is None:
        data["phrases"].append({"avoid": word, "use": f"write plainer word {step}"})
    else:
        entry["use"] = f"write plainer word {step}"


def random_edit(rng, corpus, step, kind):
    """One maintainer's edit of a random page: its text, title, summary (with a link),
    related pages or a link in its body; or the terminology's synonyms, a section's title,
    the glossary (a term the page uses, defined with a link) or the words to avoid (a word
    the page uses)."""
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
    elif kind == "glossary":
        word = a_word_of(rng, file)
        glossary = corpus.root / "glossary.yml"
        rewrite_or_create(glossary, {"terms": []}, lambda d: define_in_glossary(d, word, step, other.id))
    elif kind == "style":
        word = a_word_of(rng, file)
        words = corpus.root / "style" / "words-to-avoid.yml"
        rewrite_or_create(words, {"phrases": []}, lambda d: avoid_word(d, word, step))
    elif kind == "synonyms":
        rewrite(corpus.root / "terminology.yml", lambda d: d["synonyms"].append([f"word{step}", "arrears"]))
    else:
        rewrite(corpus.root / "site.yml", lambda d: d["sections"][0].update(title=f"Section renamed {step}"))
    return kind
