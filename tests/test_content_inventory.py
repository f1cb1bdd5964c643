"""The real content: every procedure page we promised exists, is complete and is linked up.

These tests read content/ as it is in the repository, so a page that goes missing, loses
its owner, links to a page that does not exist or picks up a phone number fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kb_tools.checks.registry import check_all
from kb_tools.content.text import Code, EditionOnly, Link, Literal, Plain, Segment, links, parse
from kb_tools.content.validate import check_content
from kb_tools.editions.terminology import page_for_edition
from kb_tools.layout import page_anchors
from kb_tools.model import Library, Page

CONTENT = Path(__file__).parent.parent / "content"

ASSURANCE_OVERVIEW = "assurance-and-guidance-overview"
ASSURANCE_PAGES = {
    "advice-and-guidance-create-request",
    "advice-and-guidance-process-request",
    "business-control-system-checks",
    "qa-perform-assurance",
    "freedom-of-information-requests",
    "mp-enquiries",
    "operational-coaching",
    "parliamentary-questions-ministerial-briefing",
    "media-destruction-overview",
    "terminology-changes",
}
LEARNING_JOURNEY = "caseworker-learning-journey"
LEARNING_MODULES = {
    "telephony",
    "income-changes",
    "debt-negotiation",
    "domestic-abuse",
    "welfare-of-the-child",
    "customer-charter",
}
EXPECTED = {
    "assurance-and-guidance": {ASSURANCE_OVERVIEW} | ASSURANCE_PAGES,
    "learning-journey": {LEARNING_JOURNEY} | LEARNING_MODULES,
}
ALL_IDS = set().union(*EXPECTED.values())

# Nine or more digits in a row, allowing the spaces, hyphens, dots and brackets people put in
# phone numbers ("0800 123 4567", "(028) 9012-3456", "+44 20 7946 0000").
PHONE_LIKE = re.compile(r"\+?\(?\d(?:[\s\-.()]{0,2}\d){8,}")


@pytest.fixture(scope="module")
def library() -> Library:
    result = check_content(CONTENT)
    assert result.library is not None, [str(p) for p in result.problems]
    return result.library


@pytest.fixture(scope="module")
def pages(library: Library) -> dict[str, Page]:
    return {page.id: page for page in library.pages}


def text_fields(page: Page) -> Iterator[tuple[str, str]]:
    """Every piece of text a reader sees on the page, with where it is (for messages)."""
    yield "title", page.title
    yield "summary", page.summary
    for i, section in enumerate(page.body):
        yield f"body/{i}/heading", section.heading
        yield f"body/{i}/text", section.text
        for j, step in enumerate(section.steps):
            yield f"body/{i}/steps/{j}", step
        for j, point in enumerate(section.points):
            yield f"body/{i}/points/{j}", point
        for j, note in enumerate(section.notes):
            yield f"body/{i}/notes/{j}", note.text
    for i, faq in enumerate(page.faq):
        yield f"faq/{i}/question", faq.question
        yield f"faq/{i}/answer", faq.answer
    for i, reference in enumerate(page.legislation):
        yield f"legislation/{i}/title", reference.title
    for i, change in enumerate(page.changes):
        yield f"changes/{i}/note", change.note


def page_links(page: Page) -> list[tuple[str, str, str]]:
    """(where, page id, anchor) for every in-text `page:` link on the page."""
    found = []
    for where, text in text_fields(page):
        for link in links(parse(text)):
            if link.target.startswith("page:"):
                page_id, _, anchor = link.target[len("page:") :].partition("#")
                found.append((where, page_id, anchor))
    return found


def linked_ids(page: Page) -> set[str]:
    return set(page.related) | {page_id for _, page_id, _ in page_links(page)}


def unmarked_text(segments: tuple[Segment, ...]) -> str:
    """Text outside {literal: …} and code: where old terms must not appear."""
    parts = []
    for segment in segments:
        if isinstance(segment, Plain):
            parts.append(segment.text)
        elif isinstance(segment, Link):
            parts.append(unmarked_text(segment.label))
        elif isinstance(segment, EditionOnly):
            parts.append(unmarked_text(segment.content))
        elif isinstance(segment, (Literal, Code)):
            parts.append(" ")
    return "".join(parts)


# --- the inventory -----------------------------------------------------------------------


def test_every_promised_page_is_there_in_its_section(pages):
    missing = ALL_IDS - set(pages)
    assert not missing, f"pages missing: {sorted(missing)}"
    for section, ids in EXPECTED.items():
        wrong = {page_id for page_id in ids if pages[page_id].section != section}
        assert not wrong, f"not in section {section}: {sorted(wrong)}"


def test_check_passes_with_no_errors():
    result = check_content(CONTENT)
    assert result.ok and not result.errors, [str(p) for p in result.problems]
    # and every check registered by the other stages (links, terms, safety) as well
    full = check_all(CONTENT)
    assert full.ok and not full.errors, [str(p) for p in full.problems]


def test_every_page_has_an_owner_a_review_date_a_source_and_related_pages(pages):
    for page in pages.values():
        assert page.owner.strip(), f"{page.id}: no owner"
        assert page.last_reviewed != date.min, f"{page.id}: no last_reviewed"
        assert page.related, f"{page.id}: no related pages"
        assert page.source.strip(), f"{page.id}: no source"
        assert page.changes, f"{page.id}: no change note"
        assert page.tags and page.keywords and page.audience, f"{page.id}: tags, keywords or audience missing"


def test_every_related_id_resolves(pages):
    for page in pages.values():
        for related in page.related:
            assert related in pages, f"{page.id}: related page '{related}' does not exist"
            assert related != page.id, f"{page.id} is related to itself"


def test_every_in_text_page_link_target_exists(pages):
    checked = 0
    for page in pages.values():
        for where, page_id, anchor in page_links(page):
            checked += 1
            assert page_id in pages, f"{page.id} {where}: link to missing page '{page_id}'"
            if anchor:
                assert anchor in page_anchors(pages[page_id]), f"{page.id} {where}: no heading '#{anchor}' on {page_id}"
    assert checked, "no in-text page links found at all"


def test_overview_links_every_assurance_and_guidance_page(pages):
    overview = pages[ASSURANCE_OVERVIEW]
    section_pages = {p.id for p in pages.values() if p.section == "assurance-and-guidance"} - {overview.id}
    assert section_pages >= ASSURANCE_PAGES
    missing = section_pages - linked_ids(overview)
    assert not missing, f"the overview does not link: {sorted(missing)}"


def test_learning_journey_links_every_module_in_its_text(pages):
    journey = pages[LEARNING_JOURNEY]
    in_text = {page_id for _, page_id, _ in page_links(journey)}
    modules = {p.id for p in pages.values() if p.section == "learning-journey"} - {journey.id}
    assert modules >= LEARNING_MODULES
    missing = modules - in_text
    assert not missing, f"the learning journey page does not link: {sorted(missing)}"


def test_overview_pages_come_first_in_their_sections(pages):
    for overview in (ASSURANCE_OVERVIEW, LEARNING_JOURNEY):
        page = pages[overview]
        others = [p for p in pages.values() if p.section == page.section and p.id != page.id]
        assert all(page.order < other.order for other in others), f"{overview} is not first in {page.section}"


# --- what the words must not contain -----------------------------------------------------


def test_phone_pattern_finds_phone_numbers_and_spares_dates():
    for number in ("0800 123 4567", "(028) 9012-3456", "+44 20 7946 0000", "08001234567"):
        assert PHONE_LIKE.search(number), number
    for harmless in ("14 December 2023", "SI 2012/2677", "section 10(1)", "26 February 2024", "25%"):
        assert not PHONE_LIKE.search(harmless), harmless


def test_no_phone_numbers_or_email_addresses_in_any_page(pages):
    for page in pages.values():
        fields = [
            *text_fields(page),
            ("source", page.source),
            *((f"keywords/{i}", k) for i, k in enumerate(page.keywords)),
        ]
        for where, text in fields:
            assert "@" not in text, f"{page.id} {where}: contains '@'"
            match = PHONE_LIKE.search(text)
            assert match is None, f"{page.id} {where}: looks like a phone number: {match.group(0)!r}"


def test_old_terms_appear_only_inside_literal_marks(library, pages):
    terms = [t.term for t in library.terminology.legacy_terms]
    assert terms, "terminology.yml lists no legacy terms"
    for page in pages.values():
        for where, text in [*text_fields(page), *((f"keywords/{i}", k) for i, k in enumerate(page.keywords))]:
            visible = unmarked_text(parse(text))
            for term in terms:
                assert not re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", visible, re.IGNORECASE), (
                    f"{page.id} {where}: old term '{term}' outside {{literal: …}}"
                )


def test_terminology_page_names_each_change(pages):
    text = " ".join(t for _, t in text_fields(pages["terminology-changes"]))
    for term in (
        "non-resident parent",
        "paying parent",
        "person with care",
        "receiving parent",
        "maintenance assessment",
        "maintenance calculation",
        "Division",
        "Department for Communities",
    ):
        assert term in text, term


def test_northern_ireland_edition_says_division(library, pages):
    gb = page_for_edition(pages["freedom-of-information-requests"], "gb", library.terminology.ni_terms)
    ni = page_for_edition(pages["freedom-of-information-requests"], "ni", library.terminology.ni_terms)
    gb_text = " ".join(t for _, t in text_fields(gb))
    ni_text = " ".join(t for _, t in text_fields(ni))
    assert "Child Maintenance Group" in gb_text
    assert "Child Maintenance Group" not in ni_text and "Division" in ni_text


def test_northern_ireland_edition_keeps_no_great_britain_term(library, pages):
    """Every GB term is substituted in the NI edition, even one a YAML line break splits."""
    terms = [t for t in library.terminology.ni_terms if t.gb not in t.ni]
    assert terms, "terminology.yml lists no Northern Ireland terms"
    for page in pages.values():
        ni = page_for_edition(page, "ni", library.terminology.ni_terms)
        for where, text in text_fields(ni):
            visible = " ".join(unmarked_text(parse(text)).split())
            for term in terms:
                assert not re.search(rf"(?<![\w&-]){re.escape(term.gb)}(?![\w&]|-\w)", visible), (
                    f"{page.id} {where}: '{term.gb}' left in the NI edition (is it split across lines?)"
                )


def test_fee_removal_is_dated_and_shown_only_in_great_britain(library, pages):
    page = pages["domestic-abuse"]
    gb = " ".join(t for _, t in text_fields(page_for_edition(page, "gb", library.terminology.ni_terms)))
    ni = " ".join(t for _, t in text_fields(page_for_edition(page, "ni", library.terminology.ni_terms)))
    assert "26 February 2024" in gb
    assert "26 February 2024" not in ni


def test_foi_page_answers_the_required_question_with_current_law(pages):
    page = pages["freedom-of-information-requests"]
    questions = {faq.question: faq.answer for faq in page.faq}
    answer = questions.get("What kind of information can be requested under the FOI Act?")
    assert answer, "the FOI FAQ is missing"
    assert "Data Protection Act 2018" in answer and "UK GDPR" in answer
    assert "20th working day" in " ".join(t for _, t in text_fields(page))
