"""Unsafe text: nothing a maintainer writes can become markup, script or a foreign load.

Errors, each at the line and column where it was written:

- HTML tags and comments (`<b>`, `<svg/onload=…>`, `<img/src=…>`, `<!--`), `javascript:`
  and `vbscript:` URLs (even split by spaces), `data:` URLs, and event-handler attributes
  (`onclick=` and the other DOM events; any `on…=` inside a tag is refused with the tag). Text is shown as text, and
  the renderer escapes it too: these are refused so that no page depends on that alone.
- Characters that MkDocs' and Material's templates would not escape, in the fields they
  print outside the page body (titles, summaries, tags, owners, section titles, edition
  names and badges, the site title): a double quote (it would end an HTML attribute such
  as the page's meta description) and character references such as `&lt;` (templates that
  strip tags from a title turn them back into `<`).
- Unicode bidirectional controls anywhere (they can make text read differently from how
  it is stored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.scan import Finding, scan, sources
from kb_tools.content.load import text_location
from kb_tools.model import Library, Problem

_UNSAFE = re.compile(
    "|".join(
        (
            # A tag name may be followed by a space, a slash or the end of the tag (<svg/onload=…>).
            r"(?P<html><!--|<!\[CDATA\[|<\?|</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^<>]*)?>|<\s*script\b|<[A-Za-z][A-Za-z0-9-]*[\s/])",
            # A script URL may be split by spaces or control characters that browsers ignore.
            r"(?P<script>\b(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t)\s*:)",
            r"(?P<data>\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+\s*[;,])",
            r"(?P<handler>\bon(?:abort|afterprint|animation\w*|auxclick|before\w+|blur|cancel|canplay\w*|change|click|close"
            r"|contextmenu|copy|cue\w*|cut|dblclick|drag\w*|drop|durationchange|emptied|ended|error|focus\w*|formdata"
            r"|fullscreen\w*|hashchange|input|invalid|key\w+|load\w*|lostpointercapture|message\w*|mouse\w+|offline|online"
            r"|page\w+|paste|pause|play\w*|pointer\w+|popstate|progress|ratechange|rejectionhandled|reset|resize|scroll\w*"
            r"|search|seek\w+|select\w*|show|slotchange|stalled|storage|submit|suspend|timeupdate|toggle|touch\w+"
            r"|transition\w*|unhandledrejection|unload|volumechange|waiting|wheel)\s*=)",
        )
    ),
    re.IGNORECASE,
)
_UNSAFE_KINDS = {
    "html": "raw HTML",
    "script": "a script URL",
    "data": "a data: URL",
    "handler": "an event-handler attribute",
}


def find_unsafe_text(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _UNSAFE.finditer(text):
        what = _UNSAFE_KINDS[match.lastgroup or ""]
        yield Finding(match.start(), match.end(), f"{what} ('{_shorten(match.group())}') is not allowed")


_MAYBE_UNSAFE = re.compile(
    r"<|=|(?:t|data)\s*:", re.IGNORECASE
)  # a tag, an attribute, or a javascript:, vbscript: or data: URL
UNSAFE_ADVICE = "text is shown as text: write plain words, **bold** for emphasis, [label](https://…) for links"


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unsafe_text_problems(library: Library, options: CheckOptions) -> list[Problem]:
    return scan(library, (find_unsafe_text,), _MAYBE_UNSAFE, UNSAFE_ADVICE)


# --- what templates print outside the page body ------------------------------------------

# Pointers (in page files, site.yml) of values MkDocs' and Material's templates print.
_TEMPLATE_FIELDS = re.compile(
    r"^(?:title|summary|owner|tags/\d+|section|sections/\d+/(?:title|summary)|editions/\d+/(?:name|badge))$"
)
_TEMPLATE_UNSAFE = re.compile(r'"|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);', re.IGNORECASE)


def template_field_problems(library: Library, options: CheckOptions) -> list[Problem]:
    problems = []
    for source in sources(library):
        for pointer, scalar in source.scalars.items():
            if not _TEMPLATE_FIELDS.match(pointer):
                continue
            for match in _TEMPLATE_UNSAFE.finditer(scalar.value):
                what = "a double quote" if match.group() == '"' else f"a character reference ('{match.group()}')"
                problems.append(
                    text_location(source, pointer, match.start()).problem(
                        f"{what} cannot be shown safely here: titles, summaries, tags and names are also printed by the "
                        "site's templates, which do not escape them; use curly quotes (“ ”) or plain words"
                    )
                )
    return problems


# --- bidirectional controls ------------------------------------------------------------------

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def bidi_control_problems(library: Library, options: CheckOptions) -> list[Problem]:
    problems = []
    for source in sources(library):
        for pointer, scalar in source.scalars.items():
            for match in _BIDI.finditer(scalar.value):
                problems.append(
                    text_location(source, pointer, match.start()).problem(
                        f"a bidirectional control character (U+{ord(match.group()):04X}) can make text read differently "
                        "from how it is stored: delete it"
                    )
                )
    return problems
