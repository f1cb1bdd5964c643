"""The whole build: check → render both editions → MkDocs → swap the new site into place.

MkDocs runs once per edition, in parallel, into a fresh folder beside site/. Only when
every step passed is the new folder swapped in, so a failed build never empties or
half-writes the published site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import fingerprint, index
from .config import Paths
from .model import Library, Problem
from .render import EditionOutput, edition_view, mkdocs_config, render_edition, write_edition, write_mkdocs_config
from .checks import CheckOptions, check_all
from .validate import CheckResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    check: CheckResult
    problems: tuple[Problem, ...] = ()
    changed: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rebuilt: tuple[str, ...] = ()  # editions MkDocs built; the others were unchanged and kept
    index_updates: tuple[index.IndexUpdate, ...] = ()

    @property
    def ok(self) -> bool:
        return self.check.ok and not any(p.severity == "error" for p in self.problems)


class BuildError(Exception):
    """A step after validation failed; the message says which and why."""


RENDER_CACHE = "rendered-editions.pickle"


def render_editions(library: Library, paths: Paths) -> list[EditionOutput]:
    """Each edition rendered, or its files read back from the last build when the content, this
    tool and the date are the same (rendering is most of a no-change build's time)."""
    cache_file = paths.cache / RENDER_CACHE if paths.cache else None
    key = fingerprint.content_fingerprint(paths.content) if cache_file else ""
    cached = fingerprint.read_cache(cache_file, key)
    if cached is not None:
        # Only the files and nav are kept: pickled pages would be slower to read than to redo.
        return [EditionOutput(e, files, nav, edition_view(library, e)) for e, (files, nav) in zip(library.site.editions, cached)]
    outputs = [render_edition(library, edition) for edition in library.site.editions]
    fingerprint.write_cache(cache_file, key, [(o.files, o.nav) for o in outputs])
    return outputs


def render_all(library: Library, paths: Paths) -> tuple[list[EditionOutput], dict[str, list[str]]]:
    outputs = render_editions(library, paths)
    changed = {}
    for output in outputs:
        changed[output.edition.id] = write_edition(output, paths.docs)
        other = next((o.edition for o in outputs if o.edition.id != output.edition.id), None)
        config = mkdocs_config(paths.mkdocs_yml, output, paths.docs, other)
        write_mkdocs_config(config, edition_config_path(paths, output.edition.id))
    return outputs, changed


def edition_config_path(paths: Paths, edition_id: str) -> Path:
    return paths.docs / f"mkdocs.{edition_id}.yml"


def run_mkdocs(config_file: Path, site_dir: Path) -> None:
    """`mkdocs build --strict` into site_dir. Never `-v`: it skips anchor validation."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-q", "-f", str(config_file), "-d", str(site_dir)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the notice would fail --strict
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        raise BuildError(f"MkDocs failed for {config_file.name}:\n  " + "\n  ".join(lines[-20:]))


def build_sites(paths: Paths, edition_ids: list[str], staging: Path) -> None:
    if not edition_ids:
        return
    with ThreadPoolExecutor(max_workers=len(edition_ids)) as pool:
        futures = [pool.submit(run_mkdocs, edition_config_path(paths, e), staging / e) for e in edition_ids]
        errors = [str(f.exception()) for f in futures if f.exception() is not None]
    if errors:
        raise BuildError("\n".join(errors))


def prepare_search_indexes(outputs: list[EditionOutput], library: Library, paths: Paths) -> list[index.IndexUpdate]:
    """Stage each edition's new search index (only changed pages re-indexed); publish() makes them live."""
    updates: list[index.IndexUpdate] = []
    try:
        for output in outputs:
            updates.append(index.prepare(paths.search_index, output.edition.id, output.pages, library.terminology.synonyms))
    except BaseException:
        for update in updates:
            index.discard(update)
        raise
    return updates


def _timed(timings: dict[str, float], name: str, function: Callable, *args):
    started = time.perf_counter()
    try:
        return function(*args)
    finally:
        timings[name] = time.perf_counter() - started


def root_page(library: Library) -> str:
    """The site root: a page that lets the reader pick an edition."""
    links = "\n".join(
        f'      <li><a href="{e.id}/index.html">{e.name} ({e.badge})</a></li>' for e in library.site.editions
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{library.site.title}: choose your edition</title>
  </head>
  <body>
    <main>
    <h1>{library.site.title}</h1>
    <p>Choose the edition for where the case is managed:</p>
    <ul>
{links}
    </ul>
    </main>
  </body>
</html>
"""


def write_root(site_dir: Path, library: Library) -> None:
    site_dir.joinpath("index.html").write_text(root_page(library), encoding="utf-8")


def site_fingerprints(paths: Paths, library: Library) -> dict[str, str]:
    """One fingerprint per edition (its MkDocs inputs) and one for the root page."""
    prints = {
        e.id: fingerprint.edition_fingerprint(paths.docs / e.id, edition_config_path(paths, e.id)) for e in library.site.editions
    }
    prints["root"] = fingerprint.text_fingerprint(root_page(library))
    return prints


def stale_editions(site_dir: Path, fingerprints: dict[str, str]) -> list[str]:
    """Editions whose published HTML is missing or was built from other inputs."""
    published = fingerprint.read_published(site_dir)
    return [
        e for e in fingerprints
        if e != "root" and (published.get(e) != fingerprints[e] or not (site_dir / e / "index.html").is_file())
    ]


def reuse_editions(site_dir: Path, staging: Path, edition_ids: list[str]) -> None:
    """Unchanged editions go into the new site as hard links to the published files: no copying."""
    for edition_id in edition_ids:
        shutil.copytree(site_dir / edition_id, staging / edition_id, copy_function=os.link)


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace target with staging; the old copy is kept until the new one is in place."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


# Checks of the built HTML in the staging folder, before it replaces site/ (e.g. links).
SiteCheck = Callable[[Path, Library], list[Problem]]
SITE_CHECKS: list[SiteCheck] = []


def build(paths: Paths, progress: Progress = lambda message: None, options: CheckOptions = CheckOptions()) -> BuildResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("Checking content")
    check = check_all(paths.content, options, paths.cache)
    timings["check"] = time.perf_counter() - started
    if not check.ok:
        return BuildResult(check, timings=timings)
    library = check.library
    assert library is not None

    progress("Rendering the GB and NI editions")
    step = time.perf_counter()
    outputs, changed = render_all(library, paths)
    timings["render"] = time.perf_counter() - step

    step = time.perf_counter()
    fingerprints = site_fingerprints(paths, library)
    stale = stale_editions(paths.site, fingerprints)
    timings["fingerprint"] = time.perf_counter() - step
    if not stale and fingerprint.read_published(paths.site) == fingerprints:
        progress("Nothing changed since the last build: the published site is kept")
        # The index checks its own pages (it may be missing, or have been built elsewhere).
        updates = _timed(timings, "index", prepare_search_indexes, outputs, library, paths)
        for update in updates:
            index.publish(update)
        timings["total"] = time.perf_counter() - started
        return BuildResult(check, changed=changed, timings=timings, index_updates=tuple(updates))

    progress(f"Building the site with MkDocs ({', '.join(stale) or 'no edition changed'}; editions in parallel)")
    step = time.perf_counter()
    staging = paths.site.with_name(paths.site.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    updates: list[index.IndexUpdate] = []
    try:
        # The search index is Python work and MkDocs runs in subprocesses: do both at once.
        with ThreadPoolExecutor(max_workers=1) as pool:
            indexing = pool.submit(_timed, timings, "index", prepare_search_indexes, outputs, library, paths)
            try:
                build_sites(paths, stale, staging)
                reuse_editions(paths.site, staging, [e.id for e in library.site.editions if e.id not in stale])
            finally:
                updates = indexing.result()
        write_root(staging, library)
        fingerprint.write_published(staging, fingerprints)
        timings["mkdocs"] = time.perf_counter() - step
        step = time.perf_counter()
        site_problems = tuple(p for site_check in SITE_CHECKS for p in site_check(staging, library))
        timings["site_checks"] = time.perf_counter() - step
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for update in updates:
            index.discard(update)
        raise
    if any(p.severity == "error" for p in site_problems):
        shutil.rmtree(staging, ignore_errors=True)
        for update in updates:
            index.discard(update)
        return BuildResult(check, problems=site_problems, changed=changed, timings=timings)
    swap_into_place(staging, paths.site)
    for update in updates:
        index.publish(update)
    timings["total"] = time.perf_counter() - started
    return BuildResult(check, problems=site_problems, changed=changed, timings=timings, rebuilt=tuple(stale), index_updates=tuple(updates))
