"""Inside one sandbox scenario: each case run by every real release and by the engine as that release.

Invoked by tests/oracle/test_releases_oracle.py through ``chainsight sandbox exec``. Every (case,
release) pair runs at once: the real release in its own venv's interpreter (app/cli/crosscheck_harness.py),
the engine as that release in a thread, each side with its own copy of HOME so no run sees what
another wrote. Returns {case: {release: {"real": verdict, "engine": verdict}}}.
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

PARALLEL = 8  # (case, release) pairs at once: both sides mostly wait on tools, sleeps and the sandbox


def _case_env(base: dict, case: dict, home: Path) -> dict:
    env = dict(base, HOME=str(home))
    for name, value in case.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_pair(case: dict, version: str, python: str, scratch: Path) -> dict:
    """One case, one release: the real release and the engine, each in its own copy of HOME."""
    real_home, engine_home = scratch / "real", scratch / "engine"
    for home in (real_home, engine_home):
        shutil.copytree(os.environ["HOME"], home, symlinks=True)
    try:
        real = run_theirs(python, case, env=dict(os.environ, HOME=str(real_home)))
    except RuntimeError as ex:
        real = {"harness_error": str(ex)}
    engine = engine_verdict(case, version, Host(env=_case_env(dict(os.environ), case, engine_home)))
    return {"real": real, "engine": engine}


def main() -> dict:
    payload = json.loads(sys.argv[1])
    scratch = Path(tempfile.mkdtemp(prefix="release-oracle-"))
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            futures = {
                (name, version): pool.submit(run_pair, case, version, python, scratch / f"{name}-{version}")
                for name, case in payload["cases"].items()
                for version, python in payload["releases"].items()
            }
            results: dict = {}
            for (name, version), future in futures.items():
                results.setdefault(name, {})[version] = future.result()
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
