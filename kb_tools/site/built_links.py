"""Links in the built site (a site check of `kb build`, before the new site replaces the
published one): every internal href/src of every HTML file resolves to a file, and every
#fragment to an element id on the target page; so does every result the in-browser search
can give (its index parts are files of the site). This layer sees what the content layer
(kb_tools/checks/links.py) cannot: theme links, the edition switch, navigation, tags pages,
the search's deep links and anything the renderer gets wrong. Problems are traced back to the YAML where they can be.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from kb_tools.cache import Store
from kb_tools.checks.links import HAS_SCHEME, PAGE_SCHEME, written_links
from kb_tools.content.validate import display_path
from kb_tools.layout import built_page
from kb_tools.model import Edition, Library, Location, Page, Problem
from kb_tools.versions import BUILDS_SUFFIX, STAGING_PREFIX


# Attributes that load or link to another file. (srcset is not written by this site's theme.)
LINK_ATTRIBUTES = ("href", "src")
LINK_RECORD = "site-links"  # the cache store: what the last check of a built site found


@dataclass(frozen=True)
class HtmlFile:
    ids: frozenset[str]
    urls: tuple[str, ...]  # every href and src, in order


def read_html(text: str) -> HtmlFile:
    """The element ids of an HTML file and every href/src in it (lexbor: a fast HTML5 parser,
    about 9 times faster here than the standard library's html.parser)."""
    ids: set[str] = set()
    urls: list[str] = []
    for node in LexborHTMLParser(text).css("[id], a[name], [href], [src]"):
        attributes = node.attributes
        if "id" in attributes:
            ids.add(attributes["id"] or "")
        if node.tag == "a" and attributes.get("name"):
            ids.add(attributes["name"] or "")
        urls.extend((attributes[name] or "").strip() for name in LINK_ATTRIBUTES if attributes.get(name) is not None)
    return HtmlFile(frozenset(ids), tuple(urls))


# The in-browser search's page parts (written by search/browser_index.py into each edition's
# site): a result links a page or one of its sections, so its links are links of the site.
SEARCH_PART = re.compile(r"[^/]+/search-index/d-\d+\.js")


def read_search_part(text: str) -> HtmlFile:
    """Every link a part of the in-browser search index can give as a result: each page's URL
    and each of its sections' (`kbSearchIndexPart("d-0",{"docs":[[id, title, url, terms,
    [[heading, anchor, …], …]], …], …});`)."""
    data = json.loads(text[text.index(",") + 1 : text.rindex(")")])
    urls: list[str] = []
    for doc in data.get("docs", ()):
        if doc:
            url, sections = doc[2], doc[4]
            urls += [url, *(f"{url}#{section[1]}" for section in sections if section[1])]
    return HtmlFile(frozenset(), tuple(urls))


def link_text(text: str, url: str) -> str:
    """What a reader sees of the link to `url` in an HTML file: its text, or the tag of a
    stylesheet or script. Looked up only for broken links."""
    for node in LexborHTMLParser(text).css("[href], [src]"):
        if url in ((node.attributes.get(name) or "").strip() for name in LINK_ATTRIBUTES):
            words = " ".join(node.text(deep=True).split()) if node.tag == "a" else ""
            rel = f' rel="{node.attributes["rel"]}"' if node.attributes.get("rel") else ""
            return words or node.attributes.get("aria-label") or node.attributes.get("title") or f"<{node.tag}{rel}>"
    return url


@dataclass(frozen=True)
class BrokenLink:
    """A link in the built site that goes nowhere: in which file, to what, and why."""

    file: str  # relative to the site folder, e.g. gb/guidance/first/index.html
    url: str
    text: str
    reason: str


@lru_cache(maxsize=4096)
def _split(url: str) -> tuple[str, str]:
    """(path, fragment) of a relative URL, decoded; links repeat on every page, so cached."""
    parts = urlsplit(url)
    return unquote(parts.path), unquote(parts.fragment)


def target_of(base: str, url: str, folders: set[str] | frozenset[str] = frozenset()) -> tuple[str, str]:
    """(file, fragment) a relative or root-relative URL in `base` names; folders mean their index.html."""
    path, fragment = _split(url)
    if not path:
        return base, fragment
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
    if target == ".":
        return "index.html", fragment
    if path.endswith("/") or target in folders:
        target += "/index.html"
    return target, fragment


@dataclass(frozen=True)
class CleanFile:
    """A built file whose links all resolved: the files they name, for reusing that result."""

    anchored: tuple[tuple[str, str], ...]  # (file, fragment): an element id that was there
    linked: tuple[str, ...]  # files named without a fragment: only that they exist matters


@dataclass(frozen=True)
class LinkRecord:
    """What a check of a built site found, kept for the next check (a one-page change
    rebuilds every page, but most come out byte for byte the same)."""

    digests: dict[str, str]  # every page, feed and search index: the digest of its bytes
    clean: dict[str, CleanFile]

    def unchanged(self, file: str, site: BuiltSite) -> bool:
        return self.digests.get(file) == site.digest(file)

    def still_clean(self, file: str, site: BuiltSite) -> bool:
        """Whether `file` was clean then and nothing its links depend on has changed: its own
        bytes, the bytes of every file it names with a #fragment, and that the rest exist."""
        clean = self.clean.get(file)
        return (
            clean is not None
            and self.unchanged(file, site)
            and all(self.unchanged(target, site) for target, _ in clean.anchored)
            and site.files.issuperset(clean.linked)
        )

    @cached_property
    def found_ids(self) -> frozenset[tuple[str, str]]:
        """Every (file, element id) a clean file linked to: there as long as the file is unchanged."""
        return frozenset(pair for clean in self.clean.values() for pair in clean.anchored)


class BuiltSite:
    """The files of a built site, each HTML file parsed once, when first needed. With the
    record of the last check (`previous`), files it shows are still clean are not read."""

    def __init__(self, root: Path, previous: LinkRecord | None = None):
        self.root = root
        self.previous = previous
        self.files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        self.folders = {posixpath.dirname(f) for f in self.files}
        self._parsed: dict[str, HtmlFile] = {}
        self._digests: dict[str, str] = {}

    def digest(self, file: str) -> str | None:
        """The digest of a page's or feed's bytes (None: no such file)."""
        if file not in self._digests:
            try:
                self._digests[file] = hashlib.blake2b((self.root / file).read_bytes(), digest_size=16).hexdigest()
            except OSError:
                return None
        return self._digests[file]

    def html(self, file: str) -> HtmlFile:
        if file not in self._parsed:
            text = self.read(file)
            self._parsed[file] = read_search_part(text) if SEARCH_PART.fullmatch(file) else read_html(text)
        return self._parsed[file]

    def read(self, file: str) -> str:
        return (self.root / file).read_text(encoding="utf-8", errors="replace")

    def resolve(self, base: str, url: str) -> tuple[str | None, str, str | None]:
        """(file, fragment, why it is broken) for a link in `base`, a file or a folder ending in '/'."""
        target, fragment = target_of(base, url, self.folders)
        if target == ".." or target.startswith("../"):
            return None, fragment, "it points outside the site"
        if target not in self.files:
            return None, fragment, f"there is no file {target}"
        return target, fragment, None

    def check_link(self, base: str, url: str) -> str | None:
        """Why a link in `base` is broken, or None when it resolves (external links are not checked here)."""
        if url.startswith("//"):
            return "it names another host without a scheme (write https://… or a relative link)"
        if HAS_SCHEME.match(url):
            return None  # http(s) (--external), mailto:, and schemes the safety checks refuse
        target, fragment, reason = self.resolve(base, url)
        if reason or not fragment or not target or not target.endswith(".html"):
            return reason
        previous = self.previous
        if previous is not None and (target, fragment) in previous.found_ids and previous.unchanged(target, self):
            return None  # it was there, and the file has not changed: no need to parse it
        if fragment not in self.html(target).ids:
            return f"{target} has no element with id '{fragment}'"
        return None

    def broken_links(self) -> tuple[list[BrokenLink], LinkRecord]:
        """Every broken href/src in every page and feed; and the record for the next check."""
        previous = self.previous
        broken: list[BrokenLink] = []
        # pages, Atom feeds and the in-browser search's results
        files = sorted(f for f in self.files if f.endswith((".html", ".xml")) or SEARCH_PART.fullmatch(f))
        record = LinkRecord({f: self.digest(f) or "" for f in files}, {})
        for file in files:
            if previous is not None and previous.still_clean(file, self):
                record.clean[file] = previous.clean[file]
                continue
            base, urls = self._links(file)
            failures = {url: reason for url in urls if (reason := self.check_link(base, url))}
            if failures:
                broken.extend(BrokenLink(file, url, self._link_text(file, url), reason) for url, reason in failures.items())
            else:
                record.clean[file] = self._clean_file(base, urls)
        return broken, record

    def _links(self, file: str) -> tuple[str, list[str]]:
        """Where a file's links are relative to, and each link once (the navigation repeats them)."""
        return file, list(dict.fromkeys(self.html(file).urls))

    def _link_text(self, file: str, url: str) -> str:
        return "a search result" if SEARCH_PART.fullmatch(file) else link_text(self.read(file), url)

    def _clean_file(self, base: str, urls: list[str]) -> CleanFile:
        """The files a file's links (all resolved) name: with a #fragment, or without."""
        anchored, linked = set(), set()
        for url in urls:
            if HAS_SCHEME.match(url):
                continue
            target, fragment, _ = self.resolve(base, url)
            if target is None:
                continue
            if fragment and target.endswith(".html"):
                anchored.add((sys.intern(target), sys.intern(fragment)))
            else:
                linked.add(sys.intern(target))
        return CleanFile(tuple(sorted(anchored)), tuple(sorted(linked)))


def site_link_problems(staging: Path, library: Library, cache: Path | None = None) -> list[Problem]:
    """The built-site layer (a SITE_CHECK): every broken internal link, traced to the YAML
    text that wrote it where it can be, else to the page's file or the built page.

    With a cache folder, what this check found is kept there (LINK_RECORD), and the next
    check parses only the files that changed or link to a page that changed."""
    store = Store(cache, LINK_RECORD, "the built-site link check")
    # The record holds the digest of every file it vouches for, so it is safe to reuse
    # whatever changed since; the store drops it when the tool's version changes.
    site = BuiltSite(staging, store.get("record"))
    found, record = site.broken_links()
    store.put(record, "record")
    store.save()
    sources = _procedure_pages(library)
    published = published_folder(staging)
    problems = []
    for broken in found:
        link = f"link '{broken.text}' → '{broken.url}': {broken.reason}"
        source = sources.get(broken.file)
        if SEARCH_PART.fullmatch(broken.file):
            where = _html_location(site, broken, published)
            problems.append(where.problem(f"{link} (a result of the in-browser search: its index and the built pages disagree)"))
            continue
        if source is None:
            where = _html_location(site, broken, published)
            problems.append(where.problem(f"{link} (on a page the theme or renderer writes)"))
            continue
        page, edition = source
        written = _written_location(page, edition, broken, library)
        page_name = f"the built {edition.badge} page {broken.file}"
        if written is not None:
            problems.append(written.problem(f"{link} (on {page_name})"))
        else:
            problems.append(page.location().problem(f"on {page_name}, in the theme or navigation rather than this file's text: {link}"))
    return problems


def published_folder(staging: Path) -> Path:
    """Where a staged site is published (site/ for site.builds/.staging-…): the staged copy
    is removed when a check fails, so problems name the file where it would have been."""
    builds = staging.parent
    if staging.name.startswith(STAGING_PREFIX) and builds.name.endswith(BUILDS_SUFFIX):
        return builds.with_name(builds.name.removesuffix(BUILDS_SUFFIX))
    return staging


def _procedure_pages(library: Library) -> dict[str, tuple[Page, Edition]]:
    """Built file (relative to the site) → the page and edition it was built from."""
    return {built_page(e.id, p): (p, e) for e in library.site.editions for p in library.pages}


def _written_location(page: Page, edition: Edition, broken: BrokenLink, library: Library) -> Location | None:
    """Where the page's YAML wrote the link that is broken in the built page, when it did."""
    pages = {p.id: p for p in library.pages}
    wanted = target_of(broken.file, broken.url)
    here = built_page(edition.id, page)
    for link in written_links(page, (edition.id,)):
        page_id, _, anchor = link.target.removeprefix(PAGE_SCHEME).partition("#")
        if link.target.startswith("#"):
            built = (here, link.target[1:])
        elif link.target.startswith(PAGE_SCHEME) and page_id in pages:
            built = (built_page(edition.id, pages[page_id]), anchor)
        else:
            continue
        if built == wanted:
            return link.location
    for i, related in enumerate(page.related):
        if related in pages and wanted == (built_page(edition.id, pages[related]), ""):
            return page.location("related", i)
    return None


def _html_location(site: BuiltSite, broken: BrokenLink, published: Path) -> Location:
    """The line and column of the broken link in the built file (it is not kept when a check fails)."""
    text = site.read(broken.file)
    index = -1
    for written in (broken.url, html.escape(broken.url)):
        index = max(index, text.find(f'"{written}"'))
    line = text.count("\n", 0, index) + 1 if index >= 0 else 1
    column = index - text.rfind("\n", 0, index) + 1 if index >= 0 else 1
    return Location(display_path(published / broken.file, published), line, column)
