"""Read YAML files into plain data plus the line and column of every node.

PyYAML's `safe_load` is not safe enough for maintainers' files: it keeps the last of
duplicate keys silently, turns `NO` into False and `2023-12-06` into a date, expands
aliases (cheap to load, explosive to process) and raises RecursionError on deep nesting.
So we read the parser's events (each knows where it was written; libyaml's fast C parser
when PyYAML has it, PyYAML's own parser for the error messages) and build the data
ourselves: every scalar stays a string (`null`/empty becomes None), duplicate keys,
aliases and deep nesting are problems, and nothing here raises on bad input.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError

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
    text: str = field(default="", repr=False)  # the file as written, for positions inside scalars

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
    """Raised while building to stop on a problem we report ourselves."""

    def __init__(self, mark: yaml.Mark | None, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


# libyaml's parser (C) is about 15 times faster than PyYAML's own; both emit the same events.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_NULL_TAG = "tag:yaml.org,2002:null"
_NULLS = ("", "~", "null", "Null", "NULL")


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
    if _FAST_LOADER is not None:
        try:
            return _build(_FAST_LOADER, text, path)
        except yaml.YAMLError:
            pass  # parse again with PyYAML's parser, whose messages the rest of this module explains
    return _build(yaml.SafeLoader, text, path)


def _build(loader_class, text: str, path: str) -> tuple[SourceDocument | None, list[Problem]]:
    """Data straight from the parser's events, never composing nodes: an alias or deep
    nesting stops the build at the event that would have started it."""
    loader = None
    try:
        loader = loader_class(text)  # PyYAML's reader checks the characters here
        return _Builder(loader, path, text).document()
    except _Stop as stop:
        return None, [_location(path, stop.mark).problem(stop.message)]
    except yaml.MarkedYAMLError as err:
        if loader_class is not yaml.SafeLoader:
            raise
        mark = err.problem_mark or err.context_mark
        message = " ".join(m for m in (err.context, err.problem) if m) or "YAML does not parse"
        if "'\\t'" in message:
            message = "a tab character here: indent YAML with spaces, never tabs"
        return None, [_location(path, mark).problem(f"YAML syntax: {message}")]
    except yaml.YAMLError as err:  # unmarked reader errors (e.g. control characters)
        if loader_class is not yaml.SafeLoader:
            raise
        return None, [Problem(path, 1, 1, f"YAML syntax: {err}")]
    finally:
        if loader is not None:
            loader.dispose()


class _Builder:
    """Turns one stream of parser events into plain data, recording where each node was written."""

    def __init__(self, loader, path: str, text: str):
        self.loader = loader
        self.doc = SourceDocument(path, None, text=text)
        self.problems: list[Problem] = []

    def document(self) -> tuple[SourceDocument | None, list[Problem]]:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None, [Problem(self.doc.path, 1, 1, "file is empty")]
        loader.get_event()  # document start
        data = self.node("", 1)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise ComposerError(
                "expected a single document in the stream", None, "but found another document", event.start_mark
            )
        doc = self.doc
        return SourceDocument(doc.path, data, doc.values, doc.keys, doc.text), self.problems

    def node(self, pointer: str, depth: int, record: bool = True) -> Any:
        event = self.loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Stop(event.start_mark, f"aliases (*{event.anchor}) are not allowed: write the value out in full")
        if depth > MAX_NESTING:
            raise _Stop(event.start_mark, f"nesting is deeper than {MAX_NESTING} levels")
        if record:
            self.doc.values[pointer] = _location(self.doc.path, event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            return None if _is_null(event) else event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not self.loader.check_event(yaml.SequenceEndEvent):
                items.append(self.node(_join(pointer, len(items)), depth + 1, record))
            self.loader.get_event()
            return items
        return self.mapping(pointer, depth, record)

    def mapping(self, pointer: str, depth: int, record: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        loader = self.loader
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.peek_event()
            self.node("", depth + 1, record=False)
            where = _location(self.doc.path, key_event.start_mark)
            if not isinstance(key_event, yaml.ScalarEvent):
                self.problems.append(where.problem("keys must be plain words, not lists or mappings"))
                self.node("", depth + 1, record=False)
                continue
            key = key_event.value
            child = _join(pointer, key)
            if key in result:
                first = self.doc.keys[child]
                self.problems.append(
                    where.problem(f"duplicate key '{key}' (first written at line {first.line}): YAML would silently keep only the last")
                )
                self.node(child, depth + 1, record=False)
                continue
            if record:
                self.doc.keys[child] = where
            result[key] = self.node(child, depth + 1, record)
        loader.get_event()
        return result


def _is_null(event: yaml.ScalarEvent) -> bool:
    """Resolved the way PyYAML's composer would: plain `~`, `null`, empty, or tagged !!null."""
    if event.style:  # quoted or block scalars are always text
        return False
    if event.tag not in (None, "!"):
        return event.tag == _NULL_TAG
    return bool(event.implicit[0]) and event.value in _NULLS


def position_in_scalar(source: str, start: Location, value: str, offset: int, needle: str) -> Location:
    """Where `needle`, found at `offset` in a scalar's value, was written in the file.

    YAML folds lines, strips indentation and undoes escapes, so an offset in the value is
    not an offset in the file. Text without spaces or escapes (a link target, a word) is
    written as it reads, so the same occurrence of it is searched for in the file from the
    scalar's start. Falls back to the scalar's start when it cannot be found.
    """
    starts = _line_starts(source)
    if not needle or not 1 <= start.line <= len(starts):
        return start
    index = starts[start.line - 1] + start.column - 1
    for _ in range(value.count(needle, 0, offset) + 1):
        found = source.find(needle, index)
        if found < 0:
            return start
        index = found + len(needle)
    line = bisect.bisect_right(starts, found)
    return Location(start.path, line, found - starts[line - 1] + 1)


@lru_cache(maxsize=16)
def _line_starts(source: str) -> tuple[int, ...]:
    """Index of the first character of each line."""
    if not source:
        return ()
    starts = [0]
    newline = source.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = source.find("\n", newline + 1)
    return tuple(starts)


def _join(pointer: str, key: object) -> str:
    return f"{pointer}/{key}" if pointer else str(key)
