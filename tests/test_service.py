"""The search service as caseworkers' browsers meet it: real `kb serve` processes (uvicorn,
worker processes) on 127.0.0.1, never a test client alone."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest
from service_helpers import Service

from kb_tools.config import Paths
from kb_tools.pipeline.build import build
from kb_tools.search.store import Store

from conftest import REPO, ContentTree, new_content

pytestmark = pytest.mark.slow

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


def make_project(root):
    tree = new_content(root / "content")
    tree.page("first", related=("other",), text="Raise a service request to Advice and Guidance.")
    tree.page("other", related=("first",), text="Freedom of Information requests go to the FOI team.")
    (root / "mkdocs.yml").write_text(
        (REPO / "mkdocs.yml")
        .read_text()
        .replace("custom_dir: kb_tools/site/theme", f"custom_dir: {REPO / 'kb_tools/site/theme'}")
    )
    paths = Paths.for_project(root=root)
    result = build(paths)
    assert result.ok, [str(p) for p in result.check.problems + result.problems]
    return paths, tree


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("service"))


@pytest.fixture(scope="module")
def service(project):
    paths, _ = project
    server = Service(
        paths.site.parent,
        workers=2,
        env={"KB_CORS_ORIGINS": "https://pages.example", "KB_FEEDBACK_PER_MINUTE": "3", "KB_REQUEST_TIMEOUT": "1"},
    )
    yield server
    server.stop()


def test_health_reports_each_editions_index_version(service, project):
    body = httpx.get(f"{service.url}/api/health").json()
    assert body["status"] == "ok"
    assert set(body["editions"]) == {"gb", "ni"}
    assert body["editions"]["gb"]["version"] == project[0].search_index.joinpath("gb").resolve().name


def test_health_is_503_before_an_index_exists(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("<h1>x</h1>")
    server = Service(tmp_path, expect_ready=False)
    try:
        response = httpx.get(f"{server.url}/api/health")
        assert response.status_code == 503 and "error" in response.json()
        assert httpx.get(f"{server.url}/api/search?q=x").status_code == 503
    finally:
        server.stop()


def test_search_answers_with_results_an_etag_and_the_index_version(service):
    response = httpx.get(f"{service.url}/api/search", params={"q": "service request", "edition": "gb"})
    assert response.status_code == 200
    assert response.json()[0]["id"] == "first"
    assert response.headers["x-index-version"].startswith("v-")
    again = httpx.get(
        f"{service.url}/api/search",
        params={"q": "service request"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/api/search?q=request", "/gb/index.html", "/gb/no-such-page.html", "/api/nothing"])
def test_every_response_carries_the_security_headers(service, path):
    response = httpx.get(service.url + path)
    assert all(name in response.headers for name in SECURITY_HEADERS), response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_site_pages_get_the_sites_own_policy(service, project):
    policy = httpx.get(f"{service.url}/gb/index.html").headers["content-security-policy"]
    assert policy == (project[0].site / "kb-csp.txt").read_text().strip()


def test_folders_serve_their_index_or_404_never_a_listing(service):
    assert httpx.get(f"{service.url}/gb/").status_code == 200
    listing = httpx.get(f"{service.url}/gb/assets/")
    assert listing.status_code == 404 and listing.json() == {"error": "not found"}


def test_no_file_outside_the_site_is_served_even_through_a_symlink(service, project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    planted = project[0].site / "gb" / "planted.txt"
    os.symlink(secret, planted)
    try:
        assert httpx.get(f"{service.url}/gb/planted.txt").status_code == 404
        assert httpx.get(f"{service.url}/gb/../../secret.txt").status_code == 404
        assert httpx.get(f"{service.url}/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    finally:
        planted.unlink()


def raw(service, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", service.port), timeout=5) as connection:
        connection.sendall(request)
        return connection.recv(65536)


@pytest.mark.parametrize(
    "target",
    [
        b"/api/search?q=x&limit=%C2%B2",  # a superscript two
        b"/api/search?q=x&limit=1%D9%A3",  # an Arabic-Indic digit
        b"/api/search?q=x&limit=99999999999999999999",
        b"/api/search?q=%00",
        b"/api/search?q=%FF%FE",  # not UTF-8
        b"/gb/%00",
        b"/gb/%FF.html",
        b"/api/search?q=" + b"w+" * 90,  # too many words
    ],
)
def test_malformed_requests_are_4xx_json_and_the_worker_keeps_serving(service, target):
    response = raw(service, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    status = int(response.split(b" ", 2)[1])
    assert 400 <= status < 500, response[:300]
    assert b"application/json" in response and b"Traceback" not in response
    assert httpx.get(f"{service.url}/api/health").status_code == 200


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n",  # huge headers
        b"NOT A REQUEST\r\n\r\n",
        b"GET /api/search?q=x\xff HTTP/1.1\r\nHost: x\r\n\r\n",  # a raw byte that is not UTF-8
    ],
)
def test_broken_http_is_refused_and_the_worker_keeps_serving(service, request_bytes):
    response = raw(service, request_bytes)
    assert response == b"" or 400 <= int(response.split(b" ", 2)[1]) < 500
    assert httpx.get(f"{service.url}/api/health").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/feedback"), ("GET", "/api/opened"), ("POST", "/api/search"), ("DELETE", "/gb/index.html")],
)
def test_a_wrong_method_is_405_json_and_the_worker_keeps_serving(service, method, path):
    response = httpx.request(method, service.url + path)
    assert response.status_code == 405 and response.json() == {"error": "method not allowed"}
    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert httpx.get(f"{service.url}/api/health").status_code == 200


def test_bytes_that_are_not_http_get_a_json_400(service):
    response = raw(service, b"NOT A REQUEST\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head
    assert b"x-content-type-options: nosniff" in head and "error" in json.loads(body)


def wait_for_close(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by the socket's timeout)."""
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received


