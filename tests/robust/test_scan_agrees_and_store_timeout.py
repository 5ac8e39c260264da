"""D15 and D16: scan agrees with run on a broken keyring and bad endpoints; secret-store calls have a timeout."""

from __future__ import annotations

import json
import threading
import time

import msal_extensions
import pytest

from engine import store_timeout
from engine.credentials._internal import cache_persistence
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.host import Host
from engine.probe import AVAILABLE
from engine.run import run_chain

FOREVER = threading.Event()  # never set: a keyring call that never returns


class BrokenLibsecret:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("libsecret: no D-Bus session")


class StuckLibsecret:
    def __init__(self, *args, **kwargs):
        FOREVER.wait()


@pytest.fixture
def linux_with_pygobject(monkeypatch, tmp_path):
    monkeypatch.setattr(cache_persistence, "_pygobject_importable", lambda: True)
    return Host(env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, home=tmp_path, sys_platform="linux")


def test_a_broken_libsecret_falls_back_to_the_plaintext_file_in_scan_as_in_run(linux_with_pygobject, monkeypatch):
    host = linux_with_pygobject
    monkeypatch.setattr(msal_extensions, "LibsecretPersistence", BrokenLibsecret)
    location = cache_persistence.locate(host)
    location.path.parent.mkdir(parents=True)
    location.path.write_text(json.dumps({"Account": {"k": {"username": "dev@contoso.com", "home_account_id": "k"}}}))
    run_side = cache_persistence.open_persistence(host)
    assert isinstance(run_side, cache_persistence.HostFilePersistence)
    scan_side = cache_persistence.read_snapshot(host, location)
    assert [a["username"] for a in scan_side.search("Account")] == ["dev@contoso.com"]


def test_a_stuck_libsecret_ends_with_a_clear_message_instead_of_hanging(linux_with_pygobject, monkeypatch):
    from engine.credentials.shared_cache import SharedTokenCacheCredential

    monkeypatch.setattr(msal_extensions, "LibsecretPersistence", StuckLibsecret)
    monkeypatch.setattr(store_timeout, "STORE_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(store_timeout.StoreTimeout, match=r"libsecret did not answer within 0\.5 s"):
        cache_persistence.open_persistence(linux_with_pygobject)
    run = run_chain(SharedTokenCacheCredential(host=linux_with_pygobject))
    assert time.monotonic() - started < 5
    assert run.outcome != "succeeded"
    assert any("libsecret did not answer within 0.5 s" in line for line in run.log_lines())


@pytest.mark.parametrize(
    ("env", "phrase"),
    [
        ({"IDENTITY_ENDPOINT": "::::", "IDENTITY_HEADER": "h"}, "not an http(s) URL"),
        ({"IDENTITY_ENDPOINT": "http://[", "IDENTITY_HEADER": "h"}, "not a valid URL"),
        ({"IDENTITY_ENDPOINT": "http://127.0.0.1:99999/x", "IDENTITY_HEADER": "h"}, "Port out of range"),
        ({"MSI_ENDPOINT": "garbage"}, "not an http(s) URL"),
        ({"AZURE_POD_IDENTITY_AUTHORITY_HOST": "garbage"}, "no request can be sent"),
    ],
)
def test_managed_identity_probe_agrees_with_the_run_on_unusable_endpoints(env, phrase):
    host = Host(env={"PATH": "/usr/bin:/bin", **env})
    credential = ManagedIdentityCredential(host=host)
    probe = credential.probe()
    run = run_chain(ManagedIdentityCredential(host=host))
    assert probe.status != AVAILABLE and run.outcome != "succeeded"
    assert phrase in probe.reason and "accepted the connection" not in probe.reason


@pytest.mark.parametrize("authority", ["not a url", "https://login.example.com:99999"])
def test_environment_probe_does_not_call_an_unusable_authority_available(authority):
    from engine.credentials.environment import EnvironmentCredential

    env = {
        "AZURE_AUTHORITY_HOST": authority,
        "AZURE_CLIENT_ID": "c",
        "AZURE_TENANT_ID": "t",
        "AZURE_CLIENT_SECRET": "s",
    }
    probe = EnvironmentCredential(host=Host(env={"PATH": "/usr/bin:/bin", **env})).probe()
    assert (
        probe.status != AVAILABLE
        and "has no usable host name" in probe.reason
        and "AZURE_AUTHORITY_HOST" in probe.reason
    )


@pytest.mark.parametrize(
    "contents",
    [
        [1, 2],  # a JSON list
        {"Account": [1], "RefreshToken": [1]},  # tables that are lists
        {"RefreshToken": {"k": "x"}, "Account": {}},  # an entry that is no table
    ],
    ids=["a-list", "tables-are-lists", "entry-not-a-table"],
)
def test_scan_quotes_the_runs_own_message_for_json_that_is_no_token_cache(linux_with_pygobject, monkeypatch, contents):
    from engine.credentials.shared_cache import SharedTokenCacheCredential

    host = linux_with_pygobject
    monkeypatch.setattr(msal_extensions, "LibsecretPersistence", BrokenLibsecret)
    location = cache_persistence.locate(host)
    location.path.parent.mkdir(parents=True)
    location.path.write_text(json.dumps(contents))
    run = run_chain(SharedTokenCacheCredential(host=host))
    (attempt,) = run.attempts
    assert run.outcome != "succeeded" and attempt.message.startswith("Authentication failed: ")
    probe = SharedTokenCacheCredential(host=host).probe()
    assert probe.status != AVAILABLE
    assert f"azure-identity stops the chain here with '{attempt.message}'" in probe.reason
