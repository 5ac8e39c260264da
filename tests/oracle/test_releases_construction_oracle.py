"""DefaultAzureCredential construction by every release 1.19-1.26 against its profile.

The same environment and keyword combinations as the 1.27 construction oracle
(tests/oracle/test_dac_construction_oracle.py), each built by the real release (its cached venv, one
interpreter per release, one forked child per case) and by the engine as that release: the same
members in the same order, or the same constructor error type and message.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.cli.crosscheck import run_theirs
from engine.default import DefaultAzureCredential
from engine.host import Host
from tests.oracle.releases import RELEASES, interpreter
from tests.oracle.test_dac_construction_oracle import CASES

ORACLE_RELEASES = tuple(v for v in RELEASES if not v.startswith("1.27."))
pytestmark = pytest.mark.timeout(600)


def _serialisable(env, kwargs) -> bool:
    try:
        json.dumps([env, kwargs])
    except TypeError:
        return False
    return True


SELECTED = {p.id: p.values for p in CASES if _serialisable(*p.values)}


def _engine(env: dict, kwargs: dict, version: str, base: dict) -> dict:
    try:
        credential = DefaultAzureCredential(host=Host(env={**base, **env}), profile=version, **dict(kwargs))
    except Exception as ex:
        return {"construction_error": [type(ex).__name__, str(ex)]}
    return {"members": credential.member_names}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("home")
    base = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    batch = {
        name: {"env": env, "kwargs": kwargs, "construct_only": True, "home": str(home)}
        for name, (env, kwargs) in SELECTED.items()
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        real = {v: pool.submit(run_theirs, str(interpreter(v)), {"batch": batch}, base) for v in ORACLE_RELEASES}
        real = {v: f.result() for v, f in real.items()}
    return {
        (name, v): (real[v][name], _engine(env, kwargs, v, base))
        for name, (env, kwargs) in SELECTED.items()
        for v in ORACLE_RELEASES
    }


@pytest.mark.parametrize("release", ORACLE_RELEASES)
@pytest.mark.parametrize("name", list(SELECTED))
def test_profile_builds_the_chain_its_release_builds(name, release, verdicts):
    real, ours = verdicts[(name, release)]
    real = {k: v for k, v in real.items() if k != "azure_identity"}
    assert _keys_in_order(ours) == _keys_in_order(real)


_KEY_LIST = re.compile(
    r"(object_id|resource_id|client_id), (object_id|resource_id|client_id), (object_id|resource_id|client_id)"
)


def _keys_in_order(verdict: dict) -> dict:
    """azure-identity lists identity_config's keys in a set's order, which differs per process (README)."""
    text = _KEY_LIST.sub(lambda m: ", ".join(sorted(m.groups())), json.dumps(verdict))
    return json.loads(text)
