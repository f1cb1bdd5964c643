"""Edition pages → one Whoosh index per edition under search_index/<edition>/.

One document per page, with its sections worked out at build time: each section's
heading, anchor, text and the stemmed terms it holds are stored with the page, so a search
ranks pages (fast: ten thousand documents, not seventy thousand sections) and then picks
the best-matching section of each result to deep-link to, without analysing anything
but the query and the snippets.

On disk, per edition, published the same way as the site (kb_tools/versions.py):

    search_index/gb                a link to the published version, switched atomically
    search_index/gb.builds/v-…/    a complete Whoosh index + manifest.json (page id → hash of its input)

A build never writes into a published version. It hard-links the current version into a
staging folder, re-indexes only the pages that changed, then `publish` switches the link
in one step: a search running meanwhile sees the old index or the new one, never a
half-written one. Searches resolve the link once (`current_version`) and read from that
folder; the previous version is kept for those that resolved it just before the switch.

This is the only module that writes with Whoosh; search.py reads. Replacing Whoosh means
replacing these two modules.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language

from kb_tools import versions
from kb_tools.cache import Store
from kb_tools.content.text import parse, plain_text
from kb_tools.editions.synonyms import also_known_as
from kb_tools.layout import LEGISLATION_ANCHOR, LEGISLATION_HEADING, page_url
from kb_tools.model import Page, Synonym
from kb_tools.search import thesaurus as thesaurus_module
from kb_tools.search.thesaurus import Thesaurus

# Bump when the documents, fields or analysis change: every index is then rebuilt in full.
SCHEMA_VERSION = 7  # 6: the "related" field (words of the same meaning, from the thesaurus); 7: MOST_MEANINGS
MANIFEST = "manifest.json"

# --- analysis ---------------------------------------------------------------------------

# A word, or words joined by & - / . ' so "A&G", "Q&A", "1-2-1" and "and/or" stay one token.
TOKEN_PATTERN = r"\w+(?:[&\-/.'’]\w+)*"
_JOINERS = re.compile(r"[\-/.'’]")


class CompoundFilter(Filter):
    """Keeps "non-resident" whole and also yields "non" and "resident", so either spelling matches.

    "A&G" and "Q&A" are never split: their letters alone mean nothing. Parts that are one
    character or only digits ("1-2-1") are dropped for the same reason. The whole token
    comes first, then its parts: analyse() and search.py rely on that order.
    """

    def __call__(self, tokens: Iterable, **kwargs: object) -> Iterator:  # type: ignore[override]  # a filter, not a tokenizer
        for token in tokens:
            text = token.text
            yield token
            if text.isalnum() or "&" in text:  # isalnum first: most words, and fast
                continue
            offset = 0
            for part in _JOINERS.split(text):
                start, offset = offset, offset + len(part) + 1
                if len(part) < 2 or part.isdigit():
                    continue
                piece = token.copy()
                piece.text = part
                if token.chars:
                    piece.startchar = token.startchar + start
                    piece.endchar = piece.startchar + len(part)
                yield piece


def plain_analyzer():
    """Words as written (lower case, stop words removed): the vocabulary typos are corrected against."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CompoundFilter() | StopFilter(lang="en")


def stemmed_analyzer():
    """English stemming with porter2 (Snowball), not the default StemmingAnalyzer's buggy stemmer."""
    return plain_analyzer() | StemFilter(lang="en")


_TOKEN = re.compile(TOKEN_PATTERN)
STOP_WORDS = StopFilter(lang="en").stops
_STEM = lru_cache(maxsize=100_000)(stemmer_for_language("en"))  # what StemFilter(lang="en") applies


def analyse(text: str, folding: Folding | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words, stems): exactly what plain_analyzer() and stemmed_analyzer() give, three times faster.

    Indexing hands Whoosh these lists (it indexes a list of terms as given), so each text is
    tokenised once for every field and for the sections' stored terms. Whoosh's analyzer
    chain costs a generator step per filter per word; at 10,000 pages that was a third of
    the index build. tests/test_index.py checks the two give the same terms. With a
    `folding`, the text's ways of writing an abbreviation are folded first (as the index
    and the query both do).
    """
    if folding is not None:
        text = folding.fold(text)
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group().lower()
        pieces = (
            [token]
            if token.isalnum() or "&" in token
            else [token, *(p for p in _JOINERS.split(token) if len(p) > 1 and not p.isdigit())]
        )
        words.extend(w for w in pieces if len(w) > 1 and w not in STOP_WORDS)
    return tuple(words), tuple(_STEM(word) for word in words)


@functools.cache
def english_words() -> frozenset[str]:
    """Words of English, from the dictionary pyspellchecker ships (160,000 words, from
    frequency lists) and the thesaurus' entries (its words can find pages through it): a
    word in either is written on purpose, even if no page uses it."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary) | thesaurus_module.words()


