"""The built site as a caseworker uses it, in Debian's chromium: navigation, search, edition
switch, the SR check page, opening from files, and no request leaving the machine."""

from __future__ import annotations

PROCEDURE = "assurance-and-guidance/advice-and-guidance-create-request/index.html"


def search(page, query: str):
    """Type into Material's search box as a person would; return the first result link."""
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=10_000)
    return first


def test_site_opened_from_files_works_with_search(page, built_site):
    page.goto((built_site.site / "index.html").as_uri())
    page.get_by_role("link", name="Great Britain (GB)").click()
    page.wait_for_url("**/gb/index.html")
    search(page, "service request").click()
    page.wait_for_url(f"**/gb/{PROCEDURE}*")  # search.highlight adds ?h=…
    assert page.locator("h1").first.inner_text().startswith("Advice and Guidance")
    assert page.request_log.external() == []
