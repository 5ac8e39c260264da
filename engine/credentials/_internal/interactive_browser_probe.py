"""InteractiveBrowserCredential's static check: a browser to hand the page to, and a port to listen on."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from engine.account import Account
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.system_browser import describe_browser
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, Probe

NEEDS_PROMPT = (
    "disable_automatic_authentication is set and no sign-in has happened yet: get_token raises "
    "AuthenticationRequiredError until authenticate() is called"
)


def free_port(hostname: str, ports: Sequence[int]) -> int | None:
    """The first port of ``ports`` that can be bound on ``hostname`` now (bound and released at once)."""
    for port in ports:
        try:
            with socket.create_server((hostname, port)):
                return port
        except OSError:
            continue
    return None


def probe(
    host: Host,
    *,
    name: str,
    redirect: tuple[str, int] | None,
    ports: Sequence[int],
    timeout: float,
    record: AuthenticationRecord | None,
    automatic: bool,
    authority: str,
    tenant_id: str,
) -> Probe:
    started = host.monotonic()

    def result(status: str, reason: str) -> Probe:
        identity = Account(tenant_id=record.tenant_id, upn=record.username, identity_type="user") if record else None
        return Probe(name, status, reason, identity, host.monotonic() - started)

    if record is None and not automatic:
        return result(UNAVAILABLE, NEEDS_PROMPT)
    hostname, candidates = redirect if redirect else ("localhost", ports)
    port = free_port(hostname, [candidates] if isinstance(candidates, int) else candidates)
    if port is None:
        where = f"http://{hostname}:{candidates}" if redirect else "localhost (ports 8400-8999 are all taken)"
        return result(UNAVAILABLE, f"Couldn't start an HTTP server on {where}")
    opens, browser = describe_browser(host)
    if not opens:
        return result(UNAVAILABLE, f"Failed to open a browser: {browser}")
    who = f"signed in before as {record.username}; " if record else ""
    return result(
        AVAILABLE,
        f"{who}would open the sign-in page at {authority}/{tenant_id} with {browser}, listen on "
        f"http://{hostname}:{port} and wait up to {timeout} s for a person to sign in",
    )
