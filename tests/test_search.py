"""Searching the index: ranking, typo correction, deep links, snippets, editions, bad requests."""

from __future__ import annotations

import json
import math

import pytest
from test_index import SECTIONS_PAGE, build_index
from whoosh.query import And, Or, Term

from kb_tools.dev.synth import generate
from kb_tools.search import index
from kb_tools.search.query import IndexNotBuilt, SearchService, _OpenIndex, request_errors, snippet

TERMINOLOGY = """\
northern_ireland:
  - gb: Child Maintenance Group (CMG)
    ni: Division
  - gb: CMG
    ni: Division
synonyms:
  - [SR, service request]
  - [A&G, Advice and Guidance]
  - [CMG, Child Maintenance Group, Division]
  - [paying parent, non-resident parent, NRP]
"""

ADVICE_PAGE = """\
id: other
title: Advice and Guidance
summary: Ask Advice and Guidance when procedures and your team leader cannot settle a case question.
section: guidance
owner: Test team
last_reviewed: 2026-01-01
body:
  - heading: Raising a request
    text: Raise a service request to the team. Use <b>plain</b> words & keep it short.
  - heading: Special client records
    text: The special client records team sends an email instead.
related: [first]
"""


@pytest.fixture
def service(content, tmp_path):
    content.write("terminology.yml", TERMINOLOGY)
    content.page("first", SECTIONS_PAGE)
    content.page("other", ADVICE_PAGE)
    root = tmp_path / "ix"
    build_index(content, root, "gb")
    build_index(content, root, "ni")
    return SearchService(root)


def ids(response) -> list[str]:
    return [r.id for r in response.results]


def test_abbreviation_finds_the_page_that_spells_it_out(service):
    response = service.search("A&G service request")
    assert ids(response)[0] == "other"
    result = response.results[0]
    assert (result.edition, result.title) == ("gb", "Advice and Guidance")
    assert result.url == "/gb/guidance/other/#raising-a-request"  # the section that says "service request"
    assert result.section == "Raising a request"
    assert "<mark>service</mark> <mark>request</mark>" in result.snippet


def test_spaced_ampersand_is_read_as_the_abbreviation(service):
    assert ids(service.search("A & G"))[0] == "other"


def test_old_term_finds_the_page_using_the_new_one(service):
    assert ids(service.search("non resident parent"))[0] == "first"  # the FAQ says "paying parent"


def test_typo_is_corrected_and_the_response_says_what_was_searched(service):
    response = service.search("freedom of infromation")
    assert response.corrected
    assert response.searched_for == "freedom of information"
    assert ids(response)[0] == "first"
    assert response.results[0].searched_for == "freedom of information"


def test_correctly_spelt_query_is_not_corrected(service):
    response = service.search("special client records")
    assert not response.corrected
    assert response.results[0].url.endswith("#special-client-records")


def test_a_whole_question_falls_back_to_any_word(service):
    # "bailiffs" is on no page, so no page has every word: the pages with some of them still come back
    response = service.search("how long do I have to answer an information request from bailiffs")
    assert ids(response)[0] == "first"
    assert response.results[0].url.endswith("#time-limits") or response.results[0].url == "/gb/guidance/first/"


def test_title_only_match_lands_on_the_page_top(service):
    result = service.search("freedom").results[0]
    assert result.url == "/gb/guidance/first/"
    assert result.section == ""


def test_editions_are_searched_separately_with_their_own_terms(service):
    gb = service.search("CMG", edition="gb").results[0]
    ni = service.search("Division", edition="ni").results[0]
    assert (gb.id, gb.edition, gb.url) == ("first", "gb", "/gb/guidance/first/#who-can-ask")
    assert (ni.id, ni.edition, ni.url) == ("first", "ni", "/ni/guidance/first/#who-can-ask")
    assert "Division" in ni.snippet and "CMG" not in ni.snippet
    # an NI caseworker who types the GB term still finds it, through the synonyms
    assert ids(service.search("CMG", edition="ni"))[0] == "first"


def test_nothing_found_is_an_empty_answer(service):
    response = service.search("zzzz qqqq")
    assert response.results == ()
    assert service.search("the and of").results == ()  # only stop words


def test_limit_is_respected(service):
    assert len(service.search("page", limit=1).results) <= 1
    assert len(service.search("team", limit=1).results) == 1


def test_scores_are_whooshs_own_bm25f(service, tmp_path):
    """The per-term score maps rank exactly as Whoosh's searcher would."""
    response = service.search("ask request")
    ix = index.open_version(index.current_version(tmp_path / "ix" / "gb"))
    fields = tuple(index.FIELD_BOOSTS)
    query = And([Or([Term(f, t) for f in fields]) for t in ("ask", "request")])
    with ix.searcher() as searcher:
        whoosh = [(hit["page_id"], round(hit.score, 3)) for hit in searcher.search(query)]
    ix.close()
    assert len(whoosh) == 2  # both pages have both words: no OR fallback involved
    assert [(r.id, r.score) for r in response.results] == whoosh


