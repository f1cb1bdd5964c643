"""Link checking: each kind of broken link, written into a copy of the real content, stops
`kb check` with the path:line:column where it was written; the built site has no broken
link, and lychee, an independent checker, agrees."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb_tools.checks.links import content_link_problems
from kb_tools.cli import main
from kb_tools.config import Paths
from kb_tools.content.validate import check_content
from kb_tools.layout import page_anchors
from kb_tools.pipeline.build import build
from kb_tools.site import built_links as links_module
from kb_tools.site.built_links import read_html, site_link_problems, target_of
from kb_tools.site.checks import SITE_RULES

from conftest import REAL_CONTENT, REPO, new_content, page_yaml, paths_beside

PAGE_LINK = re.compile(r"\(page:([a-z0-9-]+)(#[a-z0-9-]+)?\)")


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def first_in_text_link(root: Path) -> tuple[Path, re.Match]:
    """A real page that links to another page in its text."""
    for file in sorted((root / "pages").rglob("*.yml")):
        match = PAGE_LINK.search(file.read_text(encoding="utf-8"))
        if match:
            return file, match
    raise AssertionError("the real content has no in-text page: link to break")


def break_text(file: Path, start: int, end: int, replacement: str) -> tuple[int, int]:
    """Replace file text[start:end]; returns where the replacement starts."""
    text = file.read_text(encoding="utf-8")
    file.write_text(text[:start] + replacement + text[end:], encoding="utf-8")
    return position(text, start)


def kb_check(content: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["check", "--content", str(content), *extra])
    return code, capsys.readouterr().out


def display(file: Path) -> str:
    """How messages name a file: relative to the working directory when it can be."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def real_section_and_page() -> tuple[str, str]:
    library = check_content(REAL_CONTENT).library
    assert library is not None
    page = library.pages[0]
    return page.section, page.id


# --- the content layer: each kind of broken link --------------------------------------------


def test_unknown_related_id(real_content_copy, capsys):
    file = next(
        f for f in sorted((real_content_copy.root / "pages").rglob("*.yml")) if "\nrelated:\n  - " in f.read_text()
    )
    text = file.read_text(encoding="utf-8")
    start = text.index("\nrelated:\n  - ") + len("\nrelated:\n  - ")
    end = text.index("\n", start)
    line, column = break_text(file, start, end, "no-such-procedure")
    code, out = kb_check(real_content_copy.root, capsys)
    assert code == 1
    assert f"{display(file)}:{line}:{column}: related page 'no-such-procedure' does not exist" in out


def test_broken_in_text_link(real_content_copy, capsys):
    file, match = first_in_text_link(real_content_copy.root)
    line, column = break_text(file, match.start(1), match.end(1), "no-such-procedure")
    code, out = kb_check(real_content_copy.root, capsys)
    assert code == 1
    assert f"{display(file)}:{line}:{column - len('page:')}: link '" in out
    assert "→ 'page:no-such-procedure" in out and "no page has the id 'no-such-procedure'" in out


def test_missing_anchor(real_content_copy, capsys):
    file, match = first_in_text_link(real_content_copy.root)
    line, column = break_text(file, match.start(1), match.end(0) - 1, f"{match.group(1)}#no-such-heading")
    code, out = kb_check(real_content_copy.root, capsys)
    assert code == 1
    expected = f"{display(file)}:{line}:{column - len('page:')}: link '"
    assert expected in out, out
    assert (
        f"→ 'page:{match.group(1)}#no-such-heading': page '{match.group(1)}' has no heading with the anchor '#no-such-heading'"
        in out
    )


def test_link_broken_only_in_ni(real_content_copy, capsys):
    """A link to a heading only the GB edition has is an error for the NI edition alone."""
    section, related = real_section_and_page()
    source = (
        f"id: gb-only-heading\ntitle: Steps for Great Britain\nsummary: A page with a heading only in the GB edition.\n"
        f"section: {section}\nowner: Test team\nlast_reviewed: 2026-11-22\n"
        "body:\n"
        "  - heading: What to do\n"
        "    text: Follow [the GB steps](#gb-steps).\n"
        "  - heading: GB steps\n"
        "    edition: gb\n"
        "    text: Only in Great Britain.\n"
        f"related: [{related}]\n"
    )
    file = real_content_copy.write(f"pages/{section}/gb-only-heading.yml", source)
    line, column = position(source, source.index("#gb-steps"))
    code, out = kb_check(real_content_copy.root, capsys)
    assert code == 1
    assert (
        f"{display(file)}:{line}:{column}: link 'the GB steps' → '#gb-steps': broken in the Northern Ireland (NI) edition: "
        "this page has the heading '#gb-steps' only in the Great Britain (GB) edition"
    ) in out
    assert len([line for line in out.splitlines() if "#gb-steps" in line]) == 1  # one problem, for NI only


