"""Scrubbing: secrets in any shape never survive; identities become stable pseudonyms everywhere."""

from __future__ import annotations

import json

import pytest

from app.report.redact import Pseudonyms, is_secret_key, pseudonymise, scrub_secrets
from engine.secrets import REDACTED
from tests.app.report import samples


@pytest.mark.parametrize(
    "text",
    [
        f"token {samples.ACCESS_TOKEN} here",
        f'{{"refresh_token": "{samples.REFRESH_TOKEN}"}}',
        f"grant_type=refresh_token&refresh_token={samples.REFRESH_TOKEN}&client_id=x",
        f"client_secret={samples.CLIENT_SECRET}",
        f"key:\n{samples.PRIVATE_KEY}\nafter",
        f"the secret is {samples.CLIENT_SECRET}, really",
        f"client_assertion={samples.ASSERTION_CANARY}",
    ],
)
def test_every_secret_shape_is_masked(text: str) -> None:
    scrubbed = scrub_secrets({"message": text}, [samples.CLIENT_SECRET])["message"]
    for canary in samples.CANARIES:
        assert canary not in scrubbed
    assert REDACTED in scrubbed


def test_values_under_secret_named_keys_are_masked_and_keys_that_only_mention_tokens_are_not() -> None:
    document = {"detail": {"client_secret": "abc", "password": "pw", "expires_on": 17, "token_type": "Bearer"}}
    scrubbed = scrub_secrets(document)
    assert scrubbed["detail"] == {
        "client_secret": REDACTED,
        "password": REDACTED,
        "expires_on": 17,
        "token_type": "Bearer",
    }
    assert is_secret_key("refreshToken") and not is_secret_key("token_credentials")


def test_short_known_secrets_do_not_blank_ordinary_words() -> None:
    assert scrub_secrets({"m": "the run failed"}, ["a", "the"])["m"] == "the run failed"


def test_the_same_id_gets_the_same_pseudonym_in_structure_and_free_text() -> None:
    document = {
        "account": {"tenant_id": samples.TENANT, "object_id": samples.USER_OID, "upn": samples.UPN, "client_id": None},
        "variables": [{"name": "AZURE_CLIENT_ID", "value": samples.APP_ID}],
        "message": f"{samples.UPN.upper()} in {samples.TENANT.upper()} via app {samples.APP_ID}; "
        f"sub {samples.SUBSCRIPTION}, https://login.microsoftonline.com/{samples.TENANT}/oauth2",
    }
    redacted, mapping = pseudonymise(document)
    assert redacted["account"] == {
        "tenant_id": "tenant-1",
        "object_id": "object-1",
        "upn": "user-1@example.invalid",
        "client_id": None,
    }
    assert redacted["variables"][0]["value"] == "client-1"
    assert redacted["message"] == (
        "user-1@example.invalid in tenant-1 via app client-1; sub id-1, https://login.microsoftonline.com/tenant-1/oauth2"
    )
    text = json.dumps(redacted)
    for original in (samples.TENANT, samples.USER_OID, samples.UPN, samples.APP_ID, samples.SUBSCRIPTION):
        assert original.lower() not in text.lower()
    assert mapping[samples.TENANT] == "tenant-1"


def test_pseudonyms_do_not_touch_authority_segments_tool_names_or_variable_names() -> None:
    document = {
        "account": {"tenant_id": "organizations", "upn": "dev@contoso.com"},
        "tools": [{"name": "azd", "version": "1.2"}],
        "variables": [{"name": "AZURE_TENANT_ID", "value": "common"}],
        "url": "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
    }
    redacted, _ = pseudonymise(document)
    assert redacted["url"] == document["url"]
    assert redacted["tools"] == document["tools"]
    assert redacted["variables"][0] == {"name": "AZURE_TENANT_ID", "value": "common"}


def test_a_display_name_and_a_domain_tenant_are_replaced_wherever_they_appear() -> None:
    names = Pseudonyms()
    names.learn({"account": {"upn": "x@y.com", "name": "Dana Developer", "tenant_id": "contoso.onmicrosoft.com"}})
    assert names.replace("Dana Developer signed in to contoso.onmicrosoft.com") == "Person 1 signed in to tenant-1"
    assert names.replace("Danae") == "Danae"  # whole words only


def test_the_home_directory_becomes_a_tilde_so_paths_do_not_name_the_user() -> None:
    redacted, _ = pseudonymise(
        {"path": "/home/dana/.azure/msal_token_cache.json", "other": "/home/danaX"}, {"/home/dana": "~"}
    )
    assert redacted["path"] == "~/.azure/msal_token_cache.json"
    assert redacted["other"] == "/home/danaX"  # another directory that merely starts the same
