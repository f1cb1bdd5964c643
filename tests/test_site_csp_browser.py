"""The Content-Security-Policy at work in Debian's chromium: a planted inline script, event
handler and <base> are blocked, while navigation, search and the edition switch still work,
from files and served over 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

pytestmark = pytest.mark.browser

PAGE = "gb/assurance-and-guidance/mp-enquiries/index.html"
PLANTED = (
    '<script>window.__planted = "inline";</script>'
    '<base href="http://127.0.0.2:9/elsewhere/">'
    '<img src="missing.png" onerror="window.__planted = \'handler\'">'
)


@pytest.fixture(scope="module")
def planted_site(built_site, tmp_path_factory):
    """A copy of the built site with hostile markup planted after each page's policy, as if it
    had got past every check."""
    site = tmp_path_factory.mktemp("planted") / "site"
    shutil.copytree(built_site.site, site)
    target = site / PAGE
    html = target.read_text()
    head_end = html.index("</head>")
    target.write_text(html[:head_end] + PLANTED + html[head_end:])
    return site


@pytest.fixture(scope="module")
def planted_server(planted_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(planted_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def address(where: str, planted_site, planted_server) -> str:
    return f"file://{planted_site}/{PAGE}" if where == "files" else f"{planted_server}/{PAGE}"


@pytest.mark.parametrize("where", ["files", "served"])
def test_planted_script_handler_and_base_are_blocked_and_the_site_still_works(
    page, where, planted_site, planted_server
):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(address(where, planted_site, planted_server))
    page.wait_for_load_state("load")
    assert page.evaluate("window.__planted") is None
    assert any("inline script" in v or "inline event handler" in v for v in violations), violations
    assert not [u for u in page.request_log.urls if "127.0.0.2" in u]  # the <base> was not used
    assert page.evaluate("typeof window.__md_scope") == "object"  # Material's own inline script ran

    page.keyboard.press("/")
    page.keyboard.type("service request")
    page.locator("#kb-search-header-results a").first.wait_for(timeout=10_000)  # the site's own search

    page.keyboard.press("Escape")  # close the search before using the page
    switch = page.locator("a.kb-edition__switch")
    switch.click()
    page.wait_for_url("**/ni/assurance-and-guidance/mp-enquiries/index.html")
    assert "Northern Ireland" in page.locator(".kb-edition").inner_text()
