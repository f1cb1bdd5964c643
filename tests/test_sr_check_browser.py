"""The "Check before you raise an SR" page in Debian's chromium: against `kb serve` (the
search API), from a server without the API, and opened from files (the site's own search)."""

from __future__ import annotations

import re

import pytest

from conftest import TEST_OUTPUT

pytestmark = pytest.mark.browser

SR_PAGE = "check-before-you-raise-an-sr.html"
CREATE_REQUEST = "assurance-and-guidance/advice-and-guidance-create-request/index.html"


def ask(page, question: str) -> None:
    """Type the question as a caseworker would and press Enter."""
    box = page.get_by_role("searchbox", name="Your question")
    box.click()
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def test_served_page_lists_procedures_from_the_search_api(page, kb_server):
    page.goto(f"{kb_server}/gb/{SR_PAGE}")
    with page.expect_response(re.compile(r"/api/search\?")) as answer:
        ask(page, "A&G servce request")
    assert answer.value.status == 200
    status = page.locator("#kb-sr-status")
    results = page.get_by_role("list", name="Procedures that may answer your question")
    results.get_by_role("listitem").first.wait_for()
    assert "Showing results for “A&G service request” (you typed “A&G servce request”)" in status.inner_text()
    first = results.get_by_role("listitem").first
    assert first.get_by_role("link").inner_text() == "Advice and Guidance: create a request"
    assert first.locator("mark").count() >= 2  # matched words marked in the snippet
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "sr-check-served-gb.png"), full_page=True)
    first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/gb/assurance-and-guidance/advice-and-guidance-create-request/"))
    assert page.locator("h1").first.inner_text().startswith("Advice and Guidance")
    assert page.request_log.external() == []


def test_served_page_searches_its_own_edition(page, kb_server):
    page.goto(f"{kb_server}/ni/{SR_PAGE}")
    ask(page, "Division freedom of information")
    link = page.locator("#kb-sr-results a").first
    link.wait_for()
    assert "/ni/" in link.get_attribute("href")
    assert page.request_log.external() == []


def test_no_answer_shows_how_to_raise_an_sr(page, kb_server):
    page.goto(f"{kb_server}/gb/{SR_PAGE}")
    ask(page, "zzxqv wwvvq")
    status = page.locator("#kb-sr-status")
    status.get_by_role("link", name="How to raise an SR").wait_for()
    assert "No procedure matched" in status.inner_text()
    status.get_by_role("link", name="How to raise an SR").click()
    steps = page.locator("#raise-an-sr + ol")
    assert "Ask your team leader." in steps.inner_text()
    steps.get_by_role("link", name="how to raise an SR").click()
    page.wait_for_url(f"**/gb/{CREATE_REQUEST}")


def test_without_the_api_the_question_goes_to_the_site_search(page, static_server):
    """A plain web server (no /api/search): the page falls back to the built-in search."""
    page.goto(f"{static_server}/gb/{SR_PAGE}")
    ask(page, "service request")
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=10_000)
    assert page.locator("input.md-search__input").input_value() == "service request"
    assert "site search" in page.locator("#kb-sr-status").inner_text()
    assert page.locator("[data-kb-sr-check]").get_attribute("data-kb-mode") == "site-search"
    assert page.request_log.external() == []


def test_opened_from_files_the_question_goes_to_the_site_search(page, built_site):
    page.goto((built_site.site / "gb" / SR_PAGE).as_uri())
    assert page.locator("[data-kb-sr-check]").get_attribute("data-kb-mode") == "site-search"
    ask(page, "freedom of information")
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=10_000)
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "sr-check-files-gb.png"))
    first.click()
    page.wait_for_url(re.compile(r"^file://.*/gb/"))
    assert page.request_log.external() == []
