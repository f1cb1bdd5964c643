"""The rule registry: what a check run reuses from the last one."""

from __future__ import annotations

from datetime import date

from kb_tools.checks import registry
from kb_tools.checks.options import CheckOptions
from kb_tools.model import Problem


def counting_rules(calls: list[str]) -> tuple[registry.Rule, ...]:
    def undated(library, options):
        calls.append("undated")
        return [Problem("a.yml", 1, 1, "always")]

    def dated(library, options):
        calls.append("dated")
        return [Problem("a.yml", 2, 1, f"on {options.today}", "warning")]

    return (registry.Rule("undated", undated, "x"), registry.Rule("dated", dated, "y", dated=True))


def test_a_new_day_reruns_only_the_rules_that_compare_dates_with_today(content, tmp_path):
    calls: list[str] = []
    rules = counting_rules(calls)
    cache = tmp_path / "cache"
    first = registry.check_all(content.root, CheckOptions(today=date(2026, 6, 1)), cache, rules)
    assert calls == ["undated", "dated"]
    again = registry.check_all(content.root, CheckOptions(today=date(2026, 6, 1)), cache, rules)
    assert calls == ["undated", "dated"] and again.problems == first.problems  # all reused
    next_day = registry.check_all(content.root, CheckOptions(today=date(2026, 6, 2)), cache, rules)
    assert calls == ["undated", "dated", "dated"]
    assert "on 2026-06-02" in str(next_day.problems) and "always" in str(next_day.problems)


def test_other_options_are_still_part_of_the_key(content, tmp_path):
    calls: list[str] = []
    rules = counting_rules(calls)
    cache = tmp_path / "cache"
    registry.check_all(content.root, CheckOptions(today=date(2026, 6, 1)), cache, rules)
    registry.check_all(content.root, CheckOptions(strict=True, today=date(2026, 6, 1)), cache, rules)
    assert calls == ["undated", "dated", "undated", "dated"]


def test_only_the_date_rules_are_dated():
    assert {rule.name for rule in registry.RULES if rule.dated} == {"review-dates", "future-dates"}
