"""Where everything is on the site: the one owner of paths, URLs and anchors.

Every stage that needs a page's file or address, a generated page's name, or the anchor of a
heading asks this module; nothing is "kept in step" by hand. It sits at the top of the
package, beside model.py, because the content link checks (an earlier stage than the site)
must know every anchor a page will have before anything is rendered.

An edition is a folder (`gb/`, `ni/`); a procedure is `<section>/<id>/index.md` in it, so
its URL ends in `/<id>/` when served, while the links MkDocs writes (use_directory_urls is
off, for the offline plugin) name `index.html` and so also work from files.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kb_tools.model import Page

# Generated pages (no YAML file), by the Markdown file that makes them.
HOME = "index.md"
CHANGES_PAGE = "whats-changed.md"
SR_CHECK_PAGE = "check-before-you-raise-an-sr.md"
TAGS_PAGE = "tags.md"
GLOSSARY_PAGE = "glossary.md"
# The procedure that says how to raise a service request (SR): where the site's search sends a
# caseworker when nothing answers the question (its id in content/pages/).
SR_ROUTE_PAGE_ID = "advice-and-guidance-create-request"
# The generated pages content can link to, as [label](site:<name>).
SITE_SCHEME = "site:"
SITE_PAGES = {
    "home": HOME,
    "check-before-you-raise-an-sr": SR_CHECK_PAGE,
    "whats-changed": CHANGES_PAGE,
    "tags": TAGS_PAGE,
    "glossary": GLOSSARY_PAGE,
}

# Headings the renderer writes on procedure pages, with their anchors.
FAQ_HEADING, FAQ_ANCHOR = "Frequently asked questions", "frequently-asked-questions"
LEGISLATION_HEADING, LEGISLATION_ANCHOR = "Legislation and sources", "legislation-and-sources"
RELATED_HEADING, RELATED_ANCHOR = "Related pages", "related-pages"
HISTORY_HEADING, HISTORY_ANCHOR = "Page history", "page-history"
ABOUT_HEADING, ABOUT_ANCHOR = "About this page", "about-this-page"
# On every procedure page, whatever it holds.
FIXED_ANCHORS = (RELATED_ANCHOR, ABOUT_ANCHOR)
# Every anchor the renderer may write itself: a body heading must not take one of these.
RESERVED_ANCHORS = (FAQ_ANCHOR, LEGISLATION_ANCHOR, HISTORY_ANCHOR, *FIXED_ANCHORS)


class Placed(Protocol):
    """What a page's place depends on: its section and id."""

    @property
    def id(self) -> str: ...

    @property
    def section(self) -> str: ...


def page_path(page: Placed) -> str:
    """The page's Markdown file, relative to the edition's docs folder."""
    return f"{page.section}/{page.id}/index.md"


def page_url(page: Placed) -> str:
    """URL of a page relative to the edition root: <section>/<id>/ (served as <id>/index.html)."""
    return f"{page.section}/{page.id}/"


def site_url(md_path: str) -> str:
    """Where MkDocs publishes a Markdown file, relative to the edition root."""
    return md_path.removesuffix(".md") + ".html"


def built_page(edition: str, page: Placed) -> str:
    """The built HTML file of a page, relative to the site root."""
    return f"{edition}/{site_url(page_path(page))}"


def slugify(text: str) -> str:
    """Heading text → anchor, the way maintainers would guess it ("Who can ask?" → who-can-ask)."""
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    normalised = normalised.replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", normalised.lower())
    return "-".join(words) or "section"


def page_anchors(page: Page, edition: str | None = None) -> set[str]:
    """Every anchor a link may target on a procedure page, in one edition (None: in any).

    The renderer writes exactly these (site/render.py asks this module for each of them)."""

    def shown(item) -> bool:
        return edition is None or item.edition in (None, edition)

    anchors = {s.anchor for s in page.body if shown(s)} | set(FIXED_ANCHORS)
    faq = {f.anchor for f in page.faq if shown(f)}
    if faq:
        anchors |= faq | {FAQ_ANCHOR}
    if any(shown(r) for r in page.legislation):
        anchors.add(LEGISLATION_ANCHOR)
    if any(shown(c) for c in page.changes):
        anchors.add(HISTORY_ANCHOR)
    return anchors
