"""Every credential's success and failure modes, run by every release 1.19-1.27 and by the engine as that
release (issue 10).

The cases (tests/oracle/release_credential_cases.py) are a representative set of the 1.27 per-credential
oracles' (developer tools, service principals, workload and managed identity): each release's venv runs
all of them in one interpreter (tests/oracle/credential_harness.py, one forked child per case, one at a
time), four releases at once; every (case, release) has its own stand-in, which each side finds scripted
afresh. Required alike: the outcome (token text and expiry, or error type and text), what was sent
(the tool's argv, or each request's method, path, query and form), the retry waits and the log lines.
"""

from __future__ import annotations

import contextvars
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine import events
from engine.chain import ChainedTokenCredential
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.shared_cache import SharedTokenCacheCredential
from engine.credentials.vscode import VisualStudioCodeCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.default import DefaultAzureCredential
from engine.profiles import building_as, get_profile
from engine.sandbox import load_scenario
from engine.sandbox.sandbox import Sandbox
from tests import loopback
from tests.doubles.service import QuickHost
from tests.doubles.standins import make_ca
from tests.oracle.credential_harness import MARKER, error_kind, outcome_of
from tests.oracle.release_credential_cases import CASES, Case, Stage
from tests.oracle.releases import RELEASES, interpreter
from tests.oracle.test_user_credentials_oracle import SCENARIO as USER_SCENARIO
from tests.oracle.test_user_credentials_oracle import claims_of, masked

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("credential_harness.py")
RELEASES_AT_ONCE = 4
# The engine's side runs one case at a time across the release threads: two first builds of the shared
# cache's persistence at once race on msal_extensions' optional libsecret import and log different text.
ENGINE_ONE_AT_A_TIME = threading.Lock()
NO_VERDICT = "azure-identity {version}: the credential harness printed no verdict (exit {code}): {stderr}"
ENGINE = {
    cls.__name__: cls
    for cls in (
        AzureCliCredential,
        AzureDeveloperCliCredential,
        AzurePowerShellCredential,
        EnvironmentCredential,
        ManagedIdentityCredential,
        SharedTokenCacheCredential,
        VisualStudioCodeCredential,
        WorkloadIdentityCredential,
    )
}
pytestmark = pytest.mark.timeout(900)


def dac_only(credential: str, release: str) -> dict[str, bool]:
    """DefaultAzureCredential's keywords that leave ``credential`` ("A" or "A+B") its only members in ``release``."""
    wanted = set(credential.split("+"))
    members = get_profile(release).members
    keywords = {m.exclude_option: True for m in members if m.credential not in wanted and not m.excluded_by_default}
    keywords |= {m.exclude_option: False for m in members if m.credential in wanted and m.excluded_by_default}
    return keywords


def harness_case(case: Case, env: dict, release: str) -> dict:
    ctor = {**dac_only(case.credential, release), **case.ctor} if case.wrap == "dac" else dict(case.ctor)
    return {
        "credential": case.credential,
        "wrap": case.wrap,
        "ctor": ctor,
        "request": case.request,
        "scopes": list(case.scopes),
        "env": env,
        "count_sleeps": case.http is not None,
    }


def run_engine(case: Case, env: dict, release: str) -> dict:
    return contextvars.Context().run(_run_engine, case, env, release)


def _run_engine(case: Case, env: dict, release: str) -> dict:
    host = QuickHost(env=env, home=Path(env["HOME"]))
    recorder = events.Recorder()
    outcomes = []
    with events.recording(recorder):
        try:
            credential = _build(case, host, release)
        except Exception as ex:
            outcomes.append(["error", error_kind(ex), str(ex)])
        else:
            outcomes.append(outcome_of(lambda: credential.get_token(*case.scopes, **case.request)))
    logs = [[e.logger, e.level, e.message] for e in recorder.events if isinstance(e, events.LogEmitted)]
    return {"outcome": outcomes, "logs": logs, "waits": list(host.waits)}


