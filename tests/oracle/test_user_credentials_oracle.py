"""The user sign-in credentials against the real azure-identity 1.27.0, in the same sandboxed environment.

Each case prepares the shared cache file (in MSAL's schema, written by the sandbox and then trimmed or
altered), runs the real credential with the sandbox's environment in ``os.environ``, restores the cache,
runs ours on a Host with the same environment, and requires the same outcome, the same message (random
trace ids and timestamps masked), the same account, the same cache afterwards and the same log lines.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from engine import events
from engine.default import DefaultAzureCredential as EngineDAC
from engine.host import Host
from engine.run import run_chain
from engine.sandbox import load_scenario
from engine.sandbox.sandbox import Sandbox
from tests.system import require_oracle

azure_identity = require_oracle()

SCENARIO = Path(__file__).with_name("user_credentials.toml")
SCOPE = "https://management.azure.com/.default"
CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
FABRIKAM = "9c8b7a6f-5e4d-4c3b-8a29-1f0e0d0c0b0a"
COMPARED_LOGGERS = (
    "azure.identity._internal.decorators",
    "azure.identity._persistent_cache",
    "azure.identity._internal.interactive",
)
# Everything but the shared cache, so DAC's walk shows that member alone.
DAC_ONLY_SHARED_CACHE = {
    f"exclude_{name}_credential": True
    for name in (
        "environment",
        "workload_identity",
        "managed_identity",
        "visual_studio_code",
        "cli",
        "powershell",
        "developer_cli",
        "broker",
    )
}
_VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<guid>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?"), "<time>"),
]


def masked(text: str | None) -> str | None:
    if text is None:
        return None
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def jwt(**claims: Any) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# ---- the sandbox and its cache ------------------------------------------------------------------
@pytest.fixture(scope="module")
def box():
    sandbox = Sandbox(load_scenario(SCENARIO)).start()
    sandbox.pristine_cache = json.loads(sandbox.shared_cache_path.read_text())
    yield sandbox
    sandbox.stop()


CacheEdit = Callable[[dict], None]


def keep(*usernames: str) -> CacheEdit:
    """Only these accounts (and their tokens) stay in the cache."""

    def edit(cache: dict) -> None:
        ids = {a["home_account_id"] for a in cache["Account"].values() if a["username"] in usernames}
        for section in ("Account", "RefreshToken", "IdToken", "AccessToken"):
            entries = cache.get(section, {})
            for key in [k for k, v in entries.items() if v.get("home_account_id") not in ids]:
                del entries[key]

    return edit


def for_user(cache: dict, username: str) -> str:
    return next(a["home_account_id"] for a in cache["Account"].values() if a["username"] == username)


def drop_family(*usernames: str) -> CacheEdit:
    def edit(cache: dict) -> None:
        ids = {for_user(cache, u) for u in usernames}
        for rt in cache["RefreshToken"].values():
            if rt["home_account_id"] in ids:
                rt.pop("family_id", None)

    return edit


def drop_refresh_secret(username: str) -> CacheEdit:
    def edit(cache: dict) -> None:
        for rt in cache["RefreshToken"].values():
            if rt["home_account_id"] == for_user(cache, username):
                rt.pop("secret")

    return edit


def add_access_token(username: str, *, expires_in: int, upn: str = "cached@contoso.com") -> CacheEdit:
    def edit(cache: dict) -> None:
        now = int(time.time())
        hid = for_user(cache, username)
        entry = {
            "credential_type": "AccessToken",
            "secret": jwt(upn=upn, tid=CONTOSO, oid="cached-oid", appid="cached-app"),
            "home_account_id": hid,
            "environment": "login.microsoftonline.com",
            "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "target": SCOPE,
            "realm": "organizations",
            "token_type": "Bearer",
            "cached_at": str(now),
            "expires_on": str(now + expires_in),
            "extended_expires_on": str(now + expires_in),
        }
        key = f"{hid}-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-organizations-{SCOPE}"
        cache.setdefault("AccessToken", {})[key] = entry

    return edit


def corrupt(_: dict) -> None:  # marker: the file is replaced by text that is not JSON
    pass


@dataclass
class Case:
    name: str
    edits: tuple[CacheEdit, ...] = ()
    no_cache: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)  # constructor keywords (username, tenant_id, authority)
    env: dict[str, str] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)  # get_token keywords
    dac: bool = False
    calls: int = 1

    def cache_text(self, pristine: dict) -> str | None:
        if self.no_cache:
            return None
        if corrupt in self.edits:
            return "this is not JSON"
        cache = json.loads(json.dumps(pristine))
        for edit in self.edits:
            edit(cache)
        return json.dumps(cache, indent=4)


CASES = [
    Case("empty-cache", no_cache=True),
    Case("single-account", edits=(keep("dev@contoso.com"),)),
    Case("multiple-accounts"),
    Case("username-selects-one", kwargs={"username": "admin@contoso.com"}),
    Case("tenant-selects-one", kwargs={"tenant_id": FABRIKAM}),
    Case("username-and-tenant-select-one", kwargs={"username": "dev@contoso.com", "tenant_id": CONTOSO}),
    Case("no-matching-username", kwargs={"username": "nobody@contoso.com"}),
    Case("no-matching-tenant", kwargs={"tenant_id": "00000000-1111-4222-8333-444444444444"}),
    Case("no-matching-username-and-tenant", kwargs={"username": "dev@contoso.com", "tenant_id": FABRIKAM}),
    Case("several-match-the-tenant", kwargs={"tenant_id": CONTOSO}),
    Case("username-is-case-sensitive", edits=(keep("dev@contoso.com"),), kwargs={"username": "Dev@Contoso.com"}),
    Case("no-refresh-token-secret", edits=(keep("dev@contoso.com"), drop_refresh_secret("dev@contoso.com"))),
    Case("non-foci-refresh-token-is-no-account", edits=(keep("dev@contoso.com"), drop_family("dev@contoso.com"))),
    Case("non-foci-accounts-are-ignored", edits=(drop_family("admin@contoso.com", "guest@fabrikam.com"),)),
    Case("cached-access-token", edits=(keep("dev@contoso.com"), add_access_token("dev@contoso.com", expires_in=3600))),
    Case(
        "cached-access-token-near-expiry-is-refreshed",
        edits=(keep("dev@contoso.com"), add_access_token("dev@contoso.com", expires_in=200)),
    ),
    Case(
        "claims-bypass-the-cached-access-token",
        edits=(keep("dev@contoso.com"), add_access_token("dev@contoso.com", expires_in=3600)),
        request={"claims": '{"access_token": {"nbf": {"essential": true}}}'},
    ),
    Case("invalid-grant-evicts-and-fails", edits=(keep("ops@contoso.com"),)),
    Case("invalid-grant-inside-dac-is-unavailable", edits=(keep("ops@contoso.com"),), dac=True),
    Case("rotation-then-cached-token", edits=(keep("guest@fabrikam.com"),), calls=2),
    Case("per-request-tenant-the-user-is-not-in", edits=(keep("dev@contoso.com"),), request={"tenant_id": FABRIKAM}),
    Case(
        "alias-authority-host",
        edits=(keep("dev@contoso.com"),),
        env={"AZURE_AUTHORITY_HOST": "https://login.windows.net"},
    ),
    Case("alias-authority-keyword", edits=(keep("dev@contoso.com"),), kwargs={"authority": "login.microsoft.com"}),
    Case("unknown-authority-sees-no-accounts", kwargs={"authority": "https://login.example.test"}),
    Case("corrupt-cache-fails", edits=(corrupt,)),
    Case("corrupt-cache-stops-dac-too", edits=(corrupt,), dac=True),
    Case("dac-single-account", edits=(keep("dev@contoso.com"),), dac=True),
    Case("dac-multiple-accounts", dac=True),
    Case("dac-username-from-environment", dac=True, env={"AZURE_USERNAME": "admin@contoso.com"}),
    Case("dac-tenant-keyword-filters", dac=True, kwargs={"tenant_id": FABRIKAM}),
]


# ---- running one side -------------------------------------------------------------------------
def outcome_of(error: BaseException | None, token: Any, unavailable: type, failed: type) -> dict:
    if error is None:
        claims = claims_of(token)
        return {"result": "token", "upn": claims.get("upn"), "tid": claims.get("tid")}
    kind = "unavailable" if isinstance(error, unavailable) else "failed" if isinstance(error, failed) else None
    return {"result": kind or type(error).__name__, "message": masked(str(error))}


def cache_summary(path: Path, before: str | None) -> dict | None:
    if not path.exists():
        return None
    text = path.read_text()
    try:
        data = json.loads(text)
    except ValueError:
        return {"unchanged": text == before}
    original = json.loads(before) if before else {}
    original_rts = [rt.get("secret") for rt in original.get("RefreshToken", {}).values()]
    rts = {rt.get("secret") for rt in data.get("RefreshToken", {}).values()}
    return {
        "refresh_tokens": len(rts),
        "originals_kept": [secret in rts for secret in original_rts],
        "access_tokens": len(data.get("AccessToken", {})),
        "usernames": sorted(a.get("username", "") for a in data.get("Account", {}).values()),
    }


def prepare(box: Sandbox, case: Case) -> str | None:
    path = box.shared_cache_path
    text = case.cache_text(box.pristine_cache)
    lock = Path(str(path) + ".lockfile")
    lock.unlink(missing_ok=True)
    if text is None:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return text


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in COMPARED_LOGGERS:
            self.lines.append((record.name, record.levelno, masked(record.getMessage())))


def run_real(box: Sandbox, case: Case, monkeypatch: pytest.MonkeyPatch) -> dict:
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError, DefaultAzureCredential, SharedTokenCacheCredential

    before = prepare(box, case)
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in {**box.env, **case.env}.items():
            patch.setenv(name, value)
        capture = _Capture()
        logger = logging.getLogger("azure.identity")
        old_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
        try:
            if case.dac:
                dac_kwargs = {"shared_cache_" + k if k != "authority" else k: v for k, v in case.kwargs.items()}
                credential = DefaultAzureCredential(**DAC_ONLY_SHARED_CACHE, **dac_kwargs)
            else:
                kwargs = dict(case.kwargs)
                credential = SharedTokenCacheCredential(kwargs.pop("username", None), **kwargs)
            results = []
            for _ in range(case.calls):
                error, token = None, None
                try:
                    token = credential.get_token(SCOPE, **case.request).token
                except Exception as ex:
                    error = ex
                results.append(outcome_of(error, token, CredentialUnavailableError, ClientAuthenticationError))
        finally:
            logger.removeHandler(capture)
            logger.setLevel(old_level)
    return {"calls": results, "cache": cache_summary(box.shared_cache_path, before), "logs": capture.lines}


def run_ours(box: Sandbox, case: Case) -> dict:
    from engine.credentials.shared_cache import SharedTokenCacheCredential
    from engine.errors import ClientAuthenticationError, CredentialUnavailableError

    before = prepare(box, case)
    host = Host(env={**box.env, **case.env})
    recorder = events.Recorder()
    results = []
    with events.recording(recorder):
        if case.dac:
            dac_kwargs = {"shared_cache_" + k if k != "authority" else k: v for k, v in case.kwargs.items()}
            credential = EngineDAC(host=host, **DAC_ONLY_SHARED_CACHE, **dac_kwargs)
        else:
            kwargs = dict(case.kwargs)
            credential = SharedTokenCacheCredential(kwargs.pop("username", None), host=host, **kwargs)
        for _ in range(case.calls):
            error, token = None, None
            try:
                token = credential.get_token(SCOPE, **case.request).token.reveal()
            except Exception as ex:
                error = ex
            results.append(outcome_of(error, token, CredentialUnavailableError, ClientAuthenticationError))
    logs = [
        (e.logger, e.level, masked(e.message))
        for e in recorder.events
        if isinstance(e, events.LogEmitted) and e.logger in COMPARED_LOGGERS
    ]
    return {"calls": results, "cache": cache_summary(box.shared_cache_path, before), "logs": logs}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_shared_token_cache_matches_azure_identity(box: Sandbox, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    real = run_real(box, case, monkeypatch)
    ours = run_ours(box, case)
    assert ours == real


def test_the_oracle_covers_success_unavailable_and_failure(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard against a sandbox that silently makes every case look alike."""
    seen = {run_real(box, case, monkeypatch)["calls"][0]["result"] for case in CASES[:3] + CASES[17:18]}
    assert seen == {"token", "unavailable", "failed"}