def is_english(word: str) -> bool:
    return word.lower() in english_words()


# --- abbreviations written every way ------------------------------------------------------
#
# Caseworkers write "A&G" as "A and G", "A + G", "A/G", "a&g" or "AG", and "1-2-1" as "one
# to one", "121" or "1:1". Each is folded to the abbreviation as the terminology table
# writes it, in the pages when they are indexed and in the query when it is searched, so
# both hold one token. The rules are made from the table's synonyms (no abbreviation is
# listed here) and stored with the index, so a query is folded exactly as its pages were.

# Digits as they are read aloud ("1-2-1" is "one to one", "4" is also "for").
_DIGIT_WORDS = {
    "0": ("zero",), "1": ("one",), "2": ("two", "to", "too"), "3": ("three",), "4": ("four", "for"),
    "5": ("five",), "6": ("six",), "7": ("seven",), "8": ("eight",), "9": ("nine",),
}  # fmt: skip
# Between the letters of an abbreviation: a sign, "and" or "n", with or without spaces, or spaces.
_SEPARATOR = r"(?:\s*(?:[&+/:.\-]|and|n)\s*|\s+)"
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w&])", r"(?![\w&])"
# "1:1" is read "1 to 1" (a ratio read aloud), so it folds like "one to one".
RATIO = re.compile(r"(?<![\w:])(\d)\s*:\s*(\d)(?![\w:])")
_ABBREVIATION = re.compile(r"[A-Z0-9]+(?:[&/\-][A-Z0-9]+)*")


@dataclass(frozen=True)
class FoldRule:
    """Text matching `pattern` (a regular expression) is written as `canonical`."""

    pattern: str
    canonical: str
    ignore_case: bool


def _part(part: str) -> str:
    spoken = _DIGIT_WORDS.get(part, ()) if len(part) == 1 else ()
    return f"(?:{'|'.join(re.escape(p) for p in (part, *spoken))})" if spoken else re.escape(part)


def fold_rules_for(term: str) -> tuple[FoldRule, ...]:
    """The ways of writing one abbreviation of the terminology table (none for other terms).

    "A&G", "Q&A", "1-2-1": its parts with any separator ("A and G", "A/G", "Q n A", "one to
    one", "1 2 1"), in any case; run together ("QA", "qa", "121"), in capitals only when
    that is a word of English ("AG", not "ag").
    "FOI", "SR": its letters with full stops ("F.O.I.", "s.r."), in any case.
    """
    if len(term) < 2 or not _ABBREVIATION.fullmatch(term) or not any(c.isalpha() or c.isdigit() for c in term):
        return ()
    joined = re.search(r"[&/\-]", term) is not None
    parts = re.split(r"[&/\-]", term) if joined else list(term)
    if joined:
        spelt = _SEPARATOR.join(_part(p) for p in parts)
        rules = [FoldRule(_EDGE_BEFORE + spelt + _EDGE_AFTER, term, True)]
        if all(len(p) == 1 for p in parts):
            # "qa" is "QA", but "ag" is a word of English: written that way, it is only "A&G" in capitals.
            together = "".join(parts)
            rules.append(FoldRule(_EDGE_BEFORE + re.escape(together) + _EDGE_AFTER, term, not is_english(together)))
        return tuple(rules)
    dotted = r"\.\s*".join(re.escape(p) for p in parts) + r"\.?"
    return (FoldRule(_EDGE_BEFORE + dotted + r"(?![\w&])", term, True),)


