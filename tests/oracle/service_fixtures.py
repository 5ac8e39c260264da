"""Pytest fixtures for the service-credential tests (load with ``pytest_plugins``).

Each test starts loopback stand-ins, sets the same variables in ``os.environ`` (for the real
azure-identity, which reads it) and in a Host (for ours), runs both, and compares outcomes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.doubles.service import Entra, QuickHost
from tests.doubles.standins import Reply, Seen, StandIn, make_ca


@pytest.fixture
def real_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry waits the real library asked for; time.sleep returns at once during the test."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    return waits


@pytest.fixture
def same_env(monkeypatch: pytest.MonkeyPatch, isolated_environment: Path, real_waits) -> Callable[..., QuickHost]:
    """``same_env(vars)`` sets ``vars`` in os.environ (for azure-identity) and returns a Host with them (ours).

    Neither side really waits between retries: the real library's waits are in ``real_waits``,
    ours in ``host.waits`` (and as "wait" steps).
    """

    def apply(variables: dict[str, str]) -> QuickHost:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(isolated_environment), **variables}
        return QuickHost(env=env, home=isolated_environment)

    return apply


@pytest.fixture
def tls_ca(tmp_path_factory: pytest.TempPathFactory):
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def stand_in() -> Iterator[Callable[..., StandIn]]:
    """``stand_in(tls=None)`` -> a started StandIn, stopped at teardown."""
    started: list[StandIn] = []

    def start(tls=None, tunnel_to=None) -> StandIn:
        server = StandIn(tls, tunnel_to)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def entra(stand_in, tls_ca) -> Entra:
    server = stand_in(tls_ca.server_context)

    def openid(seen: Seen) -> Reply:
        tenant = seen.path.split("/")[1]
        base = f"{server.url}/{tenant}"
        return Reply.json(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/v2.0",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            }
        )

    server.routes[("GET", "/*")] = openid
    server.routes[("GET", "/common/userrealm/*")] = lambda seen: Reply.json(
        {"ver": "1.0", "account_type": "Managed", "domain_name": "contoso.example"}
    )
    return Entra(server, tls_ca.ca_pem)
