"""``chainsight report``: probe and run the chain here and write a shareable report (md, html or json).

A report is written whatever the chain does (a chain that fails or cannot be built is what it
reports), so the exit status is 0 once it is written and 2 for usage errors or an unwritable file.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.cli.common import EXIT_OK, BuildError, add_chain_arguments, load_spec, usage_error
from app.cli.run import collect_run
from app.cli.whatif import WhatIfError, add_whatif_arguments, apply_overlay, overlay_from_args
from app.diagnosis import Context, EvidenceBoard, diagnose, from_probe
from app.report import FORMATS, format_for, render
from app.report.collect import chain_part, report_document, run_part
from app.report.document import evidence_from
from app.report.machine import TOOL_TIMEOUT, collect_machine
from engine.build import build
from engine.chain import credential_name
from engine.host import Host
from engine.run import DEFAULT_SCOPE
from engine.sandbox.sandbox import SCENARIO_ENV
from engine.scan import scan
from engine.spec import ChainSpec, SpecError

CANNOT_WRITE = "cannot write the report to {path}: {reason}"
BUILD_FAILED = "{kind}: {error}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a shareable report: machine, chain, run, verdict (no tokens or secrets)",
        description="Probe every member, run the chain once, and write what was found: the machine (OS, Python, "
        "az/azd/pwsh versions, the chain's variables with secrets masked), each member's evidence, the run's "
        "attempts and steps, the verdict, warnings and next steps.",
    )
    add_chain_arguments(parser)  # its --json is --format json
    add_whatif_arguments(parser)
    parser.add_argument(
        "--format", choices=FORMATS, help="md (default), html (one self-contained page) or json (the document)"
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        action="append",
        help="write to FILE instead of standard output; repeatable (-o r.md -o r.html -o r.json: one run, "
        "three formats); without --format, each FILE's suffix picks its format",
    )
    parser.add_argument(
        "--redact-identities",
        action="store_true",
        help="replace UPNs and tenant, object and client ids with stable pseudonyms (tenant-1, user-1@example.invalid)",
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="only probe availability and diagnose from that, as chainsight scan does; request no token",
    )
    parser.add_argument("--scope", action="append", metavar="S", help=f"scope to request (default {DEFAULT_SCOPE})")
    parser.add_argument("--tenant", metavar="T", help="tenant_id for the request")
    parser.add_argument(
        "--tool-timeout",
        type=float,
        default=TOOL_TIMEOUT,
        metavar="SECONDS",
        help=f"how long az, azd and pwsh may take to say their version (default {TOOL_TIMEOUT:g})",
    )
    parser.set_defaults(handler=handle)


def report_host() -> Host:
    """The machine the report describes, before the what-if flags. Inside `chainsight sandbox exec` it is
    named after the scenario, as the window names it."""
    host = Host.real()
    scenario = host.env.get(SCENARIO_ENV)
    return dataclasses.replace(host, label=f"sandbox: {scenario}") if scenario else host


def output_formats(args: argparse.Namespace) -> list[tuple[str | None, str]]:
    """(file or None for standard output, format) for each report to write."""
    chosen = args.format or ("json" if args.json else None)
    if not args.output:
        return [(None, chosen or "md")]
    return [(path, chosen or format_for(path)) for path in args.output]


def handle(args: argparse.Namespace) -> int:
    if not 0 < args.tool_timeout < math.inf:  # NaN compares false both ways, so it lands here too
        return usage_error(f"--tool-timeout must be positive, got {args.tool_timeout:g}")
    try:
        spec = load_spec(args)
        overlay_from_args(args)  # a bad what-if flag is a usage error, before anything runs
    except (OSError, SpecError, ValueError, WhatIfError) as ex:
        return usage_error(str(ex) if isinstance(ex, (SpecError, WhatIfError)) else f"{type(ex).__name__}: {ex}")
    document = collect_report(args, spec, report_host())
    status = EXIT_OK
    for path, fmt in output_formats(args):
        text = render(document, fmt)
        if path is None:
            sys.stdout.write(text)
            continue
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as ex:  # the other files are still written
            status = usage_error(CANNOT_WRITE.format(path=path, reason=ex.strerror or ex))
            continue
        print(f"chainsight: report written to {path} ({fmt})", file=sys.stderr)
    return status


def collect_report(args: argparse.Namespace, spec: ChainSpec, host: Host) -> dict:
    """The document `chainsight report ARGS` writes about ``host`` (before the what-if flags, which are
    applied here): the machine is collected beside the probes and the run."""
    overlaid = apply_overlay(host, overlay_from_args(args))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="machine") as pool:
        machine = pool.submit(collect_machine, overlaid, timeout=args.tool_timeout)
        if args.no_run:
            chain, run, evidence, diagnosis = _probe_only(spec, overlaid)
        else:
            chain, run, evidence, diagnosis = _run(args, spec, host)
        return report_document(
            overlaid,
            chain=chain,
            run=run,
            evidence=evidence,
            diagnosis=diagnosis,
            redact_identities=args.redact_identities,
            machine=machine.result(),
        )


def _run(args: argparse.Namespace, spec: ChainSpec, host: Host):
    """(chain, run section, evidence, diagnosis): `chainsight run`'s own run (collect_run), whose JSON
    carries app/diagnosis's diagnosis and the evidence it rests on; the chain's error when it cannot be built."""
    try:
        result = collect_run(args, host)
    except Exception as ex:  # the report says why the chain cannot be built here
        return chain_part(spec, [], _build_failed(ex)), None, {}, None
    printed = result.to_json()
    section = run_part(spec, result.run, printed)
    return chain_part(spec, result.members), section, evidence_from((), section), printed["diagnosis"]


def _probe_only(spec: ChainSpec, host: Host):
    """(chain, None, evidence, diagnosis) of --no-run: every member probed and diagnosed, as `chainsight scan`
    does; the chain's error when it cannot be built."""
    try:
        credential = build(spec, host)
    except Exception as ex:  # the report says why the chain cannot be built here
        return chain_part(spec, [], _build_failed(ex)), None, {}, None
    members = [credential_name(c) for c in getattr(credential, "credentials", (credential,))]
    probes = scan(credential)
    context = Context.of(host)
    board = EvidenceBoard()
    board.add_all(from_probe(p, context) for p in probes)
    current = board.current(context)
    diagnosis = diagnose(spec, host, current, members=members)
    provenance = {"evidence": [current[name].to_json() for name in members if name in current]}
    return chain_part(spec, members), None, evidence_from(probes, provenance), diagnosis.to_json()


def _build_failed(ex: BaseException) -> str:
    """The constructor's own error (azure-identity's type and text), not the command line's wrapper."""
    cause = ex.__cause__ if isinstance(ex, BuildError) and ex.__cause__ is not None else ex
    return BUILD_FAILED.format(kind=type(cause).__name__, error=cause)
