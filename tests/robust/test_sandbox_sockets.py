"""D1: the sandbox server closes every TLS connection it wraps, so open files stay flat under load."""

from __future__ import annotations

import os
import socket
import ssl
import time

from engine.sandbox import start

REQUESTS = 300
SLACK = 8  # a handful of descriptors may still be closing on a handler thread when we count


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settle(before: int) -> int:
    deadline = time.monotonic() + 3
    count = _open_files()
    while count > before + SLACK and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _open_files()
    return count


def _https_get(context: ssl.SSLContext, port: int, host: str, path: str) -> bytes:
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    with raw, context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return b"".join(iter(lambda: tls.recv(65536), b""))


def _proxied_get(context: ssl.SSLContext, port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"CONNECT login.microsoftonline.com:443 HTTP/1.0\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += raw.recv(1)
        with context.wrap_socket(raw, server_hostname="login.microsoftonline.com") as tls:
            request = b"GET /common/v2.0/.well-known/openid-configuration HTTP/1.1\r\n"
            tls.sendall(request + b"Host: login.microsoftonline.com\r\nConnection: close\r\n\r\n")
            return b"".join(iter(lambda: tls.recv(65536), b""))


def test_authority_open_files_stay_flat_over_300_https_requests() -> None:
    with start("laptop-az") as box:
        context = ssl.create_default_context(cafile=str(box.ca_bundle))
        port = box.authority_server.port
        _https_get(context, port, "127.0.0.1", "/common/v2.0/.well-known/openid-configuration")
        before = _open_files()
        for _ in range(REQUESTS):
            assert _https_get(context, port, "127.0.0.1", "/common/v2.0/.well-known/openid-configuration").startswith(
                b"HTTP/1.1 200"
            )
        assert _settle(before) <= before + SLACK


def test_proxy_tunnels_open_files_stay_flat_over_300_connects() -> None:
    with start("laptop-az") as box:
        context = ssl.create_default_context(cafile=str(box.ca_bundle))
        port = box.proxy_server.port
        _proxied_get(context, port)
        before = _open_files()
        for _ in range(REQUESTS):
            assert _proxied_get(context, port).startswith(b"HTTP/1.1 200")
        assert _settle(before) <= before + SLACK
