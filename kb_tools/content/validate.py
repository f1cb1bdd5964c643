"""Turn loaded YAML documents into validated, typed objects, reporting every problem.

Each check returns Problems (values, never exceptions) pointing at the YAML node that is
wrong, so one `kb check` run lists everything a maintainer has to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_tools import config
from kb_tools.cache import Store, key_of
from kb_tools.content.load import SourceDocument, load_yaml_bytes
from kb_tools.layout import RESERVED_ANCHORS, slugify
from kb_tools.model import (
    AvoidPhrase,
    BodySection,
    Change,
    Edition,
    Faq,
    Glossary,
    GlossaryTerm,
    LegacyTerm,
    Library,
    Location,
    Note,
    Page,
    Problem,
    Reference,
    Section,
    SiteConfig,
    Synonym,
    Term,
    Terminology,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SLUG = {"type": "string", "pattern": config.ID_PATTERN}
SITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "editions", "sections"],
    "properties": {
        "title": {"type": "string", "minLength": 3},
        "review_interval_days": {"type": "string", "pattern": r"^[1-9]\d{0,3}$"},
        # The lowest Flesch reading ease a page may have, 0 to 100 (checks/style.py).
        "reading_ease_min": {"type": "string", "pattern": r"^(?:100|[1-9]?\d)(?:\.\d)?$"},
        # The search service's address, when the site is published elsewhere (default: same origin).
        "search_api": {
            "type": "string",
            "pattern": r"^(?:https://[A-Za-z0-9.-]+|http://(?:127\.0\.0\.1|localhost))(?::\d{1,5})?(?:/[A-Za-z0-9._~/-]*)?$",
        },
        "email_allow_list": {"type": "array", "items": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$"}},
        # How to reach each owner team, in words ("Raise an SR to A&G"): shown on its pages.
        # Never a person's address: the safety checks scan this file like a page.
        "owners": {
            "type": "object",
            "propertyNames": {"minLength": 2, "maxLength": 100},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["contact"],
                "properties": {"contact": {"type": "string", "minLength": 3, "maxLength": 300}},
            },
        },
        "editions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "badge"],
                "properties": {
                    "id": {"enum": list(config.EDITIONS)},
                    "name": {"type": "string"},
                    "badge": {"type": "string"},
                },
            },
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title", "summary"],
                "properties": {
                    "id": SLUG,
                    "title": {"type": "string", "minLength": 2},
                    "summary": {"type": "string", "minLength": 5},
                },
            },
        },
    },
}
TEXT = {"type": "string", "minLength": 1}
TERMINOLOGY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "northern_ireland": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["gb", "ni"],
                "properties": {"gb": TEXT, "ni": TEXT},
            },
        },
        "legacy": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["term", "use"],
                "properties": {"term": TEXT, "use": TEXT},
            },
        },
        "synonyms": {"type": "array", "items": {"type": "array", "minItems": 2, "items": TEXT}},
    },
}
WORDS_TO_AVOID_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["phrases"],
    "properties": {
        "phrases": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["avoid", "use"],
                "properties": {
                    "avoid": TEXT,
                    "use": TEXT,
                    "forms": {"type": "array", "items": TEXT},
                    "unless": TEXT,
                },
            },
        },
    },
}


@cache
def page_schema() -> dict[str, Any]:
    return json.loads(config.SCHEMA_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CheckResult:
    library: Library | None
    problems: tuple[Problem, ...]
    source_key: str = ""  # the hash of every content file's name and bytes this run read

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return self.library is not None and not self.errors


# --- schema errors → located, readable problems -------------------------------------------


def schema_problems(doc: SourceDocument, schema: dict[str, Any]) -> list[Problem]:
    from jsonschema import Draft202012Validator  # here: a check where every file is cached never loads it

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems: list[Problem] = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_explain(doc, error))
    return sorted(set(problems))


def _pointer(parts: Iterable[object]) -> str:
    return "/".join(str(p) for p in parts)


def _explain(doc: SourceDocument, error: ValidationError) -> list[Problem]:
    pointer = _pointer(error.absolute_path)
    where = doc.where(pointer)
    name = _describe(pointer)
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return [
            doc.where(_pointer([*error.absolute_path, key]), key=True).problem(
                f"unknown key '{key}'{' in ' + name if pointer else ''}; allowed keys: {', '.join(sorted(allowed))}"
            )
            for key in extra
        ]
    if kind == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return [where.problem(f"missing required key '{key}'{' in ' + name if pointer else ''}") for key in missing]
    if kind == "type":
        expected = {"string": "text", "array": "a list", "object": "a mapping of keys"}.get(
            str(error.validator_value), str(error.validator_value)
        )
        got = _kind_of(error.instance)
        return [where.problem(f"{name} must be {expected}, not {got}")]
    if kind == "format" and error.validator_value == "date":
        return [where.problem(f"{name} is not a real date: '{error.instance}' (write YYYY-MM-DD)")]
    if kind == "pattern":
        return [where.problem(f"{name} {_pattern_hint(pointer, error)}: '{error.instance}'")]
    if kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return [where.problem(f"{name} must be one of: {choices} (got '{error.instance}')")]
    if kind == "minLength":
        return [where.problem(f"{name} is too short (at least {error.validator_value} characters)")]
    if kind == "maxLength":
        return [where.problem(f"{name} is too long (at most {error.validator_value} characters)")]
    if kind == "minItems":
        return [
            where.problem(
                f"{name} needs at least {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
            )
        ]
    if kind == "uniqueItems":
        return [where.problem(f"{name} lists the same item twice")]
    return [where.problem(f"{name}: {error.message}")]


def _describe(pointer: str) -> str:
    return f"'{pointer}'" if pointer else "the file"


def _kind_of(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"text '{value}'"


def _pattern_hint(pointer: str, error: ValidationError) -> str:
    pattern = str(error.validator_value)
    if pattern == config.ID_PATTERN:
        return "must be a lower-case slug (letters, digits and single hyphens)"
    if "\\d{4}" in pattern:
        return "must be a date written YYYY-MM-DD"
    if pattern.startswith("^https"):
        return "must be an https:// address"
    if pattern.startswith("^(?:https://"):
        return "must be an https:// address (or http://127.0.0.1 or http://localhost, for testing)"
    return f"does not match the pattern {pattern}"


# --- documents → typed objects -------------------------------------------------------------


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _items(value: Any) -> list:
    """A list value, or an empty one when the YAML held something else (already reported)."""
    return value if isinstance(value, list) else []


def _locations(doc: SourceDocument) -> dict[str, Location]:
    return dict(doc.values)


def build_page(doc: SourceDocument) -> Page:
    """Make a Page from a document (raises TypeError/KeyError when it is too broken to)."""
    data = doc.data
    if not all(isinstance(data.get(key), str) for key in ("id", "title", "summary", "section", "owner")):
        raise TypeError("page is missing text fields")
    body = tuple(
        BodySection(
            heading=s["heading"],
            anchor=s.get("anchor") or slugify(s["heading"]),
            text=s.get("text") or "",
            steps=tuple(_items(s.get("steps"))),
            points=tuple(_items(s.get("points"))),
            notes=tuple(Note(n.get("kind") or "note", n["text"], n.get("edition")) for n in _items(s.get("notes"))),
            edition=s.get("edition"),
        )
        for s in _items(data["body"])
    )
    faq = tuple(
        Faq(f["question"], f["answer"], f.get("anchor") or slugify(f["question"]), f.get("edition"))
        for f in _items(data.get("faq"))
    )
    return Page(
        id=data["id"],
        title=data["title"],
        summary=data["summary"],
        section=data["section"],
        owner=data["owner"],
        last_reviewed=_date(data["last_reviewed"]) or date.min,
        review_due=_date(data.get("review_due")),
        body=body,
        faq=faq,
        related=tuple(_items(data["related"])),
        tags=tuple(_items(data.get("tags"))),
        keywords=tuple(_items(data.get("keywords"))),
        audience=tuple(_items(data.get("audience"))),
        legislation=tuple(
            Reference(r["title"], r.get("url") or "", r.get("edition")) for r in _items(data.get("legislation"))
        ),
        changes=tuple(
            Change(_date(c["date"]) or date.min, c["note"], c.get("edition"), c.get("minor") == "true")
            for c in _items(data.get("changes"))
        ),
        order=int(data.get("order") or 100),
        source=data.get("source") or "",
        source_path=doc.path,
        locations=_locations(doc),
        source_text=doc.source_text,
    )


def build_site(doc: SourceDocument) -> SiteConfig:
    data = doc.data
    return SiteConfig(
        title=data["title"],
        sections=tuple(Section(s["id"], s["title"], s["summary"]) for s in data["sections"]),
        editions=tuple(Edition(e["id"], e["name"], e["badge"]) for e in data["editions"]),
        email_allow_list=tuple(data.get("email_allow_list") or ()),
        review_interval_days=int(data.get("review_interval_days") or 365),
        reading_ease_min=float(data["reading_ease_min"]) if data.get("reading_ease_min") else None,
        search_api=data.get("search_api") or "",
        owner_contacts=tuple((team, str(owner["contact"])) for team, owner in (data.get("owners") or {}).items()),
        source_text=doc.source_text,
    )


def build_terminology(doc: SourceDocument) -> Terminology:
    data = doc.data or {}
    return Terminology(
        ni_terms=tuple(
            Term(t["gb"], t["ni"], doc.where(f"northern_ireland/{i}"))
            for i, t in enumerate(data.get("northern_ireland") or ())
        ),
        legacy_terms=tuple(
            LegacyTerm(t["term"], t["use"], doc.where(f"legacy/{i}")) for i, t in enumerate(data.get("legacy") or ())
        ),
        synonyms=tuple(Synonym(tuple(group)) for group in data.get("synonyms") or ()),
        source_text=doc.source_text,
    )


def build_words_to_avoid(doc: SourceDocument) -> tuple[AvoidPhrase, ...]:
    return tuple(
        AvoidPhrase(
            phrase=row["avoid"],
            use=row["use"],
            forms=tuple(_items(row.get("forms"))),
            unless=row.get("unless") or "",
            location=doc.where(f"phrases/{i}/avoid"),
        )
        for i, row in enumerate(_items(doc.data.get("phrases")))
    )


# --- the glossary ---------------------------------------------------------------------------

_PHRASE = {"type": "string", "minLength": 2, "maxLength": 80, "pattern": r"^\S(?:.*\S)?$"}
GLOSSARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["terms"],
    "properties": {
        "terms": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["term", "definition"],
                "properties": {
                    "term": _PHRASE,
                    "definition": {"type": "string", "minLength": 10, "maxLength": 600},
                    "edition": {"enum": list(config.EDITIONS)},
                    "aliases": {"type": "array", "items": _PHRASE},
                },
            },
        }
    },
}


def build_glossary(doc: SourceDocument) -> Glossary:
    data = doc.data or {}
    terms = tuple(
        GlossaryTerm(
            t["term"],
            " ".join(str(t["definition"]).split()),
            t.get("edition"),
            tuple(_items(t.get("aliases"))),
            doc.where(f"terms/{i}/term"),
        )
        for i, t in enumerate(data.get("terms") or ())
    )
    return Glossary(terms, doc.source_text)


def glossary_problems(glossary: tuple[GlossaryTerm, ...]) -> list[Problem]:
    """A word may be defined once in each edition: the same term or alias twice is an error."""
    problems = []
    seen: dict[tuple[str, str], GlossaryTerm] = {}
    for entry in glossary:
        for form in entry.forms():
            for edition in (entry.edition,) if entry.edition else config.EDITIONS:
                key = (form.casefold(), edition)
                first = seen.setdefault(key, entry)
                if first is not entry and entry.location is not None:
                    problems.append(
                        entry.location.problem(
                            f"'{form}' is already in the glossary as '{first.term}': define a word once"
                        )
                    )
                    break
    return sorted(set(problems))


def load_glossary(reader: ContentReader, content: Path, problems: list[Problem]) -> Glossary:
    """content/glossary.yml, validated (an empty glossary when the file is absent)."""
    file = content / config.GLOSSARY_FILE
    if not file.exists():
        return Glossary()
    glossary = _load_checked(reader, file, GLOSSARY_SCHEMA, build_glossary, problems) or Glossary()
    problems.extend(glossary_problems(glossary.terms))
    return glossary


# --- the whole content folder --------------------------------------------------------------


def display_path(file: Path, content: Path) -> str:
    """Paths in messages are relative to the working directory when they can be."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def page_files(content: Path) -> list[Path]:
    folder = content / config.PAGES_DIR
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def check_content(content: Path, cache: Path | None = None) -> CheckResult:
    """Load and validate a whole content folder; report every problem found.

    With a cache folder, a page file whose bytes were validated before is not parsed again.
    Every file is read once: what is parsed, what keys the cache and what `source_key`
    records are the same bytes.
    """
    problems: list[Problem] = []
    if not (content / config.SITE_FILE).is_file():
        return CheckResult(
            None,
            (Problem(display_path(content, content), 1, 1, f"no {config.SITE_FILE} here: is this a content folder?"),),
        )

    reader = ContentReader(content)
    site = load_site(content, problems, reader)
    terms_file = content / config.TERMINOLOGY_FILE
    terminology = (
        _load_checked(reader, terms_file, TERMINOLOGY_SCHEMA, build_terminology, problems)
        if terms_file.exists()
        else Terminology()
    )
    words_file = content / config.WORDS_TO_AVOID_FILE
    words_to_avoid = (
        _load_checked(reader, words_file, WORDS_TO_AVOID_SCHEMA, build_words_to_avoid, problems)
        if words_file.exists()
        else ()
    )
    glossary = load_glossary(reader, content, problems)
    if site is not None:
        problems.extend(_site_problems(site, content))

    pages: list[Page] = []
    store = Store(cache, "checked-pages", "checking page files")
    for file in page_files(content):
        page = _checked_page(reader, store, file, problems)
        if page is not None:
            problems.extend(_file_name_problems(page, file, content))
            pages.append(page)
    store.save()

    problems.extend(cross_page_problems(pages, site))
    problems = sorted(set(problems))
    if site is None or terminology is None or any(p.severity == "error" for p in problems):
        return CheckResult(None, tuple(problems), reader.source_key())
    pages.sort(key=lambda p: p.id)
    library = Library(site, terminology, tuple(pages), words_to_avoid or (), glossary)
    return CheckResult(library, tuple(problems), reader.source_key())


