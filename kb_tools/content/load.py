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

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError

from kb_tools.config import MAX_FILE_BYTES, MAX_NESTING
from kb_tools.model import Location, Problem, Scalar, SourceText


@dataclass(frozen=True)
class SourceDocument:
    """One YAML file as data, with where each value (and each mapping key) was written."""

    path: str
    data: Any
    # "a/0/b" → location of the value; keys are JSON-pointer-like paths without the leading slash.
    values: dict[str, Location] = field(default_factory=dict)
    keys: dict[str, Location] = field(default_factory=dict)
    source_text: SourceText | None = None  # the text and its scalars, for positions inside values

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

    def __init__(self, mark: Any, message: str):
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
        return None, Problem(
            path, line, column, f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x}): save it as UTF-8"
        )
    return text.removeprefix("\ufeff"), None


def read_yaml(file: Path, display_path: str | None = None) -> tuple[SourceDocument | None, list[Problem]]:
    """Load one YAML file. Returns the document, or None with the problems that stopped it."""
    path = display_path or str(file)
    try:
        raw = file.read_bytes()
    except OSError as err:
        return None, [Problem(path, 1, 1, f"cannot read file: {err.strerror}")]
    return load_yaml_bytes(raw, path)


def load_yaml_bytes(raw: bytes, path: str) -> tuple[SourceDocument | None, list[Problem]]:
    """Load YAML from bytes already read (so a caller can key its cache by exactly these bytes)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(path, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}: split the page")
        ]
    text, problem = _decode(path, raw)
    if problem or text is None:
        return None, [problem] if problem else []
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
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, found before parsing
        if loader_class is not yaml.SafeLoader:
            raise
        where = _index_location(SourceText(path, text), err.position)
        return None, [
            where.problem(
                f"a control character (U+{err.character:04X}) here: delete it (it often comes with pasted text)"
            )
        ]
    except yaml.YAMLError as err:
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
        self.doc = SourceDocument(path, None, source_text=SourceText(path, text))
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
        return SourceDocument(doc.path, data, doc.values, doc.keys, doc.source_text), self.problems

    def node(self, pointer: str, depth: int, record: bool = True) -> Any:
        event = self.loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Stop(event.start_mark, f"aliases (*{event.anchor}) are not allowed: write the value out in full")
        if depth > MAX_NESTING:
            raise _Stop(event.start_mark, f"nesting is deeper than {MAX_NESTING} levels")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]):
            # !!binary, !!python/…, !custom: PyYAML would silently give them a meaning or drop them.
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Stop(event.start_mark, f"YAML tags ('{shown}') are not allowed: write plain text")
        if record:
            self.doc.values[pointer] = _location(self.doc.path, event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            if _is_null(event):
                return None
            if record and self.doc.source_text is not None and event.start_mark and event.end_mark:
                self.doc.source_text.scalars[pointer] = Scalar(
                    event.start_mark.index, event.end_mark.index, event.style or "", event.value
                )
            return event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
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
                    where.problem(
                        f"duplicate key '{key}' (first written at line {first.line}): YAML would silently keep only the last"
                    )
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


def _join(pointer: str, key: object) -> str:
    return f"{pointer}/{key}" if pointer else str(key)


# --- positions inside text values ---------------------------------------------------------
#
# A value is not a copy of its source: quotes, block indicators and indentation are
# dropped, line breaks are folded into spaces, escapes are decoded. To point a problem at
# the character a maintainer wrote, the scalar's source is read again into the characters
# it is made of (each with its index in the file, line breaks marked), and the value is
# aligned with them. The alignment checks itself: if the value does not follow from the
# source (an indentation indicator the rules below do not model), the scalar's start is used.

_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True)
class _Char:
    char: str
    index: int
    is_break: bool = False  # a line break in the source, which folding may turn into a space or drop
    escaped: bool = False  # written as an escape (or '' in single quotes): kept even beside a line break


def text_location(source: SourceText | None, pointer: str, offset: int, fallback: Location | None = None) -> Location:
    """Where character `offset` of the text value at `pointer` was written (`fallback`, or
    the file's start, when the value was not loaded from a file)."""
    scalar = source.scalars.get(pointer) if source is not None else None
    if source is None or scalar is None:
        return fallback or Location(source.path if source else "", 1, 1)
    positions = _align(scalar.value, _source_chars(source.text, scalar))
    index = positions[offset] if positions is not None and 0 <= offset < len(positions) else scalar.start
    return _index_location(source, index)


def _index_location(source: SourceText, index: int) -> Location:
    """Line and column the way the YAML parser counts them (a CR LF pair is one line break)."""
    line, line_start = 1, 0
    for match in _BREAK.finditer(source.text, 0, index):
        line, line_start = line + 1, match.end()
    return Location(source.path, line, index - line_start + 1)


def _align(value: str, chars: list[_Char]) -> list[int] | None:
    """The source index of each character of value, or None when value does not follow from chars."""
    positions: list[int] = []
    k = 0
    for wanted in value:
        while True:
            if k == len(chars):
                return None
            char = chars[k]
            k += 1
            if char.char == wanted or (char.is_break and wanted == " "):
                positions.append(char.index)
                break
            if not char.is_break:  # only line breaks can vanish (folded together)
                return None
    return positions


def _source_chars(text: str, scalar: Scalar) -> list[_Char]:
    start, end, style = scalar.start, scalar.end, scalar.style
    if style in ("|", ">"):
        return _block_chars(text, start, end)
    if style in ("'", '"'):
        return _flow_chars(text, start + 1, end - 1, style)
    return _flow_chars(text, start, end, style)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, line break) of each line in text[start:end]; the last line has no break."""
    lines, position = [], start
    for match in _BREAK.finditer(text, start, end):
        lines.append((position, match.start(), match.group()))
        position = match.end()
    lines.append((position, end, ""))
    return lines


def _break_char(line_break: str, index: int) -> _Char:
    # The parser keeps the Unicode line and paragraph separators and makes every other break "\n".
    return _Char(line_break if line_break in "\u2028\u2029" else "\n", index, True)


def _block_chars(text: str, start: int, end: int) -> list[_Char]:
    """A literal (|) or folded (>) block: the header line is skipped and the content's
    indentation removed from every line."""
    lines = _lines(text, start, end)[1:]  # the first line is the header: | or > and indicators
    indent = _explicit_indent(text, start) or _detected_indent(text, lines)
    chars: list[_Char] = []
    for line_start, line_end, line_break in lines:
        chars.extend(_Char(text[i], i) for i in range(min(line_start + indent, line_end), line_end))
        if line_break:
            chars.append(_break_char(line_break, line_end))
    return chars


def _detected_indent(text: str, lines: list[tuple[int, int, str]]) -> int:
    """The first non-empty line's indentation (or a longer empty line's before it)."""
    indent = 0
    for line_start, line_end, _ in lines:
        spaces = len(text[line_start:line_end]) - len(text[line_start:line_end].lstrip(" "))
        indent = max(indent, spaces)
        if spaces < line_end - line_start:
            break
    return indent


def _explicit_indent(text: str, start: int) -> int | None:
    """An indentation indicator (`|2`) counts from the column of the key (`k: |2`) or the
    dash (`- |2`) that the block belongs to."""
    digit = re.match(r"[|>][+-]?([1-9])", text[start : start + 3])
    if not digit:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start].rstrip()
    if prefix.endswith("-"):
        parent = len(prefix) - 1
    else:
        parent = re.match(r"[ ]*(?:-[ ]+)*", prefix).end()  # type: ignore[union-attr]  # matches any text
    return parent + int(digit.group(1))


def _flow_chars(text: str, start: int, end: int, style: str) -> list[_Char]:
    """A plain or quoted scalar: escapes decoded, the spaces around a line break dropped."""
    chars: list[_Char] = []
    i = start
    while i < end:
        match = _BREAK.match(text, i)
        if match:
            while chars and chars[-1].char in " \t" and not chars[-1].escaped:
                chars.pop()
            chars.append(_break_char(match.group(), i))
            i = _skip_blanks(text, match.end(), end)
        elif style == "'" and text.startswith("''", i):
            chars.append(_Char("'", i, escaped=True))
            i += 2
        elif style == '"' and text[i] == "\\" and i + 1 < end:
            i = _escape(text, i, end, chars)
        else:
            chars.append(_Char(text[i], i))
            i += 1
    return chars


def _escape(text: str, i: int, end: int, chars: list[_Char]) -> int:
    code = text[i + 1]
    line_break = _BREAK.match(text, i + 1)
    if line_break:  # an escaped line break joins the lines with nothing between them
        return _skip_blanks(text, line_break.end(), end)
    if code in _HEX_ESCAPES:
        digits = _HEX_ESCAPES[code]
        with contextlib.suppress(ValueError):
            chars.append(_Char(chr(int(text[i + 2 : i + 2 + digits], 16)), i, escaped=True))
        return i + 2 + digits
    chars.append(_Char(_ESCAPES.get(code, code), i, escaped=True))
    return i + 2


def _skip_blanks(text: str, i: int, end: int) -> int:
    while i < end and text[i] in " \t":
        i += 1
    return i