def test_term_scores_are_whooshs_own_over_many_blocks_segments_and_deletions(tmp_path):
    """Postings read a block at a time (search._posting_blocks) score every page exactly as
    Whoosh's searcher does, in an index with a second segment and a deleted document (a build
    merges segments after replacing pages; this index is written without merging)."""
    from test_index import library_of
    from whoosh import index as whoosh_index

    corpus = generate(tmp_path / "content", 300)
    root = tmp_path / "ix"
    build_index(corpus, root)
    changed = next((corpus.root / "pages").rglob("*.yml"))
    changed.write_text(changed.read_text(encoding="utf-8").replace("title: ", "title: Reworded ", 1), encoding="utf-8")
    library = library_of(corpus)
    page = next(p for p in library.pages if p.id == changed.stem)
    version = index.current_version(root / "gb")
    writer = whoosh_index.open_dir(str(version)).writer()
    writer.delete_by_term("page_id", page.id)
    writer.add_document(**index.document_for_page(page, "gb", library.terminology.synonyms).fields())
    writer.commit(optimize=False)
    # Written behind the build's back, so the manifest's page lengths are left out: averages
    # then come from Whoosh's own totals, which this test compares with.
    manifest = json.loads((version / index.MANIFEST).read_text())
    del manifest["lengths"]
    (version / index.MANIFEST).write_text(json.dumps(manifest))
    opened = _OpenIndex(version)
    try:
        assert len(opened.reader.leaf_readers()) == 2 and opened.reader.has_deletions()
        literal = tuple(f for f in index.FIELD_BOOSTS if f != "aliases")
        for term in ("parent", "payment", "review", "reword"):
            hits = opened.searcher.search(Or([Term(f, term) for f in literal]), limit=None)
            whoosh = {hit.docnum: hit.score for hit in hits}
            # The aliases field: Whoosh's score with the rarity of the synonym group over
            # the pages (pages holding the term anywhere) in place of the field's own.
            expanded = {hit.docnum: hit.score for hit in opened.searcher.search(Term("aliases", term), limit=None)}
            pages = len(set(whoosh) | set(expanded))
            group_idf = math.log(opened.reader.doc_count_all() / (pages + 1)) + 1
            if expanded:
                ratio = group_idf / opened.searcher.idf("aliases", term)
                for docnum, score in expanded.items():
                    whoosh[docnum] = whoosh.get(docnum, 0.0) + score * ratio
            assert len(whoosh) > 128 or term == "reword"  # more than one postings block
            assert opened.term_scores(term) == pytest.approx(whoosh, rel=1e-9)
        assert any(opened.reader.doc_frequency("aliases", t) for t in ("parent", "payment", "review"))
    finally:
        opened.close()


def test_a_new_version_is_picked_up_without_reopening(service, content, tmp_path):
    assert service.search("bailiffs").results == ()
    content.page("other", ADVICE_PAGE.replace("sends an email instead", "asks the bailiffs"))
    build_index(content, tmp_path / "ix", "gb")
    assert ids(service.search("bailiffs")) == ["other"]


def test_snippet_escapes_the_text_and_marks_the_words():
    text = "Use <b>plain</b> words & keep requests short."
    assert snippet(text, {"request"}) == "Use &lt;b&gt;plain&lt;/b&gt; words &amp; keep <mark>requests</mark> short."


def test_snippet_is_cut_around_the_matches():
    text = " ".join(["filler"] * 60) + " the deadline is twenty working days " + " ".join(["filler"] * 60)
    cut = snippet(text, {"deadlin"}, size=60)
    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>deadline</mark>" in cut
    assert len(cut) < 100


def test_bad_requests_are_described():
    assert request_errors("ok", "gb", 10) == []
    assert request_errors("", "gb", 10) == ["the query is empty: type some words to search for"]
    assert request_errors("x" * 201, "xx", 0) == [
        "the query is too long: at most 200 characters",
        "unknown edition 'xx': use one of gb, ni",
        "limit must be a whole number from 1 to 50",
    ]
    assert request_errors("ok", "gb", True)  # not a number, whatever Python thinks


def test_searching_without_an_index_says_to_build(tmp_path):
    with pytest.raises(IndexNotBuilt, match="run `kb build` first"):
        SearchService(tmp_path / "nothing").search("anything")


def test_a_server_opens_the_published_indexes_before_the_first_search(service, tmp_path):
    service.open_published()
    assert sorted(service._open) == ["gb", "ni"]
    nothing_built = SearchService(tmp_path / "nothing")
    nothing_built.open_published()  # a server may start before the first build
    assert nothing_built._open == {}


