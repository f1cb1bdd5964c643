"""The whole build: check → render both editions → MkDocs and the search index → publish.

MkDocs runs once per edition, in parallel, into a staging folder, while the search index is
written beside the published one (kb_tools/versions.py). Only when every step passed are they
published, each with one atomic switch, so a failed or interrupted build never empties or
half-writes the published site or index.
"""

from __future__ import annotations

import ctypes
import functools
import html
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from kb_tools.cache import Store
from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import Paths
from kb_tools.content.validate import CheckResult
from kb_tools.errors import KbError
from kb_tools.model import Library, Problem
from kb_tools.pipeline import fingerprint, publish
from kb_tools.search import browser_index, index
from kb_tools.site.checks import SITE_RULES, SiteRule, site_problems
from kb_tools.site.csp import protect_page, protect_site, write_policy_file
from kb_tools.site.render import (
    EditionOutput,
    edition_view,
    mkdocs_config,
    render_edition,
    write_edition,
    write_mkdocs_config,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    check: CheckResult
    problems: tuple[Problem, ...] = ()
    changed: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rebuilt: tuple[str, ...] = ()  # editions MkDocs built; the others were unchanged and kept

    @property
    def ok(self) -> bool:
        return self.check.ok and not any(p.severity == "error" for p in self.problems)


class BuildError(KbError):
    """A step after validation failed; the message says which and why."""


def render_editions(library: Library, paths: Paths, source_key: str = "") -> list[EditionOutput]:
    """Each edition rendered, or its files read back from an earlier build of the same bytes
    (the library's `source_key`); rendering is most of a no-change build's time. Nothing
    rendered depends on today's date (pages show the dates written in the content). When
    some content changed, each procedure page is still reused when nothing it is made from
    changed (site/render.py PageReuse). Without a source key nothing is reused."""
    folder = paths.cache if source_key else None
    store = Store(folder, "rendered-editions", "rendering")
    cached = store.get(source_key)
    if cached is not None:
        # Only the files and nav are kept: pickled pages would be slower to read than to redo.
        outputs = [
            EditionOutput(e, files, nav, edition_view(library, e))
            for e, (files, nav) in zip(library.site.editions, cached)
        ]
    else:
        pages = Store(folder, "rendered-pages", "rendering pages")
        outputs = [render_edition(library, edition, pages) for edition in library.site.editions]
        pages.save()
        store.put([(o.files, o.nav) for o in outputs], source_key)
    store.save()
    return outputs


def render_all(
    library: Library, paths: Paths, source_key: str = ""
) -> tuple[list[EditionOutput], dict[str, list[str]]]:
    outputs = render_editions(library, paths, source_key)
    changed = {}
    for output in outputs:
        changed[output.edition.id] = write_edition(output, paths.docs)
        other = next((o.edition for o in outputs if o.edition.id != output.edition.id), None)
        config = mkdocs_config(paths.mkdocs_yml, output, paths.docs, other, library.site.search_api)
        write_mkdocs_config(config, edition_config_path(paths, output.edition.id))
    return outputs, changed


def edition_config_path(paths: Paths, edition_id: str) -> Path:
    return paths.docs / f"mkdocs.{edition_id}.yml"


def mkdocs_command(config_file: Path, site_dir: Path) -> list[str]:
    """`mkdocs build --strict` into site_dir. Never `-v`: it skips anchor validation."""
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--clean",
        "-q",
        "-f",
        str(config_file),
        "-d",
        str(site_dir),
    ]


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a child process before it runs MkDocs: ask Linux to kill it when `kb build` dies,
    however it dies (kill -9 included), so no MkDocs process outlives the build and writes
    into a folder the next build has cleaned up. Elsewhere, the build's own clean-up (which
    kills the processes it started on any exception or signal it can catch) is all there is."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build died before the request took effect
        os._exit(1)


