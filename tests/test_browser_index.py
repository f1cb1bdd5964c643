"""search/browser_index.py: the published index exported as script files for the page's own search."""

from __future__ import annotations

import json
import re

import pytest

from kb_tools.dev.search_eval import build_search_index
from kb_tools.search import browser_index
from kb_tools.search.index import current_version, edition_folder
from kb_tools.search.query import _OpenIndex

from conftest import paths_beside

CALL = re.compile(r'^kbSearchIndexPart\(("[^"]+"),(.*)\);\n$', re.S)


def exported(content, tmp_path, edition="gb"):
    build_search_index(content.root, tmp_path / "search_index")
    version = current_version(edition_folder(tmp_path / "search_index", edition))
    files = {f.name: f.text for f in browser_index.export(version, edition)}
    return version, files


def data(text: str):
    match = CALL.match(text)
    assert match, text[:80]
    return json.loads(match.group(2))


def test_each_file_is_one_call_naming_itself(content, tmp_path):
    _, files = exported(content, tmp_path)
    assert {"meta.js", "d-0.js"} <= set(files)
    for name, text in files.items():
        assert CALL.match(text).group(1) == json.dumps(name.removesuffix(".js"))
    meta = data(files["meta.js"])
    assert meta["edition"] == "gb" and meta["documents"] == 2
    parts = {f"t-{k}.js" for k in meta["term_parts"]} | {f"w-{k}.js" for k in meta["word_parts"]}
    assert parts | {f"e-{k}.js" for k in meta["english_parts"]} <= set(files)


def test_no_text_can_end_the_script():
    """Validation refuses raw HTML in pages, but the export does not rely on it."""
    text = browser_index._script("d-0", {"title": "Close it </script><script>alert(1)</script>\u2028 and \u2029"})
    assert "</" not in text and "\u2028" not in text and "\u2029" not in text
    assert data(text) == {"title": "Close it </script><script>alert(1)</script>\u2028 and \u2029"}


def scores_from(entry: list, weighting: dict) -> dict[int, float]:
    """What search-engine.js adds up for one term, written again in Python."""
    scores: dict[int, float] = {}

    def add(into: dict[int, float], field: int, idf: float) -> None:
        doc, postings = 0, entry[field]
        for gap, weight in zip(postings[1::2], postings[2::2]):
            doc += gap
            norm = weighting["norms"][field][doc]
            into[doc] = into.get(doc, 0.0) + idf * ((weight * weighting["k1p1"]) / (weight + norm))

    expansion = weighting["expansion"]
    for field, postings in enumerate(entry):
        if postings and field != expansion:
            add(scores, field, postings[0])
    if entry[expansion]:
        expanded: dict[int, float] = {}
        add(expanded, expansion, 1.0)
        for doc, value in expanded.items():
            scores[doc] = scores.get(doc, 0.0) + entry[expansion][0] * value
    return scores


def test_term_scores_are_the_services_own_to_the_last_bit(content, tmp_path):
    content.page("first", text="The paying parent pays. An SR goes to A&G.")
    version, files = exported(content, tmp_path)
    weighting = data(files["n.js"])
    opened = _OpenIndex(version)
    checked = 0
    try:
        for name, text in files.items():
            if name.startswith("t-"):
                for stem, entry in data(text).items():
                    assert scores_from(entry, weighting) == opened.term_scores(stem), stem
                    checked += 1
    finally:
        opened.close()
    assert checked > 10


def test_words_say_what_the_pages_hold_and_what_english_holds(content, tmp_path):
    content.page("first", text="Negotiation of arrears.")
    _, files = exported(content, tmp_path)
    words = {}
    for name, text in files.items():
        if name.startswith("w-"):
            words.update({w: ("page", v) for w, v in data(text).items()})
        elif name.startswith("e-"):
            part = data(text)
            words.update({w: ("english stem", s) for w, s in part["s"].items()})
            words.update({w: ("english", "") for w in part["e"].split()})
    assert words["negotiation"] == ("page", ["negoti", 1])
    assert words["negotiating"] == ("english stem", "negoti")  # a form no page writes finds the page
    assert words["kangaroo"] == ("english", "")  # a real word: searched as typed, never corrected
    assert "zzqx" not in words


def test_parts_are_keyed_by_first_letters():
    assert browser_index.part_key("apple", 1) == "a"
    assert browser_index.part_key("apple", 2) == "ap"
    assert browser_index.part_key("1-2-1", 1) == "1"
    assert browser_index.part_key("école", 1) == "_"
    assert browser_index.part_key("&", 1) == "_"


@pytest.mark.slow
def test_the_build_writes_it_into_each_edition_and_follows_the_synonyms(content):
    """A synonym changes the index but no page's Markdown: the edition is rebuilt all the same,
    so its in-browser index never falls behind the service's."""
    from kb_tools.pipeline.build import build

    paths = paths_beside(content)
    assert build(paths).ok

    def exported(edition: str) -> dict[str, str]:
        return {f.name: f.read_text() for f in (paths.site / edition / "search-index").iterdir()}

    before = {e: exported(e) for e in ("gb", "ni")}
    terminology = content.root / "terminology.yml"
    terminology.write_text(terminology.read_text() + "  - [text, wording]\n", encoding="utf-8")  # pages say "text"
    result = build(paths)
    assert result.ok and set(result.rebuilt) == {"gb", "ni"}
    after = {e: exported(e) for e in ("gb", "ni")}
    assert all(before[e] != after[e] for e in before)


def test_an_index_updated_page_by_page_exports_what_one_built_from_nothing_does(content, tmp_path):
    """Replaced and removed pages leave deleted documents, and changed pages are appended:
    neither may show in the export (the published files must not depend on build history)."""
    content.page("third", related=("first",), text="Arrears and a payment plan.")
    for n in range(8):  # enough pages that a change re-indexes only the pages changed
        content.page(f"page-{n}", related=("first",), text=f"Arrears, plan {n} and a paying parent.")
    build_search_index(content.root, tmp_path / "updated")
    content.page("first", related=("other",), text="Arrears changed, and the paying parent pays.")
    (content.root / "pages" / "third.yml").unlink()
    content.page("fourth", related=("other",), text="A new page about arrears.")
    build_search_index(content.root, tmp_path / "updated")  # only the changes indexed
    build_search_index(content.root, tmp_path / "fresh")
    updated, fresh = (
        {f.name: f.text for f in browser_index.export(current_version(edition_folder(root, "gb")), "gb")}
        for root in (tmp_path / "updated", tmp_path / "fresh")
    )
    assert updated == fresh
    from kb_tools.search.query import SearchService

    for query in ("arrears", "paying parent plan", "page", "new arrears"):
        answers = [
            [(r.id, r.url, r.score) for r in SearchService(root).search(query, "gb", 10).results]
            for root in (tmp_path / "updated", tmp_path / "fresh")
        ]
        assert answers[0] == answers[1], query  # the service too: same scores, same order of equals
