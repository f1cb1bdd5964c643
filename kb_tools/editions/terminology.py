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
from dataclasses import dataclass, replace
from functools import lru_cache

from kb_tools.content.load import text_location
from kb_tools.model import BodySection, Faq, LegacyTerm, Library, Location, Note, Page, Problem, Reference, Term, Terminology
from kb_tools.content.text import Code, EditionOnly, Link, Literal, Plain, Segment, for_edition, parse

# Web and email addresses written as plain text: a term inside one stays as written.
_ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)[^\s<>()\[\]{}]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_JOINED_BEFORE = r"[\w&-]"  # a term is a whole word: none of these just before it,
_AFTER_WORD = r"(?![\w&]|-\w)"  # nor a word character just after ("CMG-wide" is one word)
_CONTEXT = 64  # characters of preceding text enough to tell whether a sentence starts
_OPENING_OR_CLOSING = re.compile(r"[\s\"'“”‘’()\[\]]+$")  # quotes and brackets around a sentence


def _is_word_char(char: str) -> bool:
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
    after: str = _AFTER_WORD,
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
    word_start, other_start = [], []
    for term in ordered:
        first = "".join(re.escape(c) for c in _cases(term[0]))
        rest = re.escape(term[1:])
        if rest and any_case(term):
            rest = f"(?i:{rest})"
        tail = after if _is_word_char(term[-1]) else ""
        (word_start if _is_word_char(term[0]) else other_start).append(f"(?<=[{first}]){rest}{tail}")
    # Most letters are inside words: one test of the letter before rules them out for all terms.
    branches = [f"(?<!{joined_before}.)(?:{'|'.join(word_start)})"] if word_start else []
    branches += other_start
    firsts = "".join(re.escape(c) for c in sorted({c for term in ordered for c in _cases(term[0])}))
    return re.compile(f"[{firsts}](?:{'|'.join(branches)})")


def _outside_addresses(matches: Iterator[re.Match[str]], text: str) -> list[re.Match[str]]:
    """The matches that are not part of a web or email address."""
    if "://" not in text and "www." not in text and "@" not in text:  # no address: the usual case
        return list(matches)
    addresses = [(a.start(), a.end()) for a in _ADDRESS.finditer(text)]
    return [m for m in matches if not any(start < m.end() and m.start() < end for start, end in addresses)]


def _key(term: str) -> str:
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
            self.rows.setdefault(_key(term.gb), term)  # a repeated term is reported by check_table
        self.pattern = term_pattern(t.gb for t in self.rows.values())

    def matches(self, text: str) -> list[re.Match[str]]:
        """Every GB term the substitution replaces in text."""
        if self.pattern is None:
            return []
        return _outside_addresses(self.pattern.finditer(text), text)

    def __call__(self, text: str, preceding: str = "") -> str:
        """Text with its GB terms replaced. `preceding` is what the reader sees just before it
        (nothing: the text starts a sentence)."""
        parts, position = [], 0
        for match in self.matches(text):
            start = match.start()
            before = text[start - _CONTEXT : start] if start >= _CONTEXT else preceding[-_CONTEXT:] + text[:start]
            parts += (text[position:start], self.replacement(match.group(), before))
            position = match.end()
        return "".join(parts) + text[position:] if parts else text

    def replacement(self, found: str, preceding: str) -> str:
        term = self.rows[_key(found)]
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


def segments_for_edition(segments: tuple[Segment, ...], edition: str, substitute: Substituter | None) -> tuple[Segment, ...]:
    """Edition-only text resolved and, for NI, terms substituted outside link targets, code and literals."""
    kept = for_edition(segments, edition)
    if substitute is None:
        return kept
    return _substituted(kept, substitute, "")[0]


def _substituted(segments: tuple[Segment, ...], substitute: Substituter, preceding: str) -> tuple[tuple[Segment, ...], str]:
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


@dataclass(frozen=True)
class PageText:
    """One text field a reader sees: where it is in the page's YAML and whether NI shows it."""

    keys: tuple
    text: str
    in_ni: bool = True


def page_texts(page: Page) -> Iterator[PageText]:
    """Every text shown to readers: not ids, anchors, URLs or keywords (caseworkers search
    with keywords, old words included)."""
    yield PageText(("title",), page.title)
    yield PageText(("owner",), page.owner)
    for i, tag in enumerate(page.tags):
        yield PageText(("tags", i), tag)
    for keys, text, restrictions in page.text_fields():
        if text:
            yield PageText(keys, text, all(edition in (None, "ni") for edition in restrictions))


