"""Which forms behave the same as a spec, and that auto picks DefaultAzureCredential(...) whenever it is
equivalent: code that runs as it is. The environment form (it needs AZURE_TOKEN_CREDENTIALS set where the app
runs) is offered, and given only when asked for."""

from __future__ import annotations

import pytest

from engine.export import NotEquivalentError, export, forms
from engine.export.equivalence import (
    CHAINED,
    DEFAULT,
    ENV,
    MANAGED_EXCHANGE,
    NO_CHAINED_FOR_DAC,
    NO_ENV_REQUIRE,
    WORKLOAD_BUILD,
)
from tests.engine.export.specs import ASYNC_AUTO_TABLE, AUTO_TABLE, CLIENT, DEV_EXCLUDES, TENANT, chain, dac


@pytest.mark.parametrize("name", list(AUTO_TABLE))
def test_auto_picks_the_first_equivalent_form_that_runs_as_it_is_default_then_chained(name):
    case = AUTO_TABLE[name]
    result = export(case.spec)
    assert result.style == case.style and result.environment == {}
    assert "require_envvar=True" not in result.code or case.spec.options.get("require_envvar")
    if case.env_value:
        env = export(case.spec, "env")
        assert env.environment == {"AZURE_TOKEN_CREDENTIALS": case.env_value}
        assert f"AZURE_TOKEN_CREDENTIALS={case.env_value}" in env.code
        assert f"AZURE_TOKEN_CREDENTIALS={case.env_value}" in result.code and "--style env" in result.code
    else:
        assert "--style env" not in result.code
    assert case.reason in result.reason
    assert f"# {result.reason.split(':')[0]}" in result.code  # the one-line why heads the code


@pytest.mark.parametrize("name", list(AUTO_TABLE))
def test_auto_never_passes_over_an_equivalent_preferred_form(name):
    verdicts = forms(AUTO_TABLE[name].spec)
    chosen = export(AUTO_TABLE[name].spec).style
    assert chosen != ENV
    for style in (DEFAULT, CHAINED):
        if style == chosen:
            break
        assert not verdicts[style].equivalent, f"{style} was equivalent but auto chose {chosen}"


@pytest.mark.parametrize("name", list(ASYNC_AUTO_TABLE))
def test_async_auto_choice(name):
    case = ASYNC_AUTO_TABLE[name]
    if case.style is None:
        with pytest.raises(NotEquivalentError, match="InteractiveBrowserCredential"):
            export(case.spec, async_=True)
        return
    result = export(case.spec, async_=True)
    assert result.style == case.style and result.environment == {}
    if case.env_value:
        env = export(case.spec, "env", async_=True)
        assert env.environment == {"AZURE_TOKEN_CREDENTIALS": case.env_value}


def test_a_default_azure_credential_spec_has_no_chained_form():
    verdict = forms(dac())[CHAINED]
    assert not verdict.equivalent and verdict.reason == NO_CHAINED_FOR_DAC
    with pytest.raises(NotEquivalentError, match="BrokerCredential"):
        export(dac(), "chained")


def test_a_requested_form_that_is_not_equivalent_is_refused_with_the_reason():
    with pytest.raises(NotEquivalentError) as caught:
        export(chain("ManagedIdentityCredential"), "default")
    assert MANAGED_EXCHANGE in str(caught.value)
    with pytest.raises(NotEquivalentError, match="WorkloadIdentityCredential raises"):
        export(chain("WorkloadIdentityCredential"), "env")
    assert forms(chain("WorkloadIdentityCredential"))[DEFAULT].reason == WORKLOAD_BUILD


def test_require_envvar_spec_has_no_env_form():
    assert forms(dac(require_envvar=True))[ENV].reason == NO_ENV_REQUIRE


def test_env_form_keeps_the_other_keyword_arguments_and_requires_the_variable_on_1_27():
    result = export(dac(**DEV_EXCLUDES, process_timeout=30, shared_cache_username="dev@contoso.com"), "env")
    assert "DefaultAzureCredential(" in result.code
    assert "process_timeout=30" in result.code and 'shared_cache_username="dev@contoso.com"' in result.code
    assert "require_envvar=True" in result.code
    assert "exclude_" not in result.code


