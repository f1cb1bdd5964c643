"""kb preview: a save rebuilds the preview, a broken save keeps the last good one and says why."""

from __future__ import annotations

import json
import urllib.request

import pytest

from kb_tools.pipeline import preview

from conftest import page_yaml, paths_beside


def test_the_script_file_goes_before_the_end_of_the_body():
    page = b"<html><body><p>x</p></body></html>"
    out = preview.inject_script(page, 7)
    assert out == b'<html><body><p>x</p><script src="/_kb_preview/preview.js" data-kb-build="7"></script></body></html>'
    assert b"<script>" not in out  # a file, never inline code


def test_a_waiting_state_request_answers_when_the_state_changes():
    state = preview.PreviewState()
    assert state.wait_after(-1, timeout=5)["generation"] == 0  # news already: no wait
    assert state.wait_after(0, timeout=0.01) == {"generation": 0, "build": 0, "errors": []}  # nothing new
    state.succeeded()
    state.failed(["a.yml:1:2: bad"])
    assert state.wait_after(0, timeout=5) == {"generation": 2, "build": 1, "errors": ["a.yml:1:2: bad"]}


def test_the_edition_is_the_first_folder_of_the_address():
    assert preview.edition_of("/ni/guidance/first/index.html", ("gb", "ni")) == "ni"
    assert preview.edition_of("/index.html", ("gb", "ni")) is None


@pytest.fixture
def running(content, tmp_path):
    paths = paths_beside(content)
    said: list[str] = []
    viewer = preview.Preview(paths, tmp_path / "preview", say=said.append)
    served = preview.start(viewer, port=0)
    served.said = said
    yield served
    served.close()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def next_state(running, seen: int) -> dict:
    return json.loads(fetch(f"{running.url}/_kb_preview/state?since={seen}"))


def test_a_save_is_previewed_and_a_broken_save_keeps_the_last_good_page(running, content):
    page_url = f"{running.url}/gb/guidance/first/index.html"
    assert "Some plain text." in fetch(page_url)
    seen = next_state(running, -1)

    content.page("first", related=("other",), text="Text saved a moment ago.")
    state = next_state(running, seen["generation"])
    assert state["build"] == seen["build"] + 1 and state["errors"] == []
    html = fetch(page_url)
    assert "Text saved a moment ago." in html
    assert f'data-kb-build="{state["build"]}"' in html

    broken = page_yaml("first", related=("other",), text="Newer text.").replace("section: guidance", "section: [oops")
    content.page("first", broken)
    failed = next_state(running, state["generation"])
    assert failed["build"] == state["build"]  # no new build: the browser keeps its page
    assert any(e.startswith(f"{content.root / 'pages' / 'first.yml'}:") and ":" in e for e in failed["errors"])
    assert all(e.split(":")[1].isdigit() and e.split(":")[2].isdigit() for e in failed["errors"])
    assert "Text saved a moment ago." in fetch(page_url)  # the last good page stays
    assert any("Preview not updated" in line for line in running.said)
    published = paths_beside(content)
    assert not published.site.exists() and not published.docs.exists()  # the preview has its own folder


def test_the_other_edition_is_built_when_asked_for(running):
    assert running.preview.stale == {"ni"}  # the edition looked at is built first
    assert "Northern Ireland" in fetch(f"{running.url}/ni/guidance/first/index.html")
    assert running.preview.stale == set()