@pytest.mark.parametrize(
    "start",
    [
        b"",  # opens a connection and says nothing
        b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # a head that never ends (slowloris)
    ],
)
def test_a_client_that_never_finishes_its_request_is_disconnected_while_others_are_served(service, start):
    with socket.create_connection(("127.0.0.1", service.port), timeout=15) as slow:
        slow.sendall(start)
        assert httpx.get(f"{service.url}/api/health").status_code == 200  # others are served meanwhile
        slow.sendall(b"X-Dribble: 1\r\n")  # a byte now and then does not buy more time
        answer = wait_for_close(slow)  # KB_REQUEST_TIMEOUT=1 in this module; the socket waits 15 s
    assert answer.startswith(b"HTTP/1.1 408") and b"application/json" in answer
    assert httpx.get(f"{service.url}/api/health").status_code == 200


def test_a_body_that_never_arrives_whole_is_disconnected(service):
    with socket.create_connection(("127.0.0.1", service.port), timeout=15) as slow:
        slow.sendall(
            b"POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"page": '
        )
        assert wait_for_close(slow) == b""  # closed, no answer: the application was reading the body
    assert httpx.get(f"{service.url}/api/health").status_code == 200


def test_a_kept_alive_connection_gets_a_fresh_deadline_for_each_request(service):
    with httpx.Client() as client:  # one connection, several requests, spaced out less than the deadline
        for _ in range(3):
            assert client.get(f"{service.url}/api/search", params={"q": "request"}).status_code == 200
            time.sleep(0.6)


