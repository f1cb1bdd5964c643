"""Search quality on caseworkers' questions: MRR@10 and recall@3 for both search engines.

The questions (tests/search_questions.yml) are written the way caseworkers type: abbreviations,
old terms, typos, whole sentences, NI terms in the NI edition; each names the page ids that
answer it. Both engines run over the real content: our Whoosh search, and the site's built-in
search (Material's lunr index, in its own search box in Debian's chromium).

Run with -s to see the figures; they are also written to test-output/search-quality.md.
The Whoosh search must reach MRR 0.85.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kb_tools.search.query import SearchService

from conftest import TEST_OUTPUT

QUESTIONS_FILE = Path(__file__).with_name("search_questions.yml")  # the development set (tuned on)
ACCEPTANCE_FILE = Path(__file__).with_name("search_acceptance.yml")  # kept apart: never tuned on
WHOOSH_MIN_MRR = 0.85
ACCEPTANCE_FLOOR = 0.7  # below the measured 0.79 (README): catches breakage; the target is 0.95
# The built-in search is measured, not tuned to a target; this floor only catches it breaking.
MATERIAL_MIN_MRR = 0.75
TOP = 10


@dataclass(frozen=True)
class Question:
    text: str
    edition: str
    expect: tuple[str, ...]
    kind: str


def load_questions(file: Path = QUESTIONS_FILE) -> list[Question]:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    return [Question(q["q"], q.get("edition", "gb"), tuple(q["expect"]), q["kind"]) for q in data]


def reciprocal_rank(found: list[str], expect: tuple[str, ...]) -> float:
    return next((1 / rank for rank, page_id in enumerate(found[:TOP], 1) if page_id in expect), 0.0)


def recall_at_3(found: list[str], expect: tuple[str, ...]) -> float:
    return len(set(found[:3]) & set(expect)) / len(expect) if expect else 0.0


def evaluate(engine: str, answers: dict[Question, list[str]]) -> dict:
    rows = [
        {
            "q": q.text,
            "edition": q.edition,
            "kind": q.kind,
            "expect": q.expect,
            "found": found[:3],
            "rr": reciprocal_rank(found, q.expect),
            "recall3": recall_at_3(found, q.expect),
        }
        for q, found in answers.items()
    ]
    answered = [r for r in rows if r["expect"]]
    unanswerable = [r for r in rows if not r["expect"]]
    summary = {
        "engine": engine,
        "questions": len(answered),
        "mrr10": sum(r["rr"] for r in answered) / len(answered),
        "recall3": sum(r["recall3"] for r in answered) / len(answered),
        "by_kind": {
            kind: {
                "questions": len(mine),
                "mrr10": sum(r["rr"] for r in mine) / len(mine),
                "recall3": sum(r["recall3"] for r in mine) / len(mine),
            }
            for kind in dict.fromkeys(r["kind"] for r in answered)
            for mine in [[r for r in answered if r["kind"] == kind]]
        },
        # A question the site cannot answer is answered well by no result at all.
        "no_answer": {"questions": len(unanswerable), "empty": sum(1 for r in unanswerable if not r["found"])},
        "misses": [r for r in answered if r["rr"] < 1],
    }
    report(summary)
    return summary


def report(summary: dict) -> None:
    TEST_OUTPUT.mkdir(exist_ok=True)
    line = f"{summary['engine']}: MRR@10 {summary['mrr10']:.3f}, recall@3 {summary['recall3']:.3f} over {summary['questions']} questions"
    kinds = "\n".join(
        f"    {kind}: MRR@10 {k['mrr10']:.3f}, recall@3 {k['recall3']:.3f} ({k['questions']})"
        for kind, k in summary["by_kind"].items()
    )
    empty = summary["no_answer"]
    if empty["questions"]:
        kinds += f"\n    no answer on the site: {empty['empty']} of {empty['questions']} returned nothing"
    line = f"{line}\n{kinds}"
    misses = "\n".join(
        f"  - {m['q']!r} ({m['edition']}): expected {', '.join(m['expect'])}; top 3: {', '.join(m['found']) or 'nothing'}"
        for m in summary["misses"]
    )
    slug = re.sub(r"\W+", "-", summary["engine"].lower()).strip("-")
    (TEST_OUTPUT / f"search-quality-{slug}.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (TEST_OUTPUT / f"search-quality-{slug}.md").write_text(f"{line}\nNot first:\n{misses}\n", encoding="utf-8")
    print(f"\n{line}\n  not first:\n{misses}")


def test_questions_cover_what_caseworkers_type(built_site):
    from kb_tools.content.validate import check_content

    from conftest import REAL_CONTENT

    questions = load_questions()
    ids = {p.id for p in check_content(REAL_CONTENT).library.pages}
    assert len(questions) >= 40
    assert {"abbreviation", "old term", "typo", "sentence", "ni term"} <= {q.kind for q in questions}
    assert any(q.edition == "ni" for q in questions)
    unknown = {page_id for q in questions for page_id in q.expect} - ids
    assert not unknown, f"questions expect pages that do not exist: {unknown}"


def test_whoosh_search_quality(built_site, capsys):
    service = SearchService(built_site.search_index)
    answers = {q: [r.id for r in service.search(q.text, q.edition, TOP).results] for q in load_questions()}
    with capsys.disabled():
        summary = evaluate("Whoosh (kb search), development set", answers)
    assert summary["mrr10"] >= WHOOSH_MIN_MRR


def test_whoosh_search_quality_on_the_acceptance_set(built_site, capsys):
    """Reported, with a floor that only catches the search breaking: the acceptance set is
    never tuned to, so its figures are what caseworkers can expect."""
    service = SearchService(built_site.search_index)
    questions = load_questions(ACCEPTANCE_FILE)
    assert len([q for q in questions if q.expect]) >= 75
    answers = {q: [r.id for r in service.search(q.text, q.edition, TOP).results] for q in questions}
    with capsys.disabled():
        summary = evaluate("Whoosh (kb search), acceptance set", answers)
    assert summary["mrr10"] >= ACCEPTANCE_FLOOR


PAGE_ID = re.compile(r"/(?:gb|ni)/[^/?#]+/([^/?#]+)/index\.html")


def material_search(page, query: str) -> list[str]:
    """Page ids in the order Material's search box lists them (non-procedure pages as "-")."""
    box = page.locator("input.md-search__input")
    meta = page.locator(".md-search-result__meta")
    box.fill("")
    box.press("End")
    page.wait_for_function("el => !/matching document/.test(el.textContent)", arg=meta.element_handle())
    box.fill(query)
    box.press("End")  # Material searches on keyup
    page.wait_for_function("el => /matching document/.test(el.textContent)", arg=meta.element_handle())
    # One item per page; its first link is the page, the others its matching sections.
    links = page.locator(".md-search-result__item").evaluate_all("els => els.map(e => e.querySelector('a').href)")
    ids = []
    for href in links:
        match = PAGE_ID.search(href)
        ids.append(match.group(1) if match else "-")
    return ids