def plain_parts(segments: tuple[Segment, ...]) -> Iterator[Plain]:
    """The plain text a reader sees, in every edition: not code, literals or link targets."""
    for segment in segments:
        if isinstance(segment, Plain):
            yield segment
        elif isinstance(segment, Link):
            yield from plain_parts(segment.label)
        elif isinstance(segment, EditionOnly):
            yield from plain_parts(segment.content)


def _at(page: Page, field: PageText, offset: int) -> Location:
    pointer = "/".join(str(key) for key in field.keys)
    return text_location(page.source_text, pointer, offset, fallback=page.location(*field.keys))


# --- legacy terms -------------------------------------------------------------------------


def _is_abbreviation(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and " " not in term


class LegacyFinder:
    """Finds old terms: whole words, with a plural "s" or a possessive; abbreviations
    ("NRP") as written, other terms in any case ("Non-resident parents")."""

    def __init__(self, terms: Iterable[LegacyTerm]):
        self.terms = {t.term.lower(): t for t in terms}
        self.pattern = term_pattern(
            (t.term for t in self.terms.values()), after=f"s?{_AFTER_WORD}", any_case=lambda term: not _is_abbreviation(term)
        )

    def find(self, text: str) -> Iterator[tuple[re.Match[str], LegacyTerm]]:
        if self.pattern is None:
            return
        for match in _outside_addresses(self.pattern.finditer(text), text):
            found = match.group().lower()
            yield match, self.terms.get(found) or self.terms[found[:-1]]  # [:-1]: the plural "s"


def legacy_term_problems(library: Library, options: object = None) -> list[Problem]:
    """Old terms replaced everywhere (non-resident parent → paying parent), wherever they
    appear outside `{literal: …}`, code and link targets, in either edition's text."""
    finder = LegacyFinder(library.terminology.legacy_terms)
    if finder.pattern is None:
        return []
    problems = []
    for page in library.pages:
        for field in page_texts(page):
            if not finder.pattern.search(field.text):
                continue  # the common case, without parsing the marks
            for part in plain_parts(parse(field.text)):
                for match, legacy in finder.find(part.text):
                    found = match.group()
                    problems.append(
                        _at(page, field, part.start + match.start()).problem(
                            f"'{found}' is a legacy term: write '{legacy.replacement}', or {{literal: {found}}} "
                            "where the old term must stay (quoting legislation, for example)"
                        )
                    )
    return problems


# --- GB terms that would reach Northern Ireland readers -----------------------------------


_JOINED = re.compile(r"[\w&-]*")


def ni_term_problems(library: Library, options: object = None) -> list[Problem]:
    """Text the NI edition shows that still holds a GB term the substitution cannot replace,
    and legislation entries whose title changes in NI while the link still opens the GB law."""
    substitute = substituter_for("ni", library.terminology)
    if substitute is None:
        return []
    # GB terms in any case and joined to other words ("CMGs", "ex-CMG", "cmg"): what the
    # substitution leaves alone but NI readers should not see.
    loose = term_pattern((t.gb for t in library.terminology.ni_terms), joined_before=r"[^\W_]", after="", any_case=lambda term: True)
    assert loose is not None
    problems = []
    for page in library.pages:
        for field in page_texts(page):
            if field.in_ni and _may_leak(field.text, substitute, loose):
                problems.extend(_leaks(page, field, substitute, loose))
        problems.extend(_legislation_links(page, substitute))
    return problems


def _may_leak(text: str, substitute: Substituter, loose: re.Pattern[str]) -> bool:
    """A quick test on the whole text, before parsing its marks: is any GB term, in any form,
    not one the substitution replaces? (Marks only split text at characters that are not
    word characters, so a term replaced in the whole text is replaced in its part too.)"""
    suspects = [m.start() for m in loose.finditer(text)]
    if not suspects:
        return False
    replaced = [(m.start(), m.end()) for m in substitute.pattern.finditer(text)]  # type: ignore[union-attr]
    return any(not any(start <= at < end for start, end in replaced) for at in suspects)


def _leaks(page: Page, field: PageText, substitute: Substituter, loose: re.Pattern[str]) -> Iterator[Problem]:
    for part in plain_parts(for_edition(parse(field.text), "ni")):
        replaced = [(m.start(), m.end()) for m in substitute.matches(part.text)]
        for match in _outside_addresses(loose.finditer(part.text), part.text):
            if any(start <= match.start() < end for start, end in replaced):
                continue
            start = match.start()
            while start and _JOINED.fullmatch(part.text[start - 1]):
                start -= 1
            word = part.text[start : _JOINED.match(part.text, match.end()).end()]
            term = next(t for t in substitute.rows.values() if t.gb.lower() == match.group().lower())
            yield _at(page, field, part.start + start).problem(
                f"'{word}' would reach Northern Ireland readers unchanged: only '{term.gb}' as a whole word, "
                f"written as in terminology.yml, becomes '{term.ni}'. Reword it, add a row to terminology.yml, "
                f"or write {{literal: {word}}} if NI readers should see it"
            )


def _legislation_links(page: Page, substitute: Substituter) -> Iterator[Problem]:
    for i, reference in enumerate(page.legislation):
        if reference.edition is not None or not reference.url:
            continue
        ni_title = edition_text(reference.title, "ni", substitute)
        if ni_title != edition_text(reference.title, "gb", None):
            yield page.location("legislation", i, "title").problem(
                f"the NI edition shows this as '{ni_title}' but the link still opens {reference.url}: "
                "mark this entry 'edition: gb' and add an 'edition: ni' entry with the Northern Ireland law's address"
            )


# --- the table itself -----------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def _runs_into(ni: str, gb: str) -> bool:
    """Whether NI text could, with the words around it, read as `gb`: the end of `ni` is the
    start of `gb`, its start is the end of `gb`, or it lies inside `gb`."""
    n, g = _tokens(ni), _tokens(gb)
    for k in range(1, min(len(n), len(g) - 1) + 1):
        if n[-k:] == g[:k] or n[:k] == g[-k:]:
            return True
    return any(g[i : i + len(n)] == n for i in range(1, len(g) - len(n)))


def _substituted_in_place(term: Term, substitute: Substituter) -> str:
    """The NI form substituted again where it lands in text ("…" marks a word it is glued
    to). A GB term that starts or ends with punctuation, like "(CMG)", matches even when
    glued to a word, so its NI form may land glued to one too, where a row protecting a
    phrase inside that form no longer matches."""
    glued_before = "" if _is_word_char(term.gb[0]) else "x"
    glued_after = "" if _is_word_char(term.gb[-1]) else "x"
    for before, after in (("", ""), (glued_before, ""), ("", glued_after)):
        again = substitute(before + term.ni + after, "mid-sentence ")  # so a capital letter is not a change
        if again != before + term.ni + after:
            return ("…" if before else "") + again[len(before) : len(again) - len(after)] + ("…" if after else "")
    return term.ni


def table_problems(library: Library, options: object = None) -> list[Problem]:
    return check_table(library.terminology)


def check_table(terminology: Terminology) -> list[Problem]:
    """Rows of terminology.yml that would make the NI edition depend on the order of
    replacement (so substituting twice would change it again), or introduce a legacy term."""
    terms = terminology.ni_terms
    substitute = Substituter(terms)
    legacy = LegacyFinder(terminology.legacy_terms)
    problems = []
    seen: set[str] = set()
    for term in terms:
        where = term.location or Location("terminology.yml", 1, 1)
        if _key(term.gb) in seen:
            problems.append(where.problem(f"'{term.gb}' is listed twice under northern_ireland"))
            continue
        seen.add(_key(term.gb))
        again = _substituted_in_place(term, substitute)
        if again != term.ni:
            problems.append(where.problem(f"the NI form '{term.ni}' holds a GB term and would become '{again}': write extra words in page text, or use {{ni: …}}"))
            continue
        # A row that keeps its term as written ("protects" a phrase) cannot change anything.
        clash = term.ni != term.gb and next((other.gb for other in terms if _runs_into(term.ni, other.gb)), None)
        if clash:
            problems.append(where.problem(f"the NI form '{term.ni}' runs into the GB term '{clash}': with the words around it, it could be replaced again"))
        old = next(legacy.find(term.ni), None)
        if old:
            problems.append(where.problem(f"the NI form '{term.ni}' uses the legacy term '{old[0].group()}'"))
    return problems
