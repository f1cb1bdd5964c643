"""Hostile and careless input, case by case: every one is refused by `kb check` with the
file, line and column, a non-zero exit and no traceback; a few go through `kb build` too, to
show nothing is published and nothing reaches the search index.

The text cases sit in a page's body text, which starts at line 9, column 11 (a double-quoted
value at column 12): each names the offset of the finding inside the text.
"""

from __future__ import annotations

import pytest

from kb_tools.cli import main
from kb_tools.pipeline.build import build

from conftest import page_yaml, paths_beside

TEXT_LINE, TEXT_COLUMN = 9, 11
NBSP, SHY, ZWSP = "\u00a0", "\u00ad", "\u200b"

# (text written in the body, what the message says, offset of the finding in the text)
TEXT_CASES = [
    # personal data: National Insurance numbers in disguise
    ("NI AB 12 34 56 C here", "National Insurance number", 3),
    ("NI AB-12-34-56-C here", "National Insurance number", 3),
    ("NI AB.12.34.56.C here", "National Insurance number", 3),
    ("NI AB/12/34/56/C here", "National Insurance number", 3),
    (f"NI AB{NBSP}12{NBSP}34{NBSP}56{NBSP}C here", "National Insurance number", 3),
    (f"NI AB12{ZWSP}3456C here", "National Insurance number", 3),
    ("NI ＡＢ１２３４５６Ｃ here", "National Insurance number", 3),
    ("NI **AB12**3456C here", "National Insurance number", 5),
    ("NI `AB12`3456C here", "National Insurance number", 4),
    ("NI {gb: AB12}{ni: CD12}3456C here", "National Insurance number", 8),
    ("nino ab123456c", "National Insurance number", 5),
    # phone numbers
    ("Ring 020 7946 0000 now", "phone number", 5),
    ("Ring 0044 20 7946 0000 now", "phone number", 5),
    ("Ring +44 (0)20 7946 0000 now", "phone number", 5),
    ("Ring 020.7946.0000 now", "phone number", 5),
    (f"Ring 020{NBSP}7946{NBSP}0000 now", "phone number", 5),
    (f"Ring 020 79{SHY}46 0000 now", "phone number", 5),
    ("Ring 020 **7946** 0000 now", "phone number", 5),
    ("Ring ０２０ ７９４６ ００００ now", "phone number", 5),
    ("Ring 07700 900123 now", "phone number", 5),
    ("Ring +44 7700 900123 now", "phone number", 5),
    ("Ring (020) 7946-0000 now", "phone number", 5),
    # email addresses
    ("Mail jo.bloggs@example.com today", "email address", 5),
    ("Mail jo@exämple.co.uk today", "email address", 5),
    ("Mail jo＠example.com today", "email address", 5),
    ("Mail jo.bloggs at example dot com today", "email address written in words", 5),
    ("Mail jo (at) example (dot) org today", "email address written in words", 5),
    ("Mail **jo**@example.com today", "email address", 7),
    # postcodes
    ("Lives at SW1A 1AA now", "postcode", 9),
    ("Lives at sw1a 1aa now", "postcode", 9),
    ("Lives at Bt1 5gs now", "postcode", 9),
    ("Lives at SW1A-1AA now", "postcode", 9),
    ("Lives at M11AE now", "postcode", 9),
    # bank and card details, dates of birth, references
    ("Sort code 12-34-56 account 12345678 here", "sort code and account number", 10),
    ("IBAN GB82 WEST 1234 5698 7654 32 here", "IBAN", 5),
    ("Card 4111 1111 1111 1111 here", "payment card number", 5),
    ("Card 4111-1111-1111-1111 here", "payment card number", 5),
    ("Jo Bloggs, date of birth 12/03/1980, called", "date of birth", 11),
    ("Jo Bloggs, born on 12 March 1980, called", "date of birth", 11),
    ("Jo Bloggs DOB: 1 Jan 1980", "date of birth", 10),
    ("See case 123456789 first", "case reference", 4),
    ("SR number 12345678 raised", "case reference", 0),
    # markup and script
    ("Title <svg/onload=alert(1)> here", "raw HTML", 6),
    ("Pic <img/src=x onerror=alert(1)> here", "raw HTML", 4),
    ("Frame <iframe/src=https://example.org> x", "raw HTML", 6),
    ("Base <base/href=https://example.org/> x", "raw HTML", 5),
    ("Meta <meta/http-equiv=refresh> x", "raw HTML", 5),
    ("Old <b>bold</b> here", "raw HTML", 4),
    ("Hidden <!-- comment --> here", "raw HTML", 7),
    ("Odd <?php echo 1 ?> here", "raw HTML", 4),
    ("Go [x](javascript:alert(1)) now", "a script URL", 7),
    ("Go [x](java script:alert(1)) now", "a script URL", 7),
    ("Go [x](vbscript:msgbox(1)) now", "a script URL", 7),
    ("Go [x](data:text/html;base64,PHNjcmlwdD4=) now", "a data: URL", 7),
    ("Go [x](ftp://example.org/file) now", "'ftp:' links are not published", 7),
    ("Go [x](file:///etc/passwd) now", "'file:' links are not published", 7),
    ("Click onclick=alert(1) now", "event-handler attribute", 6),
    ("Wait onanimationstart=alert(1) now", "event-handler attribute", 5),
    ("Text \u202eevil\u202c here", "bidirectional control character", 5),
    ("Text \u2066isolate\u2069 here", "bidirectional control character", 5),
]


