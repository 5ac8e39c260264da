"""Test-wide isolation: no inherited Azure settings, no real keyring, no traffic beyond loopback."""

from __future__ import annotations

import compileall
import os
from pathlib import Path

import pytest

# Must be set before any QApplication exists; pytest-xvfb would otherwise pick xcb whenever DISPLAY is set.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from engine.host import Host
from tests import loopback

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.scheduling"]

# Every Python process the tests start (the CLI, tool stand-ins, oracle interpreters) loads the same guard.
loopback.guard_children()

_ISOLATED_PREFIXES = ("AZURE_", "IDENTITY_", "MSI_", "AZUREPS_")
_ISOLATED_NAMES = (
    "IMDS_ENDPOINT",
    "BROWSER",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Path:
    """Every test starts with no Azure variables, no proxies or CA overrides, and an empty HOME."""
    monkeypatch.setenv(loopback.TEST_ID, request.node.nodeid)
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES) or name in _ISOLATED_NAMES:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def in_memory_keyring():
    """A keyring that lives in memory, so no test touches (or needs) the user's real keyring."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def host(isolated_environment: Path) -> Host:
    """A Host with a minimal environment: a plain PATH and the test's empty HOME."""
    return Host(env={"PATH": "/usr/bin:/bin", "HOME": str(isolated_environment)}, home=isolated_environment)


@pytest.fixture(autouse=True, scope="session")
def loopback_only():
    """Refuse, in this process, every connection that is not to loopback (169.254.169.254 included)."""
    loopback.install()
    yield
    loopback.uninstall()


def pytest_configure(config: pytest.Config) -> None:
    """Compile the project's modules once, before the workers and the hundreds of children that import them.

    With PYTHONDONTWRITEBYTECODE set (as on these machines) nothing else writes the bytecode, and every
    `python -m app` or sandbox child would compile app/ and engine/ again: 50-150 ms of CPU each.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    root = Path(__file__).resolve().parents[1]
    for package in ("app", "engine", "tests"):
        compileall.compile_dir(root / package, quiet=1)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Any connection a test's child process tried beyond loopback fails the run, naming the address."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller (or the single process) reads the one log
    refused = loopback.refused_connections()
    if refused:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nconnections refused beyond loopback (from the test process or a child):\n" + "\n".join(refused))
