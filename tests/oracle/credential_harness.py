"""Runs credential cases with the azure-identity of *this* interpreter and prints each outcome.

Run as ``<release venv python> credential_harness.py`` with the cases as JSON on stdin and this
repository on PYTHONPATH (the release venvs hold azure-identity and its companions only). Each case runs
in its own forked child, one at a time: its own os.environ, a fresh context, an HTTP case's time.sleep
recorded rather than slept (as tests/oracle/service_fixtures.py's ``real_waits`` does). Prints one
``CHAINSIGHT-CREDENTIALS:{json}`` line: {case: {"outcome": ..., "logs": [...], "waits": [...]}}.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import warnings

MARKER = "CHAINSIGHT-CREDENTIALS:"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[list] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


def error_kind(ex: BaseException) -> str:
    """The error's class, with ClientAuthenticationError's subclasses under their base's name (as the 1.27
    oracles compare them: an SDK client catches the base)."""
    names = [c.__name__ for c in type(ex).__mro__]
    for base in ("CredentialUnavailableError", "ClientAuthenticationError"):
        if base in names:
            return base
    return type(ex).__name__


def outcome_of(call) -> list:
    """["token", text, expires_on, called_at] or ["error", error kind, str(error)]."""
    called_at = int(time.time())
    try:
        token = call()
    except Exception as ex:
        return ["error", error_kind(ex), str(ex)]
    text = token.token.reveal() if hasattr(token.token, "reveal") else token.token
    return ["token", text, int(token.expires_on), called_at]


def build(case: dict):
    import azure.identity

    if case["wrap"] == "dac":
        return azure.identity.DefaultAzureCredential(**case["ctor"])
    # "A+B": a chain of several credentials, in that order
    members = [getattr(azure.identity, name)(**case["ctor"]) for name in case["credential"].split("+")]
    if case["wrap"] == "chain":
        return azure.identity.ChainedTokenCredential(*members)
    (credential,) = members
    return credential


def run_case(case: dict) -> dict:
    os.environ.clear()
    os.environ.update(case["env"])
    waits: list[float] = []
    if case.get("count_sleeps"):  # HTTP retries are counted, not waited for (tools' process waits still sleep)
        time.sleep = waits.append
    capture = _Capture()
    logger = logging.getLogger("azure.identity")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    outcomes = []
    try:
        credential = build(case)
    except Exception as ex:
        return {"outcome": [["error", error_kind(ex), str(ex)]], "logs": capture.records, "waits": waits}
    for _ in range(case.get("calls", 1)):
        outcomes.append(outcome_of(lambda: credential.get_token(*case["scopes"], **case["request"])))
    return {"outcome": outcomes, "logs": capture.records, "waits": waits}


def _in_child(case: dict) -> dict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = run_case(case)
        except BaseException as ex:  # report, never hang the parent
            result = {"harness_error": f"{type(ex).__name__}: {ex}"}
        with os.fdopen(write_end, "w") as out:
            out.write(json.dumps(result))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as data:
        text = data.read()
    os.waitpid(pid, 0)
    return json.loads(text) if text else {"harness_error": "the case's process died"}


def main() -> None:
    warnings.simplefilter("ignore")
    import azure.identity  # noqa: F401 - imported once, before forking

    cases = json.loads(sys.stdin.read())
    results = {name: _in_child(case) for name, case in cases.items()}
    sys.stdout.write(MARKER + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
