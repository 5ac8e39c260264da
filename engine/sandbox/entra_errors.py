"""Error responses shaped exactly like Microsoft Entra ID's token endpoint errors."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

# AADSTS codes and texts as Entra returns them; {placeholders} are filled per request.
INVALID_CLIENT_SECRET = (
    7000215,
    "invalid_client",
    "Invalid client secret provided. Ensure the secret being sent in the request is the "
    "client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
)
MISSING_CLIENT_CREDENTIAL = (
    7000218,
    "invalid_client",
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
)
APP_NOT_FOUND = (
    700016,
    "unauthorized_client",
    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can "
    "happen if the application has not been installed by the administrator of the tenant or "
    "consented to by any user in the tenant. You may have sent your authentication request to the "
    "wrong tenant.",
)
TENANT_NOT_FOUND = (
    90002,
    "invalid_tenant",
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
    "into the correct cloud. Check with your subscription administrator, this may happen if there "
    "are no active subscriptions for the tenant.",
)
CERT_NOT_REGISTERED = (
    700027,
    "invalid_client",
    "Client assertion failed signature validation. Trace ID: {trace} [Reason - The key was not "
    "found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, "
    "Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]",
)
BAD_ASSERTION_SIGNATURE = (700027, "invalid_client", "Client assertion failed signature validation.")
ASSERTION_EXPIRED = (700024, "invalid_client", "Client assertion is not within its valid time range.")
ASSERTION_BAD_AUDIENCE = (
    700212,
    "invalid_client",
    "No matching federated identity record found for presented assertion audience '{audience}'.",
)
NO_FEDERATED_MATCH = (
    70021,
    "invalid_request",
    "No matching federated identity record found for presented assertion. Assertion Issuer: "
    "'{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'.",
)
INVALID_ASSERTION = (50027, "invalid_request", "JWT token is invalid or malformed.")
BAD_CLIENT_CREDENTIAL_SCOPE = (
    1002012,
    "invalid_scope",
    "The provided value for scope {scope} is not valid. Client credential flows must "
    "have a scope value with /.default suffixed to the resource identifier "
    "(application ID URI).",
)
BAD_PASSWORD = (50126, "invalid_grant", "Error validating credentials due to invalid username or password.")
USER_NOT_FOUND = (
    50034,
    "invalid_grant",
    "The user account {{EUII Hidden}} does not exist in the {tenant} directory. To sign into this "
    "application, the account must be added to the directory.",
)
PUBLIC_CLIENT_REQUIRED = (
    7000218,
    "invalid_client",
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
)
BAD_REFRESH_TOKEN = (9002313, "invalid_grant", "Invalid request. Request is malformed or invalid.")
REVOKED_REFRESH_TOKEN = (
    50173,
    "invalid_grant",
    "The provided grant has expired due to it being revoked, a fresh auth token is needed. The "
    "user might have changed or reset their password. The grant was issued on '{issued}' and "
    "the TokensValidFrom date (before which tokens are not valid) for this user is '{now}'.",
)
REFRESH_TOKEN_OTHER_CLIENT = (
    70000,
    "invalid_grant",
    "Provided grant is invalid or malformed. The refresh token was issued to a client "
    "that is not in the same family as '{client_id}'.",
)
CODE_REDEEMED = (
    54005,
    "invalid_grant",
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
    "existing refresh token.",
)
BAD_CODE = (9002313, "invalid_grant", "Invalid request. Request is malformed or invalid.")
PKCE_MISMATCH = (
    501481,
    "invalid_grant",
    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
)
REDIRECT_MISMATCH = (
    50011,
    "invalid_client",
    "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
    "configured for the application '{client_id}'.",
)
UNSUPPORTED_GRANT = (70003, "unsupported_grant_type", "The app requested an unsupported grant type '{grant}'.")
USER_INTERACTION_REQUIRED = (50058, "login_required", "A silent sign-in request was sent but no user is signed in.")


@dataclass
class EntraError(Exception):
    """Raised by a grant handler; the server renders it as Entra's JSON error body with HTTP 400/401."""

    code: int
    error: str
    description: str
    status: int = 400

    @classmethod
    def of(cls, spec: tuple[int, str, str], status: int = 400, **values: str) -> EntraError:
        code, error, text = spec
        trace = str(uuid.uuid4())
        return cls(code, error, text.format(trace=trace, **values), status)

    def body(self) -> dict[str, object]:
        now = datetime.datetime.now(datetime.timezone.utc)
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description}\r\nTrace ID: {trace}\r\n"
            f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": "https://login.microsoftonline.com/error?code=" + str(self.code),
        }
