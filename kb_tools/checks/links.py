"""Link checking at every layer, so that no broken link is ever published.

1. Content (`kb check`, so also `kb build`): every in-text link `[label](page:id#anchor)` or
   `[label](#anchor)` resolves, in each edition that shows it, to a page and to a heading
   that edition has. Problems point at the `path:line:column` where the target was written.
   (`related` ids are checked by validate.py.)
2. Built site (a SITE_CHECK in `kb build`, before the new site replaces the published one):
   every internal href/src of every HTML file resolves to a file, and every #fragment to an
   element id on the target page. This layer also sees what the content layer cannot: theme
   links, the edition switch, navigation, tags pages and anything the renderer gets wrong.
3. External http(s) links (`--external`): external_links.py, fed by `external_links()` here.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from kb_tools.pipeline import fingerprint
from kb_tools.pipeline import publish
from kb_tools.content.load import text_location
from kb_tools.model import Edition, Library, Location, Page, Problem
from kb_tools.site.render import SITE_PAGES, SITE_SCHEME, page_path, site_url
from kb_tools.content.text import Link, for_edition, links, parse, plain_text
from kb_tools.content.validate import display_path, page_anchors

if TYPE_CHECKING:
    from kb_tools.checks.options import CheckOptions

PAGE_SCHEME = "page:"
# Targets with a scheme (https:, mailto:, javascript: …) are external or refused by the
# safety checks; everything else must be page:… or #….
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


# --- 1. links written in the content --------------------------------------------------------


@dataclass(frozen=True)
class WrittenLink:
    """One link in a page's text: its target, label, where it was written, which editions show it."""

    page: Page
    target: str
    label: str
    location: Location
    editions: tuple[str, ...]
    field: str  # "summary", "body/2/text", …: where on the page


def written_links(page: Page, editions: tuple[str, ...]) -> list[WrittenLink]:
    """Every link in the page's text, each once, with the editions that show it."""
    found: list[WrittenLink] = []
    for keys, text, restrictions in page.text_fields():
        if "](" not in text:
            continue  # most fields hold no link: skip parsing them
        shown_in = [e for e in editions if all(r in (None, e) for r in restrictions)]
        segments = parse(text)
        seen: dict[int, tuple[Link, list[str]]] = {}  # by where the target starts
        for edition in shown_in:
            for link in links(for_edition(segments, edition)):
                seen.setdefault(link.target_start, (link, []))[1].append(edition)
        field = "/".join(str(k) for k in keys)
        for offset, (link, shown) in sorted(seen.items()):
            where = text_location(page.source_text, field, offset, fallback=page.location(*keys))
            found.append(WrittenLink(page, link.target, plain_text(link.label), where, tuple(shown), field))
    return found


def content_link_problems(library: Library, options: CheckOptions | None = None) -> list[Problem]:
    """The content layer: every page: and #anchor link resolves in each edition that shows it."""
    editions = tuple(e.id for e in library.site.editions)
    pages = {p.id: p for p in library.pages}
    anchors = {(p.id, e): page_anchors(p, e) for p in library.pages for e in editions}
    problems: list[Problem] = []
    for page in library.pages:
        for link in written_links(page, editions):
            message = _link_problem(link, pages, anchors, library)
            if message:
                problems.append(link.location.problem(f"link '{link.label}' → '{link.target}': {message}"))
    return problems


def _link_problem(link: WrittenLink, pages: dict[str, Page], anchors: dict, library: Library) -> str | None:
    target = link.target
    if target.startswith(PAGE_SCHEME):
        page_id, hash_sign, anchor = target[len(PAGE_SCHEME) :].partition("#")
        if page_id not in pages:
            return f"no page has the id '{page_id}'{_did_you_mean(page_id, pages)}"
        if hash_sign and not anchor:
            return "nothing after '#': name a heading anchor or leave out the '#'"
        return _anchor_problem(link, page_id, anchor, anchors, library) if anchor else None
    if target.startswith(SITE_SCHEME):
        name = target[len(SITE_SCHEME) :]
        if name not in SITE_PAGES:
            return f"no generated page is called '{name}': write one of {', '.join('site:' + n for n in SITE_PAGES)}"
        return None
    if target.startswith("#"):
        if link.field == "summary" or link.field.startswith("changes/"):
            where = "the summary" if link.field == "summary" else "a change note"
            return (
                f"{where} is also shown on other pages (home, section and related lists, What's changed), "
                f"where '{target}' goes nowhere: write page:{link.page.id}{target}"
            )
        return _anchor_problem(link, link.page.id, target[1:], anchors, library)
    if not _HAS_SCHEME.match(target):
        return "not a link the site can publish: write page:<id> for a procedure, #<anchor> for a heading here, site:<name> for a generated page, or https://…"
    return None  # external (checked with --external) or another scheme (the safety checks)


def _anchor_problem(link: WrittenLink, page_id: str, anchor: str, anchors: dict, library: Library) -> str | None:
    missing = [e for e in link.editions if anchor not in anchors[(page_id, e)]]
    if not missing:
        return None
    on = "this page" if page_id == link.page.id else f"page '{page_id}'"
    if len(missing) == len(link.editions):
        known = set().union(*(anchors[(page_id, e)] for e in link.editions)) if link.editions else set()
        return f"{on} has no heading with the anchor '#{anchor}'{_did_you_mean(anchor, known)}"
    kept = [e for e in link.editions if e not in missing]
    names = " and ".join(_edition_name(library.site.edition(e)) for e in missing)
    return (
        f"broken in the {names} edition: {on} has the heading '#{anchor}' only in the "
        f"{' and '.join(_edition_name(library.site.edition(e)) for e in kept)} edition "
        f"(write the link inside {{{kept[0]}: …}}, or give both editions the heading)"
    )


