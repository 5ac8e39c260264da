"""SharedTokenCacheCredential: accounts in the MSAL cache shared by Microsoft developer tools."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msal

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID, REFRESH_OFFSET
from engine.context import within_dac
from engine.credentials._internal import shared_cache_probe
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.base import Credential
from engine.credentials._internal.cache_persistence import CACHE_NAME, load_token_cache
from engine.credentials._internal.decorators import DECORATORS, logged, wrap_exceptions
from engine.credentials._internal.interactive import NO_SCOPES
from engine.credentials._internal.refresh_grant import RefreshTokenClient
from engine.credentials._internal.response_errors import ResponseUnavailableError
from engine.credentials._internal.shared_cache_accounts import (
    NO_TOKEN,
    candidate_accounts,
    environment_aliases,
    select_account,
)
from engine.credentials._internal.shared_cache_probe import UNSUPPORTED
from engine.credentials._internal.silent_auth import SilentAuthentication
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import Probe
from engine.profiles import ORGANIZATIONS_TENANT, SHARED_CACHE_SOFTENED
from engine.token import AccessToken
from engine.token_request import current_api, forwarded
from engine.validation import default_authority, normalize_authority, validate_tenant_id

SUPPORTED_SYSTEMS = ("Darwin", "Linux", "Windows")
CACHE_UNAVAILABLE = "Shared token cache unavailable"
CACHED_DATA_ERROR = "Error accessing cached data: {}"


def supported(host: Host) -> bool:
    """The shared cache exists on Windows, macOS and Linux (whatever the docstring says)."""
    return host.system in SUPPORTED_SYSTEMS


class SharedTokenCacheCredential(Credential):
    def __init__(self, username: str | None = None, *, host: Host, **kwargs: Any) -> None:
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._username = username
        self._tenant_id = kwargs.pop("tenant_id", None)
        self._authentication_record = _as_record(kwargs.pop("authentication_record", None))
        self._cache_options = _CacheOptions.of(kwargs.pop("cache_persistence_options", None))
        self._options = kwargs
        allowed = kwargs.pop("additionally_allowed_tenants", None) or ()
        self._caches: dict[bool, msal.TokenCache | None] = {False: None, True: None}
        self._silent: SilentAuthentication | None = None
        if self._authentication_record is not None:
            # The record's tenant unless tenant_id names another; checked now, as azure-identity does.
            record_tenant = self._tenant_id or self._authentication_record.tenant_id
            validate_tenant_id(record_tenant)
            self._silent = SilentAuthentication(host, self._authentication_record, record_tenant, allowed)
        self._client = RefreshTokenClient(
            host,
            authority=self._authority,
            client_id=DEVELOPER_SIGN_ON_CLIENT_ID,
            additionally_allowed_tenants=allowed,
            organizations_any=self._profile.has(ORGANIZATIONS_TENANT),
            **kwargs,
        )

    # ---- get_token ----------------------------------------------------------------------------
    @logged(DECORATORS)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if not scopes:
            raise ValueError(NO_SCOPES.format(current_api()))
        claims, tenant_id = forwarded(claims), forwarded(tenant_id)
        if self._silent is not None:
            return self._record_token(scopes, claims, tenant_id, enable_cae)
        cache = self._caches[enable_cae] or self._load_cache(enable_cae)
        if cache is None:
            raise CredentialUnavailableError(message=CACHE_UNAVAILABLE)
        account = wrap_exceptions(self._account)(cache)
        softened = self._profile.has(SHARED_CACHE_SOFTENED)
        if not (claims and softened):  # before 1.25 a cached access token was returned despite claims
            token = self._cached_access_token(cache, scopes, account)
            if token is not None:
                return AccessToken(token.token, token.expires_on)
        for refresh_token in self._refresh_tokens(cache, account):  # only the first: any failure raises
            try:
                token = self._client.redeem(
                    cache, scopes, refresh_token, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae
                )
                return AccessToken(token.token, token.expires_on)
            except Exception as ex:
                # before 1.25 (switch SHARED_CACHE_SOFTENED) the rejection stopped DefaultAzureCredential too
                if within_dac.get() and softened:
                    message = getattr(ex, "message", str(ex))
                    raise ResponseUnavailableError(message=message, response=getattr(ex, "response", None)) from ex
                raise
        raise CredentialUnavailableError(message=NO_TOKEN.format(account.get("username")))

    def _record_token(
        self, scopes: tuple[str, ...], claims: str | None, tenant_id: str | None, cae: bool
    ) -> AccessToken:
        assert self._silent is not None
        cache = self._caches[cae] or self._load_cache(cae)
        if cache is None:
            error = CredentialUnavailableError if within_dac.get() else ClientAuthenticationError
            raise error(message=CACHE_UNAVAILABLE)
        token = wrap_exceptions(self._silent.acquire)(cache, scopes, claims=claims, tenant_id=tenant_id, enable_cae=cae)
        return AccessToken(token.token, token.expires_on)

    def _load_cache(self, is_cae: bool) -> msal.TokenCache | None:
        """The persistent cache, opened on first use; None when it cannot be opened."""
        if not supported(self.host):
            raise CredentialUnavailableError(message=UNSUPPORTED)
        try:
            cache = load_token_cache(
                self.host,
                is_cae,
                base_name=self._cache_options.name,
                allow_unencrypted=self._cache_options.allow_unencrypted_storage,
            )
        except Exception:
            return None
        self._caches[is_cae] = cache
        return cache

    def _account(self, cache: msal.TokenCache) -> dict:
        accounts = candidate_accounts(cache, environment_aliases(self._authority))
        return select_account(accounts, self._username, self._tenant_id)

    def _cached_access_token(
        self, cache: msal.TokenCache, scopes: tuple[str, ...], account: dict
    ) -> AccessToken | None:
        if "home_account_id" not in account:
            return None
        try:
            entries = cache.search(
                msal.TokenCache.CredentialType.ACCESS_TOKEN,
                target=list(scopes),
                query={"home_account_id": account["home_account_id"]},
            )
            for entry in entries:
                expires_on = int(entry["expires_on"])
                if expires_on - REFRESH_OFFSET > int(self.host.time()):
                    refresh_on = int(entry["refresh_on"]) if "refresh_on" in entry else None
                    return AccessToken(entry["secret"], expires_on, refresh_on, entry.get("token_type", "Bearer"))
        except Exception as ex:
            raise CredentialUnavailableError(message=CACHED_DATA_ERROR.format(ex)) from ex
        return None

    def _refresh_tokens(self, cache: msal.TokenCache, account: dict) -> list[str]:
        if "home_account_id" not in account:
            return []
        try:
            entries = cache.search(
                msal.TokenCache.CredentialType.REFRESH_TOKEN, query={"home_account_id": account["home_account_id"]}
            )
            return [entry["secret"] for entry in entries if "secret" in entry]
        except Exception as ex:
            raise CredentialUnavailableError(message=CACHED_DATA_ERROR.format(ex)) from ex

    def close(self) -> None:
        self._client.close()

    # ---- probe --------------------------------------------------------------------------------
    def probe(self) -> Probe:
        """Where the cache is, how it is protected, which accounts it holds and which one would be used."""
        return shared_cache_probe.probe(
            self.host,
            name=type(self).__name__,
            supported=supported(self.host),
            authority=self._authority,
            username=self._username,
            tenant_id=self._tenant_id,
            record=self._authentication_record,
            base_name=self._cache_options.name,
        )


class _CacheOptions:
    """The two fields of TokenCachePersistenceOptions the shared cache reads."""

    def __init__(self, name: str, allow_unencrypted_storage: bool) -> None:
        self.name = name
        self.allow_unencrypted_storage = allow_unencrypted_storage

    @classmethod
    def of(cls, options: Any) -> _CacheOptions:
        if options is None:  # the credential's own default: the shared cache, plaintext allowed
            return cls(CACHE_NAME, True)
        if isinstance(options, Mapping):
            return cls(options.get("name", CACHE_NAME), bool(options.get("allow_unencrypted_storage", False)))
        return cls(getattr(options, "name", CACHE_NAME), bool(getattr(options, "allow_unencrypted_storage", False)))


def _as_record(value: Any) -> AuthenticationRecord | None:
    """A record given as the object, its serialized JSON, or a mapping of its fields."""
    if value is None or isinstance(value, AuthenticationRecord):
        return value
    if isinstance(value, str):
        return AuthenticationRecord.deserialize(value)
    if isinstance(value, Mapping):
        return AuthenticationRecord.deserialize(json.dumps({"version": "1.0", **value}))
    return AuthenticationRecord(
        tenant_id=value.tenant_id,
        client_id=value.client_id,
        authority=value.authority,
        home_account_id=value.home_account_id,
        username=value.username,
    )
