"""`kb preview`: a live preview for maintainers. Save a page file, and the page open in the
browser reloads with the change; save a broken one, and the page shows the error at
`path:line:column` while the last good preview stays up.

How it works:

- `watchfiles` (a maintained file watcher, Rust's `notify` underneath) reports saves in the
  content folder, mkdocs.yml and the theme.
- Each save runs the same check and rendering as `kb build` (with its caches, so only the
  saved files are parsed again), then MkDocs in this process with its own dirty mode for the
  edition being looked at: only the Markdown files whose bytes changed are built again. The
  other edition is built when the browser first asks for it. Dirty mode leaves other pages'
  navigation as it was (a renamed page keeps its old title in the others' menus until a
  full build): fine for a preview, never for publishing, so the preview is kept in its own
  folder (`.kb-cache/preview/`) and `kb build` stays complete and exact.
- A small server on 127.0.0.1 serves the preview and adds one script file to each HTML page
  (`preview.js`, beside this module: no inline script). The script long-polls
  `/_kb_preview/state`, reloads when a newer build is ready, and shows the errors of a
  failed one over the page it keeps.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import Paths
from kb_tools.model import Library
from kb_tools.pipeline.build import edition_config_path, render_all, write_root

PREVIEW_PREFIX = "/_kb_preview/"
SCRIPT_FILE = Path(__file__).with_name("preview.js")
LONG_POLL_SECONDS = 20.0  # a state request waits this long for news, then answers anyway
NOTHING_YET = b"<!doctype html><html lang=en><title>Preview</title><body><h1>No preview yet</h1></body></html>"
DIRTY_NOTICE = "A 'dirty' build is being performed"  # MkDocs' own warning: expected here

Say = Callable[[str], None]


@dataclass
class PreviewState:
    """What the browser is told: the last good build's number and the current errors.

    `generation` counts every change of state, so a waiting request can tell news from what it
    has already shown."""

    generation: int = 0
    build: int = 0
    errors: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def succeeded(self) -> None:
        with self.changed:
            self.build += 1
            self.errors = []
            self.generation += 1
            self.changed.notify_all()

    def failed(self, errors: list[str]) -> None:
        with self.changed:
            self.errors = errors
            self.generation += 1
            self.changed.notify_all()

    def wait_after(self, seen: int, timeout: float) -> dict:
        """The state once its generation is past `seen` (or after `timeout` seconds)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation > seen, timeout=timeout)
            return {"generation": self.generation, "build": self.build, "errors": list(self.errors)}


