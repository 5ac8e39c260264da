"""Every case of the release oracle in one process: each real release and the engine as that release.

Invoked by tests/oracle/test_releases_oracle.py, inside one loopback-only network namespace where the machine
allows. Each real release is one interpreter of its venv for the whole run (app/cli/crosscheck_harness.py's batch
mode, fed a group of cases at a time): azure-identity is imported once per release, and every case runs in a
child forked from it. The groups (cases that share a scenario and overrides) run one after another, each in its
own sandbox started here; the engine runs as each release in a process of its own (``--engine``). A case gets
exactly the environment ``chainsight sandbox exec`` gives its command, plus the case's own variables, and its
own copy of the sandbox's HOME, on both sides: the release's child and the engine's Host. Returns {case: {release: {"real": ..., "engine": ...}}}.
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
from tests.oracle.forked_cases import HARNESS_ERROR, overlay
from tests.oracle.line_server import LineServer, serve, serve_code

# Cases run at once on each side: the real releases (one case per release interpreter at a time, this
# many releases at once) and the engine (threads). Each case may spawn a tool stand-in (az loads msal,
# as real az does: about 0.3 s alone) whose 10 s process timeout is counting. Measured here with az
# alone: 4 at once took 1.3 s each, 16 took 3.9 s, 40 took 7.5 s; the batch harness used to fork every
# case of a scenario at once (40 with four releases), so on the loaded merged run old releases' az
# timed out (unavailable) where the engine's, four at a time, did not. Now both sides run four at once.
PARALLEL = 4
CHILDREN_PER_RELEASE = 1
VERDICTS = "RELEASE-VERDICTS:"
ENGINE = "--engine"  # argv of the engine's process


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
    overlay(env, case.get("env", {}))
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
        return {name: {HARNESS_ERROR: str(ex)} for name in cases}


def run_engine(case: dict, version: str, box_env: dict, scratch: Path) -> dict:
    """One case with the engine as one release, in its own copy of the sandbox's HOME."""
    home = scratch / "engine"
    shutil.copytree(box_env["HOME"], home, symlinks=True)
    return engine_verdict(case, version, Host(env=case_env(box_env, case, home)))


def engine_side(request: dict) -> dict:
    """The engine process's answer for one group: {case: {release: verdict}}, PARALLEL (case, release) at once."""
    cases, box_env, releases, scratch = request["cases"], request["box_env"], request["releases"], request["scratch"]
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = {
            (name, v): pool.submit(run_engine, case, v, box_env, Path(scratch) / v / name)
            for name, case in cases.items()
            for v in releases
        }
        return {name: {v: futures[(name, v)].result() for v in releases} for name in cases}


def run_group(
    cases: dict, box_env: dict, interpreters: dict[str, LineServer], engine_process: LineServer, scratch: Path
) -> dict:
    """Both sides of one group: the releases from their interpreters, the engine from its own process."""
    releases = list(interpreters)
    with ThreadPoolExecutor(PARALLEL) as reals:
        real = {v: reals.submit(run_release, interpreters[v], cases, box_env, scratch / v) for v in releases}
        request = {"cases": cases, "box_env": box_env, "releases": releases, "scratch": str(scratch)}
        try:
            ours = engine_process.ask(request, HARNESS_TIMEOUT)
        except RuntimeError as ex:
            ours = {name: {v: {HARNESS_ERROR: str(ex)} for v in releases} for name in cases}
        return {
            name: {v: {"real": real[v].result()[name], "engine": ours[name][v]} for v in releases} for name in cases
        }


def main() -> dict:
    payload = json.loads(sys.argv[1])
    if os.environ.get(netns.IN_NETNS_ENV) == "1":
        netns.bring_loopback_up()
    scratch = Path(tempfile.mkdtemp(prefix="release-oracle-"))
    interpreters = {v: release_interpreter(python, scratch / f"{v}.log") for v, python in payload["releases"].items()}
    # The engine runs in a process of its own, as the releases do: in this one its threads would compete for
    # the interpreter lock with the sandbox's servers, and a slow answer to the 1 s IMDS probe is a different
    # verdict (a loaded full run found the engine's probe timed out where the releases' did not).
    engine_process = LineServer([sys.executable, "-m", "tests.oracle.release_runner", ENGINE], scratch / "engine.log")
    try:
        results: dict = {}
        for index, group in enumerate(payload["groups"]):
            with engine.sandbox.start(group["scenario"], overrides=group["overrides"] or None) as box:
                results.update(
                    run_group(group["cases"], dict(box.env), interpreters, engine_process, scratch / str(index))
                )
        return results
    finally:
        with ThreadPoolExecutor(len(interpreters) + 1) as pool:
            list(pool.map(LineServer.close, [*interpreters.values(), engine_process]))
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == [ENGINE]:
        serve(engine_side)
    else:
        print(VERDICTS + json.dumps(main()), flush=True)
