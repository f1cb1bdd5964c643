"""Review dates: no page goes unreviewed unnoticed, and no date is in the future.

A page past its review date is a warning (an error with --strict). A `last_reviewed` or a
change note dated after today is an error: it would claim a check that has not happened.
"""

from __future__ import annotations

from datetime import date

from kb_tools.checks.options import CheckOptions
from kb_tools.content.validate import review_due
from kb_tools.model import Library, Problem


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
