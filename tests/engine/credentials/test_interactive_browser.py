"""InteractiveBrowserCredential: the redirect listener, the browser hand-off, timeouts, silent reuse, probe."""

from __future__ import annotations

import contextlib
import html
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from engine import events
from engine.context import within_credential_chain, within_dac
from engine.credentials._internal.redirect_server import COMPLETE, RedirectServer
from engine.credentials.interactive_browser import (
    BAD_REDIRECT_URI,
    NEEDS_SCOPES,
    NO_BROWSER,
    NO_SERVER_ON_LOCALHOST,
    InteractiveBrowserCredential,
)
from engine.errors import AuthenticationRequiredError, ClientAuthenticationError, CredentialUnavailableError
from engine.probe import AVAILABLE, UNAVAILABLE
from tests.system import require_system

from .user_credential_fakes import FakeEntra, FakeEntraHost, client_info, fake_jwt

SCOPE = "https://management.azure.com/.default"
TENANT = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
UID = "a1b2c3d4-0001-4000-8000-00000000d001"
DEV_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AT_CANARY = fake_jwt(upn="dev@contoso.com", tid=TENANT, oid=UID, canary="IBC-AT-CANARY")
RT_CANARY = "ibc-RT-CANARY-9d1"


# ---- a fake Entra ID (in-process, through the adapter) and a fake browser ----------------------------
def entra(authorize_base: str | None = None, error: dict | None = None):
    def handler(seen):
        base = seen.url.split("/v2.0/")[0].split("/oauth2/")[0]
        if seen.method == "GET" and "openid-configuration" in seen.url:
            return 200, {
                "authorization_endpoint": f"{authorize_base or base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "issuer": f"{base}/v2.0",
            }
        form = seen.form
        if error is not None:
            return 400, error
        if form.get("grant_type") == "authorization_code":
            assert form["code_verifier"] and form["redirect_uri"].startswith("http://")
            nonce = form["code"].split(".", 1)[1]
        else:
            nonce = ""
        now = int(time.time())
        id_token = fake_jwt(
            aud=form["client_id"],
            iss=f"https://login.microsoftonline.com/{TENANT}/v2.0",
            tid=TENANT,
            oid=UID,
            sub="sub-1",
            preferred_username="dev@contoso.com",
            nonce=nonce,
            iat=now,
            nbf=now,
            exp=now + 3600,
        )
        return 200, {
            "token_type": "Bearer",
            "scope": form.get("scope", ""),
            "expires_in": 3600,
            "access_token": AT_CANARY,
            "refresh_token": RT_CANARY,
            "id_token": id_token,
            "client_info": client_info(UID, TENANT),
        }

    return handler


class FakeBrowser:
    """Acts like a person with a session: answers the authorize URL with the form_post to the redirect URI."""

    def __init__(self, *, opens: bool = True, respond: bool = True) -> None:
        self.opens, self.respond = opens, respond
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        if self.opens and self.respond:
            self.threads.append(threading.Thread(target=self._post_back, args=(url,), daemon=True))
            self.threads[-1].start()
        return self.opens

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.urls[-1]).query))

    def _post_back(self, url: str) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        session = requests.Session()
        session.trust_env = False
        form = {"code": "code." + query.get("nonce", ""), "state": query["state"], "session_state": "s"}
        self.answer = session.post(query["redirect_uri"], data=form, timeout=10)


def make_host(tmp_path: Path, browser=None, handler=None, **overrides) -> FakeEntraHost:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", **overrides.pop("env", {})}
    return FakeEntraHost(
        env=env,
        home=tmp_path,
        system=overrides.pop("system", "Linux"),
        sys_platform="linux",
        kernel_release=overrides.pop("kernel_release", "6.1.0-18-amd64"),
        browser=browser,
        adapter=FakeEntra(handler or entra()),
    )


def recorded(function, *args, **kwargs):
    recorder = events.Recorder()
    with events.recording(recorder):
        try:
            return recorder.events, function(*args, **kwargs)
        except Exception as ex:
            return recorder.events, ex


@contextlib.contextmanager
def flag(variable):
    token = variable.set(True)
    try:
        yield
    finally:
        variable.reset(token)


# ---- the redirect listener ----------------------------------------------------------------------
def serve(server: RedirectServer) -> tuple[threading.Thread, dict]:
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(server.wait_for_redirect()), daemon=True)
    thread.start()
    return thread, result


