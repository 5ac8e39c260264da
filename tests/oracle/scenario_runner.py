"""Runs one oracle case inside a sandbox scenario: the real azure-identity, then the engine, same process.

Invoked by tests/oracle/test_scenarios_oracle.py through ``chainsight sandbox exec``; prints one JSON
verdict per side. Each member of the real chain is observed through its own instance's get_token, so
class names (which the aggregated message shows) are unchanged.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import warnings

# The real library and the engine read the same environment; the case may set or unset variables.
CASE = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
for _name, _value in CASE.get("env", {}).items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value
warnings.simplefilter("ignore", DeprecationWarning)

from tests.oracle.fresh_home import FreshHome  # noqa: E402

ACCOUNT_CLAIMS = ("tid", "oid", "upn", "preferred_username", "appid", "azp")


def _claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:
        return {}
    return {k: data[k] for k in ACCOUNT_CLAIMS if k in data}


def _request() -> tuple[tuple[str, ...], dict]:
    kwargs = {}
    if CASE.get("tenant_id"):
        kwargs["tenant_id"] = CASE["tenant_id"]
    if CASE.get("claims"):
        kwargs["claims"] = CASE["claims"]
    return tuple(CASE.get("scopes") or ["https://management.azure.com/.default"]), kwargs


def real_verdict() -> dict:
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
        if CASE.get("chain"):
            members = [getattr(azure.identity, c["type"])(**c.get("options", {})) for c in CASE["chain"]]
            credential = azure.identity.ChainedTokenCredential(*members)
        else:
            credential = azure.identity.DefaultAzureCredential(**CASE.get("kwargs", {}))
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    names = [getattr(m, "_credential_name", None) or type(m).__name__ for m in credential.credentials]
    for member in credential.credentials:
        observe(member)
    scopes, kwargs = _request()
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


def engine_verdict() -> dict:
    from engine.build import build
    from engine.host import Host
    from engine.run import run_chain
    from engine.spec import ChainSpec, CredentialSpec

    if CASE.get("chain"):
        spec = ChainSpec(
            type="ChainedTokenCredential",
            credentials=[CredentialSpec(c["type"], c.get("options", {})) for c in CASE["chain"]],
        )
    else:
        spec = ChainSpec(options=CASE.get("kwargs", {}))
    try:
        credential = build(spec, Host.real())
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    scopes, kwargs = _request()
    run = run_chain(credential, scopes, **kwargs)
    names = list(run.members)
    attempts = [[a.credential, a.outcome] for a in run.attempts]
    account = {}
    if run.outcome == "succeeded":
        last = run.attempts[-1]
        account = {k: v for k, v in (last.account.claims if last.account else {}).items() if k in ACCOUNT_CLAIMS}
    return {
        "members": names,
        "attempts": attempts,
        "selected": run.selected,
        "account": account,
        "error": [run.error_type, run.error] if run.outcome != "succeeded" else None,
    }


def both_verdicts() -> dict:
    with FreshHome() as home:
        real = real_verdict()
        home.restore()
        return {"real": real, "engine": engine_verdict()}


if __name__ == "__main__":
    print("CHAINSIGHT-RESULT:" + json.dumps(both_verdicts()), flush=True)
