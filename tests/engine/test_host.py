"""The Host: what-if overlays, requests' environment rules on the host's variables, and processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from engine import events
from engine.host import Host
from engine.http_session import environ_proxies


def test_overlay_sets_and_unsets_without_touching_os_environ(host):
    before = dict(os.environ)
    what_if = host.with_overlay(set={"AZURE_TENANT_ID": "t"}, unset=["HOME"])
    assert what_if.env["AZURE_TENANT_ID"] == "t" and "HOME" not in what_if.env
    assert dict(what_if.overlay) == {"HOME": None, "AZURE_TENANT_ID": "t"}
    assert "HOME" in host.env and "AZURE_TENANT_ID" not in host.env
    assert dict(os.environ) == before


def test_host_environment_is_read_only(host):
    with pytest.raises(TypeError):
        host.env["X"] = "1"  # type: ignore[index]


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({"HTTPS_PROXY": "http://p:1"}, "https://login.microsoftonline.com/x", {"https": "http://p:1"}),
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}, "https://a/", {"https": "http://lower:1"}),
        ({"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"}, "http://a/", {}),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "169.254.169.254"}, "http://169.254.169.254/metadata", {}),
        ({"HTTP_PROXY": "http://p:1", "no_proxy": ".example.com"}, "http://a.example.com/", {}),
        ({"HTTP_PROXY": "http://p:1", "no_proxy": "*"}, "http://anything/", {}),
        ({"HTTP_PROXY": "http://p:1", "no_proxy": "other"}, "http://a/", {"http": "http://p:1"}),
    ],
)
def test_proxies_follow_requests_environment_rules(env, url, expected):
    assert environ_proxies(env, url) == expected


def test_session_uses_the_hosts_ca_bundle_not_the_process_one(host, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/process/bundle.pem")
    session = host.with_overlay(set={"REQUESTS_CA_BUNDLE": str(bundle)}).session()
    settings = session.merge_environment_settings("https://127.0.0.1/", {}, False, True, None)
    assert settings["verify"] == str(bundle)
    plain = host.session().merge_environment_settings("https://127.0.0.1/", {}, False, True, None)
    assert plain["verify"] is True


def test_process_runs_without_shell_and_records_a_step(host):
    recorder = events.Recorder()
    with events.recording(recorder):
        result = host.run(
            [sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"]
        )
    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (3, "out", "err")
    started = [e for e in recorder.events if isinstance(e, events.StepStarted)]
    finished = [e for e in recorder.events if isinstance(e, events.StepFinished)]
    assert started[0].kind == "process" and finished[0].detail["exit_status"] == 3


def test_process_timeout_kills_the_whole_group(host, tmp_path):
    marker = tmp_path / "child-alive"
    child = tmp_path / "child.py"
    child.write_text(f"import time\ntime.sleep(2)\nopen({str(marker)!r}, 'w').close()\n")
    parent = tmp_path / "parent.py"
    parent.write_text(
        f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, {str(child)!r}])\ntime.sleep(30)\n"
    )
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        host.run([sys.executable, str(parent)], timeout=0.5)
    assert time.monotonic() - started < 5
    time.sleep(2.5)
    assert not marker.exists(), "the grandchild outlived the timeout"


def test_cancel_interrupts_a_running_process(host):
    recorder = events.Recorder()
    recorder.cancelled.set()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        host.run([sys.executable, "-c", "import time; time.sleep(30)"])


def test_which_uses_the_hosts_path(host, tmp_path):
    tool = tmp_path / "az"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert host.which("az") is None
    assert host.with_overlay(set={"PATH": str(tmp_path)}).which("az") == str(tool)


def test_read_records_a_file_step(host, tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{}")
    recorder = events.Recorder()
    with events.recording(recorder):
        assert host.read_text(path) == "{}"
    assert [e.kind for e in recorder.events if isinstance(e, events.StepStarted)] == ["file"]


def test_open_browser_uses_the_hosts_opener(host):
    opened = []
    browsing = Host(env=host.env, browser=lambda url: opened.append(url) or True)
    assert browsing.open_browser("https://127.0.0.1/authorize?code=secret") is True
    assert opened == ["https://127.0.0.1/authorize?code=secret"]


def test_process_step_keeps_stderr_with_tokens_masked(host):
    recorder = events.Recorder()
    message = 'ERROR: AADSTS50173 eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln {"accessToken": "abc"}'
    code = f"import sys; sys.stderr.write({message!r})"
    with events.recording(recorder):
        host.run([sys.executable, "-c", code])
    detail = next(e for e in recorder.events if isinstance(e, events.StepFinished)).detail
    assert detail["stderr"] == 'ERROR: AADSTS50173 *** {"accessToken": "***"}'


def test_the_test_process_refuses_every_address_beyond_loopback(monkeypatch, tmp_path):
    import socket

    from tests.loopback import REFUSED_LOG, NonLoopbackConnection

    monkeypatch.setenv(REFUSED_LOG, str(tmp_path / "refused.log"))  # these refusals are the point, not a leak

    for address in [("169.254.169.254", 80), ("10.0.0.1", 443), ("login.microsoftonline.com", 443)]:
        with socket.socket() as sock, pytest.raises(NonLoopbackConnection):
            sock.connect(address)


def test_a_child_python_process_is_refused_beyond_loopback_and_the_run_hears_of_it(tmp_path):
    """The guard reaches the processes tests start (sitecustomize on PYTHONPATH), and logs what it refused."""
    import os
    import subprocess
    import sys

    from tests import loopback

    log = tmp_path / "refused.log"
    probe = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('169.254.169.254', 80), timeout=0.5)\n"
        "except ConnectionError as ex:\n"
        "    print(type(ex).__name__)\n"
    )
    env = dict(os.environ, **{loopback.REFUSED_LOG: str(log)})
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "NonLoopbackConnection", done.stderr
    assert "169.254.169.254" in log.read_text()
    assert loopback.SITE_DIR not in loopback.without_guard(env).get("PYTHONPATH", "")
