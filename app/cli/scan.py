"""``chainsight scan``: probe every member of the chain in parallel and say who is available, and as whom."""

from __future__ import annotations

import argparse
import time

from app.cli.common import EXIT_OK, add_chain_arguments, build_from_args, construction_error, print_json
from app.cli.whatif import add_whatif_arguments
from app.diagnosis import Context, EvidenceBoard, diagnose, from_probe
from engine.chain import credential_name
from engine.scan import scan

STATUS_MARK = {"available": "+", "unavailable": "-", "unknown": "?"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scan", help="check, without requesting tokens, which credentials are usable here")
    add_chain_arguments(parser)
    add_whatif_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        spec, credential, host = build_from_args(args)
    except Exception as ex:
        return construction_error(ex)
    started = time.monotonic()
    probes = scan(credential)
    wall = time.monotonic() - started
    members = [credential_name(c) for c in getattr(credential, "credentials", [credential])]
    context = Context.of(host)
    board = EvidenceBoard()
    board.add_all(from_probe(p, context) for p in probes)
    diagnosis = diagnose(spec, host, board.current(context), members=members)
    if args.json:
        print_json(
            {
                "chain": spec.type,
                "profile": spec.azure_identity,
                "members": members,
                "options": spec.options,
                "probes": [p.to_json() for p in probes],
                "duration": round(wall, 4),
                "diagnosis": diagnosis.to_json(),
            }
        )
        return EXIT_OK
    width = max(len(p.credential) for p in probes)
    for probe in probes:
        who = ""
        if probe.identity is not None:
            tenant = f", tenant {probe.identity.tenant_id}" if probe.identity.tenant_id else ""
            who = f"  [{probe.identity.display}{tenant}]"
        reason = probe.reason.replace("\n", "\n" + " " * (width + 20))
        print(
            f"{STATUS_MARK.get(probe.status, '?')} {probe.credential:<{width}}  {probe.status:<11} "
            f"{probe.duration * 1000:6.0f} ms  {reason}{who}"
        )
    print(
        f"\n{len(probes)} credentials probed in {wall * 1000:.0f} ms "
        f"(slowest {max(p.duration for p in probes) * 1000:.0f} ms).\n"
    )
    print(diagnosis.render(attempts=False))
    return EXIT_OK