def test_redirect_server_takes_a_post_form_and_thanks_the_user() -> None:
    server = RedirectServer("127.0.0.1", 0, timeout=5)
    thread, result = serve(server)
    response = requests.post(f"http://127.0.0.1:{server.server_port}/", data={"code": "c1", "state": "s1"}, timeout=5)
    thread.join(5)
    assert (response.status_code, response.content, response.headers["Content-Type"]) == (200, COMPLETE, "text/html")
    assert result == {"code": "c1", "state": "s1"}


def test_redirect_server_takes_a_get_query_after_a_favicon_request() -> None:
    server = RedirectServer("127.0.0.1", 0, timeout=5)
    thread, result = serve(server)
    base = f"http://127.0.0.1:{server.server_port}"
    # azure-identity's 204 is never flushed: the connection just closes, and the server keeps waiting.
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/favicon.ico", timeout=5)
    requests.get(base + "/?code=c2&state=s2&x=1&x=2", timeout=5)
    thread.join(5)
    assert result == {"code": "c2", "state": "s2", "x": ["1", "2"]}


def test_redirect_server_gives_up_after_the_timeout_and_releases_the_port() -> None:
    server = RedirectServer("127.0.0.1", 0, timeout=0.3)
    port = server.server_port
    started = time.monotonic()
    assert server.wait_for_redirect() == {}
    assert 0.25 < time.monotonic() - started < 2
    with socket.create_server(("127.0.0.1", port)):
        pass


def test_redirect_server_stops_waiting_when_the_run_is_cancelled() -> None:
    server = RedirectServer("127.0.0.1", 0, timeout=60)
    recorder = events.Recorder()
    threading.Timer(0.2, recorder.cancelled.set).start()
    started = time.monotonic()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        server.wait_for_redirect()
    assert time.monotonic() - started < 2


# ---- sign-in ------------------------------------------------------------------------------------
def test_sign_in_opens_the_browser_with_form_post_and_pkce_and_returns_the_token(tmp_path: Path) -> None:
    browser = FakeBrowser()
    credential = InteractiveBrowserCredential(host=make_host(tmp_path, browser), timeout=10)
    seen, token = recorded(credential.get_token, SCOPE)
    assert token.token.reveal() == AT_CANARY
    query = browser.query
    assert query["response_mode"] == "form_post" and query["prompt"] == "select_account"
    assert query["code_challenge_method"] == "S256" and query["client_id"] == DEV_CLIENT
    assert query["redirect_uri"].startswith("http://localhost:8")
    browser.threads[-1].join(5)
    assert browser.answer.text == COMPLETE.decode()
    kinds = [e.kind for e in seen if isinstance(e, events.StepStarted)]
    assert kinds == ["http", "browser", "wait", "http"]
    record = credential._auth_record
    assert (record.username, record.tenant_id, record.home_account_id) == ("dev@contoso.com", TENANT, f"{UID}.{TENANT}")
    for canary in ("IBC-AT-CANARY", RT_CANARY, query["code_challenge"], "code." + query["nonce"]):
        assert canary not in repr(seen)


def test_after_a_sign_in_later_calls_are_silent(tmp_path: Path) -> None:
    browser = FakeBrowser()
    credential = InteractiveBrowserCredential(host=make_host(tmp_path, browser), timeout=10)
    credential.get_token(SCOPE)
    credential.get_token("https://graph.microsoft.com/.default")
    assert len(browser.urls) == 1