@dataclass(frozen=True)
class Folding:
    """Every fold rule of a terminology table, applied in one pass over a text."""

    rules: tuple[FoldRule, ...] = ()

    @classmethod
    def from_synonyms(cls, synonyms: Iterable[Synonym]) -> Folding:
        seen: dict[str, FoldRule] = {}
        for group in synonyms:
            for term in group.terms:
                for rule in fold_rules_for(term):
                    seen.setdefault(rule.pattern + str(rule.ignore_case), rule)
        return cls(tuple(seen.values()))

    @classmethod
    def from_json(cls, data: object) -> Folding:
        """From `to_json()` as stored in an index's manifest ([] or anything else: no rules)."""
        if not isinstance(data, list):
            return cls()
        return cls(
            tuple(FoldRule(str(r[0]), str(r[1]), bool(r[2])) for r in data if isinstance(r, list) and len(r) == 3)
        )

    def to_json(self) -> list[list[object]]:
        """[[pattern, canonical, ignore case], …]: what another engine needs to fold the same way."""
        return [[r.pattern, r.canonical, r.ignore_case] for r in self.rules]

    @functools.cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
        # One alternation per case mode: one scan of the text however many rules there are.
        compiled = []
        for ignore_case in (True, False):
            rules = [r for r in self.rules if r.ignore_case == ignore_case]
            if rules:
                pattern = "|".join(f"({r.pattern})" for r in rules)
                compiled.append(
                    (re.compile(pattern, re.IGNORECASE if ignore_case else 0), tuple(r.canonical for r in rules))
                )
        return tuple(compiled)

    def fold(self, text: str) -> str:
        if not self.rules:
            return text
        text = RATIO.sub(r"\1 to \2", text)
        for pattern, canonicals in self._compiled:
            text = pattern.sub(lambda m, c=canonicals: c[m.lastindex - 1], text)  # type: ignore[misc]
        return text


# The page's names (title, tags, keywords) matter most, then its summary and headings, then
# the text, then the synonyms of what it mentions (terminology.yml), and last the words of
# the same meaning (thesaurus.py), used only for a word no page holds. No positions
# are stored (no phrase queries): a smaller index and faster searches.
FIELD_BOOSTS = {"names": 3.0, "lead": 2.0, "body": 1.0, "aliases": 0.5, "related": 0.25}


def make_schema() -> Schema:
    # The analyzers are what a query is analysed with; documents arrive analysed by analyse().
    stemmed = stemmed_analyzer()
    return Schema(
        page_id=ID(stored=True, unique=True),
        names=TEXT(analyzer=stemmed, phrase=False, field_boost=FIELD_BOOSTS["names"]),
        lead=TEXT(analyzer=stemmed, phrase=False, field_boost=FIELD_BOOSTS["lead"]),
        body=TEXT(analyzer=stemmed, phrase=False, field_boost=FIELD_BOOSTS["body"]),
        aliases=TEXT(analyzer=stemmed, phrase=False, field_boost=FIELD_BOOSTS["aliases"]),
        related=TEXT(analyzer=stemmed, phrase=False, field_boost=FIELD_BOOSTS["related"]),
        plain=TEXT(analyzer=plain_analyzer(), phrase=False),  # vocabulary for typo correction only
        title=STORED(),
        url=STORED(),
        sections=STORED(),
    )


# --- documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionEntry:
    """A place on the page a result can deep-link to: the page top, a section, an FAQ answer."""

    heading: str  # "" for the page top
    anchor: str  # "" for the page top
    text: str  # for the snippet
    heading_terms: tuple[str, ...]  # stemmed, as the index holds them
    text_terms: tuple[str, ...]


@dataclass(frozen=True)
class PageDocument:
    page_id: str
    title: str
    url: str  # from the site root: /gb/<section>/<id>.html
    names: tuple[str, ...]  # stems of the title, tags and keywords
    lead: tuple[str, ...]  # stems of the summary, section headings and FAQ questions
    body: tuple[str, ...]  # stems of the text
    aliases: tuple[str, ...]  # stems of the synonyms of what the page mentions (terminology.yml)
    related: tuple[str, ...]  # stems of words of the same meaning as the page's words (thesaurus.py)
    words: tuple[str, ...]  # every word unstemmed: the vocabulary typos are corrected against
    sections: tuple[SectionEntry, ...]

    def lengths(self) -> list[int]:
        """Each scored field's length (terms, repeats included), in FIELD_BOOSTS order."""
        return [len(getattr(self, field)) for field in FIELD_BOOSTS]

    def fields(self) -> dict:
        return {
            "page_id": self.page_id,
            "names": list(self.names),
            "lead": list(self.lead),
            "body": list(self.body),
            "aliases": list(self.aliases),
            "related": list(self.related),
            "plain": list(self.words),
            "title": self.title,
            "url": self.url,
            "sections": [(s.heading, s.anchor, s.text, s.heading_terms, s.text_terms) for s in self.sections],
        }


def _plain(text: str) -> str:
    """What a reader sees: marks resolved, bold markers and extra spaces removed."""
    return " ".join(plain_text(parse(text)).replace("**", "").split())


def _section_parts(page: Page) -> Iterator[tuple[str, str, str]]:
    """(heading, anchor, text) for each part of the page a search can land on, in page order."""
    yield "", "", page.summary
    for section in page.body:
        notes = [note.text for note in section.notes]
        yield section.heading, section.anchor, "\n".join([section.text, *section.steps, *section.points, *notes])
    for faq in page.faq:
        yield faq.question, faq.anchor, faq.answer
    if page.legislation:
        yield LEGISLATION_HEADING, LEGISLATION_ANCHOR, "\n".join(r.title for r in page.legislation)


