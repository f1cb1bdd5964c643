"""`kb serve`: the site's files and GET /api/search, with JSON errors and never a traceback."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from test_index import build_index

from kb_tools.search.service import make_server, server_url


@pytest.fixture
def served(content, tmp_path):
    site = tmp_path / "site"
    (site / "gb").mkdir(parents=True)
    (site / "gb" / "index.html").write_text("<h1>GB home</h1>", encoding="utf-8")
    build_index(content, tmp_path / "search_index")
    server = make_server(site, tmp_path / "search_index", port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server_url(server)
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def test_search_api_returns_the_results_as_json(served):
    status, kind, body = get(f"{served}api/search?q=page+first&edition=gb&limit=5")
    assert (status, kind) == (200, "application/json; charset=utf-8")
    results = json.loads(body)
    assert results[0]["id"] == "first"
    assert set(results[0]) >= {"id", "title", "url", "edition", "score", "snippet", "searched_for"}
    assert results[0]["url"] == "/gb/guidance/first/"


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "the query is empty"),
        ("q=", "the query is empty"),
        ("q=x&edition=fr", "unknown edition 'fr'"),
        ("q=x&limit=0", "limit must be a whole number from 1 to 50"),
        ("q=x&limit=ten", "limit must be a whole number"),
        ("q=x&limit=-1", "limit must be a whole number"),
        ("q=" + "x" * 201, "the query is too long"),
    ],
)
def test_bad_parameters_get_400_with_a_json_error(served, query, message):
    status, kind, body = get(f"{served}api/search?{query}")
    assert (status, kind) == (400, "application/json; charset=utf-8")
    assert message in json.loads(body)["error"]
    assert "Traceback" not in body


def test_missing_index_is_503_with_a_json_error(served, tmp_path):
    status, _, body = get(f"{served}api/search?q=x&edition=ni")  # only the GB index was built
    assert status == 503
    assert "run `kb build` first" in json.loads(body)["error"]


def test_site_files_are_served(served):
    status, kind, body = get(f"{served}gb/index.html")
    assert (status, kind, body) == (200, "text/html", "<h1>GB home</h1>")
    assert get(f"{served}gb/missing.html")[0] == 404


def test_only_listens_on_the_loopback_address(content, tmp_path):
    build_index(content, tmp_path / "search_index")
    server = make_server(tmp_path, tmp_path / "search_index", port=0, quiet=True)
    try:
        assert server.socket.getsockname()[0] == "127.0.0.1"  # the bound socket, not a setting
    finally:
        server.server_close()