def test_env_form_on_1_23_has_no_require_envvar():
    result = export(dac("1.23", **DEV_EXCLUDES), "env")
    assert result.style == ENV and "require_envvar" not in result.code


def test_default_form_of_a_chain_pins_every_exclude_and_the_settings_taken_from_the_environment():
    kwargs = forms(chain("EnvironmentCredential", "SharedTokenCacheCredential"))[DEFAULT].dac_kwargs
    assert kwargs == {
        "exclude_environment_credential": False,
        "exclude_workload_identity_credential": True,
        "exclude_managed_identity_credential": True,
        "exclude_shared_token_cache_credential": False,
        "exclude_visual_studio_code_credential": True,
        "exclude_cli_credential": True,
        "exclude_powershell_credential": True,
        "exclude_developer_cli_credential": True,
        "exclude_interactive_browser_credential": True,
        "exclude_broker_credential": True,
        "shared_cache_username": None,
        "shared_cache_tenant_id": None,
    }


def test_default_form_of_a_chain_maps_member_options_to_dac_keywords():
    spec = chain(
        "EnvironmentCredential",
        ("InteractiveBrowserCredential", {"tenant_id": TENANT, "client_id": CLIENT}),
    )
    kwargs = forms(spec)[DEFAULT].dac_kwargs
    assert kwargs["interactive_browser_tenant_id"] == TENANT
    assert kwargs["interactive_browser_client_id"] == CLIENT
    assert kwargs["exclude_interactive_browser_credential"] is False


def test_default_form_of_a_1_19_chain_states_only_departures_from_the_defaults():
    kwargs = forms(chain("EnvironmentCredential", "VisualStudioCodeCredential", profile="1.19"))[DEFAULT].dac_kwargs
    assert kwargs == {
        "exclude_workload_identity_credential": True,
        "exclude_managed_identity_credential": True,
        "exclude_shared_token_cache_credential": True,
        "exclude_visual_studio_code_credential": False,
        "exclude_cli_credential": True,
        "exclude_powershell_credential": True,
        "exclude_developer_cli_credential": True,
        # 1.19's DefaultAzureCredential gives VS Code AZURE_TENANT_ID; the credential alone does not read it
        "visual_studio_code_tenant_id": None,
    }


def test_async_default_form_drops_keywords_of_members_aio_lacks_and_notes_the_broker():
    spec = dac(interactive_browser_tenant_id=TENANT, broker_client_id=CLIENT, exclude_cli_credential=True)
    result = export(spec, async_=True)
    assert "interactive_browser_tenant_id" not in result.code and "broker_client_id" not in result.code
    assert "exclude_cli_credential=True" in result.code
    assert any("BrokerCredential" in note for note in result.notes)
    assert "BrokerCredential" in result.code  # the note is a comment in the code


def test_async_default_form_of_a_chain_has_no_interactive_or_broker_flags():
    result = export(chain("EnvironmentCredential", "AzureCliCredential"), async_=True)
    assert result.style == DEFAULT
    assert "exclude_interactive_browser_credential" not in result.code
    assert "exclude_broker_credential" not in result.code


def test_managed_identity_single_name_notes_the_skipped_probe():
    result = export(
        dac(
            **{k: k != "exclude_managed_identity_credential" for k in DEV_EXCLUDES},
            **{
                "exclude_shared_token_cache_credential": True,
                "exclude_visual_studio_code_credential": True,
                "exclude_cli_credential": True,
                "exclude_powershell_credential": True,
                "exclude_developer_cli_credential": True,
                "exclude_broker_credential": True,
            },
        ),
        "env",
    )
    assert result.environment == {"AZURE_TOKEN_CREDENTIALS": "managedidentitycredential"}
    assert any("IMDS probe" in note for note in result.notes)


def test_a_non_public_member_has_no_form():
    verdicts = forms(chain("EnvironmentCredential", "BrokerCredential"))
    assert not any(v.equivalent for v in verdicts.values())
    with pytest.raises(NotEquivalentError, match="BrokerCredential is not a credential a ChainSpec can hold"):
        export(chain("EnvironmentCredential", "BrokerCredential"))