class ContentReader:
    """Reads each content file once and remembers the bytes it read, for `source_key`."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.read: list[tuple[str, bytes]] = []

    def bytes_of(self, file: Path) -> tuple[str, bytes | None, Problem | None]:
        display = display_path(file, self.content)
        try:
            raw = file.read_bytes()
        except OSError as err:
            return display, None, Problem(display, 1, 1, f"cannot read file: {err.strerror}")
        self.read.append((display, raw))
        return display, raw, None

    def source_key(self) -> str:
        """The hash of every file's name and bytes as read: the key of any work done on them."""
        return key_of(*(part for name, raw in sorted(self.read) for part in (name, raw)))


def _checked_page(reader: ContentReader, store: Store, file: Path, problems: list[Problem]) -> Page | None:
    """A page file validated, or its result from an earlier run on the same name and bytes.

    Loading and schema-checking every file is most of `kb check`'s time; a maintainer's next
    check or build parses only the files whose bytes changed.
    """
    display, raw, unreadable = reader.bytes_of(file)
    if raw is None:
        problems.append(unreadable)  # type: ignore[arg-type]
        return None
    cached = store.get(display, raw)
    if cached is None:
        found: list[Problem] = []
        cached = (_build_checked(load_yaml_bytes(raw, display), page_schema(), build_page, found), found)
        store.put(cached, display, raw)
    page, found = cached
    problems.extend(found)
    return page


