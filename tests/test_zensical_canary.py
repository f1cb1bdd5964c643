"""The Zensical canary (kb_tools/dev/zensical_canary.py, run by .ci/zensical-canary).

Zensical itself is installed from the package registry by the CI script, so these tests do
not run it: they give the canary fake Zensical output (folders written here, or a stand-in
command that builds with MkDocs and then breaks the site as a Zensical release might) and
check what it reports."""

from __future__ import annotations

import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import Paths
from kb_tools.dev.zensical_canary import (
    REPORT_FILE,
    CanaryResult,
    ZensicalRun,
    compare_edition,
    main,
    report_markdown,
    run_canary,
    site_check_findings,
)

from conftest import REPO

PAGE = """<!doctype html><html><head>
<meta name="kb-api" content="">
<link rel="stylesheet" href="{root}assets/stylesheets/kb.css">
</head><body><article><h1>{title}</h1><p>{text}</p>{links}</article></body></html>
"""


def write_page(
    root: Path, relative: str, title: str, text: str = "Some text.", links: str = "", kb: bool = True
) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    depth = "../" * relative.count("/")
    html = PAGE.format(root=depth, title=title, text=text, links=links)
    if not kb:  # a theme that ignored our overrides: no kb-api address, no kb.css
        html = html.replace('<meta name="kb-api" content="">\n', "").replace("kb.css", "theme.css")
    path.write_text(html, encoding="utf-8")


def mkdocs_like(root: Path) -> None:
    write_page(root, "index.html", "Home", links='<a href="guidance/first/index.html">First</a>')
    write_page(root, "guidance/first/index.html", "First", links='<a href="../other/index.html#steps">Other</a>')
    write_page(root, "guidance/other/index.html", "Other", links='<h2 id="steps">Steps</h2>')
    (root / "feed.xml").write_text("<feed/>", encoding="utf-8")
    (root / "assets/stylesheets").mkdir(parents=True)
    (root / "assets/stylesheets/kb.css").write_text("body {}", encoding="utf-8")


def test_the_report_names_a_page_zensical_did_not_build_and_overrides_it_did_not_use(tmp_path):
    mkdocs, zensical = tmp_path / "mkdocs/gb", tmp_path / "zensical/gb"
    mkdocs_like(mkdocs)
    write_page(zensical, "index.html", "Home", links='<a href="guidance/first/index.html">First</a>', kb=False)
    write_page(zensical, "guidance/first/index.html", "First", text="Other words.", kb=False)
    (zensical / "search.json").write_text("{}", encoding="utf-8")
    (zensical / "assets/kb").mkdir(parents=True)
    (zensical / "assets/kb/furniture.js").write_text("", encoding="utf-8")

    comparison = compare_edition(mkdocs, zensical, "gb")
    assert comparison.missing_pages == ("guidance/other/index.html",)
    assert comparison.extra_pages == ()
    assert comparison.missing_files == ("feed.xml",) and comparison.extra_files == ("search.json",)
    assert comparison.text_differs == ("guidance/first/index.html",)
    assert "assets/stylesheets/kb.css" in comparison.missing_theme_assets
    assert "assets/kb/furniture.js" not in comparison.missing_theme_assets
    counts = {c.marker.name: (c.mkdocs, c.zensical) for c in comparison.markers}
    assert counts["search service address"] == (3, 0)
    assert counts["site stylesheet kb.css"] == (3, 0)

    report = report_markdown(CanaryResult("9.9.9", editions=[comparison]))
    assert "# Zensical canary: Zensical 9.9.9" in report
    assert "- Pages: MkDocs 3, Zensical 2" in report
    assert "- Pages missing from the Zensical build: 1\n  - `guidance/other/index.html`" in report
    assert "- Other files only Zensical wrote: 1\n  - `search.json`" in report
    assert "- search service address (main.html (extrahead)): 3 → 0, **not used by Zensical**" in report


def test_the_report_names_a_broken_link_in_the_zensical_output(tmp_path, content):
    library = check_all(content.root, CheckOptions()).library
    assert library is not None
    site = tmp_path / "zensical-site"
    mkdocs_like(site / "gb")
    mkdocs_like(site / "ni")
    write_page(site / "ni", "index.html", "Home", links='<a href="guidance/gone/index.html">Gone</a>')

    links, flagged, findings = site_check_findings(site, library)
    assert len(links) == 1 and "there is no file ni/guidance/gone/index.html" in links[0], links
    assert flagged == [] and not findings  # the fake pages hold only what the allow-list knows

    report = report_markdown(
        CanaryResult("9.9.9", editions=[compare_edition(site / "gb", site / "gb", "gb")], link_problems=links)
    )
    assert "- Link check (kb_tools/site/built_links.py): 1 problem\n  - `" in report
    assert "'Gone' → 'guidance/gone/index.html'" in report
    assert "- HTML allow-list check (kb_tools/site/built_html.py): no pages flagged" in report


