"""What a check run was asked for: every rule takes the library and these options."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CheckOptions:
    strict: bool = False  # warnings (e.g. pages past their review date) become errors
    external: bool = False  # also check http(s) links on the network
    today: date | None = None  # the date reviews are due against (None: the real today)
    changed_since: str | None = None  # a git revision: pages changed since it need a new change note
