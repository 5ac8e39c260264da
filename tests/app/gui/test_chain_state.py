"""ChainState: the Qt-free editable chain (order, exclusions, options, undo) and its ChainSpec."""

from __future__ import annotations

import pytest

from app.gui.chain_state import CONVERTED_NOTE, ChainState, StateEvent
from engine.spec import CHAINED_TOKEN_CREDENTIAL, DEFAULT_AZURE_CREDENTIAL, ChainSpec, CredentialSpec

DAC_127 = [
    "EnvironmentCredential",
    "WorkloadIdentityCredential",
    "ManagedIdentityCredential",
    "SharedTokenCacheCredential",
    "VisualStudioCodeCredential",
    "AzureCliCredential",
    "AzurePowerShellCredential",
    "AzureDeveloperCliCredential",
    "InteractiveBrowserCredential",
    "BrokerCredential",
]


def test_starts_as_default_azure_credential_of_the_profile_with_interactive_browser_unchecked():
    state = ChainState()
    assert state.names() == DAC_127
    assert state.to_spec() == ChainSpec()
    assert not state.is_enabled(DAC_127.index("InteractiveBrowserCredential"))


def test_unchecking_a_dac_member_writes_its_exclude_option_and_rechecking_removes_it():
    state = ChainState()
    state.set_enabled(0, False)
    assert state.to_spec().options == {"exclude_environment_credential": True}
    state.set_enabled(0, True)
    assert state.to_spec().options == {}
    assert state.undo_labels == ["Exclude EnvironmentCredential", "Include EnvironmentCredential"]


def test_checking_interactive_browser_writes_exclude_false():
    state = ChainState()
    state.set_enabled(DAC_127.index("InteractiveBrowserCredential"), True)
    assert state.to_spec().options == {"exclude_interactive_browser_credential": False}


def test_azure_token_credentials_in_the_environment_decides_the_checkboxes():
    state = ChainState(env={"AZURE_TOKEN_CREDENTIALS": "prod"})
    assert state.enabled_names() == ["EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential"]
    # re-adding one the variable removed is an explicit exclude_*=False, as azure-identity reads it
    state.set_enabled(DAC_127.index("AzureCliCredential"), True)
    assert state.to_spec().options == {"exclude_cli_credential": False}


def test_moving_a_dac_member_converts_to_chained_token_credential_and_says_so():
    state = ChainState()
    state.set_enabled(0, False)
    assert state.move(DAC_127.index("AzureCliCredential"), 0)
    spec = state.to_spec()
    assert spec.type == CHAINED_TOKEN_CREDENTIAL
    assert [c.type for c in spec.credentials][:2] == ["AzureCliCredential", "EnvironmentCredential"]
    assert "BrokerCredential" not in state.names()  # it exists only inside DefaultAzureCredential
    assert [c.enabled for c in spec.credentials][:2] == [True, False]  # the exclusion is kept
    assert state.note.startswith(CONVERTED_NOTE)
    assert "BrokerCredential" in state.note


def test_conversion_unchecks_placeholders_and_maps_dac_options_onto_members():
    state = ChainState()
    state.set_dac_options({"managed_identity_client_id": "abc", "process_timeout": 30})
    state.placeholders = {"WorkloadIdentityCredential"}
    state.convert_to_chained()
    by_type = {c.type: c for c in state.to_spec().credentials}
    assert not by_type["WorkloadIdentityCredential"].enabled
    assert by_type["ManagedIdentityCredential"].options == {"client_id": "abc"}
    assert by_type["AzureCliCredential"].options == {"process_timeout": 30}
    assert "WorkloadIdentityCredential: cannot be built" in state.note


def test_move_uses_qt_insert_before_convention():
    state = ChainState()
    state.convert_to_chained()
    names = state.names()
    assert not state.move(2, 3)  # onto itself: no-op
    assert state.move(0, 3)  # before the old row 3
    assert state.names()[:3] == [names[1], names[2], names[0]]
    assert state.move(0, len(state))  # to the end
    assert state.names()[-1] == names[1]


