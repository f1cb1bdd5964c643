"""Search synonyms from content/terminology.yml applied to text.

A passage that says "Freedom of Information" is also what a caseworker means by "FOI".
The search index is fed the other words of every synonym group a passage mentions, in a
field of its own (search/index.py); the pages themselves carry no hidden keywords. The
groups are data, never code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kb_tools.content.text import parse, plain_text
from kb_tools.model import Page, Synonym


def _is_acronym(term: str) -> bool:
    """ "SR", "A&G", "1-2-1": matched case-sensitively so "Mp" or "sr" in prose are not taken for them."""
    letters = [c for c in term if c.isalpha()]
    return " " not in term and (not letters or all(c.isupper() for c in letters))


@lru_cache(maxsize=1024)
def _pattern(term: str) -> re.Pattern[str]:
    """Whole words: no letter, digit, "&" or joining hyphen touching either side; words
    separated by any spaces or hyphens ("non resident" finds "non-resident")."""
    words = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term.strip()))
    return re.compile(rf"(?<![\w&-]){words}(?![\w&]|-\w)", 0 if _is_acronym(term) else re.IGNORECASE)


@lru_cache(maxsize=1024)
def _needed(term: str) -> frozenset[str]:
    return frozenset(_WORD.findall(term.lower()))


_WORD = re.compile(r"\w+")


def mentioned(text: str, synonyms: Iterable[Synonym]) -> set[str]:
    """The synonym terms the text mentions."""
    words = set(_WORD.findall(text.lower()))  # a term whose words are not all here cannot match: skip its regex
    return {t for group in synonyms for t in group.terms if _needed(t) <= words and _pattern(t).search(text)}


def also_known_as(text: str, synonyms: Iterable[Synonym]) -> tuple[str, ...]:
    """The words of each synonym group the text mentions that the text does not use itself.

    In group order, each word once: deterministic, so rendering stays byte-for-byte stable.
    """
    synonyms = tuple(synonyms)
    used = mentioned(text, synonyms)
    found: list[str] = []
    for group in synonyms:
        if used.intersection(group.terms):
            found.extend(t for t in group.terms if t not in used and t not in found)
    return tuple(found)


def page_text(page: Page) -> str:
    """Everything a reader of the page can read, marks resolved: what synonyms are looked for in."""
    parts = [page.title, page.summary, *page.tags, *page.keywords]
    for section in page.body:
        parts += [section.heading, section.text, *section.steps, *section.points, *(n.text for n in section.notes)]
    for faq in page.faq:
        parts += [faq.question, faq.answer]
    return "\n".join(plain_text(parse(part)) for part in parts)
