"""Edition pages → Markdown files under docs/<edition>/ and the MkDocs config for each edition.

Generated files are build output. Rendering is deterministic (same input, same bytes) and
writes only the files whose content changed, so MkDocs and the index can skip the rest.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

import yaml

from kb_tools.editions import terminology
from kb_tools.config import NAV_GROUP_PAGES
from kb_tools.site.feed import FEED_FILE, FeedEntry, atom_feed
from kb_tools.layout import (
    ABOUT_ANCHOR,
    ABOUT_HEADING,
    CHANGES_PAGE,
    FAQ_ANCHOR,
    FAQ_HEADING,
    GLOSSARY_PAGE,
    HISTORY_ANCHOR,
    HISTORY_HEADING,
    HOME,
    LEGISLATION_ANCHOR,
    LEGISLATION_HEADING,
    RELATED_ANCHOR,
    RELATED_HEADING,
    SITE_PAGES,
    SITE_SCHEME,
    SR_CHECK_PAGE,
    SR_ROUTE_PAGE_ID,
    TAGS_PAGE,
    page_path,
    site_url,
)
from kb_tools.cache import Store, atomic_write, key_of
from kb_tools.checks.links import PUBLISHED_SCHEMES as SAFE_SCHEMES
from kb_tools.model import BodySection, Edition, Library, Page, SiteConfig
from kb_tools.content.text import AsOf, Code, Link, Literal, Plain, Segment, parse, plain_text
from kb_tools.content.validate import review_due
from kb_tools.site.glossary import GLOSSARY_TITLE, GlossaryEntry, TermMarker, edition_glossary, render_glossary

NOTE_TITLES = {"note": "Note", "warning": "Warning", "important": "Important", "tip": "Tip"}
A_TO_Z_GROUP = "Procedures A to Z"  # in a big section's navigation, the entry that holds its alphabetical groups


@dataclass(frozen=True)
class RenderedFile:
    """One generated file, by path relative to the edition's docs folder."""

    path: str
    text: str


@dataclass(frozen=True)
class EditionOutput:
    edition: Edition
    files: tuple[RenderedFile, ...]
    nav: tuple
    pages: tuple[Page, ...]  # the edition's view of each page (terms substituted)


