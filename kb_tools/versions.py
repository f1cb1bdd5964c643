"""Published versions: folders switched atomically, so readers see the old version or the
new one, never a missing, empty or half-written one.

A published output (site/, each edition's search index) is a symbolic link to a complete
version folder kept beside it in `<name>.builds/`:

    site -> site.builds/v-20261122T213000-4711
    site.builds/v-…            the published version, and the one before it
    site.builds/.staging-…     a build in progress (never looked at by readers)

A writer fills a staging folder, and only when every step passed `publish` renames it to a
version and switches the link with one `os.replace` of a new link over the old one (atomic
on POSIX). Renaming folders instead (site → site.old, site.new → site) leaves a moment with
no site/ at all. The previous version is kept, so a reader that resolved the link just
before the switch can finish; older ones are removed, by `publish` itself or, for the site
(gigabytes at 10,000 pages), by the next build while it works (`outdated`).

This module sits at the top of the package because three stages use it: the pipeline
publishes the site, the search index writes its versions, and the search service reads the
current one. The build lock and signal handling are the pipeline's (pipeline/publish.py).

POSIX only (Linux, macOS): Windows needs privileges for symbolic links.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

BUILDS_SUFFIX = ".builds"
STAGING_PREFIX = ".staging-"
VERSION_PREFIX = "v-"


def versions_folder(target: Path) -> Path:
    return target.with_name(target.name + BUILDS_SUFFIX)


def current(target: Path) -> Path | None:
    """The published version folder (the link resolved), or None when nothing is published.

    Readers that open several files (a search index) resolve once and read from the result,
    so a switch during their read cannot mix two versions."""
    if not target.exists():
        return None
    return target.resolve()


def stage(target: Path) -> Path:
    """A new, empty staging folder for the next version of target. Call with the build lock held."""
    folder = versions_folder(target)
    folder.mkdir(parents=True, exist_ok=True)
    remove_abandoned(folder)
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder)).resolve()


def remove_abandoned(folder: Path) -> None:
    """Staging folders a killed build left behind. The caller holds the build lock, so none is in use."""
    for staging in folder.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)


def discard(folder: Path) -> None:
    """Remove a staging folder or a version that will not be published. The published
    version is never removed, even when a later step of the same build failed."""
    target = folder.parent.with_name(folder.parent.name.removesuffix(BUILDS_SUFFIX))
    if folder.exists() and current(target) != folder.resolve():
        shutil.rmtree(folder, ignore_errors=True)


def seal(staged: Path) -> Path:
    """A complete staging folder becomes a version (not yet published): renamed, not copied."""
    version = staged.with_name(f"{VERSION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}")
    staged.rename(version)
    return version


def publish(folder: Path, target: Path, prune: bool = True) -> Path:
    """Make a staging folder (sealed here) or a sealed version the published version of
    target; return the version folder. With `prune`, versions older than the previous one
    are removed now; without, they wait for `outdated` (the next build removes them)."""
    previous = current(target)
    version = seal(folder) if folder.name.startswith(STAGING_PREFIX) else folder
    if target.is_dir() and not target.is_symlink():
        previous = _adopt_plain_folder(target)
    link = target.with_name(f".{target.name}.{os.getpid()}.link")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(version, target.parent), link)
    os.replace(link, target)  # the switch: one atomic step
    if prune:
        _prune(versions_folder(target), keep={version, previous})
    return version


def outdated(target: Path) -> list[Path]:
    """Versions no reader can still need: all but the published one and the newest of the
    others (the one before it, kept for readers that resolved the link just before the
    switch). Version names sort by the time they were made."""
    live = current(target)
    others = sorted(
        (v for v in versions_folder(target).glob(VERSION_PREFIX + "*") if v.resolve() != live),
        key=lambda v: v.name,
    )
    return others[:-1]


def remove(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _adopt_plain_folder(target: Path) -> Path:
    """A site/ built before publishing used links is moved in as the previous version, once.
    Until the link replaces it (the next step) there is no site/: this happens only on the
    first build after the upgrade."""
    adopted = versions_folder(target) / f"{VERSION_PREFIX}00000000T000000-adopted"
    if adopted.exists():
        shutil.rmtree(adopted)
    target.rename(adopted)
    return adopted


def _prune(folder: Path, keep: set[Path | None]) -> None:
    kept = {k.resolve() for k in keep if k is not None}
    for version in folder.glob(VERSION_PREFIX + "*"):
        if version.resolve() not in kept:
            shutil.rmtree(version, ignore_errors=True)
