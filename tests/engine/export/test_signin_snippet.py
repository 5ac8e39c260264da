"""The sign-in's options as Python for azure-identity: clean as ruff leaves it, and it runs as it is: the real
azure-identity signs in once, saves the AuthenticationRecord, and the second run is silent from the same cache."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from engine.export.signin_snippet import signin_code
from engine.signin.options import SignInOptions
from tests import loopback
from tests.engine.export.ruff_check import format_problems, lint_problems, write_all
from tests.plugins.sandbox import REPO_ROOT

A1 = "5f1a0000-0000-4000-8000-00000000a001"
VARIANTS = {
    "defaults": SignInOptions(),
    "own-app-usgov": SignInOptions(client_id=A1, tenant_id="contoso.com", authority="usgov", login_hint="u@c.com"),
    "custom-authority-and-tenants": SignInOptions(authority="login.example.test", additionally_allowed_tenants=("*",)),
    "cache-and-record": SignInOptions(
        cache_name="my-app", save_record_path="rec.json", redirect_uri="http://localhost:8400"
    ),
    "cache-plaintext-no-auto": SignInOptions(
        cache_name="n", allow_unencrypted_storage=True, disable_automatic_authentication=True
    ),
    "device-code": SignInOptions(device_code=True, timeout=120, login_hint="ignored@c.com", tenant_id="t"),
}


def test_every_variant_is_clean_python_as_ruff_formats_it(tmp_path) -> None:
    sources = {name: signin_code(options) for name, options in VARIANTS.items()}
    for code in sources.values():
        ast.parse(code)
    write_all(tmp_path, sources)
    assert format_problems(tmp_path) == ""
    assert lint_problems(tmp_path) == ""


def test_options_become_azure_identity_keywords_and_the_record_idiom() -> None:
    code = signin_code(VARIANTS["cache-and-record"])
    assert 'TokenCachePersistenceOptions(name="my-app")' in code and 'RECORD_PATH = "rec.json"' in code
    assert "AuthenticationRecord.deserialize(f.read())" in code and "f.write(record.serialize())" in code
    assert "authentication_record=record" in code and "credential.authenticate(scopes=SCOPES)" in code
    assert 'redirect_uri="http://localhost:8400"' in code
    assert "authority=AzureAuthorityHosts.AZURE_GOVERNMENT" in signin_code(VARIANTS["own-app-usgov"])
    device = signin_code(VARIANTS["device-code"])
    assert 'DeviceCodeCredential(tenant_id="t", timeout=120)' in device and "login_hint" not in device


def test_the_exported_code_signs_in_once_then_silently_with_the_real_library(tmp_path) -> None:
    code = signin_code(SignInOptions(cache_name="exported", allow_unencrypted_storage=True, timeout=30))
    program = tmp_path / "signin_app.py"
    program.write_text(code, encoding="utf-8")
    script = (
        f"cd {tmp_path} && for i in 1 2; do {sys.executable} {program} || exit 1; done; "
        'grep -c "browser: done" "$(dirname "$CHAINSIGHT_SANDBOX_STATE")/browser.log"'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", "browser-sign-in-lab", "--", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    *runs, browser_sign_ins = proc.stdout.strip().splitlines()
    assert len(runs) == 2 and all(
        line.startswith("signed in as dev@contoso.com - the token expires at") for line in runs
    )
    assert browser_sign_ins == "1"  # one browser sign-in: the second run used the record and the cache
    assert (tmp_path / "authentication_record.json").exists()
