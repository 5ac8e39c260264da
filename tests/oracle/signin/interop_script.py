"""Run inside `chainsight sandbox exec --scenario browser-sign-in-lab`: persisted sign-ins in both directions.

A: azure-identity signs in with TokenCachePersistenceOptions(name) and saves an AuthenticationRecord; then
   `chainsight sign-in --silent --record` must get a token for that account from the same cache.
B: `chainsight sign-in --cache-name --save-record` signs in; then azure-identity, with that record, the same
   cache and disable_automatic_authentication=True, must get a token without a browser.
Prints one RESULT line of booleans and names; never a token.
"""

import json
import os
import subprocess
import sys
import tempfile

from azure.identity import AuthenticationRecord, InteractiveBrowserCredential, TokenCachePersistenceOptions

ARM = "https://management.azure.com/.default"
plaintext = sys.argv[1] == "plaintext"
work = tempfile.mkdtemp()
store = os.path.join(os.path.expanduser("~"), ".IdentityService")


def options(name):
    return TokenCachePersistenceOptions(name=name, allow_unencrypted_storage=plaintext)


def chainsight(*argv):
    extra = ["--allow-unencrypted"] if plaintext else []
    proc = subprocess.run(
        [sys.executable, "-m", "app", "sign-in", "--json", "--timeout", "30", *argv, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}


def holds_tokens(name):
    path = os.path.join(store, name + ".nocae")
    return os.path.exists(path) and "RefreshToken" in open(path).read()


out = {}
credential = InteractiveBrowserCredential(cache_persistence_options=options("interop-a"), timeout=30)
record = credential.authenticate(scopes=[ARM])
with open(os.path.join(work, "a.json"), "w") as f:
    f.write(record.serialize())
status, result = chainsight("--silent", "--cache-name", "interop-a", "--record", os.path.join(work, "a.json"))
out["a"] = {
    "status": status,
    "expected": record.username,
    "got": (result.get("account") or {}).get("username"),
    "plaintext_file_holds_tokens": holds_tokens("interop-a"),
}

status, result = chainsight(
    "--cache-name", "interop-b", "--login-hint", "mfa.dev@contoso.com", "--save-record", os.path.join(work, "b.json")
)
with open(os.path.join(work, "b.json")) as f:
    record = AuthenticationRecord.deserialize(f.read())
credential = InteractiveBrowserCredential(
    authentication_record=record, cache_persistence_options=options("interop-b"), disable_automatic_authentication=True
)
try:
    credential.get_token(ARM)
    silent = "ok"
except Exception as ex:  # AuthenticationRequiredError: it would have needed the browser
    silent = type(ex).__name__
out["b"] = {
    "status": status,
    "record_username": record.username,
    "azure_identity_silent": silent,
    "plaintext_file_holds_tokens": holds_tokens("interop-b"),
}
print("RESULT" + json.dumps(out), flush=True)
