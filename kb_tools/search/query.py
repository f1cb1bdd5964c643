"""Search the published index: a caseworker's words → the best procedure sections.

How a query is answered, fastest path first:
1. Words the index has never seen are corrected against the unstemmed vocabulary
   ("infromation" → "information"); the response then says what was searched.
2. Every remaining word must match (AND) somewhere in the page: its names (title, tags,
   keywords), its summary and headings, its text, or the synonyms (terminology table) of
   what it mentions; stemmed, so "requests" finds "request". Pages are ranked by BM25F.
   A word no page holds in any of these finds, as a last resort, the pages using a word
   of the same meaning in the thesaurus ("salary" → "pay"); such a page is only a
   suggestion (marked weak) unless it holds half of the words itself.
3. When that finds fewer than a handful of pages (a question in a whole sentence), any word
   may match (OR) and pages matching more and rarer words rank first.
4. For each result, the section holding the most query words (a heading counts double) is
   picked from the terms stored with the page: the result deep-links to it, and its text
   gives the snippet, matched words marked.

The opened index is cached and reopened only when a build publishes a new version.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import html
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import IndexError as WhooshIndexError
from whoosh.matching import FilterMatcher, Matcher, MultiMatcher
from whoosh.scoring import BM25F

from kb_tools.config import (  # EDITIONS and the caps on one query's cost
    EDITIONS,
    MAX_CACHED_CORRECTIONS,
    MAX_CORRECTED_WORDS,
    MAX_LIMIT,
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
)
from kb_tools.errors import KbError
from kb_tools.search.index import (
    FIELD_BOOSTS,
    TOKEN_PATTERN,
    Folding,
    SectionEntry,
    analyse,
    current_version,
    edition_folder,
    english_words,
    open_version,
    read_manifest,
)

DEFAULT_LIMIT = 10
# Below this many pages from the AND query, OR results are added after them.
ENOUGH_RESULTS = 3
# A page found by some of the words only is weak when it holds less than this share of them.
WEAK_SHARE = 0.5
SNIPPET_CHARS = 180
SCORED_FIELDS = tuple(FIELD_BOOSTS)
EXPANSION_FIELD = "aliases"  # the synonyms and old terms of what a page mentions (index.py)
THESAURUS_FIELD = "related"  # words of the same meaning as the page's (thesaurus.py): the last resort
THESAURUS_PAGES = 10  # the most pages a word found only through the thesaurus brings
# Term score maps kept per open index: about 100 bytes each, so at most ~100 MB.
MAX_CACHED_POSTINGS = 1_000_000
OPEN_ATTEMPTS = 3

_WORD = re.compile(TOKEN_PATTERN)
SPACED_AMPERSAND = re.compile(r"\b(\w)\s*&\s*(\w)\b")  # "A & G" → "A&G"


@dataclass(frozen=True)
class SearchResult:
    id: str  # page id
    title: str
    edition: str
    url: str  # from the site root, deep-linking the best-matching section
    score: float
    snippet: str  # HTML: text escaped, matched words in <mark>…</mark>
    section: str  # heading of the best-matching section ("" for the page top)
    searched_for: str  # the query as searched (after spelling correction)
    weak: bool = False  # holds too little of the query to be an answer (see SearchService._ranked)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SearchResponse:
    query: str
    searched_for: str
    edition: str
    results: tuple[SearchResult, ...]
    version: str = ""  # the index version searched: every result comes from it

    @property
    def corrected(self) -> bool:
        return self.searched_for != self.query


class IndexNotBuilt(KbError):
    """No published index for the edition: `kb build` has not run."""


def request_errors(query: object, edition: object, limit: object) -> list[str]:
    """What is wrong with a search request, in words a caller can show; [] when it is fine."""
    errors = []
    if not isinstance(query, str) or not query.strip():
        errors.append("the query is empty: type some words to search for")
    elif len(query) > MAX_QUERY_LENGTH:
        errors.append(f"the query is too long: at most {MAX_QUERY_LENGTH} characters")
    elif len(query.split()) > MAX_QUERY_WORDS:
        errors.append(f"the query has too many words: at most {MAX_QUERY_WORDS}")
    if edition not in EDITIONS:
        errors.append(f"unknown edition {edition!r}: use one of {', '.join(EDITIONS)}")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        errors.append(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return errors


def _average_lengths(lengths: dict[str, list[int]]) -> dict[str, float]:
    """Each field's average length over the pages an index holds now, from the lengths its
    manifest keeps per page ({} when it keeps none). Whoosh's own total still counts the
    pages a build replaced or removed, even after merging segments: averages from it would
    depend on the history of builds. Equal to Whoosh's for an index built from nothing."""
    if not lengths:
        return {}
    return {field: sum(n[i] for n in lengths.values()) / len(lengths) for i, field in enumerate(FIELD_BOOSTS)}


