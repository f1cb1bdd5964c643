"""The one cache: work reused between runs, keyed by the exact bytes a stage read.

A stage that wants to reuse work asks a `Store` (one per kind of work, one file in the cache
folder) for the value under a key made from what it read: `store.get(source_bytes, options)`.
The key is the SHA-256 of those parts, so a result can only be found again by the same
input. Never key by a fingerprint taken at another moment (before or after reading): a file
saved in between would file the old text's result under the new text's key, and the next
run would trust it (a save during `kb check` once hid a phone number that way).

One way to invalidate: every store is written with this tool's version (its own source and
the versions of the packages that shape the output); a store from another version is
ignored. Entries not used in a run are dropped when it saves, so the file does not grow.

Nothing here raises on a bad cache: a missing, truncated or foreign file only means more
work, and a write that fails (full disk, read-only folder) is one warning line naming the
step, with no temporary file left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from kb_tools.config import PACKAGE_DIR

Part = bytes | str

# The packages whose versions can change what the tool writes (MkDocs' output, the index,
# the checks' results). Test tools are not among them, so installing them rebuilds nothing.
OUTPUT_PACKAGES = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "pyyaml",
    "jsonschema",
    "whoosh3",
    "selectolax",
    "jinja2",
    "pygments",
    "babel",
    "pyspellchecker",  # its words of English: what is corrected, and the in-browser word lists
)
_TOOL_SUFFIXES = (".py", ".json", ".html", ".css", ".js", ".yml")


@cache
def tool_version() -> str:
    """This tool's own files and the versions of the packages that shape its output."""
    digest = hashlib.sha256()
    add_folder(digest, PACKAGE_DIR, _TOOL_SUFFIXES)
    for name in OUTPUT_PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}\n".encode())
    return digest.hexdigest()


def key_of(*parts: Part) -> str:
    """The SHA-256 of the parts, each length-prefixed so that ("ab", "c") ≠ ("a", "bc")."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def add_folder(digest: Any, folder: Path, suffixes: tuple[str, ...] | None = None) -> None:
    """Add every file's name and bytes below a folder, in a fixed order."""
    if not folder.is_dir():
        digest.update(f"missing {folder}".encode())
        return
    names = []
    for parent, dirs, files in os.walk(folder):  # os.walk: several times faster than Path.rglob
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        names += [
            Path(parent, f).relative_to(folder).as_posix()
            for f in files
            if suffixes is None or Path(f).suffix in suffixes
        ]
    for name in sorted(names):
        add_file(digest, folder / name, name)


def add_file(digest: Any, file: Path, name: str) -> None:
    digest.update(name.encode() + b"\0")
    digest.update(file.read_bytes() if file.is_file() else b"missing")
    digest.update(b"\0")


def atomic_write(file: Path, data: bytes) -> None:
    """Write a file so that a reader sees the old bytes or the new ones, never a part.

    The temporary file is removed if anything fails; the error is raised to the caller.
    """
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(tmp_name, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Store:
    """One kind of reusable work, kept in `<cache folder>/<name>.pickle`.

    `folder=None` makes a store that remembers nothing (no cache folder given).
    """

    def __init__(self, folder: Path | None, name: str, step: str | None = None) -> None:
        self.file = folder / f"{name}.pickle" if folder is not None else None
        self.step = step or name
        self.old: dict[str, Any] = self._load()
        self.new: dict[str, Any] = {}
        self.computed = 0  # values put by this run rather than found

    def _load(self) -> dict[str, Any]:
        if self.file is None:
            return {}
        try:
            with self.file.open("rb") as stream:
                version, entries = pickle.load(stream)
        except Exception:  # a missing, truncated or foreign cache file only means more work
            return {}
        return entries if version == tool_version() and isinstance(entries, dict) else {}

    def get(self, *parts: Part) -> Any | None:
        key = key_of(*parts)
        if key in self.new:
            return self.new[key]
        value = self.old.get(key)
        if value is not None:
            self.new[key] = value
        return value

    def put(self, value: Any, *parts: Part) -> None:
        self.new[key_of(*parts)] = value
        self.computed += 1

    def get_or_compute(self, compute: Callable[[], Any], *parts: Part) -> Any:
        value = self.get(*parts)
        if value is None:
            value = compute()
            self.put(value, *parts)
        return value

    def save(self) -> None:
        """Write what this run used (only when it differs from what was read)."""
        if self.file is None or (not self.computed and self.new.keys() == self.old.keys()):
            return
        try:
            atomic_write(self.file, pickle.dumps((tool_version(), self.new), protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            warn(f"could not save the cache for {self.step} ({self.file}): {reason}; the next run redoes this work")
