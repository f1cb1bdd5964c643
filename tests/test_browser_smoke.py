"""The built site in a real browser: the edition picker and a procedure page, offline."""

from conftest import TEST_OUTPUT


def test_root_lets_the_reader_pick_an_edition(page, static_server):
    page.goto(f"{static_server}/")
    page.get_by_role("link", name="Northern Ireland (NI)").click()
    page.wait_for_url(f"{static_server}/ni/index.html")
    assert "(NI)" in page.title()
    assert page.request_log.external() == []


def test_procedure_page_in_each_edition(page, static_server):
    TEST_OUTPUT.mkdir(exist_ok=True)
    for edition in ("gb", "ni"):
        page.goto(f"{static_server}/{edition}/assurance-and-guidance/advice-and-guidance-create-request/index.html")
        assert page.locator("h1").first.inner_text().startswith("Advice and Guidance")
        page.screenshot(path=str(TEST_OUTPUT / f"procedure-{edition}.png"), full_page=True)
    assert page.request_log.external() == []
