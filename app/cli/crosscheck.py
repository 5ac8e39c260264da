"""``chainsight crosscheck``: the user's own azure-identity and the engine, on the same case, compared.

The user's interpreter runs app/cli/crosscheck_harness.py's text (given as ``-c``, so nothing is
written anywhere) with the same environment, what-if overlay included; the engine runs the same
case under the profile of the release that interpreter has. Compared: the members, each attempt's
credential and outcome, the selected credential, the account and the error. Tokens are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.child_process import run_captured
from app.cli import crosscheck_harness
from app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_json, usage_error
from app.profile_detection import interpreter_problem
from engine.credentials._internal.cache_persistence import locate
from engine.host import Host
from engine.profiles import Profile
from engine.spec import ChainSpec, SpecError

DEFAULT_SCOPE = "https://management.azure.com/.default"
HARNESS_TIMEOUT = 300  # a chain may wait on tools and IMDS retries; this only stops a hung interpreter
HARNESS_FAILED = "{python} did not run the harness (exit {code}); it printed: {output}"
NO_INTERPRETER = "{python}: no such interpreter"
CANNOT_RUN = "{python}: cannot run it ({reason})"
AGREE = "agree: azure-identity {version} (profile {profile}) and Chainsight give the same verdict"
DIFFER = "differ: azure-identity {version} (profile {profile}) and Chainsight: {first}"
ACCOUNT_CLAIMS = crosscheck_harness.ACCOUNT_CLAIMS


def harness_text() -> str:
    return Path(crosscheck_harness.__file__).read_text(encoding="utf-8")


def run_theirs(python: str, case: Mapping[str, Any], env: Mapping[str, str] | None = None) -> dict:
    """The verdict of the azure-identity installed for ``python``; raises RuntimeError when it gives none."""
    argv = [python, "-c", harness_text(), json.dumps(case)]
    try:
        proc = run_captured(argv, timeout=HARNESS_TIMEOUT, env=env if env is not None else os.environ)
    except FileNotFoundError as ex:
        raise RuntimeError(NO_INTERPRETER.format(python=python)) from ex
    except OSError as ex:  # not a program this system can run (a text file, another platform's binary)
        raise RuntimeError(CANNOT_RUN.format(python=python, reason=ex.strerror or ex)) from ex
    for line in proc.stdout.splitlines():
        if line.startswith(crosscheck_harness.RESULT_MARKER):
            result = json.loads(line[len(crosscheck_harness.RESULT_MARKER) :])
            if "harness_error" in result:
                raise RuntimeError(result["harness_error"])
            return result
    output = (proc.stderr.strip() or proc.stdout.strip())[-2000:]
    raise RuntimeError(
        HARNESS_FAILED.format(python=python, code=proc.returncode, output=repr(output) if output else "nothing")
    )


def spec_for(case: Mapping[str, Any], profile: str | Profile) -> ChainSpec:
    name = profile.version if isinstance(profile, Profile) else profile
    if case.get("chain"):
        from engine.spec import CredentialSpec

        members = [CredentialSpec(c["type"], dict(c.get("options", {}))) for c in case["chain"]]
        return ChainSpec(type="ChainedTokenCredential", azure_identity=name, credentials=members)
    return ChainSpec(azure_identity=name, options=dict(case.get("kwargs", {})))


def engine_verdict(case: Mapping[str, Any], profile: str | Profile, host: Host | None = None) -> dict:
    """The engine's verdict on ``case`` as ``profile``'s release, in the harness's shape."""
    from engine.build import build
    from engine.run import run_chain

    host = host or Host.real()
    try:
        credential = build(spec_for(case, profile), host)
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    kwargs = {}
    if case.get("tenant_id") is not None:
        kwargs["tenant_id"] = case["tenant_id"]
    if case.get("claims"):
        kwargs["claims"] = case["claims"]
    run = run_chain(credential, tuple(case.get("scopes") or [DEFAULT_SCOPE]), **kwargs)
    verdict: dict[str, Any] = {
        "members": list(run.members),
        "attempts": [[a.credential, a.outcome, a.message or ""] for a in run.attempts],
        "selected": run.selected,
        "account": {},
        "error": None,
    }
    if run.outcome == "succeeded":
        last = run.attempts[-1]
        claims = last.account.claims if last.account else {}
        verdict["account"] = {k: v for k, v in claims.items() if k in ACCOUNT_CLAIMS}
    else:
        verdict["error"] = [run.error_type, run.error]
    return verdict


# Entra stamps each error with fresh ids and a time; the two sides make separate requests.
_PER_REQUEST = re.compile(r"(Trace ID|Correlation ID|Timestamp): [^\s\\\"']+( [0-9:.]+Z)?")
_PER_REQUEST_FIELDS = re.compile(r'(trace_id|correlation_id|timestamp)\\": \\"[^\\]*')


def without_request_ids(verdict: Mapping[str, Any]) -> dict:
    """The verdict with Entra's per-request ids and times replaced by a placeholder."""
    text = _PER_REQUEST.sub(r"\1: <per-request>", json.dumps(verdict))
    return json.loads(_PER_REQUEST_FIELDS.sub(r'\1\\": \\"<per-request>', text))


