"""The service's HTTP connections: uvicorn's h11 protocol with a deadline for each request
and JSON for the requests uvicorn refuses itself.

uvicorn closes a kept-alive connection that stays idle, but not one that never sends a
whole request: a client that opens connections and sends a byte now and then would hold
them for ever, until a worker runs out of them (slowloris). Here every request must arrive
whole (head and body) within `KB_REQUEST_TIMEOUT` seconds of the connection opening or of
the previous answer; a connection that misses it gets a 408 (or is closed, if the
application is already reading its body). Bytes that are not HTTP get a JSON 400 rather
than uvicorn's plain text, so every refusal looks the same to a client.
"""

from __future__ import annotations

import asyncio
import json
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from kb_tools.config import SERVICE_REQUEST_TIMEOUT

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def request_timeout() -> float:
    return float(os.environ.get("KB_REQUEST_TIMEOUT", SERVICE_REQUEST_TIMEOUT))


def json_refusal(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 response, written on the wire before h11 has seen a request."""
    body = json.dumps({"error": message}).encode()
    head = [
        f"HTTP/1.1 {status} {reason}".encode(),
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode(),
        b"connection: close",
        *(name + b": " + value for name, value in SECURITY_HEADERS),
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a whole-request deadline and JSON refusals."""

    _request_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_request_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_request_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.DONE:  # the whole request (head and body) is in
            self._disarm_request_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_request_deadline()  # the next request on this connection gets its own
            if self.conn.their_state is h11.DONE:  # a pipelined request already arrived whole
                self._disarm_request_deadline()

    def send_400_response(self, msg: str) -> None:
        self._disarm_request_deadline()
        self.transport.write(json_refusal(400, "Bad Request", "bad request: not HTTP/1.1 the server can read"))
        self.transport.close()

    def _arm_request_deadline(self) -> None:
        self._disarm_request_deadline()
        self._request_deadline = self.loop.call_later(request_timeout(), self._request_too_slow)

    def _disarm_request_deadline(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
            self._request_deadline = None

    def _request_too_slow(self) -> None:
        self._request_deadline = None
        if self.transport.is_closing() or self.conn.their_state is h11.DONE:
            return
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and self.conn.their_state is h11.IDLE:
            message = f"the request did not arrive within {request_timeout():g} seconds"
            self.transport.write(json_refusal(408, "Request Timeout", message))
        self.transport.close()  # the application, if reading a body, sees the client leave
