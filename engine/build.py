"""Build the credential a ChainSpec describes, on a Host."""

from __future__ import annotations

from typing import Any

from engine.chain import ChainedTokenCredential
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.broker import BrokerCredential
from engine.credentials.certificate import CertificateCredential
from engine.credentials.client_secret import ClientSecretCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.interactive_browser import InteractiveBrowserCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.shared_cache import SharedTokenCacheCredential
from engine.credentials.username_password import UsernamePasswordCredential
from engine.credentials.vscode import VisualStudioCodeCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.default import DefaultAzureCredential
from engine.host import Host
from engine.profiles import building_as
from engine.spec import DEFAULT_SECRET_VARIABLES, REQUIRED, REQUIRED_OPTIONS, ChainSpec, CredentialSpec

CREDENTIAL_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        EnvironmentCredential,
        WorkloadIdentityCredential,
        ManagedIdentityCredential,
        SharedTokenCacheCredential,
        VisualStudioCodeCredential,
        AzureCliCredential,
        AzurePowerShellCredential,
        AzureDeveloperCliCredential,
        InteractiveBrowserCredential,
        BrokerCredential,
        ClientSecretCredential,
        CertificateCredential,
        UsernamePasswordCredential,
    )
}
MISSING_SECRET_VARIABLE = "environment variable {} (named by {}) is not set"


def build(spec: ChainSpec, host: Host) -> Any:
    """The DefaultAzureCredential or ChainedTokenCredential ``spec`` describes; constructor errors escape."""
    if spec.is_default:
        return DefaultAzureCredential(host=host, profile=spec.azure_identity, **spec.options)
    with building_as(spec.profile):  # each member behaves as the spec's azure-identity release
        members = [build_credential(c, host) for c in spec.credentials if c.enabled]
    return ChainedTokenCredential(*members)


def build_credential(spec: CredentialSpec, host: Host) -> Any:
    for key in REQUIRED_OPTIONS.get(spec.type, ()):
        if key not in spec.options:  # else the constructor's bare "missing positional argument" TypeError
            raise ValueError(REQUIRED.format(kind=spec.type, key=key))
    options = {**DEFAULT_SECRET_VARIABLES.get(spec.type, {}), **spec.options}
    for name in [k for k in options if k.endswith("_env")]:
        variable = options.pop(name)
        value = host.env.get(variable)
        if value is None:
            raise ValueError(MISSING_SECRET_VARIABLE.format(variable, name))
        options[name[: -len("_env")]] = value
    return CREDENTIAL_CLASSES[spec.type](host=host, **options)
