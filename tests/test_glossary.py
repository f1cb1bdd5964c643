"""The glossary: content/glossary.yml loaded and validated (path:line:column), the Glossary page
in each edition, each term's first use on a page marked, and `kb check`'s unused-term warning."""

from __future__ import annotations

import pytest

from kb_tools.checks.registry import CheckOptions, check_all
from kb_tools.content.validate import check_content
from kb_tools.layout import GLOSSARY_PAGE
from kb_tools.site.render import render_edition

GLOSSARY = """\
terms:
  - term: tolerance
    definition: How much an income may change before the calculation changes.
    aliases: [tolerances]
  - term: FOI focal point
    definition: Where FOI requests go; the Child Maintenance Group (CMG) answers them.
  - term: Assembly Question
    definition: A question an MLA asks in the Assembly.
    edition: ni
"""


def rendered(tree, edition: str = "gb") -> dict[str, str]:
    result = check_content(tree.root)
    assert result.ok, [str(p) for p in result.problems]
    return {f.path: f.text for f in render_edition(result.library, result.library.site.edition(edition)).files}


def test_first_use_of_a_term_links_to_its_entry_with_its_definition(content):
    content.write("glossary.yml", GLOSSARY)
    content.page(
        "first",
        text="'Income within tolerance stays. **Tolerance** in bold is left alone. Tolerances again, and tolerance.'",
    )
    page = rendered(content)["guidance/first/index.md"]
    assert page.count('class="kb-term__button"') == 1  # the first use only
    assert "Income within [tolerance](../../glossary.md#tolerance){: .kb-term }<button" in page
    assert 'aria-controls="kb-definition-1"' in page
    assert 'id="kb-definition-1" hidden> (How much an income may change before the calculation changes.)</span>' in page
    assert "**Tolerance** in bold" in page


def test_terms_are_not_marked_in_titles_headings_or_link_labels(content):
    content.write("glossary.yml", GLOSSARY)
    content.page("first", text="'[tolerance rules](page:other) then the FOI focal point.'")
    page = rendered(content)["guidance/first/index.md"]
    assert "[tolerance rules](../other/index.md)" in page
    assert "[FOI focal point](../../glossary.md#foi-focal-point){: .kb-term }" in page
    assert "tolerance" not in page.split("## What to do")[0].split("\n---\n")[1]  # nothing above the body


def test_glossary_page_lists_the_editions_terms_with_ni_words_in_ni(content):
    content.write("glossary.yml", GLOSSARY)
    gb = rendered(content, "gb")[GLOSSARY_PAGE]
    ni = rendered(content, "ni")[GLOSSARY_PAGE]
    assert "## <dfn>FOI focal point</dfn> {#foi-focal-point}" in gb
    assert gb.index("{#foi-focal-point}") < gb.index("{#tolerance}")  # sorted ignoring case
    assert "Assembly Question" not in gb and "## <dfn>Assembly Question</dfn> {#assembly-question}" in ni
    assert "the Child Maintenance Group (CMG) answers them" in gb
    assert "the Division answers them" in ni and "CMG" not in ni


def test_definition_shown_on_an_ni_page_is_in_ni_words(content):
    content.write("glossary.yml", GLOSSARY)
    content.page("first", text="'Send it to the FOI focal point.'")
    gb = rendered(content, "gb")["guidance/first/index.md"]
    ni = rendered(content, "ni")["guidance/first/index.md"]
    assert "the Child Maintenance Group (CMG) answers them.)</span>" in gb
    assert "the Division answers them.)</span>" in ni and "CMG" not in ni


def test_glossary_page_marks_each_term_as_the_one_it_defines(content):
    content.write("glossary.yml", GLOSSARY)
    page = rendered(content, "gb")[GLOSSARY_PAGE]
    assert "## <dfn>FOI focal point</dfn> {#foi-focal-point}" in page


def test_glossary_is_in_the_navigation_and_optional(content):
    files = rendered(content)
    assert "No terms yet." in files[GLOSSARY_PAGE]
    result = check_content(content.root)
    nav = render_edition(result.library, result.library.site.edition("gb")).nav
    assert {"Glossary": GLOSSARY_PAGE} in nav


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("terms:\n  - term: x1\n    definition: 7\n", "glossary.yml:3:17: 'terms/0/definition' is too short"),
        ("terms:\n  - term: tolerance\n", "glossary.yml:2:5: missing required key 'definition'"),
        (
            "terms:\n  - term: tolerance\n    definition: Long enough text.\n    edition: wales\n",
            "glossary.yml:4:14: 'terms/0/edition' must be one of: gb, ni",
        ),
        (
            "terms:\n  - term: tolerance\n    definition: Long enough text.\n  - term: Tolerance\n    definition: Another text here.\n",
            "glossary.yml:4:11: 'Tolerance' is already in the glossary as 'tolerance'",
        ),
    ],
)
def test_bad_glossary_says_where(content, text, message):
    content.write("glossary.yml", text)
    problems = [str(p) for p in check_content(content.root).problems]
    assert any(message in p for p in problems), problems
    assert not check_content(content.root).ok


def test_kb_check_warns_about_a_term_no_page_uses(content):
    content.write("glossary.yml", GLOSSARY)
    content.page("first", text="Income within tolerance.")
    problems = [p for p in check_all(content.root, CheckOptions()).problems if "glossary" in p.message]
    assert [(p.line, p.severity, p.message.split(":")[0]) for p in problems] == [
        (5, "warning", "glossary term 'FOI focal point' is not used on any page"),
        (7, "warning", "glossary term 'Assembly Question' is not used on any page"),
    ]


def test_personal_data_in_the_glossary_is_found(content):
    content.write("glossary.yml", "terms:\n  - term: helpline\n    definition: Call 020 7946 0000 for help.\n")
    problems = [str(p) for p in check_all(content.root, CheckOptions()).problems]
    assert any("glossary.yml:3:" in p and "phone" in p for p in problems), problems
