"""DefaultAzureCredential: the chain azure-identity builds from the environment and keyword arguments."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from engine import dac_keywords, events
from engine import env_vars as ev
from engine.chain import ChainedTokenCredential, attempt
from engine.context import within_credential_chain, within_dac
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.broker import BrokerCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.interactive_browser import InteractiveBrowserCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.shared_cache import SharedTokenCacheCredential, supported
from engine.credentials.vscode import VisualStudioCodeCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.profiles import (
    DAC_FLAG_RESET_ON_ERROR,
    IMDS_PROBE_SWITCH,
    SHARED_CACHE_BUILD_UNGUARDED,
    VSCODE_BROKER,
    WORKLOAD_ENV_GATED,
    Profile,
    building_as,
    get_profile,
)
from engine.selection import resolve_exclusions, token_credentials_value
from engine.token import AccessToken
from engine.token_request import GET_TOKEN, GET_TOKEN_INFO, calling
from engine.validation import default_authority, normalize_authority

DEFAULT_LOGGER = "azure.identity._credentials.default"
TENANT_ID_NOT_SUPPORTED = "'tenant_id' is not supported in DefaultAzureCredential."
SHARED_CACHE_UNAVAILABLE = "Shared token cache is unavailable: '{}'"


class FailedDACCredential:
    """Stands in for a WorkloadIdentityCredential that could not be built; always unavailable."""

    _credential_name = "WorkloadIdentityCredential"

    def __init__(self, error: str) -> None:
        self._error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise CredentialUnavailableError(self._error)

    def get_token_info(self, *scopes: str, options: Mapping[str, Any] | None = None) -> AccessToken:
        raise CredentialUnavailableError(self._error)

    def close(self) -> None:
        pass

    def __enter__(self) -> FailedDACCredential:
        return self

    def __exit__(self, *args: object) -> None:
        pass


class DefaultAzureCredential(ChainedTokenCredential):
    """azure-identity's DefaultAzureCredential for a chosen version profile, on a given Host."""

    def __init__(self, *, host: Host, profile: str | Profile | None = None, **kwargs: Any) -> None:
        if "tenant_id" in kwargs:
            raise TypeError(TENANT_ID_NOT_SUPPORTED)
        self.profile = get_profile(profile)
        self.host = host
        env = host.env
        explicit = {m.key: kwargs.pop(m.exclude_option) for m in self.profile.members if m.exclude_option in kwargs}
        values = dac_keywords.read(kwargs, env, self.profile)
        authority = values["authority"]
        authority = normalize_authority(authority) if authority else default_authority(env)
        require_envvar = bool(values.get("require_envvar"))
        self.excluded = resolve_exclusions(self.profile, env, explicit, require_envvar)
        self.token_credentials = token_credentials_value(env)
        options = {
            "authority": authority,
            "mi_client_id": values["managed_identity_client_id"],
            "wi_client_id": values["workload_identity_client_id"],
            "wi_tenant_id": values["workload_identity_tenant_id"],
            "ib_tenant_id": values["interactive_browser_tenant_id"],
            "ib_client_id": values["interactive_browser_client_id"],
            "broker_tenant_id": values.get("broker_tenant_id"),
            "broker_client_id": values.get("broker_client_id"),
            "cache_username": values["shared_cache_username"],
            "cache_tenant_id": values["shared_cache_tenant_id"],
            "vscode_tenant_id": values["visual_studio_code_tenant_id"],
            "vscode_authority": values["authority"],
            "process_timeout": values["process_timeout"],
        }
        token = within_dac.set(True)
        try:
            with building_as(self.profile):
                credentials = self._build_members(options, kwargs)
        finally:
            within_dac.reset(token)
            within_dac.set(False)
        super().__init__(*credentials)

    def _build_members(self, o: dict, kwargs: dict) -> list[Any]:
        host, profile, excluded = self.host, self.profile, self.excluded
        members: list[Any] = []
        for member in profile.members:
            if member.key in excluded:
                continue
            key = member.key
            if key == "environment":
                members.append(EnvironmentCredential(host=host, authority=o["authority"], _within_dac=True, **kwargs))
            elif key == "workload_identity":
                wi = self._build_workload_identity(o, kwargs)
                if wi is not None:
                    members.append(wi)
            elif key == "managed_identity":
                members.append(self._build_managed_identity(o, kwargs))
            elif key == "shared_token_cache":
                if supported(host):
                    cache = self._build_shared_cache(o, kwargs)
                    if cache is not None:
                        members.append(cache)
            elif key == "visual_studio_code":
                members.append(self._build_vscode(o, kwargs))
            elif key == "cli":
                members.append(AzureCliCredential(host=host, process_timeout=o["process_timeout"]))
            elif key == "powershell":
                members.append(AzurePowerShellCredential(host=host, process_timeout=o["process_timeout"]))
            elif key == "developer_cli":
                members.append(AzureDeveloperCliCredential(host=host, process_timeout=o["process_timeout"]))
            elif key == "interactive_browser":
                extra = {"client_id": o["ib_client_id"]} if o["ib_client_id"] else {}
                members.append(InteractiveBrowserCredential(host=host, tenant_id=o["ib_tenant_id"], **extra, **kwargs))
            elif key == "broker":
                members.append(
                    BrokerCredential(
                        host=host, tenant_id=o["broker_tenant_id"], client_id=o["broker_client_id"], **kwargs
                    )
                )
        return members

    def _build_shared_cache(self, o: dict, kwargs: dict) -> SharedTokenCacheCredential | None:
        def build() -> SharedTokenCacheCredential:
            return SharedTokenCacheCredential(
                o["cache_username"], host=self.host, tenant_id=o["cache_tenant_id"], authority=o["authority"], **kwargs
            )

        if self.profile.has(SHARED_CACHE_BUILD_UNGUARDED):
            return build()
        try:  # before 1.25 a cache that cannot be opened is logged and left out
            return build()
        except Exception as ex:
            events.log(DEFAULT_LOGGER, logging.INFO, SHARED_CACHE_UNAVAILABLE.format(ex))
            return None

    def _build_vscode(self, o: dict, kwargs: dict) -> VisualStudioCodeCredential:
        if self.profile.has(VSCODE_BROKER):
            return VisualStudioCodeCredential(host=self.host, tenant_id=o["vscode_tenant_id"])
        # before 1.24: DefaultAzureCredential's other keywords, the raw authority and the tenant go along
        extra = dict(kwargs)
        if o["vscode_authority"]:
            extra["authority"] = o["vscode_authority"]
        if o["vscode_tenant_id"]:
            extra["tenant_id"] = o["vscode_tenant_id"]
        return VisualStudioCodeCredential(host=self.host, **extra)

    def _build_workload_identity(self, o: dict, kwargs: dict) -> Any:
        env = self.host.env
        if self.profile.workload_identity == WORKLOAD_ENV_GATED:
            if not all(
                env.get(v) for v in (ev.AZURE_AUTHORITY_HOST, ev.AZURE_TENANT_ID, ev.AZURE_FEDERATED_TOKEN_FILE)
            ):
                return None
            if not (o["wi_client_id"] or env.get(ev.AZURE_CLIENT_ID)):
                raise ValueError(self.profile.messages["workload_no_client_id"])
        try:
            return WorkloadIdentityCredential(
                host=self.host,
                client_id=o["wi_client_id"],
                tenant_id=o["wi_tenant_id"],
                token_file_path=env.get(ev.AZURE_FEDERATED_TOKEN_FILE),
                **kwargs,
            )
        except ValueError as ex:
            if self.profile.workload_identity == WORKLOAD_ENV_GATED:
                raise
            return FailedDACCredential(str(ex))

    def _build_managed_identity(self, o: dict, kwargs: dict) -> ManagedIdentityCredential:
        extra = {}
        if self.profile.has(IMDS_PROBE_SWITCH):
            extra["_enable_imds_probe"] = self.token_credentials != "managedidentitycredential"
        return ManagedIdentityCredential(
            host=self.host,
            client_id=o["mi_client_id"],
            _exclude_workload_identity_credential="workload_identity" in self.excluded,
            **extra,
            **kwargs,
        )

    @property
    def member_names(self) -> list[str]:
        return [getattr(c, "_credential_name", None) or type(c).__name__ for c in self.credentials]

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        def ask(credential: Any) -> AccessToken:
            return credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)

        with calling(GET_TOKEN):
            if self._successful_credential is not None:
                return self._locked_in(ask)
            return self._first_walk(
                lambda: ChainedTokenCredential.get_token(
                    self, *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
                )
            )

    def get_token_info(self, *scopes: str, options: Mapping[str, Any] | None = None) -> AccessToken:
        """What Azure SDK clients call: as get_token, through each member's get_token_info."""
        with calling(GET_TOKEN_INFO):
            if self._successful_credential is not None:
                return self._locked_in(lambda credential: credential.get_token_info(*scopes, options=options))
            return self._first_walk(lambda: ChainedTokenCredential.get_token_info(self, *scopes, options=options))

    def _locked_in(self, ask: Callable[[Any], AccessToken]) -> AccessToken:
        """Straight to the first credential that ever succeeded, errors unchanged."""
        credential = self._successful_credential
        with attempt(credential, locked_in=True) as current:
            token = ask(credential)
            current.succeed(token)
        events.log(
            DEFAULT_LOGGER, logging.INFO, f"{type(self).__name__} acquired a token from {type(credential).__name__}"
        )
        return token

    def _first_walk(self, walk: Callable[[], AccessToken]) -> AccessToken:
        """The walk before any lock-in, with ``within_dac`` set: the members' DAC-only softening applies."""
        flag = within_dac.set(True)
        try:
            token = walk()
        except events.RunCancelled:
            self._clear_flags(flag)
            raise
        except BaseException:
            # Before 1.24 a walk that raised skipped the reset: within_dac stays set in the caller's context.
            if self.profile.has(DAC_FLAG_RESET_ON_ERROR):
                self._clear_flags(flag)
            within_credential_chain.set(False)
            raise
        self._clear_flags(flag)
        return token

    @staticmethod
    def _clear_flags(flag: Any) -> None:
        within_dac.reset(flag)
        within_dac.set(False)
        within_credential_chain.set(False)
