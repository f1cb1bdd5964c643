"""What each stage's output depends on, as hashes, so `kb build` redoes only what changed.

Checking and rendering: results computed from the same files by the same tool are kept in
the cache folder (.cache/) and read back instead of being computed again.

MkDocs has no incremental build: it rebuilds every page of an edition. But an edition's HTML
depends only on its rendered Markdown (docs/<edition>/), its MkDocs config, the theme files,
the hooks the config names, and the versions of this tool and the installed packages. When
none of those changed, the published edition is already what MkDocs would write. The
fingerprints are recorded in the published site (site/kb-build.json).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import pickle
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kb_tools.config import PACKAGE_DIR

FINGERPRINT_FILE = "kb-build.json"
_TOOL_SUFFIXES = (".py", ".json", ".html", ".css", ".js", ".yml")


@cache
def tool_version() -> str:
    """This tool's source and every installed package version: a change to either may change the HTML."""
    digest = hashlib.sha256()
    _add_folder(digest, PACKAGE_DIR, _TOOL_SUFFIXES)
    for name in sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()):
        digest.update(name.encode())
    return digest.hexdigest()


def edition_fingerprint(docs_dir: Path, config_file: Path) -> str:
    """The hash of everything MkDocs reads to build one edition."""
    digest = hashlib.sha256(tool_version().encode())
    config_bytes = config_file.read_bytes()
    try:
        config = yaml.load(config_bytes, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError:
        config = {}  # not ours to report: MkDocs will
    if isinstance(config, dict) and "site_dir" in config:
        # Where the HTML goes is not an input (the build passes its own folder), and the
        # published site's path changes with every build (a link to a new version).
        config_bytes = json.dumps({k: v for k, v in config.items() if k != "site_dir"}, sort_keys=True, default=str).encode()
    digest.update(config_bytes)
    _add_folder(digest, docs_dir)
    custom_dir = (config.get("theme") or {}).get("custom_dir")
    if custom_dir:
        _add_folder(digest, config_file.parent / custom_dir)
    for hook in config.get("hooks") or ():
        _add_file(digest, config_file.parent / hook, hook)
    return digest.hexdigest()


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _add_folder(digest, folder: Path, suffixes: tuple[str, ...] | None = None) -> None:
    if not folder.is_dir():
        digest.update(f"missing {folder}".encode())
        return
    names = []
    for parent, dirs, files in os.walk(folder):  # os.walk: several times faster than Path.rglob
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        names += [Path(parent, f).relative_to(folder).as_posix() for f in files if suffixes is None or Path(f).suffix in suffixes]
    for name in sorted(names):
        _add_file(digest, folder / name, name)


def _add_file(digest, file: Path, name: str) -> None:
    digest.update(name.encode() + b"\0")
    digest.update(file.read_bytes() if file.is_file() else b"missing")
    digest.update(b"\0")


def read_published(site_dir: Path) -> dict[str, str]:
    """The fingerprints recorded with the published site ({} when there are none)."""
    try:
        data = json.loads((site_dir / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_published(site_dir: Path, fingerprints: dict[str, str]) -> None:
    (site_dir / FINGERPRINT_FILE).write_text(json.dumps(fingerprints, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def content_fingerprint(content: Path) -> str:
    """Every content file, this tool's version and today's date (a stage may show dates)."""
    digest = hashlib.sha256(f"{tool_version()} {date.today().isoformat()}".encode())
    _add_folder(digest, content)
    return digest.hexdigest()


def read_cache(file: Path | None, key: str) -> Any | None:
    """What write_cache stored under this key, or None (missing, other key, unreadable)."""
    if file is None:
        return None
    try:
        with file.open("rb") as stream:
            stored_key, value = pickle.load(stream)
    except Exception:  # a missing, truncated or foreign cache file only means more work
        return None
    return value if stored_key == key else None


def write_cache(file: Path | None, key: str, value: Any) -> None:
    if file is None:
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as stream:
        pickle.dump((key, value), stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, file)  # a concurrent reader sees the old file or the new one
