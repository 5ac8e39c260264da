"""Runs one case with the azure-identity installed in *another* interpreter and prints its verdict.

This file's text is handed to that interpreter as ``python -c <text> <case json>`` (nothing is
written to disk), so it imports nothing from Chainsight and runs on every release from 1.19.
It prints one ``CHAINSIGHT-RESULT:{json}`` line: the members, each attempt's outcome and message,
the selected credential, the account's claims and the error. Tokens never leave this process:
only a few claims of the token are printed, and anything shaped like a JWT in a message is masked.
"""

import base64
import json
import os
import re
import sys
import warnings

RESULT_MARKER = "CHAINSIGHT-RESULT:"
ACCOUNT_CLAIMS = ("tid", "oid", "upn", "preferred_username", "appid", "azp")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _mask(text):
    return _JWT.sub("****", text) if isinstance(text, str) else text


def _claims(token):
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:
        return {}
    return {k: data[k] for k in ACCOUNT_CLAIMS if k in data}


def _name(member):
    return getattr(member, "_credential_name", None) or type(member).__name__


def _resolved(options):
    """A chain spec names secrets by variable (``client_secret_env``); read them here, never print them."""
    return {
        (k[:-4] if k.endswith("_env") else k): (os.environ.get(v) if k.endswith("_env") else v)
        for k, v in options.items()
    }


def verdict(case):
    from importlib.metadata import version

    import azure.identity
    from azure.identity import CredentialUnavailableError

    result = {"azure_identity": version("azure-identity")}
    attempts = []

    def observe(member):
        original = member.get_token

        def get_token(*args, **kwargs):
            try:
                token = original(*args, **kwargs)
            except CredentialUnavailableError as ex:
                attempts.append([_name(member), "unavailable", _mask(getattr(ex, "message", None) or str(ex))])
                raise
            except Exception as ex:
                # as the chain records a member that stops it: str(), a response body after "Content:" too
                attempts.append([_name(member), "failed", _mask(str(ex))])
                raise
            attempts.append([_name(member), "succeeded", ""])
            return token

        member.get_token = get_token

    try:
        if case.get("chain"):
            members = [getattr(azure.identity, c["type"])(**_resolved(c.get("options", {}))) for c in case["chain"]]
            credential = azure.identity.ChainedTokenCredential(*members)
        else:
            credential = azure.identity.DefaultAzureCredential(**case.get("kwargs", {}))
    except Exception as ex:
        result["construction_error"] = [type(ex).__name__, _mask(str(ex))]
        return result
    result["members"] = [_name(m) for m in credential.credentials]
    if case.get("construct_only"):
        return result
    for member in credential.credentials:
        observe(member)
    kwargs = {}
    if case.get("tenant_id") is not None:
        kwargs["tenant_id"] = case["tenant_id"]
    if case.get("claims"):
        kwargs["claims"] = case["claims"]
    scopes = case.get("scopes") or ["https://management.azure.com/.default"]
    try:
        token = credential.get_token(*scopes, **kwargs)
    except Exception as ex:
        result.update(attempts=attempts, selected=None, account={})
        result["error"] = [type(ex).__name__, _mask(getattr(ex, "message", None) or str(ex))]
        return result
    result.update(attempts=attempts, selected=_name(credential._successful_credential), account=_claims(token.token))
    result["error"] = None
    return result


def _apply_env(case):
    if case.get("home"):
        os.environ["HOME"] = case["home"]
    for name, value in case.get("env", {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _one(case):
    _apply_env(case)
    try:
        return verdict(case)
    except ImportError as ex:
        return {"harness_error": "azure-identity is not installed for this interpreter: " + str(ex)}


def _batch(cases, parallel=None):
    """Several cases, each in a child forked after azure.identity is imported once (POSIX; the tests use it).

    At most ``parallel`` children run at once (all when None): each may spawn a tool whose own timeout
    is counting, so a caller on a busy machine bounds how many compete for the CPU.
    """
    import select

    import azure.identity  # noqa: F401 - imported before forking, so each child starts warm

    waiting = list(cases.items())
    running = {}  # read end -> (name, pid, chunks)
    results = {}
    while waiting or running:
        while waiting and (parallel is None or len(running) < parallel):
            name, case = waiting.pop(0)
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                with os.fdopen(write_end, "w") as out:
                    out.write(json.dumps(_one(case)))
                os._exit(0)
            os.close(write_end)
            running[read_end] = (name, pid, [])
        ready, _, _ = select.select(list(running), [], [])
        for read_end in ready:
            name, pid, chunks = running[read_end]
            chunk = os.read(read_end, 65536)
            if chunk:
                chunks.append(chunk)
                continue
            os.close(read_end)
            os.waitpid(pid, 0)
            del running[read_end]
            text = b"".join(chunks).decode()
            results[name] = json.loads(text) if text else {"harness_error": "the case's process died"}
    return {name: results[name] for name in cases}


def main():
    payload = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    warnings.simplefilter("ignore")
    result = _batch(payload["batch"], payload.get("parallel")) if "batch" in payload else _one(payload)
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
