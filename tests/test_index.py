"""The search index: analysis, page documents, versions, incremental updates and atomic publishing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools.content.validate import check_content
from kb_tools.editions.terminology import page_for_edition
from kb_tools.model import Synonym
from kb_tools.pipeline import publish
from kb_tools.search import index
from kb_tools.search.query import SearchService

SECTIONS_PAGE = """\
id: first
title: Freedom of Information requests
summary: How to handle a request for information.
section: guidance
owner: Test team
last_reviewed: 2026-01-01
tags: [information requests]
keywords: [FOI request]
body:
  - heading: Who can ask
    text: Anyone can ask the CMG for recorded information.
  - heading: Deadlines
    anchor: time-limits
    steps: [Answer within 20 working days.]
faq:
  - question: Can a paying parent ask?
    answer: Yes, like anyone else.
related: [other]
"""


def library_of(tree):
    result = check_content(tree.root)
    assert result.ok, [str(p) for p in result.problems]
    return result.library


def build_index(tree, root: Path, edition: str = "gb") -> index.IndexUpdate:
    library = library_of(tree)
    pages = [page_for_edition(p, edition, library.terminology.ni_terms) for p in library.pages]
    update = index.prepare(root, edition, pages, library.terminology.synonyms)
    index.publish(update)
    return update


def stems(text: str) -> tuple[str, ...]:
    return index.analyse(text)[1]


# --- analysis ------------------------------------------------------------------------------


def test_abbreviations_stay_whole_and_hyphenated_words_match_either_way():
    assert stems("Raise an SR to A&G, ask Q&A, book a 1-2-1") == ("rais", "sr", "a&g", "ask", "q&a", "book", "1-2-1")
    assert stems("non-resident parent") == ("non-resid", "non", "resid", "parent")
    assert stems("and/or the") == ("and/or",)  # parts that are stop words are dropped


TABLE = (
    Synonym(("A&G", "Advice and Guidance")),
    Synonym(("Q&A", "quality assurance")),
    Synonym(("1-2-1", "one-to-one", "one to one")),
    Synonym(("FOI", "Freedom of Information")),
)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("A and G referral", "A&G referral"),
        ("A + G", "A&G"),
        ("A/G", "A&G"),
        ("A & G", "A&G"),
        ("a&g", "A&G"),
        ("AG", "A&G"),
        ("Q and A checks", "Q&A checks"),
        ("QandA", "Q&A"),
        ("qa checks", "Q&A checks"),
        ("one to one", "1-2-1"),
        ("One-to-one coaching", "1-2-1 coaching"),
        ("121", "1-2-1"),
        ("1:1 sessions", "1-2-1 sessions"),
        ("1 2 1", "1-2-1"),
        ("F.O.I. request", "FOI request"),
    ],
)
def test_every_way_of_writing_an_abbreviation_folds_to_the_tables_form(written, folded):
    assert index.Folding.from_synonyms(TABLE).fold(written) == folded


@pytest.mark.parametrize("text", ["ag", "a good day", "the A and B plan", "10:30", "a 1 to 10 scale", "AGM"])
def test_words_that_only_look_like_an_abbreviation_are_left_alone(text):
    """ "ag" is a word of English (only "AG" in capitals is A&G); other letters, times and longer words are not the table's."""
    assert index.Folding.from_synonyms(TABLE).fold(text) == text


def test_folding_is_driven_by_the_table_and_stored_with_the_index():
    assert index.Folding.from_synonyms(()).fold("A and G") == "A and G"
    folding = index.Folding.from_synonyms((Synonym(("C&P", "collect and pay")),))
    assert folding.fold("C and P") == "C&P"
    assert index.Folding.from_json(folding.to_json()) == folding


def test_pages_and_queries_hold_one_token_for_an_abbreviation(content, tmp_path):
    """A page writing "one to one" and a query typing "121" meet on the table's "1-2-1"."""
    content.write("terminology.yml", "synonyms:\n  - [1-2-1, one to one]\n")
    content.page("first", related=("other",), text="Book a one to one session.")
    content.page("other", related=("first",), text="Book a training session.")
    build_index(content, tmp_path)
    service = SearchService(tmp_path)
    for typed in ("121", "1:1", "1-2-1", "One-to-one"):
        assert [r.id for r in service.search(typed, "gb", 5).results] == ["first"], typed


def test_english_stemming_with_porter2():
    assert stems("requests requesting requested") == ("request",) * 3
    # porter2 keeps "generously" and "generous" together where the old Porter stemmer did not
    assert stems("generously")[0] == stems("generous")[0]


