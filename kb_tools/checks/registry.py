"""Every check `kb check` runs, in one place.

Validation (validate.py) makes the typed Library; the checks here read that Library and
return more Problems. Each stage owns its checks (terminology: legacy terms; links: link
targets and anchors; safety: personal data and unsafe text) and registers them below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kb_tools.checks import safety
from kb_tools.editions import terminology
from kb_tools.pipeline.fingerprint import content_fingerprint, read_cache, write_cache
from kb_tools.checks.external_links import external_link_problems
from kb_tools.checks.links import content_link_problems
from kb_tools.checks.options import CheckOptions
from kb_tools.model import Library, Problem
from kb_tools.content.validate import CheckResult, check_content



LibraryCheck = Callable[[Library, CheckOptions], list[Problem]]

# The checks, run in order after validation succeeds. Add a stage's check here, explicitly.
LIBRARY_CHECKS: list[LibraryCheck] = [
    content_link_problems,  # links.py: in-text page: and #anchor links, per edition
    external_link_problems,  # external_links.py: http(s) links answer (only with --external)
    safety.personal_data_problems,  # safety.py: NI numbers, phones, emails, postcodes, case references
    safety.unsafe_text_problems,  # safety.py: raw HTML, script and data URLs, event handlers
    safety.review_date_problems,  # safety.py: pages past their review date (warnings)
    safety.change_note_problems,  # safety.py: changed pages carry a new change note (--changed-since)
    terminology.table_problems,  # terminology.py: rows that would substitute twice or bring back a legacy term
    terminology.legacy_term_problems,  # terminology.py: old terms (non-resident parent), at path:line:column
    terminology.ni_term_problems,  # terminology.py: GB terms NI readers would see; GB law links in NI
]


def check_all(content: Path, options: CheckOptions = CheckOptions(), cache: Path | None = None) -> CheckResult:
    """Validate the content, then run every registered check on the validated library."""
    result = check_content(content, cache)
    if result.library is None:
        return result
    problems = [*result.problems, *library_problems(result.library, options, content, cache)]
    if options.strict:
        problems = [Problem(p.path, p.line, p.column, p.message) if p.severity == "warning" else p for p in problems]
    problems = sorted(set(problems))
    library = None if any(p.severity == "error" for p in problems) else result.library
    return CheckResult(library, tuple(problems))


CHECKS_CACHE = "library-checks.pickle"


def library_problems(library: Library, options: CheckOptions, content: Path, cache: Path | None) -> list[Problem]:
    """Every registered check's problems, or the last run's when the content files, this tool,
    the date and the options are the same. Not kept when a check looks beyond the content
    folder (the network with --external, git history with --changed-since)."""
    reusable = cache is not None and not options.external and options.changed_since is None
    cache_file = cache / CHECKS_CACHE if reusable else None
    key = f"{content_fingerprint(content)} {options!r}" if cache_file else ""
    problems = read_cache(cache_file, key)
    if problems is None:
        problems = [p for check in LIBRARY_CHECKS for p in check(library, options)]
        write_cache(cache_file, key, problems)
    return problems