class _OpenIndex:
    """One published version, opened once, with what searching it has worked out so far.

    Scoring is BM25F exactly as Whoosh's own searcher computes it (the same statistics and
    formula, field boosts in the posting weights), but one term at a time: each query term's
    postings are read once into a {document: score} map, kept for later queries, and maps
    are combined with set operations. Whoosh's matchers score one document at a time; with
    ten thousand pages the common words ("parent", "pay") match nearly every page, and that
    took 70-220 ms a query (measured); combined maps take a few milliseconds.
    """

    def __init__(self, version: Path):
        self.version = version
        self.index = open_version(version)
        self.searcher = self.index.searcher()
        self.reader = self.searcher.reader()
        manifest = read_manifest(version)  # read once: the fold rules and the pages' lengths
        self.folding = Folding.from_json(manifest.get("folding"))  # how its pages' abbreviations were folded
        self.corrections: OrderedDict[str, str | None] = OrderedDict()  # bounded: MAX_CACHED_CORRECTIONS
        self.weighting = _Weighting()
        self._scores: OrderedDict[str, dict[int, float]] = OrderedDict()
        self._cached_postings = 0
        count = self.reader.doc_count_all()
        self._deleted = (
            frozenset(d for d in range(count) if self.reader.is_deleted(d))
            if self.reader.has_deletions()
            else frozenset()
        )
        self._averages = _average_lengths(manifest.get("lengths") or {})
        self._norms = {field: self._length_norms(field) for field in SCORED_FIELDS}  # about 25 ms at 10,000 pages
        self.order = self._page_order()

    def term_scores(self, term: str) -> dict[int, float]:
        """{document number: BM25F score} for one stemmed term over the scored fields (cached)."""
        scores = self._scores.get(term)
        if scores is not None:
            self._scores.move_to_end(term)
            return scores
        if self.guessed(term):
            scores = self.thesaurus_scores(term)
        else:
            scores = {}
            for field in SCORED_FIELDS:
                if field not in (EXPANSION_FIELD, THESAURUS_FIELD) and self.reader.doc_frequency(field, term):
                    self._add_field_scores(scores, field, term)
            if self.reader.doc_frequency(EXPANSION_FIELD, term):
                self._add_expansion_scores(scores, term)
            for docnum in self._deleted.intersection(scores):
                del scores[docnum]
        self._remember(term, scores)
        return scores

    def thesaurus_scores(self, term: str) -> dict[int, float]:
        """A word no page uses, even as a synonym of the terminology table, is answered by
        the pages using words of the same meaning, the THESAURUS_PAGES that use them most:
        enough to rank, and a bound on what a word of English costs (here and in the
        browser index, which holds only these)."""
        scores: dict[int, float] = {}
        self._add_field_scores(scores, THESAURUS_FIELD, term)
        for docnum in self._deleted.intersection(scores):
            del scores[docnum]
        return dict(_top(scores, THESAURUS_PAGES, self.order))

    def _add_field_scores(self, scores: dict[int, float], field: str, term: str, idf: float | None = None) -> None:
        # Whoosh's bm25(idf, tf, length, average, B, K1), with the part that depends only on
        # the page's field length worked out once per page: the same operations in the same
        # order, so the same floats.
        idf, boosted_one = self.searcher.idf(field, term) if idf is None else idf, self.weighting.K1 + 1
        norms, get = self._norms[field], scores.get
        for docnums, weights in _posting_blocks(self.reader.postings(field, term)):
            for docnum, weight in zip(docnums, weights):
                scores[docnum] = get(docnum, 0.0) + idf * ((weight * boosted_one) / (weight + norms[docnum]))

    def _add_expansion_scores(self, scores: dict[int, float], term: str) -> None:
        """A term found through a synonym or old term weighs what the expansion is worth.

        A page holds the term in its aliases because it mentions another word of the term's
        synonym group ("NRP" on a page that says "paying parent"). Its rarity is that of the
        group over the pages (pages with the word itself or a synonym of it), not that of
        the alias field alone, where few pages hold it: "NRP" expands to "paying parent",
        on nearly every page, and so adds little; the typed words decide.
        """
        expanded: dict[int, float] = {}
        self._add_field_scores(expanded, EXPANSION_FIELD, term, idf=1.0)
        idf = self.expansion_idf(scores.keys() | expanded.keys())
        for docnum, value in expanded.items():
            scores[docnum] = scores.get(docnum, 0.0) + idf * value

    def expansion_idf(self, pages: Iterable[int]) -> float:
        """What a term found through its synonym group weighs: the group's rarity over the
        pages holding the term or a synonym of it (`pages`)."""
        return self.weighting.idf_for(len(set(pages) - self._deleted), self.reader.doc_count_all())

    def length_norms(self, field: str) -> list[float]:
        return self._norms[field]

    def _length_norms(self, field: str) -> list[float]:
        """K1 × ((1 − B) + B × length / average length) for every page: BM25's length part."""
        b, k1 = self.weighting.B, self.weighting.K1
        average = self._averages.get(field) or self.searcher.avg_field_length(field) or 1
        length = self.reader.doc_field_length
        return [k1 * ((1 - b) + b * (length(d, field) or 0) / average) for d in range(self.reader.doc_count_all())]

    def _page_order(self) -> list[int]:
        """Each document's place among the pages sorted by id: equal scores rank in that
        order, so the order of results does not depend on the order pages were indexed in
        (a build from nothing indexes them by id; a later build appends changed pages)."""
        order = [0] * self.reader.doc_count_all()
        ids = (t.decode() if isinstance(t, bytes) else t for t in self.reader.lexicon("page_id"))
        for place, page_id in enumerate(ids):  # the lexicon is sorted
            for docnum in self.reader.postings("page_id", page_id).all_ids():
                order[docnum] = place
        return order

    def _remember(self, term: str, scores: dict[int, float]) -> None:
        """Keep the maps of recent terms, up to a bounded number of postings in all."""
        self._scores[term] = scores
        self._cached_postings += len(scores)
        while self._cached_postings > MAX_CACHED_POSTINGS and len(self._scores) > 1:
            _, dropped = self._scores.popitem(last=False)
            self._cached_postings -= len(dropped)

    def close(self) -> None:
        self.searcher.close()
        self.index.close()

    def guessed(self, term: str) -> bool:
        """Whether the term's pages are found only through the thesaurus: no page holds it,
        even as a synonym of the terminology table (the rule term_scores, the weak marks and
        the browser export all follow)."""
        frequency = self.reader.doc_frequency
        return frequency(THESAURUS_FIELD, term) > 0 and not any(
            frequency(field, term) for field in SCORED_FIELDS if field != THESAURUS_FIELD
        )

    def indexed(self, term: str) -> bool:
        """Whether any page has this stemmed term in a scored field."""
        return any(self.reader.doc_frequency(field, term) for field in SCORED_FIELDS)

    def known(self, word: str) -> bool:
        return self.reader.doc_frequency("plain", word) > 0

    @functools.cached_property
    def near_words(self) -> NearWords:
        """The vocabulary typos are corrected against, ready for look-ups (built at the first typo)."""
        words = (term.decode() if isinstance(term, bytes) else term for term in self.reader.lexicon("plain"))
        return NearWords(w for w in words if w.isalpha())

    def correction(self, word: str) -> str | None:
        """The known word nearest to `word` (same first letter); of equals, the one in most pages.

        One edit away first (a letter added, dropped or changed, or two neighbours swapped:
        "frist"), then two edits for words of six letters or more.
        """
        if word in self.corrections:
            self.corrections.move_to_end(word)
            return self.corrections[word]
        near = self.near_words.nearest(word, 2 if len(word) >= 6 else 1)
        frequency = self.reader.doc_frequency
        found = max(sorted(near), key=lambda w: frequency("plain", w)) if near else None
        self.corrections[word] = found
        if len(self.corrections) > MAX_CACHED_CORRECTIONS:
            self.corrections.popitem(last=False)
        return found


