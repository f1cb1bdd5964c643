"""Nothing a page template leaves for the maintainer reaches readers unreplaced.

- Placeholder text: `kb new` writes every value the maintainer must replace starting with
  "TODO:" (config.PLACEHOLDER_PREFIX). Left in any value of a page file, it is an error at
  its line and column, so such a page cannot be built or published.
- An owner "To be confirmed by the procedures team" (config.OWNER_TO_BE_CONFIRMED), given
  where no source names the team, is a warning until a maintainer names one.
"""

from __future__ import annotations

import re

from kb_tools import config
from kb_tools.checks.options import CheckOptions
from kb_tools.content.load import text_location
from kb_tools.model import Library, Problem

_PLACEHOLDER = re.compile(re.escape(config.PLACEHOLDER_PREFIX))


def placeholder_problems(library: Library, options: CheckOptions) -> list[Problem]:
    problems = []
    for page in library.pages:
        source = page.source_text
        for pointer, scalar in source.scalars.items() if source is not None else ():
            for match in _PLACEHOLDER.finditer(scalar.value):
                problems.append(
                    text_location(source, pointer, match.start()).problem(
                        f"placeholder text from the page template ('{_shorten(scalar.value[match.start() :])}'): "
                        "replace it with the real text before the page is published"
                    )
                )
    return problems


def owner_problems(library: Library, options: CheckOptions) -> list[Problem]:
    placeholder = config.OWNER_TO_BE_CONFIRMED.casefold()
    return [
        page.location("owner").problem(
            f"the owner is '{page.owner}': ask the procedures team which team owns this procedure, then name it",
            severity="warning",
        )
        for page in library.pages
        if page.owner.strip().casefold() == placeholder
    ]


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