def _edition_name(edition: Edition) -> str:
    return f"{edition.name} ({edition.badge})"


def _did_you_mean(value: str, known) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def external_links(library: Library) -> list[tuple[str, Location]]:
    """Every http(s) address in the content with where it was written, for external_links.py."""
    editions = tuple(e.id for e in library.site.editions)
    found: list[tuple[str, Location]] = []
    for page in library.pages:
        found.extend((link.target, link.location) for link in written_links(page, editions) if _is_web(link.target))
        for i, reference in enumerate(page.legislation):
            if _is_web(reference.url):
                where = page.location("legislation", i, "url")
                found.append((reference.url, text_location(page.source_text, f"legislation/{i}/url", 0, fallback=where)))
    return found


def _is_web(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


# --- 2. links in the built site -------------------------------------------------------------

# Attributes that load or link to another file. (srcset is not written by this site's theme.)
LINK_ATTRIBUTES = ("href", "src")
SEARCH_INDEX = "search/search_index.json"
LINK_RECORD = "site-links.pickle"  # in the cache folder: what the last check of a built site found


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
            ids.add(attributes["name"])
        urls.extend(attributes[name].strip() for name in LINK_ATTRIBUTES if attributes.get(name) is not None)
    return HtmlFile(frozenset(ids), tuple(urls))


def link_text(text: str, url: str) -> str:
    """What a reader sees of the link to `url` in an HTML file: its text, or the tag of a
    stylesheet or script. Looked up only for broken links."""
    for node in LexborHTMLParser(text).css("[href], [src]"):
        if url in (node.attributes.get(name, "").strip() for name in LINK_ATTRIBUTES):
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
            self._parsed[file] = read_html(self.read(file))
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
        if _HAS_SCHEME.match(url):
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
        """Every broken href/src in every page and feed, and every broken result of the
        built-in search; and the record for the next check."""
        previous = self.previous
        broken: list[BrokenLink] = []
        files = sorted(f for f in self.files if f.endswith((".html", ".xml", SEARCH_INDEX)))  # pages, Atom feeds, search
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
        """Where a file's links are relative to, and each link once (the navigation repeats them).
        The built-in search's results link to `location`s relative to the edition root."""
        if file.endswith(SEARCH_INDEX):
            docs = json.loads(self.read(file)).get("docs", [])
            return file[: -len(SEARCH_INDEX)], list(dict.fromkeys(doc.get("location", "") for doc in docs))
        return file, list(dict.fromkeys(self.html(file).urls))

    def _link_text(self, file: str, url: str) -> str:
        if file.endswith(SEARCH_INDEX):
            titles = (doc.get("title", "") for doc in json.loads(self.read(file)).get("docs", []) if doc.get("location", "") == url)
            return f"search result '{next(titles, '')}'"
        return link_text(self.read(file), url)

    def _clean_file(self, base: str, urls: list[str]) -> CleanFile:
        """The files a file's links (all resolved) name: with a #fragment, or without."""
        anchored, linked = set(), set()
        for url in urls:
            if _HAS_SCHEME.match(url):
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
    record_file = cache / LINK_RECORD if cache else None
    key = fingerprint.tool_version()  # another version of this check may resolve links differently
    site = BuiltSite(staging, fingerprint.read_cache(record_file, key))
    found, record = site.broken_links()
    fingerprint.write_cache(record_file, key, record)
    sources = _procedure_pages(library)
    published = published_folder(staging)
    problems = []
    for broken in found:
        link = f"link '{broken.text}' → '{broken.url}': {broken.reason}"
        source = sources.get(broken.file)
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
    if staging.name.startswith(publish.STAGING_PREFIX) and builds.name.endswith(publish.BUILDS_SUFFIX):
        return builds.with_name(builds.name.removesuffix(publish.BUILDS_SUFFIX))
    return staging


def _procedure_pages(library: Library) -> dict[str, tuple[Page, Edition]]:
    """Built file (relative to the site) → the page and edition it was built from."""
    return {f"{e.id}/{site_url(page_path(p))}": (p, e) for e in library.site.editions for p in library.pages}


def _written_location(page: Page, edition: Edition, broken: BrokenLink, library: Library) -> Location | None:
    """Where the page's YAML wrote the link that is broken in the built page, when it did."""
    pages = {p.id: p for p in library.pages}
    wanted = target_of(broken.file, broken.url)
    here = f"{edition.id}/{site_url(page_path(page))}"
    for link in written_links(page, (edition.id,)):
        page_id, _, anchor = link.target.removeprefix(PAGE_SCHEME).partition("#")
        if link.target.startswith("#"):
            built = (here, link.target[1:])
        elif link.target.startswith(PAGE_SCHEME) and page_id in pages:
            built = (f"{edition.id}/{site_url(page_path(pages[page_id]))}", anchor)
        else:
            continue
        if built == wanted:
            return link.location
    for i, related in enumerate(page.related):
        if related in pages and wanted == (f"{edition.id}/{site_url(page_path(pages[related]))}", ""):
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
