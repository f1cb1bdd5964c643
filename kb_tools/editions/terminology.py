"""Edition-specific text, and the checks that keep the terms right.

Each edition's view of a page: text marked for the other edition dropped and, for
Northern Ireland, GB terms replaced from the table in content/terminology.yml (data, not
code). The rules of substitution:

- whole words and phrases only: a term never touches a letter, digit, "_", "&" or a
  joining hyphen, so "CMG" is not replaced inside "CMGs" or "CMG-wide" (`kb check`
  reports those, as they would reach NI readers unchanged);
- a term matches with its first letter in either case (it may start a sentence), the
  rest exactly as the table writes it; possessives follow ("CMG's" → "Division's");
- longest phrase first, in one pass: the output of a replacement is never replaced
  again, so "Child Maintenance Group (CMG)" becomes "Division", never "Division (Division)";
- a replacement that starts with a small letter gets a capital at the start of a
  sentence or where the writer capitalised the GB term;
- link targets, code spans, `{literal: …}` text, web and email addresses are never
  touched; neither are page ids, anchors, keywords or YAML keys (they are not text).

Substituting NI text again changes nothing, for every table `kb check` accepts
(`table_problems` refuses NI forms that contain or run into a GB term).

Checks registered in checks.py: legacy terms (old words replaced everywhere), GB terms
that would reach NI readers, legislation links that would name the NI law but open the
GB one, and the table itself. Each reports the exact line and column in the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import lru_cache

from kb_tools.content.text import AsOf, Code, EditionOnly, Link, Literal, Plain, Segment, for_edition, parse
from kb_tools.model import BodySection, Faq, Library, Note, Page, Reference, Term, Terminology

# Web and email addresses written as plain text: a term inside one stays as written.
_ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)[^\s<>()\[\]{}]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_JOINED_BEFORE = r"[\w&-]"  # a term is a whole word: none of these just before it,
AFTER_WORD = r"(?![\w&]|-\w)"  # nor a word character just after ("CMG-wide" is one word)
_CONTEXT = 64  # characters of preceding text enough to tell whether a sentence starts
_OPENING_OR_CLOSING = re.compile(r"[\s\"'“”‘’()\[\]]+$")  # quotes and brackets around a sentence


def is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_&"


def _cases(char: str) -> list[str]:
    return sorted({c for c in (char, char.lower(), char.upper()) if len(c) == 1})


def _longest_first(terms: Iterable[str]) -> list[str]:
    # Python's alternation takes the first alternative that matches at a position, so the
    # longest phrase must come first ("Child Maintenance Group (CMG)" before "CMG").
    return sorted(set(terms), key=lambda t: (-len(t), t))


def term_pattern(
    terms: Iterable[str],
    *,
    joined_before: str = _JOINED_BEFORE,
    after: str = AFTER_WORD,
    any_case: Callable[[str], bool] = lambda term: False,
) -> re.Pattern[str] | None:
    """One regular expression for many terms, longest first, each with its first letter in
    either case (it may start a sentence) and the rest as written (any case when
    `any_case(term)`). A term starting with a word character must not have `joined_before`
    just before it; one ending with a word character must be followed by `after`.

    The pattern starts with the set of the terms' first characters, so the regex engine
    skips, in C, every position that cannot start a term: ten times faster than starting
    with a lookbehind, which it must try at every position.
    """
    ordered = _longest_first(terms)
    if not ordered:
        return None
    word_start: list[str] = []
    other_start: list[str] = []
    for term in ordered:
        first = "".join(re.escape(c) for c in _cases(term[0]))
        rest = re.escape(term[1:])
        if rest and any_case(term):
            rest = f"(?i:{rest})"
        tail = after if is_word_char(term[-1]) else ""
        (word_start if is_word_char(term[0]) else other_start).append(f"(?<=[{first}]){rest}{tail}")
    # Most letters are inside words: one test of the letter before rules them out for all terms.
    branches = [f"(?<!{joined_before}.)(?:{'|'.join(word_start)})"] if word_start else []
    branches += other_start
    firsts = "".join(re.escape(c) for c in sorted({c for term in ordered for c in _cases(term[0])}))
    return re.compile(f"[{firsts}](?:{'|'.join(branches)})")


def outside_addresses(matches: Iterator[re.Match[str]], text: str) -> list[re.Match[str]]:
    """The matches that are not part of a web or email address."""
    if "://" not in text and "www." not in text and "@" not in text:  # no address: the usual case
        return list(matches)
    addresses = [(a.start(), a.end()) for a in _ADDRESS.finditer(text)]
    return [m for m in matches if not any(start < m.end() and m.start() < end for start, end in addresses)]


def term_key(term: str) -> str:
    return term[:1].lower() + term[1:]


def starts_sentence(preceding: str) -> bool:
    """Whether text following `preceding` (what the reader sees before it) starts a sentence."""
    trimmed = preceding.rstrip()
    if "\n\n" in preceding[len(trimmed) :]:
        return True  # a new paragraph
    trimmed = _OPENING_OR_CLOSING.sub("", trimmed)
    if not trimmed:
        return True  # the start of the text
    if trimmed.lower().endswith(("e.g.", "i.e.")):
        return False
    return trimmed[-1] in ".!?"


class Substituter:
    """Replaces GB terms with their NI forms in plain text. Build one per build, not per text:
    the table is compiled into one regular expression here."""

    def __init__(self, terms: Iterable[Term]):
        self.rows: dict[str, Term] = {}
        for term in terms:
            self.rows.setdefault(term_key(term.gb), term)  # a repeated term is reported by check_table
        self.pattern = term_pattern(t.gb for t in self.rows.values())

    def matches(self, text: str) -> list[re.Match[str]]:
        """Every GB term the substitution replaces in text."""
        if self.pattern is None:
            return []
        return outside_addresses(self.pattern.finditer(text), text)

    def __call__(self, text: str, preceding: str = "") -> str:
        """Text with its GB terms replaced. `preceding` is what the reader sees just before it
        (nothing: the text starts a sentence)."""
        parts: list[str] = []
        position = 0
        for match in self.matches(text):
            start = match.start()
            before = text[start - _CONTEXT : start] if start >= _CONTEXT else preceding[-_CONTEXT:] + text[:start]
            parts += (text[position:start], self.replacement(match.group(), before))
            position = match.end()
        return "".join(parts) + text[position:] if parts else text

    def replacement(self, found: str, preceding: str) -> str:
        term = self.rows[term_key(found)]
        ni = term.ni
        capitalised = found[:1] != term.gb[:1] and found[:1].isupper()
        if ni[:1].islower() and (capitalised or starts_sentence(preceding)):
            return ni[:1].upper() + ni[1:]
        return ni


@lru_cache(maxsize=8)
def _substituter(edition: str, terms: tuple[Term, ...]) -> Substituter | None:
    return Substituter(terms) if edition == "ni" and terms else None


def substituter_for(edition: str, terminology: Terminology) -> Substituter | None:
    """The edition's substitution: Northern Ireland's table, or none (GB text is the source).
    Compiled once for each table, however many pages and texts use it."""
    return _substituter(edition, tuple(terminology.ni_terms))


# --- an edition's view of text and pages ------------------------------------------------


def segments_for_edition(
    segments: tuple[Segment, ...], edition: str, substitute: Substituter | None
) -> tuple[Segment, ...]:
    """Edition-only text resolved and, for NI, terms substituted outside link targets, code and literals."""
    kept = for_edition(segments, edition)
    if substitute is None:
        return kept
    return _substituted(kept, substitute, "")[0]


def _substituted(
    segments: tuple[Segment, ...], substitute: Substituter, preceding: str
) -> tuple[tuple[Segment, ...], str]:
    """Segments with terms replaced, and the text the reader has seen by their end (for
    telling whether a term in the next segment starts a sentence)."""
    out: list[Segment] = []
    for segment in segments:
        if isinstance(segment, Plain):
            text = substitute(segment.text, preceding)
            out.append(Plain(text, segment.start))
            preceding = (preceding + text)[-_CONTEXT:]
        elif isinstance(segment, Link):
            label, preceding = _substituted(segment.label, substitute, preceding)
            out.append(Link(label, segment.target, segment.start, segment.target_start))
        else:
            out.append(segment)
            preceding = (preceding + getattr(segment, "text", ""))[-_CONTEXT:]
    return tuple(out), preceding


def render_segments(segments: tuple[Segment, ...]) -> str:
    """Back to the inline language (edition marks resolved), for the next stage to render."""
    parts = []
    for segment in segments:
        if isinstance(segment, Plain):
            parts.append(segment.text)
        elif isinstance(segment, Code):
            parts.append(f"`{segment.text}`")
        elif isinstance(segment, Literal):
            parts.append(f"{{literal: {segment.text}}}")
        elif isinstance(segment, AsOf):
            parts.append(f"{{as_of: {segment.written}}}")
        elif isinstance(segment, Link):
            parts.append(f"[{render_segments(segment.label)}]({segment.target})")
        elif isinstance(segment, EditionOnly):  # pragma: no cover - resolved by for_edition
            parts.append(render_segments(segment.content))
    return "".join(parts)


def edition_text(text: str, edition: str, substitute: Substituter | None) -> str:
    """The text as the edition shows it, in the inline language. Most texts hold no edition
    marks and no terms: they are returned as they are, without parsing (the same result)."""
    if substitute is None or substitute.pattern is None:
        if "{" not in text:
            return text
    elif "[" not in text and "`" not in text and "{" not in text:
        return substitute(text)  # plain text throughout
    elif "{" not in text and not substitute.pattern.search(text):
        return text
    return render_segments(segments_for_edition(parse(text), edition, substitute))


def page_for_edition(page: Page, edition: str, terms: Iterable[Term] = ()) -> Page:
    """The page as one edition shows it: other-edition parts dropped, NI terms substituted.
    Ids, anchors, link targets and keywords stay as written, so both editions share URLs."""
    substitute = _substituter(edition, tuple(terms))

    def t(text: str) -> str:
        return edition_text(text, edition, substitute)

    def shown(item) -> bool:
        return item.edition in (None, edition)

    body = tuple(
        BodySection(
            heading=t(s.heading),
            anchor=s.anchor,
            text=t(s.text),
            steps=tuple(t(x) for x in s.steps),
            points=tuple(t(x) for x in s.points),
            notes=tuple(Note(n.kind, t(n.text)) for n in s.notes if shown(n)),
        )
        for s in page.body
        if shown(s)
    )
    faq = tuple(Faq(t(f.question), t(f.answer), f.anchor) for f in page.faq if shown(f))
    legislation = tuple(Reference(t(r.title), r.url) for r in page.legislation if shown(r))
    return replace(
        page,
        title=t(page.title),
        summary=t(page.summary),
        owner=t(page.owner),
        body=body,
        faq=faq,
        legislation=legislation,
        changes=tuple(replace(c, note=t(c.note)) for c in page.changes if shown(c)),
        tags=tuple(t(x) for x in page.tags),
    )


def edition_pages(library: Library, edition: str) -> tuple[Page, ...]:
    """Every page as the edition shows it; the table is compiled once for all of them."""
    terms = tuple(library.terminology.ni_terms)
    return tuple(page_for_edition(page, edition, terms) for page in library.pages)


# --- where readers see text ---------------------------------------------------------------