def test_a_zensical_that_fails_is_reported_and_the_canary_still_exits_0(tmp_path, content):
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")  # the project folder: content/ and mkdocs.yml
    missing = tmp_path / "no-such-zensical"
    assert main(["--zensical", str(missing), "--project", str(tmp_path), "--no-build"]) == 0
    report = (tmp_path / REPORT_FILE).read_text(encoding="utf-8")
    assert "- GB: could not start" in report and "- NI: could not start" in report
    assert "- Not run: no Zensical output to check (see above)." in report
    failed = report_markdown(
        CanaryResult("1.0", runs=[ZensicalRun("gb", 1, 0.5, "Error: site_dir must be within project root")])
    )
    assert "- GB: failed (exit 1) in 0.5 s" in failed and "  Error: site_dir must be within project root" in failed


# A stand-in for `zensical build -f <config>`: builds the generated config with MkDocs into the
# config's own site_dir (what Zensical does with it), then loses a page and breaks a link.
FAKE_ZENSICAL = textwrap.dedent(
    """\
    #!{python}
    import subprocess, sys
    from pathlib import Path
    if sys.argv[1] == "--version":
        print("zensical, version 0.0.0-fake")
        sys.exit(0)
    config = Path(sys.argv[sys.argv.index("-f") + 1])
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True)
    site = config.parent / "_site" / config.stem.split(".")[1]
    (site / "guidance" / "other" / "index.html").unlink()
    """
)


@pytest.mark.slow
def test_the_canary_builds_the_generated_configs_as_written_and_reports_what_broke(tmp_path, content):
    paths = Paths(content.root, tmp_path / "docs", tmp_path / "site", tmp_path / "search_index", REPO / "mkdocs.yml")
    fake = tmp_path / "fake-zensical"
    fake.write_text(FAKE_ZENSICAL.format(python=sys.executable), encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    result = run_canary(paths, [str(fake)], tmp_path / "canary", browser=False)

    assert result.zensical_version == "0.0.0-fake"
    assert [(run.edition, run.ok) for run in result.runs] == [("gb", True), ("ni", True)], (
        result.build_note,
        result.runs,
    )
    assert "`kb build` passed" in result.build_note
    gb = result.editions[0]
    assert gb.missing_pages == ("guidance/other/index.html",)
    assert gb.text_differs == () and gb.missing_theme_assets == ()
    counts = {c.marker.name: (c.mkdocs, c.zensical) for c in gb.markers}
    assert counts["search service address"] == (8, 7)  # on every page but the lost one: the same theme
    assert counts["print and feedback"] == (2, 1)
    # Links to the lost page, from the navigation and from 'first' (its related page), are found.
    assert any("gb/guidance/other/index.html" in problem for problem in result.link_problems), result.link_problems
    assert (tmp_path / "canary/site/index.html").is_file()  # finished as kb build finishes a site
    assert not (tmp_path / "docs/_site/gb").exists()  # moved out of the config's folder
    assert not (tmp_path / "canary/site/gb/404.html").exists()
    assert (paths.site / "gb/guidance/other/index.html").is_file()  # the published MkDocs site is untouched


# A home page whose search box lists a result for whatever is typed (a stand-in for the
# search component; its own browser tests are elsewhere), for the canary's browser check.
SEARCH_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Home</title></head><body>
<header class="md-header" style="background: rgb(29, 112, 184)">Procedures</header>
<form role="search"><input type="search" aria-controls="found" aria-label="Search"></form>
<ul id="found"></ul><script src="search.js"></script></body></html>
"""
SEARCH_SCRIPT = """
var script = document.createElement("script");
script.src = "search-index/manifest.js";
document.head.appendChild(script);
document.querySelector("input").addEventListener("input", function (event) {
  var list = document.getElementById("found");
  list.innerHTML = "";
  if (event.target.value.length < 3) return;
  var link = document.createElement("a");
  link.href = "first.html";
  link.textContent = "Raise an SR  (" + event.target.value.length + " letters)";
  list.appendChild(document.createElement("li")).appendChild(link);
});
"""


@pytest.mark.browser
def test_the_browser_check_types_into_the_search_box_and_reads_the_results(tmp_path, browser):
    from kb_tools.dev.zensical_canary import SEARCH_QUERY, search_box_check

    with_box, without_box = tmp_path / "with/gb", tmp_path / "without/gb"
    (with_box / "search-index").mkdir(parents=True)
    (with_box / "index.html").write_text(SEARCH_PAGE, encoding="utf-8")
    (with_box / "search.js").write_text(SEARCH_SCRIPT, encoding="utf-8")
    (with_box / "search-index/manifest.js").write_text("", encoding="utf-8")
    write_page(without_box, "index.html", "Home")

    found = search_box_check(browser, with_box, "Zensical", "gb")
    assert found.box and found.index_files == 1 and found.errors == ()
    assert found.header_colour == "rgb(29, 112, 184)"
    assert found.results == (f"Raise an SR ({len(SEARCH_QUERY)} letters)",)  # read after the whole query was typed
    missing = search_box_check(browser, without_box, "Zensical", "gb")
    assert not missing.box and missing.results == ()
    comparison = compare_edition(with_box, with_box, "gb")
    report = report_markdown(CanaryResult("1.0", editions=[comparison], browser_checks=[found, missing]))
    assert (
        "- Zensical GB: search box present, results from the in-browser index (1 index files loaded): 'Raise an SR"
        in report
    )
    assert "- Zensical GB: no search box on the home page" in report
