"""Content safety checks: nothing personal or unsafe reaches caseworkers' screens, no page
goes unreviewed unnoticed, and no change is published without a change note.

Every text value of every content file (pages, site.yml, terminology.yml) is scanned as the
maintainer wrote it, and each problem points at the line and column of the offending text.

Personal data (errors): National Insurance numbers (HMRC's format: the excluded letters and
unallocated prefixes are not matched, so the specimen QQ 12 34 56 C can be quoted), UK phone
numbers (+44 or 0, ten or eleven digits), email addresses not in site.yml's
`email_allow_list`, UK postcodes (capitals, as written on letters), and case references.
A case reference is recognised conservatively, so legislation numbers (S.I. 1991/2628),
years and dates never match: a reference word (case, reference, ref, customer, client,
account, SR, service request, optionally followed by number/no/ref/id and : or #) followed
by a number of at least six digits (single spaces, hyphens or slashes may group them, up to
three letters may lead), or any run of nine or more digits standing alone.

Unsafe text (errors): HTML tags and comments, `javascript:`, `vbscript:` and `data:` URLs,
and event-handler attributes (onclick=…). Text is shown as text; the renderer escapes it too.

Review dates (warnings, errors with --strict): a page whose review date has passed.

Change notes (with --changed-since REF): see `change_note_problems`.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kb_tools.content.load import parse_yaml, text_location
from kb_tools.content.validate import review_due
from kb_tools.errors import KbError
from kb_tools.model import Library, Page, Problem, SourceText

if TYPE_CHECKING:  # checks.py imports this module to register its checks
    from kb_tools.checks.options import CheckOptions


@dataclass(frozen=True)
class Finding:
    start: int  # offset in the value
    end: int
    message: str


Finder = Callable[[str, Library], Iterator[Finding]]


# --- personal data --------------------------------------------------------------------------

_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"

# HMRC: first letter not D, F, I, Q, U or V; second not D, F, I, O, Q, U or V; suffix A to D.
_NI_NUMBER = re.compile(
    _EDGE_BEFORE + r"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]" + _EDGE_AFTER, re.IGNORECASE
)
_UNALLOCATED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

_PHONE = re.compile(r"(?<![\w+/.-])(?:\+44 ?(?:\(0\) ?)?|\(?0)\d(?:[ -]?\(?\)?[ -]?\d){7,11}(?![\w/])")

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")

# Royal Mail's formats: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA, with the
# letters each position can hold.
_POSTCODE = re.compile(
    _EDGE_BEFORE
    + r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPS-UW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?) ?[0-9][ABD-HJLNP-UW-Z]{2}"
    + _EDGE_AFTER
)

_CASE_REFERENCE = re.compile(
    r"\b(?:case|reference|ref|customer|client|account|SR|service request)"
    r"(?: ?(?:number|no\.?|ref(?:erence)?|id))?[ ]?[:#]?[ ]?"
    r"(?P<number>(?:[A-Z]{1,3}[ -]?)?\d(?:[ /-]?\d){5,})" + _EDGE_AFTER,
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<![\w/.,-])\d{9,}(?![\w/.,-])")
_LEGISLATION_NUMBER = re.compile(r"(?:19|20)\d\d/\d+")


def find_ni_numbers(text: str, library: Library) -> Iterator[Finding]:
    for match in _NI_NUMBER.finditer(text):
        if match.group(1).upper() not in _UNALLOCATED_PREFIXES:
            yield Finding(
                match.start(),
                match.end(),
                f"looks like a National Insurance number ('{match.group()}'; to show the format, write HMRC's specimen QQ 12 34 56 C)",
            )


def find_phone_numbers(text: str, library: Library) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = "0" + digits[2:].removeprefix("0") if match.group().startswith("+") else digits
        if len(national) in (10, 11) and national[1] != "0":
            yield Finding(match.start(), match.end(), f"looks like a UK phone number ('{match.group()}')")


def find_email_addresses(text: str, library: Library) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        if match.group().lower() not in _allowed_emails(library.site.email_allow_list):
            yield Finding(
                match.start(), match.end(), f"email address '{match.group()}' is not in email_allow_list in site.yml"
            )


@lru_cache(maxsize=4)
def _allowed_emails(allow_list: tuple[str, ...]) -> frozenset[str]:
    return frozenset(address.lower() for address in allow_list)


def find_postcodes(text: str, library: Library) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like a UK postcode ('{match.group()}')")


def find_case_references(text: str, library: Library) -> Iterator[Finding]:
    for match in _CASE_REFERENCE.finditer(text):
        if not _LEGISLATION_NUMBER.fullmatch(match.group("number")):
            yield Finding(match.start(), match.end(), f"looks like a case reference ('{match.group()}')")
    for match in _LONG_NUMBER.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like a case or account reference ('{match.group()}')")


PERSONAL_DATA: tuple[Finder, ...] = (
    find_ni_numbers,
    find_email_addresses,
    find_phone_numbers,
    find_postcodes,
    find_case_references,
)
_MAYBE_PERSONAL = re.compile(r"[0-9@]")  # every pattern above needs a digit or an @: most text has neither
PERSONAL_DATA_ADVICE = (
    "pages must never hold personal data or anyone's contact details: describe the situation, or name the team"
)


# --- unsafe text ------------------------------------------------------------------------------

_UNSAFE = re.compile(
    "|".join(
        (
            r"(?P<html><!--|<!\[CDATA\[|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<\s*script\b)",
            # A script URL may be split by spaces or control characters that browsers ignore.
            r"(?P<script>\b(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t)\s*:)",
            r"(?P<data>\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+\s*[;,])",
            r"(?P<handler>\bon(?:abort|afterprint|animation\w*|auxclick|before\w+|blur|cancel|canplay\w*|change|click|close"
            r"|contextmenu|copy|cue\w*|cut|dblclick|drag\w*|drop|durationchange|emptied|ended|error|focus\w*|formdata"
            r"|fullscreen\w*|hashchange|input|invalid|key\w+|load\w*|lostpointercapture|message\w*|mouse\w+|offline|online"
            r"|page\w+|paste|pause|play\w*|pointer\w+|popstate|progress|ratechange|rejectionhandled|reset|resize|scroll\w*"
            r"|search|seek\w+|select\w*|show|slotchange|stalled|storage|submit|suspend|timeupdate|toggle|touch\w+"
            r"|transition\w*|unhandledrejection|unload|volumechange|waiting|wheel)\s*=)",
        )
    ),
    re.IGNORECASE,
)
_UNSAFE_KINDS = {
    "html": "raw HTML",
    "script": "a script URL",
    "data": "a data: URL",
    "handler": "an event-handler attribute",
}


def find_unsafe_text(text: str, library: Library) -> Iterator[Finding]:
    for match in _UNSAFE.finditer(text):
        what = _UNSAFE_KINDS[match.lastgroup or ""]
        yield Finding(match.start(), match.end(), f"{what} ('{_shorten(match.group())}') is not allowed")


_MAYBE_UNSAFE = re.compile(
    r"<|=|(?:t|data)\s*:", re.IGNORECASE
)  # a tag, an attribute, or a javascript:, vbscript: or data: URL
UNSAFE_ADVICE = "text is shown as text: write plain words, **bold** for emphasis, [label](https://…) for links"


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- running the finders over every text value ----------------------------------------------


def sources(library: Library) -> Iterator[SourceText]:
    for source in (
        library.site.source_text,
        library.terminology.source_text,
        *(page.source_text for page in library.pages),
    ):
        if source is not None:
            yield source


def scan(
    library: Library, finders: tuple[Finder, ...], maybe: re.Pattern, advice: str, skip: tuple[str, ...] = ()
) -> list[Problem]:
    """Every finding in every text value, reported where it was written. Where findings
    overlap (an 11-digit phone number is also a long number) only the first is reported.
    Values without a character any finder needs (`maybe`) are skipped at once."""
    problems = []
    for source in sources(library):
        for pointer, scalar in source.scalars.items():
            if not maybe.search(scalar.value) or pointer.startswith(skip):
                continue
            covered: list[tuple[int, int]] = []
            for finder in finders:
                for finding in finder(scalar.value, library):
                    if any(finding.start < end and start < finding.end for start, end in covered):
                        continue
                    covered.append((finding.start, finding.end))
                    problems.append(
                        text_location(source, pointer, finding.start).problem(f"{finding.message}: {advice}")
                    )
    return problems


def personal_data_problems(library: Library, options: CheckOptions) -> list[Problem]:
    return scan(library, PERSONAL_DATA, _MAYBE_PERSONAL, PERSONAL_DATA_ADVICE, skip=("email_allow_list",))


def unsafe_text_problems(library: Library, options: CheckOptions) -> list[Problem]:
    return scan(library, (find_unsafe_text,), _MAYBE_UNSAFE, UNSAFE_ADVICE)


# --- review dates -----------------------------------------------------------------------------


def review_date_problems(library: Library, options: CheckOptions) -> list[Problem]:
    """A page past its review date is a warning (an error with --strict)."""
    problems = []
    today = options.today or date.today()
    for page in library.pages:
        due = review_due(page, library.site)
        if due < today:
            where = page.location("review_due") if page.review_due else page.location("last_reviewed")
            days = (today - due).days
            problems.append(
                where.problem(
                    f"review was due on {due.isoformat()} ({days} day{'s' * (days != 1)} ago): check the page is still right, "
                    f"then set last_reviewed to the date you checked it",
                    severity="warning",
                )
            )
    return problems


# --- change notes -----------------------------------------------------------------------------


class GitError(KbError):
    """git could not answer (not a repository, unknown revision, git missing)."""


def git(folder: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror}") from err
    if result.returncode != 0:
        raise GitError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"git {args[0]} failed")
    return result.stdout


@dataclass(frozen=True)
class Base:
    """The commit a change is compared with: where the branch left REF."""

    ref: str
    commit: str
    date: date
    root: Path  # the repository's top folder


def resolve_base(ref: str, folder: Path) -> Base:
    """The merge base of REF and HEAD (so a branch behind REF is compared with where it started)."""
    root = Path(git(folder, "rev-parse", "--show-toplevel").strip())
    git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    commit = git(root, "merge-base", ref, "HEAD").strip()
    committed = git(root, "show", "-s", "--format=%cs", commit).strip()
    return Base(ref, commit, date.fromisoformat(committed), root)


def changed_files(base: Base, folder: Path) -> set[Path]:
    """Files under folder that differ from the base: committed, staged, unstaged or new."""
    changed = git(base.root, "diff", "--name-only", "--no-renames", base.commit, "--", str(folder)).splitlines()
    new = git(base.root, "ls-files", "--others", "--exclude-standard", "--", str(folder)).splitlines()
    return {(base.root / name).resolve() for name in changed + new}


def change_note_problems(library: Library, options: CheckOptions) -> list[Problem]:
    """With --changed-since REF: each page file that differs from REF must carry a new change
    note, an entry of `changes` that REF's version of the file does not have, dated between
    the base commit's date and today. CI passes the pull request's base branch."""
    if options.changed_since is None or not library.pages:
        return []
    first = Path(library.pages[0].source_path).resolve()
    try:
        base = resolve_base(options.changed_since, first.parent)
        changed = changed_files(base, _pages_folder(first))
    except GitError as err:
        return [Problem(library.pages[0].source_path, 1, 1, f"cannot compare with '{options.changed_since}': {err}")]
    today = options.today or date.today()
    problems = []
    for page in library.pages:
        if Path(page.source_path).resolve() in changed:
            problems.extend(_page_change_note_problems(page, base, today))
    return problems


def _pages_folder(file: Path) -> Path:
    for folder in file.parents:
        if folder.name == "pages":
            return folder
    return file.parent


def _page_change_note_problems(page: Page, base: Base, today: date) -> list[Problem]:
    old_notes = _notes_at(base, Path(page.source_path).resolve())
    new = [(i, change) for i, change in enumerate(page.changes) if (change.date, change.note) not in old_notes]
    if not new:
        return [
            page.location("changes" if page.changes else "id").problem(
                f"this page changed since {base.ref} but has no new change note: add one at the top of 'changes' "
                f"(date: {today.isoformat()}, note: one line saying what changed)"
            )
        ]
    problems = []
    for i, change in new:
        if not base.date <= change.date <= today:
            problems.append(
                page.location("changes", i, "date").problem(
                    f"the new change note is dated {change.date.isoformat()}: date it between {base.date.isoformat()} "
                    f"(when this branch left {base.ref}) and today, {today.isoformat()}"
                )
            )
    return problems


def _notes_at(base: Base, file: Path) -> set[tuple[date, str]]:
    """The change notes of the base commit's version of the file (none when it is new there)."""
    try:
        text = git(base.root, "show", f"{base.commit}:{file.relative_to(base.root).as_posix()}")
    except (GitError, ValueError):
        return set()
    doc, _ = parse_yaml(text, str(file))
    changes = doc.data.get("changes") if doc is not None and isinstance(doc.data, dict) else None
    notes = set()
    for change in changes if isinstance(changes, list) else ():
        if isinstance(change, dict):
            try:
                notes.add((date.fromisoformat(str(change.get("date"))), str(change.get("note"))))
            except ValueError:
                continue
    return notes