@pytest.mark.browser
def test_material_search_quality(page, static_server, capsys):
    answers = {}
    for edition in ("gb", "ni"):
        page.goto(f"{static_server}/{edition}/index.html")
        page.locator("input.md-search__input").click()
        answers.update({q: material_search(page, q.text) for q in load_questions() if q.edition == edition})
    with capsys.disabled():
        summary = evaluate("Material built-in search", answers)
    assert summary["mrr10"] >= MATERIAL_MIN_MRR


# --- words kept as typed, abbreviations folded, deep links (the real content) -------------------


@pytest.mark.parametrize("word", ["term", "kids", "course", "from", "lost", "pay rise"])
def test_correct_english_words_are_searched_as_typed(built_site, word):
    response = SearchService(built_site.search_index).search(word, "gb", 5)
    assert response.searched_for == word, response.searched_for


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("infromation", "information"), ("parlimentary", "parliamentary"), ("domestic abuze", "domestic abuse")],
)
def test_real_typos_are_still_corrected(built_site, typed, meant):
    assert SearchService(built_site.search_index).search(typed, "gb", 5).searched_for == meant


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("A and G referral", "advice-and-guidance"),
        ("A/G", "advice-and-guidance"),
        ("a + g", "advice-and-guidance"),
        ("Q and A checks", "qa-"),
    ],
)
def test_every_way_of_writing_an_abbreviation_finds_its_pages_first(built_site, query, page):
    results = SearchService(built_site.search_index).search(query, "gb", 5).results
    assert results and results[0].id.startswith(page), [r.id for r in results]


def test_stop_think_act_deep_links_to_its_section(built_site):
    top = SearchService(built_site.search_index).search("stop think act", "gb", 1).results[0]
    assert top.id == "debt-negotiation" and top.url.endswith("#stop-think-act")
