"""Start, environment, stop: fast, scrubbed, and nothing left behind (threads, files, children)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from engine.sandbox import load_scenario, start
from engine.sandbox.environment import is_frozen_runtime, is_stripped
from tests import loopback
from tests.plugins.sandbox import REPO_ROOT

HOSTILE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/root",
    "AZURE_CLIENT_ID": "real",
    "AZURE_USERNAME": "me",
    "IDENTITY_ENDPOINT": "http://x",
    "MSI_ENDPOINT": "http://x",
    "IMDS_ENDPOINT": "http://x",
    "BROWSER": "firefox",
    "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
    "CURL_CA_BUNDLE": "/x",
    "ALL_PROXY": "socks://x",
    "no_proxy": "169.254.169.254",
    "REQUEST_METHOD": "GET",
    "LANG": "C.UTF-8",
}


def test_start_is_fast_and_stop_leaves_no_threads_or_files() -> None:
    start("laptop-az").stop()  # warm the per-process key cache, as any second run in a process is
    before = set(threading.enumerate())
    started = time.monotonic()
    box = start("laptop-everything")
    assert time.monotonic() - started < 1.0
    tmp = box.tmp
    box.stop()
    assert not tmp.exists()
    time.sleep(0.1)
    assert set(threading.enumerate()) <= before


def test_environment_is_scrubbed_and_wired() -> None:
    with start("laptop-wrong-account", base_env=HOSTILE_ENV) as box:
        env = box.env
        assert env["PATH"].split(":")[0] == str(box.bin_dir) and env["PATH"].endswith("/usr/bin:/bin")
        assert env["HOME"] == str(box.home) and env["LANG"] == "C.UTF-8"
        for name in (
            "AZURE_USERNAME",
            "IDENTITY_ENDPOINT",
            "MSI_ENDPOINT",
            "IMDS_ENDPOINT",
            "ALL_PROXY",
            "REQUEST_METHOD",
        ):
            assert name not in env
        assert env["AZURE_CLIENT_ID"] == "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11"  # the scenario's, not ours
        assert env["no_proxy"] == env["NO_PROXY"] == "localhost,127.0.0.1,::1"
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
            assert env[name] == box.proxy_url
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            assert env[name] == str(box.ca_bundle)
        assert env["BROWSER"].startswith(str(box.bin_dir))
        bundle = box.ca_bundle.read_text()
        assert bundle.count("BEGIN CERTIFICATE") > 1 and bundle.rstrip().endswith("-----END CERTIFICATE-----")


def test_private_keys_stay_in_the_run_folder_and_are_owner_only() -> None:
    with start("app-service") as box:
        keys = [p for p in box.tmp.rglob("*.pem") if b"PRIVATE KEY" in p.read_bytes()]
        assert keys
        assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in keys)


def test_stripping_rule_covers_every_identity_variable() -> None:
    for name in ("AZURE_TENANT_ID", "IDENTITY_HEADER", "MSI_SECRET", "IMDS_ENDPOINT", "BROWSER", "CURL_CA_BUNDLE"):
        assert is_stripped(name)
    assert not is_stripped("LANG")


def test_scenario_references_are_checked_at_load_time() -> None:
    with pytest.raises(ValueError, match=r"user 'ghost@contoso\.com' is not declared"):
        load_scenario("laptop-az", {"tools": {"az": {"account": "ghost@contoso.com"}}})
    with pytest.raises(ValueError, match="mode 'sleepy'"):
        load_scenario("laptop-az", {"tools": {"az": {"mode": "sleepy"}}})
    with pytest.raises(LookupError, match="unknown sandbox scenario"):
        load_scenario("no-such-scenario")


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli.sandbox", *args],
        cwd=REPO_ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
        **kw,
    )


def test_exec_stops_everything_on_ctrl_c() -> None:
    proc = _cli(
        "exec",
        "--scenario",
        "laptop-az",
        "--",
        "sh",
        "-c",
        'echo "$CHAINSIGHT_SANDBOX_STATE"; exec sleep 30',
        start_new_session=True,
    )
    state_path = proc.stdout.readline().strip()
    assert os.path.exists(state_path)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does to the foreground group
    assert proc.wait(10) == 130, proc.stderr.read()
    assert not os.path.exists(os.path.dirname(state_path))


def test_serve_prints_exports_and_stops_on_sigterm() -> None:
    proc = _cli("serve", "--scenario", "app-service")
    lines = []
    while not (line := proc.stdout.readline()).startswith("#"):
        lines.append(line)
    exports = dict(ln.removeprefix("export ").rstrip("\n").split("=", 1) for ln in lines if ln.startswith("export "))
    assert exports["IDENTITY_ENDPOINT"].startswith("http://127.0.0.1:")
    assert exports["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


@pytest.mark.parametrize(
    ("name", "value", "frozen_own"),
    [
        ("_PYI_PARENT_PROCESS_LEVEL", "1", True),
        ("_PYI_ARCHIVE_FILE", "/opt/chainsight/chainsight", True),
        ("QT_PLUGIN_PATH", "/opt/chainsight/_internal/PySide6/Qt/plugins", True),
        ("QML2_IMPORT_PATH", "/usr/lib/qml:/opt/chainsight/_internal", True),
        ("QT_PLUGIN_PATH", "/usr/lib/qt6/plugins", False),
        ("MY_DATA", "/opt/chainsight/_internal-other", False),
        ("HOME", "/home/dev", False),
    ],
)
def test_a_frozen_builds_own_runtime_variables_stay_out_of_the_child(name, value, frozen_own) -> None:
    assert is_frozen_runtime(name, value, bundle="/opt/chainsight/_internal") is frozen_own
    assert is_frozen_runtime(name, value, bundle="") is False  # not frozen: nothing is its own
