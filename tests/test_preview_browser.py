"""kb preview in chromium: a save reloads the open page; a broken save shows the error on it
and keeps the last good page."""

from __future__ import annotations

import re

import pytest

from kb_tools.pipeline import preview

from conftest import page_yaml, paths_beside

pytestmark = pytest.mark.browser

WAIT_MS = 30_000  # bounded: a preview rebuild of two pages takes well under a second


@pytest.fixture
def running(content, tmp_path):
    viewer = preview.Preview(paths_beside(content), tmp_path / "preview", say=lambda message: None)
    served = preview.start(viewer, port=0)
    yield served
    served.close()


def test_a_saved_change_reloads_the_page_and_an_error_shows_over_the_last_good_page(page, running, content):
    page.goto(f"{running.url}/gb/guidance/first/index.html")
    article = page.locator("article")
    article.get_by_text("Some plain text.").wait_for(timeout=WAIT_MS)

    content.page("first", related=("other",), text="Text saved in the editor.")
    article.get_by_text("Text saved in the editor.").wait_for(timeout=WAIT_MS)

    broken = page_yaml("first", related=("other",), text="Never shown.").replace("section: guidance", "section: [oops")
    content.page("first", broken)
    errors = page.locator("#kb-preview-errors")
    errors.wait_for(timeout=WAIT_MS)
    where = re.escape(str(content.root / "pages" / "first.yml"))
    assert re.search(rf"{where}:\d+:\d+: ", errors.inner_text()), errors.inner_text()  # path:line:column
    assert errors.get_attribute("role") == "alert"
    assert article.get_by_text("Text saved in the editor.").is_visible()  # the last good page stays
    assert article.get_by_text("Never shown.").count() == 0

    content.page("first", related=("other",), text="Fixed again.")
    article.get_by_text("Fixed again.").wait_for(timeout=WAIT_MS)
    assert errors.count() == 0
    assert page.request_log.external() == []
