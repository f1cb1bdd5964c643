"""Style rules that hold the pages to GOV.UK's plain English: warnings by default, errors
with `--strict`, each at the line and column where the words were written.

- summary-length: a summary over 25 words (GOV.UK: "Summaries … 25 words or fewer").
- sentence-length: a sentence over 30 words (GOV.UK asks for 25; 30 leaves room for the
  names of Acts and teams a procedure must give whole).
- reading-ease: a page whose Flesch reading ease, in either edition, is below
  `reading_ease_min` in site.yml (why 60: the comment there and the README).
- words-to-avoid: GOV.UK's words to avoid, kept as data in content/style/words-to-avoid.yml.
- edition-only-summary: a summary shown in both editions that mentions what only a GB-only
  (or NI-only) part of the page covers: the other edition's readers look for it in vain.
- ni-named-things: an NI substitution followed by words that make it the name of a policy,
  team or scheme ("Department for Communities (DfC) duty of confidentiality policy"): the
  table renames the organisation, but no source says the NI organisation has that thing.

Readers see edition text, so the rules read each edition's view: `{gb: …}`/`{ni: …}`
resolved, NI terms substituted, links by their labels, `{as_of: …}` as "(as of …)".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from kb_tools import config
from kb_tools.checks.options import CheckOptions
from kb_tools.checks.terms import plain_parts
from kb_tools.content.load import text_location
from kb_tools.content.text import AsOf, Code, EditionOnly, Link, Literal, Plain, Segment, for_edition, parse
from kb_tools.editions.terminology import Substituter, substituter_for, term_key
from kb_tools.model import AvoidPhrase, Library, Location, Page, Problem

WARNING = "warning"


# --- each edition's view of a text, with where each character was written ----------------------


@dataclass(frozen=True)
class ReaderText:
    """Text as one edition's reader sees it; `origin[i]` is where character i was written
    (an offset in the YAML value), so a sentence found in it can be located."""

    text: str
    origin: tuple[int, ...]


def reader_text(text: str, edition: str, substitute: Substituter | None, literal_as: str | None = None) -> ReaderText:
    """The text as `edition` shows it. With `literal_as`, each `{literal: …}` and code span
    counts as that word (reading ease measures the writer's prose, not names quoted exactly)."""
    chars: list[str] = []
    origin: list[int] = []
    _add_segments(parse(text), edition, substitute, literal_as, chars, origin)
    return ReaderText("".join(chars), tuple(origin))


def _add_segments(
    segments: tuple[Segment, ...],
    edition: str,
    substitute: Substituter | None,
    literal_as: str | None,
    chars: list[str],
    origin: list[int],
) -> None:
    for segment in segments:
        if isinstance(segment, Plain):
            _add_plain(segment, substitute, chars, origin)
        elif isinstance(segment, Link):
            _add_segments(segment.label, edition, substitute, literal_as, chars, origin)
        elif isinstance(segment, EditionOnly):
            if segment.edition == edition:
                _add_segments(segment.content, edition, substitute, literal_as, chars, origin)
        elif isinstance(segment, (Literal, Code)) and literal_as is not None:
            chars.extend(literal_as)
            origin.extend([segment.start] * len(literal_as))
        elif isinstance(segment, (Literal, Code, AsOf)):
            chars.extend(segment.text)
            origin.extend([segment.start] * len(segment.text))


def _add_plain(segment: Plain, substitute: Substituter | None, chars: list[str], origin: list[int]) -> None:
    text = segment.text.replace("**", "  ")  # bold marks: not seen, keep the offsets
    position = 0
    for match in substitute.matches(text) if substitute is not None else ():
        chars.extend(text[position : match.start()])
        origin.extend(range(segment.start + position, segment.start + match.start()))
        ni = substitute.rows[term_key(match.group())].ni  # type: ignore[union-attr]
        chars.extend(ni)
        origin.extend([segment.start + match.start()] * len(ni))
        position = match.end()
    chars.extend(text[position:])
    origin.extend(range(segment.start + position, segment.start + len(text)))


# --- words and sentences ---------------------------------------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w'’&%./-]*[^\W_%])?%?")
# A sentence ends at . ! or ? followed by a space and what can start a sentence, or at a
# paragraph break. Abbreviations in these pages (A&G, SR, FOI) carry no full stops.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?P<closing>[\"'”’)]*)\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n")


def words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in text."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group("closing") or "")  # a closing quote or bracket ends it too
        if text[start:end].strip():
            yield start, end
        start = match.end()
    if text[start:].strip():
        yield start, len(text)


# --- the fields readers see ---------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One text value readers see: where it is in the page's YAML and which editions show it."""

    keys: tuple
    text: str
    editions: tuple[str, ...] = config.EDITIONS


def fields(page: Page) -> Iterator[Field]:
    """Every text a reader sees on the page (the title too), with the editions that show it."""
    yield Field(("title",), page.title)
    for keys, text, restrictions in page.text_fields():
        if text:
            yield Field(keys, text, tuple(e for e in config.EDITIONS if all(r in (None, e) for r in restrictions)))


def prose_fields(page: Page) -> Iterator[Field]:
    """Summary, paragraphs, steps, bullets, notes and FAQs: not headings, titles,
    legislation titles or change notes, which are labels rather than sentences."""
    for field in fields(page):
        kind = field.keys[0]
        if kind in ("summary", "faq") or (kind == "body" and field.keys[2] != "heading"):
            yield field


def _shown_in(page: Page, field: Field) -> tuple[str, ...]:
    return field.editions


def _at(page: Page, field: Field, offset: int) -> Location:
    pointer = "/".join(str(key) for key in field.keys)
    return text_location(page.source_text, pointer, offset, fallback=page.location(*field.keys))


def _views(library: Library, page: Page, field: Field) -> Iterator[tuple[str, ReaderText]]:
    """Each edition's view of a field, once per different text."""
    seen: set[str] = set()
    for edition in _shown_in(page, field):
        view = reader_text(field.text, edition, substituter_for(edition, library.terminology))
        if view.text not in seen:
            seen.add(view.text)
            yield edition, view


# --- summary-length and sentence-length ------------------------------------------------------------


def summary_length_problems(library: Library, options: CheckOptions) -> list[Problem]:
    limit = config.SUMMARY_MAX_WORDS
    problems = []
    for page in library.pages:
        field = Field(("summary",), page.summary)
        longest = max(_views(library, page, field), key=lambda view: len(words(view[1].text)))
        edition, view = longest
        found = words(view.text)
        if len(found) > limit:
            first_extra = view.origin[found[limit].start()]
            problems.append(
                _at(page, field, first_extra).problem(
                    f"the summary has {len(found)} words{_in_edition(library, edition, page, field)}: GOV.UK asks for "
                    f"{limit} or fewer (this is word {limit + 1}). Say what the page is for; leave the detail to the page",
                    WARNING,
                )
            )
    return problems


def sentence_length_problems(library: Library, options: CheckOptions) -> list[Problem]:
    limit = config.SENTENCE_MAX_WORDS
    problems = []
    for page in library.pages:
        for field in prose_fields(page):
            reported: set[int] = set()
            for edition, view in _views(library, page, field):
                for start, end in sentences(view.text):
                    count = len(words(view.text[start:end]))
                    where = view.origin[start + len(view.text[start:end]) - len(view.text[start:end].lstrip())]
                    if count > limit and where not in reported:
                        reported.add(where)
                        problems.append(
                            _at(page, field, where).problem(
                                f"this sentence has {count} words{_in_edition(library, edition, page, field)}: keep "
                                f"sentences to {limit} words or fewer (GOV.UK aims for 25): split it, or make a list",
                                WARNING,
                            )
                        )
    return problems


def _in_edition(library: Library, edition: str, page: Page, field: Field) -> str:
    """' in the NI edition' when only that edition's text breaks the rule."""
    if len(_shown_in(page, field)) < 2:
        return ""
    other = next(e for e in config.EDITIONS if e != edition)
    mine = reader_text(field.text, edition, substituter_for(edition, library.terminology)).text
    theirs = reader_text(field.text, other, substituter_for(other, library.terminology)).text
    return "" if mine == theirs else f" in the {edition.upper()} edition"


# --- reading-ease -----------------------------------------------------------------------------------


def reading_ease_problems(library: Library, options: CheckOptions) -> list[Problem]:
    floor = library.site.reading_ease_min
    if floor is None:
        return []
    problems = []
    for page in library.pages:
        for edition in config.EDITIONS:
            score = reading_ease(library, page, edition)
            if score is not None and score < floor:
                hardest = ", ".join(str(line) for line in _hardest_lines(library, page, edition))
                shown = math.floor(score * 10) / 10  # 59.97 is below 60: never print it as 60.0
                problems.append(
                    page.location("body").problem(
                        f"reading ease {shown:.1f} in the {edition.upper()} edition is below {floor:g} "
                        f"(reading_ease_min in site.yml): shorter sentences and shorter words raise it; "
                        f"the hardest sentences start at lines {hardest}",
                        WARNING,
                    )
                )
    return problems


def page_prose(library: Library, page: Page, edition: str) -> list[tuple[Field, ReaderText]]:
    """The edition's prose, one piece per field, names quoted as `{literal: …}` counted as
    one short word. A list item or note without a full stop is still a sentence of its own."""
    substitute = substituter_for(edition, library.terminology)
    pieces = []
    for field in prose_fields(page):
        if edition in _shown_in(page, field):
            view = reader_text(field.text, edition, substitute, literal_as="it")
            if view.text.strip():
                pieces.append((field, view))
    return pieces


def reading_ease(library: Library, page: Page, edition: str) -> float | None:
    """The Flesch reading ease of the page's prose in one edition (None: no prose)."""
    parts = []
    for _, view in page_prose(library, page, edition):
        text = " ".join(view.text.split())
        parts.append(text if text[-1] in ".!?:" else text + ".")
    return flesch(" ".join(parts)) if parts else None


def flesch(text: str) -> float:
    textstat = _textstat()
    return float(textstat.flesch_reading_ease(text))


@cache
def _textstat():
    """textstat, imported on first use (its pronouncing dictionary takes a moment to load)."""
    import textstat

    textstat.set_lang("en_GB")
    return textstat


def _hardest_lines(library: Library, page: Page, edition: str, count: int = 3) -> list[int]:
    scored = []
    for field, view in page_prose(library, page, edition):
        for start, end in sentences(view.text):
            sentence = view.text[start:end].strip()
            if len(words(sentence)) >= 4:
                line = _at(page, field, view.origin[start]).line
                scored.append((flesch(sentence if sentence[-1] in ".!?" else sentence + "."), line))
    return sorted({line for _, line in sorted(scored)[:count]})


# --- words-to-avoid -----------------------------------------------------------------------------------


def words_to_avoid_problems(library: Library, options: CheckOptions) -> list[Problem]:
    if not library.words_to_avoid:
        return []
    pattern, by_form = _avoid_pattern(library.words_to_avoid)
    problems = []
    for page in library.pages:
        for field in fields(page):
            if not pattern.search(field.text):
                continue
            for part in plain_parts(parse(field.text)):
                for match in pattern.finditer(part.text):
                    phrase = by_form[match.group().lower()]
                    unless = f" (fine when {phrase.unless})" if phrase.unless else ""
                    problems.append(
                        _at(page, field, part.start + match.start()).problem(
                            f"'{match.group()}' is on GOV.UK's words to avoid{unless}: {phrase.use} "
                            f"(content/{config.WORDS_TO_AVOID_FILE})",
                            WARNING,
                        )
                    )
    return problems


def _avoid_pattern(phrases: tuple[AvoidPhrase, ...]) -> tuple[re.Pattern[str], dict[str, AvoidPhrase]]:
    by_form = {form.lower(): phrase for phrase in phrases for form in (phrase.phrase, *phrase.forms)}
    alternatives = "|".join(re.escape(form) for form in sorted(by_form, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE), by_form


# --- edition-only-summary --------------------------------------------------------------------------

# Words too common to tie a summary to one part of a page.
_COMMON = frozenset(
    [
        "about",
        "after",
        "also",
        "been",
        "before",
        "being",
        "both",
        "does",
        "each",
        "every",
        "from",
        "have",
        "here",
        "into",
        "just",
        "more",
        "most",
        "must",
        "only",
        "other",
        "over",
        "same",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "upon",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "would",
        "your",
        "page",
        "pages",
        "procedure",
        "procedures",
        "caseworker",
        "caseworkers",
        "customer",
        "customers",
    ]
)


def _stem(word: str) -> str:
    word = word.lower().strip("'’")
    for ending in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + ("y" if ending == "ies" else "")
    return word


def _stems(text: str) -> set[str]:
    return {_stem(m.group()) for m in words(text) if len(m.group()) >= 4 and m.group().lower() not in _COMMON}


def edition_only_summary_problems(library: Library, options: CheckOptions) -> list[Problem]:
    problems = []
    for page in library.pages:
        field = Field(("summary",), page.summary)
        body = [f for f in fields(page) if f.keys[0] in ("body", "faq")]
        for edition in config.EDITIONS:
            other = next(e for e in config.EDITIONS if e != edition)
            # Words of the title name the page's subject, which both editions cover.
            only_here = _edition_text(library, page, body, edition) - _edition_text(library, page, body, other)
            only_here -= _stems(reader_text(page.title, other, None).text)
            summary = reader_text(page.summary, other, None)
            if not only_here:
                continue
            for match in words(summary.text):
                stem = _stem(match.group())
                if stem in only_here and match.group().lower() not in _COMMON and len(match.group()) >= 4:
                    problems.append(
                        _at(page, field, summary.origin[match.start()]).problem(
                            f"the summary, shown in both editions, mentions '{match.group()}', which only "
                            f"{edition.upper()}-only text on this page covers: {other.upper()} readers would look for it in "
                            f"vain. Say it in both editions, or write that part of the summary as {{{edition}: …}}",
                            WARNING,
                        )
                    )
    return problems


def _edition_text(library: Library, page: Page, fields: list[Field], edition: str) -> set[str]:
    """The word stems the edition's readers see in these fields (without substitution: the
    question is which parts of the page each edition shows, not how it names things)."""
    stems: set[str] = set()
    for field in fields:
        if edition in _shown_in(page, field):
            stems |= _stems(reader_text(field.text, edition, None).text)
    return stems


# --- ni-named-things --------------------------------------------------------------------------------

# Nouns that make the words before them the name of a thing an organisation has.
_NAMED_THINGS = (
    "policy|policies|guidance|strategy|charter|framework|standards?|scheme|programme|procedures?|manual"
    "|instructions|team|unit|directorate|helpline|hotline|website|intranet|system"
)
# Words that end a name: after one of them, a naming noun belongs to another phrase.
_NOT_IN_NAMES = (
    "a|an|the|to|in|at|by|with|and|or|but|if|that|which|who|when|is|are|was|were|be|been|must|can|could|will|would|may"
    "|might|should|shall|has|have|had|its|their|his|her|our|your|says|said|aims|holds|gives|uses|under|from|as"
)
_NAMED_AFTER = re.compile(
    rf"^(?:['’]s)?((?:\s+(?!(?:{_NOT_IN_NAMES})\b)[\w&-]+){{0,5}}?\s+(?:{_NAMED_THINGS}))\b", re.IGNORECASE
)


def ni_named_thing_problems(library: Library, options: CheckOptions) -> list[Problem]:
    substitute = substituter_for("ni", library.terminology)
    if substitute is None or substitute.pattern is None:
        return []
    problems = []
    for page in library.pages:
        for field in fields(page):
            if "ni" not in field.editions or not substitute.pattern.search(field.text):
                continue
            for part in plain_parts(for_edition(parse(field.text), "ni")):
                for match in substitute.matches(part.text):
                    named = _NAMED_AFTER.match(part.text[match.end() :])
                    if named is None:
                        continue
                    ni = substitute.rows[term_key(match.group())].ni
                    phrase = ni + part.text[match.end() : match.end() + named.end()]
                    problems.append(
                        _at(page, field, part.start + match.start()).problem(
                            f"in Northern Ireland this reads '{phrase}', a name no row of terminology.yml gives: the table "
                            f"renames '{match.group()}', not what it owns. Say which NI thing the sources name with "
                            "{ni: …}, or keep the GB name with {literal: …} and say it is the GB one",
                            WARNING,
                        )
                    )
    return problems