def differences(engine: Mapping[str, Any], theirs: Mapping[str, Any], *, messages: bool = False) -> list[str]:
    """What differs, most telling first: construction, members, attempts in order, selection, account, error."""
    engine, theirs = without_request_ids(engine), without_request_ids(theirs)
    found: list[str] = []
    if "construction_error" in engine or "construction_error" in theirs:
        if engine.get("construction_error") != theirs.get("construction_error"):
            found.append(
                f"construction: Chainsight {engine.get('construction_error')}, "
                f"azure-identity {theirs.get('construction_error')}"
            )
        return found
    if engine["members"] != theirs["members"]:
        found.append(f"members: Chainsight {engine['members']}, azure-identity {theirs['members']}")
    width = 3 if messages else 2
    ours = [a[:width] for a in engine["attempts"]]
    real = [a[:width] for a in theirs["attempts"]]
    for i in range(max(len(ours), len(real))):
        mine = ours[i] if i < len(ours) else None
        other = real[i] if i < len(real) else None
        if mine != other:
            found.append(f"attempt {i + 1}: Chainsight {mine}, azure-identity {other}")
            break
    for key in ("selected", "account", "error"):
        if engine.get(key) != theirs.get(key):
            found.append(f"{key}: Chainsight {engine.get(key)!r}, azure-identity {theirs.get(key)!r}")
    return found


# ---- the command -------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crosscheck",
        help="run your own azure-identity (in your app's Python) beside Chainsight and compare",
        description="Runs DefaultAzureCredential (or the --config chain) with the azure-identity installed for "
        "--python, in this environment, and compares its verdict with Chainsight's under the matching profile.",
    )
    parser.add_argument("--python", metavar="PATH", required=True, help="your app's Python interpreter")
    parser.add_argument("--scope", action="append", metavar="S", help=f"scope to request (default {DEFAULT_SCOPE})")
    parser.add_argument("--tenant", metavar="T", help="tenant_id for the request")
    parser.add_argument("--config", metavar="FILE", help="a ChainSpec TOML file (default: DefaultAzureCredential)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=handle)


def case_from_args(args: argparse.Namespace) -> dict:
    case: dict[str, Any] = {"scopes": args.scope or [DEFAULT_SCOPE]}
    if args.tenant is not None:
        case["tenant_id"] = args.tenant
    if args.config:
        spec = ChainSpec.load(args.config)
        if spec.is_default:
            case["kwargs"] = dict(spec.options)
        else:
            case["chain"] = [{"type": c.type, "options": dict(c.options)} for c in spec.credentials if c.enabled]
    return case


@contextmanager
def shared_cache_kept(host: Host) -> Iterator[None]:
    """Put the shared token cache files back as they were: a side that meets a revoked refresh token
    evicts it, and the other side must see the cache the user has, not the one the first side left."""
    files = []
    for is_cae in (False, True):
        try:
            path = locate(host, is_cae).path
        except Exception:  # no LOCALAPPDATA on Windows, say: nothing to keep
            continue
        if path is not None:  # (where a keyring holds the data, only its signal file is kept)
            files.append(path)
    saved = {path: path.read_bytes() for path in files if path.is_file()}
    try:
        yield
    finally:
        for path in files:
            if path in saved:
                path.write_bytes(saved[path])
            elif path.exists():
                path.unlink()


def crosscheck(python: str, case: Mapping[str, Any], host: Host | None = None) -> dict:
    """Both verdicts and their differences, as ``--json`` prints them."""
    from app.profile_detection import profile_for_version

    host = host or Host.real()
    with shared_cache_kept(host):
        theirs = run_theirs(python, case, env=host.env)
    version = theirs["azure_identity"]
    profile, note = profile_for_version(version)
    engine = engine_verdict(case, profile, host)
    found = differences(engine, theirs)
    result = {"azure_identity": version, "profile": profile.name, "agree": not found, "differences": found}
    if note:
        result["note"] = note
    return {**result, "engine": engine, "theirs": theirs}


def handle(args: argparse.Namespace) -> int:
    problem = interpreter_problem(args.python)
    if problem:
        return usage_error(problem)
    try:
        case = case_from_args(args)
    except (OSError, SpecError) as ex:
        return usage_error(str(ex))
    try:
        result = crosscheck(args.python, case)
    except (RuntimeError, ValueError) as ex:
        return usage_error(str(ex))
    if args.json:
        print_json(result)
    else:
        if result.get("note"):
            print(f"note: {result['note']}", file=sys.stderr)
        template = AGREE if result["agree"] else DIFFER
        first = result["differences"][0] if result["differences"] else ""
        print(template.format(version=result["azure_identity"], profile=result["profile"], first=first))
    return EXIT_OK if result["agree"] else EXIT_FAILED


__all__ = ["EXIT_USAGE", "crosscheck", "differences", "engine_verdict", "register", "run_theirs"]