def test_a_heading_match_counts_double_when_choosing_the_section():
    """Gap a mutation pass found: with equal weight the earlier section would win the tie."""
    from kb_tools.search.index import SectionEntry
    from kb_tools.search.query import best_section

    text_match = SectionEntry("Background", "background", "Refunds are rare.", ("background",), ("refund", "rare"))
    heading_match = SectionEntry("Refunds", "refunds", "How to pay back.", ("refund",), ("pay", "back"))
    top = ("", "", "Summary.", (), ("summari",))
    sections = [top, tuple(text_match.__dict__.values()), tuple(heading_match.__dict__.values())]
    assert best_section(sections, {"refund"}).anchor == "refunds"


def test_a_heading_that_names_more_of_the_query_than_the_title_wins_over_the_page_top():
    from kb_tools.search.index import SectionEntry
    from kb_tools.search.query import best_section

    top = (
        "",
        "",
        "Using the six-step model and Stop, Think, Act.",
        ("debt", "negoti", "stop", "think", "act"),
        ("stop", "think", "act"),
    )
    model = ("The six-step model", "six-step-model", "Six steps.", ("six", "step", "model"), ("six", "step"))
    stop = (
        "Stop, Think, Act",
        "stop-think-act",
        "Use Stop, Think, Act.",
        ("stop", "think", "act"),
        ("stop", "think", "act"),
    )
    title = frozenset({"debt", "negoti"})
    assert best_section([top, model, stop], {"stop", "think", "act"}, title).anchor == "stop-think-act"
    assert best_section([top, model, stop], {"debt", "negoti"}, title).anchor == ""
    assert SectionEntry(*top).anchor == ""


def test_a_section_holding_clearly_more_of_the_query_than_the_page_top_is_linked():
    """The page top's keywords describe the whole page: they do not make it win over the
    section that holds the rest of the query (it did: the top counted every keyword)."""
    from kb_tools.search.query import best_section

    top = ("", "", "The domestic abuse module.", ("domest", "abus", "applic", "fee"), ("domest", "abus", "modul"))
    fee = (
        "Application fee",
        "application-fee",
        "The fee was waived for victims of domestic abuse.",
        ("applic", "fee"),
        ("fee", "waiv", "victim", "domest", "abus"),
    )
    title = frozenset({"domest", "abus"})
    assert best_section([top, fee], {"applic", "fee", "domest", "abus"}, title).anchor == "application-fee"
    assert best_section([top, fee], {"domest", "abus"}, title).anchor == ""
    assert best_section([top, fee], {"domest", "abus", "modul"}, title).anchor == ""


def test_a_page_holding_few_of_the_query_words_is_marked_weak(service):
    """ "Nothing useful" for a question the site cannot answer: a page found by one word of
    three is marked weak; a page holding every word is not."""
    response = service.search("car parking email")  # only "email" is on a page
    assert ids(response) == ["other"] and response.results[0].weak
    assert response.results[0].to_json()["weak"] is True
    every_word = service.search("special client records email").results
    assert every_word[0].id == "other" and not every_word[0].weak


def test_folding_an_abbreviation_is_not_a_correction(service):
    """ "Showing results for …" only when a word changed: "A and G" read as "A&G" is not one."""
    response = service.search("A and G request")
    assert ids(response)[0] == "other"
    assert not response.corrected and response.searched_for == "A and G request"
    assert service.search("advise and guidanse").corrected


@pytest.mark.parametrize(
    ("typed", "most", "found"),
    [
        ("infromation", 2, {"information"}),  # two neighbours swapped: one edit
        ("infomation", 2, {"information"}),  # a letter dropped
        ("informationn", 2, {"information"}),  # a letter added
        ("parlimentary", 2, {"parliamentary"}),
        ("abuze", 1, {"abuse"}),  # a letter changed
        ("innformattion", 2, {"information"}),  # two edits
        ("first", 1, set()),  # itself is not a correction
        ("xylophone", 2, set()),
        ("norm", 1, set()),  # "form" is one edit away, but the first letter is kept
    ],
)
def test_near_words_are_found_by_lookups(typed, most, found):
    from kb_tools.search.query import NearWords

    near = NearWords(["information", "parliamentary", "abuse", "form", "from", "first"])
    assert near.nearest(typed, most) == found


def test_nearest_prefers_one_edit_over_two():
    from kb_tools.search.query import NearWords, edit_distance

    assert NearWords(["coaching", "coachings"]).nearest("coachin", 2) == {"coaching"}
    assert (edit_distance("frist", "first"), edit_distance("kitten", "sitting"), edit_distance("", "ab")) == (1, 3, 2)
