"""Publishing build output atomically: the build lock, signals, and the versioned folders of
kb_tools/versions.py. Readers see the old version or the new one, never a missing, empty or
half-written one.

A published output (site/, each edition's search index) is a symbolic link to a complete
version folder kept beside it in `<name>.builds/`:

    site -> site.builds/v-20261122T213000-4711
    site.builds/v-…            the published version, and the one before it
    site.builds/.staging-…     a build in progress (never looked at by readers)
    site.builds/v-… (older)    removed by the next build, in the background while it works

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
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb_tools.errors import KbError
from kb_tools.versions import (  # noqa: F401  (the pipeline's publishing steps, re-exported)
    BUILDS_SUFFIX,
    STAGING_PREFIX,
    VERSION_PREFIX,
    current,
    discard,
    outdated,
    publish,
    remove,
    remove_abandoned,
    seal,
    stage,
    versions_folder,
)

LOCK_FILE = ".lock"
INTERRUPTING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class PublishError(KbError):
    """Publishing cannot go ahead (e.g. another build holds the lock); the message says why."""


class Interrupted(KeyboardInterrupt):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) arrived during a build: unwinds like Ctrl-C, so every clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


@contextmanager
def removing_outdated(target: Path) -> Iterator[None]:
    """Remove the versions no reader needs (kb_tools/versions.py `outdated`) in a background
    thread while the build works, instead of inside the switch: the version before last is
    a whole site (2 GB and 40,000 files at 10,000 pages took about 200 s to delete on a busy
    disk). Call with the build lock held. The list is made before this build can publish,
    so the version it replaces is never on it, and the switch itself is unchanged. If the
    build fails, the thread is not waited for: a version half removed is still outdated, and
    the next build finishes it."""
    old = outdated(target)
    if not old:
        yield
        return
    worker = threading.Thread(target=remove, args=(old,), name="kb-remove-outdated", daemon=True)
    worker.start()
    yield
    worker.join()  # only on success: the disk is free when the build returns


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
        if held and outer is not None:
            outer.extend(held)