def load_site(content: Path, problems: list[Problem], reader: ContentReader | None = None) -> SiteConfig | None:
    """site.yml, validated; its problems are added to `problems`."""
    return _load_checked(
        reader or ContentReader(content), content / config.SITE_FILE, SITE_SCHEMA, build_site, problems
    )


def _load_checked(reader: ContentReader, file: Path, schema: dict[str, Any], build, problems: list[Problem]):
    display, raw, unreadable = reader.bytes_of(file)
    if raw is None:
        problems.append(unreadable)  # type: ignore[arg-type]
        return None
    return _build_checked(load_yaml_bytes(raw, display), schema, build, problems)


def _build_checked(
    loaded: tuple[SourceDocument | None, list[Problem]], schema: dict[str, Any], build, problems: list[Problem]
):
    """Schema-check and build one loaded file. A file with schema problems is still built when
    its shape allows, so the cross-file checks can report their problems in the same run."""
    doc, load_problems = loaded
    problems.extend(load_problems)
    if doc is None:
        return None
    problems.extend(schema_problems(doc, schema))
    problems.extend(slug_problems(doc))
    try:
        return build(doc)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # too broken to build; its schema problems say why


def _site_problems(site: SiteConfig, content: Path) -> list[Problem]:
    where = Location(display_path(content / config.SITE_FILE, content), 1, 1)
    seen: set[str] = set()
    problems = []
    for section in site.sections:
        if section.id in seen:
            problems.append(where.problem(f"section id '{section.id}' is listed twice"))
        seen.add(section.id)
    return problems


