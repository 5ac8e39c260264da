"""ChainSpec files: round trips, and every problem reported at once with its key path."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.build import build
from engine.spec import ChainSpec, CredentialSpec, SpecError

DAC_SPEC = """
[chain]
type = "DefaultAzureCredential"
azure_identity = "1.27"
[chain.options]
exclude_cli_credential = true
process_timeout = 20
"""

CHAINED_SPEC = """
[chain]
type = "ChainedTokenCredential"
[[chain.credentials]]
type = "AzureCliCredential"
tenant_id = "contoso.onmicrosoft.com"
[[chain.credentials]]
type = "ManagedIdentityCredential"
client_id = "00000000-0000-0000-0000-000000000001"
enabled = false
[[chain.credentials]]
type = "AzureDeveloperCliCredential"
"""


def test_default_spec_round_trips(tmp_path):
    spec = ChainSpec.loads(DAC_SPEC)
    assert spec.options == {"exclude_cli_credential": True, "process_timeout": 20}
    path = tmp_path / "chain.toml"
    spec.save(path)
    assert ChainSpec.load(path) == spec


def test_chained_spec_round_trips_with_disabled_members(tmp_path):
    spec = ChainSpec.loads(CHAINED_SPEC)
    assert [c.type for c in spec.credentials] == [
        "AzureCliCredential",
        "ManagedIdentityCredential",
        "AzureDeveloperCliCredential",
    ]
    assert spec.credentials[1].enabled is False
    assert ChainSpec.loads(spec.dumps()) == spec


def test_every_problem_is_reported_with_its_key_path():
    text = """
[chain]
type = "ChainedTokenCredential"
colour = "blue"
[chain.options]
exclude_cli_credential = true
[[chain.credentials]]
type = "NoSuchCredential"
[[chain.credentials]]
type = "AzureCliCredential"
process_timeout = "ten"
tenant = "t"
[extra]
"""
    with pytest.raises(SpecError) as info:
        ChainSpec.loads(text, source="chain.toml")
    paths = [p for p, _ in info.value.problems]
    assert paths == [
        "extra",
        "chain.colour",
        "chain.options",
        "chain.options.exclude_cli_credential",
        "chain.credentials[0].type",
        "chain.credentials[1].process_timeout",
        "chain.credentials[1].tenant",
    ] or set(paths) >= {
        "extra",
        "chain.colour",
        "chain.credentials[0].type",
        "chain.credentials[1].process_timeout",
        "chain.credentials[1].tenant",
    }
    assert "chain.toml" in str(info.value)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("[chain]\ntype = 'Nope'", "chain.type"),
        ("[chain]\nazure_identity = '0.1'", "chain.azure_identity"),
        ("[chain.options]\nexclude_cli_credential = 'yes'", "chain.options.exclude_cli_credential"),
        ("[chain.options]\nexclude_everything = true", "chain.options.exclude_everything"),
        ("[chain]\ntype = 'ChainedTokenCredential'", "chain.credentials"),
        ("not toml at all [", "(file)"),
        ("[other]", "chain"),
    ],
)
def test_single_problems_name_their_key(text, path):
    with pytest.raises(SpecError) as info:
        ChainSpec.loads(text)
    assert path in [p for p, _ in info.value.problems]


def test_secret_options_name_variables_and_are_read_from_the_host(host):
    spec = ChainSpec(
        type="ChainedTokenCredential",
        credentials=[
            CredentialSpec(
                "ClientSecretCredential", {"tenant_id": "t", "client_id": "c", "client_secret_env": "MY_SECRET"}
            )
        ],
    )
    assert "canary" not in spec.dumps()
    with pytest.raises(ValueError, match="MY_SECRET"):
        build(spec, host)
    chain = build(spec, host.with_overlay(set={"MY_SECRET": "canary-value"}))
    assert chain.credentials[0]._client_secret.reveal() == "canary-value"
    assert "canary" not in repr(vars(chain.credentials[0]))


def test_built_chain_skips_disabled_members(host):
    chain = build(ChainSpec.loads(CHAINED_SPEC), host)
    assert [type(c).__name__ for c in chain.credentials] == ["AzureCliCredential", "AzureDeveloperCliCredential"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "exclude_cli_credential",
                "exclude_broker_credential",
                "process_timeout",
                "managed_identity_client_id",
                "bogus",
            ]
        ),
        st.one_of(st.booleans(), st.integers(0, 100), st.text(max_size=5)),
    )
)
def test_loader_never_crashes_and_accepts_only_well_typed_options(options):
    spec = ChainSpec(options=options)
    try:
        loaded = ChainSpec.loads(spec.dumps())
    except SpecError as ex:
        assert ex.problems
    else:
        assert loaded.options == options


def test_system_assigned_managed_identity_survives_toml_as_an_empty_string(host):
    spec = ChainSpec(options={"managed_identity_client_id": None})
    loaded = ChainSpec.loads(spec.dumps())
    assert loaded.options == {"managed_identity_client_id": ""}
    env = host.with_overlay(set={"AZURE_CLIENT_ID": "user-assigned"})
    for options in (spec.options, loaded.options):
        chain = build(ChainSpec(options=options), env)
        managed = next(c for c in chain.credentials if type(c).__name__ == "ManagedIdentityCredential")
        assert not managed._client_id


def test_client_secret_defaults_to_azure_client_secret(host):
    spec = ChainSpec(
        type="ChainedTokenCredential",
        credentials=[CredentialSpec("ClientSecretCredential", {"tenant_id": "t", "client_id": "c"})],
    )
    chain = build(spec, host.with_overlay(set={"AZURE_CLIENT_SECRET": "canary"}))
    assert chain.credentials[0]._client_secret.reveal() == "canary"