class SearchService:
    """Searches the indexes under one search_index/ folder; safe to share between threads."""

    def __init__(self, root: Path):
        self.root = root
        self._open: dict[str, _OpenIndex] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for opened in self._open.values():
                opened.close()
            self._open.clear()

    def open_published(self) -> None:
        """Open each edition's published index now (a server at start), and read the words
        of English (about half a second), so that the first caseworker to search does not
        wait for them. An edition not built yet is skipped."""
        english_words()
        with self._lock:
            for edition in EDITIONS:
                with contextlib.suppress(IndexNotBuilt):
                    self._current(edition)

    def search(self, query: str, edition: str = "gb", limit: int = DEFAULT_LIMIT) -> SearchResponse:
        errors = request_errors(query, edition, limit)
        if errors:
            raise ValueError("; ".join(errors))
        with self._lock:
            for _ in range(OPEN_ATTEMPTS - 1):
                try:
                    return self._search(query, edition, limit)
                except (OSError, WhooshIndexError):
                    # Builds published twice since CURRENT was read, and that version is
                    # gone: read CURRENT again.
                    self._forget(edition)
            return self._search(query, edition, limit)

    def _search(self, query: str, edition: str, limit: int) -> SearchResponse:
        opened = self._current(edition)
        folded = " ".join(SPACED_AMPERSAND.sub(r"\1&\2", opened.folding.fold(" ".join(query.split()))).split())
        searched = _correct(folded, opened)
        # Folding "A and G" to "A&G" changes no word: the caseworker is told what was searched
        # for only when a word was corrected.
        searched_for = searched if searched != folded else query
        required, optional = self._terms(searched, opened)
        hits = self._ranked(opened, required, optional, limit)
        highlight = set(required) | set(optional)
        results = tuple(
            _result(
                opened.searcher.stored_fields(docnum), score, edition, searched_for, highlight, opened.folding, weak
            )
            for docnum, score, weak in hits
        )
        return SearchResponse(query, searched_for, edition, results, opened.version.name)

    def _forget(self, edition: str) -> None:
        opened = self._open.pop(edition, None)
        if opened is not None:
            opened.close()

    def _current(self, edition: str) -> _OpenIndex:
        """The edition's published index, reopened when a build has switched the link."""
        version = current_version(edition_folder(self.root, edition))
        if version is None:
            raise IndexNotBuilt(
                f"no search index for the {edition.upper()} edition in {self.root}: run `kb build` first"
            )
        opened = self._open.get(edition)
        if opened is None or opened.version != version:
            if opened is not None:
                opened.close()
            opened = self._open[edition] = _OpenIndex(version)
        return opened

    def _terms(self, text: str, opened: _OpenIndex) -> tuple[list[str], list[str]]:
        """Stemmed terms every result must match, and whole compounds that only add to the score.

        "non-resident" must match "non" and "resident" (so "non resident" in a page counts);
        the whole "non-resident" only ranks pages that write it so higher. Words typed apart
        that the pages write joined ("non resident" → "non-resident", "one to one") count as
        that compound too, so "non" in "non-geographical" does not win over the phrase meant.
        """
        required: list[str] = []
        optional: list[str] = []
        words = _WORD.findall(text)
        for word in words:
            tokens = list(analyse(word)[1])
            if len(tokens) > 1:
                optional.append(tokens[0])
                tokens = tokens[1:]
            required.extend(t for t in tokens if t not in required)
        for size in (2, 3):
            for start in range(len(words) - size + 1):
                joined = analyse("-".join(words[start : start + size]))[1]
                if joined and "-" in joined[0] and opened.indexed(joined[0]):
                    optional.append(joined[0])
        return required, list(dict.fromkeys(t for t in optional if t not in required))

    def _ranked(
        self, opened: _OpenIndex, required: list[str], optional: list[str], limit: int
    ) -> list[tuple[int, float, bool]]:
        """(document number, score, weak) of the best pages: all words first, then any word.

        A page found by some of the words only is weak when it holds fewer than half of the
        query's words (stop words aside): "car parking at the office" finds "office" on one
        page, and that page is no answer. A page holding every word is never weak. A word
        found only through the thesaurus is not held: a page it finds is a suggestion,
        marked weak unless the page holds half of the words itself. (Weighing
        each word by its rarity over the pages instead marked 25 of 96 right answers of the
        acceptance set weak, against 14 for this count, and caught one more unanswerable question.)
        """
        if not required:
            return []
        required_maps = [opened.term_scores(t) for t in required]
        optional_maps = [opened.term_scores(t) for t in optional]
        # What the pages hold themselves: a word found only through the thesaurus is a guess.
        held_maps = [scores for t, scores in zip(required, required_maps) if not opened.guessed(t)]
        best = _top(_all_of(required_maps, optional_maps), limit, opened.order)
        hits = best
        if len(best) < min(limit, ENOUGH_RESULTS) and len(required_maps) + len(optional_maps) > 1:
            seen = {docnum for docnum, _ in best}
            extra = [
                hit for hit in _top(_any_of(required_maps + optional_maps), limit, opened.order) if hit[0] not in seen
            ]
            hits = best + extra[: limit - len(best)]
        return [(d, s, _matched_share(d, held_maps, len(required_maps)) < WEAK_SHARE) for d, s in hits]


