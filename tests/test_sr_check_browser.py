"""The "Check before you raise an SR" page in Debian's chromium: its box is the site's search
component (search.js), answered by `kb serve`'s search API, or, from a server without the API
and opened from files, by the edition's own index in the page (search-engine.js)."""

from __future__ import annotations

import re

import pytest

from conftest import TEST_OUTPUT

pytestmark = pytest.mark.browser

SR_PAGE = "check-before-you-raise-an-sr.html"
CREATE_REQUEST = "assurance-and-guidance/advice-and-guidance-create-request/index.html"
BOX = '[data-kb-search="page"]'


def ask(page, question: str, state: str = "results") -> None:
    """Type the question as a caseworker would, press Enter, and wait for the answer."""
    box = page.get_by_role("searchbox", name="Your question")
    box.click()
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.wait_for_selector(f'{BOX}[data-kb-state="{state}"]')


def results(page):
    return page.get_by_role("list", name="Procedures that may answer your question")


def test_served_page_lists_procedures_from_the_search_api(page, kb_server):
    page.goto(f"{kb_server}/gb/{SR_PAGE}")
    with page.expect_response(re.compile(r"/api/search\?")) as answer:
        ask(page, "A&G servce request")
    assert answer.value.status == 200
    assert page.locator(BOX).get_attribute("data-kb-backend") == "service"
    status = page.locator("#kb-search-page-status")
    assert "Showing results for “A&G service request” (you typed “A&G servce request”)" in status.inner_text()
    first = results(page).get_by_role("listitem").first
    assert first.get_by_role("link").inner_text().startswith("Advice and Guidance: create a request")
    assert first.locator("mark").count() >= 2  # matched words marked in the snippet
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "sr-check-served-gb.png"), full_page=True)
    first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/gb/assurance-and-guidance/advice-and-guidance-create-request/index\.html"))
    assert page.locator("h1").first.inner_text().startswith("Advice and Guidance")
    assert page.request_log.external() == []


def test_served_page_searches_its_own_edition(page, kb_server):
    page.goto(f"{kb_server}/ni/{SR_PAGE}")
    ask(page, "Division freedom of information")
    link = results(page).get_by_role("link").first
    assert link.evaluate("a => a.href").startswith(f"{kb_server}/ni/")
    assert page.request_log.external() == []


def test_no_answer_shows_how_to_raise_an_sr(page, kb_server):
    page.goto(f"{kb_server}/gb/{SR_PAGE}")
    ask(page, "zzxqv wwvvq", state="no-results")
    assert "No procedure matched" in page.locator("#kb-search-page-status").inner_text()
    steps = page.locator("#raise-an-sr + ol")
    assert "Ask your team leader." in steps.inner_text()  # the steps are on the page either way
    page.locator(BOX).get_by_role("link", name="Raise a service request (SR)").click()
    page.wait_for_url(f"**/gb/{CREATE_REQUEST}")


def test_without_the_api_the_page_searches_its_own_index(page, static_server):
    """A plain web server (no /api/search): the edition's index, searched in the page."""
    page.goto(f"{static_server}/gb/{SR_PAGE}")
    ask(page, "service request")
    assert page.locator(BOX).get_attribute("data-kb-backend") == "engine"
    assert results(page).get_by_role("link").first.inner_text().startswith("Advice and Guidance")
    assert not [u for u in page.request_log.urls if "/api/search" in u]
    assert page.request_log.external() == []


def test_opened_from_files_the_page_searches_its_own_index(page, built_site):
    page.goto((built_site.site / "gb" / SR_PAGE).as_uri())
    ask(page, "freedom of information")
    first = results(page).get_by_role("link").first
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "sr-check-files-gb.png"))
    first.click()
    page.wait_for_url(re.compile(r"^file://.*/gb/assurance-and-guidance/freedom-of-information-requests/index\.html"))
    assert page.request_log.external() == []