def build_sites(paths: Paths, edition_ids: list[str], staging: Path) -> None:
    """MkDocs for each edition, in parallel processes. If anything interrupts the wait (Ctrl-C,
    SIGTERM), the processes are stopped before the staging folder is removed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the notice would fail --strict
    running: list[tuple[str, subprocess.Popen, IO[bytes]]] = []
    try:
        for edition_id in edition_ids:
            output: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  (read and closed after MkDocs exits)
            command = mkdocs_command(edition_config_path(paths, edition_id), staging / edition_id)
            with publish.deferred_interrupts():  # a process started is a process recorded, to stop
                process = subprocess.Popen(
                    command,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=env,
                    preexec_fn=functools.partial(die_with_parent, os.getpid()),
                )
                running.append((edition_id, process, output))
        errors = [
            _mkdocs_error(edition_id, process, output) for edition_id, process, output in running if process.wait() != 0
        ]
    finally:
        for _, process, output in running:
            if process.poll() is None:
                process.kill()
                process.wait()
            output.close()
    if errors:
        raise BuildError("\n".join(errors))
    for edition_id in edition_ids:
        drop_error_page(staging / edition_id)


def drop_error_page(edition_site: Path) -> None:
    """MkDocs writes each edition a 404.html whose links are written for an edition served at
    the server's root (its nav, styles and edition switch need `site_url`, the address the
    site is published at, which this project does not fix). The editions are served at
    /gb/ and /ni/, so every link on it would be broken: it is not published."""
    (edition_site / "404.html").unlink(missing_ok=True)


def _mkdocs_error(edition_id: str, process: subprocess.Popen, output: IO[bytes]) -> str:
    output.seek(0)
    lines = [line for line in output.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return f"MkDocs failed for the {edition_id.upper()} edition (exit {process.returncode}):\n  " + "\n  ".join(
        lines[-20:]
    )


def prepare_search_indexes(
    outputs: list[EditionOutput], library: Library, paths: Paths, hashes: dict[str, dict[str, str]]
) -> list[index.IndexUpdate]:
    """Stage each edition's new search index (only changed pages re-indexed); publish() makes them live.
    `hashes`: each edition's page hashes (`index_inputs`)."""
    updates: list[index.IndexUpdate] = []
    try:
        with _step("writing the search index"):
            for output in outputs:
                edition = output.edition.id
                synonyms = library.terminology.synonyms
                updates.append(
                    index.prepare(paths.search_index, edition, output.pages, synonyms, hashes[edition], paths.cache)
                )
    except BaseException:
        discard_search_indexes(updates)
        raise
    return updates


def write_browser_indexes(updates: list[index.IndexUpdate], staging: Path, editions: list[str], paths: Paths) -> None:
    """Each rebuilt edition gets the in-browser copy of its new search index (search-index/):
    the same search where there is no service. Reused editions keep theirs: their fingerprint
    covers what the index is made from."""
    versions = {}
    for update in updates:
        version = update.staged or index.current_version(update.folder)
        if update.edition in editions and version is not None:
            versions[update.edition] = version
    for edition, files in browser_index.export_all(versions, paths.cache).items():
        browser_index.write(files, staging / edition)


def publish_search_indexes(updates: list[index.IndexUpdate]) -> None:
    with _step("publishing the search index"):
        for update in updates:
            index.publish(update)


def discard_search_indexes(updates: list[index.IndexUpdate]) -> None:
    for update in updates:
        index.discard(update)


def _timed(timings: dict[str, float], name: str, function: Callable, *args):
    started = time.perf_counter()
    try:
        return function(*args)
    finally:
        timings[name] = time.perf_counter() - started


