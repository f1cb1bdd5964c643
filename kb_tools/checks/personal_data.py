"""Personal data: nothing that identifies a person or their money reaches a page.

Errors, found in the text as a reader sees it (kb_tools/checks/scan.py: marks joined,
full-width forms folded, invisible characters dropped, spaces collapsed), each at the line
and column where it was written:

- National Insurance numbers in HMRC's format, with any separator (space, hyphen, dot,
  slash) or none. The letters HMRC never uses and the prefixes never allocated are not
  matched, so the specimen QQ 12 34 56 C can show the format.
- UK phone numbers in every written form: 0…, +44…, +44 (0)…, 0044…, with spaces, hyphens,
  dots or brackets, found by Google's libphonenumber (`phonenumbers`: numbers it knows are
  valid UK numbers), and by our own pattern for the ranges it does not know (the Ofcom drama
  ranges such as 07700 900123).
- Email addresses, internationalised domains included, and addresses written in words
  ("name at example dot com"), unless listed in site.yml's `email_allow_list`.
- UK postcodes in Royal Mail's formats, in any case, with a space, a hyphen or neither.
- Bank details: a sort code with an account number near it, an IBAN (its check digits
  must add up), a payment card number (13 to 19 digits passing the Luhn check).
- A date of birth ("date of birth", "DOB", "born on" followed by a date).
- Case references: a reference word followed by six or more digits, or nine or more digits
  standing alone. Legislation numbers (S.I. 1991/2628), years and dates never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.scan import Finder, Finding, reader_views, scan
from kb_tools.model import Library, Problem

_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"
_SEP = r"[ .\-/]?"

# HMRC: first letter not D, F, I, Q, U or V; second not D, F, I, O, Q, U or V; suffix A to D.
_NI_NUMBER = re.compile(
    _EDGE_BEFORE
    + rf"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]){_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}[A-D]"
    + _EDGE_AFTER,
    re.IGNORECASE,
)
_UNALLOCATED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

# Ranges libphonenumber does not list as valid (drama numbers) still look like phone numbers.
_PHONE = re.compile(r"(?<![\w+/.-])(?:(?:\+|00)44 ?(?:\(0\) ?)?|\(?0)\d(?:[ .-]?\(?\)?[ .-]?\d){7,11}(?![\w/])")

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_AT = r"(?:\bat\b|\(at\)|\[at\])"
_DOT = r"(?:\bdot\b|\(dot\)|\[dot\])"
_EMAIL_IN_WORDS = re.compile(
    rf"(?<![\w.+-])[\w.+-]+\s*{_AT}\s*[\w-]+(?:\s*(?:{_DOT}|\.)\s*[\w-]+)*\s*{_DOT}\s*[^\W\d_]{{2,}}\b", re.IGNORECASE
)

# Royal Mail's formats: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA, with the
# letters each position can hold; any case, a space, a hyphen or nothing in the middle.
_POSTCODE = re.compile(
    _EDGE_BEFORE
    + r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPS-UW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)[ -]?[0-9][ABD-HJLNP-UW-Z]{2}"
    + _EDGE_AFTER,
    re.IGNORECASE,
)

_SORT_CODE_AND_ACCOUNT = re.compile(r"(?<![\d-])\d{2}[- ]?\d{2}[- ]?\d{2}(?![\d-])\D{1,40}?(?<!\d)\d{8}(?!\d)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])", re.IGNORECASE)
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
_DATE_OF_BIRTH = re.compile(rf"(?:\bdate of birth|\bd\.?o\.?b\b\.?|\bborn(?: on)?)\W{{0,3}}{_DATE}", re.IGNORECASE)

_CASE_REFERENCE = re.compile(
    r"\b(?:case|reference|ref|customer|client|account|SR|service request)"
    r"(?: ?(?:number|no\.?|ref(?:erence)?|id))?[ ]?[:#]?[ ]?"
    r"(?P<number>(?:[A-Z]{1,3}[ -]?)?\d(?:[ /-]?\d){5,})" + _EDGE_AFTER,
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<![\w/.,-])\d{9,}(?![\w/.,-])")
_LEGISLATION_NUMBER = re.compile(r"(?:19|20)\d\d/\d+")


def find_ni_numbers(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _NI_NUMBER.finditer(text):
        if match.group(1).upper() not in _UNALLOCATED_PREFIXES:
            yield Finding(
                match.start(),
                match.end(),
                f"looks like a National Insurance number ('{match.group()}'; to show the format, write HMRC's specimen QQ 12 34 56 C)",
            )


def find_phone_numbers(text: str, library: Library | None = None) -> Iterator[Finding]:
    seen: list[tuple[int, int]] = []
    if sum(c.isdigit() for c in text) >= 9:
        for found in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
            seen.append((found.start, found.end))
            yield Finding(found.start, found.end, f"looks like a UK phone number ('{found.raw_string}')")
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = (
            "0" + digits[2:].removeprefix("0")
            if digits.startswith("44") and not match.group().startswith("0")
            else digits
        )
        national = "0" + digits[4:].removeprefix("0") if digits.startswith("0044") else national
        if (
            len(national) in (10, 11)
            and national[1] != "0"
            and not any(s < match.end() and match.start() < e for s, e in seen)
        ):
            yield Finding(match.start(), match.end(), f"looks like a UK phone number ('{match.group()}')")


def find_email_addresses(text: str, library: Library | None = None) -> Iterator[Finding]:
    allowed = _allowed_emails(library.site.email_allow_list if library else ())
    for match in _EMAIL.finditer(text):
        if match.group().lower() not in allowed:
            yield Finding(
                match.start(), match.end(), f"email address '{match.group()}' is not in email_allow_list in site.yml"
            )
    for match in _EMAIL_IN_WORDS.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like an email address written in words ('{match.group()}')")


@lru_cache(maxsize=4)
def _allowed_emails(allow_list: tuple[str, ...]) -> frozenset[str]:
    return frozenset(address.lower() for address in allow_list)


def find_postcodes(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like a UK postcode ('{match.group()}')")


def find_bank_details(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _SORT_CODE_AND_ACCOUNT.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like a sort code and account number ('{match.group()}')")
    for match in _IBAN.finditer(text):
        if _iban_in(match.group()):
            yield Finding(match.start(), match.end(), f"looks like an IBAN ('{match.group()}')")
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            yield Finding(match.start(), match.end(), f"looks like a payment card number ('{match.group()}')")


def _iban_in(text: str) -> bool:
    """Whether text starts with an IBAN whose check digits add up (words may follow it)."""
    compact = text.replace(" ", "").upper()
    return any(_iban_checks_out(compact[:length]) for length in range(min(len(compact), 34), 14, -1))


def _iban_checks_out(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _luhn(digits: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def find_dates_of_birth(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _DATE_OF_BIRTH.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like someone's date of birth ('{match.group()}')")


def find_case_references(text: str, library: Library | None = None) -> Iterator[Finding]:
    for match in _CASE_REFERENCE.finditer(text):
        if not _LEGISLATION_NUMBER.fullmatch(match.group("number")):
            yield Finding(match.start(), match.end(), f"looks like a case reference ('{match.group()}')")
    for match in _LONG_NUMBER.finditer(text):
        yield Finding(match.start(), match.end(), f"looks like a case or account reference ('{match.group()}')")


PERSONAL_DATA: tuple[Finder, ...] = (
    find_ni_numbers,
    find_email_addresses,
    find_bank_details,
    find_phone_numbers,
    find_postcodes,
    find_dates_of_birth,
    find_case_references,
)
# Every pattern above needs a digit (of any script), an @ or the word "dot": most text has none.
_MAYBE_PERSONAL = re.compile(r"[\d@＠﹫]|\bdot\b|\(dot\)|\[dot\]", re.IGNORECASE)
PERSONAL_DATA_ADVICE = (
    "pages must never hold personal data or anyone's contact details: describe the situation, or name the team"
)


def find_personal_data(text: str, library: Library | None = None) -> list[Finding]:
    """Every piece of personal data in a text (a search query, say), read as a reader would."""
    if not _MAYBE_PERSONAL.search(text):
        return []
    found = []
    for view, origin in reader_views(text):
        for finding in (f for finder in PERSONAL_DATA for f in finder(view, library)):
            if origin is not None:
                finding = Finding(origin[finding.start], origin[finding.end - 1] + 1, finding.message)
            found.append(finding)
    return sorted(set(found), key=lambda f: (f.start, f.end, f.message))


def personal_data_problems(library: Library, options: CheckOptions) -> list[Problem]:
    return scan(library, PERSONAL_DATA, _MAYBE_PERSONAL, PERSONAL_DATA_ADVICE, skip=("email_allow_list",), as_read=True)
