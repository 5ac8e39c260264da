"""Run inside `chainsight sandbox exec --scenario browser-sign-in-lab`: each case by azure-identity, then by us.

azure-identity's InteractiveBrowserCredential gets the case's options; its outcome is the signed-in account, the
AADSTS code in its error, or, when it only timed out, the AADSTS page the browser stopped on (browser.log). Then
`chainsight sign-in --json` runs the same options. Prints one RESULT line; never a token.
"""

import base64
import json
import os
import re
import subprocess
import sys

import requests
from azure.identity import InteractiveBrowserCredential

CODE = re.compile(r"AADSTS(\d+)")
cases = json.loads(sys.argv[1])
log = os.path.join(os.path.dirname(os.environ["CHAINSIGHT_SANDBOX_STATE"]), "browser.log")


def log_size():
    return os.path.getsize(log) if os.path.exists(log) else 0


def page_code(since):
    if not os.path.exists(log):
        return None
    with open(log, "rb") as f:
        f.seek(since)
        found = CODE.findall(f.read().decode())
    return int(found[-1]) if found else None


def discovery_code(message):
    """msal's "Unable to get authority configuration for URL": the code the authority answered that request with."""
    found = re.search(r"Unable to get authority configuration for (\S+?)\.? ", message)
    if not found:
        return None
    body = requests.get(found[1] + "/v2.0/.well-known/openid-configuration", timeout=10).json()
    return (body.get("error_codes") or [None])[0]


def azure_identity(case):
    kwargs = dict(case["kwargs"], timeout=case["timeout"])
    since = log_size()
    try:
        token = InteractiveBrowserCredential(**kwargs).get_token(*case["scopes"])
    except Exception as ex:
        found = CODE.search(str(ex))
        code = int(found[1]) if found else discovery_code(str(ex)) or page_code(since)
        return {"code": code, "account": None}
    payload = token.token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {"code": None, "account": claims.get("upn") or claims.get("preferred_username")}


def chainsight(case):
    proc = subprocess.run(
        [sys.executable, "-m", "app", "sign-in", "--json", "--timeout", str(case["timeout"]), *case["argv"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    data = json.loads(proc.stdout)
    error = data["error"]
    code = int(error["code"].removeprefix("AADSTS")) if error and error["code"] else None
    return {"code": code, "account": (data["account"] or {}).get("username")}


out = {name: {"azure_identity": azure_identity(case), "chainsight": chainsight(case)} for name, case in cases.items()}
print("RESULT" + json.dumps(out), flush=True)
