"""The site's own search component (issue 19) in Debian's chromium, as a caseworker uses it:
from files (the in-browser engine), from a static server without the API (the engine), and
against `kb serve` (the search service). Typing, the keyboard (/, arrows, Enter, Escape),
what the live region says, deep links, nothing found → the SR route, forced colours, and
axe (WCAG 2.0-2.2 A and AA, target size) with the results open at 1,280 and 320 px.

The static and file tests use the real engine (assets/kb/search-engine.js) and the index the
build writes; one test injects a fake engine (test-only, in this file) to show what the box
says when the engine itself fails in an unexpected way.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import TEST_OUTPUT

pytestmark = pytest.mark.browser

PROCEDURE = "assurance-and-guidance/mp-enquiries/index.html"
CREATE_REQUEST = "assurance-and-guidance/advice-and-guidance-create-request/index.html"
SR_PAGE = "check-before-you-raise-an-sr.html"
HEADER = '[data-kb-search="header"]'
BOX = "#kb-search-header-q"
RESULTS = "#kb-search-header-results"
STATUS = "#kb-search-header-status"
WHERE = ("files", "static", "service")
BACKEND = {"files": "engine", "static": "engine", "service": "service"}


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(page):
    yield
    assert page.request_log.external() == []


@pytest.fixture
def site(request, built_site):
    """The address of the site root: opened from files, from a static server, or from kb serve."""
    where = request.param
    if where == "files":
        return built_site.site.resolve().as_uri()
    return request.getfixturevalue("static_server" if where == "static" else "kb_server")


def search(page, query: str, state: str = "results") -> None:
    """Jump to the header's box with "/", type as a person would, and wait for the answer."""
    page.keyboard.press("/")
    page.keyboard.type(query)
    # Typing can pause long enough for a search of the first words: wait for the whole query's.
    page.wait_for_function(
        "([selector, query, state]) => { const host = document.querySelector(selector);"
        " return host && host.getAttribute('data-kb-shown') === query.trim()"
        " && host.getAttribute('data-kb-state') === state; }",
        arg=[HEADER, query, state],
    )


