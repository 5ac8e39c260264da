"""SharedTokenCacheCredential: cache location, account selection, cached tokens, refresh, probe."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from engine import events
from engine.context import within_credential_chain, within_dac
from engine.credentials._internal import cache_persistence as cp
from engine.credentials._internal.shared_cache_accounts import (
    MULTIPLE_ACCOUNTS,
    MULTIPLE_MATCHING_ACCOUNTS,
    NO_ACCOUNTS,
    NO_MATCHING_ACCOUNTS,
    NO_TOKEN,
)
from engine.credentials.shared_cache import SharedTokenCacheCredential
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE

from .user_credential_fakes import CacheWriter, FakeEntra, FakeEntraHost, fake_jwt, read_cache, token_response

SCOPE = "https://management.azure.com/.default"
TENANT_A = "aaaaaaaa-0000-4000-8000-000000000001"
TENANT_B = "bbbbbbbb-0000-4000-8000-000000000002"
RT_CANARY = "rt-CANARY-7f3a91"
NEW_RT_CANARY = "rt-ROTATED-CANARY-55c2"
AT_CANARY = fake_jwt(upn="dev@contoso.com", tid=TENANT_A, oid="oid-dev", appid="app", canary="AT-CANARY-d41d")


def make_host(home: Path, handler=None, **env: str) -> FakeEntraHost:
    adapter = FakeEntra(
        handler
        or (lambda seen: (200, token_response(AT_CANARY, refresh_token=NEW_RT_CANARY, uid="uid1", utid=TENANT_A)))
    )
    return FakeEntraHost(
        env={"HOME": str(home), **env}, home=home, system="Linux", sys_platform="linux", adapter=adapter
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def recorded(function, *args, **kwargs):
    recorder = events.Recorder()
    with events.recording(recorder):
        try:
            result = function(*args, **kwargs)
        except Exception as ex:
            return recorder.events, ex
    return recorder.events, result


# ---- account selection ------------------------------------------------------------------------
def test_empty_home_is_unavailable_with_no_accounts(home: Path) -> None:
    credential = SharedTokenCacheCredential(host=make_host(home))
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(SCOPE)
    assert info.value.message == NO_ACCOUNTS


def test_single_account_redeems_its_refresh_token_at_organizations(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    host = make_host(home)
    token = SharedTokenCacheCredential(host=host).get_token(SCOPE)
    assert token.token.reveal() == AT_CANARY
    [seen] = host.adapter.requests
    assert seen.url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    assert seen.form == {
        "grant_type": "refresh_token",
        "refresh_token": RT_CANARY,
        "scope": SCOPE,
        "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "client_info": "1",
    }


def test_refresh_rotation_replaces_the_refresh_token_and_caches_the_access_token(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    host = make_host(home)
    SharedTokenCacheCredential(host=host).get_token(SCOPE)
    stored = read_cache(home)
    secrets = [rt["secret"] for rt in stored["RefreshToken"].values()]
    assert secrets == [NEW_RT_CANARY]
    assert [at["secret"] for at in stored["AccessToken"].values()] == [AT_CANARY]
    # A second credential (a new process) now finds the cached access token and sends nothing.
    again = make_host(home)
    assert SharedTokenCacheCredential(host=again).get_token(SCOPE).token.reveal() == AT_CANARY
    assert again.adapter.requests == []


def test_cached_access_token_within_five_minutes_of_expiry_is_not_used(home: Path) -> None:
    cache = CacheWriter()
    hid = cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.access_token(hid, "old-at", expires_in=299)
    cache.write(home)
    host = make_host(home)
    assert SharedTokenCacheCredential(host=host).get_token(SCOPE).token.reveal() == AT_CANARY
    assert len(host.adapter.requests) == 1


def test_claims_bypass_the_cached_access_token_and_are_sent(home: Path) -> None:
    cache = CacheWriter()
    hid = cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.access_token(hid, "cached-at", expires_in=3600)
    cache.write(home)
    host = make_host(home)
    SharedTokenCacheCredential(host=host).get_token(SCOPE, claims='{"access_token":{}}')
    assert host.adapter.requests[0].form["claims"] == '{"access_token":{}}'


def test_cae_request_merges_cp1_and_uses_the_cae_cache(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    (home / ".IdentityService").mkdir(parents=True)
    (home / ".IdentityService" / "msal.cache.cae").write_text(cache.text())
    host = make_host(home)
    SharedTokenCacheCredential(host=host).get_token(SCOPE, enable_cae=True)
    assert host.adapter.requests[0].form["claims"] == '{"access_token": {"xms_cc": {"values": ["CP1"]}}}'


def test_per_request_tenant_goes_into_the_token_url(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    host = make_host(home)
    SharedTokenCacheCredential(host=host).get_token(SCOPE, tenant_id=TENANT_B)
    assert host.adapter.requests[0].url == f"https://login.microsoftonline.com/{TENANT_B}/oauth2/v2.0/token"


def test_non_family_refresh_token_does_not_make_an_account(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY, family=False)
    cache.write(home)
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(host=make_host(home)).get_token(SCOPE)
    assert info.value.message == NO_ACCOUNTS


def test_refresh_token_without_secret_reports_token_acquisition_failed(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=None)
    cache.refresh_token(f"uid1.{TENANT_A}", None)
    cache.write(home)
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(host=make_host(home)).get_token(SCOPE)
    assert info.value.message == NO_TOKEN.format("dev@contoso.com")
    assert "re-authenticate\nthrough developer tooling" in info.value.message


def two_accounts(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token="rt-1")
    cache.account("dev@contoso.com", "uid2", TENANT_B, refresh_token="rt-2")
    cache.account("admin@contoso.com", "uid3", TENANT_A, refresh_token="rt-3")
    cache.write(home)


@pytest.mark.parametrize(
    ("username", "tenant", "message"),
    [
        (None, None, MULTIPLE_ACCOUNTS),
        ("nobody@contoso.com", None, NO_MATCHING_ACCOUNTS.format(" username: nobody@contoso.com", "")),
        (
            None,
            "cccccccc-0000-4000-8000-000000000003",
            NO_MATCHING_ACCOUNTS.format("", " tenant: cccccccc-0000-4000-8000-000000000003"),
        ),
        (
            "admin@contoso.com",
            TENANT_B,
            NO_MATCHING_ACCOUNTS.format(" username: admin@contoso.com", f" tenant: {TENANT_B}"),
        ),
        ("dev@contoso.com", None, MULTIPLE_MATCHING_ACCOUNTS.format(" username: dev@contoso.com", "")),
        (None, TENANT_A, MULTIPLE_MATCHING_ACCOUNTS.format("", f" tenant: {TENANT_A}")),
        (
            "DEV@contoso.com",
            TENANT_A,
            NO_MATCHING_ACCOUNTS.format(" username: DEV@contoso.com", f" tenant: {TENANT_A}"),
        ),
    ],
)
def test_ambiguous_or_unmatched_filters_give_the_exact_message(home: Path, username, tenant, message) -> None:
    two_accounts(home)
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(username, host=make_host(home), tenant_id=tenant).get_token(SCOPE)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("username", "tenant", "refresh_token"),
    [("dev@contoso.com", TENANT_B, "rt-2"), ("admin@contoso.com", None, "rt-3"), ("dev@contoso.com", TENANT_A, "rt-1")],
)
def test_filter_selecting_one_account_redeems_that_accounts_token(home: Path, username, tenant, refresh_token) -> None:
    two_accounts(home)
    host = make_host(home)
    SharedTokenCacheCredential(username, host=host, tenant_id=tenant).get_token(SCOPE)
    assert host.adapter.requests[0].form["refresh_token"] == refresh_token


@pytest.mark.parametrize("authority", ["login.windows.net", "https://login.microsoft.com/", "sts.windows.net"])
def test_public_cloud_aliases_find_accounts_cached_under_another_alias(home: Path, authority: str) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    host = make_host(home)
    SharedTokenCacheCredential(host=host, authority=authority).get_token(SCOPE)
    host_part = authority.replace("https://", "").rstrip("/")
    assert host.adapter.requests[0].url == f"https://{host_part}/organizations/oauth2/v2.0/token"


def test_authority_host_variable_outside_the_alias_sets_finds_only_its_own_environment(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token="rt-public")
    cache.write(home)
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(host=make_host(home, AZURE_AUTHORITY_HOST="https://login.example.test")).get_token(
            SCOPE
        )
    assert info.value.message == NO_ACCOUNTS


# ---- failures ---------------------------------------------------------------------------------
def invalid_grant(seen):
    return 400, {"error": "invalid_grant", "error_description": "AADSTS70043: The refresh token has expired."}


def test_invalid_grant_evicts_the_refresh_token_and_fails_outside_dac(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    credential = SharedTokenCacheCredential(host=make_host(home, invalid_grant))
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(SCOPE)
    assert not isinstance(info.value, CredentialUnavailableError)
    assert (
        info.value.message == "Microsoft Entra ID error '(invalid_grant) AADSTS70043: The refresh token has expired.'"
    )
    assert read_cache(home)["RefreshToken"] == {}


def test_refresh_failure_inside_dac_is_unavailable_with_the_same_message(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    credential = SharedTokenCacheCredential(host=make_host(home, invalid_grant))
    flag = within_dac.set(True)
    try:
        with pytest.raises(CredentialUnavailableError) as info:
            credential.get_token(SCOPE)
    finally:
        within_dac.reset(flag)
    assert (
        info.value.message == "Microsoft Entra ID error '(invalid_grant) AADSTS70043: The refresh token has expired.'"
    )


def test_corrupt_cache_fails_with_authentication_failed_after_msal_extensions_retries(home: Path) -> None:
    (home / ".IdentityService").mkdir(parents=True)
    (home / ".IdentityService" / "msal.cache.nocae").write_text("not json")
    credential = SharedTokenCacheCredential(host=make_host(home))
    seen, error = recorded(credential.get_token, SCOPE)
    assert type(error) is ClientAuthenticationError
    assert error.message == "Authentication failed: Expecting value: line 1 column 1 (char 0)"
    waits = [e for e in seen if isinstance(e, events.StepStarted) and e.kind == "wait"]
    assert [w.detail["seconds"] for w in waits] == [0.5, 0.5]


def test_unsupported_platform_is_unavailable(home: Path) -> None:
    host = FakeEntraHost(env={"HOME": str(home)}, home=home, system="SunOS", sys_platform="sunos5")
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(host=host).get_token(SCOPE)
    assert info.value.message == "Shared token cache is not supported on this platform."


def test_windows_without_localappdata_has_no_cache(home: Path) -> None:
    host = FakeEntraHost(env={"USERPROFILE": str(home)}, home=home, system="Windows", sys_platform="win32")
    with pytest.raises(CredentialUnavailableError) as info:
        SharedTokenCacheCredential(host=host).get_token(SCOPE)
    assert info.value.message == "Shared token cache unavailable"


def test_custom_options_without_plaintext_permission_make_the_cache_unavailable_without_pygobject(home: Path) -> None:
    if cp._pygobject_importable():
        pytest.skip("PyGObject is installed: libsecret may be usable here")
    credential = SharedTokenCacheCredential(host=make_host(home), cache_persistence_options={"name": "msal.cache"})
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(SCOPE)
    assert info.value.message == "Shared token cache unavailable"


def test_no_scopes_is_a_value_error(home: Path) -> None:
    with pytest.raises(ValueError, match="'get_token' requires at least one scope"):
        SharedTokenCacheCredential(host=make_host(home)).get_token()


# ---- logs, steps, secrets ---------------------------------------------------------------------
def test_success_logs_like_the_decorator_and_records_the_file_read_and_the_post(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    seen, _token = recorded(SharedTokenCacheCredential(host=make_host(home)).get_token, SCOPE)
    logs = [(e.logger, e.level, e.message) for e in seen if isinstance(e, events.LogEmitted)]
    assert (
        "azure.identity._internal.decorators",
        logging.INFO,
        "SharedTokenCacheCredential.get_token succeeded",
    ) in logs
    assert any(m.startswith("[Authenticated account] Client ID: app. Tenant ID: " + TENANT_A) for _, _, m in logs)
    kinds = [(e.kind, e.label) for e in seen if isinstance(e, events.StepStarted)]
    assert ("file", "read the shared token cache") in kinds
    assert any(k == "http" and "POST https://login.microsoftonline.com/organizations/" in label for k, label in kinds)
    text = repr(seen)
    for canary in (RT_CANARY, NEW_RT_CANARY, AT_CANARY, "AT-CANARY"):
        assert canary not in text


def test_failure_inside_a_chain_logs_at_debug(home: Path) -> None:
    flag = within_credential_chain.set(True)
    try:
        seen, error = recorded(SharedTokenCacheCredential(host=make_host(home)).get_token, SCOPE)
    finally:
        within_credential_chain.reset(flag)
    logs = [(e.level, e.message) for e in seen if isinstance(e, events.LogEmitted) and "decorators" in e.logger]
    assert logs == [(logging.DEBUG, f"SharedTokenCacheCredential.get_token failed: {NO_ACCOUNTS}")]
    assert isinstance(error, CredentialUnavailableError)


def test_errors_never_carry_the_refresh_token(home: Path) -> None:
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)

    def echo(seen):  # a server that echoes secrets back in its error
        return 400, {"error": "invalid_request", "error_description": "bad", "refresh_token": NEW_RT_CANARY}

    seen, error = recorded(SharedTokenCacheCredential(host=make_host(home, echo)).get_token, SCOPE)
    assert RT_CANARY not in str(error) and NEW_RT_CANARY not in str(error) and NEW_RT_CANARY not in repr(seen)


# ---- where the cache lives --------------------------------------------------------------------
def test_cache_location_per_platform(tmp_path: Path) -> None:
    windows = Host(
        env={"LOCALAPPDATA": str(tmp_path / "AppData")}, system="Windows", sys_platform="win32", home=tmp_path
    )
    assert cp.locate(windows) == cp.CacheLocation(
        cp.DPAPI, tmp_path / "AppData" / ".IdentityService" / "msal.cache.nocae", "msal.cache.nocae"
    )
    mac = Host(env={}, system="Darwin", sys_platform="darwin", home=tmp_path)
    location = cp.locate(mac)
    assert (location.protection, location.path) == (cp.KEYCHAIN, tmp_path / ".IdentityService" / "msal.cache.nocae")
    assert "account MSALCache" in location.note and "Microsoft.Developer.IdentityService" in location.note
    assert "account msal.cache.cae" in cp.locate(mac, is_cae=True).note
    linux = Host(env={}, system="Linux", sys_platform="linux", home=tmp_path)
    assert cp.locate(linux).path == tmp_path / ".IdentityService" / "msal.cache.nocae"
    assert cp.locate(Host(env={}, system="Windows", sys_platform="win32", home=tmp_path)).protection is None


def test_linux_without_pygobject_falls_back_to_plaintext_and_logs_why(tmp_path: Path) -> None:
    if cp._pygobject_importable():
        pytest.skip("PyGObject is installed here")
    host = Host(env={}, system="Linux", sys_platform="linux", home=tmp_path)
    assert cp.locate(host).protection == cp.PLAINTEXT
    seen, persistence = recorded(cp.open_persistence, host)
    assert isinstance(persistence, cp.HostFilePersistence)
    [log] = [e for e in seen if isinstance(e, events.LogEmitted)]
    assert log.logger == "azure.identity._persistent_cache" and log.level == logging.DEBUG
    assert log.message.startswith("msal-extensions is unable to encrypt a persistent cache:")
    with pytest.raises(ValueError, match="Cache encryption is impossible because libsecret"):
        cp.open_persistence(host, allow_unencrypted=False)


# ---- probe ------------------------------------------------------------------------------------
def test_probe_without_a_cache_file_says_where_it_looked(home: Path) -> None:
    result = SharedTokenCacheCredential(host=make_host(home)).probe()
    assert result.status == UNAVAILABLE
    assert str(home / ".IdentityService" / "msal.cache.nocae") in result.reason
    assert NO_ACCOUNTS in result.reason
    assert not (home / ".IdentityService").exists()  # the probe creates nothing


def test_probe_names_the_account_it_would_use_and_sends_nothing(home: Path) -> None:
    two_accounts(home)
    host = make_host(home)
    result = SharedTokenCacheCredential("admin@contoso.com", host=host).probe()
    assert result.status == AVAILABLE
    assert result.identity.upn == "admin@contoso.com" and result.identity.tenant_id == TENANT_A
    assert "dev@contoso.com (tenant " + TENANT_B in result.reason
    assert host.adapter.requests == []


def test_probe_reports_the_ambiguity_message(home: Path) -> None:
    two_accounts(home)
    result = SharedTokenCacheCredential(host=make_host(home)).probe()
    assert result.status == UNAVAILABLE and result.reason.startswith(MULTIPLE_ACCOUNTS)


def test_probe_of_a_corrupt_cache_explains_that_the_chain_would_stop(home: Path) -> None:
    (home / ".IdentityService").mkdir(parents=True)
    (home / ".IdentityService" / "msal.cache.nocae").write_text("{oops")
    result = SharedTokenCacheCredential(host=make_host(home)).probe()
    assert result.status == UNAVAILABLE
    assert "cannot be read" in result.reason and "stops the chain" in result.reason


def test_probe_on_an_unsupported_platform(home: Path) -> None:
    host = FakeEntraHost(env={}, home=home, system="SunOS", sys_platform="sunos5")
    assert (
        SharedTokenCacheCredential(host=host).probe().reason == "Shared token cache is not supported on this platform."
    )


# ---- authentication-record mode ---------------------------------------------------------------
RECORD = {
    "authority": "login.microsoftonline.com",
    "clientId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "homeAccountId": f"uid1.{TENANT_A}",
    "tenantId": TENANT_A,
    "username": "dev@contoso.com",
    "version": "1.0",
}


def entra_with_discovery(seen):
    if seen.method == "GET" and "openid-configuration" in seen.url:
        base = seen.url.split("/v2.0/")[0]
        return 200, {
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "issuer": f"{base}/v2.0",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        }
    return 200, token_response(AT_CANARY, refresh_token=NEW_RT_CANARY, uid="uid1", utid=TENANT_A)


def test_record_mode_redeems_through_msal_in_the_records_tenant(home: Path) -> None:
    import json

    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    host = make_host(home, entra_with_discovery)
    credential = SharedTokenCacheCredential(host=host, authentication_record=json.dumps(RECORD))
    assert credential.get_token(SCOPE).token.reveal() == AT_CANARY
    posts = [s for s in host.adapter.requests if s.method == "POST"]
    assert posts[0].url == f"https://login.microsoftonline.com/{TENANT_A}/oauth2/v2.0/token"
    assert posts[0].form["refresh_token"] == RT_CANARY


def test_record_mode_without_a_matching_account_is_unavailable(home: Path) -> None:
    cache = CacheWriter()
    cache.account("someone@contoso.com", "uid9", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    credential = SharedTokenCacheCredential(host=make_host(home, entra_with_discovery), authentication_record=RECORD)
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(SCOPE)
    assert info.value.message == "The cache contains no account matching the given AuthenticationRecord."


def test_record_mode_cache_unavailable_fails_outside_dac_and_is_unavailable_inside(home: Path) -> None:
    host = FakeEntraHost(env={"USERPROFILE": str(home)}, home=home, system="Windows", sys_platform="win32")
    credential = SharedTokenCacheCredential(host=host, authentication_record=RECORD)
    with pytest.raises(ClientAuthenticationError) as outside:
        credential.get_token(SCOPE)
    assert (
        type(outside.value) is ClientAuthenticationError and outside.value.message == "Shared token cache unavailable"
    )
    flag = within_dac.set(True)
    try:
        with pytest.raises(CredentialUnavailableError):
            credential.get_token(SCOPE)
    finally:
        within_dac.reset(flag)


def test_record_mode_checks_the_tenant_at_construction(home: Path) -> None:
    with pytest.raises(ValueError, match="Invalid tenant ID"):
        SharedTokenCacheCredential(host=make_host(home), authentication_record={**RECORD, "tenantId": "bad tenant"})
