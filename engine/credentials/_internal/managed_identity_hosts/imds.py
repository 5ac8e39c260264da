"""IMDS, the Azure VM identity endpoint: azure-identity's probe and wrapper around msal's request (managed_identity_sources.imds).

Off Azure nothing answers at 169.254.169.254, so inside a chain azure-identity first sends one
probe without the ``Metadata`` header and with a 1 s connect timeout: any HTTP answer means
"IMDS is here". The real request then gets IMDS's own retry policy (5 retries, backoff 0.8, 2.5
after a 410, 2 s connect timeout). Almost every failure is reported as unavailable.
"""

from __future__ import annotations

import json
from typing import Any

from engine import env_vars as ev
from engine import events
from engine.context import within_credential_chain
from engine.credentials._internal.managed_identity_hosts.identity_client import ManagedIdentityClient, Request
from engine.credentials._internal.managed_identity_hosts.msal_managed_identity import MsalManagedIdentityClient
from engine.credentials._internal.managed_identity_sources.imds import API_VERSION, imds_url
from engine.credentials._internal.msal_client import MsalHttpClient
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.profiles import IMDS_RETRY_POLICY, current_profile
from engine.retry import RETRY_KEYWORDS, ImdsRetryPolicy, RetryPolicy
from engine.token import AccessToken
from engine.transport import HttpResponseError

PIPELINE_SETTINGS = {
    "connection_timeout": 2,
    "retry_backoff_factor": 0.8,
    "retry_backoff_max": 60,
    "retry_on_status_codes": [404, 410, 429, *range(500, 600)],
    "retry_status": 5,
    "retry_total": 5,
}
PROBE_CONNECT_TIMEOUT = 1

NO_RESPONSE = "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint."
UNAVAILABLE = "ManagedIdentityCredential authentication unavailable."
NO_IDENTITY = "ManagedIdentityCredential authentication unavailable. No identity has been assigned to this resource."
FORBIDDEN = "ManagedIdentityCredential authentication unavailable. Error: {}"


def probe_request(host: Host):
    """The probe's request: the same URL and query, with identity_config's keys as they are."""

    def build(resource: str, identity_config: dict) -> Request:
        return Request("GET", imds_url(host.env), {"api-version": API_VERSION, "resource": resource, **identity_config})

    return build


def forbidden_unreachable(ex: BaseException) -> None:
    """Docker Desktop answers 403 "...unreachable..." for the link-local address: that is unavailable."""
    message = getattr(ex, "message", None)
    if getattr(ex, "status_code", None) == 403 and message and "unreachable" in message:
        raise CredentialUnavailableError(FORBIDDEN.format(message)) from ex


def _answered(ex: BaseException) -> bool:
    """An error that means the endpoint sent an HTTP response (azure-core's HttpResponseError family)."""
    return isinstance(ex, HttpResponseError) or (
        isinstance(ex, ClientAuthenticationError) and getattr(ex, "response", None) is not None
    )


class ImdsCredential(MsalManagedIdentityClient):
    UNAVAILABLE_PREFIX = "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint."

    def __init__(self, *, host: Host, **kwargs: Any) -> None:
        self._enable_imds_probe = kwargs.pop("_enable_imds_probe", None)
        self._config = dict(kwargs)
        # Before 1.24 (switch IMDS_RETRY_POLICY) the token request had azure-core's default policy:
        # 404 and 410 not retried, 3 retries of 5xx (4 requests in about 5 s), no 2 s connect timeout.
        self._imds_policy = current_profile().has(IMDS_RETRY_POLICY)
        super().__init__(host=host, **({**PIPELINE_SETTINGS, **kwargs} if self._imds_policy else kwargs))
        # A pod-identity endpoint is taken as confirmed: no probe.
        self._endpoint_available: bool | None = True if ev.AZURE_POD_IDENTITY_AUTHORITY_HOST in host.env else None

    def _create_http_client(self, **kwargs: Any) -> MsalHttpClient:
        policy_class = ImdsRetryPolicy if self._imds_policy else RetryPolicy
        policy = policy_class(**{k: kwargs[k] for k in RETRY_KEYWORDS if k in kwargs})
        return MsalHttpClient(self.host, retry_policy=policy, **kwargs)

    def probe_endpoint(self, *scopes: str) -> None:
        """azure-identity's probe: raise CredentialUnavailableError when nothing answers."""
        client = ManagedIdentityClient(self.host, probe_request(self.host), **{**PIPELINE_SETTINGS, **self._config})
        with events.step("probe", "IMDS probe (no Metadata header, 1 s connect timeout)") as handle:
            try:
                client.request_token(*scopes, connection_timeout=PROBE_CONNECT_TIMEOUT, retry_total=0)
                handle.detail["answered"] = True
            except Exception as ex:
                if not _answered(ex):
                    handle.detail["answered"] = False
                    raise CredentialUnavailableError(NO_RESPONSE) from ex
                handle.detail["answered"] = True
                forbidden_unreachable(ex)
            finally:
                client.close()

    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        probe = self._enable_imds_probe if self._enable_imds_probe is not None else within_credential_chain.get()
        if probe and not self._endpoint_available:
            self.probe_endpoint(*scopes)
            self._endpoint_available = True
        try:
            return super()._request_token(*scopes, **kwargs)
        except CredentialUnavailableError:
            raise
        except json.JSONDecodeError as ex:
            raise CredentialUnavailableError(UNAVAILABLE) from ex
        except Exception as ex:
            if not _answered(ex):
                raise CredentialUnavailableError(NO_RESPONSE) from ex
            if getattr(ex, "status_code", None) == 400:
                message = getattr(ex, "message", "")
                raise CredentialUnavailableError(f"{NO_IDENTITY} Error: {message}" if message else NO_IDENTITY) from ex
            forbidden_unreachable(ex)
            raise ResponseAuthenticationError(ex.message, ex.response) from ex  # type: ignore[attr-defined]
