"""Loopback only. Every listening socket is on 127.0.0.1, the proxy refuses what it does not
serve, and inside --isolate-network a direct connection to 169.254.169.254 fails at once."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from engine.sandbox.proxy import REFUSED
from tests.plugins.sandbox import sandbox_session_for
from tests.system import require_system

TCP_LISTEN = "0A"


def _listening_sockets_of_this_process() -> list[tuple[str, int]]:
    """(address, port) of every TCP listening socket this process owns, read from /proc."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, family in (("/proc/self/net/tcp", socket.AF_INET), ("/proc/self/net/tcp6", socket.AF_INET6)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != TCP_LISTEN or inode not in inodes:
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            if family == socket.AF_INET:
                address = socket.inet_ntop(family, raw[::-1])
            else:
                address = socket.inet_ntop(family, b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4)))
            found.append((address, int(port_hex, 16)))
    return found


def test_every_listening_socket_is_on_127_0_0_1(sandbox_factory) -> None:
    require_system(sys.platform.startswith("linux"), "reads /proc to list sockets")
    before = set(_listening_sockets_of_this_process())
    boxes = [sandbox_factory(name) for name in ("app-service", "vm-imds-user-assigned", "laptop-everything")]
    new = set(_listening_sockets_of_this_process()) - before
    assert len(new) == 4 * len(boxes)  # proxy, authority, Resource Manager, managed identity
    assert {address for address, _ in new} == {"127.0.0.1"}
    assert all(port > 1024 for _, port in new)
    for box in boxes:
        assert {host for host, _ in box.listening_ports} == {"127.0.0.1"}
        box.stop()
    assert not set(_listening_sockets_of_this_process()) - before


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
        "http://login.microsoftonline.com/common/discovery/instance",
        "http://169.254.169.254:8080/metadata/identity/oauth2/token",
        "http://10.0.0.1/",
    ],
)
def test_the_proxy_refuses_hosts_it_does_not_serve(sandbox_factory, url: str) -> None:
    import requests

    box = sandbox_factory("laptop-az")
    session = sandbox_session_for(box)
    if url.startswith("https://"):
        with pytest.raises(requests.exceptions.ProxyError, match="403"):
            session.get(url, timeout=5)
    else:
        response = session.get(url, timeout=5)
        assert response.status_code == 403
        assert response.text == REFUSED.format(target=url)


def test_the_proxy_refuses_a_login_host_on_another_port(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    with socket.create_connection(("127.0.0.1", box.proxy_server.port), timeout=5) as conn:
        conn.sendall(b"CONNECT login.microsoftonline.com:8443 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 403")


def test_the_proxy_serves_login_hosts_with_a_sandbox_certificate(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    session = sandbox_session_for(box)
    for host in ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"):
        config = session.get(f"https://{host}/contoso.com/v2.0/.well-known/openid-configuration", timeout=5).json()
        assert config["token_endpoint"] == f"https://{host}/4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60/oauth2/v2.0/token"


def test_off_azure_imds_through_the_proxy_answers_like_no_imds_at_all(sandbox_factory) -> None:
    import time

    import requests

    box = sandbox_factory("laptop-az")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        sandbox_session_for(box).get(
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
            "&resource=https://management.azure.com",
            timeout=5,
        )
    assert 0.9 < time.monotonic() - started < 3


# The C-level socket, below the tests' loopback guard (which patches socket.socket): what this test checks is
# that the namespace itself leaves no route, so nothing in Python may refuse the connection first.
BYPASS = """
import _socket, socket, time, errno
started = time.monotonic()
# Only inside a namespace whose one interface is loopback: anywhere else the probe is not even tried.
interfaces = sorted(name for _, name in socket.if_nameindex())
try:
    if interfaces != ["lo"]:
        raise OSError(0, "not isolated: interfaces " + ", ".join(interfaces))
    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    raw.settimeout(5)
    raw.connect(("169.254.169.254", 80))
    raw.close()
    outcome = "connected"
except OSError as err:
    outcome = errno.errorcode.get(err.errno, str(err)) if err.errno else str(err)
emit({"outcome": outcome, "seconds": time.monotonic() - started})
"""


def test_under_isolate_network_a_direct_imds_connection_fails_at_once(sandbox_run, netns_available) -> None:
    ok, reason = netns_available
    require_system(ok, f"network namespaces: {reason}")
    run = sandbox_run("vm-imds-user-assigned", BYPASS)
    assert run.isolated and run.returncode == 0, run.stderr
    result = run.result()
    assert result["outcome"] == "ENETUNREACH"
    assert result["seconds"] < 0.5
