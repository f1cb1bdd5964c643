"""Terminology rules: legacy terms, GB terms that would reach NI readers, and the table itself.

The substitution these rules protect lives in kb_tools/editions/terminology.py; the rules
only read it. Each problem points at the word's own line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kb_tools.checks.options import CheckOptions
from kb_tools.content.load import text_location
from kb_tools.content.text import EditionOnly, Link, Plain, Segment, for_edition, parse
from kb_tools.editions.terminology import (
    AFTER_WORD,
    Substituter,
    edition_text,
    is_word_char,
    outside_addresses,
    substituter_for,
    term_key,
    term_pattern,
)
from kb_tools.model import LegacyTerm, Library, Location, Page, Problem, Term, Terminology


@dataclass(frozen=True)
class PageText:
    """One text field a reader sees: where it is in the page's YAML and whether NI shows it."""

    keys: tuple
    text: str
    in_ni: bool = True


def page_texts(page: Page) -> Iterator[PageText]:
    """Every text shown to readers: not ids, anchors, URLs or keywords (caseworkers search
    with keywords, old words included)."""
    yield PageText(("title",), page.title)
    yield PageText(("owner",), page.owner)
    for i, tag in enumerate(page.tags):
        yield PageText(("tags", i), tag)
    for keys, text, restrictions in page.text_fields():
        if text:
            yield PageText(keys, text, all(edition in (None, "ni") for edition in restrictions))


def plain_parts(segments: tuple[Segment, ...]) -> Iterator[Plain]:
    """The plain text a reader sees, in every edition: not code, literals or link targets."""
    for segment in segments:
        if isinstance(segment, Plain):
            yield segment
        elif isinstance(segment, Link):
            yield from plain_parts(segment.label)
        elif isinstance(segment, EditionOnly):
            yield from plain_parts(segment.content)


def _at(page: Page, field: PageText, offset: int) -> Location:
    pointer = "/".join(str(key) for key in field.keys)
    return text_location(page.source_text, pointer, offset, fallback=page.location(*field.keys))


# --- legacy terms -------------------------------------------------------------------------


