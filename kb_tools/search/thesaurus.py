"""Words of English related in meaning, from the thesaurus LibreOffice ships.

The search finds a page by a word it never uses when the thesaurus lists that word as
meaning the same as one the page does use: "salary" finds a page that says "pay", "wages"
one that says "earnings". The thesaurus is Debian's `mythes-en-us` (the English thesaurus
of LibreOffice, made from WordNet: synonyms by sense, with their broader terms), read as
it is installed; no word of it is typed here.

Its format (MyThes): a line naming the encoding, then for each entry a line
`word|number of senses` followed by one line per sense, `(part of speech)|word|word|...`,
where a word may be annotated `(generic term)`, `(similar term)`, `(related term)` or
`(antonym)`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb_tools import config
from kb_tools.errors import KbError

# Which of a sense's words mean the same as the entry: plain synonyms and similar terms.
# Broader terms ("salary" → "regular payment"), related terms and antonyms do not.
KEPT_ANNOTATIONS = ("", "similar term")
# A word with more words of the same meaning than this, over all its senses ("change",
# "check", "make": 39 to 57), is too ambiguous to stand for any of them: a page using it
# is not found through them. Words that do stand for others have few ("salary": 8). On the
# development set: no question lost but one rambling one a place (0.886 → 0.885), and at
# 1,000 synthetic pages the index holds a third of the thesaurus postings.
MOST_MEANINGS = 20


class ThesaurusMissing(KbError):
    """The thesaurus file is not installed (`bash .ci/setup` installs it)."""


@dataclass(frozen=True)
class Thesaurus:
    """For each stem, the stems of the words that mean the same in some sense (both ways);
    none for a stem with more than MOST_MEANINGS of them."""

    related: dict[str, frozenset[str]]

    def of(self, stem: str) -> frozenset[str]:
        return self.related.get(stem, frozenset())


def read(path: Path, stem: Callable[[str], str]) -> Thesaurus:
    """The thesaurus at `path`, its words analysed to stems with `stem`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ThesaurusMissing(
            f"{path}: the thesaurus the search uses is missing ({error.strerror}); "
            "install Debian's mythes-en-us (bash .ci/setup does)"
        ) from None
    related: dict[str, set[str]] = {}
    for head, other in _pairs(data):
        head_stem, other_stem = stem(head), stem(other)
        if other_stem != head_stem:
            related.setdefault(head_stem, set()).add(other_stem)
            related.setdefault(other_stem, set()).add(head_stem)
    return Thesaurus({s: frozenset(r) for s, r in related.items() if len(r) <= MOST_MEANINGS})


def _pairs(data: bytes) -> Iterator[tuple[str, str]]:
    """Each entry's word with each word of the same meaning in its senses (single words only)."""
    for word, senses in _entries(data.decode("utf-8", errors="replace").splitlines()[1:]):
        head = _single_word(word)
        if head is not None:
            yield from ((head, other) for sense in senses for other in _sense_words(sense))


def _entries(lines: list[str]) -> Iterable[tuple[str, list[str]]]:
    i = 0
    while i < len(lines):
        word, _, count = lines[i].rpartition("|")
        senses = int(count) if count.isdigit() else 0
        yield word, lines[i + 1 : i + 1 + senses]
        i += 1 + senses


def _single_word(text: str) -> str | None:
    """The word in lower case, or None for a phrase, a name or anything not plain letters."""
    return text if text.isalpha() and text.islower() and len(text) > 2 else None


def _sense_words(sense: str) -> Iterable[str]:
    for item in sense.split("|")[1:]:
        word, _, annotation = item.partition(" (")
        if annotation.rstrip(")") in KEPT_ANNOTATIONS or not annotation:
            single = _single_word(word.strip())
            if single is not None:
                yield single


def words() -> frozenset[str]:
    """The single words the installed thesaurus links (see `read`): words of English (none
    when it is missing: the search then keeps only pyspellchecker's)."""
    return _words(config.THESAURUS)


def file_digest() -> str:
    """The installed thesaurus' digest (for page hashes: a new thesaurus re-indexes every page)."""
    return _digest(config.THESAURUS)


def installed(stem: Callable[[str], str]) -> Thesaurus:
    """The installed thesaurus, read once per process (about a second)."""
    return _read(config.THESAURUS, stem)


@functools.cache
def _words(path: Path) -> frozenset[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return frozenset()
    return frozenset(word for pair in _pairs(data) for word in pair)


@functools.cache
def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


@functools.cache
def _read(path: Path, stem: Callable[[str], str]) -> Thesaurus:
    return read(path, stem)
