"""The thesaurus: words of the same meaning, read from a MyThes file, and how the search uses them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kb_tools.content.validate import check_content
from kb_tools.editions.terminology import page_for_edition
from kb_tools.search import index, thesaurus
from kb_tools.search.query import THESAURUS_PAGES, SearchService

from conftest import new_content

# MyThes as LibreOffice and Debian ship it: entries with their senses, annotated words.
SMALL_THESAURUS = textwrap.dedent(
    """\
    UTF-8
    salary|1
    (noun)|wage|pay|earnings|remuneration|regular payment (generic term)
    drop|2
    (noun)|fall (similar term)|decline|rise (antonym)|descent (generic term)
    (verb)|drip|put down
    Cash|1
    (noun)|money
    petition|1
    (noun)|request|asking
    """
)


def library_of(tree):
    result = check_content(tree.root)
    assert result.ok, [str(p) for p in result.problems]
    return result.library


@pytest.fixture
def small(tmp_path: Path) -> thesaurus.Thesaurus:
    file = tmp_path / "th_en_small.dat"
    file.write_text(SMALL_THESAURUS, encoding="utf-8")
    return thesaurus.read(file, index._STEM)


def test_words_of_the_same_meaning_are_linked_both_ways(small):
    assert {"wage", "pay", "earn", "remuner"} <= small.of("salari")
    assert "salari" in small.of("pay") and "salari" in small.of("wage")
    assert {"fall", "declin", "drip"} <= small.of("drop")


def test_broader_terms_antonyms_phrases_and_names_are_left_out(small):
    assert not small.of("drop") & {"rise", "descent"}  # antonym, broader term
    assert "regular payment" not in small.related and "regular" not in small.related
    assert "put" not in small.of("drop") and "cash" not in small.related


def test_a_missing_thesaurus_is_a_clear_error_naming_the_file_and_the_package(tmp_path):
    with pytest.raises(thesaurus.ThesaurusMissing, match=r"nothing\.dat.*mythes-en-us"):
        thesaurus.read(tmp_path / "nothing.dat", index._STEM)


def test_the_installed_thesaurus_is_read_and_knows_common_words():
    installed = index.installed_thesaurus()
    assert len(installed.related) > 10_000
    assert "salari" in installed.of("wage")


@pytest.fixture
def pay_and_requests(tmp_path, small, monkeypatch):
    """Two pages: one about pay, one about requests; the search uses the small thesaurus."""
    monkeypatch.setattr(index, "thesaurus_for", lambda cache: small)
    tree = new_content(tmp_path / "content")
    tree.page("pay-page", related=("request-page",), text="How the paying parent's pay is worked out.")
    tree.page("request-page", related=("pay-page",), text="Send each request on. Asking twice is fine.")
    library = library_of(tree)
    pages = [page_for_edition(p, "gb", library.terminology.ni_terms) for p in library.pages]
    index.publish(index.prepare(tmp_path / "search_index", "gb", pages, library.terminology.synonyms))
    return SearchService(tmp_path / "search_index")


def test_a_word_no_page_uses_finds_the_pages_using_a_word_of_the_same_meaning(pay_and_requests):
    response = pay_and_requests.search("salary", "gb")
    assert response.searched_for == "salary"  # a word of English, kept as typed
    assert [r.id for r in response.results] == ["pay-page"]
    assert [r.id for r in pay_and_requests.search("petition", "gb").results] == ["request-page"]


def test_a_page_found_only_through_the_thesaurus_is_a_suggestion_marked_weak(pay_and_requests):
    assert [(r.id, r.weak) for r in pay_and_requests.search("salary", "gb").results] == [("pay-page", True)]
    # half the words held by the page itself: an answer, not a suggestion
    assert [(r.id, r.weak) for r in pay_and_requests.search("pay salary", "gb").results] == [("pay-page", False)]


def test_a_word_the_pages_use_is_never_widened_by_the_thesaurus(pay_and_requests):
    """ "pay" is on one page: the page that says "wage"-like words only through the thesaurus
    must not come up for it ("request" stands for "petition" on the other page)."""
    assert [r.id for r in pay_and_requests.search("pay", "gb").results] == ["pay-page"]
    assert [r.id for r in pay_and_requests.search("request", "gb").results] == ["request-page"]


def test_a_thesaurus_word_is_answered_by_a_bounded_number_of_pages(tmp_path, small, monkeypatch):
    monkeypatch.setattr(index, "thesaurus_for", lambda cache: small)
    tree = new_content(tmp_path / "content")
    count = THESAURUS_PAGES + 5
    for n in range(count):
        tree.page(f"page-{n:02d}", related=(f"page-{(n + 1) % count:02d}",), text="Their pay " * (n + 1))
    library = library_of(tree)
    pages = [page_for_edition(p, "gb", library.terminology.ni_terms) for p in library.pages]
    index.publish(index.prepare(tmp_path / "search_index", "gb", pages, library.terminology.synonyms))
    service = SearchService(tmp_path / "search_index")
    assert len(service.search("pay", "gb", 50).results) == count
    found = [r.id for r in service.search("salary", "gb", 50).results]
    assert len(found) == THESAURUS_PAGES
    assert "page-00" not in found  # the page using "pay" least


def test_the_read_thesaurus_is_kept_in_the_cache_under_its_digest(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        index, "installed_thesaurus", lambda: calls.append(1) or thesaurus.Thesaurus({"a": frozenset()})
    )
    first = index._kept_thesaurus.__wrapped__(tmp_path, "digest-1")
    again = index._kept_thesaurus.__wrapped__(tmp_path, "digest-1")  # a new process: read back from the cache
    assert first == again and calls == [1] and (tmp_path / "thesaurus.pickle").exists()
    index._kept_thesaurus.__wrapped__(tmp_path, "digest-2")  # another thesaurus: read again
    assert calls == [1, 1]


def test_a_word_with_too_many_meanings_stands_for_none_of_them(tmp_path):
    """ "make" or "check" would bring a page for dozens of words: a word with more words of
    the same meaning than MOST_MEANINGS is no evidence for any of them (they still stand for it)."""
    many = [f"word{letter}{other}" for letter in "abcde" for other in "pqrst"][: thesaurus.MOST_MEANINGS + 1]
    few = many[:3]
    file = tmp_path / "th.dat"
    file.write_text(f"UTF-8\nvague|1\n(adj)|{'|'.join(many)}\nplain|1\n(adj)|{'|'.join(few)}\n", encoding="utf-8")
    read = thesaurus.read(file, index._STEM)
    assert read.of(index._STEM("vague")) == frozenset()
    assert read.of(index._STEM("plain")) == {index._STEM(w) for w in few}
    assert index._STEM("vague") in read.of(index._STEM(many[0]))
