"""Page furniture of a procedure as a caseworker uses it (issue 15): who owns the page and when
it is due for review, its history, a print button, "Is this page useful?" (hidden without the
search service, working with the real `kb serve`), and glossary terms explained in place.
"""

from __future__ import annotations

import time

import pytest
from service_helpers import Service

from kb_tools.search.store import Store

pytestmark = pytest.mark.browser

PROCEDURE = "assurance-and-guidance/advice-and-guidance-create-request/index.html"


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(page):
    yield
    assert page.request_log.external() == []


def test_page_shows_owner_contact_review_due_and_history(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    facts = page.locator(".kb-facts").inner_text()
    assert facts.startswith("Owner: Advice and Guidance team")
    assert "Review due: " in facts and "Last updated: " in facts
    about = page.locator("#about-this-page + ul").inner_text()
    assert "To contact the owner: Raise a service request (SR) to Advice and Guidance (A&G)." in about
    assert "Review due: " in about
    history = page.locator("#page-history + ul li").all_inner_texts()
    assert history, "no page history"
    page.locator(".kb-facts").get_by_role("link", name="page history").click()
    assert page.url.endswith("#page-history")


def test_print_button_prints_and_is_not_printed(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    # A function body: an expression whose value is a function would be called by evaluate.
    page.evaluate("() => { window.kbPrinted = 0; window.print = () => { window.kbPrinted += 1; }; }")
    button = page.get_by_role("button", name="Print this page")
    button.click()
    assert page.evaluate("window.kbPrinted") == 1
    page.emulate_media(media="print")
    assert not button.is_visible()


def test_print_button_only_on_procedures(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    assert page.get_by_role("button", name="Print this page").count() == 0


# --- "Is this page useful?" ---------------------------------------------------------------


def feedback_question(page):
    return page.get_by_role("region", name="Is this page useful?")


def test_feedback_is_hidden_from_a_static_host(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}", wait_until="networkidle")
    assert page.locator("[data-kb-feedback]").count() == 1
    assert not page.locator("[data-kb-feedback]").is_visible()
    assert any(url.endswith("/api/health") for url in page.request_log.urls)  # it asked, got 404


def test_feedback_is_hidden_from_files(page, built_site):
    page.goto((built_site.site / "gb" / PROCEDURE).as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    assert not page.locator("[data-kb-feedback]").is_visible()


@pytest.fixture
def feedback_server(built_site, tmp_path):
    """The real `kb serve` on the built site, with its answers in a store of this test's own."""
    store = tmp_path / "analytics.sqlite3"
    server = Service(built_site.site.parent, env={"KB_ANALYTICS": str(store)})
    yield server.url, store
    server.stop()


def stored_feedback(store_file, expected_answers: int) -> list:
    """The store's answers once the service has written them (it writes off the request path)."""
    for _ in range(100):
        if store_file.exists():
            rows = Store(store_file).page_feedback("")
            if sum(r.yes + r.no for r in rows) >= expected_answers:
                return rows
        time.sleep(0.1)
    raise AssertionError("the answer was never stored")


def test_feedback_no_with_a_reason_reaches_the_service_and_is_announced(page, feedback_server):
    url, store = feedback_server
    page.goto(f"{url}/ni/{PROCEDURE}")
    question = feedback_question(page)
    question.wait_for()
    no = question.get_by_role("button", name="No this page is not useful")
    assert no.get_attribute("aria-expanded") == "false"
    no.click()
    assert no.get_attribute("aria-expanded") == "true"
    reasons = question.get_by_role("group", name="What was wrong with this page? (optional)")
    assert reasons.get_by_role("radio").count() == 4
    page.keyboard.press("ArrowDown")  # focus is on the first reason: arrow keys move between them
    assert reasons.get_by_role("radio", name="It is wrong or out of date").is_checked()
    question.get_by_role("button", name="Send").click()
    status = page.locator(".kb-feedback__status")
    status.filter(has_text="Thank you for your feedback.").wait_for()
    assert status.get_attribute("role") == "status"  # announced by screen readers
    assert not page.locator(".kb-feedback__form").is_visible()
    rows = stored_feedback(store, 1)
    assert [(r.edition, r.page, r.yes, r.no, r.reasons) for r in rows] == [
        ("ni", "advice-and-guidance-create-request", 0, 1, {"wrong-or-out-of-date": 1})
    ]


def test_feedback_yes_by_keyboard(page, feedback_server):
    url, store = feedback_server
    page.goto(f"{url}/gb/{PROCEDURE}")
    yes = feedback_question(page).get_by_role("button", name="Yes this page is useful")
    yes.focus()
    page.keyboard.press("Enter")
    page.locator(".kb-feedback__status").filter(has_text="Thank you").wait_for()
    rows = stored_feedback(store, 1)
    assert [(r.edition, r.yes, r.no, r.reasons) for r in rows] == [("gb", 1, 0, {})]


# --- glossary -------------------------------------------------------------------------------


def test_glossary_term_explained_in_place_by_keyboard_and_linked_to_its_entry(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    term = page.locator("article a.kb-term").first
    assert term.inner_text() == "service request"
    button = page.get_by_role("button", name="What service request means")
    definition = page.locator("#" + button.get_attribute("aria-controls"))
    assert not definition.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert "Advice and Guidance (A&G) team" in definition.inner_text()
    page.keyboard.press("Escape")
    assert not definition.is_visible()
    button.click()  # a click or a tap, never a hover
    assert definition.is_visible()
    term.click()
    page.wait_for_url("**/gb/glossary.html#service-request")
    assert page.locator("#service-request").inner_text() == "service request"


def test_glossary_term_marked_once_per_page(page, static_server):
    page.goto(f"{static_server}/gb/assurance-and-guidance/freedom-of-information-requests/index.html")
    marked = page.locator("article a.kb-term").all_inner_texts()
    assert [text.casefold() for text in marked].count("foi focal point") == 1


def test_glossary_page_in_both_editions(page, static_server):
    for edition in ("gb", "ni"):
        page.goto(f"{static_server}/{edition}/index.html")
        page.locator(".md-tabs").get_by_role("link", name="Glossary").click()
        page.wait_for_url(f"**/{edition}/glossary.html")
        assert page.locator("article h2").count() >= 3
