"""Azure Arc: the himds agent challenges with 401 and a key file only local admins can read.

The first GET (``Metadata: true``) must be answered 401 with ``WWW-Authenticate: Basic realm=<path>``;
the key is read from the agent's token directory (the file named like the challenge path, ≤ 4 KiB)
and sent as ``Authorization: Basic <key>`` on the second GET.
"""

from __future__ import annotations

import json
import ntpath
import posixpath
from typing import Any

from engine import env_vars as ev
from engine.credentials._internal.managed_identity_sources.identity import (
    CLIENT_ID,
    OBJECT_ID,
    RESOURCE_ID,
    ManagedIdentity,
    ManagedIdentityError,
)
from engine.host import Host

API_VERSION = "2020-06-01"
# Arc honours IMDS's spelling of the resource id.
PARAMETERS = {CLIENT_ID: "client_id", RESOURCE_ID: "msi_res_id", OBJECT_ID: "object_id"}
DEFAULT_ENDPOINT = "http://localhost:40342/metadata/identity/oauth2/token"
LINUX_AGENT = "/opt/azcmagent/bin/himds"
WINDOWS_AGENT = r"{}\AzureConnectedMachineAgent\himds.exe"
# Where each platform's agent keeps its challenge keys; tests point these at a temporary directory.
KEY_DIRECTORIES = {"linux": "/var/opt/azcmagent/tokens", "win32": r"{}\AzureConnectedMachineAgent\Tokens"}
MAX_KEY_SIZE = 4096

UNRECOGNIZABLE_HEADER = "Unrecognizable WWW-Authenticate header: {}"
UNSUPPORTED_PLATFORM = "Platform {} was undefined and unsupported"
KEY_TOO_LARGE = "Local key file shall not be larger than 4KB"
NOT_CONFIRMED = (
    "Azure Arc did not confirm the requested user-assigned managed identity in the token response. The agent "
    "likely does not support user-assigned managed identities and returned the system-assigned identity."
)


class ArcPlatformNotSupportedError(ManagedIdentityError):
    pass


def arc_endpoint(host: Host) -> str | None:
    """msal's Arc detection: both variables present, or the agent installed on this machine."""
    env = host.env
    if ev.IDENTITY_ENDPOINT in env and ev.IMDS_ENDPOINT in env:
        return env[ev.IDENTITY_ENDPOINT]
    program_files = env.get("ProgramFiles", "${ProgramFiles}")
    if (host.sys_platform == "linux" and host.exists(LINUX_AGENT)) or (
        host.sys_platform == "win32" and host.exists(WINDOWS_AGENT.format(program_files))
    ):
        return DEFAULT_ENDPOINT
    return None


def key_directory(host: Host) -> str | None:
    template = KEY_DIRECTORIES.get(host.sys_platform)
    if template is None:
        return None
    return template.format(host.env.get("ProgramData", "%ProgramData%")) if "{}" in template else template


def _confirm_user_assigned(identity: ManagedIdentity, payload: dict) -> None:
    if not identity.is_user_assigned:
        return
    echoed = {
        CLIENT_ID: payload.get("client_id"),
        OBJECT_ID: payload.get("object_id"),
        RESOURCE_ID: payload.get("msi_res_id") or payload.get("mi_res_id"),
    }.get(identity.id_type)
    if not echoed or str(echoed).lower() != str(identity.id).lower():
        raise ManagedIdentityError(NOT_CONFIRMED)


def obtain_token_on_arc(host: Host, http_client: Any, endpoint: str, identity: ManagedIdentity, resource: str) -> dict:
    params = identity.add_parameter({"api-version": API_VERSION, "resource": resource}, PARAMETERS)
    challenge_response = http_client.get(endpoint, params=dict(params), headers={"Metadata": "true"})
    if challenge_response.status_code != 401:
        return {"error": "invalid_request", "error_description": challenge_response.text}
    headers = {k.lower(): v for k, v in challenge_response.headers.items()}
    challenge = headers.get("www-authenticate", "").split("=")
    if not (len(challenge) == 2 and challenge[0].lower() == "basic realm"):
        raise ManagedIdentityError(UNRECOGNIZABLE_HEADER.format(challenge_response.headers))
    directory = key_directory(host)
    if directory is None:
        raise ArcPlatformNotSupportedError(UNSUPPORTED_PLATFORM.format(host.sys_platform))
    paths = ntpath if host.sys_platform == "win32" else posixpath
    filename = paths.join(directory, paths.splitext(paths.basename(challenge[1]))[0] + ".key")
    if host.file_size(filename) > MAX_KEY_SIZE:
        raise ManagedIdentityError(KEY_TOO_LARGE)
    key = host.read_text(filename, label=f"read Azure Arc key {filename}")
    response = http_client.get(
        endpoint, params=dict(params), headers={"Metadata": "true", "Authorization": f"Basic {key}"}
    )
    try:
        payload = json.loads(response.text)
        if payload.get("access_token") and payload.get("expires_in"):
            _confirm_user_assigned(identity, payload)
            return {
                "access_token": payload["access_token"],
                "expires_in": int(payload["expires_in"]),
                "token_type": payload.get("token_type", "Bearer"),
                "resource": payload.get("resource"),
            }
    except json.JSONDecodeError:
        pass
    return {"error": "invalid_request", "error_description": response.text}
