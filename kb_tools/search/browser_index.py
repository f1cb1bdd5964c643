"""A published Whoosh index → the same search as script files, for the browser.

Where the site is published as static files (a shared drive, `file://`, a static host) there
is no search service: the page's search box searches this export instead. The browser
re-decides nothing Python decided. Everything the answer depends on is worked out here,
from the very index `kb serve` searches, and written as data:

- what each stemmed term's BM25F score is made of, as query.py scores it
  (`_OpenIndex.term_scores`): per field its idf and its postings' weights (field boosts
  included), per page the length norms, the expansion field with its synonym group's idf;
- every word the pages hold, with its stem and how many pages hold it (typo correction
  picks among them), and the words of English with a stem the pages hold ("negotiating"
  finds "negotiation"), or with none (a real word is searched as typed, never "corrected");
- the fold rules ("A and G" → "A&G"), the stop words, the limits and thresholds;
- each page's sections with their terms and the stems of each word of their text, in
  order, for the deep link and the marked snippet.

The browser engine (site/theme/assets/kb/search-engine.js) only tokenises the query, looks
words up and adds scores, in the order query.py does. Files are loaded with <script>
tags, so the export works from `file://`. Terms and words are split into parts by their
first letters, loaded only when a query needs them; pages in chunks, loaded only for the
results shown.

Written into each edition's built site under `search-index/` (SEARCH_INDEX_FOLDER).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kb_tools.cache import Store
from kb_tools.config import MAX_CORRECTED_WORDS, MAX_LIMIT, MAX_QUERY_LENGTH, MAX_QUERY_WORDS
from kb_tools.search import thesaurus
from kb_tools.search.index import MANIFEST, RATIO, STOP_WORDS, TOKEN_PATTERN, SectionEntry, analyse, english_words
from kb_tools.search.query import (
    ENOUGH_RESULTS,
    EXPANSION_FIELD,
    SCORED_FIELDS,
    SNIPPET_CHARS,
    SPACED_AMPERSAND,
    THESAURUS_FIELD,
    WEAK_SHARE,
    _OpenIndex,
    _posting_blocks,
)

FORMAT = 3  # bump when the files' layout changes (search-engine.js checks it)
SEARCH_INDEX_FOLDER = "search-index"
DOCS_PER_CHUNK = 25  # a result loads its chunk: small enough that little is loaded unshown
# Parts are keyed by a term's first letters: one letter while a part stays small, two when
# the library is large (a query then loads a few small parts, not a few large ones).
PART_TARGET_BYTES = 300_000
_WORD = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class ExportedFile:
    name: str  # relative to the search-index folder
    text: str


def export_all(versions: dict[str, Path], cache: Path | None = None) -> dict[str, tuple[ExportedFile, ...]]:
    """The browser index of each edition's index version, reused while its manifest (the
    pages' hashes) is unchanged; the stems of the words of English are kept between builds."""
    store = Store(cache, "browser-index", "the browser search index")
    # The thesaurus' words are words of English too: a new thesaurus, new stems.
    english = store.get_or_compute(_english_stems, "english stems", thesaurus.file_digest())
    exported = {}
    for edition, version in versions.items():
        work = functools.partial(_export, version, edition, english)
        exported[edition] = store.get_or_compute(work, (version / MANIFEST).read_bytes(), edition, str(FORMAT))
    store.save()
    return exported


def export(version: Path, edition: str) -> tuple[ExportedFile, ...]:
    """One edition's browser index, worked out now."""
    return _export(version, edition, _english_stems())


def write(files: tuple[ExportedFile, ...], edition_site: Path) -> None:
    """Write the export into an edition's built site (a fresh folder: never into hard links
    to a published version's files)."""
    folder = edition_site / SEARCH_INDEX_FOLDER
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / file.name).write_text(file.text, encoding="utf-8")


def _export(version: Path, edition: str, english: dict[str, str]) -> tuple[ExportedFile, ...]:
    opened = _OpenIndex(version)
    try:
        numbering = _numbering(opened)
        terms = _term_scores(opened, numbering)
        norms = _norms(opened, numbering)
        words = _words(opened, set(terms), english)
        docs = _documents(opened, numbering)
        folding = opened.folding.to_json()
        count = len(numbering)
    finally:
        opened.close()
    width = _key_width(terms)
    term_parts = _parts(terms, width)
    # The words of English are a part of their own: a query whose words the pages hold
    # (most) never loads them.
    word_parts = {key: part["v"] for key, part in words.items()}
    english_parts = {key: {"s": part["s"], "e": part["e"]} for key, part in words.items()}
    files = [ExportedFile(f"t-{key}.js", _script(f"t-{key}", part)) for key, part in term_parts.items()]
    files += [ExportedFile(f"w-{key}.js", _script(f"w-{key}", part)) for key, part in word_parts.items()]
    files += [ExportedFile(f"e-{key}.js", _script(f"e-{key}", part)) for key, part in english_parts.items()]
    chunks = [docs[i : i + DOCS_PER_CHUNK] for i in range(0, count, DOCS_PER_CHUNK)]
    files += [ExportedFile(f"d-{n}.js", _script(f"d-{n}", _chunk(chunk))) for n, chunk in enumerate(chunks)]
    meta = {
        "format": FORMAT,
        "edition": edition,
        "documents": count,
        "docs_per_chunk": DOCS_PER_CHUNK,
        "key_width": width,
        "term_parts": sorted(term_parts),
        "word_parts": sorted(word_parts),
        "english_parts": sorted(english_parts),
        "folding": folding,
        "ratio": RATIO.pattern,
        "spaced_ampersand": SPACED_AMPERSAND.pattern,
        "stop_words": sorted(_stop_words()),
        "limits": {
            "enough_results": ENOUGH_RESULTS,
            "weak_share": WEAK_SHARE,
            "snippet_chars": SNIPPET_CHARS,
            "max_corrected_words": MAX_CORRECTED_WORDS,
            "max_query_length": MAX_QUERY_LENGTH,
            "max_query_words": MAX_QUERY_WORDS,
            "max_limit": MAX_LIMIT,
        },
    }
    files.append(ExportedFile("n.js", _script("n", norms)))
    files.append(ExportedFile("meta.js", _script("meta", meta)))
    return tuple(files)


