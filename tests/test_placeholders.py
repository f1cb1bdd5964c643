"""Template placeholders and owners still to be confirmed (checks/placeholders.py)."""

from __future__ import annotations

from datetime import date

from kb_tools.checks.registry import CheckOptions, check_all, select

TODAY = CheckOptions(today=date(2026, 6, 1))


def test_placeholder_text_is_an_error_where_it_was_written(content):
    content.page("first", text="'TODO: the first step.'")
    result = check_all(content.root, TODAY, rules=select(["placeholders"]))
    assert [str(p) for p in result.problems] == [
        f"{content.root}/pages/first.yml:9:12: placeholder text from the page template ('TODO: the first step.'): "
        "replace it with the real text before the page is published"
    ]
    assert not result.ok


def test_text_without_the_marker_passes(content):
    content.page("first", text="Things to do today.")
    assert check_all(content.root, TODAY, rules=select(["placeholders"])).problems == ()


def test_an_owner_to_be_confirmed_is_a_warning_until_named(content):
    source = (
        (content.root / "pages/first.yml")
        .read_text()
        .replace("owner: Test team", "owner: To be confirmed by the procedures team")
    )
    content.page("first", source=source)
    result = check_all(content.root, TODAY, rules=select(["owner-to-confirm"]))
    assert [str(p) for p in result.problems] == [
        f"{content.root}/pages/first.yml:5:8: warning: the owner is 'To be confirmed by the procedures team': ask the "
        "procedures team which team owns this procedure, then name it"
    ]
    assert result.ok
    strict = check_all(
        content.root, CheckOptions(today=date(2026, 6, 1), strict=True), rules=select(["owner-to-confirm"])
    )
    assert not strict.ok
