"""Every case of the release oracle in one process: each real release and the engine as that release.

Invoked by tests/oracle/test_releases_oracle.py, inside one loopback-only network namespace where the machine
allows. Each real release is one interpreter of its venv for the whole run (app/cli/crosscheck_harness.py's batch
mode, fed a group of cases at a time): azure-identity is imported once per release, and every case runs in a
child forked from it. The groups (cases that share a scenario and overrides) run one after another, each in its
own sandbox started here. A case gets exactly the environment ``chainsight sandbox exec`` gives its command, plus
the case's own variables, and its own copy of the sandbox's HOME, on both sides: the release's child and the
engine's Host. Returns {case: {release: {"real": ..., "engine": ...}}}.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import engine.sandbox
from app.cli.crosscheck import HARNESS_TIMEOUT, engine_verdict, harness_text
from engine.host import Host
from engine.sandbox import netns
from tests.oracle.line_server import LineServer, serve_code

# Cases run at once on each side: the real releases (one case per release interpreter at a time, this
# many releases at once) and the engine (threads). Each case may spawn a tool stand-in (az loads msal,
# as real az does: about 0.3 s alone) whose 10 s process timeout is counting. Measured here with az
# alone: 4 at once took 1.3 s each, 16 took 3.9 s, 40 took 7.5 s; the batch harness used to fork every
# case of a scenario at once (40 with four releases), so on the loaded merged run old releases' az
# timed out (unavailable) where the engine's, four at a time, did not. Now both sides run four at once.
PARALLEL = 4
CHILDREN_PER_RELEASE = 1
VERDICTS = "RELEASE-VERDICTS:"


def release_interpreter(python: str, log: Path) -> LineServer:
    """One release's interpreter for the whole run: the crosscheck harness, answering each group with ``_batch``.

    Named so the harness's own ``if __name__ == "__main__"`` stays quiet: this loop reads stdin instead.
    """
    code = '__name__ = "release_harness"\n' + harness_text() + '\nwarnings.simplefilter("ignore")\n'
    code += serve_code(f"lambda cases: _batch(cases, {CHILDREN_PER_RELEASE})")
    return LineServer([python, "-c", code], log)


def case_env(box_env: dict, case: dict, home: Path) -> dict[str, str]:
    """The sandbox's environment with the case's variables (a None value unsets one) and its own HOME."""
    env = dict(box_env, HOME=str(home))
    for name, value in case.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def as_delta(env: dict[str, str]) -> dict[str, str | None]:
    """``env`` as changes to this process's environment (which the release's interpreter inherited)."""
    return {**{name: None for name in os.environ if name not in env}, **env}


def run_release(interpreter: LineServer, cases: dict, box_env: dict, scratch: Path) -> dict:
    """Every case of a group with one real release, each from its own copy of the sandbox's HOME."""
    batch = {}
    for name, case in cases.items():
        home = scratch / "real" / name
        shutil.copytree(box_env["HOME"], home, symlinks=True)
        batch[name] = {**case, "env": as_delta(case_env(box_env, case, home)), "home": str(home)}
    try:
        return interpreter.ask(batch, HARNESS_TIMEOUT)
    except RuntimeError as ex:
        return {name: {"harness_error": str(ex)} for name in cases}


def run_engine(case: dict, version: str, box_env: dict, scratch: Path) -> dict:
    """One case with the engine as one release, in its own copy of the sandbox's HOME."""
    home = scratch / "engine"
    shutil.copytree(box_env["HOME"], home, symlinks=True)
    return engine_verdict(case, version, Host(env=case_env(box_env, case, home)))


def run_group(cases: dict, box_env: dict, interpreters: dict[str, LineServer], scratch: Path) -> dict:
    releases = list(interpreters)
    with ThreadPoolExecutor(PARALLEL) as reals, ThreadPoolExecutor(PARALLEL) as pool:
        real = {v: reals.submit(run_release, interpreters[v], cases, box_env, scratch / v) for v in releases}
        engine = {
            (name, v): pool.submit(run_engine, case, v, box_env, scratch / v / name)
            for name, case in cases.items()
            for v in releases
        }
        return {
            name: {v: {"real": real[v].result()[name], "engine": engine[(name, v)].result()} for v in releases}
            for name in cases
        }


def main() -> dict:
    payload = json.loads(sys.argv[1])
    if os.environ.get(netns.IN_NETNS_ENV) == "1":
        netns.bring_loopback_up()
    scratch = Path(tempfile.mkdtemp(prefix="release-oracle-"))
    interpreters = {v: release_interpreter(python, scratch / f"{v}.log") for v, python in payload["releases"].items()}
    try:
        results: dict = {}
        for index, group in enumerate(payload["groups"]):
            with engine.sandbox.start(group["scenario"], overrides=group["overrides"] or None) as box:
                results.update(run_group(group["cases"], dict(box.env), interpreters, scratch / str(index)))
        return results
    finally:
        with ThreadPoolExecutor(len(interpreters) or 1) as pool:
            list(pool.map(LineServer.close, interpreters.values()))
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    print(VERDICTS + json.dumps(main()), flush=True)
