"""The service credentials in the sandbox's simulated machines: real azure-identity vs ours, same outcome.

Each scenario's full environment (proxy, CA bundle, platform variables) is applied to
``os.environ`` for the real library and given to our Host; IMDS is reached at 169.254.169.254
through the sandbox's loopback proxy, as an unmodified app would reach it.
"""

from __future__ import annotations

import os

import pytest

from engine.account import decode_claims
from engine.chain import ChainedTokenCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.host import Host
from tests.doubles.service import SCOPE, outcome, recorded
from tests.system import require_oracle

real = require_oracle()


@pytest.fixture
def scenario_env(sandbox_factory, monkeypatch):
    """``scenario_env(name)`` -> a Host with the scenario's environment, also applied to os.environ."""

    def start(name: str) -> Host:
        box = sandbox_factory(name)
        for variable in list(os.environ):
            monkeypatch.delenv(variable, raising=False)
        for variable, value in box.env.items():
            monkeypatch.setenv(variable, value)
        return Host(env=dict(box.env), home=box.home)

    return start


# Claims that differ between two tokens the sandbox issues for the same identity.
PER_TOKEN_CLAIMS = {"iat", "nbf", "exp", "uti", "rh", "xms_tcdt"}


def identity_of(token: str) -> dict:
    return {k: v for k, v in decode_claims(token).items() if k not in PER_TOKEN_CLAIMS}


def assert_same(real_call, our_call) -> None:
    """Same outcome; for tokens (the sandbox mints a new one per request) the same identity and expiry."""
    expected = outcome(real_call)
    actual, _, _ = recorded(our_call)
    assert actual.kind == expected.kind
    if expected.kind == "token":
        assert identity_of(actual.message) == identity_of(expected.message)
    else:
        assert (actual.message, actual.text) == (expected.message, expected.text)
    assert abs(actual.expires_on - expected.expires_on) <= 2


@pytest.mark.parametrize(
    ("scenario", "kwargs"),
    [
        ("app-service", {}),
        ("cloud-shell", {}),
        ("vm-imds-user-assigned", {"client_id": "f6a7b8c9-0009-4000-8000-0000000d0009"}),
        ("vm-imds-user-assigned", {}),
    ],
    ids=["app-service", "cloud-shell", "imds-user-assigned", "imds-system-assigned"],
)
def test_managed_identity_in_scenario(scenario_env, scenario, kwargs) -> None:
    host = scenario_env(scenario)
    assert_same(
        lambda: real.ManagedIdentityCredential(**kwargs).get_token(SCOPE),
        lambda: ManagedIdentityCredential(host=host, **kwargs).get_token(SCOPE),
    )


def test_imds_probe_in_a_chain_through_the_sandbox_proxy(scenario_env) -> None:
    host = scenario_env("vm-imds-user-assigned")
    client_id = "f6a7b8c9-0009-4000-8000-0000000d0009"
    assert_same(
        lambda: real.ChainedTokenCredential(real.ManagedIdentityCredential(client_id=client_id)).get_token(SCOPE),
        lambda: ChainedTokenCredential(ManagedIdentityCredential(host=host, client_id=client_id)).get_token(SCOPE),
    )


def test_workload_identity_and_token_exchange_in_aks(scenario_env) -> None:
    host = scenario_env("aks-workload-identity")
    assert_same(
        lambda: real.WorkloadIdentityCredential().get_token(SCOPE),
        lambda: WorkloadIdentityCredential(host=host).get_token(SCOPE),
    )
    assert_same(
        lambda: real.ManagedIdentityCredential().get_token(SCOPE),
        lambda: ManagedIdentityCredential(host=host).get_token(SCOPE),
    )
