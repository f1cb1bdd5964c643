"""The built site as a caseworker uses it, in Debian's chromium: navigation, search, the
edition switch, the SR check page, keyboard use, printing, opening from files, accessibility
(axe-core), and no request leaving the machine.

One browser and one built site serve the whole session (conftest.py); each test gets a fresh
page whose requests are recorded, and any request that is not local fails the test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import TEST_OUTPUT

pytestmark = pytest.mark.browser

PROCEDURE = "assurance-and-guidance/advice-and-guidance-create-request/index.html"
PROCEDURE_TITLE = "Advice and Guidance: create a request"
EDITIONS = {"gb": "Great Britain", "ni": "Northern Ireland"}


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(page):
    """Every test here: no request went anywhere but 127.0.0.1 or the files."""
    yield
    assert page.request_log.external() == []


def search(page, query: str):
    """Type into the site's search box (in the header) as a person would; return the first result's link."""
    page.locator("#kb-search-header-q").click()
    page.keyboard.type(query)
    return first_result_for(page, query)


def first_result_for(page, query: str):
    """The first result once the results are those of the whole query, not of a part typed so far."""
    page.wait_for_function(
        "q => { const box = document.querySelector('[data-kb-search=header]');"
        " return box.getAttribute('data-kb-state') === 'results' && document.querySelector('#kb-search-header-q').value === q; }",
        arg=query,
    )
    first = page.locator("#kb-search-header-results a").first
    first.wait_for(timeout=10_000)
    return first


def focus_by_tab(page, selector: str, presses: int = 20) -> int:
    """Press Tab from the top of the page until `selector` has focus; how many presses it took."""
    target = page.locator(selector)
    for count in range(1, presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return count
    raise AssertionError(f"{selector} not reached with {presses} presses of Tab")


# --- navigation -------------------------------------------------------------------------


def test_root_lets_the_reader_pick_an_edition(page, static_server):
    page.goto(f"{static_server}/")
    page.get_by_role("link", name="Northern Ireland (NI)").click()
    page.wait_for_url(f"{static_server}/ni/index.html")
    assert "(NI)" in page.title()


@pytest.mark.parametrize("edition", EDITIONS)
def test_home_page_leads_to_a_procedure_with_its_furniture(page, static_server, edition):
    page.goto(f"{static_server}/{edition}/index.html")
    banner = page.get_by_role("region", name="Edition")
    assert banner.locator(".kb-edition__badge").inner_text() == edition.upper()
    assert f"{EDITIONS[edition]} edition" in banner.inner_text()
    page.locator("article").get_by_role("link", name=PROCEDURE_TITLE).click()
    page.wait_for_url(f"**/{edition}/{PROCEDURE}")

    article = page.locator("article")
    assert article.locator("h1").inner_text() == PROCEDURE_TITLE
    # the summary comes first, then who owns the page and when it was reviewed
    assert article.locator("h1 ~ p").first.get_attribute("class") == "kb-summary"
    assert article.locator("h1 ~ p").nth(1).inner_text().startswith("Owner: ")
    assert "Last reviewed: " in article.locator("h1 ~ p").nth(1).inner_text()
    headings = article.locator("h2").all_inner_texts()
    assert headings.index("Related pages") < headings.index("About this page") == len(headings) - 1
    assert page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").all_inner_texts() == [
        "Home",
        "Assurance and guidance",
    ]
    assert page.get_by_role("navigation", name="Tags").get_by_role("link").count() > 0

    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"procedure-{edition}.png"), full_page=True)


def test_tabs_lead_to_each_section_and_the_tags_page(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    tabs = page.locator(".md-tabs")
    assert tabs.get_by_role("link").all_inner_texts()[:2] == ["Home", "Check before you raise an SR"]
    tabs.get_by_role("link", name="Tags").click()
    page.wait_for_url("**/gb/tags.html")
    page.locator("article").get_by_role("link", name=PROCEDURE_TITLE).first.click()
    page.wait_for_url(f"**/gb/{PROCEDURE}")


def test_search_box_reaches_a_result(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    search(page, "service request").click()
    page.wait_for_url(f"**/gb/{PROCEDURE}*")  # with the best section's #anchor
    assert page.locator("h1").inner_text() == PROCEDURE_TITLE


def test_edition_switch_opens_the_same_page_in_the_other_edition(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    page.get_by_role("link", name="Switch to the Northern Ireland edition (NI)").click()
    page.wait_for_url(f"{static_server}/ni/{PROCEDURE}")
    assert page.locator(".kb-edition__badge").inner_text() == "NI"
    page.get_by_role("link", name="Switch to the Great Britain edition (GB)").click()
    page.wait_for_url(f"{static_server}/gb/{PROCEDURE}")


def test_sr_check_page_opens_from_the_home_page(page, static_server):
    page.goto(f"{static_server}/ni/index.html")
    page.locator("article").get_by_role("link", name="Check before you raise a service request (SR)").click()
    page.wait_for_url("**/ni/check-before-you-raise-an-sr.html")
    assert page.locator("h1").inner_text() == "Check before you raise an SR"


def test_whats_changed_links_each_page_and_its_feed(page, static_server):
    page.goto(f"{static_server}/ni/index.html")
    assert page.locator('link[rel="alternate"][type="application/atom+xml"]').count() == 1
    page.goto(f"{static_server}/ni/whats-changed.html")
    feed_href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    feed = page.request.get(page.url.rsplit("/", 1)[0] + "/" + feed_href)
    assert feed.ok
    entries = ET.fromstring(feed.body()).findall("{http://www.w3.org/2005/Atom}entry")
    assert entries, "the feed has no entries"
    newest = page.locator("article ul a").first
    title = newest.inner_text()
    newest.click()
    page.wait_for_url("**/ni/*/*/index.html")
    assert page.locator("h1").inner_text() == title


def test_feed_link_only_where_its_sitemap_fetch_is_worth_it(page, static_server):
    """Material fetches sitemap.xml (large on a big site) for a page's <link rel="alternate">."""
    sitemap_requests = lambda: [url for url in page.request_log.urls if url.endswith("sitemap.xml")]  # noqa: E731
    page.goto(f"{static_server}/gb/{PROCEDURE}", wait_until="networkidle")
    assert sitemap_requests() == []
    page.goto(f"{static_server}/gb/index.html", wait_until="networkidle")
    assert len(sitemap_requests()) == 1


