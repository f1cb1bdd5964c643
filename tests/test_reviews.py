"""Dated facts ({as_of: …}) and marks that are not understood (checks/reviews.py)."""

from __future__ import annotations

from datetime import date

import pytest

from kb_tools.checks.registry import CheckOptions, check_all, select

from conftest import SITE_YML


def run(content, text: str, today: date = date(2026, 6, 1), strict: bool = False) -> list[str]:
    content.page("first", text=text)
    result = check_all(content.root, CheckOptions(today=today, strict=strict), rules=select(["as-of-dates"]))
    return [str(p) for p in result.problems if p.path.endswith("first.yml")]


def test_a_fact_older_than_the_review_interval_is_a_warning_at_its_mark(content):
    # Body text starts at line 9, column 12 (after the quote at column 11).
    problems = run(content, "'Fee removed {as_of: 2025-05-31}.'")
    assert problems == [
        f"{content.root}/pages/first.yml:9:24: warning: this fact was last confirmed on 2025-05-31, 366 days ago "
        "(more than the 365-day review interval): check it against its source, then write the date you confirmed it"
    ]


def test_a_recent_fact_passes_and_the_interval_comes_from_site_yml(content):
    assert run(content, "'Fee removed {as_of: 2025-06-01}.'") == []
    content.write(
        "site.yml", SITE_YML.replace("title: Test Procedures\n", "title: Test Procedures\nreview_interval_days: 30\n")
    )
    assert len(run(content, "'Fee removed {as_of: 2026-05-01}.'")) == 1


def test_strict_makes_an_old_fact_an_error(content):
    content.page("first", text="'Old {as_of: 2020-01-01}.'")
    result = check_all(content.root, CheckOptions(today=date(2026, 6, 1), strict=True), rules=select(["as-of-dates"]))
    assert [p.severity for p in result.problems] == ["error"]


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("'Fee {as_of: 2024-02-30}.'", 16, "{as_of: 2024-02-30} is not a real date: write {as_of: YYYY-MM-DD}"),
        ("'Fee {as_of: 2027-01-01}.'", 16, "{as_of: 2027-01-01} is after today (2026-06-01)"),
        ("'Fee {as_of 2024-02-26}.'", 16, "this is not read as a date mark, so readers would see it as typed"),
        ("'Fee {ni: a {gb: b} c}.'", 16, "this {ni: …} is not read as a mark, so readers would see it as typed"),
        ("'Fee {literal: a'", 16, "this {literal: …} is not read as a mark"),
    ],
)
def test_a_wrong_mark_is_an_error_where_it_was_written(content, text, column, message):
    problems = run(content, text)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{content.root}/pages/first.yml:9:{column}: {message}"), problems[0]


def test_marks_inside_edition_text_are_understood(content):
    assert run(content, "'{gb: Removed {as_of: 2026-02-26}.}{ni: The {literal: DWP} one.}'") == []