def _script(name: str, data: object) -> str:
    # JSON is JavaScript; "</" and U+2028/9 are escaped so no text can end or break the script.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"kbSearchIndexPart({json.dumps(name)},{text});\n"


# --- terms ------------------------------------------------------------------------------


def _numbering(opened: _OpenIndex) -> dict[int, int]:
    """Whoosh's document number → the page's number in the export: live pages in page-id
    order (the order the service breaks ties in), so the files are the same whatever order
    the pages were indexed in, and a build from nothing writes the same bytes."""
    live = [d for d in range(opened.reader.doc_count_all()) if not opened.reader.is_deleted(d)]
    return {docnum: number for number, docnum in enumerate(sorted(live, key=lambda d: opened.order[d]))}


def _term_scores(opened: _OpenIndex, numbering: dict[int, int]) -> dict[str, list]:
    """{stem: one entry per scored field}: 0 where the field lacks the stem, else [idf, doc,
    weight, doc, weight, …] with each doc written as the gap from the one before.

    The engine adds idf × (weight × (K1 + 1)) / (weight + length norm) field by field, as
    `_OpenIndex.term_scores` does, with the numbers Python worked out: the same floats in
    the same order, so the same scores, in a third of the bytes of the scores themselves.
    The expansion field's idf is its synonym group's (`expansion_idf`). The thesaurus field
    is kept only for stems no page holds otherwise: the only ones it scores."""
    lexicons = {
        field: {t.decode() if isinstance(t, bytes) else t for t in opened.reader.lexicon(field)}
        for field in SCORED_FIELDS
    }
    entries = {}
    for stem in sorted(set().union(*lexicons.values())):
        # The thesaurus is a last resort: its postings only for a stem no page holds otherwise.
        guessed = opened.guessed(stem)
        postings = {
            field: _postings(opened, field, stem, numbering)
            if stem in lexicons[field] and (field == THESAURUS_FIELD) == guessed
            else ([], [])
            for field in SCORED_FIELDS
        }
        if guessed:
            postings[THESAURUS_FIELD] = _thesaurus_postings(opened, stem, numbering, postings[THESAURUS_FIELD])
        entry: list = []
        held = {d for f in SCORED_FIELDS if f != THESAURUS_FIELD for d in postings[f][0]}
        for field in SCORED_FIELDS:
            docnums, weights = postings[field]
            if not docnums:
                entry.append(0)
                continue
            if field == EXPANSION_FIELD:
                idf = opened.expansion_idf(held)
            else:
                idf = opened.searcher.idf(field, stem)
            gaps = [d - p for d, p in zip(docnums, [0, *docnums])]
            entry.append([idf, *(x for pair in zip(gaps, weights) for x in pair)])
        if any(entry):
            entries[stem] = entry
    return entries


def _thesaurus_postings(
    opened: _OpenIndex, stem: str, numbering: dict[int, int], postings: tuple[list[int], list[float]]
) -> tuple[list[int], list[float]]:
    """Only the postings of the pages the service answers a thesaurus word with (THESAURUS_PAGES)."""
    kept = {numbering[d] for d in opened.thesaurus_scores(stem)}  # what term_scores gives a stem no page holds
    pairs = [(d, w) for d, w in zip(*postings) if d in kept]
    return [d for d, _ in pairs], [w for _, w in pairs]


def _postings(opened: _OpenIndex, field: str, stem: str, numbering: dict[int, int]) -> tuple[list[int], list[float]]:
    """The field's (export numbers, weights) for a stem in number order, deleted pages left out."""
    pairs: list[tuple[int, float]] = []
    if opened.reader.doc_frequency(field, stem):
        for block_docs, block_weights in _posting_blocks(opened.reader.postings(field, stem)):
            pairs += [(numbering[d], w) for d, w in zip(block_docs, block_weights) if d in numbering]
    pairs.sort()
    return [number for number, _ in pairs], [weight for _, weight in pairs]


