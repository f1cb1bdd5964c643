"""The glossary on the site: a Glossary page in each edition, and each term's first use on a
procedure page linked to its entry, with its definition one button press away.

A marked term is an ordinary link to the Glossary entry (works by keyboard, touch, without
script and from files), followed by a small "?" button that furniture.js shows: it expands the
definition in place (a disclosure: `aria-expanded`, `aria-controls`), so nothing depends on
hovering. Definitions are written in the edition's words (NI substitution applies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kb_tools.content.text import whole_words_pattern
from kb_tools.editions import terminology
from kb_tools.layout import slugify
from kb_tools.model import GlossaryTerm, Terminology

GLOSSARY_TITLE = "Glossary"
TERM_CLASS = "kb-term"


@dataclass(frozen=True)
class GlossaryEntry:
    """A glossary term as one edition shows it."""

    term: str
    definition: str  # inline language: may hold links and bold
    anchor: str
    forms: tuple[str, ...]  # the term and its aliases, as the edition's pages write them


def edition_glossary(glossary: Iterable[GlossaryTerm], edition: str, terms: Terminology) -> list[GlossaryEntry]:
    """The edition's entries, in the order a reader looks them up (ignoring case)."""
    substitute = terminology.substituter_for(edition, terms)

    def said(text: str) -> str:
        return terminology.edition_text(text, edition, substitute)

    entries = [
        GlossaryEntry(said(t.term), said(t.definition), slugify(t.term), tuple(said(form) for form in t.forms()))
        for t in glossary
        if t.edition in (None, edition)
    ]
    return sorted(entries, key=lambda e: (e.term.casefold(), e.anchor))


class TermMarker:
    """Marks the first use of each glossary term on one page (one marker per page)."""

    def __init__(self, entries: list[GlossaryEntry], glossary_link: str, definition_markdown: Callable[[str], str]):
        self._by_form = {form.casefold(): entry for entry in entries for form in entry.forms}
        self._pattern = whole_words_pattern(self._by_form)
        self._glossary_link = glossary_link  # the Glossary page, relative to this page
        self._definition_markdown = definition_markdown
        self._used: set[str] = set()

    def mark(self, text: str, escape: Callable[[str], str]) -> str:
        """Plain text (not bold, not in a link) → Markdown, with unmarked terms marked."""
        if self._pattern is None:
            return escape(text)
        out, position = [], 0
        for match in self._pattern.finditer(text):
            entry = self._by_form[match.group().casefold()]
            if entry.anchor in self._used:
                continue
            self._used.add(entry.anchor)
            out.append(escape(text[position : match.start()]))
            out.append(self._marked(match.group(), entry, escape))
            position = match.end()
        out.append(escape(text[position:]))
        return "".join(out)

    def _marked(self, written: str, entry: GlossaryEntry, escape: Callable[[str], str]) -> str:
        number = len(self._used)
        definition_id = f"kb-definition-{number}"
        return (
            f'[{escape(written)}]({self._glossary_link}#{entry.anchor}){{: .{TERM_CLASS} }}'
            f'<button type="button" class="kb-term__button" aria-expanded="false" aria-controls="{definition_id}" hidden>'
            f'<span aria-hidden="true">?</span><span class="kb-visually-hidden">What {escape(entry.term)} means</span></button>'
            f'<span class="kb-term__definition" id="{definition_id}" hidden> ({self._definition_markdown(entry.definition)})</span>'
        )


def render_glossary(
    entries: list[GlossaryEntry], definition_markdown: Callable[[str], str], escape: Callable[[str], str], front_matter: str
) -> str:
    """The Glossary page: every term of the edition with its definition, each a heading to link to."""
    parts = [front_matter, f"# {GLOSSARY_TITLE}\n", "Words used in the procedures, and what they mean.\n"]
    if not entries:
        parts.append("No terms yet.\n")
    for entry in entries:
        # <dfn>: this is where the term is defined (marked terms on other pages link here).
        parts.append(f"## <dfn>{escape(entry.term)}</dfn> {{#{entry.anchor}}}\n\n{definition_markdown(entry.definition)}\n")
    return "\n".join(parts)
