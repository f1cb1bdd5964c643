"""`kb new ID --section S --title T --owner O`: a new page file for the maintainer to fill in.

It never overwrites a file and refuses an id or section that `kb check` would refuse. The
title is kept exactly as typed ("MP hotlines", never "Mp hotlines") and the owner is chosen
by the maintainer, never defaulted. Every example value starts with "TODO:"
(config.PLACEHOLDER_PREFIX): `kb check` reports each one as an error at its line and column
until it is replaced, so a page cannot be published with the template's words in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from kb_tools import config
from kb_tools.content.validate import is_slug, load_site, page_files, page_schema
from kb_tools.errors import KbError
from kb_tools.model import SiteConfig


class ScaffoldError(KbError):
    """The page cannot be created; the message says why and what to do."""


TODO = config.PLACEHOLDER_PREFIX
TEMPLATE = f"""\
# yaml-language-server: $schema=../../../kb_tools/content/schema/page.schema.json
# A new page: replace every value that starts with "{TODO}", then run `kb check` (it reports
# each one left as an error). The README's maintainer guide explains every key.
id: {{id}}
title: {{title}}
summary: "{TODO} one sentence of 25 words or fewer: what this procedure is for and when a caseworker needs it."
section: {{section}}
owner: {{owner}}
last_reviewed: {{today}}
source: "{TODO} where the content comes from (a seed document or a public source)."
body:
  - heading: What to do
    steps:
      - "{TODO} the first thing the caseworker does."
      - "{TODO} the next step."
  - heading: "{TODO} a heading for the background, after the steps"
    text: |
      {TODO} why the steps matter, and the law or policy behind them, in plain English.
related:
  - {{related}}
changes:
  - date: {{today}}
    note: First published.
"""


def new_page(
    content: Path, page_id: str, section_id: str, *, title: str, owner: str, today: date | None = None
) -> Path:
    """Write content/pages/<section>/<id>.yml from the template; return its path. The title
    and owner are written as given: they are the maintainer's choice."""
    title, owner = " ".join(title.split()), " ".join(owner.split())
    if not title or title.startswith(TODO):
        raise ScaffoldError("write the page's title, as readers should see it: --title 'MP hotlines'")
    if not owner or owner.startswith(TODO):
        raise ScaffoldError(
            "name the team that owns the procedure: --owner 'Government relations unit' "
            f"(or --owner '{config.OWNER_TO_BE_CONFIRMED}', which kb check reports until a team is named)"
        )
    longest = page_schema()["properties"]["id"]["maxLength"]
    if not is_slug(page_id) or len(page_id) > longest:
        raise ScaffoldError(
            f"'{page_id}' is not a valid page id: use up to {longest} lower-case letters, digits and single hyphens, "
            "for example mp-enquiries (it becomes the file name and the end of the page's address)"
        )
    site = _site(content)
    if site.section(section_id) is None:
        known = ", ".join(s.id for s in site.sections)
        raise ScaffoldError(f"there is no section '{section_id}' in {config.SITE_FILE}; sections: {known}")
    existing = {file.stem: file for file in page_files(content)}
    if page_id in existing:
        raise ScaffoldError(f"a page with the id '{page_id}' already exists: {existing[page_id]}")
    siblings = sorted(existing.values(), key=lambda file: (file.parent.name != section_id, file.name))
    if not siblings:
        raise ScaffoldError(
            "a page must be related to another page, and there is none yet: write the first page by hand"
        )
    target = content / config.PAGES_DIR / section_id / f"{page_id}.yml"
    text = TEMPLATE.format(
        id=page_id,
        title=_scalar(title),
        section=section_id,
        owner=_scalar(owner),
        today=(today or date.today()).isoformat(),
        related=siblings[0].stem,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as file:  # "x": never overwrite, even in a race
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists: choose another id") from None
    return target


def _site(content: Path) -> SiteConfig:
    site = load_site(content, [])
    if site is None:
        raise ScaffoldError(f"{content / config.SITE_FILE} cannot be read: run `kb check` to see why")
    return site


def _scalar(text: str) -> str:
    """Text written as a YAML value that reads back exactly (quoted when it has to be)."""
    return yaml.safe_dump(text, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()
