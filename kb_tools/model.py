"""Typed, immutable data passed between the pipeline stages.

YAML → (load) → SourceDocument → (validate) → Page / SiteConfig / Terminology
→ (terminology) → edition-specific Page → (render) → Markdown → (index) → search.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located where a maintainer can fix it."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int

    def problem(self, message: str, severity: str = "error") -> Problem:
        return Problem(self.path, self.line, self.column, message, severity)


class Scalar(NamedTuple):
    """One text value as written: where it starts and ends in its file, and how it was quoted."""

    start: int  # index of its first character in the file's text (a quote or | > indicator)
    end: int  # index after its last character
    style: str  # "" plain, "'" or '"' quoted, "|" literal or ">" folded block
    value: str  # the text it was loaded as


@dataclass(frozen=True)
class SourceText:
    """A file's text and every text value written in it, by path ("body/0/text"), so a
    position inside a value can be traced back to its line and column (load.text_location)."""

    path: str
    text: str
    scalars: dict[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True)
class Note:
    kind: str  # note | warning | important | tip
    text: str
    edition: str | None = None


@dataclass(frozen=True)
class BodySection:
    heading: str
    anchor: str
    text: str = ""
    steps: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    edition: str | None = None  # None: both editions


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str
    anchor: str
    edition: str | None = None


@dataclass(frozen=True)
class Reference:
    """A piece of legislation or a public source the page relies on."""

    title: str
    url: str = ""
    edition: str | None = None


@dataclass(frozen=True)
class Change:
    date: date
    note: str
    edition: str | None = None  # a change only one edition's readers need to hear about
    minor: bool = False  # a small fix: in the page's history, not on What's changed or in the feed


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    summary: str
    section: str
    owner: str
    last_reviewed: date
    body: tuple[BodySection, ...]
    related: tuple[str, ...]
    faq: tuple[Faq, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    legislation: tuple[Reference, ...] = ()
    changes: tuple[Change, ...] = ()
    review_due: date | None = None
    order: int = 100  # position within its section; ties sort by title
    source: str = ""
    source_path: str = ""
    # JSON-pointer-like path ("body/0/text") → where it was written, for tracing problems back.
    locations: dict[str, Location] = field(default_factory=dict, compare=False, hash=False, repr=False)
    source_text: SourceText | None = field(default=None, compare=False, hash=False, repr=False)

    def text_fields(self) -> Iterator[tuple[tuple, str, tuple[str | None, ...]]]:
        """(keys, text, edition restrictions) of every field written in the inline language.

        Titles, the owner and tags are shown as plain text (a link in them is never published)."""
        yield ("summary",), self.summary, ()
        for i, section in enumerate(self.body):
            only = (section.edition,)
            yield ("body", i, "heading"), section.heading, only
            yield ("body", i, "text"), section.text, only
            for j, step in enumerate(section.steps):
                yield ("body", i, "steps", j), step, only
            for j, point in enumerate(section.points):
                yield ("body", i, "points", j), point, only
            for j, note in enumerate(section.notes):
                yield ("body", i, "notes", j, "text"), note.text, (*only, note.edition)
        for i, faq in enumerate(self.faq):
            yield ("faq", i, "question"), faq.question, (faq.edition,)
            yield ("faq", i, "answer"), faq.answer, (faq.edition,)
        for i, reference in enumerate(self.legislation):
            yield ("legislation", i, "title"), reference.title, (reference.edition,)
        for i, change in enumerate(self.changes):
            yield ("changes", i, "note"), change.note, ()

    def location(self, *keys: object) -> Location:
        """The nearest recorded location for a path inside this page's YAML."""
        parts = [str(k) for k in keys]
        while parts:
            found = self.locations.get("/".join(parts))
            if found:
                return found
            parts.pop()
        return self.locations.get("", Location(self.source_path, 1, 1))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class Edition:
    id: str  # "gb" or "ni"
    name: str  # "Great Britain"
    badge: str  # "GB"


@dataclass(frozen=True)
class SiteConfig:
    title: str
    sections: tuple[Section, ...]
    editions: tuple[Edition, ...]
    email_allow_list: tuple[str, ...] = ()
    review_interval_days: int = 365
    # The lowest Flesch reading ease a page may have (None: not checked); see checks/style.py.
    reading_ease_min: float | None = None
    search_api: str = ""  # the search service's address when not the site's own server
    owner_contacts: tuple[tuple[str, str], ...] = ()  # (owner team, how to contact it, in words)
    source_text: SourceText | None = field(default=None, compare=False, hash=False, repr=False)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def edition(self, edition_id: str) -> Edition:
        return next(e for e in self.editions if e.id == edition_id)

    def owner_contact(self, team: str) -> str | None:
        """How to reach an owner team, when site.yml says (matched ignoring case)."""
        return next((contact for name, contact in self.owner_contacts if name.casefold() == team.casefold()), None)


@dataclass(frozen=True)
class Term:
    """A Northern Ireland substitution: `gb` text becomes `ni` in the NI edition."""

    gb: str
    ni: str
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LegacyTerm:
    """An old term replaced everywhere: flagged by `kb check` unless written literally."""

    term: str
    replacement: str
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Synonym:
    """Words caseworkers type that mean the same (abbreviations, old terms): used by search."""

    terms: tuple[str, ...]


@dataclass(frozen=True)
class Terminology:
    ni_terms: tuple[Term, ...] = ()
    legacy_terms: tuple[LegacyTerm, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    source_text: SourceText | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class AvoidPhrase:
    """A word or phrase GOV.UK's style guide asks writers to avoid, and what to write instead
    (content/style/words-to-avoid.yml)."""

    phrase: str
    use: str
    forms: tuple[str, ...] = ()  # other forms that count (delivered, delivering)
    unless: str = ""  # when the word is fine ("it is for a meeting")
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GlossaryTerm:
    """A word caseworkers meet on pages, with what it means (content/glossary.yml)."""

    term: str  # as written on pages; matched ignoring case, whole words
    definition: str  # one or two plain sentences (NI substitution applies)
    edition: str | None = None  # only in this edition
    aliases: tuple[str, ...] = ()  # other forms that count as a use
    location: Location | None = field(default=None, compare=False)

    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...] = ()
    source_text: SourceText | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Library:
    """Everything validated from one content folder."""

    site: SiteConfig
    terminology: Terminology
    pages: tuple[Page, ...]
    words_to_avoid: tuple[AvoidPhrase, ...] = ()
    glossary: Glossary = Glossary()

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)