def test_undo_and_redo_restore_order_mode_and_members():
    state = ChainState()
    state.move(5, 0)
    assert state.undo_label == "Move AzureCliCredential"
    assert state.undo()
    assert state.mode == DEFAULT_AZURE_CREDENTIAL and state.names() == DAC_127
    assert state.redo()
    assert state.names()[0] == "AzureCliCredential" and state.mode == CHAINED_TOKEN_CREDENTIAL
    assert not state.redo()


def test_a_new_edit_clears_redo():
    state = ChainState()
    state.set_enabled(0, False)
    state.undo()
    state.set_enabled(1, False)
    assert not state.can_redo


def test_add_remove_and_options_only_in_chained_mode():
    state = ChainState()
    with pytest.raises(ValueError):
        state.add("AzureCliCredential")
    state.load_spec(ChainSpec(CHAINED_TOKEN_CREDENTIAL, "1.27", {}, [CredentialSpec("EnvironmentCredential")]))
    row = state.add("AzureCliCredential")
    state.set_options(row, {"tenant_id": "t1", "subscription": ""})
    assert state.to_spec().credentials[1] == CredentialSpec("AzureCliCredential", {"tenant_id": "t1"})
    state.remove(0)
    assert state.names() == ["AzureCliCredential"]
    state.undo()
    assert state.names() == ["EnvironmentCredential", "AzureCliCredential"]


def test_spec_round_trips_through_load_spec():
    spec = ChainSpec(
        CHAINED_TOKEN_CREDENTIAL,
        "1.23",
        {},
        [CredentialSpec("AzureCliCredential", {"tenant_id": "t"}), CredentialSpec("EnvironmentCredential", {}, False)],
    )
    state = ChainState()
    state.load_spec(spec)
    assert state.to_spec() == spec
    assert not state.can_undo  # opening a file starts a new history
    dac = ChainSpec(options={"exclude_cli_credential": True, "process_timeout": 5})
    state.load_spec(dac)
    assert state.to_spec() == dac
    assert not state.is_enabled(DAC_127.index("AzureCliCredential"))


def test_changing_profile_rebuilds_dac_members_and_drops_unknown_exclusions():
    state = ChainState()
    state.set_enabled(DAC_127.index("BrokerCredential"), False)
    state.set_profile("1.19")
    assert "BrokerCredential" not in state.names()
    assert state.to_spec() == ChainSpec(azure_identity="1.19")
    state.undo()
    assert state.profile_name == "1.27" and "BrokerCredential" in state.names()


def test_uids_for_built_map_built_members_to_rows():
    state = ChainState()
    uids = state.uids_for_built(["EnvironmentCredential", "AzureCliCredential"])
    assert uids == [state.members[0].uid, state.members[5].uid]
    state.convert_to_chained()
    state.set_enabled(0, False)
    uids = state.uids_for_built(["WorkloadIdentityCredential", "ManagedIdentityCredential"])
    assert uids == [state.members[1].uid, state.members[2].uid]


def test_listeners_hear_about_a_move_before_and_after():
    state = ChainState()
    state.convert_to_chained()
    heard = []
    state.connect(lambda event, **payload: heard.append((event, payload, list(state.names()))))
    before = state.names()
    state.move(3, 0)
    assert heard[0][0] is StateEvent.ABOUT_TO_MOVE and heard[0][2] == before
    assert heard[1][0] is StateEvent.MOVED and heard[1][2][0] == before[3]


def test_uids_for_built_match_names_when_the_chain_skips_a_member():
    state = ChainState()
    state.convert_to_chained()
    uids = state.uids_for_built(["EnvironmentCredential", "AzureCliCredential"])
    assert uids == [state.members[0].uid, state.members[state.names().index("AzureCliCredential")].uid]