# The edition picker is the first page anyone sees: the site's own look (GOV.UK colours and
# focus, system fonts), and links 44 px tall at least (WCAG 2.2 asks 24 px). Its own small
# stylesheet beside it: the page sits above both editions' assets.
ROOT_STYLESHEET = "kb-root.css"
ROOT_PAGE_STYLE = """
      html { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
      body { margin: 0; color: #0b0c0c; background: #ffffff; line-height: 1.5; }
      .kb-root-header { background: #1d70b8; color: #ffffff; padding: 0.75rem 1rem; font-weight: 700; font-size: 1.1rem; }
      main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
      h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 1rem; }
      p { font-size: 1.15rem; margin: 0 0 1.5rem; }
      ul { list-style: none; margin: 0; padding: 0; }
      li { margin: 0 0 1rem; }
      a { display: flex; align-items: center; min-height: 44px; box-sizing: border-box; padding: 0.6rem 1rem;
          border: 2px solid #1d70b8; border-left-width: 8px; color: #1d70b8; font-size: 1.25rem; font-weight: 700;
          text-decoration: underline; text-underline-offset: 0.15em; }
      a:hover { color: #003078; border-color: #003078; text-decoration-thickness: 0.15em; }
      a:focus-visible { outline: 3px solid #ffdd00; outline-offset: 0; background: #ffdd00; color: #0b0c0c;
          box-shadow: 0 0 0 5px #0b0c0c; text-decoration: none; }
      @media (forced-colors: active) { a:focus-visible { outline-color: Highlight; } }
"""


def root_page(library: Library) -> str:
    """The site root: a page that lets the reader pick an edition."""
    links = "\n".join(
        f'      <li><a href="{e.id}/index.html">{html.escape(e.name)} ({html.escape(e.badge)})</a></li>'
        for e in library.site.editions
    )
    title = html.escape(library.site.title)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}: choose your edition</title>
    <link rel="stylesheet" href="{ROOT_STYLESHEET}">
  </head>
  <body>
    <header class="kb-root-header">{title}</header>
    <main>
    <h1>Choose your edition</h1>
    <p>Choose the edition for where the case is managed:</p>
    <ul>
{links}
    </ul>
    </main>
  </body>
</html>
"""


def api_origins(search_api: str) -> tuple[str, ...]:
    """The search service's origin, which pages may fetch from (none: the site's own server)."""
    if not search_api:
        return ()
    parts = urlsplit(search_api)
    return (f"{parts.scheme}://{parts.netloc}",)


def write_root(site_dir: Path, library: Library) -> None:
    site_dir.joinpath("index.html").write_text(protect_page(root_page(library))[0], encoding="utf-8")
    site_dir.joinpath(ROOT_STYLESHEET).write_text(ROOT_PAGE_STYLE.lstrip(), encoding="utf-8")


def index_inputs(library: Library, outputs: list[EditionOutput]) -> dict[str, dict[str, str]]:
    """Each edition's page hashes: what its search index is made from (worked out once: the
    fingerprints and the index both need them)."""
    return {o.edition.id: index.page_hashes(o.pages, o.edition.id, library.terminology.synonyms) for o in outputs}


def site_fingerprints(
    paths: Paths, library: Library, outputs: list[EditionOutput], hashes: dict[str, dict[str, str]]
) -> dict[str, str]:
    """One fingerprint per edition (its MkDocs inputs, and what its in-browser search index
    is made from) and one for the root page. The edition's pages come from its rendered
    output: making each edition's view of every page again cost as much as reading them back."""
    prints = {
        o.edition.id: fingerprint.text_fingerprint(
            fingerprint.edition_fingerprint(paths.docs / o.edition.id, edition_config_path(paths, o.edition.id))
            + index.inputs_key(hashes[o.edition.id])
        )
        for o in outputs
    }
    prints["root"] = fingerprint.text_fingerprint(root_page(library) + ROOT_PAGE_STYLE)
    return prints


def stale_editions(site_dir: Path, fingerprints: dict[str, str]) -> list[str]:
    """Editions whose published HTML is missing or was built from other inputs."""
    published = fingerprint.read_published(site_dir)
    return [
        e
        for e in fingerprints
        if e != "root" and (published.get(e) != fingerprints[e] or not (site_dir / e / "index.html").is_file())
    ]


def reuse_editions(site_dir: Path, staging: Path, edition_ids: list[str]) -> None:
    """Unchanged editions go into the new site as hard links to the published files: no copying."""
    for edition_id in edition_ids:
        shutil.copytree(site_dir / edition_id, staging / edition_id, copy_function=os.link)


