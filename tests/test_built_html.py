"""The built-site allow-list check and the Content-Security-Policy the build writes."""

from __future__ import annotations

import shutil

import pytest

from kb_tools.content.validate import check_content
from kb_tools.site.built_html import built_html_problems, page_findings
from kb_tools.site.csp import CSP_FILE, protect_page, script_hashes

from conftest import REAL_CONTENT

THEME_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>T</title>
<script src="assets/x.js"></script><script id="__config" type="application/json">{"a": 1}</script></head>
<body><main class="md-main"><h1 id="t">T</h1><p>Text <a href="../x/index.html#a">x</a> and <code>c</code>.</p>
<a href="https://www.gov.uk">GOV.UK</a> <a href="mailto:team@example.org">mail</a></main></body></html>"""


def test_a_page_as_the_theme_writes_it_passes():
    assert page_findings(THEME_PAGE) == []


@pytest.mark.parametrize(
    ("planted", "finding"),
    [
        ("<img src=x>", "the element <img>"),
        ('<svg><animate onbegin="alert(1)" attributeName="x"/></svg>', "the element <animate>"),
        ('<a href="javascript:alert(1)">x</a>', "a 'javascript:' address in href on <a>"),
        ('<a href="java\tscript:alert(1)">x</a>', "a 'javascript:' address in href on <a>"),
        ('<a href="data:text/html,x">x</a>', "a 'data:' address in href on <a>"),
        ('<p onclick="x()">x</p>', "the attribute 'onclick' on <p>"),
        ('<p style="x">x</p>', "the attribute 'style' on <p>"),
        ("<script>alert(1)</script>", "an inline script the theme does not write"),
        ('<base href="https://evil.example/">', "the element <base>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', '<meta http-equiv="refresh">'),
        ('<iframe src="https://evil.example"></iframe>', "the element <iframe>"),
        ('<form action="ftp://x"></form>', "a 'ftp:' address in action on <form>"),
    ],
)
def test_anything_the_theme_does_not_write_is_found(planted, finding):
    page = THEME_PAGE.replace('<h1 id="t">T</h1>', f'<h1 id="t">T</h1>{planted}')
    assert finding in page_findings(page)


def test_a_planted_tag_in_a_built_site_stops_the_build_and_names_the_yaml(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site.site, site)
    library = check_content(REAL_CONTENT).library
    assert built_html_problems(site, library) == []
    target = site / "gb/assurance-and-guidance/mp-enquiries/index.html"
    target.write_text(target.read_text().replace("</h1>", '</h1><img src="x" onerror="alert(1)">', 1))
    problems = [str(p) for p in built_html_problems(site, library)]
    assert len(problems) == 1 and problems[0].startswith(str(library.page("mp-enquiries").source_path))
    assert "the element <img>" in problems[0]


def test_the_findings_of_unchanged_pages_are_reused_and_a_changed_page_is_checked_again(
    built_site, tmp_path, monkeypatch
):
    from kb_tools.site import built_html

    site, cache = tmp_path / "site", tmp_path / "cache"
    shutil.copytree(built_site.site, site)
    library = check_content(REAL_CONTENT).library
    assert built_html_problems(site, library, cache) == []
    parsed: list[int] = []
    real = built_html.page_findings
    monkeypatch.setattr(built_html, "page_findings", lambda html: parsed.append(1) or real(html))
    assert built_html_problems(site, library, cache) == []
    assert parsed == []  # every page's bytes were checked before
    target = site / "gb/assurance-and-guidance/mp-enquiries/index.html"
    target.write_text(target.read_text().replace("</h1>", "</h1><script>alert(1)</script>", 1))
    problems = [str(p) for p in built_html_problems(site, library, cache)]
    assert parsed == [1] and len(problems) == 1 and "an inline script" in problems[0]


def test_every_built_page_carries_a_policy_with_its_inline_script_hashes(built_site):
    pages = list(built_site.site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        html = page.read_text()
        assert html.count('http-equiv="Content-Security-Policy"') == 1, page
        head = html[: html.index("</head>")]
        policy = head.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert "base-uri 'self'" in policy and "object-src 'none'" in policy
        assert all(h in policy for h in script_hashes(html))
        assert head.index("Content-Security-Policy") < head.find("<script") or "<script" not in head
    union = (built_site.site / CSP_FILE).read_text()
    assert "frame-ancestors 'none'" in union


def test_protecting_a_page_twice_keeps_one_policy():
    once, _ = protect_page(THEME_PAGE)
    twice, _ = protect_page(once)
    assert once == twice and once.count("Content-Security-Policy") == 1
