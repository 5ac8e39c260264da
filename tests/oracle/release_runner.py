"""Inside one sandbox scenario: each case run by every real release and by the engine as that release.

Invoked by tests/oracle/test_releases_oracle.py through ``chainsight sandbox exec``. Each real release
runs every case in one interpreter of its venv (app/cli/crosscheck_harness.py's batch mode: imported
once, one forked child per case, one at a time); the engine runs each (case, release) in a thread. Every run has its
own copy of HOME, so none sees what another wrote. Returns {case: {release: {"real": ..., "engine": ...}}}.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.cli.crosscheck import engine_verdict, run_theirs
from engine.host import Host

# Cases run at once on each side: the real releases (one case per release interpreter at a time, this
# many releases at once) and the engine (threads). Each case may spawn a tool stand-in (az loads msal,
# as real az does: about 0.3 s alone) whose 10 s process timeout is counting. Measured here with az
# alone: 4 at once took 1.3 s each, 16 took 3.9 s, 40 took 7.5 s; the batch harness used to fork every
# case of a scenario at once (40 with four releases), so on the loaded merged run old releases' az
# timed out (unavailable) where the engine's, four at a time, did not. Now both sides run four at once.
PARALLEL = 4
CHILDREN_PER_RELEASE = 1


def _case_env(base: dict, case: dict, home: Path) -> dict:
    env = dict(base, HOME=str(home))
    for name, value in case.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_release(cases: dict, python: str, scratch: Path) -> dict:
    """Every case with one real release: one interpreter, one forked child per case, each its own HOME."""
    batch = {}
    for name, case in cases.items():
        home = scratch / "real" / name
        shutil.copytree(os.environ["HOME"], home, symlinks=True)
        batch[name] = {**case, "home": str(home)}
    try:
        return run_theirs(python, {"batch": batch, "parallel": CHILDREN_PER_RELEASE})
    except RuntimeError as ex:
        return {name: {"harness_error": str(ex)} for name in cases}


def run_engine(case: dict, version: str, scratch: Path) -> dict:
    """One case with the engine as one release, in its own copy of HOME."""
    home = scratch / "engine"
    shutil.copytree(os.environ["HOME"], home, symlinks=True)
    return engine_verdict(case, version, Host(env=_case_env(dict(os.environ), case, home)))


def main() -> dict:
    payload = json.loads(sys.argv[1])
    cases, releases = payload["cases"], payload["releases"]
    scratch = Path(tempfile.mkdtemp(prefix="release-oracle-"))
    try:
        with ThreadPoolExecutor(PARALLEL) as reals, ThreadPoolExecutor(PARALLEL) as pool:
            real = {v: reals.submit(run_release, cases, python, scratch / v) for v, python in releases.items()}
            engine = {
                (name, v): pool.submit(run_engine, case, v, scratch / v / name)
                for name, case in cases.items()
                for v in releases
            }
            return {
                name: {v: {"real": real[v].result()[name], "engine": engine[(name, v)].result()} for v in releases}
                for name in cases
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
