"""Which of azure-core's two token methods a request came through, and what each hands on.

``get_token(claims=, tenant_id=, enable_cae=)`` builds TokenRequestOptions holding claims and tenant only
when they are truthy; ``get_token_info(options=)`` hands the caller's options on as they are. So an empty
tenant reaches a credential's tenant rules only through get_token_info, where a configured tenant refuses
it. The engine runs one body per credential for both methods: this flag, set by the outermost call, is
what differs (what is forwarded, and the method name in log lines). azure-identity never calls get_token
from inside get_token_info for the engine's credentials, so one flag per call tree is exact.

Azure SDK clients call get_token_info whenever the credential has it (azure-core's
BearerTokenCredentialPolicy): every azure-identity credential, 1.19 to 1.27, has it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

GET_TOKEN = "get_token"
GET_TOKEN_INFO = "get_token_info"
APIS = (GET_TOKEN, GET_TOKEN_INFO)
# azure-core 1.41's TokenRequestOptions: the only keys its policy moves from keywords into options.
OPTION_KEYS = ("claims", "tenant_id", "enable_cae")
UNKNOWN_API = "unknown token API {!r}: expected get_token or get_token_info"

_api: contextvars.ContextVar[str] = contextvars.ContextVar("chainsight_token_api", default=GET_TOKEN)
T = TypeVar("T")


def current_api() -> str:
    """The method the current request came through: ``get_token`` or ``get_token_info``."""
    return _api.get()


@contextlib.contextmanager
def calling(api: str) -> Iterator[None]:
    """Mark the calls inside as made through ``api``; restored afterwards."""
    if api not in APIS:
        raise ValueError(UNKNOWN_API.format(api))
    flag = _api.set(api)
    try:
        yield
    finally:
        _api.reset(flag)


def forwarded(value: T) -> T | None:
    """What a credential's work sees of a request's claims or tenant: get_token drops a falsy value
    (``if tenant_id: options["tenant_id"] = ...``), get_token_info keeps it ("" reaches resolve_tenant)."""
    if _api.get() == GET_TOKEN_INFO:
        return value
    return value or None


def request_options(claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False) -> dict:
    """The options an SDK client passes to get_token_info for this request: azure-core's policy passes
    ``enable_cae`` only when on and claims only after a challenge, and no tenant (Key Vault's passes its
    challenge's tenant when non-empty); a tenant given here, even "", is passed on as asked."""
    options: dict[str, Any] = {}
    if claims is not None:
        options["claims"] = claims
    if tenant_id is not None:
        options["tenant_id"] = tenant_id
    if enable_cae:
        options["enable_cae"] = True
    return options


class TokenInfoMixin:
    """azure-identity's get_token_info for a class whose get_token is its one body."""

    def get_token_info(self, *scopes: str, options: Mapping[str, Any] | None = None) -> Any:
        """As get_token, with ``options`` handed on as given (an empty tenant included)."""
        return via_get_token_info(self.get_token, scopes, options)  # type: ignore[attr-defined]


def via_get_token_info(get_token: Callable[..., T], scopes: Sequence[str], options: Mapping[str, Any] | None) -> T:
    """``get_token_info(*scopes, options=options)`` run through a credential's one get_token body."""
    options = options or {}
    with calling(GET_TOKEN_INFO):
        return get_token(
            *scopes,
            claims=options.get("claims"),
            tenant_id=options.get("tenant_id"),
            enable_cae=options.get("enable_cae", False),
        )
