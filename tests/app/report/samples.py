"""A run with canary secrets planted wherever a careless report could pick them up, and a diagnosis in
exactly the schema `chainsight run --json` carries."""

from __future__ import annotations

import base64
import json

from engine import events
from engine.account import Account
from engine.host import Host
from engine.probe import Probe
from engine.run import ChainRun

CLIENT_SECRET = "Canary~ClientSecret~7f3a9QzX"
PASSWORD = "Canary-Passw0rd-4411"
CERT_PASSWORD = "Canary-CertPassw0rd-9"
REFRESH_TOKEN = "1.AScanaryRefreshToken0123456789abcdefXYZ"
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCanaryKeyBody\n-----END PRIVATE KEY-----"
PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCanaryKeyBody"
ASSERTION_CANARY = "CanaryAssertionValue0123456789"

TENANT = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
APP_ID = "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11"
USER_OID = "a1b2c3d4-0001-4000-8000-00000000d001"
UPN = "dev@contoso.com"
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"
IDENTITIES = (TENANT, APP_ID, USER_OID, UPN, SUBSCRIPTION, "Dana Developer")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


ACCESS_TOKEN = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64({'oid': USER_OID, 'canary': True})}.c2lnbmF0dXJl"
CANARIES = (CLIENT_SECRET, PASSWORD, CERT_PASSWORD, REFRESH_TOKEN, ACCESS_TOKEN, PRIVATE_KEY_BODY, ASSERTION_CANARY)


def canary_host() -> Host:
    """A machine whose environment holds the canary secrets (and ids to pseudonymise)."""
    return Host(
        env={
            "PATH": "/nonexistent",
            "AZURE_CLIENT_ID": APP_ID,
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_SECRET": CLIENT_SECRET,
            "AZURE_USERNAME": UPN,
            "AZURE_PASSWORD": PASSWORD,
            "AZURE_CLIENT_CERTIFICATE_PASSWORD": CERT_PASSWORD,
        },
        label="sandbox: canaries",
        overlay={"AZURE_CLIENT_SECRET": CLIENT_SECRET},
    )


def canary_run() -> ChainRun:
    """Three attempts whose messages, steps and details carry every canary in a realistic shape."""
    user = Account(tenant_id=TENANT, object_id=USER_OID, client_id=APP_ID, upn=UPN, name="Dana Developer")
    t = iter(x / 1000 for x in range(0, 1000, 7))
    items = [
        events.RunStarted(
            "DefaultAzureCredential", ("EnvironmentCredential", "AzureCliCredential"), ("s/.default",), 0
        ),
        events.AttemptStarted(0, "EnvironmentCredential", "EnvironmentCredential", next(t)),
        events.StepStarted(0, 0, "http", f"POST https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token", next(t)),
        events.StepFinished(
            0, 0, next(t), {"status": 401, "body": f"client_secret={CLIENT_SECRET}&password={PASSWORD}"}
        ),
        events.AttemptFinished(
            0,
            "EnvironmentCredential",
            events.FAILED,
            f"AADSTS7000215: Invalid client secret provided ({CLIENT_SECRET}). "
            f'Response: {{"refresh_token": "{REFRESH_TOKEN}", "access_token": "{ACCESS_TOKEN}"}} '
            f"client_assertion={ASSERTION_CANARY} for {UPN} in tenant {TENANT}; subscription {SUBSCRIPTION}",
            next(t),
        ),
        events.AttemptStarted(1, "AzureCliCredential", "AzureCliCredential", next(t)),
        events.StepStarted(1, 1, "process", "az account get-access-token", next(t), {"argv": ["az", "account"]}),
        events.StepFinished(
            1, 1, next(t), {"exit_status": 1, "stderr": f"password {PASSWORD}\n{PRIVATE_KEY}\nBearer {ACCESS_TOKEN}"}
        ),
        events.AttemptFinished(1, "AzureCliCredential", events.SUCCEEDED, None, next(t), account=user),
        events.RunFinished(events.SUCCEEDED, "AzureCliCredential", None, next(t), account=user),
    ]
    return ChainRun.from_events(items)


def canary_probes() -> list[Probe]:
    who = Account(tenant_id=TENANT, upn=UPN)
    return [
        Probe("EnvironmentCredential", "available", f"secret set ({CLIENT_SECRET})", Account(client_id=APP_ID)),
        Probe("AzureCliCredential", "available", f"signed in as {UPN}", who, 0.2),
    ]


DIAGNOSIS = {
    "verdict": "DefaultAzureCredential uses AzureCliCredential, as dev@contoso.com.",
    "warnings": [
        {
            "id": "leftover-secret",
            "text": f"AZURE_CLIENT_SECRET is set for app {APP_ID}; it wins over az.",
            "fixes": [
                {
                    "label": "Try without AZURE_CLIENT_SECRET",
                    "apply": {"unset_env": ["AZURE_CLIENT_SECRET"], "set_env": {"AZURE_TENANT_ID": TENANT}},
                    "expect": {"selected": "AzureCliCredential", "account": UPN},
                },
                {
                    "label": "Exclude the CLI",
                    "apply": {"options": {"exclude_cli_credential": True}},
                    "expect": {"selected": None},
                },
                {"label": "Unset AZURE_TENANT_ID", "apply": {"unset_env": ["AZURE_TENANT_ID"]}, "expect": {}},
            ],
        }
    ],
    "next_steps": [
        {
            "credential": "AzureCliCredential",
            "text": "Sign in again: the refresh token was revoked (AADSTS50173).",
            "command": f"az login --tenant {TENANT} --scope https://management.azure.com/.default",
        }
    ],
}


def canary_diagnosis() -> dict:
    """app/diagnosis's diagnosis of the canary run and probes on the canary host, as `run --json` carries it."""
    from app.diagnosis import RUN, Context, EvidenceBoard, diagnose, from_probe, from_runs
    from engine.spec import ChainSpec

    host, run = canary_host(), canary_run()
    context = Context.of(host)
    board = EvidenceBoard()
    board.add_all(from_probe(p, context) for p in canary_probes())
    board.add_all(from_runs([run], RUN, context))
    return diagnose(ChainSpec(), host, board.current(context), run=run).to_json()