@pytest.mark.parametrize(("text", "expected", "offset"), TEXT_CASES)
def test_hostile_text_is_refused_where_it_was_written(content, capsys, text, expected, offset):
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    content.page("first", related=("other",), text=quoted)
    code = main(["check", "--content", str(content.root)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    lines = [line for line in (out + err).splitlines() if expected in line]
    assert lines, out + err
    column = TEXT_COLUMN + 1 + offset
    assert any(f"first.yml:{TEXT_LINE}:{column}:" in line for line in lines), (column, lines)


# (what is wrong, the page file's text with {page} standing for a valid page, the line, column and message)
def page(**fields: str) -> str:
    text = page_yaml("first")
    for key, value in fields.items():
        lines = text.splitlines()
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
        text = "\n".join(lines) + "\n"
    return text


FILE_CASES = [
    (
        "a title tag",
        page(title='\'Telephony <svg/x="1"><animate/onbegin="alert(1)"/attributeName="x"/dur="1s">\''),
        2,
        19,
        "raw HTML",
    ),
    ("a quote in a title", page(title="'Call \"now\"'"), 2, 14, "double quote"),
    ("a character reference in a summary", page(summary="Less &lt;script&gt; here"), 3, 15, "character reference"),
    ("a quote in the owner", page(owner="'Team \"A\"'"), 5, 14, "double quote"),
    ("a binary tag", page(summary="!!binary aGVsbG8="), 3, 10, "YAML tags ('!!binary')"),
    ("a custom tag", page(summary="!custom x"), 3, 10, "YAML tags ('!custom')"),
    ("a python tag", page(summary="!!python/object:os.system x"), 3, 10, "YAML tags ('!!python/object:os.system')"),
    ("an alias", page_yaml("first") + "tags: &a [x]\nkeywords: *a\n", 13, 11, "aliases"),
    ("a duplicate key", page_yaml("first") + "title: Again\n", 12, 1, "duplicate key 'title'"),
    ("last reviewed in the future", page(last_reviewed="2999-01-01"), 6, 16, "after today"),
    (
        "a change note in the future",
        page_yaml("first") + "changes:\n  - date: 2999-01-01\n    note: Later.\n",
        13,
        11,
        "after today",
    ),
    ("a reserved Windows name as id", page(id="con"), 1, 5, "Windows reserves"),
    ("nul as a related id", page_yaml("first").replace("  - other", "  - nul"), 11, 5, "Windows reserves"),
    ("a slug with a trailing line break", page(id='"first\\n"'), 1, 5, "ends with a line break"),
    (
        "a minor flag that is not true or false",
        page_yaml("first") + "changes:\n  - date: 2026-01-01\n    note: Fixed.\n    minor: maybe\n",
        15,
        12,
        "must be one of",
    ),
    (
        "a heading taking a fixed anchor",
        page_yaml("first").replace("  - heading: What to do", "  - heading: Related pages"),
        8,
        14,
        "belongs to a heading every page has",
    ),
]


@pytest.mark.parametrize(("what", "source", "line", "column", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_hostile_files_are_refused_where_they_were_written(content, capsys, what, source, line, column, expected):
    content.page("first", source=source)
    code = main(["check", "--content", str(content.root)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert any(f"first.yml:{line}:{column}:" in entry and expected in entry for entry in (out + err).splitlines()), (
        out + err
    )


def test_a_page_outside_its_sections_folder_is_refused(content, capsys):
    content.write("pages/other-section/first.yml", page_yaml("first"))
    (content.root / "pages/first.yml").unlink(missing_ok=True)
    code = main(["check", "--content", str(content.root)])
    out, err = capsys.readouterr()
    assert code == 1 and "first.yml:4:10:" in out + err and "its section is 'guidance'" in out + err


def test_an_edition_name_with_a_base_tag_is_refused_in_site_yml(content, capsys):
    site = (
        (content.root / "site.yml")
        .read_text()
        .replace("name: Northern Ireland", "name: Northern Ireland <base/href=https://evil.example/t5/>")
    )
    (content.root / "site.yml").write_text(site)
    code = main(["check", "--content", str(content.root)])
    out, err = capsys.readouterr()
    assert code == 1 and "site.yml:7:28:" in out + err and "raw HTML" in out + err


def test_a_terminology_form_that_would_be_markup_is_refused(content, capsys):
    terms = (
        (content.root / "terminology.yml")
        .read_text()
        .replace("ni: Division\n", "ni: '[Phones](https://example.org)'\n", 1)
    )
    (content.root / "terminology.yml").write_text(terms)
    code = main(["check", "--content", str(content.root)])
    out, err = capsys.readouterr()
    assert code == 1 and "terminology.yml:2:5:" in out + err and "would be read as markup" in out + err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('"Call 020 7946 0000"', b"7946"),
        ('"<svg/onload=alert(1)>"', b"onload"),
        ('"Go [x](javascript:alert(1))"', b"javascript"),
        ('"Mail jo at example dot com"', b"example"),
    ],
)
def test_refused_text_is_never_built_or_indexed(content, text, needle):
    paths = paths_beside(content)
    assert build(paths).ok  # a published site and index, before the hostile edit
    before = published_bytes(paths)
    content.page("first", related=("other",), text=text)
    result = build(paths)
    assert not result.ok and result.check.errors
    # Nothing written: the site and the index are byte for byte what they were...
    after = published_bytes(paths)
    assert after == before
    # ... and the index holds no word of the text (the manifest's hex page hashes aside).
    indexed = [p for p in after if paths.search_index in p.parents and p.name != "manifest.json"]
    assert indexed and not [p for p in indexed if needle in after[p]]


def published_bytes(paths) -> dict:
    return {p: p.read_bytes() for folder in (paths.site, paths.search_index) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_an_image_written_in_markdown_is_built_as_text_not_a_third_party_load(content):
    content.page("first", related=("other",), text='"See ![chart](https://example.org/chart.png) here."')
    paths = paths_beside(content)
    assert build(paths).ok
    built = (paths.site / "gb/guidance/first/index.html").read_text()
    assert "<img" not in built and "chart" in built
