"""Search quality on caseworkers' questions: MRR@10 and recall@3 for both search engines.

The questions are written the way caseworkers type; each names the page ids that answer it.
Two sets, kept apart: the development set (tests/search_questions.yml), which the search was
tuned on, and the acceptance set (tests/search_acceptance.yml), written before its results
were seen and never tuned to. The evaluation itself (kb_tools/dev/search_eval.py) takes any
engine as a function question -> ranked page ids: our Whoosh search, and the page's own
search (search-engine.js over the index the build exports, in Debian's chromium).

Run with -s to see the figures; they are also written to test-output/search-quality-*.md.
"""

from __future__ import annotations

import pytest

from kb_tools.dev.search_eval import (
    ACCEPTANCE_SET,
    DEVELOPMENT_SET,
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
# The development questions added in session 4 that words alone cannot answer well (words
# no page uses, regional words, long rambling questions): MRR@10 0.595 before the thesaurus,
# 0.693 with it. The floor holds that gain; the other development questions keep WHOOSH_MIN_MRR.
HARD_KINDS = ("unseen words", "regional", "rambling")
HARD_KINDS_FLOOR = 0.65


def mrr_of(summary: dict, kinds: tuple[str, ...], *, inside: bool) -> float:
    """MRR@10 over the questions of the given kinds (inside) or of every other kind."""
    chosen = [f for kind, f in summary["by_kind"].items() if (kind in kinds) == inside]
    return sum(f["mrr10"] * f["questions"] for f in chosen) / sum(f["questions"] for f in chosen)


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
    assert mrr_of(summary, HARD_KINDS, inside=False) >= WHOOSH_MIN_MRR
    assert mrr_of(summary, HARD_KINDS, inside=True) >= HARD_KINDS_FLOOR
    assert summary["no_answer"]["nothing_useful"] == summary["no_answer"]["questions"], summary["no_answer"]


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


# --- the page's own search: the same answers without a server -------------------------------

# The parity targets: the same first result on 95% of questions, MRR within 0.02.
PARITY_FIRST = 0.95
PARITY_MRR = 0.02
# Odd inputs the question sets lack: typos, every way of writing an abbreviation, words
# kept as typed, compounds typed apart, and queries the service refuses.
EDGE_QUERIES = (
    "freedom of infromation", "parlimentary questoin", "domestic abuze", "A and G referral", "A+G", "a / g",
    "Q n A", "1:1 session", "one to one", "kids", "pay rise", "non resident parent", "NON-RESIDENT",
    "stop think act", "negotiating", "F.O.I.", "Tolerances", "café", "x", "the and of", "",
    "z" * 201, " ".join(["word"] * 41), "<script>alert(1)</script>", "A&G&Q&A", "séance résumé",
)  # fmt: skip


@pytest.fixture(scope="module")
def page_search(built_site, browser, tmp_path_factory):
    """The in-browser engine over the index the build wrote into each edition's site."""
    from kb_tools.dev.browser_search import BrowserSearch

    editions = {e: built_site.site / e for e in ("gb", "ni")}
    with BrowserSearch(editions, tmp_path_factory.mktemp("page"), browser) as search:
        yield search


def service_answer(service: SearchService, query: str, edition: str) -> list[dict] | dict:
    try:
        return [r.to_json() for r in service.search(query, edition, 10).results]
    except ValueError as err:  # what the service answers 400 with
        return {"error": str(err)}


@pytest.mark.browser
def test_the_page_search_answers_as_the_service_does(built_site, page_search):
    """Every question of both sets and the odd inputs, in both editions, through both engines:
    the issue asks for the same first result on 95% and MRR within 0.02; the engine follows
    query.py step by step, so the whole answer (ids, order, deep links, snippets, weak
    marks, corrections, refusals) is expected to be identical, and is counted."""
    service = SearchService(built_site.search_index)
    queries = [q.text for q in load_questions(DEVELOPMENT_SET) + load_questions(ACCEPTANCE_SET)] + list(EDGE_QUERIES)
    asked = same_first = identical = 0
    differences = []
    for edition in ("gb", "ni"):
        for query, in_page in zip(queries, page_search.search_many(edition, queries)):
            served = service_answer(service, query, edition)
            asked += 1
            if isinstance(served, dict) or isinstance(in_page, dict):
                same = isinstance(served, dict) and isinstance(in_page, dict) and served["error"] == in_page["error"]
                same_first += same
                identical += same
            else:
                for result in served:
                    result["score"] = round(result["score"], 2)  # the last digit may round either way
                for result in in_page:
                    result["score"] = round(result["score"], 2)
                same_first += [r["id"] for r in served[:1]] == [r["id"] for r in in_page[:1]]
                identical += served == in_page
            if served != in_page:
                differences.append((edition, query, served, in_page))
    assert same_first / asked >= PARITY_FIRST, differences[:5]
    assert identical / asked >= PARITY_FIRST, differences[:5]
    assert asked > 300


@pytest.mark.browser
def test_page_search_quality_beside_whoosh(built_site, page_search, capsys):
    """The evaluation reports both engines side by side; MRR within 0.02 of the service's,
    and at least 0.95 on the development set in each edition (but for HARD_KINDS)."""
    from kb_tools.dev.search_eval import browser_engine, side_by_side

    summaries = []
    for set_name, file in (("development set", DEVELOPMENT_SET), ("acceptance set", ACCEPTANCE_SET)):
        questions = load_questions(file)
        whoosh = evaluate("Whoosh", set_name, questions, whoosh_engine(built_site.search_index))
        in_page = evaluate("in-browser", set_name, questions, browser_engine(page_search))
        report(in_page, TEST_OUTPUT)
        summaries += [whoosh, in_page]
        assert abs(whoosh["mrr10"] - in_page["mrr10"]) <= PARITY_MRR
    with capsys.disabled():
        print("\n" + side_by_side(summaries))
    for edition in ("gb", "ni"):
        questions = [q for q in load_questions(DEVELOPMENT_SET) if q.edition == edition]
        in_page = evaluate("in-browser", f"development set ({edition})", questions, browser_engine(page_search))
        assert mrr_of(in_page, HARD_KINDS, inside=False) >= WHOOSH_MIN_MRR, in_page["misses"]


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


@pytest.mark.parametrize(
    ("query", "page", "anchor"),
    [
        ("empathy in the customer charter", "customer-charter", "#empathy"),  # the title's words choose no place
        ("debt negotiation", "debt-negotiation", ""),  # only the title's words: the top of the page
    ],
)
def test_the_words_of_the_title_do_not_choose_where_on_the_page_to_land(built_site, query, page, anchor):
    top = SearchService(built_site.search_index).search(query, "gb", 1).results[0]
    assert top.id == page and top.url == f"/gb/learning-journey/{page}/{anchor}", top.url