def test_cors_only_for_configured_origins(service):
    allowed = httpx.get(f"{service.url}/api/search?q=request", headers={"Origin": "https://pages.example"})
    assert allowed.headers.get("access-control-allow-origin") == "https://pages.example"
    refused = httpx.get(f"{service.url}/api/search?q=request", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in refused.headers
    preflight = httpx.options(
        f"{service.url}/api/feedback",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def analytics_rows(project, table: str, deadline_seconds: float = 10.0) -> list[tuple]:
    database = project[0].search_index / "analytics.sqlite3"
    deadline = time.monotonic() + deadline_seconds
    rows: list[tuple] = []
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            rows = connection.execute(f"SELECT * FROM {table}").fetchall()
        if rows:
            return rows
        time.sleep(0.1)
    return rows


def test_searches_are_stored_without_personal_data_and_reported(service, project):
    for query in ("FOI request", "Call 020 7946 0000 about jo@example.com", "zzzqqq nothing matches"):
        httpx.get(f"{service.url}/api/search", params={"q": query, "edition": "gb"})
    found = httpx.get(f"{service.url}/api/search", params={"q": "FOI request"})
    httpx.post(f"{service.url}/api/opened", json={"search": found.headers["x-search-id"]})
    time.sleep(0.5)
    rows = analytics_rows(project, "searches")
    queries = {row[3] for row in rows}
    assert "foi request" in queries and "zzzqqq nothing matches" in queries
    assert not any("7946" in q or "@" in q for q in queries)
    database_bytes = (project[0].search_index / "analytics.sqlite3").read_bytes()
    assert b"020 7946 0000" not in database_bytes and b"jo@example.com" not in database_bytes
    report = subprocess.run(
        [sys.executable, "-m", "kb_tools", "report", "searches", "--root", str(project[0].site.parent), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    reported = {row["query"]: row for row in json.loads(report.stdout)}
    assert reported["zzzqqq nothing matches"]["results"] == 0


def test_the_access_log_never_holds_query_strings(service):
    httpx.get(f"{service.url}/api/search", params={"q": "uniquewordforthelog"})
    time.sleep(0.3)
    log = service.log.read_text()
    assert "GET /api/search" in log and "uniquewordforthelog" not in log


def test_feedback_is_validated_stored_rate_limited_and_reported(service, project):
    assert (
        httpx.post(f"{service.url}/api/feedback", json={"page": "first", "edition": "gb", "useful": True}).status_code
        == 204
    )
    for bad in (
        {"page": "first"},
        {"page": "../x", "edition": "gb", "useful": True},
        {"page": "first", "edition": "gb", "useful": False, "reason": "free text"},
        {"page": "first", "edition": "gb", "useful": True, "note": "x"},
    ):
        assert httpx.post(f"{service.url}/api/feedback", json=bad).status_code == 400
    assert (
        httpx.post(f"{service.url}/api/feedback", content=b"x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    statuses = [
        httpx.post(
            f"{service.url}/api/feedback",
            json={"page": "other", "edition": "ni", "useful": False, "reason": "broken-link"},
        ).status_code
        for _ in range(8)
    ]
    assert 204 in statuses and 429 in statuses  # 3 a minute per address, per worker
    rows = analytics_rows(project, "feedback")
    assert any(row[2] == "other" and row[3] == 0 and row[4] == "broken-link" for row in rows)
    report = subprocess.run(
        [sys.executable, "-m", "kb_tools", "report", "feedback", "--root", str(project[0].site.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "NI other" in report.stdout and "broken-link" in report.stdout


def test_two_replicas_pick_up_a_new_index_with_no_failed_request_and_no_mixed_versions(tmp_path):
    paths, tree = make_project(tmp_path / "project")
    old = {e: paths.search_index.joinpath(e).resolve().name for e in ("gb", "ni")}
    replicas = [Service(paths.site.parent), Service(paths.site.parent)]
    seen: list[tuple[int, str, str]] = []
    stop = threading.Event()

    def hammer(replica: Service) -> None:
        with httpx.Client(timeout=10) as client:
            for _ in range(2000):  # bounded
                if stop.is_set():
                    return
                response = client.get(f"{replica.url}/api/search", params={"q": "request", "edition": "gb"})
                seen.append((response.status_code, response.headers.get("x-index-version", ""), response.text[:0]))

    threads = [threading.Thread(target=hammer, args=(r,)) for r in replicas]
    try:
        for thread in threads:
            thread.start()
        tree.page("first", related=("other",), text="Raise a service request to Advice and Guidance, now changed.")
        assert build(paths).ok
        new = paths.search_index.joinpath("gb").resolve().name
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(
            httpx.get(f"{r.url}/api/search", params={"q": "request"}).headers["x-index-version"] == new
            for r in replicas
        ):
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        for replica in replicas:
            replica.stop()
    assert seen and all(status == 200 for status, _, _ in seen)
    assert {version for _, version, _ in seen} <= {old["gb"], new}
    assert new != old["gb"]


def test_the_store_prunes_what_is_older_than_its_retention(tmp_path):
    store = Store(tmp_path / "a.sqlite3", retention_days=90)
    with store.connect() as connection:
        connection.execute(
            "INSERT INTO searches (id, at, edition, query, results) VALUES ('a', '2000-01-01T00:00:00+00:00', 'gb', 'old', 1)"
        )
    store.record_search("new question", "gb", 2)
    store.flush()
    Store(tmp_path / "a.sqlite3", retention_days=90)  # a new worker starts: prunes
    assert [s.query for s in store.query_stats()] == ["new question"]


def test_queries_with_personal_data_are_never_queued(tmp_path):
    store = Store(tmp_path / "a.sqlite3")
    assert store.record_search("NI number AB 12 34 56 C", "gb", 0) is None
    assert store.record_search("ring 07700 900123", "gb", 0) is None
    assert store.record_search("how do I raise an SR", "gb", 3) is not None
    store.flush()
    assert [s.query for s in store.query_stats()] == ["how do i raise an sr"]


def test_search_api_in_site_yml_is_validated(content, capsys):
    from kb_tools.cli import main

    site = content.root / "site.yml"
    site.write_text(site.read_text() + "search_api: javascript:alert(1)\n")
    assert main(["check", "--content", str(content.root)]) == 1
    out = capsys.readouterr().out
    assert "site.yml:13:13:" in out and "must be an https:// address" in out


@pytest.mark.browser
def test_a_static_site_asks_the_search_service_site_yml_names(tmp_path, page):
    """The site published on one server (a plain static host), the service on another: the
    pages carry its address, their policy lets them fetch from it, CORS lets it answer."""
    import functools
    import http.server

    from service_helpers import free_port

    service_root = tmp_path / "service"
    _, tree = make_project(service_root)
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    site_yml = tree.root / "site.yml"
    site_yml.write_text(site_yml.read_text() + f"search_api: {service_url}\n")
    static_paths, _ = make_project_from(tree, tmp_path / "static")
    html = (static_paths.site / "gb/check-before-you-raise-an-sr.html").read_text()
    assert f'<meta name="kb-api" content="{service_url}">' in html
    assert f"connect-src 'self' {service_url}" in html

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(static_paths.site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    service = Service(service_root, env={"KB_CORS_ORIGINS": origin}, port=service_port)
    try:
        page.goto(f"{origin}/gb/check-before-you-raise-an-sr.html")
        page.fill("#kb-search-page-q", "service request")  # the SR check page's search box
        page.locator("#kb-search-page-results a").first.wait_for(timeout=10_000)
        assert page.locator('[data-kb-search="page"]').get_attribute("data-kb-backend") == "service"
        assert any(url.startswith(service_url + "/api/search") for url in page.request_log.urls)
    finally:
        service.stop()
        server.shutdown()
        server.server_close()


def make_project_from(tree: ContentTree, root):
    """A build of an existing content folder into another project folder."""
    root.mkdir(parents=True)
    shutil.copytree(tree.root, root / "content")
    (root / "mkdocs.yml").write_text(
        (REPO / "mkdocs.yml")
        .read_text()
        .replace("custom_dir: kb_tools/site/theme", f"custom_dir: {REPO / 'kb_tools/site/theme'}")
    )
    paths = Paths.for_project(root=root)
    assert build(paths).ok
    return paths, ContentTree(root / "content")


def test_the_feedback_rate_limit_is_per_address_and_bounded_in_memory():
    from kb_tools.search.service import RateLimit

    limit = RateLimit(per_minute=2)
    assert limit.allow("a") and limit.allow("a") and not limit.allow("a")
    assert limit.allow("b")
    for i in range(12_000):
        limit.allow(f"client-{i}")
    assert len(limit.seen) <= 10_001


def test_kb_report_reads_the_file_kb_analytics_names(tmp_path, monkeypatch, capsys):
    from kb_tools.cli import main

    elsewhere = tmp_path / "department" / "searches.sqlite3"
    store = Store(elsewhere)
    store.record_search("maintenance calculation appeal", "ni", 0)
    store.flush()
    monkeypatch.setenv("KB_ANALYTICS", str(elsewhere))
    assert main(["report", "searches", "--root", str(tmp_path / "project"), "--json"]) == 0
    assert [row["query"] for row in json.loads(capsys.readouterr().out)] == ["maintenance calculation appeal"]


def test_kb_report_feedback_on_stored_answers_since_a_date_as_text_and_json(tmp_path, monkeypatch, capsys):
    """`kb report feedback [--since DATE] [--json]`: answers stored by the service, per page,
    the pages with the most "no" first, with the reasons counted."""
    from datetime import UTC, datetime, timedelta

    from kb_tools.cli import main

    analytics = tmp_path / "analytics.sqlite3"
    store = Store(analytics)
    today = datetime.now(UTC)
    old = (today - timedelta(days=20)).isoformat(timespec="seconds")
    recent = (today - timedelta(days=2)).isoformat(timespec="seconds")
    answers = [
        (old, "gb", "first", 0, "broken-link"),
        (recent, "gb", "first", 1, None),
        (recent, "ni", "other", 0, "wrong-or-out-of-date"),
        (recent, "ni", "other", 0, "wrong-or-out-of-date"),
        (recent, "ni", "other", 0, None),
    ]
    with store.connect() as connection:
        connection.executemany(
            "INSERT INTO feedback (at, edition, page, useful, reason) VALUES (?, ?, ?, ?, ?)", answers
        )
    monkeypatch.setenv("KB_ANALYTICS", str(analytics))
    root = str(tmp_path / "project")

    assert main(["report", "feedback", "--root", root, "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert every == [
        {"edition": "ni", "page": "other", "yes": 0, "no": 3, "reasons": {"wrong-or-out-of-date": 2}},
        {"edition": "gb", "page": "first", "yes": 1, "no": 1, "reasons": {"broken-link": 1}},
    ]

    since = (today - timedelta(days=10)).date().isoformat()
    assert main(["report", "feedback", "--root", root, "--since", since]) == 0
    text = capsys.readouterr().out
    assert "NI other: yes 0, no 3 (wrong-or-out-of-date 2)" in text
    assert "GB first: yes 1, no 0" in text and "broken-link" not in text  # the old answer left out

    assert main(["report", "feedback", "--root", root, "--since", today.date().isoformat(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
