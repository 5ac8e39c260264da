"""ManagedIdentityCredential's probe: which host was detected, which identity, and for IMDS whether it answers.

No token is requested. For IMDS the probe sends azure-identity's own availability probe (a GET
without the ``Metadata`` header, 1 s connect timeout, no retries) on the host's session; the read
is bounded too, so a probe never hangs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from engine import env_vars as ev
from engine.account import Account
from engine.credentials._internal.managed_identity_hosts.imds import PROBE_CONNECT_TIMEOUT
from engine.credentials._internal.managed_identity_sources.imds import API_VERSION, imds_url
from engine.host import Host
from engine.pipeline import Pipeline
from engine.probe import AVAILABLE, UNAVAILABLE, UNKNOWN, Probe
from engine.retry import RetryPolicy
from engine.transport import ServiceRequestError, ServiceRequestTimeoutError, ServiceResponseError

PROBE_READ_TIMEOUT = 3
PROBE_RESOURCE = "https://management.azure.com"
NO_PLATFORM = (
    "IDENTITY_ENDPOINT is set without IDENTITY_HEADER or IMDS_ENDPOINT: no managed identity platform detected "
    "(azure-identity does not fall back to IMDS)"
)
DETECTED_BY = {
    "Service Fabric managed identity": "IDENTITY_ENDPOINT, IDENTITY_HEADER and IDENTITY_SERVER_THUMBPRINT",
    "App Service managed identity": "IDENTITY_ENDPOINT and IDENTITY_HEADER",
    "Azure Arc managed identity": "IDENTITY_ENDPOINT and IMDS_ENDPOINT",
    "Azure ML managed identity": "MSI_ENDPOINT and MSI_SECRET",
    "Cloud Shell managed identity": "MSI_ENDPOINT",
}
ENDPOINT_VARIABLE = {
    "Service Fabric managed identity": ev.IDENTITY_ENDPOINT,
    "App Service managed identity": ev.IDENTITY_ENDPOINT,
    "Azure Arc managed identity": ev.IDENTITY_ENDPOINT,
    "Azure ML managed identity": ev.MSI_ENDPOINT,
    "Cloud Shell managed identity": ev.MSI_ENDPOINT,
}


BAD_ENDPOINT = "{variable} is {problem} ({value!r}): no request can be sent, so the run fails here"
BAD_IMDS_HOST = (
    "IMDS: {variable} is {problem} ({value!r}): no request can be sent "
    "(the run reports no response from the IMDS endpoint)"
)


def url_problem(url: str) -> str | None:
    """Why requests could not send to ``url`` (as a short phrase), or None when it is a usable http(s) URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as ex:
        return f"not a valid URL ({ex})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "a URL without a host"
    return None


def probe_managed_identity(credential: Any) -> Probe:
    """The probe of a ManagedIdentityCredential (passed in; this module does not import it)."""
    name = type(credential).__name__
    host: Host = credential.host
    started = host.monotonic()
    environment = credential.environment
    if environment is None:
        return Probe(name, UNAVAILABLE, NO_PLATFORM, None, host.monotonic() - started)
    identity = _identity_of(credential.selected_identity)
    if environment == "workload identity":
        inner = credential._credential.probe()
        reason = f"token exchange (workload identity): {inner.reason}"
        return Probe(name, inner.status, reason, inner.identity, host.monotonic() - started)
    who = _describe(credential.selected_identity)
    if environment == "IMDS":
        status, reason = probe_imds(host, credential._client_id, credential._identity_config)
        return Probe(name, status, f"{reason}; {who}", identity, host.monotonic() - started)
    variable = ENDPOINT_VARIABLE[environment]
    endpoint = host.env.get(variable, "")
    if problem := url_problem(endpoint):
        reason = BAD_ENDPOINT.format(variable=variable, problem=problem, value=endpoint)
        return Probe(name, UNKNOWN, f"{environment} detected; {reason}", identity, host.monotonic() - started)
    reason = f"{environment} detected ({DETECTED_BY[environment]} set; endpoint {endpoint}); {who}"
    return Probe(name, AVAILABLE, reason, identity, host.monotonic() - started)


def _identity_of(selected: tuple[str, str] | None) -> Account | None:
    if not selected:
        return None
    kind, value = selected
    if kind == "client_id":
        return Account(client_id=value, identity_type="app")
    if kind == "object_id":
        return Account(object_id=value, identity_type="app")
    return Account(identity_type="app", claims={"xms_mirid": value})


def _describe(selected: tuple[str, str] | None) -> str:
    return f"user-assigned identity {selected[0]} {selected[1]}" if selected else "system-assigned identity"


def probe_imds(host: Host, client_id: str | None, identity_config: dict) -> tuple[str, str]:
    """(status, reason) from one probe request, as azure-identity's probe sends it."""
    params = {"api-version": API_VERSION, "resource": PROBE_RESOURCE, **identity_config}
    if client_id:
        params["client_id"] = client_id
    url = imds_url(host.env)
    authority = host.env.get(ev.AZURE_POD_IDENTITY_AUTHORITY_HOST)
    if authority and (problem := url_problem(url)):
        return UNAVAILABLE, BAD_IMDS_HOST.format(
            variable=ev.AZURE_POD_IDENTITY_AUTHORITY_HOST, problem=problem, value=authority
        )
    pipeline = Pipeline(host, retry_policy=RetryPolicy(retry_total=0))
    try:
        response = pipeline.run(
            "GET",
            url,
            params=params,
            connection_timeout=PROBE_CONNECT_TIMEOUT,
            read_timeout=PROBE_READ_TIMEOUT,
            retry_total=0,
            decode=False,
        ).http_response
    except ServiceRequestTimeoutError:
        return UNAVAILABLE, f"IMDS: no response within {PROBE_CONNECT_TIMEOUT} s ({url})"
    except ServiceRequestError as ex:
        return UNAVAILABLE, f"IMDS: no response ({_cause(ex)}; {url})"
    except ServiceResponseError as ex:
        return UNKNOWN, f"IMDS: accepted the connection but sent no usable answer ({_cause(ex)}; {url})"
    finally:
        pipeline.close()
    if response.status_code == 403 and "unreachable" in response.text():
        return UNAVAILABLE, f"IMDS: HTTP 403 network unreachable (Docker Desktop's answer; {url})"
    return AVAILABLE, f"IMDS answered (HTTP {response.status_code}) at {url}"


def _cause(ex: BaseException) -> str:
    text = str(ex)
    for marker in ("Connection refused", "timed out", "Name or service not known", "Network is unreachable"):
        if marker in text:
            return marker.lower()
    return type(ex).__name__
