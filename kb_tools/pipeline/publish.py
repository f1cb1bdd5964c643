"""Publishing build output atomically: readers see the old version or the new one, never a
missing, empty or half-written one.

A published output (site/, each edition's search index) is a symbolic link to a complete
version folder kept beside it in `<name>.builds/`:

    site -> site.builds/v-20261122T213000-4711
    site.builds/v-…            the published version, and the one before it
    site.builds/.staging-…     a build in progress (never looked at by readers)

A build writes the next version into a staging folder, and only when every step passed
`publish` renames it to a version and switches the link with one `os.replace` of a new
link over the old one (atomic on POSIX). Renaming folders instead (site → site.old,
site.new → site) leaves a moment with no site/ at all. The previous version is kept, so a
reader that resolved the link just before the switch can finish; older ones are removed.
Staging folders left behind by a killed build are removed by the next build, which holds
the build lock, so no other build can be using them.

POSIX only (Linux, macOS): Windows needs privileges for symbolic links.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from kb_tools.errors import KbError

BUILDS_SUFFIX = ".builds"
STAGING_PREFIX = ".staging-"
VERSION_PREFIX = "v-"
LOCK_FILE = ".lock"
INTERRUPTING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class PublishError(KbError):
    """Publishing cannot go ahead (e.g. another build holds the lock); the message says why."""


class Interrupted(KeyboardInterrupt):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) arrived during a build: unwinds like Ctrl-C, so every clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


def publish(folder: Path, target: Path) -> Path:
    """Make a staging folder (sealed here) or a sealed version the published version of
    target; return the version folder."""
    previous = current(target)
    version = seal(folder) if folder.name.startswith(STAGING_PREFIX) else folder
    if target.is_dir() and not target.is_symlink():
        previous = _adopt_plain_folder(target)
    link = target.with_name(f".{target.name}.{os.getpid()}.link")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(version, target.parent), link)
    os.replace(link, target)  # the switch: one atomic step
    _prune(versions_folder(target), keep={version, previous})
    return version


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


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Only one build at a time writes the build folders (and docs/); a second one stops
    with a message instead of interleaving with the first."""
    folder = versions_folder(target)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise PublishError(f"another kb build is running here (process {holder}); wait for it to finish") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_deferred: list[int] | None = None  # signals held back by `deferred_interrupts`, when active


@contextmanager
def interrupts_raise() -> Iterator[None]:
    """While a build runs, SIGINT, SIGTERM and SIGHUP raise Interrupted, so the build unwinds
    and cleans up instead of dying mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a build in a thread is stopped by its owner
        return

    def handler(signum, _frame):
        if _deferred is not None:
            _deferred.append(signum)
        else:
            raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in INTERRUPTING_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold an interrupt back until the block ends: for steps that must not be cut in two,
    such as starting a process and recording it so that it can be stopped."""
    global _deferred
    outer, _deferred = _deferred, []
    try:
        yield
    finally:
        held, _deferred = _deferred, outer
        if held and outer is None:
            raise Interrupted(held[0])
        if held:
            outer.extend(held)