# --- inline text ------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]])")
_LINE_BREAK = re.compile(r"[ \t]*[\r\n][\s]*")
_LINE_START = re.compile(r"^(\s*)([#>\-+=]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text → Markdown that shows exactly that text (HTML included, as text)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(" ", text)


_BOLD = re.compile(r"(\*\*[^*\n]+\*\*)")


def _mark_terms(text: str, marker: TermMarker) -> str:
    """Like _escape_keeping_bold, with glossary terms outside bold marked."""
    parts = _BOLD.split(text)
    return "".join(
        f"**{escape(p[2:-2])}**" if p.startswith("**") and p.endswith("**") and len(p) > 4 else marker.mark(p, escape)
        for p in parts
    )


# The page being rendered marks its glossary terms (set by render_page, read by block_text:
# summaries, paragraphs, steps, points, notes and answers; never titles, headings or links).
_TERM_MARKER: ContextVar[TermMarker | None] = ContextVar("kb_term_marker", default=None)


def _escape_keeping_bold(text: str) -> str:
    parts = re.split(r"(\*\*[^*\n]+\*\*)", text)
    return "".join(f"**{escape(p[2:-2])}**" if p.startswith("**") and p.endswith("**") and len(p) > 4 else escape(p) for p in parts)


# Where a link is written: on a page, on a section's index page (the section id), or on a
# page at the edition root (None).
Here = Page | str | None


def inline(segments: tuple[Segment, ...], here: Here, pages: dict[str, Page], marker: TermMarker | None = None) -> str:
    """Text for one line of Markdown (a title, heading, list item or paragraph): a line break
    in the YAML is a space, so a blank line can never end a link or a heading early. With a
    marker, glossary terms in plain text (not bold, not link labels) are marked."""
    out = []
    for segment in segments:
        if isinstance(segment, Plain):
            text = _one_line(segment.text)
            out.append(_escape_keeping_bold(text) if marker is None else _mark_terms(text, marker))
        elif isinstance(segment, Literal):
            out.append(literal_markdown(_one_line(segment.text)))
        elif isinstance(segment, AsOf):
            out.append(escape(segment.text))  # "(as of 26 February 2024)"
        elif isinstance(segment, Code):
            text = _one_line(segment.text)
            ticks = "``" if "`" in text else "`"
            out.append(f"{ticks}{text}{ticks}")
        elif isinstance(segment, Link):
            if out and out[-1].endswith("!"):
                out[-1] = out[-1][:-1] + "\\!"  # "!" then a link would be a Markdown image
            out.append(_link(segment, here, pages))
    return "".join(out)


LITERAL_CLASS = "kb-literal"


def literal_markdown(text: str) -> str:
    """`{literal: …}` text, as written, in a span that marks it as deliberate (tests and checks
    of the NI edition recognise it). A span has no role: screen readers read the text as usual."""
    return f'<span class="{LITERAL_CLASS}">{escape(text)}</span>'


def title_markdown(title: str) -> str:
    """A page title as Markdown: shown as written, literals marked (titles never link)."""
    return "".join(literal_markdown(s.text) if isinstance(s, Literal) else escape(plain_text((s,))) for s in parse(title))


def _link(link: Link, here: Here, pages: dict[str, Page]) -> str:
    label = inline(link.label, here, pages)
    target = resolve_target(link.target, here, pages)
    return f"[{label}]({target})" if target else label


def resolve_target(target: str, here: Here, pages: dict[str, Page]) -> str | None:
    """A link target in content → a Markdown link target, or None when it must not be a link."""
    if target.startswith("page:"):
        page_id, _, anchor = target[len("page:") :].partition("#")
        page = pages.get(page_id)
        if page is None:
            return None  # reported by kb check; never published as a broken link
        return relative_md(here, page) + (f"#{anchor}" if anchor else "")
    if target.startswith(SITE_SCHEME):
        page_file = SITE_PAGES.get(target[len(SITE_SCHEME) :])
        return None if page_file is None else _to_root(here) + page_file  # None: reported by kb check
    if target.startswith("#"):
        return target
    if target.lower().startswith(SAFE_SCHEMES):
        return safe_url(target)
    return None


def safe_url(url: str) -> str:
    """A URL that stays one Markdown link target: spaces, brackets, quotes and angle brackets
    percent-encoded, so nothing after it can be read as Markdown or HTML."""
    return quote(url, safe="/:?#@!$&*+,;=%~")


def relative_md(here: Here, page: Page) -> str:
    if isinstance(here, str) and page.section == here:  # from a section's own page, <section>/index.md
        return f"{page.id}/index.md"
    if isinstance(here, Page) and here.section == page.section:
        return f"../{page.id}/index.md"
    return _to_root(here) + page_path(page)


def _to_root(here: Here) -> str:
    """From where a text is shown to the edition's root: the root itself (home, changes,
    tags), a section's page (<section>/index.md) or a procedure (<section>/<id>/index.md)."""
    if here is None:
        return ""
    return "../" if isinstance(here, str) else "../../"


def block_text(text: str, here: Page | None, pages: dict[str, Page]) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    marker = _TERM_MARKER.get() if here is not None else None
    return "\n\n".join(inline(parse(" ".join(p.split())), here, pages, marker) for p in paragraphs)


# --- pages ------------------------------------------------------------------------------

# libyaml's emitter (C) writes the same bytes as PyYAML's safe_dump, about 6 times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(data: dict) -> str:
    return "---\n" + yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def render_page(
    page: Page,
    edition: Edition,
    site: SiteConfig,
    pages: dict[str, Page],
    owner_contact: str | None = None,
    glossary: tuple[GlossaryEntry, ...] = (),
) -> str:
    """One procedure page as Markdown: summary first, then the body, FAQ, related pages, about.

    `owner_contact` is how to reach the owner team (site.yml's owners, as the edition says it);
    the first use of each `glossary` term is linked to its entry, with its definition.
    """
    marker = TermMarker(list(glossary), _to_root(page) + GLOSSARY_PAGE, lambda d: inline(parse(d), page, pages)) if glossary else None
    token = _TERM_MARKER.set(marker)
    try:
        return _render_page(page, edition, site, pages, owner_contact)
    finally:
        _TERM_MARKER.reset(token)


def _render_page(page: Page, edition: Edition, site: SiteConfig, pages: dict[str, Page], owner_contact: str | None) -> str:
    section = site.section(page.section)
    meta: dict[str, object] = {
        "title": plain_text(parse(page.title)),
        "description": plain_text(parse(page.summary)),
        "page_id": page.id,
        "edition": edition.id,
        "section_title": section.title if section else page.section,
        "owner": page.owner,
        "last_reviewed": page.last_reviewed.isoformat(),
    }
    if page.tags:
        meta["tags"] = list(page.tags)
    if page.keywords:
        meta["keywords"] = list(page.keywords)
    parts = [
        front_matter(meta),
        f"# {title_markdown(page.title)}\n",
        f"{block_text(page.summary, page, pages)}\n{{: .kb-summary }}\n",
        _facts(page, site),
    ]
    for body_section in page.body:
        parts.append(_render_section(body_section, page, pages))
    if page.faq:
        parts.append(f"## {FAQ_HEADING} {{#{FAQ_ANCHOR}}}\n")
        for faq in page.faq:
            parts.append(f"### {inline(parse(faq.question), page, pages)} {{#{faq.anchor}}}\n\n{block_text(faq.answer, page, pages)}\n")
    if page.legislation:
        parts.append(f"## {LEGISLATION_HEADING} {{#{LEGISLATION_ANCHOR}}}\n")
        parts.append("\n".join(_reference(r.title, r.url, page, pages) for r in page.legislation) + "\n")
    parts.append(_related(page, pages))
    if page.changes:
        parts.append(_history(page, pages))
    parts.append(_about(page, edition, site, pages, owner_contact))
    return "\n".join(parts)


def _reference(title: str, url: str, page: Page, pages: dict[str, Page]) -> str:
    text = inline(parse(title), page, pages)
    return f"- [{text}]({safe_url(url)})" if url else f"- {text}"


def _render_section(section: BodySection, page: Page, pages: dict[str, Page]) -> str:
    parts = [f"## {inline(parse(section.heading), page, pages)} {{#{section.anchor}}}\n"]
    if section.text:
        parts.append(block_text(section.text, page, pages) + "\n")
    if section.steps:
        parts.append("\n".join(f"{i}. {block_text(step, page, pages)}" for i, step in enumerate(section.steps, 1)) + "\n")
    if section.points:
        parts.append("\n".join(f"- {block_text(point, page, pages)}" for point in section.points) + "\n")
    for note in section.notes:
        body = block_text(note.text, page, pages).replace("\n", "\n    ")
        parts.append(f'!!! {note.kind} "{NOTE_TITLES.get(note.kind, "Note")}"\n\n    {body}\n')
    return "\n".join(parts)


def _related(page: Page, pages: dict[str, Page]) -> str:
    lines = [f"## {RELATED_HEADING} {{#{RELATED_ANCHOR}}}\n"]
    for page_id in page.related:
        target = pages.get(page_id)
        if target is not None:
            title = title_markdown(target.title)
            lines.append(f"- [{title}]({relative_md(page, target)}): {inline(parse(target.summary), page, pages)}")
    return "\n".join(lines) + "\n"


def long_date(when: date) -> str:
    return when.strftime("%-d %B %Y")


def _facts(page: Page, site: SiteConfig) -> str:
    """Who owns the page and how fresh it is, under the summary: caseworkers judge a page by it."""
    facts = (
        f"Owner: {escape(page.owner)} · Last reviewed: {long_date(page.last_reviewed)}"
        f" · Review due: {long_date(review_due(page, site))}"
    )
    if page.changes:
        latest = max(change.date for change in page.changes)
        facts += f" · Last updated: {long_date(latest)} ([page history](#{HISTORY_ANCHOR}))"
    return f"{facts}\n{{: .kb-facts }}\n"


def _history(page: Page, pages: dict[str, Page]) -> str:
    """Every change note of this edition's page, newest first (GOV.UK's "See all updates")."""
    lines = [f"## {HISTORY_HEADING} {{#{HISTORY_ANCHOR}}}\n"]
    for change in sorted(page.changes, key=lambda c: c.date, reverse=True):
        lines.append(f"- {long_date(change.date)}: {inline(parse(change.note), page, pages)}")
    return "\n".join(lines) + "\n"


def _about(page: Page, edition: Edition, site: SiteConfig, pages: dict[str, Page], owner_contact: str | None) -> str:
    lines = [f"## {ABOUT_HEADING} {{#{ABOUT_ANCHOR}}}\n", f"- Owner: {escape(page.owner)}"]
    if owner_contact:
        lines.append(f"- To contact the owner: {inline(parse(owner_contact), page, pages)}")
    lines += [
        f"- Last reviewed: {long_date(page.last_reviewed)}",
        f"- Review due: {long_date(review_due(page, site))}",
        f"- Edition: {escape(edition.name)} ({escape(edition.badge)})",
    ]
    return "\n".join(lines) + "\n"


def render_section_index(section_id: str, site: SiteConfig, pages: list[Page], all_pages: dict[str, Page]) -> str:
    section = site.section(section_id)
    assert section is not None
    lines = [front_matter({"title": section.title, "description": section.summary}), f"# {escape(section.title)}\n", f"{escape(section.summary)}\n"]
    for page in pages:
        lines.append(f"- [{title_markdown(page.title)}]({page.id}/index.md): {inline(parse(page.summary), section_id, all_pages)}")
    return "\n".join(lines) + "\n"


def render_home(site: SiteConfig, edition: Edition, by_section: dict[str, list[Page]], pages: dict[str, Page]) -> str:
    lines = [
        front_matter({"title": site.title, "description": f"{site.title}: {edition.name} edition"}),
        f"# {escape(site.title)}\n",
        f"Child Maintenance Service procedures for caseworkers: {escape(edition.name)} edition.\n",
        f"Cannot find the answer? [Check before you raise a service request (SR)]({SR_CHECK_PAGE}).\n",
    ]
    for section in site.sections:
        members = by_section.get(section.id, [])
        if not members:
            continue
        lines.append(f"## {escape(section.title)} {{#{section.id}}}\n\n{escape(section.summary)}\n")
        lines.extend(f"- [{title_markdown(p.title)}]({page_path(p)}): {inline(parse(p.summary), None, pages)}" for p in members)
        lines.append("")
    return "\n".join(lines) + "\n"


# Where the site's search component (theme/assets/kb/search.js) builds the SR check page's
# own search box: the same component as the one in every page's header.
SR_CHECK_BOX = (
    '<div class="kb-search kb-search--page" data-kb-search="page" data-label="Your question, or a few words from it"></div>\n'
    "<noscript><p>Searching needs JavaScript. Use the procedures in the navigation instead.</p></noscript>\n"
)


def sr_route_page(pages: dict[str, Page]) -> Page | None:
    """The procedure that says how to raise an SR, when the edition has it."""
    return pages.get(SR_ROUTE_PAGE_ID)


def render_sr_check(edition: Edition, pages: dict[str, Page]) -> str:
    """The "Check before you raise an SR" page: a search box, and plainly, how to raise an SR.

    The box is the site's search component (search.js), answered by the search service or
    the edition's own index; the SR steps are on the page either way.
    """
    create = sr_route_page(pages)
    raise_link = f"see [how to raise an SR]({page_path(create)})" if create else "ask your team leader how to raise one"
    meta = {
        "title": "Check before you raise an SR",
        "description": "Search the procedures before you raise a service request (SR) to Advice and Guidance (A&G).",
    }
    form = SR_CHECK_BOX
    return (
        front_matter(meta)
        + "# Check before you raise an SR\n\n"
        + "Most questions are answered in the procedures. Search them first: you can use "
        + "abbreviations such as A&amp;G or FOI, and whole questions.\n\n"
        + form
        + "\n## If no procedure answers your question {#raise-an-sr}\n\n"
        + "1. Check the procedures, law and policy guidance.\n"
        + "2. Ask your team leader.\n"
        + f"3. If the issue is still not resolved, raise a service request (SR) to Advice and Guidance (A&amp;G): {raise_link}.\n"
    )


@dataclass(frozen=True)
class ChangeEntry:
    """One change note of one page, for the What's changed page and the feed."""

    when: date
    page: Page
    note: str


def change_entries(pages: Iterable[Page]) -> list[ChangeEntry]:
    """Every change note, newest first; on the same day, by page title."""
    entries = [ChangeEntry(c.date, p, c.note) for p in sort_by_title(pages) for c in p.changes if not c.minor]
    return sorted(entries, key=lambda e: e.when, reverse=True)  # stable: titles stay in order


def render_changes(entries: list[ChangeEntry], all_pages: dict[str, Page]) -> str:
    lines = [
        front_matter({"title": "What's changed", "description": "Changes to procedures, newest first."}),
        "# What's changed\n",
        f"Changes to procedures, newest first. To follow them in a feed reader, use the [Atom feed of changes]({FEED_FILE}).\n",
    ]
    if not entries:
        lines.append("No changes recorded yet.\n")
    for when, group in groupby(entries, key=lambda e: e.when):
        lines.append(f"## {long_date(when)} {{#changes-{when.isoformat()}}}\n")
        for entry in group:
            title = title_markdown(entry.page.title)
            lines.append(f"- [{title}]({page_path(entry.page)}): {inline(parse(entry.note), None, all_pages)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def render_feed(site: SiteConfig, edition: Edition, entries: list[ChangeEntry]) -> str:
    items = [
        FeedEntry(e.when, plain_text(parse(e.page.title)), site_url(page_path(e.page)), plain_text(parse(e.note)))
        for e in entries
    ]
    title = f"{site.title} ({edition.badge}): what's changed"
    return atom_feed(f"{site.title}/{edition.id}", title, site_url(CHANGES_PAGE), items, site.title)


def render_tags(pages: list[Page]) -> str:
    """The tags page: Material's tags plugin fills in the list at the marker."""
    lines = [
        front_matter({"title": "Pages by tag", "description": "Every tag used on the procedures, with the pages that carry it."}),
        "# Pages by tag\n",
        "Each tag lists the pages about that topic.\n",
        "<!-- material/tags -->\n" if any(p.tags for p in pages) else "No pages are tagged yet.\n",
    ]
    return "\n".join(lines)


def render_glossary_page(entries: list[GlossaryEntry], pages: dict[str, Page]) -> str:
    meta = front_matter({"title": GLOSSARY_TITLE, "description": "Words used in the procedures, and what they mean."})
    return render_glossary(entries, lambda d: inline(parse(d), None, pages), escape, meta)


def sort_pages(pages: Iterable[Page]) -> list[Page]:
    return sorted(pages, key=lambda p: (p.order, plain_text(parse(p.title)).lower(), p.id))


def sort_by_title(pages: Iterable[Page]) -> list[Page]:
    return sorted(pages, key=lambda p: (plain_text(parse(p.title)).lower(), p.id))


def edition_view(library: Library, edition: Edition) -> tuple[Page, ...]:
    """Every page as the edition shows it."""
    return terminology.edition_pages(library, edition.id)


def replaced_terms(library: Library, edition: Edition) -> tuple[str, ...]:
    """The GB terms the edition's table replaces (NI readers must not see them): part of what
    a page's Markdown is reused by."""
    return tuple(term.gb for term in library.terminology.ni_terms if term.gb != term.ni) if edition.id == "ni" else ()


_PAGE_REFERENCE = re.compile(r"page:([a-z0-9]+(?:-[a-z0-9]+)*)")


class PageReuse:
    """Each procedure page's Markdown, reused when nothing it is made from changed.

    A page's Markdown is made from the page as the edition shows it, the edition, site.yml
    and the terminology (its hidden search words), and, of other pages, only what its links
    and related list show: the id, section, title and summary of each page it names, and the
    id and section of the pages those summaries link to. The key holds all of that, so a
    change to a title is rendered again on every page that names it, and nowhere else."""

    def __init__(self, store: Store, library: Library, edition: Edition, replaced: tuple[str, ...]) -> None:
        self.store = store
        # The glossary marks terms on every page, and its definitions may name pages.
        glossary = repr(library.glossary.terms)
        self.context = key_of(repr(edition), repr(library.site), repr(library.terminology), repr(replaced), glossary)
        self.glossary_links = sorted(set(_PAGE_REFERENCE.findall(glossary)))

    def key(self, page: Page, pages: dict[str, Page]) -> str:
        shown = repr(page)
        named = sorted(set(_PAGE_REFERENCE.findall(shown)) | set(page.related) | set(self.glossary_links))
        parts = [self.context, shown]
        for page_id in named:
            target = pages.get(page_id)
            if target is None:
                parts.append(f"absent {page_id}")
                continue
            parts.append(repr((target.id, target.section, target.title, target.summary)))
            for linked_id in sorted(set(_PAGE_REFERENCE.findall(target.summary))):
                linked = pages.get(linked_id)
                parts.append(repr((linked.id, linked.section)) if linked else f"absent {linked_id}")
        return key_of(*parts)

    def markdown(self, page: Page, render: Callable[[], str], pages: dict[str, Page]) -> str:
        return self.store.get_or_compute(render, self.key(page, pages))


def render_edition(library: Library, edition: Edition, store: Store | None = None) -> EditionOutput:
    """The edition's Markdown files and navigation. With a store, procedure pages whose
    inputs are unchanged are read back instead of rendered (PageReuse)."""
    site = library.site
    replaced = replaced_terms(library, edition)
    edition_pages = list(edition_view(library, edition))
    pages = {p.id: p for p in edition_pages}

    by_section: dict[str, list[Page]] = {}
    for page in sort_pages(edition_pages):
        by_section.setdefault(page.section, []).append(page)

    substitute = terminology.substituter_for(edition.id, library.terminology)

    def contact_for(page: Page) -> str | None:
        contact = site.owner_contact(page.owner)
        return None if contact is None else terminology.edition_text(contact, edition.id, substitute)

    glossary = tuple(edition_glossary(library.glossary.terms, edition.id, library.terminology))
    reuse = PageReuse(store, library, edition, replaced) if store is not None else None

    def page_markdown(page: Page) -> str:
        def render() -> str:
            return render_page(page, edition, site, pages, contact_for(page), glossary)

        return reuse.markdown(page, render, pages) if reuse is not None else render()
    changes = change_entries(edition_pages)
    files = [
        RenderedFile(HOME, render_home(site, edition, by_section, pages)),
        RenderedFile(SR_CHECK_PAGE, render_sr_check(edition, pages)),
        RenderedFile(CHANGES_PAGE, render_changes(changes, pages)),
        RenderedFile(FEED_FILE, render_feed(site, edition, changes)),
        RenderedFile(TAGS_PAGE, render_tags(edition_pages)),
        RenderedFile(GLOSSARY_PAGE, render_glossary_page(list(glossary), pages)),
    ]
    nav: list = [{"Home": HOME}, {"Check before you raise an SR": SR_CHECK_PAGE}]
    for section in site.sections:
        members = by_section.get(section.id, [])
        if not members:
            continue
        files.append(RenderedFile(f"{section.id}/index.md", render_section_index(section.id, site, members, pages)))
        files.extend(RenderedFile(page_path(p), page_markdown(p)) for p in members)
        nav.append({section.title: [f"{section.id}/index.md", *section_nav(members)]})
    nav.append({"What's changed": CHANGES_PAGE})
    nav.append({GLOSSARY_TITLE: GLOSSARY_PAGE})
    nav.append({"Tags": TAGS_PAGE})
    return EditionOutput(edition, tuple(files), tuple(nav), tuple(edition_pages))


def section_nav(members: list[Page], limit: int | None = None) -> list[dict]:
    """A section's navigation entries: its pages, or, when there are more than `limit`, one
    entry holding alphabetical groups of at most `limit` pages, labelled like a dictionary's
    guide words ("Cancel to Confirm refund").

    Material expands the first levels of the navigation on every page (navigation.sections;
    with tabs, the current tab's sections too) and, with navigation.prune, leaves the rest
    out unless it leads to the current page. The groups sit one level below what is always
    expanded, so a page carries its own group's links, not its whole section's.
    """
    limit = limit or NAV_GROUP_PAGES
    entries = [(plain_text(parse(p.title)), page_path(p)) for p in members]
    if len(entries) <= limit:
        return [{title: path} for title, path in entries]
    entries.sort(key=lambda entry: (entry[0].lower(), entry[1]))
    count = math.ceil(len(entries) / limit)
    size = math.ceil(len(entries) / count)
    groups = [entries[i : i + size] for i in range(0, len(entries), size)]
    nav = []
    for i, group in enumerate(groups):
        before = groups[i - 1][-1][0] if i else ""
        after = groups[i + 1][0][0] if i + 1 < len(groups) else ""
        label = f"{_guide_word(group[0][0], before)} to {_guide_word(group[-1][0], after)}"
        nav.append({label: [{title: path} for title, path in group]})
    return [{A_TO_Z_GROUP: nav}]


def _guide_word(title: str, neighbour: str) -> str:
    """The first words of title, up to the word where it differs from its neighbour in the
    next or previous group."""
    word, other = title.lower(), neighbour.lower()
    common = 0
    while common < min(len(word), len(other)) and word[common] == other[common]:
        common += 1
    end = title.find(" ", common)
    return title if end == -1 else title[:end]


# --- writing ----------------------------------------------------------------------------


def write_if_changed(path: Path, text: str) -> bool:
    """Write only when the bytes differ, so unchanged files keep their timestamps."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write(path, data)  # no half-written file, and no temporary file left on failure
    return True


def write_edition(output: EditionOutput, docs_dir: Path) -> list[str]:
    """Write an edition's Markdown; remove generated files no longer produced. Returns changed paths."""
    target = docs_dir / output.edition.id
    changed = [f.path for f in output.files if write_if_changed(target / f.path, f.text)]
    wanted = {f.path for f in output.files}
    removed = []
    for folder, _, names in os.walk(target, topdown=False):  # deepest first, so emptied folders go too
        for name in names:
            relative = Path(folder, name).relative_to(target).as_posix()
            if name.endswith(".md") and relative not in wanted:
                os.unlink(Path(folder, name))
                removed.append(relative)
        if Path(folder) != target and not os.listdir(folder):
            os.rmdir(folder)
    return changed + sorted(removed)


# Where a hand-run `mkdocs build` or `zensical build` of a generated edition config writes,
# relative to the config's folder (docs/): inside it, as Zensical requires, and apart from
# the published site/ that only `kb build` replaces (atomically).
STANDALONE_SITE_DIR = "_site"


def mkdocs_config(
    base_config: Path, output: EditionOutput, docs_dir: Path, other: Edition | None, search_api: str = ""
) -> dict:
    """The edition's MkDocs config: the project's mkdocs.yml plus this edition's folders, nav and badge.

    It is written into `docs_dir` (docs/mkdocs.<edition>.yml), and its folders are written
    relative to that folder, so the same file builds with MkDocs and with Zensical (the
    Zensical canary, .ci/zensical-canary): Zensical takes the config's folder as the project
    root and refuses a `site_dir` outside it ("site_dir must be within project root"), and
    an absolute `docs_dir` makes it panic. MkDocs reads both relative to the config file, so
    it builds the same pages. `kb build` always names its own output folder (the staging
    folder it publishes atomically), so `site_dir` is used only by a hand-run `mkdocs build
    -f docs/mkdocs.<edition>.yml` or `zensical build -f …`: they write into docs/_site/<edition>,
    never over the published site."""
    config = yaml.safe_load(base_config.read_text(encoding="utf-8"))
    root = base_config.parent
    config["docs_dir"] = output.edition.id
    config["site_dir"] = f"{STANDALONE_SITE_DIR}/{output.edition.id}"
    theme = config.setdefault("theme", {})
    if "custom_dir" in theme:
        theme["custom_dir"] = str((root / theme["custom_dir"]).resolve())
    config["site_name"] = f"{config.get('site_name', 'Caseworker Procedures')} ({output.edition.badge})"
    config["nav"] = [dict(item) for item in output.nav]
    extra = config.setdefault("extra", {})
    extra["edition"] = {"id": output.edition.id, "name": output.edition.name, "badge": output.edition.badge}
    if other is not None:
        extra["other_edition"] = {"id": other.id, "name": other.name, "badge": other.badge}
    # The generated pages the theme links to on every page (footer, feed link), named here once.
    extra["kb_links"] = {"changes": site_url(CHANGES_PAGE), "tags": site_url(TAGS_PAGE), "feed": FEED_FILE}
    # Where the search component sends a caseworker when nothing answers: the procedure on
    # raising an SR, else the SR check page's steps (a content tree without that procedure).
    create = sr_route_page({p.id: p for p in output.pages})
    extra["kb_links"]["sr_route"] = site_url(page_path(create)) if create else f"{site_url(SR_CHECK_PAGE)}#raise-an-sr"
    extra["kb_api"] = search_api  # the search service's address; "" = the server the pages come from
    config["plugins"] = [_with_tag_sorting(plugin) for plugin in config.get("plugins") or []]
    return config


class PythonName(str):
    """A Python object MkDocs loads by name (`!!python/name:module.attribute`)."""


# Material sorts tags by their exact name, so "FOI" and "MP contact" came before
# "advice and guidance"; its own casefold key sorts them as a reader expects.
TAG_SORT_KEY = PythonName("material.plugins.tags.tag_name_casefold")


def _with_tag_sorting(plugin: object) -> object:
    """The tags plugin entry, told to sort tags case-insensitively (on pages and the tags page)."""
    if plugin == "tags":
        plugin = {"tags": {}}
    if isinstance(plugin, dict) and "tags" in plugin:
        options = dict(plugin["tags"] or {})
        options.setdefault("tags_sort_by", TAG_SORT_KEY)
        options.setdefault("listings_tags_sort_by", TAG_SORT_KEY)
        return {"tags": options}
    return plugin


class _ConfigDumper(_DUMPER):  # type: ignore[misc,valid-type]
    """YAML for MkDocs: like the safe dumper, plus Python names."""


_ConfigDumper.add_representer(
    PythonName, lambda dumper, name: dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{name}", "")
)


def write_mkdocs_config(config: dict, path: Path) -> bool:
    return write_if_changed(path, yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True))