def _is_abbreviation(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and " " not in term


class LegacyFinder:
    """Finds old terms: whole words, with a plural "s" or a possessive; abbreviations
    ("NRP") as written, other terms in any case ("Non-resident parents")."""

    def __init__(self, terms: Iterable[LegacyTerm]):
        self.terms = {t.term.lower(): t for t in terms}
        self.pattern = term_pattern(
            (t.term for t in self.terms.values()),
            after=f"s?{AFTER_WORD}",
            any_case=lambda term: not _is_abbreviation(term),
        )

    def find(self, text: str) -> Iterator[tuple[re.Match[str], LegacyTerm]]:
        if self.pattern is None:
            return
        for match in outside_addresses(self.pattern.finditer(text), text):
            found = match.group().lower()
            yield match, self.terms.get(found) or self.terms[found[:-1]]  # [:-1]: the plural "s"


def legacy_term_problems(library: Library, options: CheckOptions | None = None) -> list[Problem]:
    """Old terms replaced everywhere (non-resident parent → paying parent), wherever they
    appear outside `{literal: …}`, code and link targets, in either edition's text."""
    finder = LegacyFinder(library.terminology.legacy_terms)
    if finder.pattern is None:
        return []
    problems = []
    for page in library.pages:
        for field in page_texts(page):
            if not finder.pattern.search(field.text):
                continue  # the common case, without parsing the marks
            for part in plain_parts(parse(field.text)):
                for match, legacy in finder.find(part.text):
                    found = match.group()
                    problems.append(
                        _at(page, field, part.start + match.start()).problem(
                            f"'{found}' is a legacy term: write '{legacy.replacement}', or {{literal: {found}}} "
                            "where the old term must stay (quoting legislation, for example)"
                        )
                    )
    return problems


# --- GB terms that would reach Northern Ireland readers -----------------------------------


_JOINED = re.compile(r"[\w&-]*")


def ni_term_problems(library: Library, options: CheckOptions | None = None) -> list[Problem]:
    """Text the NI edition shows that still holds a GB term the substitution cannot replace,
    and legislation entries whose title changes in NI while the link still opens the GB law."""
    substitute = substituter_for("ni", library.terminology)
    if substitute is None:
        return []
    # GB terms in any case and joined to other words ("CMGs", "ex-CMG", "cmg"): what the
    # substitution leaves alone but NI readers should not see.
    loose = term_pattern(
        (t.gb for t in library.terminology.ni_terms), joined_before=r"[^\W_]", after="", any_case=lambda term: True
    )
    assert loose is not None
    problems: list[Problem] = []
    for page in library.pages:
        for field in page_texts(page):
            if field.in_ni and _may_leak(field.text, substitute, loose):
                problems.extend(_leaks(page, field, substitute, loose))
        problems.extend(_legislation_links(page, substitute))
    return problems


def _may_leak(text: str, substitute: Substituter, loose: re.Pattern[str]) -> bool:
    """A quick test on the whole text, before parsing its marks: is any GB term, in any form,
    not one the substitution replaces? (Marks only split text at characters that are not
    word characters, so a term replaced in the whole text is replaced in its part too.)"""
    suspects = [m.start() for m in loose.finditer(text)]
    if not suspects:
        return False
    replaced = [(m.start(), m.end()) for m in substitute.pattern.finditer(text)]  # type: ignore[union-attr]
    return any(not any(start <= at < end for start, end in replaced) for at in suspects)


def _leaks(page: Page, field: PageText, substitute: Substituter, loose: re.Pattern[str]) -> Iterator[Problem]:
    for part in plain_parts(for_edition(parse(field.text), "ni")):
        replaced = [(m.start(), m.end()) for m in substitute.matches(part.text)]
        for match in outside_addresses(loose.finditer(part.text), part.text):
            if any(start <= match.start() < end for start, end in replaced):
                continue
            start = match.start()
            while start and _JOINED.fullmatch(part.text[start - 1]):
                start -= 1
            word = part.text[start : _JOINED.match(part.text, match.end()).end()]  # type: ignore[union-attr]  # [\w&-]* matches anywhere
            term = next(t for t in substitute.rows.values() if t.gb.lower() == match.group().lower())
            yield _at(page, field, part.start + start).problem(
                f"'{word}' would reach Northern Ireland readers unchanged: only '{term.gb}' as a whole word, "
                f"written as in terminology.yml, becomes '{term.ni}'. Reword it, add a row to terminology.yml, "
                f"or write {{literal: {word}}} if NI readers should see it"
            )


def _legislation_links(page: Page, substitute: Substituter) -> Iterator[Problem]:
    for i, reference in enumerate(page.legislation):
        if reference.edition is not None or not reference.url:
            continue
        ni_title = edition_text(reference.title, "ni", substitute)
        if ni_title != edition_text(reference.title, "gb", None):
            yield page.location("legislation", i, "title").problem(
                f"the NI edition shows this as '{ni_title}' but the link still opens {reference.url}: "
                "mark this entry 'edition: gb' and add an 'edition: ni' entry with the Northern Ireland law's address"
            )


# --- the table itself -----------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def _runs_into(ni: str, gb: str) -> bool:
    """Whether NI text could, with the words around it, read as `gb`: the end of `ni` is the
    start of `gb`, its start is the end of `gb`, or it lies inside `gb`."""
    n, g = _tokens(ni), _tokens(gb)
    for k in range(1, min(len(n), len(g) - 1) + 1):
        if n[-k:] == g[:k] or n[:k] == g[-k:]:
            return True
    return any(g[i : i + len(n)] == n for i in range(1, len(g) - len(n)))


def _substituted_in_place(term: Term, substitute: Substituter) -> str:
    """The NI form substituted again where it lands in text ("…" marks a word it is glued
    to). A GB term that starts or ends with punctuation, like "(CMG)", matches even when
    glued to a word, so its NI form may land glued to one too, where a row protecting a
    phrase inside that form no longer matches."""
    glued_before = "" if is_word_char(term.gb[0]) else "x"
    glued_after = "" if is_word_char(term.gb[-1]) else "x"
    for before, after in (("", ""), (glued_before, ""), ("", glued_after)):
        again = substitute(before + term.ni + after, "mid-sentence ")  # so a capital letter is not a change
        if again != before + term.ni + after:
            return ("…" if before else "") + again[len(before) : len(again) - len(after)] + ("…" if after else "")
    return term.ni


def table_problems(library: Library, options: CheckOptions | None = None) -> list[Problem]:
    return check_table(library.terminology)


_MARKUP = re.compile(r"\*\*|`|<|>|\]\(|\{[a-z_]+:")


def _is_markup(text: str) -> bool:
    """Whether text substituted into a page could become something other than plain words."""
    return bool(_MARKUP.search(text)) or any(not isinstance(segment, Plain) for segment in parse(text))


def check_table(terminology: Terminology) -> list[Problem]:
    """Rows of terminology.yml that would make the NI edition depend on the order of
    replacement (so substituting twice would change it again), or introduce a legacy term."""
    terms = terminology.ni_terms
    substitute = Substituter(terms)
    legacy = LegacyFinder(terminology.legacy_terms)
    problems = []
    seen: set[str] = set()
    for term in terms:
        where = term.location or Location("terminology.yml", 1, 1)
        if term_key(term.gb) in seen:
            problems.append(where.problem(f"'{term.gb}' is listed twice under northern_ireland"))
            continue
        if _is_markup(term.ni):
            problems.append(
                where.problem(
                    f"the NI form '{term.ni}' would be read as markup (a link, code, bold or an edition mark) where it "
                    "lands: terms are plain text, so write the words only"
                )
            )
            continue
        seen.add(term_key(term.gb))
        again = _substituted_in_place(term, substitute)
        if again != term.ni:
            problems.append(
                where.problem(
                    f"the NI form '{term.ni}' holds a GB term and would become '{again}': write extra words in page text, or use {{ni: …}}"
                )
            )
            continue
        # A row that keeps its term as written ("protects" a phrase) cannot change anything.
        clash = term.ni != term.gb and next((other.gb for other in terms if _runs_into(term.ni, other.gb)), None)
        if clash:
            problems.append(
                where.problem(
                    f"the NI form '{term.ni}' runs into the GB term '{clash}': with the words around it, it could be replaced again"
                )
            )
        old = next(legacy.find(term.ni), None)
        if old:
            problems.append(where.problem(f"the NI form '{term.ni}' uses the legacy term '{old[0].group()}'"))
    return problems
