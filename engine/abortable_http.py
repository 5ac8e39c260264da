"""HTTP connections another thread can cut, so a cancelled wait ends its worker thread too.

A read blocked in the kernel cannot be interrupted from another thread, but shutting its socket down
wakes it with an error at once. urllib3 keeps the connection to itself while it waits for an answer, so
the pools here note each connection a request uses (as it connects, and as it starts waiting for the
answer on a kept-alive one) in an Aborter the cancelling thread can call.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from requests.adapters import HTTPAdapter
from urllib3 import connection as urllib3_connection
from urllib3 import connectionpool as urllib3_pool

T = TypeVar("T")
_current = threading.local()


class Aborter:
    """The connections one request uses; ``abort()`` shuts their sockets down, now and any noted later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[urllib3_connection.HTTPConnection] = []
        self.aborted = False

    def note(self, connection: urllib3_connection.HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            aborted = self.aborted
        if aborted:  # connected after the cancel: cut it before it waits
            _shut(connection)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` with the connections it uses noted here (call it on the thread that does the I/O)."""
        with _noting(self):
            return fn()


def _shut(connection: urllib3_connection.HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def _noting(aborter: Aborter) -> Iterator[None]:
    previous = getattr(_current, "aborter", None)
    _current.aborter = aborter
    try:
        yield
    finally:
        _current.aborter = previous


def _note(connection: urllib3_connection.HTTPConnection) -> None:
    aborter = getattr(_current, "aborter", None)
    if aborter is not None:
        aborter.note(connection)


class _Noted:
    """Notes the connection when it connects and when it waits for an answer (a kept-alive one)."""

    def connect(self) -> None:
        _note(self)  # type: ignore[arg-type]
        super().connect()  # type: ignore[misc]
        _note(self)  # type: ignore[arg-type]  (now with its socket: cut at once if cancelled meanwhile)

    def getresponse(self, *args, **kwargs):
        _note(self)  # type: ignore[arg-type]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


# urllib3 puts type(self).__name__ into its messages ("HTTPSConnection(host=...): Failed to resolve",
# "HTTPConnectionPool(host=...): Max retries exceeded"), and those are azure-identity's texts: the
# subclasses keep the names.
class HTTPConnection(_Noted, urllib3_connection.HTTPConnection):
    pass


class HTTPSConnection(_Noted, urllib3_connection.HTTPSConnection):
    pass


class HTTPConnectionPool(urllib3_pool.HTTPConnectionPool):
    ConnectionCls = HTTPConnection


class HTTPSConnectionPool(urllib3_pool.HTTPSConnectionPool):
    ConnectionCls = HTTPSConnection


POOLS = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}


class AbortableAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections an Aborter can cut (proxied ones too)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if getattr(manager, "pool_classes_by_scheme", None) is not None and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(POOLS)
        return manager
