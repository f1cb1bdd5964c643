"""Review dates: no page goes unreviewed unnoticed, and no date is in the future.

A page past its review date is a warning (an error with --strict). A `last_reviewed` or a
change note dated after today is an error: it would claim a check that has not happened.
A fact dated with `{as_of: YYYY-MM-DD}` older than the review interval is a warning too.
"""

from __future__ import annotations

import re
from datetime import date

from kb_tools.checks.options import CheckOptions
from kb_tools.content.load import text_location
from kb_tools.content.text import AsOf, as_of_marks, mark_starts, parse
from kb_tools.content.validate import review_due
from kb_tools.model import Library, Location, Problem


def review_date_problems(library: Library, options: CheckOptions) -> list[Problem]:
    """A page past its review date is a warning (an error with --strict)."""
    problems = []
    today = options.today or date.today()
    for page in library.pages:
        due = review_due(page, library.site)
        if due < today:
            where = page.location("review_due") if page.review_due else page.location("last_reviewed")
            days = (today - due).days
            problems.append(
                where.problem(
                    f"review was due on {due.isoformat()} ({days} day{'s' * (days != 1)} ago): check the page is still right, "
                    f"then set last_reviewed to the date you checked it",
                    severity="warning",
                )
            )
    return problems


def future_date_problems(library: Library, options: CheckOptions) -> list[Problem]:
    today = options.today or date.today()
    problems = []
    for page in library.pages:
        if page.last_reviewed > today:
            problems.append(
                page.location("last_reviewed").problem(
                    f"last_reviewed is {page.last_reviewed.isoformat()}, after today ({today.isoformat()}): "
                    "write the date the page was checked"
                )
            )
        for i, change in enumerate(page.changes):
            if change.date > today:
                problems.append(
                    page.location("changes", i, "date").problem(
                        f"this change note is dated {change.date.isoformat()}, after today ({today.isoformat()}): "
                        "date it when the change is made"
                    )
                )
    return problems


# --- facts dated with {as_of: YYYY-MM-DD} ------------------------------------------------------

# A mark as a maintainer may write it, right or wrong ("{ni:", "{ as_of :", "{Literal:").
_MARK_WRITTEN = re.compile(r"\{\s*(?:(as_of)\b|(gb|ni|literal)\s*:)", re.IGNORECASE)


def as_of_problems(library: Library, options: CheckOptions) -> list[Problem]:
    """Every `{as_of: …}` mark: a real date, not after today (errors), and not older than the
    review interval (a warning: the fact may have changed since its source said it). Also any
    `{gb:`, `{ni:`, `{literal:` or `{as_of:` that is not understood as a mark (a mark inside
    another, a missing brace): readers would see it as typed."""
    today = options.today or date.today()
    interval = library.site.review_interval_days
    problems = []
    for page in library.pages:
        for keys, text, _ in page.text_fields():
            if "{" not in text:
                continue
            pointer = "/".join(str(key) for key in keys)
            segments = parse(text)
            parsed = mark_starts(segments)
            for match in _MARK_WRITTEN.finditer(text):
                if match.start() not in parsed:
                    where = text_location(page.source_text, pointer, match.start(), fallback=page.location(*keys))
                    problems.append(where.problem(_unparsed_advice((match.group(1) or match.group(2)).lower())))
            for mark in as_of_marks(segments):
                where = text_location(page.source_text, pointer, mark.start, fallback=page.location(*keys))
                problems.extend(_as_of_problem(mark, where, today, interval))
    return problems


def _unparsed_advice(kind: str) -> str:
    if kind == "as_of":
        return "this is not read as a date mark, so readers would see it as typed: write {as_of: YYYY-MM-DD}, right after the fact"
    return (
        f"this {{{kind}: …}} is not read as a mark, so readers would see it as typed: write it as {{{kind}: text}}, "
        "with no braces inside other than {literal: …} or {as_of: …}, and close it with }"
    )


def _as_of_problem(mark: AsOf, where: Location, today: date, interval: int) -> list[Problem]:
    when = mark.when
    if when is None:
        return [where.problem(f"{{as_of: {mark.written}}} is not a real date: write {{as_of: YYYY-MM-DD}}")]
    if when > today:
        return [
            where.problem(
                f"{{as_of: {mark.written}}} is after today ({today.isoformat()}): date the fact when its source said it"
            )
        ]
    age = (today - when).days
    if age > interval:
        return [
            where.problem(
                f"this fact was last confirmed on {when.isoformat()}, {age} days ago (more than the {interval}-day review "
                "interval): check it against its source, then write the date you confirmed it",
                severity="warning",
            )
        ]
    return []