def test_a_run_of_the_shared_cache_never_shows_its_tokens(box: Sandbox) -> None:
    case = Case("secrets", edits=(keep("dev@contoso.com"),))
    before = prepare(box, case)
    secrets = [rt["secret"] for rt in json.loads(before)["RefreshToken"].values()]
    host = Host(env=box.env)
    from engine.credentials.shared_cache import SharedTokenCacheCredential

    run = run_chain(SharedTokenCacheCredential(host=host), [SCOPE])
    assert run.attempts[0].outcome == "succeeded"
    after = json.loads(box.shared_cache_path.read_text())
    secrets += [rt["secret"] for rt in after["RefreshToken"].values()]
    secrets += [at["secret"] for at in after["AccessToken"].values()]
    text = json.dumps(run.to_json()) + repr(run)
    for secret in secrets:
        assert secret not in text


# ---- VS Code and the broker: what this machine (no azure-identity-broker) says ---------------------
def _both_unavailable(real_call: Callable[[], Any], our_call: Callable[[], Any]) -> tuple[str, str]:
    from azure.identity import CredentialUnavailableError as RealUnavailable

    from engine.errors import CredentialUnavailableError

    with pytest.raises(RealUnavailable) as real:
        real_call()
    with pytest.raises(CredentialUnavailableError) as ours:
        our_call()
    return real.value.message, ours.value.message


