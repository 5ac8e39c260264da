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
# The authorize endpoint's refusals. Page: Entra shows them in the browser and never redirects (the client or its
# redirect URI cannot be trusted). Redirect: handed back to the app's redirect URI as error + error_description.
REDIRECT_NOT_REGISTERED = (
    50011,
    "invalid_request",
    "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for "
    "the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your "
    "application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how "
    "to fix this.",
)
NO_REPLY_ADDRESS = (500113, "invalid_request", "No reply address is registered for the application.")
NOT_MULTI_TENANT = (
    50194,
    "invalid_request",
    "Application '{client_id}'({app_name}) is not configured as a multi-tenant application. Usage of the /common "
    "endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint "
    "or configure the application to be multi-tenant.",
)
MISSING_AUTHORIZE_PARAMETER = (
    900144,
    "invalid_request",
    "The request body must contain the following parameter: 'response_type' and 'redirect_uri'.",
)
USER_NOT_IN_TENANT = (
    50020,
    "invalid_request",
    "User account '{{EUII Hidden}}' from identity provider 'https://sts.windows.net/{user_tenant}/' does not exist "
    "in tenant '{tenant_name}' and cannot access the application '{client_id}'({app_name}) in that tenant. The "
    "account needs to be added as an external user in the tenant first. Sign out and sign in again with a "
    "different Azure Active Directory user account.",
)
NOT_ASSIGNED = (
    50105,
    "access_denied",
    "Your administrator has configured the application {app_name} ('{client_id}') to block users unless they are "
    "specifically granted ('assigned') access to the application. The signed in user '{{EUII Hidden}}' is blocked "
    "because they are not a direct member of a group with access, nor had access directly assigned by an "
    "administrator. Please contact your administrator to assign access to this application.",
)
CONSENT_REQUIRED = (
    65001,
    "invalid_grant",
    "The user or administrator has not consented to use the application with ID '{client_id}' named "
    "'{app_name}'. Send an interactive authorization request for this user and resource.",
)
CONSENT_DECLINED = (65004, "access_denied", "User declined to consent to access the app.")
MFA_REQUIRED = (
    50076,
    "invalid_grant",
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must "
    "use multi-factor authentication to access '{resource}'.",
)
BLOCKED_BY_CONDITIONAL_ACCESS = (
    53003,
    "invalid_grant",
    "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
)
RESOURCE_NOT_FOUND = (
    500011,
    "invalid_resource",
    "The resource principal named {resource} was not found in the tenant named {tenant_name}. This can happen if "
    "the application has not been installed by the administrator of the tenant or consented to by any user in the "
    "tenant. You might have sent your authentication request to the wrong tenant.",
)
INVALID_SCOPE = (
    70011,
    "invalid_scope",
    "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid.",
)
# The suberror MSAL and azure-identity read beside some codes (claims challenges, consent).
SUBERRORS = {50076: "basic_action", 65001: "consent_required", 53003: "message_only"}
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
            **({"suberror": SUBERRORS[self.code]} if self.code in SUBERRORS else {}),
        }
