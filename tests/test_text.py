"""The inline language (content/text.py): the {as_of: …} mark, and marks inside edition text."""

from __future__ import annotations

from datetime import date

from kb_tools.content.text import AsOf, EditionOnly, Literal, Plain, as_of_marks, for_edition, parse, plain_text
from kb_tools.editions.terminology import Substituter, edition_text
from kb_tools.model import Term
from kb_tools.site.render import inline


def test_as_of_is_parsed_with_its_date_and_position():
    segments = parse("Fee removed {as_of: 2024-02-26}.")
    assert segments == (Plain("Fee removed ", 0), AsOf("2024-02-26", 12), Plain(".", 31))
    assert segments[1].when == date(2024, 2, 26)


def test_as_of_is_shown_to_readers_as_a_long_date_in_both_editions():
    text = "Removed {as_of: 2024-02-26}."
    for edition in ("gb", "ni"):
        assert plain_text(for_edition(parse(text), edition)) == "Removed (as of 26 February 2024)."
        assert inline(parse(edition_text(text, edition, None)), None, {}) == "Removed (as of 26 February 2024)."


def test_as_of_survives_the_ni_substitution_unchanged():
    substitute = Substituter([Term("CMG", "Division")])
    assert edition_text("The CMG {as_of: 2024-02-26} says", "ni", substitute) == "The Division {as_of: 2024-02-26} says"


def test_a_date_that_is_not_real_is_kept_as_written_for_the_check_to_report():
    (mark,) = as_of_marks(parse("x {as_of: 2024-02-30}"))
    assert mark.when is None and mark.text == "(as of 2024-02-30)"
    (mark,) = as_of_marks(parse("x {as_of: 26 Feb 2024}"))
    assert mark.when is None


def test_as_of_and_literal_may_stand_inside_edition_text():
    segments = parse("{gb: Removed {as_of: 2024-02-26}.}{ni: The {literal: DWP} one.}")
    gb, ni = segments
    assert isinstance(gb, EditionOnly) and isinstance(ni, EditionOnly)
    assert AsOf("2024-02-26", 13) in gb.content
    assert Literal("DWP", 43) in ni.content
    assert plain_text(for_edition(segments, "gb")) == "Removed (as of 26 February 2024)."
    assert plain_text(for_edition(segments, "ni")) == "The DWP one."
    assert [m.written for m in as_of_marks(segments)] == ["2024-02-26"]


def test_an_edition_mark_inside_another_is_not_a_mark():
    segments = parse("{ni: a {gb: b} c}")
    assert isinstance(segments[0], Plain) and segments[0].text == "{ni: a "
