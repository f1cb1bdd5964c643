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
from typing import Protocol, TypeVar

from kb_tools.cache import Store
from kb_tools.checks import change_notes, personal_data, reviews, terms, unsafe_text
from kb_tools.checks.external_links import external_link_problems
from kb_tools.checks.links import content_link_problems
from kb_tools.checks.options import CheckOptions
from kb_tools.content.validate import CheckResult, check_content
from kb_tools.model import Library, Problem

LibraryCheck = Callable[[Library, CheckOptions], list[Problem]]


@dataclass(frozen=True)
class Rule:
    name: str
    run: LibraryCheck
    description: str
    dated: bool = False  # its problems depend on today's date: kept for one day only


# The rules, run in this order after validation succeeds. Add a rule here, explicitly.
RULES: tuple[Rule, ...] = (
    Rule("links", content_link_problems, "in-text page:, site: and #anchor links resolve in each edition"),
    Rule("external-links", external_link_problems, "http(s) links answer (only with --external)"),
    Rule(
        "personal-data",
        personal_data.personal_data_problems,
        "NI numbers, phones, emails, postcodes, bank details, dates of birth, case references",
    ),
    Rule("unsafe-text", unsafe_text.unsafe_text_problems, "raw HTML, script and data URLs, event handlers"),
    Rule(
        "template-fields",
        unsafe_text.template_field_problems,
        "quotes and character references where templates print text",
    ),
    Rule("bidi-controls", unsafe_text.bidi_control_problems, "bidirectional control characters"),
    Rule("review-dates", reviews.review_date_problems, "pages past their review date (warnings)", dated=True),
    Rule("future-dates", reviews.future_date_problems, "last_reviewed and change notes dated after today", dated=True),
    Rule("change-notes", change_notes.change_note_problems, "changed pages carry a new change note (--changed-since)"),
    Rule("terminology-table", terms.table_problems, "rows that would substitute twice or bring back a legacy term"),
    Rule("legacy-terms", terms.legacy_term_problems, "old terms (non-resident parent) wherever a reader sees them"),
    Rule("ni-terms", terms.ni_term_problems, "GB terms NI readers would see; GB law links in NI"),
)


class HasName(Protocol):
    @property
    def name(self) -> str: ...


Named = TypeVar("Named", bound=HasName)


def select_from(rules: Sequence[Named], names: Iterable[str]) -> tuple[Named, ...]:
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
    for dated in (False, True):
        chosen = [rule for rule in rules if rule.dated == dated]
        names = ",".join(rule.name for rule in chosen)
        undated_options = repr(dataclasses.replace(options, today=None))  # the date counts only for dated rules
        key = (source_key, repr(options), names, today) if dated else (source_key, undated_options, names)
        problems += store.get_or_compute(functools.partial(run_rules, chosen, library, options), *key)
    store.save()
    return problems


def run_rules(rules: Sequence[Rule], library: Library, options: CheckOptions) -> list[Problem]:
    return [problem for rule in rules for problem in rule.run(library, options)]
