"""Runs the get_token / get_token_info cases of one sandbox scenario: the real azure-identity, then the engine.

Invoked by tests/oracle/test_token_info_oracle.py through tests/oracle/group_session.py, a group of cases (one
scenario and overrides) at a time, in that scenario's sandbox; azure-identity and the engine are imported
once, then each case runs in its own forked child from the sandbox's first HOME
(tests/oracle/forked_cases.py). Unlike scenario_runner.py it calls the method the case names (get_token_info
as Azure SDK clients do, with the options exactly as given, an empty tenant included) and records each
attempt's message as azure-identity's chain records it: ``.message`` for an unavailable member, ``str()`` (the
response body after "\\nContent: " included) for one that stopped the chain. Returns {case: {"real": verdict,
"engine": verdict}}.
"""

from __future__ import annotations

import os

from tests.oracle.forked_cases import both_sides
from tests.oracle.scenario_runner import _claims, case_spec, engine_account


def _api(case: dict) -> str:
    return case.get("api", "get_token_info")


def _scopes(case: dict) -> tuple[str, ...]:
    return tuple(case.get("scopes") or ["https://management.azure.com/.default"])


def _asks(case: dict) -> list[dict]:
    """The options of each call: get_token_info's options, or get_token's keywords; ``again`` is a second call
    (DefaultAzureCredential then goes straight to the credential it locked in)."""
    again = case.get("again")
    return [case.get("options", {})] + ([again] if again is not None else [])


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


def real_verdict(case: dict) -> dict:
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

    api = _api(case)
    try:
        if case.get("chain"):
            members = [getattr(azure.identity, c["type"])(**_real_options(c.get("options", {}))) for c in case["chain"]]
            credential = azure.identity.ChainedTokenCredential(*members)
        elif case.get("single"):
            single = case["single"]
            credential = getattr(azure.identity, single["type"])(**_real_options(single.get("options", {})))
        else:
            credential = azure.identity.DefaultAzureCredential(**case.get("kwargs", {}))
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    members = _members_of(credential)
    for member in members:
        observe(member, api)

    def ask(options: dict):
        if api == "get_token_info":
            return credential.get_token_info(*_scopes(case), options=dict(options))
        return credential.get_token(*_scopes(case), **options)

    try:
        for options in _asks(case):
            token = ask(options)
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


def engine_verdict(case: dict) -> dict:
    from engine.build import build
    from engine.host import Host
    from engine.run import run_chain

    api = _api(case)
    try:
        credential = build(case_spec(case), Host.real())
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    if case.get("single"):
        credential = credential.credentials[0]  # asked on its own, as the real side asks it

    def ask(options: dict):
        return run_chain(
            credential,
            _scopes(case),
            claims=options.get("claims"),
            tenant_id=options.get("tenant_id"),
            enable_cae=options.get("enable_cae", False),
            api=api,
        )

    first, *again = _asks(case)
    runs = [ask(first)]
    if again and runs[0].outcome == "succeeded":
        runs.append(ask(again[0]))
    run = runs[-1]
    assert all(r.api == api for r in runs), [r.api for r in runs]
    verdict = {
        "members": list(runs[0].members),
        "attempts": [[a.credential, a.outcome, a.message] for r in runs for a in r.attempts],
        "selected": run.selected,
        "error": run.error if run.outcome != "succeeded" else None,
    }
    if run.outcome == "succeeded":
        verdict["account"] = engine_account(run)
    return verdict


# A case's {"real": ..., "engine": ...}: what tests/oracle/group_session.py runs for each case of a group.
verdict = both_sides(real_verdict, engine_verdict)
