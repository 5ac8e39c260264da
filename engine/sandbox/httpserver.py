"""A small loopback HTTP(S) server: apps are callables Request -> Response, run on daemon threads."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    host: str  # the host the client believes it talks to (Host header or CONNECT target)
    scheme: str = "http"

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False  # hold the connection open without answering until the sandbox stops
    raw: bytes | None = None  # send these bytes instead of an HTTP response, then close

    @classmethod
    def json(cls, data: object, status: int = 200, **headers: str) -> Response:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def text(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})


App = Callable[[Request], Response]


def close_quietly(conn: socket.socket) -> None:
    """Shut down and close a connection whose peer may already be gone."""
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()


class AppHandler(BaseHTTPRequestHandler):
    """Parses a request, asks the server's app for a Response and writes it (keep-alive, HTTP/1.1)."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm the body waits for the client's delayed
    # ACK (40 ms on Linux) on every response of a new connection.
    disable_nagle_algorithm = True
    server: LoopbackServer
    scheme = "http"
    tunnel_host = ""
    tls_socket: ssl.SSLSocket | None = None

    def setup(self) -> None:
        if self.server.tls is not None:
            raw = self.request
            self.request = self.tls_socket = self.server.tls.wrap_socket(raw, server_side=True)
            self.server.track(raw, self.request)
            self.scheme = "https"
        super().setup()

    def finish(self) -> None:
        # Wrapping detaches the raw socket, so the server's shutdown_request closes nothing: the TLS socket
        # is ours to close, or every HTTPS connection keeps its descriptor (and its peer waits for EOF).
        try:
            super().finish()
        finally:
            if self.tls_socket is not None:
                self.server.forget(self.tls_socket)
                close_quietly(self.tls_socket)

    def log_message(self, format: str, *args: object) -> None:
        self.server.log.append(format % args)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        host = self.tunnel_host or self.headers.get("Host", url.netloc)
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            host=host,
            scheme=self.scheme,
        )
        request.headers["x-sandbox-absolute-uri"] = self.path if url.scheme else ""
        self.write(self.route(request))

    def route(self, request: Request) -> Response:
        return self.server.app(request)

    def write(self, response: Response) -> None:
        if response.delay:
            self.server.stopping.wait(response.delay)
        if response.hang:
            self.server.stopping.wait()
            self.close_connection = True
            return
        if response.raw is not None:
            self.wfile.write(response.raw)
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class LoopbackServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 on an ephemeral port; stop() ends the accept loop and every open connection."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        app: App,
        *,
        tls: ssl.SSLContext | None = None,
        handler: type[AppHandler] = AppHandler,
        name: str = "sandbox",
    ) -> None:
        super().__init__((LOOPBACK, 0), handler)
        self.app = app
        self.tls = tls
        self.name = name
        self.log: list[str] = []
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox-{name}", daemon=True
        )

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, scheme: str | None = None) -> str:
        return f"{scheme or ('https' if self.tls else 'http')}://{LOOPBACK}:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def process_request(self, request: socket.socket, client_address: object) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name=f"sandbox-{self.name}-conn", daemon=True
        )
        with self._lock:
            self._connections.add(request)
            self._handlers.add(thread)
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: object) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._handlers.discard(threading.current_thread())

    def track(self, old: socket.socket | None, new: socket.socket) -> None:
        """Follow a connection whose socket object changed (TLS wrap), so stop() can still close it."""
        with self._lock:
            self._connections.discard(old)
            self._connections.add(new)

    def forget(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def shutdown_request(self, request: socket.socket) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            handlers = list(self._handlers)
        deadline = time.monotonic() + 2
        for thread in handlers:
            thread.join(max(0.0, deadline - time.monotonic()))
