"""Link checking at every layer, so that no broken link is ever published.

1. Content (`kb check`, so also `kb build`): every in-text link `[label](page:id#anchor)` or
   `[label](#anchor)` resolves, in each edition that shows it, to a page and to a heading
   that edition has. Problems point at the `path:line:column` where the target was written.
   (`related` ids are checked by validate.py.)
2. Built site: kb_tools/site/built_links.py, after MkDocs and before publishing.
3. External http(s) links (`--external`): external_links.py, fed by `external_links()` here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from kb_tools.content.load import text_location
from kb_tools.content.text import Link, for_edition, links, parse, plain_text
from kb_tools.layout import SITE_PAGES, SITE_SCHEME, page_anchors
from kb_tools.model import Edition, Library, Location, Page, Problem

if TYPE_CHECKING:
    from kb_tools.checks.options import CheckOptions

PAGE_SCHEME = "page:"
# Schemes the renderer turns into links (site/render.py SAFE_SCHEMES); any other is refused here.
PUBLISHED_SCHEMES = ("https://", "http://", "mailto:")
# Targets with a scheme (https:, mailto:, javascript: …) are external or refused by the
# safety checks; everything else must be page:… or #….
HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


# --- 1. links written in the content --------------------------------------------------------


@dataclass(frozen=True)
class WrittenLink:
    """One link in a page's text: its target, label, where it was written, which editions show it."""

    page: Page
    target: str
    label: str
    editions: tuple[str, ...]
    field: str  # "summary", "body/2/text", …: where on the page
    keys: tuple[str | int, ...]  # the field's keys, for the fallback location
    offset: int  # where the target starts in the field's text

    @cached_property
    def location(self) -> Location:
        """Where the target was written: worked out only when asked for (a problem to report,
        an external link to check), as finding it is most of the check's time."""
        fallback = self.page.location(*self.keys)
        return text_location(self.page.source_text, self.field, self.offset, fallback=fallback)


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
            found.append(
                WrittenLink(page, link.target, plain_text(link.label), tuple(shown), field, tuple(keys), offset)
            )
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
    if not HAS_SCHEME.match(target):
        return "not a link the site can publish: write page:<id> for a procedure, #<anchor> for a heading here, site:<name> for a generated page, or https://…"
    if not target.lower().startswith(PUBLISHED_SCHEMES):
        scheme = target.split(":", 1)[0]
        return f"'{scheme}:' links are not published (only https://, http:// and mailto:): link to a web page instead"
    return None  # external: checked with --external


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
                found.append(
                    (reference.url, text_location(page.source_text, f"legislation/{i}/url", 0, fallback=where))
                )
    return found


def _is_web(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))
