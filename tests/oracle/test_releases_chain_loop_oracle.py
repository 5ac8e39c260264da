"""The chain loop of every release 1.19-1.27 against the engine as that release (issue 10).

The scripts and assertions of tests/oracle/test_chain_loop_oracle.py: each release's venv
(tests/oracle/releases.py) runs every script in one interpreter (tests/oracle/chain_loop_harness.py),
the releases in parallel; the engine runs the same script with that release's profile. Any difference
between releases must come from engine/profiles.py's change table, never from a case here.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import loopback
from tests.oracle.chain_loop_cases import KINDS, SCRIPTS
from tests.oracle.chain_loop_harness import MARKER
from tests.oracle.releases import RELEASES, interpreter
from tests.oracle.test_chain_loop_oracle import assert_same_loop, run_ours

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("chain_loop_harness.py")
NO_VERDICT = "azure-identity {version}: the chain-loop harness printed no verdict (exit {code}): {stderr}"
pytestmark = pytest.mark.timeout(600)


def _real_loops(version: str, home: Path) -> dict:
    env = loopback.guarded({"PATH": "/usr/bin:/bin", "HOME": str(home)}, REPO_ROOT)
    proc = subprocess.run(
        [str(interpreter(version)), str(HARNESS)], capture_output=True, text=True, timeout=300, env=env
    )
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise AssertionError(NO_VERDICT.format(version=version, code=proc.returncode, stderr=proc.stderr[-2000:]))


@pytest.fixture(scope="module")
def real_loops(tmp_path_factory) -> dict:
    """{release: {"<script>/<kind>": verdict}}: one interpreter per release, four at once."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {v: pool.submit(_real_loops, v, tmp_path_factory.mktemp("home")) for v in RELEASES}
        return {v: f.result() for v, f in futures.items()}


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_profile_chain_loop_matches_its_release(script, kind, release, real_loops):
    assert os.environ.get("AZURE_TOKEN_CREDENTIALS") is None  # the DAC's own construction is not under test
    assert_same_loop(run_ours(kind, SCRIPTS[script], profile=release), real_loops[release][f"{script}/{kind}"])