def active(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


# --- typing, deep links, the live region ---------------------------------------------------------


@pytest.mark.parametrize("site", WHERE, indirect=True)
def test_typing_lists_results_that_deep_link_to_their_section(page, site, request):
    page.goto(f"{site}/gb/{PROCEDURE}")
    search(page, "freedom of information request")
    header = page.locator(HEADER)
    assert header.get_attribute("data-kb-backend") == BACKEND[request.node.callspec.params["site"]]
    status = page.locator(STATUS)
    said = status.inner_text()
    assert re.fullmatch(r"\d+ results?(, and \d+ results? that may not answer)?\.", said), said
    links = page.locator(f"{RESULTS} a")
    assert links.count() >= 2
    assert links.first.inner_text().splitlines()[0] == "Freedom of Information requests"

    # The overview page's result links to its section on FOI, and is named with it.
    overview = page.get_by_role(
        "link", name=re.compile(r"^Assurance and guidance overview Section: Freedom of Information")
    )
    href = overview.get_attribute("href")
    assert re.fullmatch(r"\.\./\.\./assurance-and-guidance/assurance-and-guidance-overview/index\.html#[\w-]+", href), (
        href
    )
    anchor = href.split("#")[1]
    overview.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gb/assurance-and-guidance/assurance-and-guidance-overview/index\.html#"))
    assert page.locator(f'[id="{anchor}"]').count() == 1  # the section the link named is there
    assert unquote(urlsplit(page.url).fragment) == anchor


@pytest.mark.parametrize("site", WHERE, indirect=True)
def test_a_corrected_query_is_announced_with_what_was_searched(page, site):
    page.goto(f"{site}/gb/index.html")
    search(page, "A&G servce request")
    said = page.locator(STATUS).inner_text()
    assert said.startswith("Showing results for “A&G service request” (you typed “A&G servce request”). "), said
    first = page.locator(f"{RESULTS} li").first
    assert first.get_by_role("link").inner_text().startswith("Advice and Guidance: create a request")
    assert first.locator("mark").count() >= 2  # the matched words, marked in the snippet


def test_the_box_is_a_search_form_naming_its_results_and_a_polite_live_region(page, static_server):
    page.goto(f"{static_server}/ni/{PROCEDURE}")
    form = page.locator(f"{HEADER} form")
    assert form.get_attribute("role") == "search"
    box = page.get_by_role("searchbox", name="Search the procedures")
    assert box.get_attribute("type") == "search"
    assert box.get_attribute("aria-controls") == "kb-search-header-results"
    assert page.locator("ol#kb-search-header-results").count() == 1
    status = page.locator(STATUS)
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert page.locator(".md-header__inner").locator(HEADER).count() == 1  # in the header bar
    assert page.locator(".md-search, [data-md-component=search]").count() == 0  # Material's search is gone


def test_one_character_searches_nothing_and_two_do(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    page.keyboard.press("/")
    page.keyboard.type("S")
    page.wait_for_timeout(400)  # longer than the pause before a search: none was started
    assert page.locator(HEADER).get_attribute("data-kb-state") == "ready"
    assert page.locator(STATUS).inner_text() == ""
    page.keyboard.type("R")
    page.wait_for_selector(f'{HEADER}[data-kb-state="results"]')
    assert page.locator(f"{RESULTS} a").count() > 0


def test_results_follow_the_latest_words_typed(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    search(page, "domestic abuse")
    page.keyboard.press("Control+a")
    page.keyboard.type("freedom of information")
    page.wait_for_function(
        "() => (document.querySelector('#kb-search-header-results a') || {}).textContent?.startsWith('Freedom of Information')"
    )
    assert "Domestic abuse" not in page.locator(f"{RESULTS} a").first.inner_text()


def test_weak_results_come_after_a_divider_that_says_they_may_not_answer(page, kb_server):
    page.goto(f"{kb_server}/gb/index.html")
    search(page, "MP complaint fee")
    items = page.locator(f"{RESULTS} li")
    weak = page.locator(f"{RESULTS} li.kb-search__result--weak")
    assert 0 < weak.count() < items.count()
    classes = items.evaluate_all("els => els.map(e => e.classList.contains('kb-search__result--weak'))")
    assert classes == sorted(classes)  # every strong result before every weak one
    note = weak.first.locator(".kb-search__weak-note")
    assert note.inner_text() == "These may not answer your question:"
    described = weak.first.get_by_role("link").get_attribute("aria-describedby")
    assert described == note.get_attribute("id")
    assert "may not answer" in page.locator(STATUS).inner_text()


# --- the keyboard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["files", "service"], indirect=True)
def test_arrow_keys_move_through_results_enter_opens_escape_closes(page, site):
    page.goto(f"{site}/gb/{PROCEDURE}")
    search(page, "service request")
    assert active(page) == "kb-search-header-q"
    links = page.locator(f"{RESULTS} a")
    names = links.evaluate_all("els => els.map(e => e.textContent.trim())")
    page.keyboard.press("ArrowDown")
    assert active(page) == names[0]
    page.keyboard.press("ArrowDown")
    assert active(page) == names[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert active(page) == "kb-search-header-q"

    page.keyboard.press("Escape")
    panel = page.locator("#kb-search-header-results").locator("..")
    assert panel.is_hidden()
    assert page.locator(STATUS).inner_text() == ""
    assert page.locator(BOX).input_value() == "service request"  # what was typed stays
    page.keyboard.press("ArrowDown")  # back, on the first result
    assert panel.is_visible() and active(page) == names[0]
    page.keyboard.press("Escape")  # from a result: closed, and back in the box
    assert panel.is_hidden() and active(page) == "kb-search-header-q"

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    href = links.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    target = href.split("#")[0].removeprefix("../../")
    page.wait_for_url(re.compile(re.escape(target)))


def test_slash_jumps_to_the_box_but_not_while_typing_elsewhere(page, static_server):
    page.goto(f"{static_server}/gb/{SR_PAGE}")
    page.keyboard.press("/")
    assert active(page) == "kb-search-header-q"
    page.get_by_role("searchbox", name="Your question").click()
    page.keyboard.type("A/G")
    assert active(page) == "kb-search-page-q"
    assert page.locator("#kb-search-page-q").input_value() == "A/G"
    assert page.locator(BOX).input_value() == ""  # the header's box took nothing


def test_slash_still_jumps_from_a_radio_button(page, kb_server):
    """Not every form control is typed in: from the feedback's choices "/" still searches."""
    page.goto(f"{kb_server}/gb/{CREATE_REQUEST}")
    page.get_by_role("button", name="No this page is not useful").click()
    page.get_by_role("radio").first.focus()
    page.keyboard.press("/")
    assert active(page) == "kb-search-header-q"


def test_tab_away_from_the_header_results_closes_them(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    search(page, "service request")
    links = page.locator(f"{RESULTS} a")
    links.last.focus()
    page.keyboard.press("Tab")  # past the SR route link, out of the search
    page.keyboard.press("Tab")
    assert page.locator(HEADER).get_attribute("class").split().count("kb-search--open") == 0


# --- nothing found, nothing available -------------------------------------------------------------


@pytest.mark.parametrize("site", WHERE, indirect=True)
def test_nothing_found_offers_the_sr_route(page, site):
    page.goto(f"{site}/gb/{PROCEDURE}")
    search(page, "zzxqv wwvvq", state="no-results")
    assert page.locator(STATUS).inner_text() == "No procedure matched “zzxqv wwvvq”."
    assert page.locator(f"{RESULTS} li").count() == 0
    route = page.get_by_role("link", name="Raise a service request (SR)")
    assert route.get_attribute("href") == "../advice-and-guidance-create-request/index.html"
    route.click()
    page.wait_for_url(f"**/gb/{CREATE_REQUEST}")
    assert page.locator("h1").inner_text() == "Advice and Guidance: create a request"


def test_sr_route_is_there_under_results_too(page, static_server):
    page.goto(f"{static_server}/ni/index.html")
    search(page, "service request")
    route = page.get_by_role("link", name="How to raise an SR")
    assert route.get_attribute("href") == CREATE_REQUEST


def test_without_an_index_the_box_says_search_is_not_available(page, static_server):
    page.route(re.compile(r"/search-index/"), lambda route: route.abort())
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    search(page, "service request", state="unavailable")
    assert page.locator(STATUS).inner_text().startswith("Search is not available here.")
    assert page.locator(HEADER).get_attribute("data-kb-backend") == "none"
    assert page.get_by_role("link", name="Raise a service request (SR)").is_visible()


# A stand-in for the engine that fails as no real one should (test-only; never shipped).
BROKEN_ENGINE = "window.kbSearchEngine = { search: () => Promise.reject(new TypeError('broken')) };"


def test_an_engine_that_fails_is_reported_not_silent(page, built_site):
    page.add_init_script(BROKEN_ENGINE)
    page.goto((built_site.site / "gb" / PROCEDURE).as_uri())
    search(page, "service request", state="unavailable")
    assert page.locator(STATUS).inner_text().startswith("Search is not available here.")


@pytest.mark.parametrize("site", ["files", "service"], indirect=True)
def test_a_question_the_search_refuses_is_explained(page, site):
    page.goto(f"{site}/gb/index.html")
    page.keyboard.press("/")
    page.keyboard.type(" ".join(["x"] * 41))
    page.wait_for_selector(f'{HEADER}[data-kb-state="unavailable"]')
    assert page.locator(STATUS).inner_text() == "Cannot search for that: the query has too many words: at most 40."


def test_the_engine_loads_only_when_someone_searches(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}", wait_until="networkidle")
    assert not [u for u in page.request_log.urls if "search-engine.js" in u or "/search-index/" in u]
    search(page, "service request")
    assert [u for u in page.request_log.urls if "search-engine.js" in u]


def test_opening_a_result_is_told_to_the_service(page, kb_server):
    page.goto(f"{kb_server}/gb/index.html")
    search(page, "freedom of information")
    with page.expect_request(re.compile(r"/api/opened$")) as told:
        page.locator(f"{RESULTS} a").first.click()
    assert told.value.method == "POST" and "search" in told.value.post_data_json


# --- the SR check page's box: the same component ---------------------------------------------------


@pytest.mark.parametrize("site", WHERE, indirect=True)
def test_sr_check_page_box_is_the_same_component(page, site):
    page.goto(f"{site}/gb/{SR_PAGE}")
    box = page.get_by_role("searchbox", name="Your question, or a few words from it")
    box.click()
    page.keyboard.type("freedom of infromation")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-kb-search="page"][data-kb-state="results"]')
    results = page.get_by_role("list", name="Procedures that may answer your question")
    assert results.get_by_role("link").first.inner_text().startswith("Freedom of Information requests")
    assert (
        page.locator("#kb-search-page-status").inner_text().startswith("Showing results for “freedom of information”")
    )
    assert page.locator(f"{HEADER}[data-kb-state=ready]").count() == 1  # the header's box is untouched


# --- forced colours and axe ------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_forced_colours_keep_matched_words_visible(page, static_server, scheme):
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    search(page, "service request")
    marks = page.locator(f"{RESULTS} mark")
    assert marks.count() > 0
    paint = marks.first.evaluate(
        """m => {
          const own = getComputedStyle(m);
          const around = getComputedStyle(m.closest('.kb-search__snippet'));
          return {color: own.color, background: own.backgroundColor, text: around.color, page: around.backgroundColor,
                  dropdown: getComputedStyle(m.closest('.kb-search__dropdown')).backgroundColor};
        }"""
    )
    assert paint["color"] != paint["background"], paint  # the word itself is readable
    assert paint["background"] not in (paint["dropdown"], "rgba(0, 0, 0, 0)"), paint  # and stands out
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"search-forced-colours-{scheme}.png"))


AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
WIDTHS = {"desktop": (1280, 800), "phone": (320, 640)}


def axe_findings(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in AXE.run(page, options=AXE_OPTIONS).response["violations"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_with_the_results_open(page, static_server, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    search(page, "MP complaint fee")  # strong and weak results, and the SR route
    page.keyboard.press("ArrowDown")  # a result focused, as a keyboard user leaves it
    assert axe_findings(page) == []
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"search-open-{width}.png"))

    page.goto(f"{static_server}/gb/{SR_PAGE}")
    page.get_by_role("searchbox", name="Your question").fill("zzxqv wwvvq")
    page.wait_for_selector('[data-kb-search="page"][data-kb-state="no-results"]')
    page.locator(BOX).click()
    page.keyboard.type("service request")  # both boxes showing something at once
    page.wait_for_selector(f'{HEADER}[data-kb-state="results"]')
    assert axe_findings(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_targets_are_large_and_nothing_spills_off_a_narrow_screen(page, static_server, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    search(page, "service request")
    for selector in (BOX, f"{HEADER} button", f"{RESULTS} a", ".kb-search__route-link"):
        for box in page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())"):
            assert box["height"] >= 24 and box["width"] >= 24, (selector, box)
            assert box["left"] >= 0 and box["right"] <= WIDTHS[width][0], (selector, box)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