def _build(case: Case, host: QuickHost, release: str):
    if case.wrap == "dac":
        return DefaultAzureCredential(host=host, profile=release, **dac_only(case.credential, release), **case.ctor)
    with building_as(release):
        members = [ENGINE[name](host=host, **case.ctor) for name in case.credential.split("+")]
    if case.wrap == "chain":
        return ChainedTokenCredential(*members)
    (credential,) = members
    return credential


def _real(version: str, cases: dict) -> dict:
    env = loopback.guarded({"PATH": "/usr/bin:/bin"}, REPO_ROOT)
    proc = subprocess.run(
        [str(interpreter(version)), str(HARNESS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise AssertionError(NO_VERDICT.format(version=version, code=proc.returncode, stderr=proc.stderr[-2000:]))


def run_release(version: str, root: Path, ca, box) -> dict:
    """Every case with one release: stand-ins up, the real release's batch, then the engine's, stand-ins down."""
    stages = {name: Stage(case, root / name, ca, box) for name, case in CASES.items()}
    try:
        real = _real(version, {n: harness_case(CASES[n], s.env, version) for n, s in stages.items()})
        sent_real = {name: stage.sent() for name, stage in stages.items()}
        results = {}
        for name, stage in stages.items():
            stage.script()
            with ENGINE_ONE_AT_A_TIME:
                ours = run_engine(CASES[name], stage.env, version)
            results[name] = {"real": {**real[name], "sent": sent_real[name]}, "ours": {**ours, "sent": stage.sent()}}
        return results
    finally:
        for stage in stages.values():
            stage.stop()


@pytest.fixture(scope="module")
def box():
    """The user-credential oracle's sandbox: its authority knows the cached accounts (one revoked)."""
    sandbox = Sandbox(load_scenario(USER_SCENARIO)).start()
    sandbox.pristine_cache = json.loads(sandbox.shared_cache_path.read_text())
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory, box) -> dict:
    ca = make_ca(tmp_path_factory.mktemp("ca"))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=RELEASES_AT_ONCE) as pool:
        futures = {v: pool.submit(run_release, v, tmp_path_factory.mktemp(f"release-{v}"), ca, box) for v in RELEASES}
        results = {v: f.result() for v, f in futures.items()}
    print(f"\n{len(CASES)} cases x {len(RELEASES)} releases in {time.monotonic() - started:.1f} s")
    return results


def _comparable(side: dict, case: Case) -> dict:
    logs = [line for line in side["logs"] if "cache ID" not in line[2]]
    outcomes = side["outcome"]
    if case.fresh_tokens:  # each side got its own token and its own request ids: compare claims, mask ids
        outcomes = [[o[0], _claims(o[1]), *o[2:]] if o[0] == "token" else [*o[:2], masked(o[2])] for o in outcomes]
        logs = [[name, level, masked(text)] for name, level, text in logs]
    return {"outcome": outcomes, "sent": json.loads(json.dumps(side["sent"])), "waits": side["waits"], "logs": logs}


def _claims(token: str) -> dict:
    claims = claims_of(token)
    return {k: claims.get(k) for k in ("upn", "tid", "oid", "appid")}


def _without_expiry(outcomes: list) -> list:
    return [o[:2] if o[0] == "token" else o for o in outcomes]


def _same_expiry(ours: list, real: list) -> bool:
    """Equal within 3 s: absolutely (a tool's fixed expiry) or from the call (a token's expires_in, which each
    side was told at its own moment: the engine runs after the release's whole batch)."""
    if ours[0] != "token":
        return True
    absolute = abs(ours[2] - real[2]) <= 3
    return absolute or abs((ours[2] - ours[3]) - (real[2] - real[3])) <= 3


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name", list(CASES))
def test_credential_behaves_as_its_release(name, release, verdicts):
    verdict = verdicts[release][name]
    assert "harness_error" not in verdict["real"], verdict["real"]
    real, ours = _comparable(verdict["real"], CASES[name]), _comparable(verdict["ours"], CASES[name])
    assert _without_expiry(ours["outcome"]) == _without_expiry(real["outcome"])
    assert all(_same_expiry(a, b) for a, b in zip(ours["outcome"], real["outcome"], strict=True))
    assert ours["sent"] == real["sent"]
    assert ours["waits"] == real["waits"]
    assert ours["logs"] == real["logs"]
