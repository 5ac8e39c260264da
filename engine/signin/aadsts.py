"""AADSTS errors explained: what the code means and the likely fix, with the values the sign-in actually sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AADSTS = re.compile(r"AADSTS(\d+):\s*(.*?)(?:\r?\nTrace ID:|\r?\n|$)", re.S)


@dataclass(frozen=True)
class SignInContext:
    """What was sent, so the fix can name it: the redirect URI, the tenant asked, the app, the account hint."""

    client_id: str = ""
    tenant: str = ""
    authority: str = ""
    redirect_uri: str = ""
    login_hint: str = ""
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    code: int | None
    text: str
    explanation: str
    fix: str
    details: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "code": f"AADSTS{self.code}" if self.code is not None else None,
            "text": self.text,
            "explanation": self.explanation,
            "fix": self.fix,
            **({"details": dict(self.details)} if self.details else {}),
        }


# code -> (what it means, the likely fix). {placeholders} come from the SignInContext.
MEANINGS: dict[int, tuple[str, str]] = {
    50011: (
        "The redirect URI the app sent is not one the app registration lists.",
        "Add {redirect_uri_registered} to the app registration {client_id} under Authentication > Mobile and "
        "desktop applications (http://localhost matches every port), or pass a redirect_uri it already lists.",
    ),
    500113: (
        "The app registration lists no redirect URI at all.",
        "Add http://localhost under Authentication > Mobile and desktop applications of app {client_id}.",
    ),
    700016: (
        "No app with this client id exists in the tenant asked ({tenant}).",
        "Check the client_id; for a single-tenant app pass its home tenant as tenant_id, or make the app "
        "multi-tenant (Authentication > Supported account types).",
    ),
    50194: (
        "A single-tenant app was asked for a token on /organizations or /common.",
        "Pass the app's home tenant as tenant_id, or make the app multi-tenant.",
    ),
    90002: (
        "The tenant asked ({tenant}) does not exist in this cloud.",
        "Check tenant_id (a GUID or a verified domain) and the authority (public, US Government, China).",
    ),
    50020: (
        "The account that signed in is not a member or guest of the tenant asked ({tenant}).",
        "Sign in with an account of {tenant}, invite this account as a guest there, or pass the account's own "
        "tenant as tenant_id.",
    ),
    50105: (
        "The app requires user assignment and this user is not assigned.",
        "An admin assigns the user (or a group) under Enterprise applications > {client_id} > Users and groups.",
    ),
    65001: (
        "Nobody has consented to the app's permissions for this user, and this user may not consent.",
        "A tenant admin grants consent once for everyone: Enterprise applications > {client_id} > Permissions > "
        "Grant admin consent, or https://login.microsoftonline.com/{tenant}/adminconsent?client_id={client_id}. "
        "If users may consent, sign in interactively once and accept the consent page.",
    ),
    65004: (
        "The user declined the consent page.",
        "Sign in again and accept, or ask an admin to grant consent for the organization.",
    ),
    50076: (
        "A Conditional Access policy requires multi-factor authentication, and the remembered sign-in had none.",
        "Sign in interactively (the browser asks for the second factor); a silent or password sign-in cannot do MFA.",
    ),
    53003: (
        "A Conditional Access policy blocks token issuance for this user, app or location.",
        "Check the sign-in logs (Entra ID > Sign-in logs > Conditional Access tab) for the policy; an admin "
        "changes the policy or its exclusions.",
    ),
    7000218: (
        "The token request carried no client secret or assertion, and the app is not allowed to act as a public "
        "client here.",
        "List the redirect URI under Mobile and desktop applications (not Web), or set Allow public client flows "
        "to Yes for device code and password flows.",
    ),
    500011: (
        "The resource in the scope is not registered in the tenant asked ({tenant}).",
        "Check the scope's resource (e.g. https://management.azure.com/.default); a custom API must be registered "
        "(or consented) in that tenant.",
    ),
    70011: (
        "The scope is malformed: a resource without a permission, or two resources in one request.",
        "Ask for one resource per token, as <resource>/.default or <resource>/<permission>.",
    ),
    50126: (
        "Wrong user name or password.",
        "Check the password; accounts with MFA or federation cannot use a password flow at all.",
    ),
    50058: (
        "A silent sign-in was asked and nobody is signed in.",
        "Sign in interactively.",
    ),
}
TIMED_OUT_EXPLANATION = (
    "No redirect reached the app: the browser stopped on a page (an AADSTS error, a wrong password) or nobody "
    "finished signing in within the timeout."
)
TIMED_OUT_FIX = "Look at the browser window for an AADSTS code; raise timeout if the person needed longer."
NO_KEYRING_EXPLANATION = (
    "The persistent token cache must be encrypted, and nothing here can encrypt it: no Secret Service (keyring) "
    "answers on D-Bus, or PyGObject and libsecret are missing. azure-identity refuses in the same way."
)
NO_KEYRING_FIX = (
    "Sign in inside a desktop session with a keyring (GNOME Keyring, KWallet) and PyGObject + libsecret "
    "installed, or allow a plaintext cache file with allow_unencrypted_storage=True (--allow-unencrypted): "
    "~/.IdentityService/<name>.nocae, readable by your user only."
)
UNKNOWN = (
    "An error the workbench has no explanation for.",
    "Read the text; https://login.microsoftonline.com/error?code={code} explains each code.",
)


def parse_code(text: str) -> tuple[int | None, str]:
    """(code, the AADSTS line without trace ids) from any error text; (None, text) when it names no code."""
    match = AADSTS.search(text or "")
    if not match:
        return None, (text or "").strip()
    return int(match[1]), f"AADSTS{match[1]}: {match[2].strip()}"


def explain(text: str, context: SignInContext) -> Explanation:
    code, line = parse_code(text)
    if code is None:
        if "Timed out" in line:
            return Explanation(None, line, TIMED_OUT_EXPLANATION, TIMED_OUT_FIX)
        if "Cache encryption is impossible" in line:
            return Explanation(None, line, NO_KEYRING_EXPLANATION, NO_KEYRING_FIX)
        return Explanation(None, line, "The sign-in failed before the authority answered.", "Read the text.")
    meaning, fix = MEANINGS.get(code, UNKNOWN)
    values = _values(context, code)
    details = {}
    if code == 50011:
        details = {
            "redirect_uri_sent": context.redirect_uri,
            "registration_must_list": values["redirect_uri_registered"],
        }
    elif code in (50020, 90002, 700016, 500011):
        details = {"tenant_asked": context.tenant}
    elif code == 65001:
        details = {"who_can_consent": f"an administrator of {context.tenant}", "where": _consent_where(context)}
    return Explanation(code, line, meaning.format(**values), fix.format(**values), details)


def _consent_where(context: SignInContext) -> str:
    return f"Entra admin center > Enterprise applications > {context.client_id} > Permissions > Grant admin consent"


def _values(context: SignInContext, code: int) -> dict[str, str]:
    sent = context.redirect_uri
    registered = sent
    if sent.startswith(("http://localhost:", "http://127.0.0.1:")):
        registered = "http://" + sent.split("//", 1)[1].split(":", 1)[0]  # loopback: any port matches
    return {
        "redirect_uri": sent,
        "redirect_uri_registered": registered or "http://localhost",
        "client_id": context.client_id,
        "tenant": context.tenant or "organizations",
        "code": str(code),
    }