def build(
    paths: Paths,
    progress: Progress = lambda message: None,
    options: CheckOptions = CheckOptions(),
    site_rules: tuple[SiteRule, ...] = SITE_RULES,
) -> BuildResult:
    """Check, render and build both editions and their search indexes, and publish them only
    when every step passed.

    Whatever fails or interrupts the build (an error, Ctrl-C, SIGTERM), the published site and
    index are left exactly as they were; a killed build's leftovers are removed by the next one.
    """
    with publish.build_lock(paths.site), publish.interrupts_raise(), publish.removing_outdated(paths.site):
        return _build(paths, progress, options, site_rules)


def _build(paths: Paths, progress: Progress, options: CheckOptions, site_rules: tuple[SiteRule, ...]) -> BuildResult:
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
    with _step("writing the Markdown into docs/"):
        outputs, changed = render_all(library, paths, check.source_key)
    timings["render"] = time.perf_counter() - step

    step = time.perf_counter()
    hashes = index_inputs(library, outputs)
    fingerprints = site_fingerprints(paths, library, outputs, hashes)
    stale = stale_editions(paths.site, fingerprints)
    timings["fingerprint"] = time.perf_counter() - step
    if not stale and fingerprint.read_published(paths.site) == fingerprints:
        progress("Nothing changed since the last build: the published site is kept")
        # The index checks its own pages (it may be missing, or have been built elsewhere).
        updates = _timed(timings, "index", prepare_search_indexes, outputs, library, paths, hashes)
        try:
            publish_search_indexes(updates)
        except BaseException:
            discard_search_indexes(updates)
            raise
        timings["total"] = time.perf_counter() - started
        return BuildResult(check, changed=changed, timings=timings)

    progress(f"Building the site with MkDocs ({', '.join(stale) or 'no edition changed'}; editions in parallel)")
    step = time.perf_counter()
    staging = publish.stage(paths.site)
    updates = []
    try:
        # The search index is Python work and MkDocs runs in subprocesses: do both at once.
        with ThreadPoolExecutor(max_workers=1) as pool:
            indexing = pool.submit(_timed, timings, "index", prepare_search_indexes, outputs, library, paths, hashes)
            try:
                with _step("building the site"):
                    build_sites(paths, stale, staging)
                    reuse_editions(paths.site, staging, [e.id for e in library.site.editions if e.id not in stale])
            finally:
                updates = indexing.result()
        with _step("building the site"):
            write_browser_indexes(updates, staging, stale, paths)
            write_root(staging, library)
            connect = api_origins(library.site.search_api)
            protect_site(staging, connect, only=tuple(stale))
            write_policy_file(staging, connect)
            fingerprint.write_published(staging, fingerprints)
        timings["mkdocs"] = time.perf_counter() - step
        step = time.perf_counter()
        found = site_problems(staging, library, paths.cache, site_rules)
        timings["site_checks"] = time.perf_counter() - step
        if any(p.severity == "error" for p in found):
            publish.discard(staging)
            discard_search_indexes(updates)
            return BuildResult(check, problems=found, changed=changed, timings=timings)
        with _step("publishing the new site"):
            publish.publish(staging, paths.site, prune=False)  # older versions: removing_outdated
        publish_search_indexes(updates)
    except BaseException:
        publish.discard(staging)
        discard_search_indexes(updates)  # a version already published is kept (publish.discard)
        raise
    timings["total"] = time.perf_counter() - started
    return BuildResult(check, problems=found, changed=changed, timings=timings, rebuilt=tuple(stale))


@contextmanager
def _step(what: str) -> Iterator[None]:
    """A file-system error (disk full, permissions) or another of the tool's errors (the
    thesaurus missing) becomes a BuildError naming the step."""
    try:
        yield
    except BuildError:
        raise
    except (OSError, KbError) as err:
        raise BuildError(f"{what} failed: {err}") from err
