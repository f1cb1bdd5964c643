"""Search quality on caseworkers' questions: MRR@10 and recall@3 for both search engines.

The questions are written the way caseworkers type; each names the page ids that answer it.
Two sets, kept apart: the development set (tests/search_questions.yml), which the search was
tuned on, and the acceptance set (tests/search_acceptance.yml), written before its results
were seen and never tuned to. The evaluation itself (kb_tools/dev/search_eval.py) takes any
engine as a function question -> ranked page ids: our Whoosh search, and the site's built-in
search (Material's lunr index, in its own search box in Debian's chromium).

Run with -s to see the figures; they are also written to test-output/search-quality-*.md.
"""

from __future__ import annotations

import re

import pytest

from kb_tools.dev.search_eval import (
    ACCEPTANCE_SET,
    DEVELOPMENT_SET,
    Question,
    evaluate,
    load_questions,
    report,
    whoosh_engine,
)
from kb_tools.search.query import SearchService

from conftest import TEST_OUTPUT

# Floors that catch the search breaking, below the figures measured (CONTRIBUTING.md).
# The targets (development 0.97, acceptance MRR 0.95 and recall@3 0.97) are
# reported against, not asserted: the acceptance set is never tuned to a threshold.
WHOOSH_MIN_MRR = 0.95
ACCEPTANCE_FLOOR = 0.78
# The built-in search is measured, not tuned to a target; this floor only catches it breaking.
MATERIAL_MIN_MRR = 0.75


def test_questions_cover_what_caseworkers_type(built_site):
    from kb_tools.content.validate import check_content

    from conftest import REAL_CONTENT

    ids = {p.id for p in check_content(REAL_CONTENT).library.pages}
    development, acceptance = load_questions(DEVELOPMENT_SET), load_questions(ACCEPTANCE_SET)
    assert len(development) >= 40 and len([q for q in acceptance if q.expect]) >= 80
    assert {"abbreviation", "old term", "typo", "sentence", "ni term"} <= {q.kind for q in development}
    assert {"keywords", "rambling", "unseen words", "regional", "no answer", "gb term in ni"} <= {
        q.kind for q in acceptance
    }
    asked = {(q.text.lower(), q.edition) for q in development}
    assert not {(q.text.lower(), q.edition) for q in acceptance} & asked, "a development question in the acceptance set"
    unknown = {page_id for q in development + acceptance for page_id in q.expect} - ids
    assert not unknown, f"questions expect pages that do not exist: {unknown}"


def test_whoosh_search_quality(built_site, capsys):
    summary = evaluate(
        "Whoosh", "development set", load_questions(DEVELOPMENT_SET), whoosh_engine(built_site.search_index)
    )
    with capsys.disabled():
        print("\n" + report(summary, TEST_OUTPUT))
    assert summary["mrr10"] >= WHOOSH_MIN_MRR


def test_whoosh_search_quality_on_the_acceptance_set(built_site, capsys):
    """Reported, with a floor that only catches the search breaking: the acceptance set is
    never tuned to, so its figures are what caseworkers can expect."""
    questions = load_questions(ACCEPTANCE_SET)
    summary = evaluate("Whoosh", "acceptance set", questions, whoosh_engine(built_site.search_index))
    with capsys.disabled():
        print("\n" + report(summary, TEST_OUTPUT))
    assert summary["mrr10"] >= ACCEPTANCE_FLOOR
    assert summary["no_answer"]["nothing_useful"] >= summary["no_answer"]["questions"] // 2


def test_section_anchors_in_the_sets_exist_on_the_pages(built_site):
    """A question's `section:` names anchors its expected pages have in its edition."""
    service = SearchService(built_site.search_index)
    opened = service._current("gb"), service._current("ni")
    anchors = {
        (edition, stored["page_id"]): {s[1] for s in stored["sections"]}
        for edition, index in zip(("gb", "ni"), opened)
        for stored in index.searcher.all_stored_fields()
    }
    for q in load_questions(DEVELOPMENT_SET) + load_questions(ACCEPTANCE_SET):
        held = set().union(*(anchors.get((q.edition, page), set()) for page in q.expect))
        assert set(q.sections) <= held, (q.text, set(q.sections) - held)


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
    """Both sets, through the search box of each edition's site (one edition loaded at a time)."""
    summaries = []
    for set_name, file in (("development set", DEVELOPMENT_SET), ("acceptance set", ACCEPTANCE_SET)):
        answers: dict[Question, list[str]] = {}
        for edition in ("gb", "ni"):
            page.goto(f"{static_server}/{edition}/index.html")
            page.locator("input.md-search__input").click()
            answers.update({q: material_search(page, q.text) for q in load_questions(file) if q.edition == edition})
        summary = evaluate("Material built-in search", set_name, list(answers), answers.__getitem__)
        with capsys.disabled():
            print("\n" + report(summary, TEST_OUTPUT))
        summaries.append(summary)
    assert summaries[0]["mrr10"] >= MATERIAL_MIN_MRR


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
