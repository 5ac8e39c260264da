"""Real msal (and azure-identity's managed identity) against the sandbox, in a network namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.system import require_oracle

LAB = Path(__file__).parent / "scenarios" / "msal-lab.toml"
AUTHORITY = "https://login.microsoftonline.com/4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
APP = "3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912"
AZ_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ARM = ["https://management.azure.com/.default"]

CLAIMS = """
import base64, json
def claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
"""


def _lab(sandbox_run, code: str, **kw):
    run = sandbox_run(LAB, CLAIMS + code, **kw)
    assert run.returncode == 0, run.stderr
    return run.result()


def test_client_secret_is_accepted_and_a_wrong_one_gets_aadsts7000215(sandbox_run) -> None:
    result = _lab(
        sandbox_run,
        f"""
import msal
good = msal.ConfidentialClientApplication({APP!r}, client_credential="lab~secret~value", authority={AUTHORITY!r})
bad = msal.ConfidentialClientApplication({APP!r}, client_credential="nope", authority={AUTHORITY!r})
ok = good.acquire_token_for_client({ARM!r})
err = bad.acquire_token_for_client({ARM!r})
emit({{"claims": claims(ok["access_token"]), "err": err}})
""",
    )
    assert result["claims"]["appid"] == APP and result["claims"]["appidacr"] == "1"
    assert result["claims"]["roles"] == ["Data.Read"] and result["claims"]["idtyp"] == "app"
    assert result["err"]["error"] == "invalid_client" and result["err"]["error_codes"] == [7000215]
    assert "Trace ID:" in result["err"]["error_description"] and result["err"]["correlation_id"]


@pytest.mark.parametrize("send_chain", [False, True], ids=["thumbprint-RS256", "x5c-PS256"])
def test_certificate_assertion_is_verified_against_the_registered_certificate(sandbox_run, send_chain) -> None:
    result = _lab(
        sandbox_run,
        f"""
import os, msal, jwt
pem = open(os.environ["LAB_CERT"]).read()
from cryptography import x509
cert = x509.load_pem_x509_certificate(pem.encode())
from cryptography.hazmat.primitives import hashes
cred = {{"private_key": pem, "thumbprint": cert.fingerprint(hashes.SHA1()).hex()}}
if {send_chain!r}:
    cred["public_certificate"] = pem
app = msal.ConfidentialClientApplication({APP!r}, client_credential=cred, authority={AUTHORITY!r})
ok = app.acquire_token_for_client({ARM!r})
emit({{"claims": claims(ok["access_token"]) if "access_token" in ok else ok}})
""",
    )
    assert result["claims"]["appid"] == APP and result["claims"]["appidacr"] == "2"


def test_an_unregistered_certificate_is_refused_with_aadsts700027(sandbox_run) -> None:
    result = _lab(
        sandbox_run,
        f"""
import msal, datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stranger")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()) \\
    .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
app = msal.ConfidentialClientApplication({APP!r}, client_credential={{"private_key": pem,
    "thumbprint": cert.fingerprint(hashes.SHA1()).hex()}}, authority={AUTHORITY!r})
emit(app.acquire_token_for_client({ARM!r}))
""",
    )
    assert result["error_codes"] == [700027]


def test_federated_assertion_from_the_sandbox_issuer_is_exchanged(sandbox_run) -> None:
    result = _lab(
        sandbox_run,
        f"""
import os, msal
assertion = open(os.environ["AZURE_FEDERATED_TOKEN_FILE"]).read()
app = msal.ConfidentialClientApplication({APP!r}, client_credential={{"client_assertion": assertion}},
                                         authority={AUTHORITY!r})
ok = app.acquire_token_for_client({ARM!r})
forged = msal.ConfidentialClientApplication({APP!r}, client_credential={{"client_assertion":
    assertion.rsplit(".", 1)[0] + ".AAAA"}}, authority={AUTHORITY!r}).acquire_token_for_client({ARM!r})
emit({{"claims": claims(ok["access_token"]), "forged": forged.get("error_codes")}})
""",
    )
    assert result["claims"]["appid"] == APP
    assert result["forged"] == [700027]


def test_password_grant_passes_user_realm_through_the_proxy(sandbox_run) -> None:
    result = _lab(
        sandbox_run,
        f"""
