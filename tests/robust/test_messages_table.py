"""Point 4: bad inputs give one line naming what was wrong and where, exit 2, never a traceback.

CASES: the command, the environment, files to create, and a phrase the single stderr line must hold
(the previous session's rows). message_rows.py holds the audit's table, each row marked fixed or clear
on d1e9594; run-time verdicts keep azure-identity's text and Chainsight's next step says what was wrong.
Inputs that reach azure-identity's own constructors keep its text; Chainsight adds where it came from.
"""

from __future__ import annotations

import os

import pytest

from app.cli import main
from app.diagnosis import remedies
from tests.robust.message_rows import CLI_ROWS, ENCRYPTED, FIXED, NEXT_STEP_ROWS, RUN_ROWS

CHAINED = '[chain]\ntype = "ChainedTokenCredential"\n[[chain.credentials]]\n'

# (id, argv ({d} is the test's folder), environment, files {name: bytes}, phrase)
CASES = [
    ("missing-config", ["run", "--dry-run", "--config", "{d}/none.toml"], {}, {}, "{d}/none.toml: cannot read it"),
    ("config-is-folder", ["run", "--dry-run", "--config", "{d}"], {}, {}, "not a regular file (a folder)"),
    ("config-dev-zero", ["run", "--dry-run", "--config", "/dev/zero"], {}, {}, "/dev/zero: not a regular file"),
    ("config-binary", ["run", "--dry-run", "--config", "{d}/s.toml"], {}, {"s.toml": b"\x00\xff"}, "not UTF-8"),
    ("config-bad-toml", ["run", "--dry-run", "--config", "{d}/s.toml"], {}, {"s.toml": b"[chain"}, "not valid TOML"),
    ("config-no-chain", ["run", "--dry-run", "--config", "{d}/s.toml"], {}, {"s.toml": b"x = 1"}, "missing [chain]"),
    (
        "config-unknown-type",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": b"[chain]\ntype = 'Nope'"},
        "chain.type: must be",
    ),
    (
        "config-unknown-credential",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'AzureCLI'"},
        "unknown credential 'AzureCLI'",
    ),
    (
        "config-option-typo",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'AzureCliCredential'\ntenant = 't'"},
        "did you mean 'tenant_id'?",
    ),
    (
        "config-timeout-nan",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'AzureCliCredential'\nprocess_timeout = nan"},
        "process_timeout: must be a finite number",
    ),
    (
        "config-missing-password-variable",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'UsernamePasswordCredential'\nclient_id = 'c'\nusername = 'u'"},
        "cannot build the chain in {d}/s.toml: environment variable AZURE_PASSWORD",
    ),
    (
        "config-certificate-missing",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {
            "s.toml": CHAINED.encode()
            + b"type = 'CertificateCredential'\ntenant_id='t'\nclient_id='c'\ncertificate_path='/none.pem'"
        },
        "{d}/s.toml: [Errno 2] No such file or directory: '/none.pem'",
    ),
    (
        "config-certificate-garbage",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {
            "s.toml": CHAINED.encode()
            + b"type = 'CertificateCredential'\ntenant_id='t'\nclient_id='c'\ncertificate_path='{d}/c.pem'",
            "c.pem": b"not a certificate",
        },
        "Failed to deserialize certificate",
    ),
    (
        "config-certificate-fifo",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {
            "s.toml": CHAINED.encode()
            + b"type = 'CertificateCredential'\ntenant_id='t'\nclient_id='c'\ncertificate_path='{d}/fifo'"
        },
        "not a regular file (a named pipe)",
    ),
    (
        "config-bad-tenant",
        ["run", "--dry-run", "--config", "{d}/s.toml"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'AzureCliCredential'\ntenant_id = 'bad tenant!'"},
        "{d}/s.toml: Invalid tenant ID provided",
    ),
    (
        "option-python-bool",
        ["run", "--dry-run", "--option", "exclude_cli_credential=False"],
        {},
        {},
        "must be true or false",
    ),
    ("option-nan", ["run", "--dry-run", "--option", "process_timeout=NaN"], {}, {}, "finite number"),
    ("option-unknown", ["run", "--dry-run", "--option", "exclude_cli=true"], {}, {}, "unknown option"),
    ("option-shape", ["run", "--dry-run", "--option", "novalue"], {}, {}, "expects KEY=VALUE"),
    ("option-tenant-id", ["run", "--dry-run", "--option", "tenant_id=x"], {}, {}, "'tenant_id' is not supported"),
    (
        "option-on-chained",
        ["run", "--dry-run", "--config", "{d}/s.toml", "--option", "process_timeout=5"],
        {},
        {"s.toml": CHAINED.encode() + b"type = 'AzureCliCredential'"},
        "applies to DefaultAzureCredential only",
    ),
    (
        "env-token-credentials",
        ["run", "--dry-run"],
        {"AZURE_TOKEN_CREDENTIALS": "bogus"},
        {},
        "DefaultAzureCredential from this environment: Invalid value for AZURE_TOKEN_CREDENTIALS: bogus",
    ),
    (
        "env-insecure-authority",
        ["run", "--dry-run"],
        {"AZURE_AUTHORITY_HOST": "http://insecure"},
        {},
        "must be a TLS protected (https) URL",
    ),
    (
        "env-require-envvar",
        ["run", "--dry-run", "--option", "require_envvar=true"],
        {},
        {},
        "AZURE_TOKEN_CREDENTIALS environment variable is required",
    ),
    ("export-missing-folder", ["export", "--output", "{d}/no/x.py"], {}, {}, "the folder {d}/no does not exist"),
    ("export-to-folder", ["export", "--output", "{d}"], {}, {}, "it is a folder"),
    ("export-bad-config", ["export", "--config", "{d}/s.toml"], {}, {"s.toml": b"[chain"}, "not valid TOML"),
    ("scan-bad-config", ["scan", "--config", "{d}/s.toml"], {}, {"s.toml": b"\xff"}, "not UTF-8"),
    ("sandbox-typo", ["sandbox", "serve", "--scenario", "laptop-azz"], {}, {}, "did you mean 'laptop-az'?"),
    ("sandbox-broken", ["sandbox", "serve", "--scenario", "{d}/b.toml"], {}, {"b.toml": b"[tenants"}, "not valid TOML"),
    ("sandbox-no-command", ["sandbox", "exec", "--scenario", "laptop-az"], {}, {}, "give the command after --"),
]


@pytest.mark.parametrize(("argv", "env", "files", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_naming_it_with_exit_2(capsys, monkeypatch, tmp_path, argv, env, files, phrase):
    d = str(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.replace(b"{d}", d.encode()))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main([a.replace("{d}", d) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("chainsight"), err
    assert phrase.replace("{d}", d) in err and "Traceback" not in err, err


def test_a_bug_is_one_redacted_line_not_a_traceback_unless_asked(capsys, monkeypatch):
    import app.cli.export as export_command

    def boom(args):
        raise RuntimeError("unexpected eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYW5hcnkifQ.sig")

    monkeypatch.setattr(export_command, "handle", boom)
    assert main(["export"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: unexpected ***" in err and "eyJ" not in err
    monkeypatch.setenv("CHAINSIGHT_TRACEBACK", "1")
    with pytest.raises(RuntimeError):
        main(["export"])


def _encrypted_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"the right password"),
    )


def _prepare(tmp_path, home, monkeypatch, env, files) -> str:
    d = str(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    for name, content in files.items():
        path = home / name.removeprefix("HOME/") if name.startswith("HOME/") else tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_encrypted_key() if content == ENCRYPTED else content.replace(b"{d}", d.encode()))
        if name.startswith("bin/"):
            path.chmod(0o755)
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{d}", d))
    return d


def _ids(rows):
    return [f"{row[0]}-{row[-1]}" for row in rows]


@pytest.mark.parametrize("row", CLI_ROWS, ids=_ids(CLI_ROWS))
def test_audit_input_is_one_line_naming_it_with_exit_2(capsys, monkeypatch, tmp_path, isolated_environment, row):
    _id, argv, env, files, phrase, _status = row
    d = _prepare(tmp_path, isolated_environment, monkeypatch, env, files)
    code = main([a.replace("{d}", d) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("chainsight"), err
    assert phrase.replace("{d}", d) in err, err
    assert "Traceback" not in err and "ValueError:" not in err and "internal error" not in err, err


@pytest.mark.parametrize("row", RUN_ROWS, ids=_ids(RUN_ROWS))
def test_audit_run_keeps_the_verdict_and_says_what_was_wrong(capsys, monkeypatch, tmp_path, isolated_environment, row):
    _id, argv, env, files, verdict, step, _status = row
    d = _prepare(tmp_path, isolated_environment, monkeypatch, env, files)
    code = main([a.replace("{d}", d) for a in argv])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err, out + err
    assert verdict.replace("{d}", d) in out, out  # azure-identity's verdict, kept for the oracle
    steps = out.split("Next steps:", 1)[-1]
    assert step.replace("{d}", d) in steps, out  # one next-step line says what was wrong and where
    assert any(step.replace("{d}", d) in line for line in steps.splitlines()), out


@pytest.mark.parametrize("row", NEXT_STEP_ROWS, ids=_ids(NEXT_STEP_ROWS))
def test_audit_next_step_names_the_input(row):
    _id, credential, message, env, tenant, scope, phrase, _status = row
    step = remedies.next_step(credential, message, env=env, tenant=tenant, scope=scope)
    assert phrase in step.text and "\n" not in step.text, step.text


def test_the_audit_table_has_the_issue_s_61_rows_and_says_which_failed_before():
    rows = [*CLI_ROWS, *RUN_ROWS, *NEXT_STEP_ROWS]
    assert len({row[0] for row in rows}) == len(rows)  # ids are unique
    assert len(rows) + len(CASES) >= 61
    assert sum(row[-1] == FIXED for row in rows) >= 30