def test_a_given_redirect_uri_is_bound_and_sent_without_its_path(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe_socket:
        port = probe_socket.getsockname()[1]
    browser = FakeBrowser()
    credential = InteractiveBrowserCredential(
        host=make_host(tmp_path, browser), redirect_uri=f"http://127.0.0.1:{port}/callback", timeout=10
    )
    credential.get_token(SCOPE)
    assert browser.query["redirect_uri"] == f"http://127.0.0.1:{port}"


def test_logs_are_interactive_and_never_lowered_in_a_chain(tmp_path: Path) -> None:
    credential = InteractiveBrowserCredential(host=make_host(tmp_path, FakeBrowser()), timeout=10)
    with flag(within_credential_chain):
        seen, _ = recorded(credential.get_token, SCOPE)
    logs = [(e.logger, e.level, e.message) for e in seen if isinstance(e, events.LogEmitted)]
    assert logs == [
        ("azure.identity._internal.interactive", logging.INFO, "InteractiveBrowserCredential.get_token succeeded")
    ]


# ---- failures -----------------------------------------------------------------------------------
def test_no_browser_is_unavailable(tmp_path: Path) -> None:
    credential = InteractiveBrowserCredential(host=make_host(tmp_path, FakeBrowser(opens=False)))
    seen, error = recorded(credential.get_token, SCOPE)
    assert isinstance(error, CredentialUnavailableError) and error.message == NO_BROWSER
    assert not [e for e in seen if isinstance(e, events.StepStarted) and e.kind == "process"]


def test_on_wsl_powershell_start_process_is_the_fallback(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "powershell.exe"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/powershell-args\nexit 0\n')
    script.chmod(0o755)
    host = make_host(
        tmp_path,
        FakeBrowser(opens=False),
        kernel_release="5.15.153.1-microsoft-standard-WSL2",
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
    )
    credential = InteractiveBrowserCredential(host=host, timeout=0.3)
    seen, error = recorded(credential.get_token, SCOPE)
    assert error.message == "Timed out after waiting 0.3 seconds for the user to authenticate"
    steps = [(e.kind, e.label) for e in seen if isinstance(e, events.StepStarted)]
    assert ("process", "powershell.exe Start-Process (WSL browser fallback)") in steps
    args = (tmp_path / "powershell-args").read_text()
    assert args.startswith('-NoProfile -Command Start-Process "https://login.microsoftonline.com/organizations/')
    script.write_text("#!/bin/sh\nexit 1\n")
    _seen, error = recorded(InteractiveBrowserCredential(host=host).get_token, SCOPE)
    assert error.message == NO_BROWSER


def test_timeout_fails_outside_dac_and_is_unavailable_inside(tmp_path: Path) -> None:
    host = make_host(tmp_path, FakeBrowser(respond=False))
    with pytest.raises(ClientAuthenticationError) as outside:
        InteractiveBrowserCredential(host=host, timeout=0.2).get_token(SCOPE)
    assert type(outside.value) is ClientAuthenticationError
    assert outside.value.message == "Timed out after waiting 0.2 seconds for the user to authenticate"
    with flag(within_dac), pytest.raises(CredentialUnavailableError):
        InteractiveBrowserCredential(host=host, timeout=0.2).get_token(SCOPE)


def test_an_sts_error_on_redemption_fails_with_its_description(tmp_path: Path) -> None:
    handler = entra()
    error = {
        "error": "invalid_grant",
        "error_description": "AADSTS54005: OAuth2 Authorization code was already redeemed",
    }

    def failing(seen):
        return (400, error) if seen.method == "POST" else handler(seen)

    credential = InteractiveBrowserCredential(host=make_host(tmp_path, FakeBrowser(), failing), timeout=10)
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(SCOPE)
    assert info.value.message == "Authentication failed: AADSTS54005: OAuth2 Authorization code was already redeemed"
    assert "\nContent: " in str(info.value)


@pytest.mark.parametrize("uri", ["http://localhost", "localhost", "localhost:42", "http://:8400"])
def test_a_redirect_uri_without_host_and_port_is_refused(tmp_path: Path, uri: str) -> None:
    with pytest.raises(ValueError) as info:
        InteractiveBrowserCredential(host=make_host(tmp_path), redirect_uri=uri)
    assert str(info.value) == BAD_REDIRECT_URI


def test_a_taken_redirect_port_is_unavailable(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        credential = InteractiveBrowserCredential(
            host=make_host(tmp_path, FakeBrowser()), redirect_uri=f"http://127.0.0.1:{port}"
        )
        with pytest.raises(CredentialUnavailableError) as info:
            credential.get_token(SCOPE)
    assert info.value.message == f"Couldn't start an HTTP server on http://127.0.0.1:{port}"


def test_when_every_port_from_8400_to_8999_is_taken_it_is_unavailable(tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        for port in range(8400, 9000):
            with contextlib.suppress(OSError):
                stack.enter_context(socket.create_server(("127.0.0.1", port)))
        credential = InteractiveBrowserCredential(host=make_host(tmp_path, FakeBrowser()))
        with pytest.raises(CredentialUnavailableError) as info:
            credential.get_token(SCOPE)
        assert credential.probe().status == UNAVAILABLE
    assert info.value.message == NO_SERVER_ON_LOCALHOST


def test_no_scopes_is_a_value_error_logged_as_a_warning(tmp_path: Path) -> None:
    seen, error = recorded(InteractiveBrowserCredential(host=make_host(tmp_path)).get_token)
    assert isinstance(error, ValueError) and str(error) == "'get_token' requires at least one scope"
    [log] = [e for e in seen if isinstance(e, events.LogEmitted)]
    assert log.level == logging.WARNING


# ---- automatic authentication off, authenticate() -----------------------------------------------
def test_disabled_automatic_authentication_requires_authenticate_first(tmp_path: Path) -> None:
    browser = FakeBrowser()
    credential = InteractiveBrowserCredential(
        host=make_host(tmp_path, browser), disable_automatic_authentication=True, timeout=10
    )
    with pytest.raises(AuthenticationRequiredError) as info:
        credential.get_token(SCOPE)
    assert str(info.value) == AuthenticationRequiredError.DEFAULT_MESSAGE and info.value.scopes == (SCOPE,)
    assert browser.urls == []
    record = credential.authenticate()
    assert record.username == "dev@contoso.com"
    assert browser.query["scope"].split()[0] == "https://management.core.windows.net//.default"
    credential.get_token(SCOPE)  # now silent
    assert len(browser.urls) == 1


def test_authenticate_in_an_unknown_cloud_needs_scopes(tmp_path: Path) -> None:
    credential = InteractiveBrowserCredential(host=make_host(tmp_path), authority="login.example.test")
    with pytest.raises(CredentialUnavailableError) as info:
        credential.authenticate()
    assert info.value.message == NEEDS_SCOPES


# ---- probe --------------------------------------------------------------------------------------
def test_probe_without_display_or_browser_is_unavailable(tmp_path: Path) -> None:
    host = make_host(tmp_path, env={"PATH": str(tmp_path)})
    result = InteractiveBrowserCredential(host=host).probe()
    assert result.status == UNAVAILABLE and result.reason.startswith("Failed to open a browser: no DISPLAY")


def test_probe_with_browser_variable_names_it_and_the_port(tmp_path: Path) -> None:
    host = make_host(tmp_path, env={"BROWSER": "/usr/bin/true"})
    result = InteractiveBrowserCredential(host=host, timeout=42).probe()
    assert result.status == AVAILABLE
    assert (
        "BROWSER=/usr/bin/true" in result.reason and "http://localhost:8" in result.reason and "42 s" in result.reason
    )


def test_probe_with_automatic_authentication_off_explains_authenticate(tmp_path: Path) -> None:
    result = InteractiveBrowserCredential(host=make_host(tmp_path), disable_automatic_authentication=True).probe()
    assert result.status == UNAVAILABLE and "authenticate()" in result.reason


# ---- a real browser -----------------------------------------------------------------------------
AUTHORIZE_PAGE = """<html><body><form method="POST" name="hiddenform" action="{action}">
<input type="hidden" name="code" value="{code}"/><input type="hidden" name="state" value="{state}"/></form>
<script>document.forms[0].submit();</script></body></html>"""


class _AuthorizePage(BaseHTTPRequestHandler):
    """An authorize endpoint with a signed-in session: it answers at once with the form_post page."""

    def do_GET(self) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        page = AUTHORIZE_PAGE.format(
            action=html.escape(query["redirect_uri"]),
            code=html.escape("code." + query.get("nonce", "")),
            state=html.escape(query["state"]),
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.needs_system
def test_headless_chromium_completes_the_form_post_flow(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require_system(chromium is not None, "chromium is not installed")
    page = ThreadingHTTPServer(("127.0.0.1", 0), _AuthorizePage)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    processes: list[subprocess.Popen] = []

    def launch(url: str) -> bool:
        argv = [
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-domain-reliability",
            # Everything but loopback goes to a closed port: the browser cannot reach the internet.
            "--proxy-server=http://127.0.0.1:9", url,
        ]  # fmt: skip
        env = {
            k: v for k, v in os.environ.items() if k not in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
        }
        processes.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        return True

    host = make_host(tmp_path, launch, entra(authorize_base=f"http://127.0.0.1:{page.server_port}"))
    try:
        token = InteractiveBrowserCredential(host=host, timeout=30).get_token(SCOPE)
    finally:
        for process in processes:
            process.kill()
            process.wait()
        page.shutdown()
    assert token.token.reveal() == AT_CANARY
