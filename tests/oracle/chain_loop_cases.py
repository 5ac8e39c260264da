"""The chain-loop oracle's scripts and the real library's side of it, shared by every release.

Imported by tests/oracle/test_chain_loop_oracle.py (in process, with this repository's azure-identity)
and by tests/oracle/chain_loop_harness.py (inside each release's venv), so it imports nothing from
the engine and nothing but the standard library at module level.
"""

from __future__ import annotations

import contextvars
import logging

from tests.doubles.chain import USER_TOKEN, Double, real_side, rename

SCOPE = "https://management.azure.com/.default"
CALLS = 3  # each script is called this many times: lock-in and "the last behaviour repeats" both show
# "dac-then-chain": a DefaultAzureCredential, then a plain chain of fresh doubles, in one context; shows
# what the first leaves in the context flags for the second (before 1.24 a failed walk left within_dac set).
KINDS = ("chain", "dac", "dac-then-chain")
SCRIPTS = {
    "continue-on-unavailable": [
        ("FirstCredential", [("unavailable", "first is not configured")]),
        ("SecondCredential", [("unavailable", "")]),
        ("ThirdCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-failure": [
        ("FirstCredential", [("unavailable", "nothing here")]),
        ("SecondCredential", [("failed", "Authentication failed: AADSTS7000215: Invalid client secret.")]),
        ("ThirdCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-unexpected-value-error": [
        ("FirstCredential", [("value_error", "An invalid scope was provided.")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-file-not-found": [
        ("WorkloadIdentityCredential", [("file_not_found", "/var/run/secrets/token")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
    "all-unavailable-with-multiline-messages": [
        ("EnvironmentCredential", [("unavailable", "line one\nline two")]),
        ("AzureCliCredential", [("unavailable", "Azure CLI not found on path")]),
    ],
    "first-token-wins": [
        ("FirstCredential", [("token", USER_TOKEN)]),
        ("SecondCredential", [("failed", "never called")]),
    ],
    "unavailable-then-token-then-failure-later": [
        ("FirstCredential", [("unavailable", "not yet")]),
        ("SecondCredential", [("token", USER_TOKEN), ("failed", "ERROR: something broke\n")]),
        ("ThirdCredential", [("value_error", "never called")]),
    ],
    "token-then-unavailable-later": [
        ("FirstCredential", [("token", USER_TOKEN), ("unavailable", "Please run 'az login' to set up an account")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
}


def result_of(call) -> list:
    """A call's result as JSON-shaped data: ["token", text] or ["error", type name, str]."""
    try:
        token = call()
    except Exception as ex:
        return ["error", type(ex).__name__, str(ex)]
    value = token.token.reveal() if hasattr(token.token, "reveal") else token.token
    return ["token", value]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[list] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


def run_real(kind: str, members, calls: int = CALLS) -> dict:
    """The installed azure-identity's chain (or DefaultAzureCredential, its members swapped) on one script.

    Each script runs in a fresh context, as in a fresh process: no flag left by an earlier script.
    """
    return contextvars.Context().run(_run_real, kind, members, calls)


def _run_real(kind: str, members, calls: int) -> dict:
    import azure.identity

    side = real_side()
    chains, doubles = [], []
    for chain_kind in kind.split("-then-"):
        these = [rename(Double(side, list(script)), name) for name, script in members]
        if chain_kind == "chain":
            chain = azure.identity.ChainedTokenCredential(*these)
        else:
            chain = azure.identity.DefaultAzureCredential()
            chain.credentials = tuple(these)
        chains.append(chain)
        doubles += these
    capture = Capture()
    logger = logging.getLogger("azure.identity")
    previous = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        results = [result_of(lambda c=chain: c.get_token(SCOPE)) for chain in chains for _ in range(calls)]
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous)
    return {
        "results": results,
        "calls": [d.calls for d in doubles],
        "flags": [[list(f) for f in d.seen_flags] for d in doubles],
        "logs": capture.records,
    }
