"""D11 and D12 for HTTP: every read bounded in time and size, with a clear message; long waits capped and said."""

from __future__ import annotations

import gzip
import socket
import threading
import time

import pytest

from engine import events, http_session, transport
from engine.host import Host


class RawServer:
    """A loopback server that plays ``script(conn)`` on each connection (a misbehaving endpoint)."""

    def __init__(self, script) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.script = script
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            try:
                self.script(conn, self.stop)
            except OSError:
                pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metadata/identity/oauth2/token"

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def serve():
    servers = []

    def start(script) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def gzip_bomb(conn, stop):
    body = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n"
    conn.sendall(head.encode() + body)


def endless_chunks(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    while not stop.is_set():
        conn.sendall(chunk)


def trickle(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    while not stop.is_set():
        conn.sendall(b"x")
        time.sleep(0.1)


def silent(conn, stop):
    stop.wait(30)


def lying_length(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    stop.wait(30)


def _host() -> Host:
    return Host(env={"PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize(
    ("script", "error", "phrase"),
    [
        (gzip_bomb, http_session.ResponseTooLarge, "compression bomb"),
        (endless_chunks, http_session.ResponseTooLarge, "was cut after"),
        (trickle, http_session.ResponseTooSlow, "took longer than"),
    ],
)
def test_bodies_are_cut_with_a_clear_message(serve, monkeypatch, script, error, phrase):
    monkeypatch.setattr(http_session, "BODY_PATIENCE", 1.0)
    server = serve(script)
    started = time.monotonic()
    with pytest.raises(error, match=phrase):
        _host().session().get(server.url, timeout=(5, 5))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("script", [silent, lying_length])
def test_a_silent_endpoint_ends_the_wait_and_says_what_azure_identity_would_do(serve, monkeypatch, script):
    monkeypatch.setattr(http_session, "READ_PATIENCE", 0.5)
    server = serve(script)
    recorder = events.Recorder()
    started = time.monotonic()
    with events.recording(recorder), pytest.raises(transport.ServiceResponseTimeoutError) as caught:
        transport.send(_host().session(), "GET", server.url)  # azure-core's 300 s read timeout
    assert time.monotonic() - started < 3
    assert "azure-identity would wait 300 s" in str(caught.value)
    finished = [e for e in recorder.events if isinstance(e, events.StepFinished)]
    assert finished[-1].detail["azure_identity_would_wait"] == 300


def test_a_request_without_timeout_gets_azure_cores_and_our_patience(serve, monkeypatch):
    monkeypatch.setattr(http_session, "READ_PATIENCE", 0.5)
    server = serve(silent)
    with pytest.raises(http_session.ResponseTooSlow, match=r"within 0\.5 s"):
        _host().session().get(server.url)  # msal calls without a timeout: requests would wait for ever


def test_transport_maps_a_cut_body_to_a_response_error_with_a_message(serve):
    server = serve(endless_chunks)
    with pytest.raises(transport.ServiceResponseError) as caught:
        transport.send(_host().session(), "GET", server.url, read_timeout=5)
    assert "was cut after" in str(caught.value)


@pytest.mark.parametrize("asked", [3600.0, float("inf")])
def test_a_huge_retry_after_is_waited_briefly_and_the_step_says_so(monkeypatch, asked):
    from engine import host as host_module

    monkeypatch.setattr(host_module, "MAX_WAIT", 0.2)
    recorder = events.Recorder()
    started = time.monotonic()
    with events.recording(recorder):
        _host().sleep(asked)
    assert time.monotonic() - started < 1
    started_step = next(e for e in recorder.events if isinstance(e, events.StepStarted))
    assert "azure-identity would wait that long" in started_step.detail["note"]


def test_cancel_ends_an_http_wait_at_once(serve):
    server = serve(silent)
    recorder = events.Recorder()
    threading.Timer(0.5, recorder.cancelled.set).start()
    started = time.monotonic()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        transport.send(_host().session(), "GET", server.url)
    assert time.monotonic() - started < 2


def _http_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "chainsight-http" and t.is_alive()]


@pytest.mark.parametrize("script", [silent, lying_length], ids=["no-answer", "body-stops"])
def test_cancel_ends_the_http_worker_thread_within_a_second(serve, script):
    """The cancel shuts the connection down: the worker does not sit out the 20 s read timeout."""
    server = serve(script)
    before = set(_http_workers())
    recorder = events.Recorder()
    threading.Timer(0.5, recorder.cancelled.set).start()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        transport.send(_host().session(), "GET", server.url)
    cancelled_at = time.monotonic()
    while set(_http_workers()) - before and time.monotonic() - cancelled_at < 5:
        time.sleep(0.02)
    assert not set(_http_workers()) - before, "the HTTP worker thread outlived the cancel"
    assert time.monotonic() - cancelled_at < 1


def test_a_connection_noted_after_the_cancel_is_cut_at_once():
    from engine.abortable_http import Aborter

    class Connection:
        def __init__(self) -> None:
            self.sock, self.peer = socket.socketpair()

    aborter = Aborter()
    aborter.abort()
    connection = Connection()
    aborter.note(connection)
    assert connection.sock.recv(1) == b""  # shut down: a read returns at once
    connection.sock.close()
    connection.peer.close()


def test_cuttable_connections_keep_urllib3s_texts():
    """urllib3 puts its class names into messages azure-identity passes on; ours keep those names."""
    import requests

    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    texts = []
    for session in (_host().session(), requests.Session()):
        with pytest.raises(transport.ServiceRequestError) as caught:
            transport.send(session, "GET", f"http://127.0.0.1:{port}/x", connection_timeout=2, read_timeout=2)
        texts.append(str(caught.value))
    assert texts[0] == texts[1] and "HTTPConnectionPool(host='127.0.0.1'" in texts[0], texts
