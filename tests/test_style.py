"""Style rules (checks/style.py): each is a warning at the line and column where the words
were written, and an error with --strict."""

from __future__ import annotations

from datetime import date

import pytest

from kb_tools.checks import style
from kb_tools.checks.registry import CheckOptions, check_all, select
from kb_tools.content.validate import check_content

from conftest import SITE_YML

TODAY = CheckOptions(today=date(2026, 6, 1))


def run(content, rule: str, options: CheckOptions = TODAY) -> list[str]:
    """The named rule's problems, as kb check prints them, for the page 'first'."""
    result = check_all(content.root, options, rules=select([rule]))
    return [str(p) for p in result.problems if p.path.endswith("first.yml")]


def long_words(count: int) -> str:
    return " ".join(["word"] * count)


# --- summary-length ---------------------------------------------------------------------------


def test_a_summary_over_25_words_is_a_warning_at_its_26th_word(content):
    content.page("first", source=_page(summary=long_words(26) + "."))
    problems = run(content, "summary-length")
    # "summary: " is 9 characters: word 26 starts at column 10 + 25 * 5.
    assert problems == [
        f"{content.root}/pages/first.yml:3:{10 + 25 * 5}: warning: the summary has 26 words: GOV.UK asks for 25 or "
        "fewer (this is word 26). Say what the page is for; leave the detail to the page"
    ]


def test_a_summary_of_25_words_passes(content):
    content.page("first", source=_page(summary=long_words(25) + "."))
    assert run(content, "summary-length") == []


def test_a_summary_the_ni_substitution_lengthens_is_counted_in_ni(content):
    # "CMG" (1 word) becomes "Division" (1 word) in the test table; a longer NI term:
    content.write(
        "terminology.yml",
        "northern_ireland:\n  - gb: DWP\n    ni: Department for Communities\n",
    )
    content.page("first", source=_page(summary=long_words(23) + " DWP."))
    problems = run(content, "summary-length")
    assert len(problems) == 1 and "the summary has 26 words in the NI edition" in problems[0], problems


def test_strict_makes_a_style_warning_an_error(content):
    content.page("first", source=_page(summary=long_words(30) + "."))
    result = check_all(
        content.root, CheckOptions(today=date(2026, 6, 1), strict=True), rules=select(["summary-length"])
    )
    assert [p.severity for p in result.problems] == ["error"] and not result.ok


# --- sentence-length --------------------------------------------------------------------------


def test_a_sentence_over_30_words_is_a_warning_where_it_starts(content):
    text = "Short one. Word " + long_words(30) + ". Another short one."
    content.page("first", text=text)
    problems = run(content, "sentence-length")
    # The body text starts at line 9, column 11; the long sentence 11 characters in.
    assert problems == [
        f"{content.root}/pages/first.yml:9:22: warning: this sentence has 31 words: keep sentences to 30 words or "
        "fewer (GOV.UK aims for 25): split it, or make a list"
    ]


def test_sentences_of_30_words_and_list_items_pass(content):
    content.page("first", text="Word " + long_words(29) + ". Word " + long_words(29) + ".")
    assert run(content, "sentence-length") == []


def test_a_paragraph_break_ends_a_sentence(content):
    content.page(
        "first",
        source=_page(body_text="|\n      " + long_words(20) + "\n\n      " + long_words(20) + "\n"),
    )
    assert run(content, "sentence-length") == []


def test_sentence_splitting():
    text = "First sentence here. Second one? Third! “Quoted start.” (Bracketed.) 20 working days."
    found = [text[s:e] for s, e in style.sentences(text)]
    assert found == [
        "First sentence here.",
        "Second one?",
        "Third!",
        "“Quoted start.”",
        "(Bracketed.)",
        "20 working days.",
    ]


# --- reading-ease -------------------------------------------------------------------------------


HARD = (
    "Notwithstanding the aforementioned considerations, organisational accountability necessitates "
    "comprehensive documentation of administrative determinations."
)
EASY = "Read the form. Ask your team leader. Send it back. We will call you."


def with_floor(content, floor: str) -> None:
    content.write(
        "site.yml", SITE_YML.replace("title: Test Procedures\n", f"title: Test Procedures\nreading_ease_min: {floor}\n")
    )


def test_a_page_below_the_floor_is_a_warning_per_edition_naming_the_hardest_lines(content):
    with_floor(content, "60")
    content.page("first", text=HARD)
    problems = run(content, "reading-ease")
    assert len(problems) == 2, problems
    # At the body's first section (line 8), where the page's prose starts.
    assert all(p.startswith(f"{content.root}/pages/first.yml:8:3: warning: reading ease ") for p in problems)
    assert "in the GB edition is below 60 (reading_ease_min in site.yml)" in problems[0] + problems[1]
    assert "in the NI edition is below 60" in problems[0] + problems[1]
    assert "the hardest sentences start at lines 3, 9" in problems[0], problems[0]


def test_an_easy_page_passes_and_no_floor_means_no_check(content):
    with_floor(content, "60")
    content.page("first", text=EASY)
    assert run(content, "reading-ease") == []
    content.write("site.yml", SITE_YML)
    content.page("first", text=HARD)
    assert run(content, "reading-ease") == []


def test_reading_ease_is_textstat_flesch_on_the_prose(content):
    with_floor(content, "60")
    content.page("first", text=EASY)
    library = check_content(content.root).library
    page = library.page("first")
    import textstat

    assert style.reading_ease(library, page, "gb") == pytest.approx(
        textstat.flesch_reading_ease(f"A short summary of page first. {EASY}")
    )


