"""The search service: the built site and the search API, for many caseworkers at once.

An ASGI application (Starlette: small, typed, with the static files, CORS and routing this
needs, and nothing else) served by uvicorn with worker processes (`kb serve --workers N`).
Each worker has its own searcher, so there is no lock between workers; a worker serves
one search at a time on its own thread pool's lock, and scales out by adding workers or
replicas. Every worker reads the published index through its link (kb_tools/versions.py):
a build that publishes a new version is picked up by each worker at its next search, and a
response never mixes two versions (the version answers in the `X-Index-Version` header).

    GET  /api/search?q=…&edition=gb|ni&limit=1..50  200: a JSON array of results; 304 when
                                                     If-None-Match has the ETag; 400 for a
                                                     bad request; 503 with no index
    GET  /api/health                                 200 with each edition's index version and
                                                     build time; 503 before an index exists
    POST /api/feedback  {"page", "edition", "useful", "reason"}   204; 400; 429 when too many
    POST /api/opened    {"search": <X-Search-Id of a search>}     204 (a result was opened)
    anything else: a file of the published site (a folder: its index.html; never a listing,
    never a file outside the site, symbolic links included)

Every response carries the security headers; every malformed request is a 4xx with a JSON
error, and the worker goes on serving. The access log never holds a query string.
Settings come from the environment (see `ServiceSettings`), so that every worker process
and every replica is configured the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kb_tools.config import EDITIONS, SERVICE_KEEP_ALIVE, SERVICE_MAX_CONNECTIONS, SERVICE_MAX_HEADER_BYTES
from kb_tools.content.validate import is_slug
from kb_tools.search.index import current_version, edition_folder
from kb_tools.search.query import DEFAULT_LIMIT, IndexNotBuilt, SearchService, request_errors
from kb_tools.search.store import FEEDBACK_REASONS, Store
from kb_tools.site.csp import CSP_FILE

HOST = "127.0.0.1"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DEFAULT_SITE_POLICY = "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
MAX_BODY_BYTES = 2048
MAX_HEADER_BYTES = SERVICE_MAX_HEADER_BYTES
_SEARCH_ID = re.compile(r"^[0-9a-f]{32}$")
_VERSION_TIME = re.compile(r"v-(\d{8}T\d{6})")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("kb.access")


@dataclass(frozen=True)
class ServiceSettings:
    """Everything a worker needs, read from the environment:

    KB_SITE                       the published site folder (default ./site)
    KB_SEARCH_INDEX               the published indexes (default ./search_index)
    KB_ANALYTICS                  the SQLite file ("off": none; default search_index/analytics.sqlite3)
    KB_ANALYTICS_RETENTION_DAYS   how long searches and feedback are kept (default 90)
    KB_CORS_ORIGINS               origins (comma-separated) whose pages may call the API
    KB_FEEDBACK_PER_MINUTE        feedback answers one address may send a minute (default 10)

    and, read by the server around the app (see `serve` and connection.py):
    KB_REQUEST_TIMEOUT            seconds a client has to send a whole request (default 10)
    KB_MAX_CONNECTIONS            open connections per worker before it answers 503 (default 1000)
    KB_FORWARDED_ALLOW_IPS        the reverse proxy's address, trusted for X-Forwarded-For
    """

    site: Path
    search_index: Path
    analytics: Path | None = None
    retention_days: int = 90
    cors_origins: tuple[str, ...] = ()
    feedback_per_minute: int = 10

    @classmethod
    def for_project(cls, root: Path, **overrides: Any) -> ServiceSettings:
        base = cls(
            site=root / "site",
            search_index=root / "search_index",
            analytics=root / "search_index" / "analytics.sqlite3",
        )
        return cls(**{**base.__dict__, **overrides})

    @classmethod
    def from_environment(cls, environ: MutableMapping[str, str] = os.environ) -> ServiceSettings:
        search_index = Path(environ.get("KB_SEARCH_INDEX", "search_index"))
        analytics_setting = environ.get("KB_ANALYTICS", "")
        analytics = (
            None if analytics_setting == "off" else Path(analytics_setting or search_index / "analytics.sqlite3")
        )
        origins = tuple(o.strip() for o in environ.get("KB_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            site=Path(environ.get("KB_SITE", "site")),
            search_index=search_index,
            analytics=analytics,
            retention_days=int(environ.get("KB_ANALYTICS_RETENTION_DAYS", "90")),
            cors_origins=origins,
            feedback_per_minute=int(environ.get("KB_FEEDBACK_PER_MINUTE", "10")),
        )

    def environment(self) -> dict[str, str]:
        return {
            "KB_SITE": str(self.site),
            "KB_SEARCH_INDEX": str(self.search_index),
            "KB_ANALYTICS": str(self.analytics) if self.analytics else "off",
            "KB_ANALYTICS_RETENTION_DAYS": str(self.retention_days),
            "KB_CORS_ORIGINS": ",".join(self.cors_origins),
            "KB_FEEDBACK_PER_MINUTE": str(self.feedback_per_minute),
        }


@dataclass
class RateLimit:
    """At most `per_minute` events per client address in any minute (per worker)."""

    per_minute: int
    seen: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self.lock:
            times = self.seen.setdefault(client, deque())
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            if len(self.seen) > 10_000:  # bounded: forget the clients seen first
                for stale in list(self.seen)[:1000]:
                    del self.seen[stale]
            return True


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


# --- the API ------------------------------------------------------------------------------


class Api:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.search_service = SearchService(settings.search_index)
        self.search_service.open_published()
        self.store = Store(settings.analytics, settings.retention_days) if settings.analytics else None
        if self.store is not None:
            self.store.start()
        self.feedback_limit = RateLimit(settings.feedback_per_minute)

    async def search(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        edition = request.query_params.get("edition", "gb")
        limit_text = request.query_params.get("limit", str(DEFAULT_LIMIT))
        limit: object = int(limit_text) if limit_text.isascii() and limit_text.isdecimal() else limit_text
        if "\ufffd" in query or "\x00" in query:
            return error(400, "the query holds characters that are not text")
        problems = request_errors(query, edition, limit)
        if problems:
            return error(400, "; ".join(problems))
        try:
            response = self.search_service.search(query, edition, int(limit))  # type: ignore[call-overload]
        except IndexNotBuilt as err:
            return error(503, str(err))
        tag = self._etag(response.version, query, edition, int(limit))  # type: ignore[call-overload]
        headers = {"ETag": tag, "Cache-Control": "no-cache", "X-Index-Version": response.version}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        if self.store is not None:
            search_id = self.store.record_search(query, edition, len(response.results))
            if search_id:
                headers["X-Search-Id"] = search_id
        return JSONResponse([r.to_json() for r in response.results], headers=headers)

    @staticmethod
    def _etag(version: str, query: str, edition: str, limit: int) -> str:
        digest = hashlib.sha256(json.dumps([version, query, edition, limit]).encode()).hexdigest()[:32]
        return f'"{digest}"'

    async def health(self, request: Request) -> Response:
        editions = {}
        for edition in EDITIONS:
            version = current_version(edition_folder(self.settings.search_index, edition))
            if version is None:
                return JSONResponse({"status": "starting", "error": f"no index for {edition} yet"}, status_code=503)
            editions[edition] = {"version": version.name, "built": _built_at(version)}
        return JSONResponse({"status": "ok", "editions": editions}, headers={"Cache-Control": "no-store"})

    async def feedback(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        problem = _feedback_problem(body)
        if problem:
            return error(400, problem)
        if not self.feedback_limit.allow(request.client.host if request.client else "unknown"):
            return error(429, "too many answers from here in the last minute: try again later")
        if self.store is not None:
            self.store.record_feedback(body["edition"], body["page"], body["useful"], body.get("reason"))
        return Response(status_code=204)

    async def opened(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        search_id = body.get("search")
        if not isinstance(search_id, str) or not _SEARCH_ID.match(search_id):
            return error(400, "'search' must be the X-Search-Id of a search")
        if self.store is not None:
            self.store.record_opened(search_id)
        return Response(status_code=204)


def _built_at(version: Path) -> str:
    match = _VERSION_TIME.match(version.name)
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").isoformat()
    return datetime.fromtimestamp(version.stat().st_mtime, UTC).isoformat(timespec="seconds")


async def _json_body(request: Request) -> dict | Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return error(415, "send JSON (Content-Type: application/json)")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return error(400, "the body is not JSON")
    return body if isinstance(body, dict) else error(400, "the body must be a JSON object")


def _feedback_problem(body: dict) -> str | None:
    if set(body) - {"page", "edition", "useful", "reason"}:
        return "only page, edition, useful and reason may be sent"
    if not isinstance(body.get("page"), str) or len(body["page"]) > 100 or not is_slug(body["page"]):
        return "'page' must be a page id"
    if body.get("edition") not in EDITIONS:
        return f"'edition' must be one of {', '.join(EDITIONS)}"
    if not isinstance(body.get("useful"), bool):
        return "'useful' must be true or false"
    reason = body.get("reason")
    if reason is not None and (body["useful"] or reason not in FEEDBACK_REASONS):
        return f"'reason' is given only with useful: false, and is one of {', '.join(FEEDBACK_REASONS)}"
    return None


# --- around every request -------------------------------------------------------------------


class Guard:
    """Security headers on every response, a JSON 4xx for whatever a request breaks, and an
    access log line without the query string (queries may hold what people typed)."""

    def __init__(self, app: ASGIApp, site: Path) -> None:
        self.app = app
        self.site = site

    def site_policy(self) -> str:
        try:
            return (self.site / CSP_FILE).read_text(encoding="utf-8").strip() or DEFAULT_SITE_POLICY
        except OSError:
            return DEFAULT_SITE_POLICY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = API_POLICY if path.startswith("/api/") else self.site_policy()
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY_HEADER_NAMES]
                headers += [(b"content-security-policy", policy.encode()), *_SECURITY_HEADERS]
                message["headers"] = headers
            await send(message)

        try:
            if "\x00" in path or "\ufffd" in path:
                raise ValueError("a path that is not text")
            if sum(len(name) + len(value) for name, value in scope.get("headers", [])) > MAX_HEADER_BYTES:
                await error(431, "the request's headers are too large")(scope, receive, send_with_headers)
                return
            await self.app(scope, receive, send_with_headers)
        except (ValueError, UnicodeError) as err:
            if status["sent"]:
                raise
            await error(400, f"bad request: {err}")(scope, receive, send_with_headers)
        except Exception:
            access_log.exception("request failed: %s %s", scope.get("method"), path)
            if status["sent"]:
                raise
            await error(500, "the request failed; see the server log")(scope, receive, send_with_headers)
        finally:
            took = (time.perf_counter() - started) * 1000
            shown = path.encode("ascii", "backslashreplace").decode().replace("\x00", "\\x00")
            access_log.info("%s %s %s %.1fms", scope.get("method"), shown, status["code"], took)


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_SECURITY_HEADER_NAMES = {b"content-security-policy", *(name for name, _ in _SECURITY_HEADERS)}


class SiteFiles(StaticFiles):
    """The published site: a folder serves its index.html, or 404 (never a listing); no file
    outside the site folder, symbolic links included (Starlette resolves and checks each path)."""

    def __init__(self, site: Path) -> None:
        super().__init__(directory=site, html=True, check_dir=False, follow_symlink=False)


def create_app(settings: ServiceSettings) -> Starlette:
    api = Api(settings)
    api_routes = [
        Route("/search", api.search, methods=["GET"]),
        Route("/health", api.health, methods=["GET"]),
        Route("/feedback", api.feedback, methods=["POST"]),
        Route("/opened", api.opened, methods=["POST"]),
    ]
    # /api/ is its own mount, so that a wrong method there is a 405 (not a 404 from the
    # site's files) and no file of the site can ever answer for an API path.
    routes = [Mount("/api", routes=api_routes), Mount("/", app=SiteFiles(settings.site))]
    middleware = [
        Middleware(Guard, site=settings.site),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "If-None-Match"],
            expose_headers=["ETag", "X-Index-Version", "X-Search-Id"],
            max_age=600,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.api = api
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return error(404, "not found")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return error(405, "method not allowed")


def app_from_environment() -> Starlette:
    """For uvicorn's `--factory`: each worker process builds its own app (and searcher)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return create_app(ServiceSettings.from_environment())


def serve(settings: ServiceSettings, host: str = HOST, port: int = 8000, workers: int = 1) -> None:
    """Run the service with uvicorn: `workers` processes, each with its own searcher. Idle
    connections are closed by uvicorn's keep-alive timeout, a request that does not arrive
    whole in time by ours (connection.py), and a request's headers are capped."""
    import uvicorn

    from kb_tools.search.connection import GuardedH11Protocol

    os.environ.update(settings.environment())
    uvicorn.run(
        "kb_tools.search.service:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # ours (Guard) leaves query strings out
        log_level="warning",
        http=GuardedH11Protocol,  # a deadline for each whole request; JSON refusals
        timeout_keep_alive=SERVICE_KEEP_ALIVE,
        limit_concurrency=int(os.environ.get("KB_MAX_CONNECTIONS", SERVICE_MAX_CONNECTIONS)),
        # h11 refuses a request head it cannot finish buffering past this (JSON 400, see
        # connection.py); heads between MAX_HEADER_BYTES and this get Guard's JSON 431.
        h11_max_incomplete_event_size=4 * MAX_HEADER_BYTES,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("KB_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )


def server_url(host: str, port: int) -> str:
    return f"http://{host}:{port}/"
