"""Every check of the built site, registered in one place.

They run on the staging folder after MkDocs, before the new site replaces the published
one; a failure means nothing is published. Each takes the staging folder, the library and a
cache folder (where it may keep what it can reuse next time, through kb_tools/cache.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from kb_tools.checks.registry import NamedRule, select_from
from kb_tools.model import Library, Problem
from kb_tools.site.built_html import built_html_problems
from kb_tools.site.built_links import site_link_problems

SiteCheck = Callable[[Path, Library, Path | None], list[Problem]]


SiteRule = NamedRule[SiteCheck]


SITE_RULES: tuple[SiteRule, ...] = (
    SiteRule("built-links", site_link_problems, "every internal href/src and #fragment of both editions resolves"),
    SiteRule("built-html", built_html_problems, "every element, attribute, URL scheme and inline script is one the theme or renderer writes"),
)


def select(names: Iterable[str]) -> tuple[SiteRule, ...]:
    """The site checks with these names."""
    return select_from(SITE_RULES, names)


def site_problems(staging: Path, library: Library, cache: Path | None, rules: Iterable[SiteRule] = SITE_RULES) -> tuple[Problem, ...]:
    return tuple(p for rule in rules for p in rule.run(staging, library, cache))
