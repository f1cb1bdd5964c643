"""Every rule `kb check` and `kb build` run, registered in one place.

Validation (content/validate.py) makes the typed Library; each rule reads it and returns
Problems. Every rule has the same signature, `(library, options) -> list[Problem]`, lives
in the module of its family (links, external links, safety, terms) and is listed once in
RULES below. Callers choose rules through `select` (tests do), never by patching globals.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from kb_tools.cache import Store
from kb_tools.checks import change_notes, glossary, personal_data, placeholders, reviews, style, terms, unsafe_text
from kb_tools.checks.external_links import external_link_problems
from kb_tools.checks.links import content_link_problems
from kb_tools.checks.options import CheckOptions
from kb_tools.content.validate import CheckResult, check_content
from kb_tools.model import Library, Page, Problem

LibraryCheck = Callable[[Library, CheckOptions], list[Problem]]


Check = TypeVar("Check")


@dataclass(frozen=True)
class NamedRule(Generic[Check]):
    """A rule as it is registered: its name (to select it), what runs, and what it checks."""

    name: str
    run: Check
    description: str
    dated: bool = False  # its problems depend on today's date: kept for one day only
    # Each page's problems depend only on that page, site.yml and terminology.yml: kept page
    # by page, so a one-page change re-runs the rule on that page alone (per_page_problems).
    per_page: bool = False


Rule = NamedRule[LibraryCheck]


# The rules, run in this order after validation succeeds. Add a rule here, explicitly.
RULES: tuple[Rule, ...] = (
    Rule("links", content_link_problems, "in-text page:, site: and #anchor links resolve in each edition"),
    Rule("external-links", external_link_problems, "http(s) links answer (only with --external)"),
    Rule(
        "personal-data",
        personal_data.personal_data_problems,
        "NI numbers, phones, emails, postcodes, bank details, dates of birth, case references",
        per_page=True,
    ),
    Rule(
        "unsafe-text", unsafe_text.unsafe_text_problems, "raw HTML, script and data URLs, event handlers", per_page=True
    ),
    Rule(
        "template-fields",
        unsafe_text.template_field_problems,
        "quotes and character references where templates print text",
        per_page=True,
    ),
    Rule("bidi-controls", unsafe_text.bidi_control_problems, "bidirectional control characters", per_page=True),
    Rule("review-dates", reviews.review_date_problems, "pages past their review date (warnings)", dated=True),
    Rule("future-dates", reviews.future_date_problems, "last_reviewed and change notes dated after today", dated=True),
    Rule("change-notes", change_notes.change_note_problems, "changed pages carry a new change note (--changed-since)"),
    Rule("terminology-table", terms.table_problems, "rows that would substitute twice or bring back a legacy term"),
    Rule(
        "legacy-terms",
        terms.legacy_term_problems,
        "old terms (non-resident parent) wherever a reader sees them",
        per_page=True,
    ),
    Rule("ni-terms", terms.ni_term_problems, "GB terms NI readers would see; GB law links in NI", per_page=True),
    Rule(
        "as-of-dates",
        reviews.as_of_problems,
        "{as_of: …} dates real, not in the future, not past the review interval (warning); marks not understood",
        dated=True,
    ),
    Rule("placeholders", placeholders.placeholder_problems, "text the kb new template left to replace ('TODO: …')"),
    Rule(
        "owner-to-confirm",
        placeholders.owner_problems,
        "owners still to be confirmed by the procedures team (warnings)",
    ),
    # The style rules read each page alone (with site.yml, the terminology and the words to
    # avoid): per page, so a one-page change does not stem and measure every page again.
    Rule("summary-length", style.summary_length_problems, "summaries over 25 words (warnings)", per_page=True),
    Rule("sentence-length", style.sentence_length_problems, "sentences over 30 words (warnings)", per_page=True),
    Rule(
        "reading-ease",
        style.reading_ease_problems,
        "pages below site.yml's reading_ease_min (warnings)",
        per_page=True,
    ),
    Rule(
        "words-to-avoid",
        style.words_to_avoid_problems,
        "GOV.UK's words to avoid, from content/style/ (warnings)",
        per_page=True,
    ),
    Rule(
        "edition-only-summary",
        style.edition_only_summary_problems,
        "summaries promising one edition's text to both (warnings)",
        per_page=True,
    ),
    Rule(
        "ni-named-things",
        style.ni_named_thing_problems,
        "NI substitutions that name a policy or team no source gives (warnings)",
        per_page=True,
    ),
    Rule("glossary-unused", glossary.unused_term_problems, "glossary terms no page uses (warnings)"),
)


def select_from(rules: Sequence[NamedRule[Check]], names: Iterable[str]) -> tuple[NamedRule[Check], ...]:
    """The rules with these names, in registry order (unknown names are an error)."""
    wanted = set(names)
    unknown = wanted - {rule.name for rule in rules}
    if unknown:
        raise ValueError(f"no rule named {', '.join(sorted(unknown))}")
    return tuple(rule for rule in rules if rule.name in wanted)


def select(names: Iterable[str]) -> tuple[Rule, ...]:
    """The content rules with these names."""
    return select_from(RULES, names)


def check_all(
    content: Path, options: CheckOptions = CheckOptions(), cache: Path | None = None, rules: Sequence[Rule] = RULES
) -> CheckResult:
    """Validate the content, then run the rules on the validated library."""
    result = check_content(content, cache)
    if result.library is None:
        return result
    found = library_problems(result.library, options, result.source_key, cache, rules)
    problems = [*result.problems, *found]
    if options.strict:
        problems = [Problem(p.path, p.line, p.column, p.message) if p.severity == "warning" else p for p in problems]
    problems = sorted(set(problems))
    library = None if any(p.severity == "error" for p in problems) else result.library
    return CheckResult(library, tuple(problems), result.source_key)


def library_problems(
    library: Library, options: CheckOptions, source_key: str, cache: Path | None, rules: Sequence[Rule] = RULES
) -> list[Problem]:
    """The rules' problems, or an earlier run's on the same bytes, rules and options (and,
    for the rules that compare dates with today, the same date: the first run after
    midnight redoes only those, not the whole check).

    Keyed by `source_key`, the hash of the bytes the library was validated from, so a file
    saved while this runs cannot file the old text's problems under the new text. Not kept
    when a rule looks beyond the content folder (the network with --external, git history
    with --changed-since).
    """
    reusable = cache is not None and not options.external and options.changed_since is None
    store = Store(cache if reusable else None, "library-checks", "the content checks")
    today = (options.today or date.today()).isoformat()
    problems: list[Problem] = []
    undated_options = repr(dataclasses.replace(options, today=None))  # the date counts only for dated rules
    for dated in (False, True):
        chosen = [rule for rule in rules if rule.dated == dated and not (rule.per_page and not dated)]
        names = ",".join(rule.name for rule in chosen)
        key = (source_key, repr(options), names, today) if dated else (source_key, undated_options, names)
        problems += store.get_or_compute(functools.partial(run_rules, chosen, library, options), *key)
    page_rules = [rule for rule in rules if rule.per_page and not rule.dated]
    if page_rules:
        problems += per_page_problems(page_rules, library, options, store, undated_options)
    store.save()
    return problems


def per_page_problems(
    rules: Sequence[Rule], library: Library, options: CheckOptions, store: Store, options_key: str
) -> list[Problem]:
    """Rules whose findings on a page depend only on that page and the site's settings
    (site.yml, terminology.yml, glossary.yml, the words to avoid, all in the key): the
    settings files are checked once, and each page's problems are kept under the exact text
    it was validated from, so only new or changed pages are checked again (all of them in
    one run of each rule)."""
    names = ",".join(rule.name for rule in rules)
    settings = (
        options_key,
        names,
        repr(library.site),
        repr(library.terminology),
        repr(library.glossary),
        repr(library.words_to_avoid),
    )
    # The rules scan these files too (checks/scan.py sources): their bytes are in the key.
    settings_files = (library.site.source_text, library.terminology.source_text, library.glossary.source_text)
    site_texts = [s.text if s is not None else "" for s in settings_files]
    settings_only = dataclasses.replace(library, pages=())
    problems = list(
        store.get_or_compute(functools.partial(run_rules, rules, settings_only, options), *settings, *site_texts)
    )
    missing: list[Page] = []
    for page in library.pages:
        found = store.get(*settings, page.source_text.path, page.source_text.text) if page.source_text else None
        if found is None:
            missing.append(page)
        else:
            problems += found
    if missing:
        problems += _check_pages(rules, library, options, store, settings, missing)
    return problems


def _check_pages(
    rules: Sequence[Rule], library: Library, options: CheckOptions, store: Store, settings: tuple, pages: list[Page]
) -> list[Problem]:
    """The rules run once on these pages alone (site.yml, terminology.yml and glossary.yml
    not scanned again), their problems filed page by page. A problem that names no file of these pages
    keeps the whole batch out of the cache: it is reported, and found again next time."""
    only_pages = dataclasses.replace(
        library,
        pages=tuple(pages),
        site=dataclasses.replace(library.site, source_text=None),
        terminology=dataclasses.replace(library.terminology, source_text=None),
        glossary=dataclasses.replace(library.glossary, source_text=None),
    )
    found = run_rules(rules, only_pages, options)
    by_path: dict[str, list[Problem]] = {}
    owner: dict[str, str] = {}
    for page in pages:
        for path in {page.source_path, page.source_text.path if page.source_text else page.source_path}:
            owner[path] = page.source_path
    for problem in found:
        if problem.path not in owner:
            return found
        by_path.setdefault(owner[problem.path], []).append(problem)
    for page in pages:
        if page.source_text is not None:
            store.put(by_path.get(page.source_path, []), *settings, page.source_text.path, page.source_text.text)
    return found


def run_rules(rules: Sequence[Rule], library: Library, options: CheckOptions) -> list[Problem]:
    return [problem for rule in rules for problem in rule.run(library, options)]
