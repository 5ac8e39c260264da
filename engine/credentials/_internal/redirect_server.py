"""The localhost listener that receives the sign-in redirect, as azure-identity's AuthCodeRedirectServer.

It accepts the authorization response as a GET query or a POST form body, answers 200 "Authentication
complete. You can close this window." (a 204, never flushed, for /favicon.ico), and gives up when no request arrives within
``timeout`` seconds of the last one. Unlike the original it waits in short slices, so a cancelled run stops
waiting at once.
"""

from __future__ import annotations

import selectors
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

from engine import events

COMPLETE = b"Authentication complete. You can close this window."
SLICE = 0.1  # seconds between cancellation checks while waiting


def parse_response(query: str) -> dict[str, Any]:
    """The redirect's fields: one value as a string, repeated ones as a list (as azure-identity keeps them)."""
    parsed = parse_qs(query, keep_blank_values=True)
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in parsed.items()}


class RedirectHandler(BaseHTTPRequestHandler):
    server: RedirectServer

    def do_GET(self) -> None:
        if self.path.endswith("/favicon.ico"):  # some browsers ask for it first
            # azure-identity queues a 204 but never ends the headers, so the browser sees the connection
            # close without an answer; we keep that, and keep waiting for the real redirect.
            self.send_response(204)
            return
        self.server.auth_response = parse_response(self.path.split("?", 1)[-1])
        self._complete()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.auth_response = parse_response(self.rfile.read(length).decode("utf-8"))
        self._complete()

    def _complete(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(COMPLETE)

    def log_message(self, format: str, *args: object) -> None:
        pass  # nothing on stderr


class RedirectServer(HTTPServer):
    """Binds ``hostname:port`` at once (OSError when it cannot), then waits for one redirect."""

    def __init__(self, hostname: str, port: int, timeout: float) -> None:
        super().__init__((hostname, port), RedirectHandler)
        self.timeout = timeout
        self.auth_response: dict[str, Any] = {}

    def wait_for_redirect(self) -> dict[str, Any]:
        """The redirect's fields, or {} when ``timeout`` passed without a request."""
        with events.step(
            "wait", f"wait for the sign-in redirect on port {self.server_port}", timeout=self.timeout
        ) as h:
            try:
                while not self.auth_response:
                    if not self._handle_one():
                        break
            finally:
                self.server_close()
            h.detail["received"] = bool(self.auth_response)
            return self.auth_response

    def _handle_one(self) -> bool:
        """Serve one request within ``timeout``; False when none came."""
        deadline = time.monotonic() + self.timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            while True:
                events.check_cancelled()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                if selector.select(min(SLICE, remaining)):
                    self._handle_request_noblock()
                    return True
