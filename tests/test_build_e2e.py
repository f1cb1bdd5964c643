"""End to end: the real content builds into a temporary folder, every page reachable."""

import json
import re
import shutil

import pytest

from kb_tools.content.validate import check_content
from kb_tools.pipeline.build import build
from kb_tools.pipeline.fingerprint import FINGERPRINT_FILE

from conftest import REAL_CONTENT

pytestmark = pytest.mark.slow


def test_real_content_builds_both_editions(project_paths):
    paths = project_paths(REAL_CONTENT)
    result = build(paths)
    assert result.ok, [str(p) for p in result.check.problems]
    library = check_content(REAL_CONTENT).library
    assert (paths.site / "index.html").exists()
    for edition in ("gb", "ni"):
        home = (paths.site / edition / "index.html").read_text()
        for page in library.pages:
            built = paths.site / edition / page.section / page.id / "index.html"
            assert built.exists(), built
            # reachable from the navigation (the nav is on every page, including home)
            assert re.search(rf'href="{page.section}/{page.id}/index.html"', home), (
                f"{page.id} not in {edition} navigation"
            )


def test_failed_build_leaves_the_previous_site(project_paths, content):
    paths = project_paths(content.root)
    assert build(paths).ok
    before = {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()}
    content.page("first", related=("missing",))
    assert not build(paths).ok
    assert {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()} == before


def test_unchanged_build_keeps_the_site_and_skips_mkdocs(project_paths, content):
    paths = project_paths(content.root)
    first = build(paths)
    assert first.ok and first.rebuilt == ("gb", "ni")
    recorded = json.loads((paths.site / FINGERPRINT_FILE).read_text())
    assert set(recorded) == {"gb", "ni", "root"}
    before = {p: p.stat().st_ino for p in paths.site.rglob("*") if p.is_file()}
    second = build(paths)
    assert second.ok and second.rebuilt == () and "mkdocs" not in second.timings
    assert {p: p.stat().st_ino for p in paths.site.rglob("*") if p.is_file()} == before


def test_an_edition_only_change_rebuilds_only_that_edition(project_paths, content):
    paths = project_paths(content.root)
    assert build(paths).ok
    gb_home = paths.site / "gb/index.html"
    inode = gb_home.stat().st_ino
    content.page("first", text='"Some plain text.{ni: Only in Northern Ireland.}"')
    result = build(paths)
    assert result.ok and result.rebuilt == ("ni",)
    assert gb_home.stat().st_ino == inode  # the published GB files were kept (hard links)
    assert "Only in Northern Ireland." in (paths.site / "ni/guidance/first/index.html").read_text()
    assert "Only in Northern Ireland." not in (paths.site / "gb/guidance/first/index.html").read_text()


def test_a_lost_fingerprint_or_missing_edition_means_a_rebuild(project_paths, content):
    paths = project_paths(content.root)
    assert build(paths).ok
    (paths.site / FINGERPRINT_FILE).unlink()
    assert build(paths).rebuilt == ("gb", "ni")
    shutil.rmtree(paths.site / "ni")
    assert build(paths).rebuilt == ("ni",)


def test_a_page_carries_its_own_navigation_group_not_the_whole_section(project_paths, content, monkeypatch):
    import kb_tools.site.render as render

    monkeypatch.setattr(render, "NAV_GROUP_PAGES", 3)
    for letter in "abcdefg":
        content.page(f"{letter}-page", related=("first",))
    paths = project_paths(content.root)
    assert build(paths).ok
    html = (paths.site / "gb/guidance/a-page/index.html").read_text()
    assert 'href="../b-page/' in html  # a page in its own group ("Page a" to "Page b…")
    assert 'href="../other/' not in html  # "Page other" is in the last group: pruned


def published_files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def indexed_documents(paths, edition):
    from kb_tools.search import index

    ix = index.open_version(index.current_version(index.edition_folder(paths.search_index, edition)))
    with ix.searcher() as searcher:
        return sorted(json.dumps(doc, sort_keys=True, default=str) for doc in searcher.documents())


def test_builds_after_random_edits_publish_what_a_build_from_nothing_does(tmp_path):
    """Fixed seed: edits of every kind, each followed by a build that reuses what it can (pages
    rendered, checks, editions, the index); then every published file is compared with a build
    of the same content from nothing, and the index holds the same documents."""
    import random

    from kb_tools.config import Paths
    from kb_tools.dev import synth

    from conftest import EDIT_KINDS, REPO, random_edit

    corpus = synth.generate(tmp_path / "content", 12, 5)

    folder = tmp_path / "kept"
    kept = Paths(corpus.root, folder / "docs", folder / "site", folder / "index", REPO / "mkdocs.yml", folder / "cache")
    assert build(kept).ok
    rng = random.Random(17)
    # The glossary and the words to avoid came after the other inputs: always among the edits.
    later_inputs = ["glossary", "style"]
    edits = later_inputs + rng.sample([k for k in EDIT_KINDS if k not in later_inputs], 3)
    for step, kind in enumerate(rng.sample(edits, len(edits)), 1):
        random_edit(rng, corpus, step, kind)
        result = build(kept)
        assert result.ok, [str(p) for p in result.check.problems + result.problems][:3]
    after_edits = published_files(kept.site)
    documents = {edition: indexed_documents(kept, edition) for edition in ("gb", "ni")}
    shutil.rmtree(tmp_path / "kept")  # the same folders from nothing (kb-build.json names them)
    assert build(kept).ok
    assert after_edits == published_files(kept.site)
    for edition in ("gb", "ni"):
        assert documents[edition] == indexed_documents(kept, edition)
