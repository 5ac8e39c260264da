"""What every credential shares: the Host it reaches the machine through, and its probe."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from engine.host import Host
from engine.probe import Probe
from engine.profiles import Profile, current_profile
from engine.token import AccessToken
from engine.token_request import TokenInfoMixin


class Credential(TokenInfoMixin, ABC):
    """Base of the chain's credentials. Subclasses mirror azure-identity's constructor and get_token."""

    def __init__(self, *, host: Host) -> None:
        self._host = host
        # The azure-identity release this credential behaves as (see engine.profiles.building_as).
        self._profile: Profile = current_profile()

    @property
    def host(self) -> Host:
        return self._host

    @abstractmethod
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for ``scopes``, exactly as azure-identity's credential of the same name gets it."""

    @abstractmethod
    def probe(self) -> Probe:
        """A fast static availability check that requests no token."""

    def close(self) -> None:
        """Release what the credential holds (sessions, caches); safe to call twice."""

    def __enter__(self) -> Credential:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()