def _file_name_problems(page: Page, file: Path, content: Path) -> list[Problem]:
    if file.stem != page.id:
        return [
            page.location("id").problem(
                f"id '{page.id}' must match the file name '{file.name}' (rename the file to {page.id}.yml)"
            )
        ]
    folder = file.parent
    if folder != content / config.PAGES_DIR and folder.name != page.section:
        return [
            page.location("section").problem(
                f"the page is in the folder '{folder.name}' but its section is '{page.section}': move the file to "
                f"pages/{page.section}/ or change its section"
            )
        ]
    return []


def cross_page_problems(pages: list[Page], site: SiteConfig | None) -> list[Problem]:
    """Problems that need all pages: duplicate ids, unknown sections and related ids, anchors."""
    problems: list[Problem] = []
    first_by_id: dict[str, Page] = {}
    for page in pages:
        if page.id in first_by_id:
            first = first_by_id[page.id]
            problems.append(page.location("id").problem(f"duplicate id '{page.id}': also used by {first.source_path}"))
        else:
            first_by_id[page.id] = page
    for page in pages:
        if site is not None and site.section(page.section) is None:
            known = ", ".join(s.id for s in site.sections)
            problems.append(
                page.location("section").problem(f"unknown section '{page.section}'; sections in site.yml: {known}")
            )
        for i, related in enumerate(page.related):
            if related not in first_by_id:
                problems.append(page.location("related", i).problem(f"related page '{related}' does not exist"))
            elif related == page.id:
                problems.append(page.location("related", i).problem("a page cannot be related to itself"))
        problems.extend(_anchor_problems(page))
    return problems


