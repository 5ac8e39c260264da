"""Runs the oracle's cases of one sandbox scenario: for each, the real azure-identity, then the engine.

Invoked by tests/oracle/test_scenarios_oracle.py through tests/oracle/group_session.py, a group of cases (one
scenario and overrides) at a time, in that scenario's sandbox; azure-identity and the engine are imported
once, then each case runs in its own forked child from the sandbox's first HOME
(tests/oracle/forked_cases.py). Each member of the real chain is observed through its own instance's
get_token, so class names (which the aggregated message shows) are unchanged. Returns {case: {"real": verdict,
"engine": verdict}}.
"""

from __future__ import annotations

import base64
import json

from tests.oracle.forked_cases import both_sides

ACCOUNT_CLAIMS = ("tid", "oid", "upn", "preferred_username", "appid", "azp")


def _claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:
        return {}
    return {k: data[k] for k in ACCOUNT_CLAIMS if k in data}


def _request(case: dict) -> tuple[tuple[str, ...], dict]:
    kwargs = {}
    if case.get("tenant_id"):
        kwargs["tenant_id"] = case["tenant_id"]
    if case.get("claims"):
        kwargs["claims"] = case["claims"]
    return tuple(case.get("scopes") or ["https://management.azure.com/.default"]), kwargs


def real_verdict(case: dict) -> dict:
    import azure.identity
    from azure.identity import CredentialUnavailableError

    attempts: list[list[str]] = []

    def observe(member):
        name = getattr(member, "_credential_name", None) or type(member).__name__
        original = member.get_token

        def get_token(*args, **kwargs):
            try:
                token = original(*args, **kwargs)
            except CredentialUnavailableError:
                attempts.append([name, "unavailable"])
                raise
            except Exception:
                attempts.append([name, "failed"])
                raise
            attempts.append([name, "succeeded"])
            return token

        member.get_token = get_token

    try:
        if case.get("chain"):
            members = [getattr(azure.identity, c["type"])(**c.get("options", {})) for c in case["chain"]]
            credential = azure.identity.ChainedTokenCredential(*members)
        else:
            credential = azure.identity.DefaultAzureCredential(**case.get("kwargs", {}))
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    names = [getattr(m, "_credential_name", None) or type(m).__name__ for m in credential.credentials]
    for member in credential.credentials:
        observe(member)
    scopes, kwargs = _request(case)
    try:
        token = credential.get_token(*scopes, **kwargs)
    except Exception as ex:
        return {
            "members": names,
            "attempts": attempts,
            "selected": None,
            "account": {},
            "error": [type(ex).__name__, getattr(ex, "message", None) or str(ex)],
        }
    selected = credential._successful_credential
    return {
        "members": names,
        "attempts": attempts,
        "selected": getattr(selected, "_credential_name", None) or type(selected).__name__,
        "account": _claims(token.token),
        "error": None,
    }


def case_spec(case: dict):
    """The engine's spec of a case: its ChainedTokenCredential members, the one credential it asks alone, or
    DefaultAzureCredential with its keywords."""
    from engine.spec import ChainSpec, CredentialSpec

    if case.get("chain"):
        members = [CredentialSpec(c["type"], c.get("options", {})) for c in case["chain"]]
        return ChainSpec(type="ChainedTokenCredential", credentials=members)
    if case.get("single"):
        single = case["single"]
        return ChainSpec(type="ChainedTokenCredential", credentials=[CredentialSpec(single["type"], single["options"])])
    return ChainSpec(options=case.get("kwargs", {}))


def engine_account(run) -> dict:
    """The account claims of the engine's successful run, as ``_claims`` reads them from a real token."""
    last = run.attempts[-1]
    return {k: v for k, v in (last.account.claims if last.account else {}).items() if k in ACCOUNT_CLAIMS}


def engine_verdict(case: dict) -> dict:
    from engine.build import build
    from engine.host import Host
    from engine.run import run_chain

    try:
        credential = build(case_spec(case), Host.real())
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    scopes, kwargs = _request(case)
    run = run_chain(credential, scopes, **kwargs)
    return {
        "members": list(run.members),
        "attempts": [[a.credential, a.outcome] for a in run.attempts],
        "selected": run.selected,
        "account": engine_account(run) if run.outcome == "succeeded" else {},
        "error": [run.error_type, run.error] if run.outcome != "succeeded" else None,
    }


# A case's {"real": ..., "engine": ...}: what tests/oracle/group_session.py runs for each case of a group.
verdict = both_sides(real_verdict, engine_verdict)
