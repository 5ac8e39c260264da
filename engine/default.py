"""DefaultAzureCredential: the chain azure-identity builds from the environment and keyword arguments."""

from __future__ import annotations

import logging
from typing import Any

from engine import env_vars as ev
from engine import events
from engine.chain import ChainedTokenCredential, attempt
from engine.context import within_credential_chain, within_dac
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.broker import BrokerCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.interactive_browser import InteractiveBrowserCredential
from engine.credentials.managed_identity import NO_WORKLOAD_CLIENT_ID, ManagedIdentityCredential
from engine.credentials.shared_cache import SharedTokenCacheCredential, supported
from engine.credentials.vscode import VisualStudioCodeCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.profiles import (
    WORKLOAD_ENV_GATED,
    Profile,
    get_profile,
)
from engine.selection import resolve_exclusions, token_credentials_value
from engine.token import AccessToken
from engine.validation import default_authority, normalize_authority

DEFAULT_LOGGER = "azure.identity._credentials.default"
TENANT_ID_NOT_SUPPORTED = "'tenant_id' is not supported in DefaultAzureCredential."


class FailedDACCredential:
    """Stands in for a WorkloadIdentityCredential that could not be built; always unavailable."""

    _credential_name = "WorkloadIdentityCredential"

    def __init__(self, error: str) -> None:
        self._error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
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
        authority = kwargs.pop("authority", None)
        authority = normalize_authority(authority) if authority else default_authority(env)

        explicit = {m.key: kwargs.pop(m.exclude_option) for m in self.profile.members if m.exclude_option in kwargs}
        require_envvar = bool(kwargs.pop("require_envvar", False)) if self.profile.require_envvar else False
        self.excluded = resolve_exclusions(self.profile, env, explicit, require_envvar)
        self.token_credentials = token_credentials_value(env)

        mi_client_id = kwargs.pop("managed_identity_client_id", env.get(ev.AZURE_CLIENT_ID))
        options = {
            "authority": authority,
            "mi_client_id": mi_client_id,
            "wi_client_id": kwargs.pop("workload_identity_client_id", mi_client_id),
            "wi_tenant_id": kwargs.pop("workload_identity_tenant_id", env.get(ev.AZURE_TENANT_ID)),
            "ib_tenant_id": kwargs.pop("interactive_browser_tenant_id", env.get(ev.AZURE_TENANT_ID)),
            "ib_client_id": kwargs.pop("interactive_browser_client_id", None),
            "broker_tenant_id": kwargs.pop("broker_tenant_id", env.get(ev.AZURE_TENANT_ID))
            if "broker_tenant_id" in self.profile.options
            else None,
            "broker_client_id": kwargs.pop("broker_client_id", None)
            if "broker_client_id" in self.profile.options
            else None,
            "cache_username": kwargs.pop("shared_cache_username", env.get(ev.AZURE_USERNAME)),
            "cache_tenant_id": kwargs.pop("shared_cache_tenant_id", env.get(ev.AZURE_TENANT_ID)),
            "vscode_tenant_id": kwargs.pop("visual_studio_code_tenant_id", None),
            "process_timeout": kwargs.pop("process_timeout", 10),
        }
        self.forwarded_options = dict(kwargs)
        token = within_dac.set(True)
        try:
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
                    members.append(
                        SharedTokenCacheCredential(
                            o["cache_username"],
                            host=host,
                            tenant_id=o["cache_tenant_id"],
                            authority=o["authority"],
                            **kwargs,
                        )
                    )
            elif key == "visual_studio_code":
                members.append(VisualStudioCodeCredential(host=host, tenant_id=o["vscode_tenant_id"]))
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
        try:
            return ManagedIdentityCredential(
                host=self.host,
                client_id=o["mi_client_id"],
                _exclude_workload_identity_credential="workload_identity" in self.excluded,
                _enable_imds_probe=self.token_credentials != "managedidentitycredential",
                **kwargs,
            )
        except ValueError as ex:
            replacement = self.profile.messages.get("managed_identity_no_client_id")
            if replacement and str(ex) == NO_WORKLOAD_CLIENT_ID:
                raise ValueError(replacement) from None
            raise

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
        if self._successful_credential is not None:
            # Locked in: straight to the first credential that ever succeeded, errors unchanged.
            credential = self._successful_credential
            with attempt(credential, locked_in=True) as current:
                token = credential.get_token(
                    *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
                )
                current.succeed(token)
            events.log(
                DEFAULT_LOGGER, logging.INFO, f"{type(self).__name__} acquired a token from {type(credential).__name__}"
            )
            return token
        flag = within_dac.set(True)
        try:
            return super().get_token(*scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)
        finally:
            within_dac.reset(flag)
            within_dac.set(False)
            within_credential_chain.set(False)
