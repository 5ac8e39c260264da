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
import select
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import engine.sandbox
from app.cli.crosscheck import HARNESS_TIMEOUT, engine_verdict, harness_text
from engine.host import Host
from engine.sandbox import netns

# Cases run at once on each side: the real releases (one case per release interpreter at a time, this
# many releases at once) and the engine (threads). Each case may spawn a tool stand-in (az loads msal,
# as real az does: about 0.3 s alone) whose 10 s process timeout is counting. Measured here with az
# alone: 4 at once took 1.3 s each, 16 took 3.9 s, 40 took 7.5 s; the batch harness used to fork every
# case of a scenario at once (40 with four releases), so on the loaded merged run old releases' az
# timed out (unavailable) where the engine's, four at a time, did not. Now both sides run four at once.
PARALLEL = 4
CHILDREN_PER_RELEASE = 1
VERDICTS = "RELEASE-VERDICTS:"
# The release's interpreter: the crosscheck harness, then one batch per input line, one verdict line each.
SERVE = """
import json as _json, sys as _sys
warnings.simplefilter("ignore")
for _line in _sys.stdin:
    _sys.stdout.write({marker!r} + _json.dumps(_batch(_json.loads(_line), {parallel})) + "\\n")
    _sys.stdout.flush()
"""
NO_VERDICTS = "{python}: no verdicts ({why}); its stderr ends: {stderr!r}"


class ReleaseInterpreter:
    """One release's interpreter, kept for every group; started again if a batch kills it."""

    def __init__(self, python: str, log: Path) -> None:
        self.python, self.log = python, log
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        # Named so the harness's own `if __name__ == "__main__"` stays quiet: this loop reads stdin instead.
        code = (
            '__name__ = "release_harness"\n'
            + harness_text()
            + SERVE.format(marker=VERDICTS, parallel=CHILDREN_PER_RELEASE)
        )
        with self.log.open("ab") as stderr:
            return subprocess.Popen(
                [self.python, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
            )

    def run(self, cases: dict) -> dict:
        """{case: verdict} for one batch; raises RuntimeError (and drops the interpreter) when none comes."""
        try:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            self.process.stdin.write(json.dumps(cases) + "\n")
            self.process.stdin.flush()
            line = self._read_verdicts(time.monotonic() + HARNESS_TIMEOUT)
        except (OSError, RuntimeError) as ex:
            self.close()
            stderr = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(NO_VERDICTS.format(python=self.python, why=ex, stderr=stderr)) from ex
        return json.loads(line[len(VERDICTS) :])

    def _read_verdicts(self, deadline: float) -> str:
        stdout = self.process.stdout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"none after {HARNESS_TIMEOUT} s")
            ready, _, _ = select.select([stdout], [], [], remaining)
            if not ready:
                continue
            line = stdout.readline()
            if not line:
                raise RuntimeError(f"it exited ({self.process.wait()})")
            if line.startswith(VERDICTS):
                return line

    def close(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.stdin:
            try:
                process.stdin.close()
            except OSError:
                pass
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


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


def run_release(interpreter: ReleaseInterpreter, cases: dict, box_env: dict, scratch: Path) -> dict:
    """Every case of a group with one real release, each from its own copy of the sandbox's HOME."""
    batch = {}
    for name, case in cases.items():
        home = scratch / "real" / name
        shutil.copytree(box_env["HOME"], home, symlinks=True)
        batch[name] = {**case, "env": as_delta(case_env(box_env, case, home)), "home": str(home)}
    try:
        return interpreter.run(batch)
    except RuntimeError as ex:
        return {name: {"harness_error": str(ex)} for name in cases}


def run_engine(case: dict, version: str, box_env: dict, scratch: Path) -> dict:
    """One case with the engine as one release, in its own copy of the sandbox's HOME."""
    home = scratch / "engine"
    shutil.copytree(box_env["HOME"], home, symlinks=True)
    return engine_verdict(case, version, Host(env=case_env(box_env, case, home)))


def run_group(cases: dict, box_env: dict, interpreters: dict[str, ReleaseInterpreter], scratch: Path) -> dict:
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
    interpreters = {v: ReleaseInterpreter(python, scratch / f"{v}.log") for v, python in payload["releases"].items()}
    try:
        results: dict = {}
        for index, group in enumerate(payload["groups"]):
            with engine.sandbox.start(group["scenario"], overrides=group["overrides"] or None) as box:
                results.update(run_group(group["cases"], dict(box.env), interpreters, scratch / str(index)))
        return results
    finally:
        with ThreadPoolExecutor(len(interpreters) or 1) as pool:
            list(pool.map(ReleaseInterpreter.close, interpreters.values()))
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    print(VERDICTS + json.dumps(main()), flush=True)
