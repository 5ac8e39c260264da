"""A sign-in's options as Python for azure-identity: the credential with the same keyword arguments, and with a
persistent cache the AuthenticationRecord idiom (load the record when the file exists, else authenticate once
and save it), so the next run of the user's app signs in silently from the same cache.
"""

from __future__ import annotations

from engine.export.format import Arg, Atom, call, comment, imports, module, statement, string, value
from engine.signin.options import AUTHORITY_CONSTANTS, SignInOptions

HEADER = "Chainsight sign-in export for azure-identity 1.27: {credential} with the workbench's options."
RECORD_NOTE = (
    "The AuthenticationRecord holds no secret (who signed in, where, with which app); the tokens stay in the "
    "persistent cache {where}."
)
NO_CACHE_NOTE = "Without cache_persistence_options the account is remembered only while this process runs."
DEFAULT_RECORD_PATH = "authentication_record.json"


def signin_code(options: SignInOptions) -> str:
    """Runnable code for ``options``; no secret is involved in an interactive sign-in, so none is written."""
    credential = "DeviceCodeCredential" if options.device_code else "InteractiveBrowserCredential"
    names = {credential}
    args = [Arg(_literal(v, names), k) for k, v in _kwargs(options).items()]
    scopes = list(options.scopes)
    header = comment(HEADER.format(credential=credential))
    scope_line = statement("SCOPES = ", value(scopes))
    if not options.cache_name:
        body = statement("credential = ", call(credential, *args))
        body += ["", *comment(NO_CACHE_NOTE)]
        body += statement("token = ", call("credential.get_token", Arg(Atom("*SCOPES"))))
        body += ['print("signed in; the token expires at", token.expires_on)']
        return module(header, _imports(names, record=False), scope_line, body)
    names |= {"AuthenticationRecord", "TokenCachePersistenceOptions"}
    path = options.save_record_path or options.record_path or DEFAULT_RECORD_PATH
    cache = call(
        "TokenCachePersistenceOptions",
        Arg(value(options.cache_name), "name"),
        *([Arg(Atom("True"), "allow_unencrypted_storage")] if options.allow_unencrypted_storage else []),
    )
    where = f'named "{options.cache_name}"'
    body = [*statement("RECORD_PATH = ", value(path)), *scope_line, *statement("cache = ", cache), ""]
    body += comment(RECORD_NOTE.format(where=where))
    body += ["if os.path.exists(RECORD_PATH):"]
    body += [
        '    with open(RECORD_PATH, encoding="utf-8") as f:',
        "        record = AuthenticationRecord.deserialize(f.read())",
    ]
    cached = [*args, Arg(Atom("cache"), "cache_persistence_options")]
    body += statement("credential = ", call(credential, *cached, Arg(Atom("record"), "authentication_record")), depth=1)
    body += ["else:"]
    body += statement("credential = ", call(credential, *cached), depth=1)
    body += ["    record = credential.authenticate(scopes=SCOPES)"]
    body += ['    with open(RECORD_PATH, "w", encoding="utf-8") as f:', "        f.write(record.serialize())"]
    body += ["", "token = credential.get_token(*SCOPES)"]
    body += ['print("signed in as", record.username, "- the token expires at", token.expires_on)']
    return module(header, _imports(names, record=True), body)


def _kwargs(options: SignInOptions) -> dict[str, object]:
    kwargs = options.credential_kwargs()
    kwargs.pop("cache_persistence_options", None)
    for key in [k for k in kwargs if k not in _PUBLIC]:
        kwargs.pop(key)  # e.g. a sandbox's connection settings: not the user's app's business
    return kwargs


_PUBLIC = (
    "client_id",
    "tenant_id",
    "authority",
    "redirect_uri",
    "login_hint",
    "additionally_allowed_tenants",
    "disable_instance_discovery",
    "timeout",
    "disable_automatic_authentication",
)


def _literal(v: object, names: set[str]):  # type: ignore[no-untyped-def]
    if isinstance(v, str) and v in AUTHORITY_CONSTANTS:  # the named constant reads better than the host
        names.add("AzureAuthorityHosts")
        return Atom(AUTHORITY_CONSTANTS[v])
    if isinstance(v, float) and v.is_integer():
        return Atom(str(int(v)))
    return value(v) if not isinstance(v, str) else Atom(string(v))


def _imports(names: set[str], *, record: bool) -> list[str]:
    return imports(["os"] if record else [], {"azure.identity": names}, stdlib={"os"})
