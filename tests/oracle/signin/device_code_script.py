"""Run inside `chainsight sandbox exec --scenario browser-sign-in-lab`: DeviceCodeCredential, azure-identity's and
ours, same options; a scripted person enters each code as it is shown. Prints one RESULT line; never a token."""

import base64
import json
import re
import sys
import threading

from azure.identity import DeviceCodeCredential

from engine.host import Host
from engine.sandbox.browser import ScriptedBrowser
from engine.signin.options import SignInOptions
from engine.signin.session import sign_in

CODE = re.compile(r"AADSTS(\d+)")
cases = json.loads(sys.argv[1])


def person(uri, code):
    threading.Thread(target=lambda: ScriptedBrowser().device_sign_in(uri, code), daemon=True).start()


def azure_identity(case):
    kwargs = dict(case["kwargs"], timeout=20, prompt_callback=lambda uri, code, _expires: person(uri, code))
    try:
        token = DeviceCodeCredential(**kwargs).get_token(*case["scopes"])
    except Exception as ex:
        found = CODE.search(str(ex))
        return {"code": int(found[1]) if found else None, "account": None}
    payload = token.token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {"code": None, "account": claims.get("upn") or claims.get("preferred_username")}


def chainsight(case):
    def shown(message):
        uri, code = re.search(r"open the page (\S+) and enter the code (\S+)", message).groups()
        person(uri, code)

    options = SignInOptions(device_code=True, timeout=20, scopes=tuple(case["scopes"]), **case["kwargs"])
    result = sign_in(options, Host.real(), on_device_code=shown)
    return {
        "code": result.error.code if result.error else None,
        "account": result.account["username"] if result.account else None,
    }


out = {name: {"azure_identity": azure_identity(case), "chainsight": chainsight(case)} for name, case in cases.items()}
print("RESULT" + json.dumps(out), flush=True)