def _norms(opened: _OpenIndex, numbering: dict[int, int]) -> dict:
    by_number = sorted(numbering, key=numbering.__getitem__)
    return {
        "k1p1": opened.weighting.K1 + 1,
        "fields": list(SCORED_FIELDS),
        "expansion": SCORED_FIELDS.index(EXPANSION_FIELD),
        "thesaurus": SCORED_FIELDS.index(THESAURUS_FIELD),
        "norms": [[opened.length_norms(field)[d] for d in by_number] for field in SCORED_FIELDS],
    }


def _key_width(terms: dict[str, list]) -> int:
    size = sum(len(t) + 5 * sum(len(f) for f in v if f) for t, v in terms.items())
    return 1 if size / 30 <= PART_TARGET_BYTES else 2


def part_key(text: str, width: int) -> str:
    """Which part a term or word is in: its first letters, or "_" for anything but a–z and 0–9."""
    key = text[:width]
    return key if re.fullmatch(r"[a-z0-9]+", key) else "_"


def _parts(items: dict, width: int) -> dict[str, dict]:
    parts: dict[str, dict] = {}
    for name, value in items.items():
        parts.setdefault(part_key(name, width), {})[name] = value
    return parts


# --- words ------------------------------------------------------------------------------


def _english_stems() -> dict[str, str]:
    """Every word of English that query.py could look up, with the stem the index gives it."""
    return {word: _stem(word) for word in sorted(english_words()) if _WORD.fullmatch(word)}


def _words(opened: _OpenIndex, stems: set[str], english: dict[str, str]) -> dict[str, dict]:
    """Per part (first letter): "v" {word: [stem, pages]} for every word the pages hold; "s"
    {word: stem} for words of English the pages lack but whose stem they hold; "e" the other
    words of English that typo correction would look at, space-separated (kept as typed)."""
    parts: dict[str, dict] = {}

    def part(word: str) -> dict:
        return parts.setdefault(part_key(word, 1), {"v": {}, "s": {}, "e": []})

    known = set()
    for term in opened.reader.lexicon("plain"):
        word = term.decode() if isinstance(term, bytes) else term
        known.add(word)
        part(word)["v"][word] = [_stem(word), opened.reader.doc_frequency("plain", word)]
    for word, stem in english.items():
        if word in known:
            continue
        if stem in stems:
            part(word)["s"][word] = stem
        elif len(word) >= 4 and word.isalpha():  # query.py corrects no shorter or other word
            part(word)["e"].append(word)
    for value in parts.values():
        value["e"] = " ".join(value["e"])
    return parts


def _stem(word: str) -> str:
    """The stem the index gives a word written alone (its first token: the whole word)."""
    stems = analyse(word)[1]
    return stems[0] if stems else ""


def _stop_words() -> frozenset[str]:
    return frozenset(STOP_WORDS)


# --- documents --------------------------------------------------------------------------


def _documents(opened: _OpenIndex, numbering: dict[int, int]) -> list:
    """Per export number: [page id, title, url, title terms, sections]."""
    docs: list = []
    for docnum in sorted(numbering, key=numbering.__getitem__):
        stored = opened.searcher.stored_fields(docnum)
        title_terms = sorted(set(analyse(stored["title"], opened.folding)[1]))
        sections = [_section(SectionEntry(*s)) for s in stored["sections"]]
        docs.append([stored["page_id"], stored["title"], stored["url"], title_terms, sections])
    return docs


def _section(entry: SectionEntry) -> list:
    """[heading, anchor, text, heading terms, text terms, word stems]: the stems of each word
    of the text in order (the engine finds the same words with the same pattern), for the
    snippet's marks: [] for a word with none (a stop word), else its stems."""
    words = [list(dict.fromkeys(analyse(match.group())[1])) for match in _WORD.finditer(entry.text)]
    return [entry.heading, entry.anchor, entry.text, list(entry.heading_terms), list(entry.text_terms), words]


def _chunk(docs: list) -> dict:
    """Documents with every stem written once: {"stems": [...], "docs": [...]}, each list of
    stems in a document replaced by their numbers; a word's stems by a number (one stem),
    0 (none) or a list (several)."""
    numbers: dict[str, int] = {}

    def number(stem: str) -> int:
        return numbers.setdefault(stem, len(numbers))

    def word(stems: list[str]) -> int | list[int]:
        if not stems:
            return 0
        return number(stems[0]) + 1 if len(stems) == 1 else [number(s) + 1 for s in stems]

    out: list[list | None] = []
    for doc in docs:
        if doc is None:
            out.append(None)
            continue
        page_id, title, url, title_terms, sections = doc
        out.append(
            [
                page_id,
                title,
                url,
                [number(t) for t in title_terms],
                [
                    [h, a, text, [number(t) for t in ht], [number(t) for t in tt], [word(w) for w in words]]
                    for h, a, text, ht, tt, words in sections
                ],
            ]
        )
    return {"stems": list(numbers), "docs": out}