class _Weighting(BM25F):
    """Whoosh's BM25F, with its inverse document frequency available for any page count."""

    @staticmethod
    def idf_for(pages: int, all_pages: int) -> float:
        return math.log(all_pages / (pages + 1)) + 1  # Whoosh's WeightingModel.idf formula


def _posting_blocks(matcher: Matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A term's postings as (document numbers, weights), a block at a time.

    Whoosh's matchers hand out one posting per method call: at 10,000 pages a common word
    has tens of thousands of postings, and those calls were most of a first search's time.
    Its own postings format (W3LeafMatcher) holds them in blocks of arrays, read here whole;
    an index of several segments is a MultiMatcher of those, and a segment with deleted
    pages a FilterMatcher around one. Any other matcher is read through the public calls."""
    if isinstance(matcher, MultiMatcher):
        for child, offset in zip(matcher.matchers, matcher.offsets):
            for docnums, weights in _posting_blocks(child):
                yield [docnum + offset for docnum in docnums], weights
    elif isinstance(matcher, FilterMatcher) and matcher.boost == 1:
        listed, excluded = matcher._ids, matcher._exclude
        for docnums, weights in _posting_blocks(matcher.child):
            if excluded and isinstance(listed, (set, frozenset)) and listed.isdisjoint(docnums):
                yield docnums, weights  # most blocks hold no deleted page
                continue
            kept = [(d, w) for d, w in zip(docnums, weights) if (d in listed) != excluded]
            yield [d for d, _ in kept], [w for _, w in kept]
    elif isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids[matcher._i :], matcher._weights[matcher._i :]  # type: ignore[index]
            matcher._next_block()
    else:
        docnums, weights = [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield docnums, weights


def _all_of(required: list[dict[int, float]], optional: list[dict[int, float]]) -> dict[int, float]:
    """Pages matching every required term, scored by all the terms they match (Whoosh's AndMaybe)."""
    smallest, *others = sorted(required, key=len)
    common = set(smallest)
    for scores in others:
        common &= scores.keys()
    docs = list(common)
    # Column by column (C loops, not a Python loop per page): at 10,000 pages "parent" and
    # "pay" are on nearly every page.
    columns = [list(map(scores.__getitem__, docs)) for scores in required]
    columns += [[scores.get(d, 0.0) for d in docs] for scores in optional]
    return dict(zip(docs, map(sum, zip(*columns))))


def _any_of(maps: list[dict[int, float]]) -> dict[int, float]:
    total: dict[int, float] = {}
    for scores in maps:
        for docnum, score in scores.items():
            total[docnum] = total.get(docnum, 0.0) + score
    return total


def _matched_share(docnum: int, maps: list[dict[int, float]], words: int) -> float:
    """The share of the query's `words` that the page holds (of those whose score maps are `maps`)."""
    return sum(1 for scores in maps if docnum in scores) / words if words else 0.0


def _top(scores: dict[int, float], limit: int, order: Sequence[int]) -> list[tuple[int, float]]:
    # Ties go to the page whose id sorts first, so the same query always gives the same order.
    return heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], -order[item[0]]))