def document_for_page(
    page: Page, edition: str, synonyms: Iterable[Synonym], thesaurus: Thesaurus | None = None
) -> PageDocument:
    """The edition page as the index holds it. The rendered page has the same anchors, so deep links resolve."""
    synonyms = tuple(synonyms)
    thesaurus = installed_thesaurus() if thesaurus is None else thesaurus
    folding = folding_for(synonyms)
    title = _plain(page.title)
    parts = [(_plain(heading), anchor, _plain(text)) for heading, anchor, text in _section_parts(page)]
    page_words = [*page.tags, *page.keywords]
    everything = "\n".join([title, *page_words, *(f"{h}\n{t}" for h, _, t in parts)])
    name_words, names = analyse("\n".join([title, *page_words]), folding)
    alias_words, aliases = analyse("\n".join(also_known_as(everything, synonyms)), folding)
    words, headings, texts = list(name_words + alias_words), [], []
    sections = []
    for heading, anchor, text in parts:
        (heading_words, heading_stems), (text_words, text_stems) = analyse(heading, folding), analyse(text, folding)
        words += heading_words + text_words
        headings.append(heading_stems)
        texts.append(text_stems)
        # The page top holds the page's names: a query matching only the title lands there.
        sections.append(
            SectionEntry(heading, anchor, text, _unique(heading_stems if anchor else names), _unique(text_stems))
        )
    return PageDocument(
        page_id=page.id,
        title=title,
        url=f"/{edition}/{page_url(page)}",
        names=names,
        lead=texts[0] + tuple(stem for stems in headings[1:] for stem in stems),
        body=tuple(stem for stems in texts[1:] for stem in stems),
        aliases=aliases,
        related=_related(thesaurus, (*names, *aliases, *(stem for stems in headings + texts for stem in stems))),
        words=tuple(words),
        sections=tuple(sections),
    )


def _related(thesaurus: Thesaurus, stems: Iterable[str]) -> tuple[str, ...]:
    """The thesaurus' words of the same meaning as the page's words, as often as the page
    uses the word they stand for; none the page uses itself."""
    counts = Counter(stems)
    return tuple(
        other
        for stem in sorted(counts)
        for other in sorted(thesaurus.of(stem) - counts.keys())
        for _ in range(counts[stem])
    )


def installed_thesaurus() -> Thesaurus:
    """The installed thesaurus with its words stemmed as the index stems them (read once)."""
    return thesaurus_module.installed(_STEM)


def thesaurus_for(cache: Path | None) -> Thesaurus:
    """The installed thesaurus, kept read in the cache folder under its bytes' digest:
    unpickling takes about 50 ms, reading the file a second."""
    return _kept_thesaurus(cache, thesaurus_module.file_digest())


@lru_cache(maxsize=2)
def _kept_thesaurus(cache: Path | None, digest: str) -> Thesaurus:
    store = Store(cache, "thesaurus", "the thesaurus")
    thesaurus = store.get_or_compute(installed_thesaurus, digest)
    store.save()
    return thesaurus


@lru_cache(maxsize=8)
def folding_for(synonyms: tuple[Synonym, ...]) -> Folding:
    """The fold rules of a terminology table's synonyms (worked out once per table)."""
    return Folding.from_synonyms(synonyms)


def _unique(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(terms)))


def page_hash(page: Page, edition: str, synonyms: tuple[Synonym, ...]) -> str:
    """Changes when anything the page's document is made from changes.

    The dataclass repr holds every field (strings quoted), so equal pages give equal hashes.
    """
    data = repr((SCHEMA_VERSION, thesaurus_module.file_digest(), edition, synonyms, page))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def page_hashes(pages: Iterable[Page], edition: str, synonyms: Iterable[Synonym]) -> dict[str, str]:
    """{page id: page_hash}: worked out once a build, for its fingerprints and for prepare()."""
    synonyms = tuple(synonyms)
    return {page.id: page_hash(page, edition, synonyms) for page in pages}


def inputs_key(hashes: dict[str, str]) -> str:
    """Changes when any page's document changes: what the edition's index is made from."""
    return hashlib.sha256("\n".join(sorted(hashes.values())).encode()).hexdigest()


# --- published versions ---------------------------------------------------------------


def edition_folder(root: Path, edition: str) -> Path:
    return root / edition