@pytest.mark.parametrize("with_record", [False, True], ids=["no-record", "record-present"])
def test_vscode_without_the_broker_package_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_record
) -> None:
    from azure.identity import VisualStudioCodeCredential as Real

    from engine.credentials.vscode import VisualStudioCodeCredential

    if with_record:
        record = tmp_path / ".azure/ms-azuretools.vscode-azureresourcegroups/authRecord.json"
        record.parent.mkdir(parents=True)
        record.write_text("{not even json")
    monkeypatch.setenv("HOME", str(tmp_path))
    host = Host(env={"HOME": str(tmp_path)})
    real, ours = _both_unavailable(
        lambda: Real(tenant_id="t1").get_token(SCOPE),
        lambda: VisualStudioCodeCredential(host=host, tenant_id="t1").get_token(SCOPE),
    )
    assert ours == real


def test_broker_without_the_package_matches(tmp_path: Path) -> None:
    from azure.identity._credentials.broker import BrokerCredential as Real

    from engine.credentials.broker import BrokerCredential

    real, ours = _both_unavailable(
        lambda: Real(tenant_id="t1", client_id="c1").get_token(SCOPE),
        lambda: BrokerCredential(host=Host(env={}), tenant_id="t1", client_id="c1").get_token(SCOPE),
    )
    assert ours == real