# --- spelling ---------------------------------------------------------------------------


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Letters added, dropped or changed, or two neighbours swapped, to turn a into b
    (optimal string alignment distance)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


class NearWords:
    """Known words within one or two edits of a word, found with dictionary look-ups only.

    Each known word is stored under every way of dropping one of its letters ("infomation"
    for "information"). A typed word's own one- and two-letter drops are looked up among the
    known words and those stored drops: a few hundred look-ups for a long word, whatever the
    size of the vocabulary (symmetric deletion, as SymSpell does). That finds every known
    word one edit away, and two edits away unless the typed word lacks two of its letters
    or has two of them wrong. Whoosh's own corrector walked the whole vocabulary with an
    automaton: about 2.5 ms a word here, most of a 200-character query of random words.
    """

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(words)
        self._by_drop: dict[str, list[str]] = {}
        for word in self.words:
            for dropped in _deletes(word):
                self._by_drop.setdefault(dropped, []).append(word)

    def nearest(self, word: str, most: int = 2) -> set[str]:
        """The known words at the smallest distance from `word` (1, else up to `most`), same first letter."""
        drops = {word} | _deletes(word)
        if most >= 2:
            drops |= {two for one in _deletes(word) for two in _deletes(one)}
        found = {d for d in drops if d in self.words}
        for dropped in drops:
            found.update(self._by_drop.get(dropped, ()))
        distances = {w: edit_distance(word, w) for w in found if w != word and w[:1] == word[:1]}
        best = min((d for d in distances.values() if d <= most), default=None)
        return {w for w, d in distances.items() if d == best} if best is not None else set()


