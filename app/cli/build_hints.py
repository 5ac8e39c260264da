"""Which variable a constructor error came from, for the one line ``cannot build ...`` prints.

azure-identity's constructors read AZURE_CLIENT_CERTIFICATE_PATH and AZURE_TENANT_ID themselves and say
"Failed to deserialize certificate ..." or "Invalid tenant ID provided" without naming either. The CLI
keeps that text (it is what the user's app would raise) and adds the variable and its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine import env_vars as ev
from engine.spec import ChainSpec

# Members that read these variables from the environment (a spec's own CertificateCredential does not)
READS_ENVIRONMENT = ("EnvironmentCredential", "WorkloadIdentityCredential")
CERTIFICATE_PROBLEM = re.compile(r"certificate|PEM|PKCS|private key|Is a directory|No such file|not a regular file")
PASSWORD_PROBLEM = re.compile(r"Password was not given|Incorrect password|could not decrypt|Bad decrypt", re.I)
CERTIFICATE_HINT = " ({name}={value!r})"
PASSWORD_HINT = " (the key in {name}={value!r}; its password goes in {password})"
TENANT_HINT = " ({name}={value!r})"


def source_hint(error: str, spec: ChainSpec, env: Mapping[str, str]) -> str:
    """' (NAME='value')' naming the variable the error came from, or '' when it did not come from one."""
    if not _reads_environment(spec):
        return ""
    certificate = env.get(ev.AZURE_CLIENT_CERTIFICATE_PATH)
    if certificate is not None and PASSWORD_PROBLEM.search(error):
        return PASSWORD_HINT.format(
            name=ev.AZURE_CLIENT_CERTIFICATE_PATH, value=certificate, password=ev.AZURE_CLIENT_CERTIFICATE_PASSWORD
        )
    if certificate is not None and CERTIFICATE_PROBLEM.search(error) and not env.get(ev.AZURE_CLIENT_SECRET):
        return CERTIFICATE_HINT.format(name=ev.AZURE_CLIENT_CERTIFICATE_PATH, value=certificate)
    tenant = env.get(ev.AZURE_TENANT_ID)
    if tenant is not None and "Invalid tenant ID" in error:
        return TENANT_HINT.format(name=ev.AZURE_TENANT_ID, value=tenant)
    return ""


def _reads_environment(spec: ChainSpec) -> bool:
    return spec.is_default or any(c.type in READS_ENVIRONMENT for c in spec.credentials)
