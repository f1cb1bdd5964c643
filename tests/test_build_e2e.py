"""End to end: the real content builds into a temporary folder, every page reachable."""

import re

from kb_tools.build import build
from kb_tools.validate import check_content

from conftest import REAL_CONTENT


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
            assert re.search(rf'href="{page.section}/{page.id}/index.html"', home), f"{page.id} not in {edition} navigation"


def test_failed_build_leaves_the_previous_site(project_paths, content):
    paths = project_paths(content.root)
    assert build(paths).ok
    before = {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()}
    content.page("first", related=("missing",))
    assert not build(paths).ok
    assert {p: p.read_bytes() for p in paths.site.rglob("*") if p.is_file()} == before
