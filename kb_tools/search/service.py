"""`kb serve`: the built site and the search API on 127.0.0.1.

    GET /api/search?q=…&edition=gb|ni&limit=1..50  → 200, a JSON array of results (as `kb search --json`)
                                                   → 400 {"error": "…"} for bad parameters
                                                   → 503 {"error": "…"} when no index is built

Everything else is a file from site/. Each request looks the site folder up by name, so a
build that swaps in a new site/ (or publishes a new index) is picked up without a restart.
"""

from __future__ import annotations

import functools
import json
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kb_tools.search.query import DEFAULT_LIMIT, IndexNotBuilt, SearchService, request_errors

API_PATH = "/api/search"
HOST = "127.0.0.1"


class Handler(SimpleHTTPRequestHandler):
    service: SearchService  # set by make_server

    def do_GET(self) -> None:
        if urlsplit(self.path).path == API_PATH:
            self._search()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if urlsplit(self.path).path == API_PATH:
            self._send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "use GET"})
        else:
            super().do_HEAD()

    def _search(self) -> None:
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        query = params.get("q", [""])[0]
        edition = params.get("edition", ["gb"])[0]
        limit_text = params.get("limit", [str(DEFAULT_LIMIT)])[0]
        limit: object = int(limit_text) if limit_text.strip().isdigit() else limit_text
        errors = request_errors(query, edition, limit)
        if errors:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "; ".join(errors)})
            return
        try:
            response = self.service.search(query, edition, int(limit))  # type: ignore[call-overload]
        except IndexNotBuilt as err:
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(err)})
        except Exception as err:  # never a traceback to the browser; one line in the log
            self.log_error("search failed for %r: %s: %s", query, type(err).__name__, err)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "the search failed; see the server log"})
        else:
            self._send_json(HTTPStatus.OK, [r.to_json() for r in response.results])

    def _send_json(self, status: HTTPStatus, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        if getattr(self.server, "quiet", False):
            return
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def make_server(site: Path, search_index: Path, port: int = 8000, quiet: bool = False) -> ThreadingHTTPServer:
    """A server for `site` and the search API, bound to 127.0.0.1 only (port 0: any free port)."""
    service = SearchService(search_index)
    service.open_published()
    handler = type("KbHandler", (Handler,), {"service": service})
    server = ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(site)))
    server.quiet = quiet  # type: ignore[attr-defined]
    server.daemon_threads = True
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"