class MkDocsLog(logging.Handler):
    """MkDocs' warnings and errors during one build, kept to be shown rather than printed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(DIRTY_NOTICE):
            self.messages.append(f"MkDocs {record.levelname.lower()}: {message}")


@contextlib.contextmanager
def mkdocs_log() -> Iterator[MkDocsLog]:
    logger = logging.getLogger("mkdocs")
    handler, propagate = MkDocsLog(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def preview_paths(paths: Paths, folder: Path) -> Paths:
    """The preview's own docs/ and site/ (never the published ones), with the build's caches."""
    return replace(paths, docs=folder / "docs", site=folder / "site", search_index=folder / "search_index")


class Preview:
    """Builds the preview: the content checked and rendered, MkDocs for the editions asked for."""

    def __init__(self, paths: Paths, folder: Path, say: Say = print, first_edition: str = "gb") -> None:
        self.source = paths
        self.paths = preview_paths(paths, folder)
        self.say = say
        self.state = PreviewState()
        self.lock = threading.RLock()  # one build at a time: the watcher's and a request's
        self.viewed = first_edition  # the edition the browser looked at last: built first
        self.stale: set[str] = set()  # editions whose MkDocs build waits for a request
        self.clean: set[str] = set()  # editions whose next MkDocs build starts from nothing
        self.library: Library | None = None
        self.watching = threading.Event()  # set once the watcher sees saves

    # --- building ------------------------------------------------------------------------

    def rebuild(self, full: bool = False) -> bool:
        """Check and render the content, then build the viewed edition. False on errors, which
        the state (and so the browser) and the terminal show; the last good site stays."""
        with self.lock:
            started = time.perf_counter()
            check = check_all(self.paths.content, CheckOptions(), self.paths.cache)
            errors = [str(p) for p in check.problems if p.severity == "error"]
            if errors or check.library is None:
                return self._fail(errors or ["the content could not be read"])
            self.library = check.library
            render_all(check.library, self.paths, check.source_key)
            write_root_page(self.paths.site, check.library)
            editions = [e.id for e in check.library.site.editions]
            self.stale = set(editions)
            if full:  # the theme or mkdocs.yml changed: every page's HTML may differ
                self.clean = set(editions)
            if self.viewed not in editions:
                self.viewed = editions[0]
            messages = self._mkdocs(self.viewed)
            if messages is not None:
                return self._fail(messages)
            self.state.succeeded()
            self.say(f"Preview of the {self.viewed.upper()} edition ready in {time.perf_counter() - started:.1f} s")
            return True

    def ensure_built(self, edition: str) -> None:
        """Build an edition the browser asks for that the last rebuild left for later (from the
        last good content's Markdown: a failed check writes none)."""
        with self.lock:
            self.viewed = edition
            if edition in self.stale and self.library is not None:
                messages = self._mkdocs(edition)
                if messages:
                    self.say("\n".join(messages))

    def _mkdocs(self, edition: str) -> list[str] | None:
        """MkDocs for one edition in this process (dirty unless a full build is due); the
        problems to show, or None when it built."""
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        site_dir = self.paths.site / edition
        dirty = edition not in self.clean and site_dir.is_dir()
        with mkdocs_log() as log:
            try:
                config = load_config(
                    str(edition_config_path(self.paths, edition)), site_dir=str(site_dir), strict=False
                )
                mkdocs_build(config, dirty=dirty)
            except (MkDocsException, OSError, SystemExit) as err:
                return [*log.messages, f"MkDocs could not build the {edition.upper()} edition: {err}"]
        self.stale.discard(edition)
        self.clean.discard(edition)
        for message in log.messages:
            self.say(message)  # warnings: printed, not blocking (anchors of pages not rebuilt)
        return None

    def _fail(self, errors: list[str]) -> bool:
        self.say("Preview not updated: fix these, then save again (the last good preview stays up)")
        for error in errors:
            self.say(f"  {error}")
        self.state.failed(errors)
        return False

    # --- watching -------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        """The content folder, mkdocs.yml and the theme folder (when mkdocs.yml names one)."""
        paths = [self.paths.content, self.paths.mkdocs_yml]
        theme = self.paths.mkdocs_yml.parent / "kb_tools" / "site" / "theme"
        if theme.is_dir():
            paths.append(theme)
        return [p for p in paths if p.exists()]

    def watch(self, stop: threading.Event) -> None:
        """Rebuild after each batch of saves until `stop` is set."""
        from watchfiles import watch

        content = self.paths.content.resolve()
        # yield_on_timeout: an empty batch now and then tells us the watcher is running.
        batches = watch(
            *self.watched(),
            stop_event=stop,
            debounce=200,
            step=20,
            rust_timeout=200,
            yield_on_timeout=True,
            raise_interrupt=False,
        )
        for changes in batches:
            self.watching.set()
            if not changes:
                continue
            outside = any(not Path(path).resolve().is_relative_to(content) for _, path in changes)
            names = ", ".join(sorted({Path(path).name for _, path in changes}))
            self.say(f"Saved: {names}")
            self.rebuild(full=outside)


def write_root_page(site: Path, library: Library) -> None:
    site.mkdir(parents=True, exist_ok=True)
    write_root(site, library)


# --- serving ---------------------------------------------------------------------------------


def inject_script(page: bytes, build: int) -> bytes:
    """The page with the preview's script file added before </body> (a file, not inline
    code, so the site's Content-Security-Policy has nothing to forgive)."""
    tag = f'<script src="{PREVIEW_PREFIX}preview.js" data-kb-build="{build}"></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at != -1 else page + tag


def edition_of(url_path: str, editions: Iterable[str]) -> str | None:
    first = url_path.lstrip("/").split("/", 1)[0]
    return first if first in editions else None


def make_handler(preview: Preview) -> type[http.server.SimpleHTTPRequestHandler]:
    class PreviewHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(preview.paths.site), **kwargs)

        def handle(self) -> None:
            with contextlib.suppress(ConnectionError):  # the page reloaded or closed meanwhile: nothing to tell
                super().handle()

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per request would bury the build messages

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path.startswith(PREVIEW_PREFIX):
                self._preview_file(url.path[len(PREVIEW_PREFIX) :], parse_qs(url.query))
                return
            editions = [e.id for e in preview.library.site.editions] if preview.library else []
            edition = edition_of(url.path, editions)
            if edition:
                preview.ensure_built(edition)
            file = Path(self.translate_path(url.path))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                self._send(200, "text/html; charset=utf-8", inject_script(file.read_bytes(), preview.state.build))
                return
            if file.suffix == ".html" and preview.state.build == 0:  # nothing good built yet: show the errors
                self._send(200, "text/html; charset=utf-8", inject_script(NOTHING_YET, 0))
                return
            super().do_GET()

        def _preview_file(self, name: str, query: dict[str, list[str]]) -> None:
            if name == "preview.js":
                self._send(200, "text/javascript; charset=utf-8", SCRIPT_FILE.read_bytes())
            elif name == "state":
                seen = _int(query.get("since", ["-1"])[0])
                state = preview.state.wait_after(seen, LONG_POLL_SECONDS)
                self._send(200, "application/json", json.dumps(state).encode())
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # a reload must show the new build
            self.end_headers()
            self.wfile.write(body)

    return PreviewHandler


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a waiting long-poll never holds up the end of the preview


@dataclass
class Running:
    """A preview being served and watched, for `kb preview` and for tests."""

    preview: Preview
    server: PreviewServer
    stop: threading.Event
    threads: list[threading.Thread]

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)


def start(preview: Preview, host: str = "127.0.0.1", port: int = 8001) -> Running:
    """Build once, then serve and watch in background threads."""
    preview.rebuild(full=True)
    server = PreviewServer((host, port), make_handler(preview))
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, name="kb-preview-server", daemon=True),
        threading.Thread(target=preview.watch, args=(stop,), name="kb-preview-watch", daemon=True),
    ]
    for thread in threads:
        thread.start()
    preview.watching.wait(timeout=30)  # saves from now on are seen
    return Running(preview, server, stop, threads)