def test_dac_with_only_vscode_and_broker_gives_the_same_aggregated_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.identity import DefaultAzureCredential as RealDAC

    only = {k: v for k, v in DAC_ONLY_SHARED_CACHE.items() if "visual_studio" not in k and "broker" not in k}
    only["exclude_shared_token_cache_credential"] = True
    for name in list(os.environ):
        if name.startswith("AZURE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(Exception) as real:
        RealDAC(**only).get_token(SCOPE)
    run = run_chain(EngineDAC(host=Host(env={"HOME": str(tmp_path)}), **only), [SCOPE])
    assert [(a.credential, a.outcome) for a in run.attempts] == [
        ("VisualStudioCodeCredential", "unavailable"),
        ("BrokerCredential", "unavailable"),
    ]
    assert run.error == str(real.value)


# ---- InteractiveBrowserCredential ---------------------------------------------------------------
INTERACTIVE_LOGGER = "azure.identity._internal.interactive"
# The browser credential, then the broker: the broker entry shows whether the chain went on after it.
ONLY_BROWSER = {**DAC_ONLY_SHARED_CACHE, "exclude_shared_token_cache_credential": True}
ONLY_BROWSER.update(exclude_interactive_browser_credential=False, exclude_broker_credential=False)


class ScriptedPerson:
    """A browser with the scenario's session: follows the authorize URL and posts the form back (in a thread)."""

    def __init__(self, box: Sandbox, *, opens: bool = True, responds: bool = True) -> None:
        self.box, self.opens, self.responds = box, opens, responds
        self.threads: list[Any] = []

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> bool:
        import threading

        import requests

        from engine.sandbox.browser import ScriptedBrowser

        if self.opens and self.responds:
            session = requests.Session()
            session.trust_env = False
            session.verify = str(self.box.ca_bundle)
            session.proxies = {"https": self.box.proxy_url}  # the redirect to localhost goes direct
            thread = threading.Thread(target=ScriptedBrowser("dev@contoso.com", "", session).open, args=(url,))
            thread.start()
            self.threads.append(thread)
        return self.opens

    def join(self) -> None:
        for thread in self.threads:
            thread.join(10)


@dataclass
class BrowserCase:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    opens: bool = True
    responds: bool = True
    dac: bool = False
    authenticate: bool = False
    calls: int = 1


BROWSER_CASES = [
    BrowserCase("sign-in-with-a-browser"),
    BrowserCase("sign-in-then-silent", calls=2),
    BrowserCase("authenticate-returns-the-record", authenticate=True),
    BrowserCase("no-browser", opens=False),
    BrowserCase("no-browser-inside-dac", opens=False, dac=True),
    BrowserCase("timeout", kwargs={"timeout": 1}, responds=False),
    BrowserCase("timeout-inside-dac", kwargs={"timeout": 1}, responds=False, dac=True),
    BrowserCase("automatic-authentication-disabled", kwargs={"disable_automatic_authentication": True}),
    BrowserCase("tenant-keyword", kwargs={"tenant_id": CONTOSO}),
    BrowserCase("login-hint", kwargs={"login_hint": "dev@contoso.com"}),
]


def _browser_outcome(credential: Any, case: BrowserCase, unavailable: type, failed: type, reveal) -> dict:
    results = []
    for _ in range(case.calls):
        try:
            if case.authenticate:
                record = credential.authenticate()
                results.append(
                    {
                        "record": [
                            record.username,
                            record.tenant_id,
                            record.home_account_id,
                            record.authority,
                            record.client_id,
                        ]
                    }
                )
                continue
            token = reveal(credential.get_token(SCOPE).token)
            results.append(outcome_of(None, token, unavailable, failed))
        except Exception as ex:
            results.append(outcome_of(ex, None, unavailable, failed))
    return {"calls": results}


def run_real_browser(box: Sandbox, case: BrowserCase, monkeypatch: pytest.MonkeyPatch) -> dict:
    import webbrowser

    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError, DefaultAzureCredential, InteractiveBrowserCredential

    person = ScriptedPerson(box, opens=case.opens, responds=case.responds)
    capture = _Capture()
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in box.env.items():
            patch.setenv(name, value)
        patch.setattr(webbrowser, "open", person)
        logger = logging.getLogger(INTERACTIVE_LOGGER)
        patch.setattr(logger, "level", logging.DEBUG)
        logger.addHandler(capture)
        try:
            if case.dac:
                credential = DefaultAzureCredential(**ONLY_BROWSER, **case.kwargs)
            else:
                credential = InteractiveBrowserCredential(**case.kwargs)
            result = _browser_outcome(credential, case, CredentialUnavailableError, ClientAuthenticationError, str)
        finally:
            logger.removeHandler(capture)
            person.join()
    result["logs"] = [line for line in capture.lines if line[0] == INTERACTIVE_LOGGER]
    return result


def run_our_browser(box: Sandbox, case: BrowserCase) -> dict:
    from engine.credentials.interactive_browser import InteractiveBrowserCredential
    from engine.errors import ClientAuthenticationError, CredentialUnavailableError

    person = ScriptedPerson(box, opens=case.opens, responds=case.responds)
    host = Host(env=box.env, browser=person)
    recorder = events.Recorder()
    with events.recording(recorder):
        if case.dac:
            credential = EngineDAC(host=host, **ONLY_BROWSER, **case.kwargs)
        else:
            credential = InteractiveBrowserCredential(host=host, **case.kwargs)
        result = _browser_outcome(
            credential, case, CredentialUnavailableError, ClientAuthenticationError, lambda t: t.reveal()
        )
    person.join()
    result["logs"] = [
        (e.logger, e.level, masked(e.message))
        for e in recorder.events
        if isinstance(e, events.LogEmitted) and e.logger == INTERACTIVE_LOGGER
    ]
    return result


@pytest.mark.parametrize("case", BROWSER_CASES, ids=[c.name for c in BROWSER_CASES])
def test_interactive_browser_matches_azure_identity(box: Sandbox, case: BrowserCase, monkeypatch) -> None:
    real = run_real_browser(box, case, monkeypatch)
    ours = run_our_browser(box, case)
    assert ours == real
    if case.name == "sign-in-with-a-browser":
        assert real["calls"][0]["upn"] == "dev@contoso.com"
    if case.name == "timeout-inside-dac":  # softened: the chain went on to the broker
        assert "\tBrokerCredential: InteractiveBrowserBrokerCredential unavailable." in real["calls"][0]["message"]


@pytest.mark.parametrize("uri", ["http://localhost", "localhost", "localhost:8400", "http://:8400/path"])
def test_invalid_redirect_uri_is_refused_alike(uri: str) -> None:
    from azure.identity import InteractiveBrowserCredential as Real

    from engine.credentials.interactive_browser import InteractiveBrowserCredential

    with pytest.raises(ValueError) as real:
        Real(redirect_uri=uri)
    with pytest.raises(ValueError) as ours:
        InteractiveBrowserCredential(host=Host(env={}), redirect_uri=uri)
    assert str(ours.value) == str(real.value)


def test_a_taken_redirect_port_is_unavailable_alike(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        uri = f"http://127.0.0.1:{taken.getsockname()[1]}"
        case = BrowserCase("port-taken", kwargs={"redirect_uri": uri})
        real = run_real_browser(box, case, monkeypatch)
        ours = run_our_browser(box, case)
    assert ours == real
    assert real["calls"][0] == {"result": "unavailable", "message": f"Couldn't start an HTTP server on {uri}"}