def test_link_inside_gb_only_text_is_fine(real_content_copy, capsys):
    section, related = real_section_and_page()
    real_content_copy.write(
        f"pages/{section}/gb-only-heading.yml",
        f"id: gb-only-heading\ntitle: Steps\nsummary: A page with a GB-only heading.\nsection: {section}\nowner: Test team\n"
        "last_reviewed: 2026-11-22\nbody:\n  - heading: What to do\n    text: '{gb: Follow [the GB steps](#gb-steps).}'\n"
        "  - heading: GB steps\n    edition: gb\n    text: Only in Great Britain.\n"
        f"related: [{related}]\n",
    )
    code, out = kb_check(real_content_copy.root, capsys)
    assert code == 0, out


def test_every_broken_link_is_reported_in_one_run(content, capsys):
    content.page("first", text="'See [a](page:nowhere), [b](page:other#nope), [c](#missing) and [d](other-page).'")
    code, out = kb_check(content.root, capsys)
    assert code == 1
    source = (content.root / "pages/first.yml").read_text()
    lines = [line for line in out.splitlines() if "first.yml:9:" in line]
    assert len(lines) == 4, out
    assert "first.yml:{}:{}: link 'a' → 'page:nowhere'".format(*position(source, source.index("page:nowhere"))) in out
    assert "page 'other' has no heading with the anchor '#nope'" in out
    assert (
        "first.yml:{}:{}: link 'c' → '#missing': this page has no heading".format(
            *position(source, source.index("#missing"))
        )
        in out
    )
    assert "link 'd' → 'other-page': not a link the site can publish" in out


def test_links_to_generated_pages_are_checked_by_name(content, capsys):
    content.page("first", text="'Try [the check](site:check-before-you-raise-an-sr) or [the list](site:whats-new).'")
    code, out = kb_check(content.root, capsys)
    source = (content.root / "pages/first.yml").read_text()
    assert code == 1
    assert "check-before-you-raise-an-sr" not in out.replace("site:check-before-you-raise-an-sr,", "")
    assert (
        "first.yml:{}:{}: link 'the list' → 'site:whats-new': no generated page is called 'whats-new': write one of "
        "site:home, site:check-before-you-raise-an-sr, site:whats-changed, site:tags".format(
            *position(source, source.index("site:whats-new"))
        )
    ) in out


def test_positions_in_block_and_folded_text(content, capsys):
    source = page_yaml("first").replace(
        "    text: Some plain text.\n",
        "    text: >\n      First line,\n      then [the other page](page:othre) here.\n",
    )
    content.page("first", source)
    code, out = kb_check(content.root, capsys)
    line, column = position(source, source.index("page:othre"))
    assert code == 1
    assert (
        f"first.yml:{line}:{column}: link 'the other page' → 'page:othre': no page has the id 'othre' (did you mean 'other'?)"
        in out
    )


def test_in_page_link_in_a_summary_is_refused(content, capsys):
    source = page_yaml("first").replace(
        "summary: A short summary of page first.", "summary: 'See [what to do](#what-to-do).'"
    )
    content.page("first", source)
    code, out = kb_check(content.root, capsys)
    assert code == 1
    assert "the summary is also shown on other pages" in out and "write page:first#what-to-do" in out


def test_anchors_depend_on_the_edition(content):
    content.page(
        "first",
        page_yaml("first", extra="faq:\n  - question: Only NI?\n    answer: Yes.\n    edition: ni\n"),
    )
    page = check_content(content.root).library.page("first")
    assert "only-ni" in page_anchors(page, "ni") and "frequently-asked-questions" in page_anchors(page, "ni")
    assert "only-ni" not in page_anchors(page, "gb") and "frequently-asked-questions" not in page_anchors(page, "gb")


def test_synthetic_library_has_no_broken_links(tmp_path):
    from kb_tools.dev.synth import generate

    generate(tmp_path / "synth", 60, seed=3)
    library = check_content(tmp_path / "synth").library
    assert library is not None
    assert content_link_problems(library) == []


