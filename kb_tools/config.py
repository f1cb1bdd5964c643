"""Where things live and the limits the tool enforces: configuration in one place."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SCHEMA_FILE = PACKAGE_DIR / "content" / "schema" / "page.schema.json"

# Content folder layout.
SITE_FILE = "site.yml"
TERMINOLOGY_FILE = "terminology.yml"
GLOSSARY_FILE = "glossary.yml"  # optional: terms explained on the pages that use them
PAGES_DIR = "pages"
WORDS_TO_AVOID_FILE = "style/words-to-avoid.yml"  # optional: GOV.UK's words to avoid, as data

# Style limits from GOV.UK's guidance ("Content design: planning, writing and managing
# content"): a summary of 25 words or fewer ("Summaries"); sentences that run past 25 words
# lose readers, and past 30 they are hard for everyone (the check's limit, so that legal
# names and titles do not trip it). The reading-ease floor is content: site.yml.
SUMMARY_MAX_WORDS = 25
SENTENCE_MAX_WORDS = 30

# The owner a page is given when no source names one: honest, and reported by `kb check`
# (a warning) until a maintainer names the team.
OWNER_TO_BE_CONFIRMED = "To be confirmed by the procedures team"

# Text the `kb new` template leaves for the maintainer to replace: every such value starts
# with this, and `kb check` reports it as an error where it is written.
PLACEHOLDER_PREFIX = "TODO:"

# Loader limits: bad input gets a message, never a hang or a traceback.
MAX_FILE_BYTES = 256 * 1024
MAX_NESTING = 20

# Page ids are lower-case slugs: they are file names and the last segment of URLs.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

EDITIONS = ("gb", "ni")

# Material embeds the navigation in every page, so a section's pages are listed in the
# navigation in alphabetical groups of at most this many once the section is bigger: every
# page then carries a bounded navigation and the site grows linearly with the page count
# (measured in `kb bench`; see the README).
NAV_GROUP_PAGES = 50


# Search: what one query may cost (the CLI and the service check the same limits).
MAX_QUERY_LENGTH = 200  # characters
MAX_QUERY_WORDS = 40  # a rambling question is about 30 words; beyond that, only cost
# The thesaurus the search finds words of the same meaning in (kb_tools/search/thesaurus.py):
# Debian's mythes-en-us, LibreOffice's English thesaurus, installed by `bash .ci/setup`.
THESAURUS = Path(os.environ.get("KB_THESAURUS", "/usr/share/mythes/th_en_US_v2.dat"))
MAX_CORRECTED_WORDS = 6  # words looked up for typo correction in one query; the rest are searched as typed
MAX_CACHED_CORRECTIONS = 20_000  # per open index (and so per worker): oldest forgotten first
MAX_LIMIT = 50  # results in one answer

# The search service's connections (`kb serve`; each can be changed by the environment
# variable named, see kb_tools/search/service.py). A client that has not sent a whole
# request within SERVICE_REQUEST_TIMEOUT seconds is disconnected, so slow or silent clients
# cannot hold a worker's connections; past SERVICE_MAX_CONNECTIONS open connections a worker
# answers 503 at once rather than queueing without bound.
SERVICE_REQUEST_TIMEOUT = 10.0  # KB_REQUEST_TIMEOUT
SERVICE_KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open
SERVICE_MAX_CONNECTIONS = 1000  # KB_MAX_CONNECTIONS, per worker
SERVICE_MAX_HEADER_BYTES = (
    16 * 1024
)  # a browser sends a few kilobytes, beside the content. Not `.cache/`: Zensical (Material's
# successor) keeps its own cache there, and the two must not share or clear each other's files.
CACHE_DIR_NAME = ".kb-cache"


# External link checking (`kb check --external`): polite to other sites, cheap to repeat.
# Results that were fine are cached for EXTERNAL_CACHE_DAYS in EXTERNAL_CACHE_FILE (relative
# to the project folder; the KB_LINK_CACHE environment variable names another file).
EXTERNAL_CACHE_FILE = Path(CACHE_DIR_NAME) / "links.json"
EXTERNAL_CACHE_DAYS = 7
EXTERNAL_TIMEOUT_SECONDS = 10.0
EXTERNAL_RETRIES = 2  # after the first try, for timeouts, dropped connections, 429 and 5xx
EXTERNAL_BACKOFF_SECONDS = 1.0  # doubled before each retry
EXTERNAL_PER_HOST = 2  # requests at once to one host
EXTERNAL_TOTAL = 16  # requests at once overall
EXTERNAL_MAX_REDIRECTS = 5


def external_cache_file() -> Path:
    override = os.environ.get("KB_LINK_CACHE")
    return Path(override) if override else project_root() / EXTERNAL_CACHE_FILE


@dataclass(frozen=True)
class Paths:
    """The folders one build reads and writes. Tests point these at tmp_path."""

    content: Path
    docs: Path
    site: Path
    search_index: Path
    mkdocs_yml: Path
    cache: Path | None = None  # where `kb check` keeps what it can reuse (None: nothing kept)

    @classmethod
    def for_project(cls, root: Path | None = None, content: Path | None = None) -> Paths:
        root = root or project_root()
        return cls(
            content=(content or root / "content").resolve(),
            docs=root / "docs",
            site=root / "site",
            search_index=root / "search_index",
            mkdocs_yml=root / "mkdocs.yml",
            cache=root / CACHE_DIR_NAME,
        )


def project_root() -> Path:
    """The project folder: the working directory when it holds mkdocs.yml, else the checkout."""
    cwd = Path.cwd()
    return cwd if (cwd / "mkdocs.yml").is_file() else PROJECT_DIR


# Debian's chromium, for the browser tests and the developer tools that drive a browser
# (Playwright's own browser download does not work here). Without the background-networking
# flags chromium tries to reach Google's hosts at start.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
)
