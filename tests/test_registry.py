"""The rule registry: what a check run reuses from the last one."""

from __future__ import annotations

from datetime import date

import pytest

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
    assert {rule.name for rule in registry.RULES if rule.dated} == {"review-dates", "future-dates", "as-of-dates"}


def test_every_rule_that_reads_today_is_dated():
    """A rule comparing with today that is not `dated` would keep yesterday's findings."""
    import inspect

    reads_today = {rule.name for rule in registry.RULES if ".today" in inspect.getsource(rule.run)}
    reads_today.discard("change-notes")  # runs only with --changed-since, which is never cached
    assert reads_today <= {rule.name for rule in registry.RULES if rule.dated}


def test_a_per_page_rule_checks_only_new_or_changed_pages(content, tmp_path):
    seen: list[tuple[str, ...]] = []

    def per_page(library, options):
        seen.append(tuple(sorted(p.id for p in library.pages)))
        return [Problem(p.source_path, 1, 1, f"found on {p.id}") for p in library.pages]

    rules = (registry.Rule("pages", per_page, "x", per_page=True),)
    cache = tmp_path / "cache"
    first = registry.check_all(content.root, CheckOptions(), cache, rules)
    assert seen == [(), ("first", "other")]  # the settings alone, then every page in one run
    content.page("first", related=("other",), text="Changed.")
    again = registry.check_all(content.root, CheckOptions(), cache, rules)
    assert seen[2:] == [("first",)]  # the settings and the other page: reused
    assert again.problems == first.problems


def test_personal_data_in_a_changed_page_is_found_and_kept_while_other_pages_change(content, tmp_path):
    cache = tmp_path / "cache"
    rules = registry.select(["personal-data"])
    assert registry.check_all(content.root, CheckOptions(), cache, rules).ok
    content.page("first", related=("other",), text="Call 020 7946 0000 today.")
    found = [str(p) for p in registry.check_all(content.root, CheckOptions(), cache, rules).errors]
    assert len(found) == 1 and "first.yml:" in found[0]
    content.page("other", related=("first",), text="Other text changed.")  # first.yml reused from the cache
    assert [str(p) for p in registry.check_all(content.root, CheckOptions(), cache, rules).errors] == found


def test_personal_data_added_to_the_glossary_alone_is_found_with_the_checks_cached(content, tmp_path):
    """The per-page rules also scan glossary.yml: an edit of that file alone must be scanned
    again, not answered from the run before it (the settings' key must cover the glossary)."""
    cache = tmp_path / "cache"
    rules = registry.select(["personal-data"])
    glossary = "terms:\n  - term: tolerance\n    definition: {}\n"
    content.write("glossary.yml", glossary.format("How much an income must change."))
    assert registry.check_all(content.root, CheckOptions(), cache, rules).ok
    content.write("glossary.yml", glossary.format("Call 020 7946 0000 to ask."))
    found = [str(p) for p in registry.check_all(content.root, CheckOptions(), cache, rules).errors]
    assert len(found) == 1 and "glossary.yml:3:" in found[0], found


@pytest.mark.slow
def test_random_edits_check_with_the_cache_as_from_nothing(tmp_path):
    """Fixed seed: each edit (every kind twice, the glossary and the words to avoid among
    them) is checked reusing the runs before it, and must report exactly what a check with
    no cache reports."""
    import random

    from kb_tools.dev import synth

    from conftest import EDIT_KINDS, random_edit

    corpus = synth.generate(tmp_path / "content", 12, 11)
    cache = tmp_path / "cache"
    options = CheckOptions(today=date(2026, 12, 4))
    rng = random.Random(4)
    edits = rng.sample(EDIT_KINDS * 2, len(EDIT_KINDS) * 2)
    messages: set[str] = set()
    for step in range(len(edits) + 1):
        if step:
            random_edit(rng, corpus, step, edits[step - 1])
        reused = registry.check_all(corpus.root, options, cache)
        fresh = registry.check_all(corpus.root, options)
        assert reused.problems == fresh.problems, (step, edits[:step])
        messages |= {p.message for p in fresh.problems}
    assert any("plainer word" in m for m in messages)  # the words-to-avoid edits were seen
