"""Fuzzing (hypothesis, 2,000 cases each): the spec loader, the --option parser, the scenario loader and the
az/azd/pwsh output handling raise only their documented error types, and no token reaches any message."""

from __future__ import annotations

import argparse
import json
import logging
import math

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli.common import load_spec
from engine.credentials import azd_cli, azure_cli, azure_powershell
from engine.credentials._internal import developer_tools
from engine.credentials._internal.developer_tools import ToolOutput
from engine.host import Host
from engine.run import run_chain
from engine.sandbox import scenario as scenarios
from engine.sandbox.scenario import ScenarioError
from engine.spec import CREDENTIAL_OPTIONS, DAC_OPTIONS, ChainSpec, SpecError
from tests.doubles.chain import make_jwt

pytestmark = pytest.mark.timeout(600)  # 2,000 cases each, on a shared machine
CASES = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))

JWT = make_jwt({"upn": "fuzz@contoso.com", "canary": "FUZZ-CANARY-31"})
PAYLOAD = JWT.split(".")[1]

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
SPEC_KEYS = ["chain", "type", "azure_identity", "options", "credentials", "enabled", *DAC_OPTIONS]
SPEC_KEYS += [*sorted({k for options in CREDENTIAL_OPTIONS.values() for k in options}), "exclude_cli_credential"]
SPEC_VALUES = ["DefaultAzureCredential", "ChainedTokenCredential", "1.27", *CREDENTIAL_OPTIONS]
keys = st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=8))
leaves = st.one_of(scalars, st.sampled_from(SPEC_VALUES))
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _toml_text(tree: object) -> str | None:
    try:
        return tomli_w.dumps(tree if isinstance(tree, dict) else {"chain": tree})
    except (TypeError, ValueError):
        return None


@CASES
@given(st.one_of(trees.map(_toml_text), st.text(max_size=200)))
def test_spec_loader_raises_only_spec_errors(text):
    if text is None:
        return
    try:
        spec = ChainSpec.loads(text, source="fuzz.toml")
    except SpecError as ex:
        assert ex.problems and "\n" not in str(ex)
    else:
        assert ChainSpec.loads(spec.dumps()).to_dict() == spec.to_dict()  # what loads, saves and loads again


@CASES
@given(st.binary(max_size=300))
def test_spec_files_of_any_bytes_raise_only_spec_errors(fuzz_dir, data):
    path = fuzz_dir / "fuzz-spec.toml"
    path.write_bytes(data)
    try:
        ChainSpec.load(path)
    except SpecError as ex:
        assert str(path) in str(ex) and "\n" not in str(ex)


option_values = st.one_of(
    st.text(max_size=20),
    scalars.map(lambda v: json.dumps(v) if not (isinstance(v, float) and not math.isfinite(v)) else str(v)),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "null", "[1,2]", '{"a":1}', "True", "False"]),
)


@CASES
@given(st.lists(st.tuples(st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=10)), option_values), max_size=4))
def test_option_parser_raises_only_spec_errors(pairs):
    args = argparse.Namespace(config=None, profile=None, option=[f"{k}={v}" for k, v in pairs])
    try:
        spec = load_spec(args)
    except SpecError as ex:
        assert "\n" not in str(ex)
    else:
        for value in spec.options.values():  # whatever passed validation is well-formed
            if isinstance(value, float):
                assert math.isfinite(value)


SCENARIO_KEYS = ["tenants", "users", "apps", "tools", "az", "azd", "pwsh", "mode", "managed_identity", "kind"]
SCENARIO_KEYS += ["id", "domain", "upn", "oid", "client_id", "name", "account", "delay", "shared_cache", "browser"]
scenario_trees = st.dictionaries(
    st.one_of(st.sampled_from(SCENARIO_KEYS), st.text(max_size=6)),
    st.recursive(
        st.one_of(scalars, st.sampled_from(["signed_in", "imds", "ok", "t1", "contoso.com"])),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(SCENARIO_KEYS), inner)),
        max_leaves=20,
    ),
    max_size=6,
)


@CASES
@given(st.one_of(scenario_trees.map(_toml_text), st.binary(max_size=200)))
def test_scenario_loader_raises_only_scenario_errors(fuzz_dir, content):
    if content is None:
        return
    path = fuzz_dir / "fuzz-scenario.toml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    try:
        scenarios.load(path)
    except ScenarioError as ex:
        assert str(path) in str(ex) and "\n" not in str(ex)


# ---- tool output: the whole credential, from the process result to every rendering of the run ----------
token_text = st.sampled_from(
    [
        JWT,
        f'{{"accessToken": "{JWT}", "expires_on": 1767225600}}',
        f'{{"accessToken": "{JWT}"',
        f'{{"access_token": "{JWT}"}}',
        f'{{"token": "{JWT}", "expiresOn": "2026-01-01T00:00:00Z"}}',
        f'{{"error": "bad {JWT}"}}',
        f'{{"type": "consoleMessage", "data": {{"message": "{JWT}"}}}}',
        f"azsdk%{JWT}%1767225600",
        f"azsdk%%{JWT}",
        f"azsdk%{JWT}%x%y",
        "[1, 2]",
        '{"expires_on": "soon", "accessToken": 5}',
    ]
)
streams = st.lists(st.one_of(token_text, st.text(max_size=30)), max_size=4).map("\n".join)
results = st.builds(ToolOutput, st.sampled_from([0, 1, 2, 127]), streams, streams)


@pytest.fixture(scope="module")
def tool_host(tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("bin")
    for name in ("az", "azd", "pwsh"):
        (bin_dir / name).write_text("#!/bin/sh\nexit 1\n")
        (bin_dir / name).chmod(0o755)
    return Host(env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(bin_dir)})


CREDENTIALS = {
    "az": (azure_cli.AzureCliCredential, developer_tools),
    "azd": (azd_cli.AzureDeveloperCliCredential, developer_tools),
    "pwsh": (azure_powershell.AzurePowerShellCredential, azure_powershell),
}


@pytest.mark.parametrize("tool", sorted(CREDENTIALS))
def test_tool_output_never_crashes_a_run_or_leaks_a_token(tool, tool_host, monkeypatch):
    credential_class, module = CREDENTIALS[tool]

    @CASES
    @given(results)
    def check(result):
        monkeypatch.setattr(module, "run_tool", lambda *args, **kwargs: result)
        run = run_chain(credential_class(host=tool_host))
        assert run.outcome in ("succeeded", "failed", "unavailable")
        text = json.dumps(run.to_json()) + "\n".join(run.log_lines(logging.DEBUG)) + repr(run.attempts)
        assert PAYLOAD not in text and "FUZZ-CANARY" not in text

    check()
