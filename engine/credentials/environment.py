"""EnvironmentCredential: a service principal or user configured through AZURE_* variables."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from engine import env_vars as ev
from engine import events
from engine.credentials._internal.base import Credential
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials.certificate import CertificateCredential
from engine.credentials.client_secret import ClientSecretCredential
from engine.credentials.username_password import UsernamePasswordCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, UNKNOWN, Probe
from engine.token import AccessToken
from engine.validation import authority_host_problem, normalize_authority

LOGGER = "azure.identity._credentials.environment"
NOT_CONFIGURED = (
    "EnvironmentCredential authentication unavailable. Environment variables are not fully configured.\n"
    "Visit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to troubleshoot this issue."
)
USERNAME_PASSWORD_DEPRECATED = (
    "Environment is configured to use username and password authentication. This authentication method is "
    "deprecated, as it doesn't support multifactor authentication (MFA). For more details, see "
    "https://aka.ms/azsdk/identity/mfa."
)

SECRET = "client secret"
CERTIFICATE = "client certificate"
USERNAME_PASSWORD = "username and password"


def _present(env, names) -> bool:
    # azure-identity tests "is not None": an empty string counts as set.
    return all(env.get(name) is not None for name in names)


class EnvironmentCredential(Credential):
    def __init__(self, *, host: Host, **kwargs: Any) -> None:
        super().__init__(host=host)
        self._within_dac = bool(kwargs.pop("_within_dac", False))
        env = host.env
        self._credential: Credential | None = None
        self.mode: str | None = None
        self.deprecation_warning: str | None = None
        if _present(env, ev.ENVIRONMENT_SECRET_VARS):
            self.mode = SECRET
            self._credential = ClientSecretCredential(
                client_id=env[ev.AZURE_CLIENT_ID],
                client_secret=env[ev.AZURE_CLIENT_SECRET],
                tenant_id=env[ev.AZURE_TENANT_ID],
                host=host,
                **kwargs,
            )
        elif _present(env, ev.ENVIRONMENT_CERT_VARS):
            self.mode = CERTIFICATE
            self._credential = CertificateCredential(
                client_id=env[ev.AZURE_CLIENT_ID],
                certificate_path=env[ev.AZURE_CLIENT_CERTIFICATE_PATH],
                tenant_id=env[ev.AZURE_TENANT_ID],
                password=env.get(ev.AZURE_CLIENT_CERTIFICATE_PASSWORD),
                send_certificate_chain=bool(env.get(ev.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN)),
                host=host,
                **kwargs,
            )
        elif _present(env, ev.ENVIRONMENT_USERNAME_VARS):
            self.mode = USERNAME_PASSWORD
            self._credential = UsernamePasswordCredential(
                client_id=env[ev.AZURE_CLIENT_ID],
                username=env[ev.AZURE_USERNAME],
                password=env[ev.AZURE_PASSWORD],
                tenant_id=env.get(ev.AZURE_TENANT_ID),
                host=host,
                _silence_deprecation_warning=True,  # this credential warns instead, with its own text
                **kwargs,
            )
            self.deprecation_warning = USERNAME_PASSWORD_DEPRECATED
            warnings.warn(USERNAME_PASSWORD_DEPRECATED, DeprecationWarning, stacklevel=2)
        self.construction_log = self._construction_log(env)
        events.log(*self.construction_log)

    def _construction_log(self, env) -> tuple[str, int, str]:
        """The line azure-identity logs when it builds this credential (logger, level, message)."""
        if self._credential is not None:
            return (LOGGER, logging.INFO, f"Environment is configured for {type(self._credential).__name__}")
        names = [
            n
            for n in (
                *ev.ENVIRONMENT_SECRET_VARS,
                ev.AZURE_CLIENT_CERTIFICATE_PATH,
                ev.AZURE_USERNAME,
                ev.AZURE_PASSWORD,
            )
            if n in env
        ]
        names = list(dict.fromkeys(names))
        if names:
            level = logging.INFO if self._within_dac else logging.WARNING
            message = "Incomplete environment configuration for EnvironmentCredential. These variables are set: "
            return (LOGGER, level, message + ", ".join(names))
        return (LOGGER, logging.INFO, "No environment configuration found.")

    @logged(DECORATORS)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        **kwargs: Any,
    ) -> AccessToken:
        if self._credential is None:
            raise CredentialUnavailableError(NOT_CONFIGURED)
        return self._credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, **kwargs)

    def probe(self) -> Probe:
        if self._credential is not None:
            inner = self._credential.probe()
            reason = f"configured for {self.mode}: {inner.reason}"
            authority = self.host.env.get(ev.AZURE_AUTHORITY_HOST)
            problem = authority_host_problem(normalize_authority(authority)) if authority else None
            if problem and inner.status == AVAILABLE:  # the run fails there: do not call it available
                return Probe(type(self).__name__, UNKNOWN, f"{reason}; but {problem}", inner.identity)
            return Probe(type(self).__name__, inner.status, reason, inner.identity)
        return Probe(type(self).__name__, UNAVAILABLE, missing_variables_reason(self.host.env))

    def close(self) -> None:
        if self._credential is not None:
            self._credential.close()


def missing_variables_reason(env) -> str:
    """Why no mode is configured: for each partly configured mode, which variables it lacks."""
    partial = []
    for names in (ev.ENVIRONMENT_SECRET_VARS, ev.ENVIRONMENT_CERT_VARS, ev.ENVIRONMENT_USERNAME_VARS):
        present = [n for n in names if env.get(n) is not None]
        # AZURE_CLIENT_ID and AZURE_TENANT_ID are shared: they alone don't mean a mode was intended.
        distinctive = [n for n in present if n not in (ev.AZURE_CLIENT_ID, ev.AZURE_TENANT_ID)]
        if distinctive:
            missing = [n for n in names if env.get(n) is None]
            partial.append(f"{' and '.join(distinctive)} set but {' and '.join(missing)} missing")
    if partial:
        return "; ".join(partial)
    shared = [n for n in (ev.AZURE_CLIENT_ID, ev.AZURE_TENANT_ID) if env.get(n) is not None]
    if shared:
        return (
            f"only {' and '.join(shared)} set: needs AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH "
            "or AZURE_USERNAME with AZURE_PASSWORD"
        )
    return "no AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or certificate, or username and password) set"