def _correct(query: str, opened: _OpenIndex) -> str:
    """The query with each misspelt word replaced by the nearest word the index knows. A word
    the index knows, or a word of English, is kept as typed: "term", "kids" and "pay rise"
    are what the caseworker meant, even when no page uses them."""

    looked_up = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal looked_up
        word = match.group(0)
        lower = word.lower()
        if len(lower) < 4 or not lower.isalpha() or opened.known(lower) or looked_up >= MAX_CORRECTED_WORDS:
            return word
        if lower in english_words():
            return word
        looked_up += 1  # a query of random words costs a bounded number of look-ups
        found = opened.correction(lower)
        if found is None:
            return word
        return found.capitalize() if word[0].isupper() else found

    return _WORD.sub(fix, query)


# --- results ----------------------------------------------------------------------------


def _result(
    stored: dict,
    score: float,
    edition: str,
    searched_for: str,
    terms: set[str],
    folding: Folding | None = None,
    weak: bool = False,
) -> SearchResult:
    section = best_section(stored["sections"], terms, frozenset(analyse(stored["title"], folding)[1]))
    anchor = f"#{section.anchor}" if section.anchor else ""
    return SearchResult(
        id=stored["page_id"],
        title=stored["title"],
        edition=edition,
        url=stored["url"] + anchor,
        score=round(score, 3),
        snippet=snippet(section.text, terms),
        section=section.heading,
        searched_for=searched_for,
        weak=weak,
    )


