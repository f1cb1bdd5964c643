"""Running text finders over every text value a reader may see, and placing what they find.

Each content file's text values (pages, site.yml, terminology.yml) are scanned, and every
finding points at the line and column where it was written. Personal-data finders look at
the text as a reader sees it (`reader_view`): the inline marks joined, Unicode compatibility
forms folded (full-width digits, the full-width @), invisible format characters dropped and
every kind of space collapsed, so that "020 **7946** 0000", "020\u00a07946\u00ad0000" and
"０２０ ７９４６ ００００" are all the phone number they look like.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from kb_tools.content.load import text_location
from kb_tools.model import Library, Problem, SourceText


@dataclass(frozen=True)
class Finding:
    start: int  # offset in the text searched
    end: int
    message: str


Finder = Callable[[str, Library | None], Iterator[Finding]]

# The inline marks a reader never sees: bold, code, edition-only and literal text, dates.
_MARKS = re.compile(r"\{(?:gb|ni|literal|as_of)\s*:\s?|\}|\*\*|`")
_PLAIN_ASCII = re.compile(r"[\x20-\x7e]*")


_EDITION_ONLY = re.compile(r"\{(gb|ni)\s*:(?:[^{}]|\{(?:as_of|literal):[^{}]*\})*\}")  # as text.py parses it


def reader_views(value: str) -> list[tuple[str, list[int] | None]]:
    """The text as each edition's reader sees it (one view when it has no edition marks)."""
    if "{gb" not in value and "{ni" not in value:
        return [reader_view(value)]
    return [reader_view(value, edition) for edition in ("gb", "ni")]


def reader_view(value: str, edition: str | None = None) -> tuple[str, list[int] | None]:
    """The text as a reader sees it (in one edition, when given), and for each of its
    characters the offset it came from in `value` (None when the two are the same: plain
    ASCII without marks or runs of spaces)."""
    if _PLAIN_ASCII.fullmatch(value) and not _MARKS.search(value) and "  " not in value:
        return value, None
    hidden = {i for match in _MARKS.finditer(value) for i in range(match.start(), match.end())}
    if edition is not None:
        for match in _EDITION_ONLY.finditer(value):
            if match.group(1) != edition:
                hidden.update(range(match.start(), match.end()))
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(value):
        if i in hidden or unicodedata.category(char) == "Cf":  # zero-width spaces, soft hyphens, bidi marks
            continue
        for folded in unicodedata.normalize("NFKC", char):
            if folded.isspace():
                if out and out[-1] == " ":
                    continue
                folded = " "
            out.append(folded)
            origin.append(i)
    return "".join(out), origin


def sources(library: Library) -> Iterator[SourceText]:
    for source in (
        library.site.source_text,
        library.terminology.source_text,
        library.glossary.source_text,
        *(page.source_text for page in library.pages),
    ):
        if source is not None:
            yield source


def scan(
    library: Library,
    finders: Iterable[Finder],
    maybe: re.Pattern,
    advice: str,
    skip: tuple[str, ...] = (),
    as_read: bool = False,
) -> list[Problem]:
    """Every finding in every text value, reported where it was written. Where findings
    overlap (an 11-digit phone number is also a long number) only the first is reported.
    Values without a character any finder needs (`maybe`) are skipped at once. With
    `as_read`, finders see each value's reader view."""
    finders = tuple(finders)
    problems = []
    for source in sources(library):
        for pointer, scalar in source.scalars.items():
            if pointer.startswith(skip) or not maybe.search(scalar.value):
                continue
            views = reader_views(scalar.value) if as_read else [(scalar.value, None)]
            covered: list[tuple[int, int]] = []  # in the value as written
            for text, origin in views:
                for finder in finders:
                    for finding in finder(text, library):
                        start = origin[finding.start] if origin is not None else finding.start
                        end = origin[finding.end - 1] + 1 if origin is not None else finding.end
                        if any(start < e and s < end for s, e in covered):
                            continue
                        covered.append((start, end))
                        problems.append(text_location(source, pointer, start).problem(f"{finding.message}: {advice}"))
    return problems
