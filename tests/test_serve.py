"""`kb serve`: the site's files and GET /api/search, with JSON errors and never a traceback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from service_helpers import Service
from test_index import build_index


@pytest.fixture
def served(content, tmp_path):
    """`kb serve` (a real uvicorn process) on a site and a GB-only index."""
    (tmp_path / "site" / "gb").mkdir(parents=True)
    (tmp_path / "site" / "gb" / "index.html").write_text("<h1>GB home</h1>", encoding="utf-8")
    (tmp_path / "site" / "index.html").write_text("<h1>Choose an edition</h1>", encoding="utf-8")
    build_index(content, tmp_path / "search_index")
    server = Service(tmp_path, expect_ready=False)  # health is 503: the NI index is not built
    yield server.url + "/"
    server.stop()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def test_search_api_returns_the_results_as_json(served):
    status, kind, body = get(f"{served}api/search?q=page+first&edition=gb&limit=5")
    assert (status, kind) == (200, "application/json")
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
    assert (status, kind) == (400, "application/json")
    assert message in json.loads(body)["error"]
    assert "Traceback" not in body


def test_missing_index_is_503_with_a_json_error(served, tmp_path):
    status, _, body = get(f"{served}api/search?q=x&edition=ni")  # only the GB index was built
    assert status == 503
    assert "run `kb build` first" in json.loads(body)["error"]


def test_site_files_are_served(served):
    status, kind, body = get(f"{served}gb/index.html")
    assert (status, kind.split(";")[0], body) == (200, "text/html", "<h1>GB home</h1>")
    assert get(f"{served}gb/missing.html")[0] == 404


def test_only_listens_on_the_loopback_address(served):
    """The bound socket, read from the system: 127.0.0.1 answers, no other address of the machine does."""
    port = int(served.rsplit(":", 1)[1].strip("/"))
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    bound = [fields[1] for fields in listening if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port]
    assert bound == ["0100007F:" + f"{port:04X}"]  # 127.0.0.1, little-endian as the kernel writes it