WORDISH = st.text(alphabet=st.sampled_from("abcAG&-/.'’ 12 \n"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(WORDISH)
def test_fast_analysis_is_exactly_the_whoosh_analyzers(text):
    words, stemmed = index.analyse(text)
    assert words == tuple(t.text for t in index.plain_analyzer()(text))
    assert stemmed == tuple(t.text for t in index.stemmed_analyzer()(text))


# --- documents -----------------------------------------------------------------------------


def test_page_document_has_a_section_per_place_a_result_can_land(content):
    content.page("first", SECTIONS_PAGE)
    page = library_of(content).page("first")
    document = index.document_for_page(page, "gb", (Synonym(("FOI", "Freedom of Information")),))
    assert document.url == "/gb/guidance/first/"
    assert [(s.heading, s.anchor) for s in document.sections] == [
        ("", ""),
        ("Who can ask", "who-can-ask"),
        ("Deadlines", "time-limits"),
        ("Can a paying parent ask?", "can-a-paying-parent-ask"),
    ]
    assert document.sections[2].text == "Answer within 20 working days."
    assert "foi" in document.names  # the title says Freedom of Information: FOI is added from the synonyms
    assert "inform" in document.sections[0].heading_terms  # the page top carries the page's names


# --- versions, incremental updates, publishing --------------------------------------------


def test_first_build_is_full_and_publishes_a_version(content, tmp_path):
    update = build_index(content, tmp_path / "ix")
    assert update.full and update.added == ("first", "other") and update.changed
    folder = tmp_path / "ix" / "gb"
    assert folder.is_symlink() and os.readlink(folder) == f"gb.builds/{update.staged.name}"
    assert index.current_version(folder) == update.staged


def test_nothing_changed_nothing_written(content, tmp_path):
    first = build_index(content, tmp_path / "ix")
    again = build_index(content, tmp_path / "ix")
    assert not again.changed and again.staged is None
    assert index.current_version(tmp_path / "ix" / "gb") == first.staged


def test_one_changed_page_is_the_only_one_reindexed(content, tmp_path):
    root = tmp_path / "ix"
    first = build_index(content, root)
    content.page("other", related=("first",), text="Completely new words about bailiffs.")
    second = build_index(content, root)
    assert (second.full, second.added, second.updated, second.removed) == (False, (), ("other",), ())
    service = SearchService(root)
    assert [r.id for r in service.search("bailiffs").results] == ["other"]
    # the previous version is kept untouched for searches that opened it before the switch
    assert first.staged.is_dir()
    old = index.open_version(first.staged)
    with old.searcher() as searcher:
        assert searcher.doc_frequency("body", "bailiff") == 0
    old.close()


def test_removed_page_leaves_the_index(content, tmp_path):
    root = tmp_path / "ix"
    build_index(content, root)
    content.page("third", related=("first",))
    content.page("first", related=("third",))  # keep the content valid without "other"
    (content.root / "pages" / "other.yml").unlink()
    update = build_index(content, root)
    assert (update.added, update.updated, update.removed) == (("third",), ("first",), ("other",))
    assert {r.id for r in SearchService(root).search("page summary").results} == {"first", "third"}


def test_a_schema_change_rebuilds_everything(content, tmp_path, monkeypatch):
    build_index(content, tmp_path / "ix")
    monkeypatch.setattr(index, "SCHEMA_VERSION", index.SCHEMA_VERSION + 1)
    assert build_index(content, tmp_path / "ix").full


def test_only_the_current_and_previous_versions_are_kept(content, tmp_path):
    root = tmp_path / "ix"
    versions = []
    for n in range(3):
        content.page("other", related=("first",), text=f"Version {n} of the text.")
        versions.append(build_index(content, root).staged)
    assert sorted(p.name for p in (root / "gb.builds").iterdir() if p.name.startswith("v-")) == sorted(
        v.name for v in versions[1:]
    )


def test_discarded_update_is_never_published(content, tmp_path):
    root = tmp_path / "ix"
    published = build_index(content, root).staged
    content.page("other", related=("first",), text="Text that a failed build never publishes.")
    library = library_of(content)
    staged = index.prepare(root, "gb", library.pages, library.terminology.synonyms)
    index.discard(staged)
    assert not staged.staged.exists()
    assert index.current_version(root / "gb") == published


def test_staging_left_by_a_killed_build_is_removed(content, tmp_path):
    root = tmp_path / "ix"
    build_index(content, root)
    abandoned = root / "gb.builds" / f"{publish.STAGING_PREFIX}{_dead_pid()}-abc"
    abandoned.mkdir()
    content.page("other", related=("first",), text="Anything new.")
    build_index(content, root)
    assert not abandoned.exists()


def _dead_pid() -> int:
    """A process id that is not running: a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_searches_during_builds_see_a_whole_index(content, tmp_path):
    """A search running while builds publish new versions sees the old index or the new one."""
    root = tmp_path / "ix"
    build_index(content, root)
    service = SearchService(root)
    failures: list[str] = []
    stop = threading.Event()

    def search_repeatedly():
        while not stop.is_set():
            try:
                found = {r.id for r in service.search("page summary").results}
                if found != {"first", "other"}:
                    failures.append(f"saw {found}")
            except Exception as err:  # a broken index would raise here
                failures.append(repr(err))

    searcher = threading.Thread(target=search_repeatedly)
    searcher.start()
    try:
        for n in range(8):
            content.page("other", related=("first",), text=f"Edit number {n}.")
            build_index(content, root)
    finally:
        stop.set()
        searcher.join()
    assert failures == []