def _anchor_problems(page: Page) -> list[Problem]:
    problems = []
    seen: dict[str, str] = {}
    for i, section in enumerate(page.body):
        if not (section.text or section.steps or section.points or section.notes):
            problems.append(
                page.location("body", i).problem(f"section '{section.heading}' has no text, steps, points or notes")
            )
        if section.anchor in RESERVED_ANCHORS:
            where = ("body", i, "anchor") if f"body/{i}/anchor" in page.locations else ("body", i, "heading")
            problems.append(
                page.location(*where).problem(
                    f"the anchor '#{section.anchor}' belongs to a heading every page has: give this section another 'anchor'"
                )
            )
        problems.extend(_duplicate_anchor(page, seen, section.anchor, ("body", i, "heading")))
    for i, faq in enumerate(page.faq):
        problems.extend(_duplicate_anchor(page, seen, faq.anchor, ("faq", i, "question")))
    return problems


def _duplicate_anchor(page: Page, seen: dict[str, str], anchor: str, where: tuple) -> list[Problem]:
    pointer = "/".join(str(w) for w in where)
    if anchor in seen:
        return [
            page.location(*where).problem(
                f"heading anchor '#{anchor}' is already used at {seen[anchor]}: give one an explicit 'anchor'"
            )
        ]
    seen[anchor] = pointer
    return []


def review_due(page: Page, site: SiteConfig) -> date:
    return page.review_due or page.last_reviewed + timedelta(days=site.review_interval_days)


def is_slug(value: str) -> bool:
    return re.fullmatch(config.ID_PATTERN, value) is not None


# Values that become file, folder or anchor names.
_SLUG_POINTER = re.compile(r"^(?:id|section|related/\d+|(?:body|faq)/\d+/anchor|(?:sections|editions)/\d+/id)$")
# Names Windows reserves for devices: a folder or file with one of them cannot be opened
# from a shared drive, where caseworkers may open the site.
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$")


def slug_problems(doc: SourceDocument) -> list[Problem]:
    """What the schema's patterns let through: a trailing line break (a JSON Schema pattern's
    `$` matches before one in Python) and the names Windows reserves."""
    problems = []
    for pointer, scalar in doc.source_text.scalars.items() if doc.source_text else ():
        if not _SLUG_POINTER.match(pointer):
            continue
        value = scalar.value
        if value.rstrip("\n") != value and is_slug(value.rstrip("\n")):
            problems.append(doc.where(pointer).problem(f"'{pointer}' ends with a line break: write it on one line"))
        elif _WINDOWS_RESERVED.match(value):
            problems.append(
                doc.where(pointer).problem(
                    f"'{value}' is a name Windows reserves for a device, so the site could not be opened from a shared "
                    "drive: choose another"
                )
            )
    return problems