import msal, warnings
warnings.simplefilter("ignore")
app = msal.PublicClientApplication({AZ_CLI!r}, authority={AUTHORITY!r})
ok = app.acquire_token_by_username_password("dev@contoso.com", "Dev-Passw0rd!", {ARM!r})
bad = app.acquire_token_by_username_password("dev@contoso.com", "wrong", {ARM!r})
emit({{"claims": claims(ok["access_token"]), "id": ok["id_token_claims"]["preferred_username"],
       "accounts": [a["username"] for a in app.get_accounts()], "bad": bad.get("error_codes")}})
""",
    )
    assert result["claims"]["upn"] == "dev@contoso.com" and result["claims"]["scp"] == "user_impersonation"
    assert result["id"] == "dev@contoso.com" and result["accounts"] == ["dev@contoso.com"]
    assert result["bad"] == [50126]


def test_refresh_token_rotates_and_a_family_member_can_redeem_it(sandbox_run) -> None:
    result = _lab(
        sandbox_run,
        f"""
import msal, warnings
warnings.simplefilter("ignore")
cli = msal.PublicClientApplication({AZ_CLI!r}, authority={AUTHORITY!r})
first = cli.acquire_token_by_username_password("dev@contoso.com", "Dev-Passw0rd!", {ARM!r})
second = cli.acquire_token_by_refresh_token(first["refresh_token"], {ARM!r})
pwsh = msal.PublicClientApplication("1950a258-227b-4e31-a9cf-717495945fc2", authority={AUTHORITY!r})
family = pwsh.acquire_token_by_refresh_token(second["refresh_token"], {ARM!r})
bogus = cli.acquire_token_by_refresh_token("1.ASnot-a-token", {ARM!r})
emit({{"rotated": second["refresh_token"] != first["refresh_token"], "foci": second.get("foci"),
       "family_appid": claims(family["access_token"])["appid"], "bogus": bogus.get("error")}})
""",
    )
    assert result == {
        "rotated": True,
        "foci": "1",
        "family_appid": "1950a258-227b-4e31-a9cf-717495945fc2",
        "bogus": "invalid_grant",
    }


def test_interactive_auth_code_with_pkce_through_the_scripted_browser(sandbox_run) -> None:
    # msal opens the authorize URL with webbrowser -> BROWSER (the sandbox's scripted browser), which picks the
    # scenario's account on the chooser page and submits the form_post to msal's localhost listener.
    result = _lab(
        sandbox_run,
        f"""
import msal
app = msal.PublicClientApplication({AZ_CLI!r}, authority={AUTHORITY!r})
ok = app.acquire_token_interactive({ARM!r}, prompt="select_account", timeout=30)
emit({{"claims": claims(ok["access_token"]) if "access_token" in ok else ok, "nonce": "nonce" in ok.get("id_token_claims", {{}})}})
""",
    )
    assert result["claims"]["upn"] == "admin@contoso.com"
    assert result["nonce"] is True


def test_interactive_browser_credential_signs_in_with_the_chosen_account(sandbox_run) -> None:
    require_oracle()
    result = _lab(
        sandbox_run,
        """
from azure.identity import InteractiveBrowserCredential
token = InteractiveBrowserCredential(timeout=30).get_token("https://management.azure.com/.default")
emit(claims(token.token))
""",
        overrides={"browser": {"choose": "dev@contoso.com"}},
    )
    assert result["upn"] == "dev@contoso.com"


MI_SNIPPET = """
from azure.identity import ManagedIdentityCredential
import os
cred = ManagedIdentityCredential(client_id=os.environ.get("AZURE_CLIENT_ID"))
emit(claims(cred.get_token("https://management.azure.com/.default").token))
"""


@pytest.mark.parametrize(
    ("scenario", "account"),
    [
        ("vm-imds-user-assigned", "f6a7b8c9-0009-4000-8000-0000000d0009"),
        ("app-service", "5e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"),
    ],
)
def test_azure_identity_managed_identity_gets_the_identity_token(sandbox_run, scenario, account) -> None:
    require_oracle()
    run = sandbox_run(scenario, CLAIMS + MI_SNIPPET)
    assert run.returncode == 0, run.stderr
    assert run.result()["appid"] == account


def test_azure_identity_managed_identity_in_cloud_shell_gets_the_user_token(sandbox_run) -> None:
    require_oracle()
    run = sandbox_run("cloud-shell", CLAIMS + MI_SNIPPET)
    assert run.returncode == 0, run.stderr
    assert run.result()["upn"] == "dev@contoso.com"
