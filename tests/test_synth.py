"""The synthetic corpus: valid, deterministic, and shaped like real content."""

from collections import Counter

from kb_tools.checks.registry import check_all
from kb_tools.content.text import links, parse
from kb_tools.dev.synth import SECTION_PAGES, generate


def files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.yml"))}


def test_same_seed_same_bytes_other_seed_other_pages(tmp_path):
    first = generate(tmp_path / "a", 30, seed=7)
    second = generate(tmp_path / "b", 30, seed=7)
    third = generate(tmp_path / "c", 30, seed=8)
    assert files(first.root) == files(second.root)
    assert files(first.root) != files(third.root)


def test_corpus_passes_every_check_without_warnings(tmp_path):
    corpus = generate(tmp_path / "content", 40)
    result = check_all(corpus.root)
    assert result.ok and result.problems == (), [str(p) for p in result.problems[:5]]
    assert len(result.library.pages) == 40


def test_pages_have_links_terms_and_edition_text(tmp_path):
    corpus = generate(tmp_path / "content", 60)
    library = check_all(corpus.root).library
    texts = [s.text for p in library.pages for s in p.body]
    in_text = [link.target for t in texts for link in links(parse(t))]
    assert len(in_text) >= len(library.pages) and all(t.startswith("page:") and "#" in t for t in in_text)
    assert any("CMG" in t or "DWP" in t for t in texts)
    assert any("{ni:" in t for t in texts)
    assert all(p.tags and p.faq and len(p.related) >= 2 and len(p.body) >= 3 for p in library.pages)


def test_sections_stay_bounded(tmp_path):
    corpus = generate(tmp_path / "content", 2 * SECTION_PAGES + 1)
    sizes = Counter(p.section for p in corpus.pages)
    assert len(sizes) == len(corpus.sections) == 3
    assert max(sizes.values()) <= SECTION_PAGES