def best_section(sections: list[tuple], terms: set[str], title_terms: frozenset[str] = frozenset()) -> SectionEntry:
    """Where the result links: a section when it holds clearly more of the query than the page top.

    Each place is measured by how many of the query's terms it holds (heading or text), then
    by how many its heading names, counting only the terms the page's title does not hold:
    those name the whole page, not a place on it. The page top holds its summary. The best
    section is linked only when it beats the top on that measure: more of the query, or as
    much with a heading that names it ("stop think act" lands on the "Stop, Think, Act"
    section, "debt negotiation" on the top of the Debt negotiation page, "application fee
    domestic abuse" on the Application fee section of the Domestic abuse page, "empathy in
    the customer charter" on the Empathy section of the Customer charter page).
    """

    entries = [SectionEntry(*stored) for stored in sections]
    top, rest = entries[0], entries[1:]
    if top.anchor:  # no page top stored: the first place is a section like the others
        top, rest = SectionEntry("", "", "", (), ()), entries
    if not rest:
        return top
    # The title names the whole page: its words choose no place on it. (The page's tags and
    # keywords too was tried: right sections 11 → 7 of the development set's 15.)
    distinctive = terms - title_terms

    def measure(covered: Iterable[str], named: Iterable[str]) -> tuple[int, int]:
        return len(distinctive.intersection(covered)), len(distinctive.intersection(named))

    # max keeps the first of equals: the earlier section
    best = max(rest, key=lambda e: measure({*e.heading_terms, *e.text_terms}, e.heading_terms))
    best_measure = measure({*best.heading_terms, *best.text_terms}, best.heading_terms)
    top_measure = measure(top.text_terms, ())
    return best if best_measure > top_measure else top


def _marks(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character ranges of the words holding a search term ("non-resident" whole for "resident")."""
    return [match.span() for match in _WORD.finditer(text) if terms.intersection(analyse(match.group())[1])]


def _window(text: str, marks: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The stretch of `size` characters holding the most matches, widened to whole words."""
    if len(text) <= size:
        return 0, len(text)
    best_start, best_count = 0, 0
    for start, _ in marks:
        begin = max(0, start - size // 4)
        count = sum(1 for s, e in marks if s >= begin and e <= begin + size)
        if count > best_count:
            best_start, best_count = begin, count
    end = min(len(text), best_start + size)
    if best_start > 0:
        space = text.rfind(" ", 0, best_start)
        best_start = space + 1 if space != -1 else 0
    if end < len(text):
        space = text.find(" ", end)
        end = space if space != -1 else len(text)
    return best_start, end


def snippet(text: str, terms: Iterable[str], size: int = SNIPPET_CHARS) -> str:
    """A short HTML excerpt of `text` around the matches, each matched word in <mark>."""
    marks = _marks(text, set(terms))
    start, end = _window(text, marks, size)
    parts = ["…" if start > 0 else ""]
    position = start
    for mark_start, mark_end in marks:
        if mark_start < start or mark_end > end:
            continue
        parts.append(html.escape(text[position:mark_start]))
        parts.append(f"<mark>{html.escape(text[mark_start:mark_end])}</mark>")
        position = mark_end
    parts.append(html.escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)
