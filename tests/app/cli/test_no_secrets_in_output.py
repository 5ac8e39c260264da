"""Canaries: no access token, refresh token, client secret, password or assertion in any output.

Every scenario's own secrets (app secrets, user passwords, managed-identity headers) are the canaries,
plus the shapes of what the sandbox issues: JWTs (access, id and assertion tokens) and its refresh tokens.
The three commands of a scenario run one after another in one sandbox, so the later ones also meet the
caches the earlier ones left.
"""

from __future__ import annotations

import re

import pytest

from engine.env_vars import SECRET_VARIABLES
from engine.sandbox import list_scenarios, load_scenario
from engine.sandbox.tokens import REFRESH_TOKEN_PREFIX
from tests.app.cli.sandbox_cli import chainsight_runs_in

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def _canaries(name: str) -> set[str]:
    raw = load_scenario(name).raw
    values = {s for app in raw.get("apps", []) for s in app.get("secrets", [])}
    values |= {u["password"] for u in raw.get("users", []) if u.get("password")}
    values |= {v for k, v in raw.get("env", {}).items() if k in SECRET_VARIABLES and v}
    return {v for v in values if len(v) >= 6} | {REFRESH_TOKEN_PREFIX}


@pytest.mark.parametrize("name", list_scenarios())
def test_no_secret_reaches_json_human_output_or_debug_log(name):
    outer, outputs = chainsight_runs_in(
        name,
        [
            ["run", "--json", "--log-level", "DEBUG", "--option", "process_timeout=5"],
            ["run", "--option", "process_timeout=5"],
            ["scan", "--json"],
        ],
    )
    for result in outputs:
        assert result.returncode in (0, 1), result.stderr[-2000:]
    for text in [outer.stderr, *(result.stdout + result.stderr for result in outputs)]:
        assert not JWT.search(text), f"a token-shaped string leaked: {JWT.search(text).group(0)[:24]}..."
        for canary in _canaries(name):
            assert canary not in text, f"secret {canary[:4]}... leaked"
