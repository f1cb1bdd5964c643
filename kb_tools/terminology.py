"""Edition-specific text: Northern Ireland terms substituted from the terminology table.

Substitution is data (content/terminology.yml), not code. Rules:
- whole words and phrases only, longest phrase first, in one pass (so the output of
  one replacement is never replaced again: "Child Maintenance Group (CMG)" → "Division",
  never "Division (Division)");
- a replacement at the start of a sentence starts with a capital letter;
- link targets, code spans and `{literal: …}` text are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from .model import BodySection, Faq, Note, Page, Reference, Term
from .text import Code, EditionOnly, Link, Literal, Plain, Segment, for_edition, parse


class Substituter:
    """Replaces GB terms with their NI forms in plain text."""

    def __init__(self, terms: Iterable[Term]):
        self.terms = {t.gb: t.ni for t in terms}
        self._lower = {gb.lower(): ni for gb, ni in self.terms.items()}
        self.pattern = _compile(tuple(self.terms))

    def __call__(self, text: str, at_sentence_start: bool = True) -> str:
        if self.pattern is None:
            return text

        def swap(match: re.Match[str]) -> str:
            found = match.group(0)
            ni = self.terms.get(found) or self._lower[found.lower()]
            starts_sentence = _starts_sentence(text, match.start(), at_sentence_start)
            if starts_sentence and ni[:1].islower():
                return ni[:1].upper() + ni[1:]
            return ni

        return self.pattern.sub(swap, text)


@lru_cache(maxsize=32)
def _compile(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    # Longest first so the alternation prefers "Child Maintenance Group (CMG)" over "CMG".
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in ordered)
    # Whole words: no letter, digit or joining hyphen/ampersand touching either side.
    return re.compile(rf"(?<![\w&-])(?:{alternatives})(?![\w&]|-\w)")


def _starts_sentence(text: str, index: int, at_start: bool) -> bool:
    before = text[:index].rstrip()
    if not before:
        return at_start
    return before[-1] in ".!?:"


def segments_for_edition(segments: tuple[Segment, ...], edition: str, substitute: Substituter | None) -> tuple[Segment, ...]:
    """Edition-only text resolved and, for NI, terms substituted outside links' targets, code and literals."""
    kept = for_edition(segments, edition)
    if substitute is None:
        return kept
    out: list[Segment] = []
    for index, segment in enumerate(kept):
        at_start = index == 0
        if isinstance(segment, Plain):
            out.append(Plain(substitute(segment.text, at_start), segment.start))
        elif isinstance(segment, Link):
            out.append(Link(segments_for_edition(segment.label, edition, substitute), segment.target, segment.start, segment.target_start))
        else:
            out.append(segment)
    return tuple(out)


def render_segments(segments: tuple[Segment, ...]) -> str:
    """Back to the inline language (edition marks resolved), for the next stage to render."""
    parts = []
    for segment in segments:
        if isinstance(segment, Plain):
            parts.append(segment.text)
        elif isinstance(segment, Code):
            parts.append(f"`{segment.text}`")
        elif isinstance(segment, Literal):
            parts.append(f"{{literal: {segment.text}}}")
        elif isinstance(segment, Link):
            parts.append(f"[{render_segments(segment.label)}]({segment.target})")
        elif isinstance(segment, EditionOnly):  # pragma: no cover - resolved by for_edition
            parts.append(render_segments(segment.content))
    return "".join(parts)


def edition_text(text: str, edition: str, substitute: Substituter | None) -> str:
    return render_segments(segments_for_edition(parse(text), edition, substitute))


def page_for_edition(page: Page, edition: str, terms: Iterable[Term]) -> Page:
    """The page as one edition shows it: edition-only parts dropped, NI terms substituted."""
    substitute = Substituter(terms) if edition == "ni" else None

    def t(text: str) -> str:
        return edition_text(text, edition, substitute)

    def shown(item) -> bool:
        return item.edition in (None, edition)

    body = tuple(
        BodySection(
            heading=t(s.heading),
            anchor=s.anchor,
            text=t(s.text),
            steps=tuple(t(x) for x in s.steps),
            points=tuple(t(x) for x in s.points),
            notes=tuple(Note(n.kind, t(n.text)) for n in s.notes if shown(n)),
        )
        for s in page.body
        if shown(s)
    )
    faq = tuple(Faq(t(f.question), t(f.answer), f.anchor) for f in page.faq if shown(f))
    legislation = tuple(Reference(t(r.title), r.url) for r in page.legislation if shown(r))
    return replace(
        page,
        title=t(page.title),
        summary=t(page.summary),
        owner=t(page.owner),
        body=body,
        faq=faq,
        legislation=legislation,
        changes=tuple(replace(c, note=t(c.note)) for c in page.changes),
        tags=tuple(t(x) for x in page.tags),
    )
