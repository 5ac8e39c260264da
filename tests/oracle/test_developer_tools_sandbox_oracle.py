"""az, azd and pwsh on the sandbox machine: the engine, azure-identity 1.27.0 and our probe agree.

The sandbox's tools redeem real (sandbox-issued) tokens, so the two sides get different token text;
they must agree on the outcome, the account in the token and (within a few seconds) its expiry, and
the probe must predict that outcome and account from the tools' files alone.
"""

from __future__ import annotations

import os
import re

import pytest

from engine.account import Account
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.probe import AVAILABLE, UNAVAILABLE
from tests.oracle.developer_tools_harness import Kind, both
from tests.system import require_oracle

require_oracle()

SCOPE = "https://management.azure.com/.default"
KINDS = {
    "az": Kind("az", "AzureCliCredential", AzureCliCredential),
    "azd": Kind("azd", "AzureDeveloperCliCredential", AzureDeveloperCliCredential),
    "pwsh": Kind("pwsh", "AzurePowerShellCredential", AzurePowerShellCredential),
}
MODES = ["signed_in", "not_signed_in", "absent", "garbage", "aadsts_error"]
CASES = [(tool, mode) for tool in KINDS for mode in MODES] + [("pwsh", "module_missing")]


def _use(box, monkeypatch) -> None:
    """Make this process's environment the sandbox machine's, as an app started there would see it."""
    for name in list(os.environ):
        if name not in box.env:
            monkeypatch.delenv(name)
    for name, value in box.env.items():
        monkeypatch.setenv(name, value)


# Entra puts fresh ids and times in every error; the two sides' calls get different ones.
_PER_CALL = re.compile(r"(Trace ID|Correlation ID|Timestamp): [^\n\\]*")
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z")


def _stable(outcome: tuple) -> tuple:
    return (*outcome[:2], _ISO_TIME.sub("<time>", _PER_CALL.sub(r"\1: ...", outcome[2])))


def _account(side):
    return Account.from_token(side.outcome[1]) if side.outcome[0] == "token" else None


@pytest.mark.parametrize(("tool", "mode"), CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_sandbox_tool_gives_the_same_verdict_and_the_probe_predicts_it(sandbox_factory, monkeypatch, tool, mode):
    box = sandbox_factory("laptop-everything", tools={tool: {"mode": mode}})
    _use(box, monkeypatch)
    kind = KINDS[tool]
    real, ours = both(kind, None, SCOPE)

    assert ours.outcome[0] == real.outcome[0]
    if real.outcome[0] == "error":
        assert _stable(ours.outcome) == _stable(real.outcome)
    else:
        assert (_account(ours).upn, _account(ours).tenant_id) == (_account(real).upn, _account(real).tenant_id)
        assert abs(ours.outcome[2] - real.outcome[2]) <= 5

    found = kind.ours().probe()
    if ours.outcome[0] == "token":
        assert found.status == AVAILABLE, found.reason
        assert found.identity.tenant_id == _account(ours).tenant_id
        assert found.identity.upn == _account(ours).upn  # the probe names who the token will be for
    elif mode in ("not_signed_in", "absent", "module_missing"):
        assert found.status != AVAILABLE, found.reason
        assert found.status == UNAVAILABLE or mode == "module_missing", found.reason
