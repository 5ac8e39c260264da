"""Older azure-identity versions, as observed by running 1.23.0 and 1.19.0 in scratch environments."""

from __future__ import annotations

import pytest

from engine.default import DefaultAzureCredential
from engine.host import Host
from engine.profiles import get_profile

OLD_DEFAULT = [
    "EnvironmentCredential",
    "ManagedIdentityCredential",
    "SharedTokenCacheCredential",
    "AzureCliCredential",
    "AzurePowerShellCredential",
    "AzureDeveloperCliCredential",
]
WI = {
    "AZURE_TENANT_ID": "t",
    "AZURE_CLIENT_ID": "c",
    "AZURE_FEDERATED_TOKEN_FILE": "/x",
    "AZURE_AUTHORITY_HOST": "https://h",
}

# (profile, env, kwargs) -> members or (error type, message); recorded from the real versions.
OBSERVED = [
    ("1.23", {}, {}, OLD_DEFAULT),
    ("1.19", {}, {}, OLD_DEFAULT),
    (
        "1.23",
        {},
        {"exclude_visual_studio_code_credential": False, "exclude_interactive_browser_credential": False},
        [*OLD_DEFAULT[:3], "VisualStudioCodeCredential", *OLD_DEFAULT[3:], "InteractiveBrowserCredential"],
    ),
    ("1.23", {"AZURE_TOKEN_CREDENTIALS": "dev"}, {}, OLD_DEFAULT[2:]),
    ("1.23", {"AZURE_TOKEN_CREDENTIALS": " PROD "}, {}, OLD_DEFAULT[:2]),
    (
        "1.23",
        {"AZURE_TOKEN_CREDENTIALS": "bogus"},
        {},
        ("ValueError", "Invalid value for AZURE_TOKEN_CREDENTIALS: bogus. Valid values are 'dev' or 'prod'."),
    ),
    (
        "1.23",
        {"AZURE_TOKEN_CREDENTIALS": "azureclicredential"},
        {},
        (
            "ValueError",
            "Invalid value for AZURE_TOKEN_CREDENTIALS: azureclicredential. Valid values are 'dev' or 'prod'.",
        ),
    ),
    (
        "1.23",
        {"AZURE_TOKEN_CREDENTIALS": "dev"},
        {"exclude_cli_credential": False, "exclude_environment_credential": False},
        OLD_DEFAULT[2:],
    ),
    ("1.23", {"AZURE_TOKEN_CREDENTIALS": ""}, {"require_envvar": True}, OLD_DEFAULT),
    (
        "1.23",
        {"AZURE_TOKEN_CREDENTIALS": "dev"},
        {"exclude_interactive_browser_credential": False},
        [*OLD_DEFAULT[2:], "InteractiveBrowserCredential"],
    ),
    ("1.23", {"AZURE_TOKEN_CREDENTIALS": "prod"}, {"exclude_interactive_browser_credential": False}, OLD_DEFAULT[:2]),
    ("1.23", {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": "/x"}, {}, OLD_DEFAULT),
    ("1.23", WI, {}, ["EnvironmentCredential", "WorkloadIdentityCredential", *OLD_DEFAULT[1:]]),
    (
        "1.19",
        {k: v for k, v in WI.items() if k != "AZURE_CLIENT_ID"},
        {},
        ("ValueError", "'client_id' is required. Please pass it in or set the AZURE_CLIENT_ID environment variable"),
    ),
    (
        "1.23",
        {k: v for k, v in WI.items() if k != "AZURE_CLIENT_ID"},
        {"workload_identity_client_id": "w"},
        (
            "ValueError",
            "Workload identity was selected but no client ID was provided. Configure the environment with a "
            'client ID or pass a value for "client_id" argument',
        ),
    ),
    (
        "1.19",
        {k: v for k, v in WI.items() if k != "AZURE_CLIENT_ID"},
        {"workload_identity_client_id": "w"},
        ("ValueError", 'Configure the environment with a client ID or pass a value for "client_id" argument'),
    ),
    (
        "1.19",
        {"AZURE_TOKEN_CREDENTIALS": "dev"},
        {"exclude_cli_credential": True},
        [m for m in OLD_DEFAULT if m != "AzureCliCredential"],
    ),
    ("1.19", {"AZURE_TOKEN_CREDENTIALS": "bogus"}, {}, OLD_DEFAULT),
    ("1.19", {}, {"tenant_id": "x"}, ("TypeError", "'tenant_id' is not supported in DefaultAzureCredential.")),
]


@pytest.mark.parametrize(("profile", "env", "kwargs", "expected"), OBSERVED)
def test_profile_builds_the_chain_that_version_built(profile, env, kwargs, expected):
    try:
        members = DefaultAzureCredential(host=Host(env=env), profile=profile, **kwargs).member_names
    except Exception as ex:
        assert (type(ex).__name__, str(ex)) == expected
    else:
        assert members == expected


@pytest.mark.parametrize(
    ("name", "version"),
    [("1.27", "1.27.0"), ("1.27.0", "1.27.0"), (None, "1.27.0"), ("latest", "1.27.0"), ("1.19.2", "1.19.0")],
)
def test_profiles_are_found_by_short_or_full_version(name, version):
    assert get_profile(name).version == version


def test_unknown_profile_says_which_exist():
    with pytest.raises(ValueError, match=r"1\.27, 1\.26, 1\.25, 1\.24, 1\.23, 1\.22, 1\.21, 1\.20, 1\.19"):
        get_profile("0.9")


def test_every_profile_is_the_changes_up_to_its_release():
    from engine.profiles import CHANGES, PROFILES, RELEASES, switches_up_to

    assert [p.version for p in PROFILES.values()] == list(reversed(RELEASES))
    for profile in PROFILES.values():
        assert profile.switches == switches_up_to(profile.version)
    assert {c.switch for c in CHANGES} <= PROFILES["1.27"].switches
    assert not PROFILES["1.19"].switches


def test_credential_code_reads_switches_not_versions():
    """No version comparison outside the change table: credentials ask their profile."""
    import re
    from pathlib import Path

    pattern = re.compile(r"""["']1\.(19|2\d)(\.\d+)?["']""")
    root = Path(__file__).resolve().parents[2] / "engine" / "credentials"
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize(
    ("version", "vscode_default_excluded", "has_broker", "token_credentials"),
    [("1.19", True, False, "none"), ("1.23", True, False, "dev-prod"), ("1.24", False, True, "full")],
)
def test_members_follow_the_release(version, vscode_default_excluded, has_broker, token_credentials):
    profile = get_profile(version)
    assert profile.member("visual_studio_code").excluded_by_default is vscode_default_excluded
    assert ("broker" in profile.member_keys) is has_broker
    assert profile.token_credentials == token_credentials