# --- keyboard only ----------------------------------------------------------------------


def test_keyboard_reaches_the_edition_switch_and_follows_it(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    focus_by_tab(page, ".kb-edition__switch")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{static_server}/ni/{PROCEDURE}")


def test_keyboard_reaches_search_and_a_result(page, static_server):
    page.goto(f"{static_server}/gb/index.html")
    focus_by_tab(page, "#kb-search-header-q")
    page.keyboard.type("service request")
    first_result_for(page, "service request")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/gb/{PROCEDURE}*")


def test_slash_jumps_to_the_search_box(page, static_server):
    page.goto(f"{static_server}/ni/index.html")
    page.keyboard.press("/")
    assert page.locator("#kb-search-header-q").evaluate("element => element === document.activeElement")


def test_focus_is_visible_on_every_stop_before_the_content(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    for _ in range(6):
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", page.evaluate("document.activeElement.outerHTML")


# --- print and files --------------------------------------------------------------------


def test_printed_procedure_is_the_procedure_without_site_furniture(page, static_server):
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    page.emulate_media(media="print")
    for furniture in (".md-header", ".md-tabs", ".md-banner", ".md-sidebar--primary", ".md-footer", ".md-path"):
        assert not page.locator(furniture).first.is_visible(), furniture
    for kept in ("h1", ".kb-summary", ".kb-facts", ".admonition", "#about-this-page", ".kb-print-only"):
        assert page.locator(kept).first.is_visible(), kept
    assert "check the site" in page.locator(".kb-print-only").inner_text()


def test_site_opened_from_files_works_with_search(page, built_site):
    page.goto((built_site.site / "index.html").as_uri())
    page.get_by_role("link", name="Great Britain (GB)").click()
    page.wait_for_url("**/gb/index.html")
    search(page, "service request").click()
    page.wait_for_url(f"**/gb/{PROCEDURE}*")
    assert page.locator("h1").inner_text() == PROCEDURE_TITLE
    page.get_by_role("link", name="Switch to the Northern Ireland edition (NI)").click()
    page.wait_for_url(f"**/ni/{PROCEDURE}")


# --- accessibility ----------------------------------------------------------------------

AXE = Axe()
PAGE_TYPES = {
    "home": "index.html",
    "section overview": "assurance-and-guidance/index.html",
    "procedure": PROCEDURE,
    "SR check": "check-before-you-raise-an-sr.html",
    "what's changed": "whats-changed.html",
    "tags": "tags.html",
}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the open page, one readable line each."""
    results = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_serious_accessibility_violations(page, static_server, edition, page_type):
    page.goto(f"{static_server}/{edition}/{PAGE_TYPES[page_type]}")
    assert serious_violations(page) == []


def test_no_serious_accessibility_violations_on_the_edition_picker(page, static_server):
    page.goto(f"{static_server}/")
    assert serious_violations(page) == []
