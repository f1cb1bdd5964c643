"""What each stage's output depends on, as hashes, so `kb build` redoes only what changed.

MkDocs has no incremental build: it rebuilds every page of an edition. But an edition's HTML
depends only on its rendered Markdown (docs/<edition>/), its MkDocs config, the theme files,
the hooks the config names, and the version of this tool (its code and the packages that
shape its output: kb_tools/cache.py). When none of those changed, the published edition is already what MkDocs would write. The
fingerprints are recorded in the published site (site/kb-build.json).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from kb_tools.cache import add_file, add_folder, tool_version

FINGERPRINT_FILE = "kb-build.json"


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loading that reads a generated config's `!!python/name:` values as their names."""


_ConfigLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: f"python/name:{suffix}"
)


def edition_fingerprint(docs_dir: Path, config_file: Path) -> str:
    """The hash of everything MkDocs reads to build one edition."""
    digest = hashlib.sha256(tool_version().encode())
    config_bytes = config_file.read_bytes()
    try:
        config = yaml.load(config_bytes, Loader=_ConfigLoader) or {}
    except yaml.YAMLError:
        config = {}  # not ours to report: MkDocs will
    if isinstance(config, dict) and "site_dir" in config:
        # Where the HTML goes is not an input (the build passes its own folder), and the
        # published site's path changes with every build (a link to a new version).
        config_bytes = json.dumps(
            {k: v for k, v in config.items() if k != "site_dir"}, sort_keys=True, default=str
        ).encode()
    digest.update(config_bytes)
    add_folder(digest, docs_dir)
    custom_dir = (config.get("theme") or {}).get("custom_dir")
    if custom_dir:
        add_folder(digest, config_file.parent / custom_dir)
    for hook in config.get("hooks") or ():
        add_file(digest, config_file.parent / hook, hook)
    return digest.hexdigest()


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_published(site_dir: Path) -> dict[str, str]:
    """The fingerprints recorded with the published site ({} when there are none)."""
    try:
        data = json.loads((site_dir / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_published(site_dir: Path, fingerprints: dict[str, str]) -> None:
    (site_dir / FINGERPRINT_FILE).write_text(
        json.dumps(fingerprints, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
