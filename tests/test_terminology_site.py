"""Both editions as built: the edition switch on every page, and no GB term in NI text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from kb_tools.pipeline.build import build
from kb_tools.site.render import LITERAL_CLASS

from conftest import new_content, paths_beside

EDITIONS = ("gb", "ni")
GB_ONLY = re.compile(r"Child Maintenance Group|\bCMG\b", re.IGNORECASE)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Navigation, the header and <title> repeat page titles and headings as plain text; each is
# checked where it is written (the page's own title and headings, in the article).
REPEATS = {"nav", "header", "title"}
NOT_SHOWN = {"script", "style", "template"}


class Page(HTMLParser):
    """What a reader sees or hears of a page outside deliberate literals and code, the
    literals, and the edition switch links."""

    TEXT, LITERAL, OUT = 0, 1, 2  # a child is at least what its parent is

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []  # (tag, what its text counts as)
        self.text: list[str] = []
        self.literals: list[str] = []
        self.switches: list[tuple[str, str]] = []  # (edition, href)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-kb-edition-switch" in attrs:
            self.switches.append((attrs["data-kb-edition-switch"], attrs.get("href") or ""))
        if tag in VOID:
            return
        # Hidden search words count: the built-in search shows them in result previews.
        if tag in REPEATS | NOT_SHOWN | {"code"}:
            kind = self.OUT
        elif LITERAL_CLASS in (attrs.get("class") or "").split():
            kind = self.LITERAL
            self.literals.append("")
        else:
            kind = self.TEXT
        self.open.append((tag, max([kind, *(k for _, k in self.open[-1:])])))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):  # tolerate tags closed implicitly
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        kind = self.open[-1][1] if self.open else self.TEXT
        if kind == self.TEXT:
            self.text.append(data)
        elif kind == self.LITERAL:
            self.literals[-1] += data


def html_pages(site: Path, edition: str) -> dict[str, Path]:
    root = site / edition
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.html"))}


def resolve(site: Path, page: str, href: str) -> Path | None:
    """The file a link on `page` opens when the site is served at its root, as a browser
    resolves it; None when it leaves the site ("//../gb/" names another host)."""
    url = urlsplit(urljoin(f"http://127.0.0.1/{page}", href))
    if url.netloc != "127.0.0.1":
        return None
    return site / (url.path.lstrip("/") + ("index.html" if url.path.endswith("/") else ""))


def test_every_page_exists_in_both_editions(built_site):
    gb, ni = (set(html_pages(built_site.site, e)) for e in EDITIONS)
    assert gb == ni and len(gb) > 5


def test_the_edition_switch_on_every_page_opens_the_same_page_in_the_other_edition(built_site):
    site = built_site.site
    checked = 0
    for edition, other in (("gb", "ni"), ("ni", "gb")):
        for relative, file in html_pages(site, edition).items():
            switches = Page(file.read_text(encoding="utf-8")).switches
            assert len(switches) == 1 and switches[0][0] == other, (file, switches)
            target = resolve(site, f"{edition}/{relative}", switches[0][1])
            same = site / other / relative
            assert target == same and target.is_file(), (file, switches[0][1], target)
            checked += 1
    assert checked == 2 * len(html_pages(site, "gb"))


def assert_no_gb_terms_in_ni(site: Path) -> list[str]:
    """Returns the deliberate literals seen, for the caller to check."""
    literals = []
    for relative, file in html_pages(site, "ni").items():
        page = Page(file.read_text(encoding="utf-8"))
        shown = " ".join(page.text)
        assert not GB_ONLY.search(shown), (
            relative,
            GB_ONLY.search(shown).group(),
            shown[max(0, GB_ONLY.search(shown).start() - 80) :][:200],
        )
        literals.extend(page.literals)
    return literals


def test_no_ni_page_shows_a_gb_term_outside_literals(built_site):
    assert_no_gb_terms_in_ni(built_site.site)


TERMS_PAGE = """\
id: first
title: The CMG
summary: How the Child Maintenance Group (CMG) works; the CMG's role.
section: guidance
owner: CMG team
last_reviewed: 2026-01-01
tags: [CMG]
body:
  - heading: What the CMG does
    text: |
      The Child Maintenance Group (CMG) decides. See [the CMG page](page:other#what-to-do).

      {gb: Only in Great Britain: the CMG.}{ni: Only in Northern Ireland: the CMG.} The name
      {literal: Child Maintenance Group (CMG)} is quoted.
    steps: [Ask the CMG., "Write `CMG` in the form."]
    notes:
      - kind: note
        text: The Child Maintenance Group's letter.
faq:
  - question: Who is the CMG?
    answer: The Child Maintenance Group.
related: [other]
changes:
  - date: 2026-01-01
    note: The CMG wrote this.
"""


@pytest.fixture(scope="module")
def terms_site(tmp_path_factory):
    """A small site whose page uses the GB terms everywhere a page can hold text."""
    tree = new_content(tmp_path_factory.mktemp("terms") / "content")
    tree.page("first", TERMS_PAGE)
    tree.page("other", related=("first",))
    paths = paths_beside(tree)
    result = build(paths)
    assert result.ok, [str(p) for p in result.check.problems + result.problems]
    return paths.site


def test_terms_everywhere_are_substituted_and_literals_are_marked(terms_site):
    literals = assert_no_gb_terms_in_ni(terms_site)
    # Not vacuous: the GB page has the terms, and the NI page its deliberate literals, marked.
    gb = " ".join(Page((terms_site / "gb/guidance/first/index.html").read_text()).text)
    assert "The Child Maintenance Group (CMG) decides" in gb and "Only in Great Britain" in gb
    ni = " ".join(Page((terms_site / "ni/guidance/first/index.html").read_text()).text)
    assert (
        "The Division decides" in ni
        and "Only in Northern Ireland: the Division" in ni
        and "Only in Great Britain" not in ni
    )
    assert "The Division's letter" in ni and "Who is the Division?" in ni
    assert literals == ["Child Maintenance Group (CMG)"]
    html = (terms_site / "ni/guidance/first/index.html").read_text()
    assert '<span class="kb-literal">Child Maintenance Group (CMG)</span>' in html and "<code>CMG</code>" in html
