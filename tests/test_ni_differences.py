"""The Northern Ireland edition reads correctly page by page: every difference between the
GB and NI text of every page is one a person has reviewed (tests/ni_differences.yml).

For each text a reader sees (title, summary, headings, paragraphs, steps, bullets, notes,
FAQs, legislation titles, change notes), both editions are rendered from the real content
and compared word by word. A difference not in the reviewed list fails, and so does a listed
difference that no longer happens (the list must not go stale). After changing a page, see
what changed in NI with:

    .venv/bin/python tests/test_ni_differences.py --update && git diff tests/ni_differences.yml

read every new entry as an NI reader would, and commit the list only if each one is right.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import yaml

from kb_tools.content.text import parse, plain_text
from kb_tools.content.validate import check_content
from kb_tools.editions.terminology import edition_text, substituter_for
from kb_tools.model import Library, Page

HERE = Path(__file__).parent
CONTENT = HERE.parent / "content"
EXPECTED = HERE / "ni_differences.yml"


def reader_text(text: str, edition: str, library: Library) -> str:
    shown = edition_text(text, edition, substituter_for(edition, library.terminology))
    return " ".join(plain_text(parse(shown)).split())


def differences(page: Page, library: Library) -> list[dict]:
    """Each GB → NI change on the page: where, what GB readers see, what NI readers see
    (None: the text is not in that edition)."""
    found: list[dict] = []
    fields = [(("title",), page.title, ()), *page.text_fields()]
    for keys, text, restrictions in fields:
        if not text:
            continue
        at = "/".join(str(key) for key in keys)
        shown = {e: all(r in (None, e) for r in restrictions) for e in ("gb", "ni")}
        gb = reader_text(text, "gb", library) if shown["gb"] else None
        ni = reader_text(text, "ni", library) if shown["ni"] else None
        if gb is None or ni is None:
            found.append({"at": at, "gb": gb or None, "ni": ni or None})
            continue
        found.extend({"at": at, **change} for change in _word_changes(gb, ni))
    return found


def _word_changes(gb: str, ni: str) -> list[dict]:
    a, b = re.findall(r"\S+", gb), re.findall(r"\S+", ni)
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            changes.append({"gb": " ".join(a[i1:i2]) or None, "ni": " ".join(b[j1:j2]) or None})
    return changes


def actual() -> dict[str, list[dict]]:
    library = check_content(CONTENT).library
    assert library is not None
    return {page.id: differences(page, library) for page in library.pages}


def test_every_ni_difference_on_every_page_was_reviewed():
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8")) or {}
    found = actual()
    problems = []
    for page_id in sorted(set(found) | set(expected)):
        have, want = found.get(page_id, []), expected.get(page_id) or []
        for change in have:
            if change not in want:
                problems.append(f"{page_id}: not reviewed: {change}")
        for change in want:
            if change not in have:
                problems.append(f"{page_id}: listed but no longer happens: {change}")
    assert not problems, "\n".join(problems)


def test_the_comparison_sees_substitutions_and_edition_only_text(content):
    content.page(
        "first",
        text="'The CMG holds it. {gb: GB only.}{ni: NI only.}'",
    )
    library = check_content(content.root).library
    changes = differences(library.page("first"), library)
    assert {"at": "body/0/text", "gb": "CMG", "ni": "Division"} in changes
    assert {"at": "body/0/text", "gb": "GB", "ni": "NI"} in changes


def write_expected() -> None:
    header = (
        "# Every difference between the GB and NI text of each page, reviewed by a person reading\n"
        "# the NI edition (tests/test_ni_differences.py explains how to update it). `at` is where the\n"
        "# text is written in the page's YAML; `gb` / `ni` are the words each edition's readers see\n"
        "# (null: not shown in that edition).\n"
    )
    data = {page_id: changes for page_id, changes in actual().items() if changes}
    EXPECTED.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=100), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        write_expected()
    else:
        sys.exit("usage: python tests/test_ni_differences.py --update")