def test_a_literal_counts_as_one_short_word(content):
    with_floor(content, "60")
    long_name = "{literal: Child Support Maintenance Calculation Regulations (Northern Ireland) 2012}"
    content.page("first", text=f"'Read {long_name} first.'")
    library = check_content(content.root).library
    written = style.reading_ease(library, library.page("first"), "gb")
    content.page("first", text="Read it first.")
    assert written == style.reading_ease(check_content(content.root).library, library.page("first"), "gb")


def test_site_yml_refuses_a_floor_that_is_not_a_number(content):
    with_floor(content, "high")
    problems = [str(p) for p in check_content(content.root).problems]
    assert any("'reading_ease_min'" in p and "site.yml:2:19" in p for p in problems), problems


# --- words-to-avoid -----------------------------------------------------------------------------

WORDS = """\
phrases:
  - avoid: deliver
    forms: [delivered]
    unless: it is post
    use: write 'make' or 'run'
  - avoid: in order to
    use: write 'to'
"""


def test_a_word_to_avoid_is_a_warning_with_the_alternative(content):
    content.write("style/words-to-avoid.yml", WORDS)
    content.page("first", text="We delivered it In Order To help.")
    problems = run(content, "words-to-avoid")
    assert problems == [
        f"{content.root}/pages/first.yml:9:14: warning: 'delivered' is on GOV.UK's words to avoid (fine when it is "
        "post): write 'make' or 'run' (content/style/words-to-avoid.yml)",
        f"{content.root}/pages/first.yml:9:27: warning: 'In Order To' is on GOV.UK's words to avoid: write 'to' "
        "(content/style/words-to-avoid.yml)",
    ]


def test_words_inside_other_words_literals_and_without_the_list_pass(content):
    content.write("style/words-to-avoid.yml", WORDS)
    content.page("first", text="'Delivery teams, undelivered post and {literal: deliver} are fine.'")
    assert run(content, "words-to-avoid") == []
    (content.root / "style/words-to-avoid.yml").unlink()
    content.page("first", text="We deliver it.")
    assert run(content, "words-to-avoid") == []


def test_the_list_file_is_validated_where_it_is_wrong(content):
    content.write("style/words-to-avoid.yml", "phrases:\n  - avoid: key\n")
    problems = [str(p) for p in check_content(content.root).problems]
    assert any("words-to-avoid.yml:2:5: missing required key 'use'" in p for p in problems), problems


def test_the_real_list_is_data_with_an_alternative_for_every_phrase():
    from conftest import REAL_CONTENT

    library = check_content(REAL_CONTENT).library
    assert len(library.words_to_avoid) >= 30
    assert all(phrase.use for phrase in library.words_to_avoid)
    assert {"deliver", "utilise", "going forward"} <= {phrase.phrase for phrase in library.words_to_avoid}


# --- edition-only-summary -----------------------------------------------------------------------


def test_a_summary_promising_gb_only_text_is_a_warning_at_the_word(content):
    content.page(
        "first",
        source=_page(summary="How to destroy paper, and the retention periods for recordings.")
        + "  - heading: How long we keep records\n    edition: gb\n    text: The retention periods for recordings are short.\n",
    )
    problems = run(content, "edition-only-summary")
    assert [p.split(": warning: ")[0].rsplit(":", 2)[1:] for p in problems] == [["3", "40"], ["3", "50"], ["3", "62"]]
    assert "mentions 'retention', which only GB-only text on this page covers: NI readers" in problems[0]


def test_a_summary_about_text_both_editions_show_passes(content):
    content.page(
        "first",
        source=_page(summary="How to destroy paper.", body_text="Destroy the paper.")
        + "  - heading: Records\n    edition: gb\n    text: The retention periods for paper are short.\n",
    )
    assert run(content, "edition-only-summary") == []


# --- ni-named-things ------------------------------------------------------------------------------


def test_a_substituted_name_of_a_policy_is_a_warning_in_ni(content):
    content.page("first", text="Use the CMG duty of confidentiality policy.")
    problems = run(content, "ni-named-things")
    assert problems == [
        f"{content.root}/pages/first.yml:9:19: warning: in Northern Ireland this reads 'Division duty of "
        "confidentiality policy', a name no row of terminology.yml gives: the table renames 'CMG', not what it owns. "
        "Say which NI thing the sources name with {ni: …}, or keep the GB name with {literal: …} and say it is the GB one"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The CMG must follow the policy.",  # "must" ends the name
        "The CMG holds a policy.",
        "'{gb: Use the CMG duty of confidentiality policy.}'",  # GB only
        "'Use the {literal: CMG} duty of confidentiality policy.'",
        "The CMG and the team agree.",
    ],
)
def test_names_that_end_before_a_naming_noun_or_are_not_shown_in_ni_pass(content, text):
    content.page("first", text=text)
    assert run(content, "ni-named-things") == []


def test_the_real_content_is_clean_of_every_style_rule():
    from conftest import REAL_CONTENT

    names = [
        "summary-length",
        "sentence-length",
        "reading-ease",
        "words-to-avoid",
        "edition-only-summary",
        "ni-named-things",
    ]
    result = check_all(REAL_CONTENT, CheckOptions(strict=True), rules=select(names))
    assert result.problems == (), [str(p) for p in result.problems]


def _page(summary: str = "A short summary.", body_text: str = "Some plain text.") -> str:
    return (
        "id: first\n"
        "title: Page first\n"
        f"summary: {summary}\n"
        "section: guidance\n"
        "owner: Test team\n"
        "last_reviewed: 2026-01-01\n"
        "related:\n"
        "  - other\n"
        "body:\n"
        "  - heading: What to do\n"
        f"    text: {body_text}\n"
    )
