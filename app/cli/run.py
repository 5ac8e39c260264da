"""``chainsight run``: build the chain from this environment and (unless --dry-run) acquire a token,
then say what the window would say: the verdict, warnings with checked fixes, and next steps."""

from __future__ import annotations

import argparse
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_chain_arguments,
    build_from_args,
    construction_error,
    print_json,
)
from app.cli.live_waits import LiveWaits
from app.cli.whatif import add_whatif_arguments
from app.diagnosis import RUN, Context, Diagnosis, EvidenceBoard, diagnose, from_probe, from_runs
from engine import events
from engine.build import build
from engine.chain import credential_name
from engine.host import Host
from engine.run import DEFAULT_SCOPE, ChainRun, run_chain
from engine.scan import scan
from engine.spec import ChainSpec
from engine.token_request import APIS, GET_TOKEN_INFO

# Azure SDK clients (azure-core's BearerTokenCredentialPolicy) call get_token_info on any credential that has
# it, and every azure-identity credential from 1.19 to 1.27 has it: so that is what `run` asks by default.
DEFAULT_API = GET_TOKEN_INFO
API_HELP = (
    "the credential method to call (default get_token_info: what Azure SDK clients call, with options "
    "{tenant_id, claims, enable_cae} as given; get_token drops an empty --tenant, get_token_info passes it "
    "on, and a credential configured with another tenant then refuses it)"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="build the chain and acquire a token, showing every attempt")
    add_chain_arguments(parser)
    add_whatif_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="only build the chain and list its members")
    parser.add_argument("--scope", action="append", metavar="S", help=f"scope to request (default {DEFAULT_SCOPE})")
    parser.add_argument("--tenant", metavar="T", help="tenant_id for the request")
    parser.add_argument("--claims", metavar="C", help="claims challenge for the request")
    parser.add_argument("--enable-cae", action="store_true", help="request a CAE token")
    parser.add_argument(
        "--api",
        choices=APIS,
        default=DEFAULT_API,
        help=API_HELP,
    )
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING"),
        help="also print the run's log (azure.identity's lines, and msal's) to stderr",
    )
    parser.set_defaults(handler=handle)


@dataclass
class RunResult:
    """One ``chainsight run``: the chain, the run, the evidence it rests on and its diagnosis."""

    spec: ChainSpec
    host: Host
    members: list[str]
    run: ChainRun
    board: EvidenceBoard
    diagnosis: Diagnosis

    def to_json(self) -> dict:
        """``run --json``'s object: the run, ``"evidence"`` (provenance included) and ``"diagnosis"``."""
        summary = {
            "chain": self.spec.type,
            "profile": self.spec.azure_identity,
            "members": self.members,
            "options": self.spec.options,
        }
        evidence = self.board.current(Context.of(self.host))
        return {
            **summary,
            **self.run.to_json(),
            "chain": self.spec.type,
            "evidence": [evidence[name].to_json() for name in self.members if name in evidence],
            "diagnosis": self.diagnosis.to_json(),
        }


def collect_run(args: argparse.Namespace, host: Host | None = None, recorder: events.Recorder | None = None):
    """Build, probe and run the chain ``args`` describe (on ``host``, with the what-if flags applied) and
    diagnose it: the JSON of ``run --json`` is ``collect_run(args).to_json()``. Construction errors escape."""
    recorder = recorder or events.Recorder()
    with events.recording(recorder):  # construction logs its own lines, as azure-identity does
        spec, credential, host = build_from_args(args, host)
    members = [credential_name(c) for c in getattr(credential, "credentials", (credential,))]
    context = Context.of(host)
    board = EvidenceBoard()
    # The window probes every member while the chain runs; so does this, on its own copy of the chain
    # (probes and the run never share a credential's state), so both front ends see the same evidence.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="probe") as pool:
        probes = pool.submit(_probe, spec, host)
        run = run_chain(
            credential,
            getattr(args, "scope", None) or [DEFAULT_SCOPE],
            claims=getattr(args, "claims", None),
            tenant_id=getattr(args, "tenant", None),
            enable_cae=getattr(args, "enable_cae", False),
            api=getattr(args, "api", DEFAULT_API),
            recorder=recorder,
        )
        board.add_all(from_probe(p, context) for p in probes.result())
    board.add_all(from_runs([run], RUN, context))
    diagnosis = diagnose(
        spec, host, board.current(context), members=members, run=run, tenant=getattr(args, "tenant", None)
    )
    return RunResult(spec, host, members, run, board, diagnosis)


def run_json(args: argparse.Namespace, host: Host | None = None) -> dict:
    """The dict ``chainsight run --json`` prints, "diagnosis" included (for other commands to reuse)."""
    return collect_run(args, host).to_json()


def _probe(spec: ChainSpec, host: Host) -> list[Any]:
    try:
        return scan(build(spec, host))
    except Exception:  # the run's own build succeeded; a second one failing leaves the run's evidence only
        return []


def handle(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args)
    if args.log_level:
        logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        result = collect_run(args, recorder=events.Recorder((LiveWaits(),)))  # long waits said live
    except Exception as ex:
        return construction_error(ex)
    run = result.run
    if args.log_level:
        for line in run.log_lines(logging.getLevelName(args.log_level)):
            print(line, file=sys.stderr)
    if args.json:
        print_json(result.to_json())
    else:
        _print_human(run, result.diagnosis)
    return EXIT_OK if run.outcome == events.SUCCEEDED else EXIT_FAILED


def _dry_run(args: argparse.Namespace) -> int:
    try:
        with events.recording(events.Recorder()):
            spec, credential, _host = build_from_args(args)
    except Exception as ex:
        return construction_error(ex)
    members = [credential_name(c) for c in getattr(credential, "credentials", (credential,))]
    if args.json:
        print_json({"chain": spec.type, "profile": spec.azure_identity, "members": members, "options": spec.options})
    else:
        print(f"{spec.type} (azure-identity {spec.azure_identity}):")
        for i, name in enumerate(members, 1):
            print(f"  {i}. {name}")
    return EXIT_OK


def _print_human(run: ChainRun, diagnosis: Diagnosis) -> None:
    for attempt in run.attempts:
        duration = f"{(attempt.duration or 0) * 1000:8.1f} ms"
        message = (attempt.message or "").replace("\n", "\n" + " " * 46)
        print(f"{duration}  {attempt.outcome or 'running':<11}  {attempt.credential:<30} {message}".rstrip())
    print()
    print(diagnosis.render(attempts=False))