# --- the built-site layer ------------------------------------------------------------------


def test_read_html_finds_ids_and_links():
    found = read_html('<h2 id="a">A</h2><a name="b"></a><a href="x.html#a">x</a><img src="i.png"><link href="s.css">')
    assert found.ids == {"a", "b"}
    assert found.urls == ("x.html#a", "i.png", "s.css")


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("gb/s/p/index.html", "../q/index.html#h", ("gb/s/q/index.html", "h")),
        ("gb/s/p/index.html", "#h", ("gb/s/p/index.html", "h")),
        ("gb/index.html", "s/", ("gb/s/index.html", "")),
        ("gb/index.html", "/gb/tags.html", ("gb/tags.html", "")),
        ("gb/index.html", "../ni/a%20b.html", ("ni/a b.html", "")),
    ],
)
def test_targets_resolve_like_a_browser(base, url, expected):
    assert target_of(base, url) == expected


def copy_of_built_site(built_site, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built_site.site, site)
    return site


def test_real_site_has_no_broken_links(built_site):
    library = check_content(REAL_CONTENT).library
    assert site_link_problems(built_site.site, library) == []
    assert not (built_site.site / "gb/404.html").exists()  # its links only work at the server root


def test_lychee_agrees_the_real_site_has_no_broken_links(built_site):
    lychee = Path(sys.executable).with_name("lychee")
    site = built_site.site.resolve()
    command = [
        str(lychee),
        "--offline",
        "--include-fragments",
        "--index-files",
        "index.html",
        "--root-dir",
        str(site),
        "--no-progress",
        str(site / "**/*.html"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = re.search(r"(\d+) Total", result.stdout + result.stderr)
    assert checked and int(checked.group(1)) > 100  # it really looked at the site's links


def test_lychee_and_our_check_both_see_a_removed_page(built_site, tmp_path):
    site = copy_of_built_site(built_site, tmp_path)
    section, page_id = real_section_and_page()
    (site / f"ni/{section}/{page_id}/index.html").unlink()
    lychee = Path(sys.executable).with_name("lychee")
    command = [
        str(lychee),
        "--offline",
        "--include-fragments",
        "--index-files",
        "index.html",
        "--no-progress",
        str(site / "gb" / section / page_id / "index.html"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and f"ni/{section}/{page_id}/index.html" in result.stdout + result.stderr
    problems = site_link_problems(site, check_content(REAL_CONTENT).library)
    switch = [p for p in problems if "Switch to the Northern Ireland edition" in p.message]
    assert switch, [str(p) for p in problems]
    # The GB page that holds the switch is traced to its YAML file; the link is the theme's.
    assert switch[0].path.endswith(f"{page_id}.yml") and "in the theme or navigation" in switch[0].message
    assert f"there is no file ni/{section}/{page_id}/index.html" in switch[0].message


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A two-page library, built once: 'first' links to a heading of 'other'."""
    root = tmp_path_factory.mktemp("small")
    tree = new_content(root / "content")
    tree.page("first", text="'Then [do this](page:other#what-to-do).'")
    tree.page("other", related=("first",))
    paths = paths_beside(tree)
    assert build(paths).ok
    return paths


def test_a_missing_element_id_is_traced_to_the_yaml_link(small_site, tmp_path):
    site = copy_of_built_site(small_site, tmp_path)
    target = site / "ni/guidance/other/index.html"
    target.write_text(target.read_text().replace('id="what-to-do"', 'id="renamed"'))
    library = check_content(small_site.content).library
    problems = site_link_problems(site, library)
    first = (small_site.content / "pages/first.yml").read_text()
    line, column = position(first, first.index("page:other#what-to-do"))
    assert [str(p) for p in problems if p.path.endswith("first.yml")] == [
        f"{library.page('first').source_path}:{line}:{column}: link 'do this' → '../other/index.html#what-to-do': "
        "ni/guidance/other/index.html has no element with id 'what-to-do' (on the built NI page ni/guidance/first/index.html)"
    ]


def test_a_second_check_reads_only_what_changed_and_still_sees_every_broken_link(small_site, tmp_path, monkeypatch):
    """The record of the last check lets the next one skip files that are byte for byte the
    same, unless a file they link to with a #fragment changed or a file they name is gone."""
    site, cache = copy_of_built_site(small_site, tmp_path), tmp_path / "cache"
    library = check_content(small_site.content).library
    parsed: list[str] = []
    monkeypatch.setattr(
        links_module, "read_html", lambda text, real=links_module.read_html: parsed.append(text) or real(text)
    )
    assert site_link_problems(site, library, cache) == []
    pages = len(parsed)
    assert pages > 10 and (cache / f"{links_module.LINK_RECORD}.pickle").is_file()
    parsed.clear()
    assert site_link_problems(site, library, cache) == []
    assert parsed == []  # nothing changed: nothing parsed

    target = site / "ni/guidance/other/index.html"
    target.write_text(target.read_text().replace('id="what-to-do"', 'id="renamed"'))
    parsed.clear()
    problems = [str(p) for p in site_link_problems(site, library, cache)]
    assert any(
        p.startswith(str(library.page("first").source_path)) and "has no element with id 'what-to-do'" in p
        for p in problems
    ), problems
    assert 0 < len(parsed) < pages / 2

    target.write_text(target.read_text().replace('id="renamed"', 'id="what-to-do"'))
    stylesheet = next(site.glob("gb/assets/stylesheets/kb*.css"))
    stylesheet.unlink()
    problems = [str(p) for p in site_link_problems(site, library, cache)]
    pages_linking_it = {p.split(":")[0] for p in problems if stylesheet.name in p}
    assert len(pages_linking_it) > 3, problems  # files that did not change, and were clean, are checked again


def test_theme_link_mkdocs_does_not_check_stops_the_build(content, project_paths, tmp_path):
    """A stylesheet link to a file that is not there: MkDocs builds, the site check stops it."""
    mkdocs_yml = tmp_path / "mkdocs.yml"
    base = (
        (REPO / "mkdocs.yml")
        .read_text()
        .replace("  - assets/stylesheets/kb.css", "  - assets/stylesheets/kb.css\n  - assets/stylesheets/missing.css")
    )
    mkdocs_yml.write_text(
        base.replace("custom_dir: kb_tools/site/theme", f"custom_dir: {REPO / 'kb_tools/site/theme'}")
    )
    paths = project_paths(content.root)
    assert build(paths).ok
    before = {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()}
    content.page("first", text="Changed text.")
    paths = Paths(paths.content, paths.docs, paths.site, paths.search_index, mkdocs_yml)
    result = build(paths)
    assert not result.ok
    messages = [str(p) for p in result.problems]
    assert any(
        "→ 'assets/stylesheets/missing.css': there is no file gb/assets/stylesheets/missing.css" in m for m in messages
    ), messages
    assert any(
        m.startswith(str(paths.site / "gb" / "index.html").removeprefix(str(Path.cwd()) + "/") + ":") for m in messages
    ), messages
    assert {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()} == before


def test_site_checks_include_the_link_check():
    assert site_link_problems in [rule.run for rule in SITE_RULES]


def test_link_positions_are_located_only_for_problems(real_content_copy, monkeypatch):
    """Finding where a link was written is most of the link check's time: only a broken
    link's position is worked out (and it is still exact: the tests above)."""
    from kb_tools.checks import links as content_links

    located: list[str] = []
    real = content_links.text_location
    monkeypatch.setattr(content_links, "text_location", lambda *a, **k: located.append(a[1]) or real(*a, **k))
    library = check_content(real_content_copy.root).library
    assert content_link_problems(library) == []
    assert located == []
    file, match = first_in_text_link(real_content_copy.root)
    text = file.read_text(encoding="utf-8")
    file.write_text(text[: match.start(1)] + "no-such-page" + text[match.end(1) :], encoding="utf-8")
    broken = content_link_problems(check_content(real_content_copy.root).library)
    assert len(broken) == 1 and len(located) == 1


def test_a_search_result_linking_a_missing_section_is_a_broken_link(small_site, tmp_path):
    """The in-browser search's results are links of the site: each page and section it can
    link must be there (the same check as every href)."""
    site = copy_of_built_site(small_site, tmp_path)
    library = check_content(small_site.content).library
    assert site_link_problems(site, library) == []
    part = site / "gb/search-index/d-0.js"
    part.write_text(part.read_text().replace('"what-to-do"', '"what-to-do-renamed"'))
    problems = [str(p) for p in site_link_problems(site, library)]
    assert problems and all("gb/search-index/d-0.js:" in p for p in problems), problems
    assert "#what-to-do-renamed': gb/guidance/" in problems[0] and "a result of the in-browser search" in problems[0]
