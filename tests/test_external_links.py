"""External links (`--external`), against a local server on 127.0.0.1 that serves good pages,
404s, redirects, slow answers and dropped connections. No test touches the internet."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from kb_tools.checks import external_links as ext
from kb_tools.cli import main

from conftest import page_yaml

FAST = ext.Settings(timeout=0.5, retries=2, backoff=0.01, per_host=2)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: Counter  # requests per path, set by the fixture
    active: list  # [requests being answered now, most at once]
    lock: threading.Lock

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def answer(self, body: bool) -> None:
        path = self.path
        with self.lock:
            self.counts[(self.command, path)] += 1
            self.active[0] += 1
            self.active[1] = max(self.active[1], self.active[0])
        try:
            self.route(path, body)
        finally:
            with self.lock:
                self.active[0] -= 1

    def route(self, path: str, body: bool) -> None:
        if path.startswith("/good"):
            time.sleep(0.05)  # long enough for requests to overlap
            self.send(200, body)
        elif path == "/missing":
            self.send(404, body)
        elif path == "/moved":
            self.send(301, body, location="/good")
        elif path == "/loop":
            self.send(302, body, location="/loop")
        elif path == "/slow":
            time.sleep(1.5)
            self.send(200, body)
        elif path == "/drop":
            self.close_connection = True
            self.connection.shutdown(2)  # closed with no answer at all
        elif path == "/no-head":
            self.send(405 if self.command == "HEAD" else 200, body)
        elif path == "/flaky":
            self.send(503 if self.counts[("HEAD", path)] == 1 else 200, body)
        else:
            self.send(500, body)

    def send(self, status: int, body: bool, location: str | None = None) -> None:
        payload = b"<p>page</p>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    handler = type("TestHandler", (Handler,), {"counts": Counter(), "active": [0, 0], "lock": threading.Lock()})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    httpd.handler = handler  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_each_kind_of_answer(server, tmp_path):
    base = server.base
    urls = [f"{base}/{p}" for p in ("good", "missing", "moved", "loop", "slow", "drop", "no-head", "flaky")]
    out = ext.check_urls(urls, FAST, tmp_path / "links.json")
    assert out[f"{base}/good"].ok and out[f"{base}/good"].status == 200
    assert out[f"{base}/missing"].error == "HTTP 404 Not Found"
    assert out[f"{base}/moved"].ok and out[f"{base}/moved"].redirected_to == f"{base}/good"
    assert "more than 5 redirects" in out[f"{base}/loop"].error
    assert out[f"{base}/slow"].error == "no answer within 0.5 s (3 tries)"
    assert out[f"{base}/drop"].error.startswith("connection failed") and out[f"{base}/drop"].error.endswith("(3 tries)")
    assert out[f"{base}/no-head"].ok  # HEAD refused, GET fine
    assert out[f"{base}/flaky"].ok  # 503 once, then fine: retried
    counts = server.handler.counts
    assert counts[("HEAD", "/missing")] == 1  # a 404 is not retried
    assert counts[("HEAD", "/slow")] == 3  # first try and two retries


def test_per_host_limit(server, tmp_path):
    urls = [f"{server.base}/good?{n}" for n in range(12)]
    out = ext.check_urls(urls, ext.Settings(timeout=5, per_host=3), None)
    assert all(o.ok for o in out.values())
    assert 2 <= server.handler.active[1] <= 3  # concurrent, never more than 3 at once to one host


def test_cache_makes_a_second_run_cheap_and_expires(server, tmp_path):
    cache = tmp_path / "links.json"
    urls = [f"{server.base}/good", f"{server.base}/missing"]
    counts = server.handler.counts
    ext.check_urls(urls, FAST, cache)
    again = ext.check_urls(urls, FAST, cache)
    assert again[f"{server.base}/good"].ok and not again[f"{server.base}/missing"].ok
    assert counts[("HEAD", "/good")] == 1 and counts[("HEAD", "/missing")] == 2  # only the broken link is asked again
    saved = json.loads(cache.read_text())
    assert list(saved["links"]) == [f"{server.base}/good"]
    saved["links"][f"{server.base}/good"]["checked"] -= 8 * 86400  # older than 7 days
    cache.write_text(json.dumps(saved))
    ext.check_urls(urls, FAST, cache)
    assert server.handler.counts[("HEAD", "/good")] == 2


def test_damaged_cache_is_only_a_slower_run(server, tmp_path):
    cache = tmp_path / "links.json"
    cache.write_text("{not json")
    assert ext.check_urls([f"{server.base}/good"], FAST, cache)[f"{server.base}/good"].ok
    assert json.loads(cache.read_text())["version"] == ext.Cache.VERSION


def seed_cache_with_real_links(content: Path, cache: Path) -> None:
    """The real content's own external links, recorded as fine just now."""
    from kb_tools.checks.links import external_links
    from kb_tools.content.validate import check_content

    urls = {url for url, _ in external_links(check_content(content).library)}
    ext.Cache(cache, 7).save(ext.Outcome(url, 200, checked=time.time()) for url in urls)


def test_kb_check_external_reports_where_the_link_was_written(server, real_content_copy, monkeypatch, capsys, tmp_path):
    """A broken external link added to a copy of the real content: exit 1 and the path:line:column."""
    seed_cache_with_real_links(real_content_copy.root, tmp_path / "cache.json")  # so nothing leaves 127.0.0.1
    monkeypatch.setenv("KB_LINK_CACHE", str(tmp_path / "cache.json"))
    monkeypatch.setattr(ext, "Settings", lambda: FAST)
    file = next(iter(sorted((real_content_copy.root / "pages").rglob("*.yml"))))
    page_id, section = file.stem, file.parent.name
    source = (
        f"id: public-sources\ntitle: Public sources\nsummary: Where the public guidance is.\nsection: {section}\n"
        "owner: Test team\nlast_reviewed: 2026-11-22\nbody:\n  - heading: Guidance\n    text: |\n"
        f"      Read [the guidance]({server.base}/missing) and\n      [the old guidance]({server.base}/moved).\n"
        f"related: [{page_id}]\n"
    )
    added = real_content_copy.write(f"pages/{section}/public-sources.yml", source)

    def at(url: str) -> str:
        before = source[: source.index(url)]
        return f"{added.name}:{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"

    assert main(["check", "--content", str(real_content_copy.root)]) == 0  # not checked unless asked
    capsys.readouterr()
    assert main(["check", "--content", str(real_content_copy.root), "--external"]) == 1
    out = capsys.readouterr().out
    assert f"{at(server.base + '/missing')}: external link '{server.base}/missing' is broken: HTTP 404 Not Found" in out
    assert (
        f"{at(server.base + '/moved')}: warning: external link '{server.base}/moved' redirects to '{server.base}/good'"
        in out
    )


def test_in_text_external_links_are_checked_too(server, content, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KB_LINK_CACHE", str(tmp_path / "cache.json"))
    monkeypatch.setattr(ext, "Settings", lambda: FAST)
    content.page("first", page_yaml("first", text=f"'See [the guide]({server.base}/drop#part) first.'"))
    assert main(["check", "--content", str(content.root), "--external"]) == 1
    out = capsys.readouterr().out
    assert f"first.yml:9:28: external link '{server.base}/drop#part' is broken: connection failed" in out
    assert server.handler.counts[("HEAD", "/drop")] == 3  # the fragment is not sent
