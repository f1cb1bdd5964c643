"""Read YAML files into plain data plus the line and column of every node.

PyYAML's `safe_load` is not safe enough for maintainers' files: it keeps the last of
duplicate keys silently, turns `NO` into False and `2023-12-06` into a date, expands
aliases (cheap to load, explosive to process) and raises RecursionError on deep nesting.
So we use PyYAML's composer (which knows where every node is) and build the data
ourselves: every scalar stays a string (`null`/empty becomes None), duplicate keys,
aliases and deep nesting are problems, and nothing here raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .config import MAX_FILE_BYTES, MAX_NESTING
from .model import Location, Problem


@dataclass(frozen=True)
class SourceDocument:
    """One YAML file as data, with where each value (and each mapping key) was written."""

    path: str
    data: Any
    # "a/0/b" → location of the value; keys are JSON-pointer-like paths without the leading slash.
    values: dict[str, Location] = field(default_factory=dict)
    keys: dict[str, Location] = field(default_factory=dict)

    def where(self, pointer: str, *, key: bool = False) -> Location:
        """Location of a path, falling back to its nearest ancestor that was written."""
        table = self.keys if key else self.values
        parts = pointer.split("/") if pointer else []
        while True:
            joined = "/".join(parts)
            if joined in table:
                return table[joined]
            if joined in self.values:
                return self.values[joined]
            if not parts:
                return Location(self.path, 1, 1)
            parts.pop()


class _Stop(Exception):
    """Raised inside the composer to stop on a problem we report ourselves."""

    def __init__(self, mark: yaml.Mark | None, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader's composer, refusing aliases and nesting beyond MAX_NESTING."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _Stop(event.start_mark, f"aliases (*{event.anchor}) are not allowed: write the value out in full")
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _Stop(self.peek_event().start_mark, f"nesting is deeper than {MAX_NESTING} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _location(path: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(path, 1, 1)
    return Location(path, mark.line + 1, mark.column + 1)


def _decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(path, line, column, f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x}): save it as UTF-8")
    return text.removeprefix("\ufeff"), None


def read_yaml(file: Path, display_path: str | None = None) -> tuple[SourceDocument | None, list[Problem]]:
    """Load one YAML file. Returns the document, or None with the problems that stopped it."""
    path = display_path or str(file)
    try:
        raw = file.read_bytes()
    except OSError as err:
        return None, [Problem(path, 1, 1, f"cannot read file: {err.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(path, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}: split the page")]
    text, problem = _decode(path, raw)
    if problem:
        return None, [problem]
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str) -> tuple[SourceDocument | None, list[Problem]]:
    if not text.strip():
        return None, [Problem(path, 1, 1, "file is empty")]
    loader = _GuardedLoader(text)
    try:
        node = loader.get_single_node()
    except _Stop as stop:
        return None, [_location(path, stop.mark).problem(stop.message)]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = " ".join(m for m in (err.context, err.problem) if m) or "YAML does not parse"
        if "'\\t'" in message:
            message = "a tab character here: indent YAML with spaces, never tabs"
        return None, [_location(path, mark).problem(f"YAML syntax: {message}")]
    except yaml.YAMLError as err:  # unmarked reader errors (e.g. control characters)
        return None, [Problem(path, 1, 1, f"YAML syntax: {err}")]
    except RecursionError:
        return None, [Problem(path, 1, 1, f"nesting is deeper than {MAX_NESTING} levels")]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(path, 1, 1, "file is empty")]
    doc = SourceDocument(path, None)
    problems: list[Problem] = []
    data = _to_data(node, "", doc, problems)
    return SourceDocument(path, data, doc.values, doc.keys), problems


def _to_data(node: Node, pointer: str, doc: SourceDocument, problems: list[Problem]) -> Any:
    doc.values[pointer] = _location(doc.path, node.start_mark)
    if isinstance(node, ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" and node.style is None:
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_to_data(item, _join(pointer, i), doc, problems) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                problems.append(_location(doc.path, key_node.start_mark).problem("keys must be plain words, not lists or mappings"))
                continue
            key = key_node.value
            child = _join(pointer, key)
            if key in result:
                first = doc.keys[child]
                problems.append(
                    _location(doc.path, key_node.start_mark).problem(
                        f"duplicate key '{key}' (first written at line {first.line}): YAML would silently keep only the last"
                    )
                )
                continue
            doc.keys[child] = _location(doc.path, key_node.start_mark)
            result[key] = _to_data(value_node, child, doc, problems)
        return result
    return None  # pragma: no cover - the composer only makes the three node kinds


def _join(pointer: str, key: object) -> str:
    return f"{pointer}/{key}" if pointer else str(key)
