"""The small inline language of text fields, shared by every stage that reads text.

Maintainers write plain sentences. A few marks are understood:

- `[label](page:some-id)` or `[label](page:some-id#anchor)`: a link to another procedure;
  `[label](#anchor)` a link within the page; `[label](site:check-before-you-raise-an-sr)` a
  link to a generated page (render.SITE_PAGES); `[label](https://…)` an external link.
- `{gb: text}` / `{ni: text}`: text shown only in that edition.
- `{literal: text}`: text shown as written in both editions: not substituted, not flagged
  as a legacy term (for quoting legislation, or the terminology page itself).
- `` `code` ``: shown as written.
- `**bold**` is passed to Markdown; anything that looks like HTML is shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


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


Segment = Plain | Code | Literal | Link | EditionOnly

# One alternation, tried left to right; the first group that matches names the token.
_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|\{(?P<marker>gb|ni|literal):[ ]?(?P<marked>[^{}]*)\}"
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
        elif match.group("marker") == "literal":
            segments.append(Literal(match.group("marked"), start))
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


def links(segments: tuple[Segment, ...]) -> list[Link]:
    """Every link, including those inside edition-only text."""
    found: list[Link] = []
    for segment in segments:
        if isinstance(segment, Link):
            found.append(segment)
        elif isinstance(segment, EditionOnly):
            found.extend(links(segment.content))
    return found


def whole_words_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words, in any case, longest first (so "FOI focal point"
    wins over "FOI"); None when there are none. Glossary terms are found with it."""
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![\w-])", re.IGNORECASE)
