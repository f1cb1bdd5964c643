"""The small inline language of text fields, shared by every stage that reads text.

Maintainers write plain sentences. A few marks are understood:

- `[label](page:some-id)` or `[label](page:some-id#anchor)`: a link to another procedure;
  `[label](#anchor)` a link within the page; `[label](site:check-before-you-raise-an-sr)` a
  link to a generated page (render.SITE_PAGES); `[label](https://…)` an external link.
- `{gb: text}` / `{ni: text}`: text shown only in that edition.
- `{literal: text}`: text shown as written in both editions: not substituted, not flagged
  as a legacy term (for quoting legislation, or the terminology page itself). It may stand
  inside `{gb: …}` and `{ni: …}` text.
- `` `code` ``: shown as written.
- `{as_of: 2024-02-26}`, written right after a fact: the date the fact was last confirmed
  in its source, shown to the reader as "(as of 26 February 2024)" in both editions; `kb
  check` warns when it is older than the review interval. It may stand inside `{gb: …}`
  and `{ni: …}` text.
- `**bold**` is passed to Markdown; anything that looks like HTML is shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeVar


@dataclass(frozen=True)
class Plain:
    text: str
    start: int  # offset in the original string, to point problems at a column


@dataclass(frozen=True)
class Code:
    text: str
    start: int


@dataclass(frozen=True)
class Literal:
    text: str
    start: int


@dataclass(frozen=True)
class AsOf:
    """`{as_of: YYYY-MM-DD}`: when the fact before it was last confirmed in its source."""

    written: str  # as written between the colon and the brace ("2024-02-26", or something wrong)
    start: int

    @property
    def when(self) -> date | None:
        """The date, or None when what is written is not a real YYYY-MM-DD date (kb check says so)."""
        return as_of_date(self.written)

    @property
    def text(self) -> str:
        """What the reader sees, in both editions."""
        when = self.when
        return f"(as of {when.day} {when:%B %Y})" if when else f"(as of {self.written})"


_AS_OF_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_of_date(written: str) -> date | None:
    if not _AS_OF_DATE.fullmatch(written):
        return None
    try:
        return date.fromisoformat(written)
    except ValueError:
        return None


@dataclass(frozen=True)
class Link:
    label: tuple[Segment, ...]
    target: str
    start: int
    target_start: int


@dataclass(frozen=True)
class EditionOnly:
    edition: str
    content: tuple[Segment, ...]
    start: int


Segment = Plain | Code | Literal | Link | EditionOnly | AsOf
S = TypeVar("S", Link, AsOf)  # a kind of segment found by _nested

# `{as_of: …}` and `{literal: …}` may stand inside edition-only text ({gb: … {as_of:
# 2024-02-26}}, {ni: … the {literal: Department for Work and Pensions} policy}): the marks
# allowed inside another.
AS_OF_MARK = r"\{as_of:[ ]?(?P<as_of>[^{}]*)\}"
_INNER_MARK = r"\{(?:as_of|literal):[^{}]*\}"
# One alternation, tried left to right; the first group that matches names the token.
_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    rf"|{AS_OF_MARK}"
    rf"|\{{(?P<marker>gb|ni):[ ]?(?P<marked>(?:[^{{}}]|{_INNER_MARK})*)\}}"
    r"|\{(?P<marker_literal>literal):[ ]?(?P<literal>[^{}]*)\}"
    r"|\[(?P<label>[^\[\]\n]+)\]\((?P<target>[^()\s]+)\)"
)


@lru_cache(maxsize=65536)  # every stage parses the same titles and texts again; segments are immutable
def parse(text: str, offset: int = 0) -> tuple[Segment, ...]:
    """Split text into segments. Never raises: unknown marks stay plain text."""
    segments: list[Segment] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            segments.append(Plain(text[position : match.start()], offset + position))
        start = offset + match.start()
        if match.group("code"):
            segments.append(Code(match.group("code")[1:-1], start))
        elif match.group("as_of") is not None:
            segments.append(AsOf(match.group("as_of").strip(), start))
        elif match.group("marker_literal"):
            segments.append(Literal(match.group("literal"), start))
        elif match.group("marker"):
            inner = parse(match.group("marked"), offset + match.start("marked"))
            segments.append(EditionOnly(match.group("marker"), inner, start))
        else:
            label = parse(match.group("label"), offset + match.start("label"))
            segments.append(Link(label, match.group("target"), start, offset + match.start("target")))
        position = match.end()
    if position < len(text):
        segments.append(Plain(text[position:], offset + position))
    return tuple(segments)


def for_edition(segments: tuple[Segment, ...], edition: str) -> tuple[Segment, ...]:
    """Keep only what the edition shows; edition-only text becomes ordinary segments."""
    kept: list[Segment] = []
    for segment in segments:
        if isinstance(segment, EditionOnly):
            if segment.edition == edition:
                kept.extend(for_edition(segment.content, edition))
        elif isinstance(segment, Link):
            kept.append(Link(for_edition(segment.label, edition), segment.target, segment.start, segment.target_start))
        else:
            kept.append(segment)
    return tuple(kept)


def plain_text(segments: tuple[Segment, ...]) -> str:
    """What a reader sees, without marks (for search, titles and snippets)."""
    parts = []
    for segment in segments:
        if isinstance(segment, Link):
            parts.append(plain_text(segment.label))
        elif isinstance(segment, EditionOnly):
            parts.append(plain_text(segment.content))
        else:
            parts.append(segment.text)
    return "".join(parts)


def _nested(segments: tuple[Segment, ...], kind: type[S]) -> list[S]:
    """Every segment of a kind, including those inside edition-only text."""
    found: list[S] = []
    for segment in segments:
        if isinstance(segment, kind):
            found.append(segment)
        elif isinstance(segment, EditionOnly):
            found.extend(_nested(segment.content, kind))
    return found


def links(segments: tuple[Segment, ...]) -> list[Link]:
    """Every link, including those inside edition-only text."""
    return _nested(segments, Link)


def as_of_marks(segments: tuple[Segment, ...]) -> list[AsOf]:
    """Every `{as_of: …}` mark, including those inside edition-only text."""
    return _nested(segments, AsOf)


def mark_starts(segments: tuple[Segment, ...]) -> set[int]:
    """Where each understood `{…}` mark starts (offsets in the text parsed)."""
    found: set[int] = set()
    for segment in segments:
        if isinstance(segment, (Literal, AsOf)):
            found.add(segment.start)
        elif isinstance(segment, EditionOnly):
            found.add(segment.start)
            found |= mark_starts(segment.content)
        elif isinstance(segment, Link):
            found |= mark_starts(segment.label)
    return found


def whole_words_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words, in any case, longest first (so "FOI focal point"
    wins over "FOI"); None when there are none. Glossary terms are found with it."""
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![\w-])", re.IGNORECASE)
