"""`chainsight sign-in` against browser-sign-in-lab: every app-registration case gives its code, meaning and fix
in `--json`, the exit status says signed in (0) or failed (1), and no token, code or state is ever printed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys

import pytest

from app.cli import main
from tests import loopback
from tests.plugins.sandbox import REPO_ROOT

A = "5f1a0000-0000-4000-8000-00000000a00"
CASES = {
    "dev-sign-on": ([], 0, None),
    "own-desktop-app": (["--client-id", A + "1", "--tenant", "contoso.com"], 0, None),
    "web-only-redirect": (["--client-id", A + "2"], 1, 50011),
    "web-localhost": (["--client-id", A + "3", "--tenant", "contoso.com"], 1, 7000218),
    "consent-page": (["--client-id", A + "4", "--tenant", "contoso.com"], 0, None),
    "admin-consent": (["--client-id", A + "5", "--tenant", "contoso.com"], 1, 65001),
    "not-assigned": (["--client-id", A + "6", "--tenant", "contoso.com"], 1, 50105),
    "other-tenant-user": (
        ["--client-id", A + "1", "--tenant", "contoso.com", "--login-hint", "guest@fabrikam.com"],
        1,
        50020,
    ),
    "single-tenant-on-organizations": (["--client-id", A + "1"], 1, 50194),
    "unknown-app": (["--client-id", "00000000-0000-0000-0000-00000000dead"], 1, 700016),
    "unknown-tenant": (["--tenant", "nosuch.onmicrosoft.com"], 1, 90002),
    "unknown-resource": (["--scope", "api://00000000-0000-0000-0000-00000000beef/.default"], 1, 500011),
    "bad-scope": (["--scope", "https://management.azure.com"], 1, 70011),
    "mfa-user": (["--login-hint", "mfa.dev@contoso.com"], 0, None),
    "blocked-user": (["--login-hint", "blocked@contoso.com"], 1, 53003),
    "wrong-password": (["--login-hint", "nopass@contoso.com", "--timeout", "4"], 1, 50126),
    "silent-needs-mfa": (
        ["--silent", "--cache-name", "msal.cache", "--allow-unencrypted", "--login-hint", "mfa.dev@contoso.com"],
        1,
        50076,
    ),
}
RUNNER = """
import contextlib, io, json, sys
from app.cli import main
cases = json.loads(sys.argv[1])
for name, argv in cases.items():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["sign-in", "--json", "--timeout", "20", *argv])
    print("CASE " + json.dumps({"name": name, "status": status, "output": out.getvalue()}), flush=True)
"""
LAB_EXEC = (sys.executable, "-m", "app", "sandbox", "exec", "--scenario", "browser-sign-in-lab", "--")
SECRET_SHAPES = (re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+"), re.compile(r"1\.AS[\w-]{20,}"))


@pytest.fixture(scope="module")
def lab_results() -> dict[str, dict]:
    proc = subprocess.run(
        [*LAB_EXEC, sys.executable, "-c", RUNNER, json.dumps({name: argv for name, (argv, _, _) in CASES.items()})],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    found = [json.loads(line[5:]) for line in proc.stdout.splitlines() if line.startswith("CASE ")]
    return {case["name"]: case for case in found}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_lab_case_signs_in_or_gives_its_entra_code_meaning_and_fix(lab_results, name: str) -> None:
    _, status, code = CASES[name]
    case = lab_results[name]
    data = json.loads(case["output"])
    assert set(data) == {
        "authorize_request",
        "redirect",
        "account",
        "id_token_claims",
        "access_token_claims",
        "authentication_record",
        "error",
    }
    assert case["status"] == status, data["error"]
    if code is None:
        assert data["error"] is None
        assert set(data["account"]) == {"username", "tenant_id", "object_id", "home_account_id"}
        assert data["access_token_claims"]["oid"] == data["account"]["object_id"]
        assert data["authentication_record"]["version"] == "1.0"
    else:
        error = data["error"]
        assert error["code"] == f"AADSTS{code}" and error["text"].startswith(f"AADSTS{code}: ")
        assert error["explanation"] and error["fix"]
        assert data["account"] is None and data["access_token_claims"] == {}
    for shape in SECRET_SHAPES:
        assert not shape.search(case["output"]), name


def test_the_mfa_user_token_shows_the_second_factor(lab_results) -> None:
    data = json.loads(lab_results["mfa-user"]["output"])
    assert data["account"]["username"] == "mfa.dev@contoso.com"
    assert data["access_token_claims"]["amr"] == ["pwd", "mfa"]


def test_the_request_and_redirect_are_recorded_masked(lab_results) -> None:
    data = json.loads(lab_results["dev-sign-on"]["output"])
    request, redirect = data["authorize_request"], data["redirect"]
    assert request["client_id"] == "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
    assert request["redirect_uri"].startswith("http://localhost:") and request["response_mode"] == "form_post"
    assert request["prompt"] == "select_account" and request["code_challenge_method"] == "S256"
    assert all("…(" in request[key] for key in ("state", "nonce", "code_challenge"))
    assert "…(" in redirect["code"] and "…(" in data["id_token_claims"]["nonce"]


def test_50011_json_shows_the_redirect_uri_sent_and_what_to_register(lab_results) -> None:
    details = json.loads(lab_results["web-only-redirect"]["output"])["error"]["details"]
    assert re.fullmatch(r"http://localhost:8[4-9]\d\d", details.pop("redirect_uri_sent"))  # the first free port
    assert details == {"registration_must_list": "http://localhost"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--silent"], "--silent needs --cache-name"),
        (["--timeout", "-1"], "timeout must be a positive number"),
        (["--allow-unencrypted"], "allow_unencrypted_storage applies to a persistent cache"),
        (["--record", "/nonexistent/record.json"], "cannot read the authentication record"),
        (["--redirect-uri", "http://localhost"], "must be a URL with port number"),
        (["--silent", "--cache-name", "n", "--device-code"], "cannot also use the device code flow"),
    ],
)
def test_usage_errors_exit_2_with_a_message(capsys, argv: list[str], message: str) -> None:
    assert main(["sign-in", *argv]) == 2
    assert message in capsys.readouterr().err


def test_human_output_names_the_fix(lab_results) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        from app.cli.signin import _print_human
        from engine.signin.aadsts import SignInContext, explain
        from engine.signin.session import SignInResult

        _print_human(SignInResult(error=explain("AADSTS53003: Access has been blocked", SignInContext())))
    assert "Likely fix:" in out.getvalue() and "Conditional Access" in out.getvalue()
