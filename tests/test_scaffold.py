"""`kb new`: a page file to fill in, never overwriting, never with a bad id, a guessed title
or a default owner, and never publishable with the template's placeholder text in it."""

import re
from datetime import date

import pytest

from kb_tools.checks.registry import CheckOptions, check_all
from kb_tools.cli import main
from kb_tools.content.scaffold import ScaffoldError, new_page
from kb_tools.content.validate import check_content

TODAY = CheckOptions(today=date(2026, 5, 1))


def create(content, page_id="mp-hotlines", title="MP hotlines", owner="Government relations unit"):
    return new_page(content.root, page_id, "guidance", title=title, owner=owner, today=date(2026, 5, 1))


def test_the_title_and_owner_are_kept_exactly_as_given(content):
    created = create(content)
    assert created == content.root / "pages/guidance/mp-hotlines.yml"
    page = check_content(content.root).library.page("mp-hotlines")
    assert (page.title, page.section, page.owner, page.related) == (
        "MP hotlines",
        "guidance",
        "Government relations unit",
        ("first",),
    )
    assert [(c.date, c.note) for c in page.changes] == [(date(2026, 5, 1), "First published.")]


def test_every_placeholder_is_an_error_at_its_line_and_column_until_replaced(content):
    created = create(content)
    result = check_all(content.root, TODAY)
    assert not result.ok
    text = created.read_text()
    expected = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue  # comments are not page text
        for match in re.finditer("TODO:", line):
            expected.append((str(created), number, match.start() + 1))
    found = [(p.path, p.line, p.column) for p in result.problems if "placeholder text" in p.message]
    assert found == expected and len(found) >= 5, [str(p) for p in result.problems]
    assert all(p.severity == "error" for p in result.problems if "placeholder text" in p.message)

    created.write_text(
        text.replace(
            '"TODO: one sentence of 25 words or fewer: what this procedure is for and when a caseworker needs it."',
            "How to use the MP hotlines.",
        )
        .replace('"TODO: where the content comes from (a seed document or a public source)."', "Seed 000.")
        .replace('"TODO: the first thing the caseworker does."', "Answer the call.")
        .replace('"TODO: the next step."', "Note the query.")
        .replace('"TODO: a heading for the background, after the steps"', "Why it matters")
        .replace("TODO: why the steps matter, and the law or policy behind them, in plain English.", "MPs call us.")
    )
    result = check_all(content.root, TODAY)
    assert result.ok and result.problems == (), [str(p) for p in result.problems]


def test_the_owner_is_never_taken_from_another_page(content):
    create(content, owner="Complaints team")
    assert "owner: Complaints team" in (content.root / "pages/guidance/mp-hotlines.yml").read_text()


@pytest.mark.parametrize("title", ["", "   ", "TODO: a title"])
def test_a_title_must_be_written(content, title):
    with pytest.raises(ScaffoldError, match="write the page's title"):
        create(content, title=title)
    assert not (content.root / "pages/guidance/mp-hotlines.yml").exists()


@pytest.mark.parametrize("owner", ["", "  "])
def test_an_owner_must_be_named(content, owner):
    with pytest.raises(ScaffoldError, match="name the team that owns the procedure"):
        create(content, owner=owner)


def test_a_title_that_needs_quoting_reads_back_exactly(content):
    create(content, title="Q&A: checks #2 — 'random'")
    assert check_content(content.root).library.page("mp-hotlines").title == "Q&A: checks #2 — 'random'"


@pytest.mark.parametrize(
    "bad_id", ["../evil", "a/b", "a.b", "first.v2", "Upper", "two--hyphens", "-start", "", "x" * 81]
)
def test_an_id_kb_check_would_refuse_is_refused(content, bad_id):
    with pytest.raises(ScaffoldError, match="is not a valid page id"):
        create(content, page_id=bad_id)
    assert sorted(p.name for p in (content.root / "pages").rglob("*.yml")) == ["first.yml", "other.yml"]


def test_an_existing_page_is_never_overwritten(content):
    before = (content.root / "pages/first.yml").read_text()
    with pytest.raises(ScaffoldError, match="a page with the id 'first' already exists"):
        create(content, page_id="first")
    assert (content.root / "pages/first.yml").read_text() == before


def test_the_section_must_exist(content):
    with pytest.raises(ScaffoldError, match="there is no section 'nowhere' in site.yml; sections: guidance"):
        new_page(content.root, "new-page", "nowhere", title="New page", owner="Team")


def test_cli_creates_the_page_or_explains_with_exit_2(content, capsys, monkeypatch):
    args = ["new", "new-page", "--section", "guidance", "--content", str(content.root)]
    assert main([*args, "--title", "New page", "--owner", "Test team"]) == 0
    assert "Created" in capsys.readouterr().err
    assert main(["check", "--content", str(content.root)]) == 1  # placeholders left
    assert "placeholder text from the page template" in capsys.readouterr().out
    assert main([*args, "--title", "New page", "--owner", "Test team"]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "other-page", "--section", "guidance", "--title", "Other"])  # no --owner
    assert exit_info.value.code == 2


def test_cli_without_a_title_asks_at_a_terminal_and_refuses_in_a_script(content, capsys, monkeypatch):
    args = ["new", "asked-page", "--section", "guidance", "--owner", "Test team", "--content", str(content.root)]
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(args) == 2
    assert "write the page's title" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "MP hotlines")
    assert main(args) == 0
    assert "title: MP hotlines" in (content.root / "pages/guidance/asked-page.yml").read_text()
