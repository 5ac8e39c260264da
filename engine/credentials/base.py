"""What every credential shares: the Host it reaches the machine through, and its probe."""

from __future__ import annotations

from typing import Any

from engine.host import Host
from engine.probe import Probe
from engine.token import AccessToken


class Credential:
    """Base of the chain's credentials. Subclasses mirror azure-identity's constructor and get_token."""

    def __init__(self, *, host: Host) -> None:
        self._host = host

    @property
    def host(self) -> Host:
        return self._host

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        raise NotImplementedError(f"{type(self).__name__}.get_token")

    def probe(self) -> Probe:
        """A fast static availability check that requests no token."""
        raise NotImplementedError(f"{type(self).__name__}.probe")

    def close(self) -> None:
        """Release what the credential holds (sessions, caches); safe to call twice."""

    def __enter__(self) -> Credential:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()
