"""The authentication record VS Code's Azure Resources extension leaves in ~/.azure, read and checked
exactly as azure-identity 1.27 reads it (size limit, required fields, the extension's client id)."""

from __future__ import annotations

import json
from typing import Any

from engine.constants import VSCODE_CLIENT_ID
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.host import Host
from engine.validation import validate_tenant_id

MAX_AUTH_RECORD_SIZE = 10 * 1024
AUTH_RECORD_PATHS = (
    "~/.azure/ms-azuretools.vscode-azureresourcegroups/authRecord.json",
    "~/.Azure/ms-azuretools.vscode-azureresourcegroups/authRecord.json",
)
TOO_LARGE = (
    "VS Code auth record file is unexpectedly large. Please check the file for corruption or unexpected content."
)
VALIDATION_FAILED = "Authentication record validation failed: "
WRONG_CLIENT = f"clientId must match expected VS Code Azure Resources extension client ID: {VSCODE_CLIENT_ID}"


def load_vscode_auth_record(host: Host) -> AuthenticationRecord | None:
    """The first record file that exists, validated; None when there is none.

    Raises ValueError (too large, malformed JSON, failed validation), and whatever azure-identity lets
    through for a JSON value that is not an object (TypeError).
    """
    for candidate in AUTH_RECORD_PATHS:
        path = host.expand_user(candidate)
        if not host.exists(path):
            continue
        if host.file_size(path) > MAX_AUTH_RECORD_SIZE:
            raise ValueError(TOO_LARGE)
        data = json.loads(host.read_text(path, label="read the VS Code auth record"))
        validate_record(data)
        return AuthenticationRecord(
            authority=data["authority"],
            client_id=data["clientId"],
            home_account_id=data["homeAccountId"],
            tenant_id=data["tenantId"],
            username=data["username"],
        )
    return None


def validate_record(data: Any) -> None:
    """azure-identity's ``_validate_auth_record_json``: every problem, joined with "; "."""
    errors = []
    try:
        tenant_id = data["tenantId"]
        if not tenant_id or not isinstance(tenant_id, str):
            errors.append("tenantId must be a non-empty string")
        else:
            try:
                validate_tenant_id(tenant_id)
            except ValueError as ex:
                errors.append(f"tenantId validation failed: {ex}")
    except KeyError:
        errors.append("tenantId field is missing")
    try:
        client_id = data["clientId"]
        if not client_id or not isinstance(client_id, str):
            errors.append("clientId must be a non-empty string")
        elif client_id != VSCODE_CLIENT_ID:
            errors.append(WRONG_CLIENT)
    except KeyError:
        errors.append("clientId field is missing")
    for field in ("username", "homeAccountId", "authority"):
        try:
            value = data[field]
            if not value or not isinstance(value, str):
                errors.append(f"{field} must be a non-empty string")
        except KeyError:
            errors.append(f"{field} field is missing")
    if errors:
        raise ValueError(VALIDATION_FAILED + "; ".join(errors))
