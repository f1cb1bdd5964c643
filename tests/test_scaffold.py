"""`kb new`: a page file that passes `kb check`, never overwriting, never with a bad id."""

from datetime import date

import pytest

from kb_tools.checks.registry import CheckOptions, check_all
from kb_tools.cli import main
from kb_tools.content.scaffold import ScaffoldError, new_page


def test_the_new_page_passes_kb_check_with_no_problem(content):
    created = new_page(content.root, "appeals-and-reviews", "guidance", today=date(2026, 5, 1))
    assert created == content.root / "pages/guidance/appeals-and-reviews.yml"
    result = check_all(content.root, CheckOptions(today=date(2026, 5, 1)))
    assert result.ok and result.problems == (), [str(p) for p in result.problems]
    page = result.library.page("appeals-and-reviews")
    assert (page.title, page.section, page.owner, page.related) == (
        "Appeals and reviews",
        "guidance",
        "Test team",
        ("first",),
    )
    assert [(c.date, c.note) for c in page.changes] == [(date(2026, 5, 1), "First published.")]


@pytest.mark.parametrize(
    "bad_id", ["../evil", "a/b", "a.b", "first.v2", "Upper", "two--hyphens", "-start", "", "x" * 81]
)
def test_an_id_kb_check_would_refuse_is_refused(content, bad_id):
    with pytest.raises(ScaffoldError, match="is not a valid page id"):
        new_page(content.root, bad_id, "guidance")
    assert sorted(p.name for p in (content.root / "pages").rglob("*.yml")) == ["first.yml", "other.yml"]


def test_an_existing_page_is_never_overwritten(content):
    before = (content.root / "pages/first.yml").read_text()
    with pytest.raises(ScaffoldError, match="a page with the id 'first' already exists"):
        new_page(content.root, "first", "guidance")
    assert (content.root / "pages/first.yml").read_text() == before


def test_the_section_must_exist(content):
    with pytest.raises(ScaffoldError, match="there is no section 'nowhere' in site.yml; sections: guidance"):
        new_page(content.root, "new-page", "nowhere")


def test_cli_creates_the_page_or_explains_with_exit_2(content, capsys):
    assert main(["new", "new-page", "--section", "guidance", "--content", str(content.root)]) == 0
    assert "Created" in capsys.readouterr().err
    assert main(["check", "--content", str(content.root)]) == 0
    assert main(["new", "new-page", "--section", "guidance", "--content", str(content.root)]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "other-page"])
    assert exit_info.value.code == 2
