"""The glossary: a term that no page uses explains nothing (a warning, so a term can be added
before the page that needs it)."""

from __future__ import annotations

from collections.abc import Iterator

from kb_tools.checks.options import CheckOptions
from kb_tools.content.text import parse, plain_text, whole_words_pattern
from kb_tools.editions import terminology
from kb_tools.model import Library, Page, Problem


def unused_term_problems(library: Library, options: CheckOptions) -> list[Problem]:
    problems = []
    texts = {edition: "\n".join(_reader_texts(library, edition)) for edition in ("gb", "ni")}
    for entry in library.glossary.terms:
        editions = (entry.edition,) if entry.edition else tuple(texts)
        pattern = whole_words_pattern(entry.forms())
        if pattern is None or entry.location is None:
            continue
        if not any(pattern.search(texts[edition]) for edition in editions):
            problems.append(
                entry.location.problem(
                    f"glossary term '{entry.term}' is not used on any page: remove it, or add the word where it is meant",
                    "warning",
                )
            )
    return problems


def _reader_texts(library: Library, edition: str) -> Iterator[str]:
    """The text of every page where a glossary term is marked, as the edition's readers see it."""
    for page in terminology.edition_pages(library, edition):
        yield from (plain_text(parse(text)) for text in _marked_texts(page))


def _marked_texts(page: Page) -> Iterator[str]:
    yield page.summary
    for section in page.body:
        yield section.text or ""
        yield from section.steps
        yield from section.points
        yield from (note.text for note in section.notes)
    yield from (faq.answer for faq in page.faq)