def current_version(folder: Path) -> Path | None:
    """The published version of an edition's index, or None when none was built."""
    return versions.current(folder)


def open_version(version: Path):
    """A Whoosh index opened read-only: for search.py, which never writes."""
    return whoosh_index.open_dir(str(version), readonly=True)


def read_manifest(version: Path | None) -> dict:
    if version is None:
        return {}
    try:
        return json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


# --- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexUpdate:
    """What one edition's index build did. `staged` is None when nothing changed."""

    edition: str
    folder: Path
    staged: Path | None
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    full: bool = False
    documents: int = 0

    @property
    def changed(self) -> bool:
        return self.staged is not None


def prepare(
    root: Path,
    edition: str,
    pages: Iterable[Page],
    synonyms: Iterable[Synonym],
    hashes: dict[str, str] | None = None,
    cache: Path | None = None,
) -> IndexUpdate:
    """Write a new version of the edition's index beside the published one (not yet published).

    Only pages that changed are analysed and re-indexed. A page's hash covers the edition
    page, the synonyms and the thesaurus (its document is made from nothing else), so an unchanged page
    costs one hash (`hashes`, when the caller has them already: `page_hashes`); the
    thesaurus is read from `cache` when it was read before (`thesaurus_for`). A schema
    change, or most pages changing, rebuilds everything.
    """
    folder = edition_folder(root, edition)
    synonyms = tuple(synonyms)
    by_id = {page.id: page for page in pages}
    hashes = page_hashes(by_id.values(), edition, synonyms) if hashes is None else hashes
    current = current_version(folder)
    manifest = read_manifest(current)
    old = manifest.get("pages", {}) if manifest.get("schema") == SCHEMA_VERSION else {}
    added = tuple(sorted(set(hashes) - set(old)))
    updated = tuple(sorted(p for p in set(hashes) & set(old) if hashes[p] != old[p]))
    removed = tuple(sorted(set(old) - set(hashes)))
    full = current is None or not old or len(added) + len(updated) > len(hashes) / 2
    if not (full or added or updated or removed):
        return IndexUpdate(edition, folder, None, documents=len(hashes))
    changed = sorted(by_id) if full else added + updated

    staging = versions.stage(folder)
    try:
        if full:
            ix = whoosh_index.create_in(str(staging), make_schema())
        else:
            assert current is not None  # not full: there is a published version to start from
            _link_copy(current, staging)
            ix = whoosh_index.open_dir(str(staging))
        thesaurus = thesaurus_for(cache)
        documents = [document_for_page(by_id[p], edition, synonyms, thesaurus) for p in changed]
        _write(ix, documents, () if full else updated + removed)
        lengths = {} if full else {p: n for p, n in manifest.get("lengths", {}).items() if p in hashes}
        lengths.update({doc.page_id: doc.lengths() for doc in documents})
        (staging / MANIFEST).write_text(
            json.dumps(
                {
                    "schema": SCHEMA_VERSION,
                    "pages": hashes,
                    "lengths": lengths,
                    "folding": folding_for(synonyms).to_json(),
                },
                sort_keys=True,
            ),
            encoding="utf-8",
        )
        version = versions.seal(staging)  # complete: only now does it look like a version
    except BaseException:
        versions.discard(staging)
        raise
    return IndexUpdate(edition, folder, version, added, updated, removed, full, len(hashes))


def _write(ix, documents: list[PageDocument], stale_pages: Iterable[str]) -> None:
    """Add the documents after deleting the stale pages' old ones. When pages were replaced
    or removed, the segments are merged: Whoosh counts a deleted document in its statistics
    (pages holding a word, pages in all) until then, so scores would depend on the history
    of builds, not only on the pages."""
    stale = list(stale_pages)
    writer = ix.writer(limitmb=256)
    try:
        for page_id in stale:
            writer.delete_by_term("page_id", page_id)
        for doc in documents:
            writer.add_document(**doc.fields())
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=bool(stale))
    ix.close()


def _link_copy(source: Path, target: Path) -> None:
    """Hard-link a version's files: Whoosh never rewrites a segment file, it writes new ones."""
    for item in source.iterdir():
        if item.is_file() and not item.name.endswith("LOCK") and item.name != MANIFEST:
            os.link(item, target / item.name)


def publish(update: IndexUpdate) -> None:
    """Make the staged version the one searches open; versions no search can still need go."""
    if update.staged is not None:
        versions.publish(update.staged, update.folder)


def discard(update: IndexUpdate) -> None:
    """Throw away a staged version that will not be published (the build failed later)."""
    if update.staged is not None:
        versions.discard(update.staged)
