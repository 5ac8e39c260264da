"""One timed measurement, run inside a sandbox scenario in a fresh process: prints seconds elapsed.

Modes: ``scan`` (engine build + parallel probes), ``run`` (engine build + run_chain), ``azure-identity``
(the real DefaultAzureCredential().get_token). Imports happen before the clock starts for all three.
"""

from __future__ import annotations

import sys
import time

SCOPE = "https://management.azure.com/.default"


def main(mode: str) -> float:
    if mode == "azure-identity":
        from azure.identity import DefaultAzureCredential

        started = time.perf_counter()
        DefaultAzureCredential().get_token(SCOPE)
        return time.perf_counter() - started
    from engine.build import build
    from engine.host import Host
    from engine.run import run_chain
    from engine.scan import scan
    from engine.spec import ChainSpec

    started = time.perf_counter()
    credential = build(ChainSpec(), Host.real())
    if mode == "scan":
        scan(credential)
    else:
        run = run_chain(credential, [SCOPE])
        assert run.outcome == "succeeded", run.error
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"ELAPSED {main(sys.argv[1]):.6f}")
