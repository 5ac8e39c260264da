"""Runs one get_token / get_token_info case inside a sandbox scenario: the real azure-identity, then the engine.

Invoked by tests/oracle/test_token_info_oracle.py through ``chainsight sandbox exec``; prints one JSON
verdict per side. Unlike scenario_runner.py it calls the method the case names (get_token_info as Azure
SDK clients do, with the options exactly as given, an empty tenant included) and records each attempt's
message as azure-identity's chain records it: ``.message`` for an unavailable member, ``str()`` (the
response body after "\\nContent: " included) for one that stopped the chain.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

CASE = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
for _name, _value in CASE.get("env", {}).items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value
warnings.simplefilter("ignore", DeprecationWarning)

from tests.oracle.fresh_home import FreshHome  # noqa: E402
from tests.oracle.scenario_runner import _claims  # noqa: E402

API = CASE.get("api", "get_token_info")
SCOPES = tuple(CASE.get("scopes") or ["https://management.azure.com/.default"])
OPTIONS = CASE.get("options", {})  # get_token_info's options; get_token gets them as keywords
# A second call with these options (DefaultAzureCredential then goes straight to the credential it locked in).
AGAIN = CASE.get("again")


def _name(credential) -> str:
    return getattr(credential, "_credential_name", None) or type(credential).__name__


def _members_of(credential) -> list:
    return list(getattr(credential, "credentials", (credential,)))


def _real_options(options: dict) -> dict:
    """The spec's ``password_env = "NAME"`` is azure-identity's ``password=<value of NAME>``."""
    return {
        (k[: -len("_env")] if k.endswith("_env") else k): (os.environ[v] if k.endswith("_env") else v)
        for k, v in options.items()
    }


def real_verdict() -> dict:
    import azure.identity
    from azure.identity import CredentialUnavailableError

    attempts: list[list] = []

    def observe(member, method: str) -> None:
        original = getattr(member, method)

        def observed(*args, **kwargs):
            try:
                token = original(*args, **kwargs)
            except CredentialUnavailableError as ex:
                attempts.append([_name(member), "unavailable", ex.message])
                raise
            except Exception as ex:
                attempts.append([_name(member), "failed", str(ex)])
                raise
            attempts.append([_name(member), "succeeded", None])
            return token

        setattr(member, method, observed)

    try:
        if CASE.get("chain"):
            members = [getattr(azure.identity, c["type"])(**_real_options(c.get("options", {}))) for c in CASE["chain"]]
            credential = azure.identity.ChainedTokenCredential(*members)
        elif CASE.get("single"):
            single = CASE["single"]
            credential = getattr(azure.identity, single["type"])(**_real_options(single.get("options", {})))
        else:
            credential = azure.identity.DefaultAzureCredential(**CASE.get("kwargs", {}))
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    members = _members_of(credential)
    for member in members:
        observe(member, API)

    def ask(options: dict):
        if API == "get_token_info":
            return credential.get_token_info(*SCOPES, options=dict(options))
        return credential.get_token(*SCOPES, **options)

    try:
        token = ask(OPTIONS)
        if AGAIN is not None:
            token = ask(AGAIN)
    except Exception as ex:
        error = getattr(ex, "message", None) or str(ex)
        return {"members": [_name(m) for m in members], "attempts": attempts, "selected": None, "error": error}
    selected = getattr(credential, "_successful_credential", None) or credential
    return {
        "members": [_name(m) for m in members],
        "attempts": attempts,
        "selected": _name(selected),
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
    elif CASE.get("single"):
        single = CASE["single"]
        spec = ChainSpec(type="ChainedTokenCredential", credentials=[CredentialSpec(single["type"], single["options"])])
    else:
        spec = ChainSpec(options=CASE.get("kwargs", {}))
    try:
        credential = build(spec, Host.real())
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    if CASE.get("single"):
        credential = credential.credentials[0]  # asked on its own, as the real side asks it

    def ask(options: dict):
        return run_chain(
            credential,
            SCOPES,
            claims=options.get("claims"),
            tenant_id=options.get("tenant_id"),
            enable_cae=options.get("enable_cae", False),
            api=API,
        )

    runs = [ask(OPTIONS)]
    if AGAIN is not None and runs[0].outcome == "succeeded":
        runs.append(ask(AGAIN))
    run = runs[-1]
    assert all(r.api == API for r in runs), [r.api for r in runs]
    verdict = {
        "members": list(runs[0].members),
        "attempts": [[a.credential, a.outcome, a.message] for r in runs for a in r.attempts],
        "selected": run.selected,
        "error": run.error if run.outcome != "succeeded" else None,
    }
    if run.outcome == "succeeded":
        last = run.attempts[-1]
        claims = last.account.claims if last.account else {}
        verdict["account"] = {
            k: v for k, v in claims.items() if k in ("tid", "oid", "upn", "preferred_username", "appid", "azp")
        }
    return verdict


def both_verdicts() -> dict:
    with FreshHome() as home:
        real = real_verdict()
        home.restore()
        return {"real": real, "engine": engine_verdict()}


if __name__ == "__main__":
    print("CHAINSIGHT-RESULT:" + json.dumps(both_verdicts()), flush=True)
