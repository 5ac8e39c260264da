"""D9, D10, D13: --option goes through the spec's validation; spec files are read safely; one line, exit 2."""

from __future__ import annotations

import os

import pytest

from app.cli import main
from engine.spec import ChainSpec, SpecError

# (--option text, phrase the one-line message must contain)
BAD_OPTIONS = [
    ("exclude_cli_credential=False", "--option exclude_cli_credential: must be true or false"),
    ("exclude_cli_credential=yes", "must be true or false"),
    ("exclude_cli_credential=1", "must be true or false"),
    ("process_timeout=NaN", "--option process_timeout: must be a finite number"),
    ("process_timeout=Infinity", "must be a finite number"),
    ("process_timeout=1e999", "must be a finite number"),
    ("process_timeout=9223372036854775807", "at most 86400"),
    ("process_timeout=null", "must be a finite number"),
    ("process_timeout=-1", "greater than 0"),
    ("process_timeout=0", "greater than 0"),
    ("process_timeout=abc", "got 'abc'"),
    ("process_timeout=true", "must be a finite number"),
    ("proces_timeout=5", "unknown option; did you mean 'process_timeout'?"),
    ("exclude_cli_credentials=true", "did you mean 'exclude_cli_credential'?"),
    ("identity_config=[1,2]", "--option identity_config: wrong type: expected dict, got list"),
    ('identity_config={"a": 1}', "must be a table of strings"),
    ("additionally_allowed_tenants=[1]", "must be a list of strings"),
    ("additionally_allowed_tenants=t1", "wrong type: expected list, got str"),
    ("=3", "--option: expects KEY=VALUE"),
    ("process_timeout", "--option: expects KEY=VALUE"),
]


@pytest.mark.parametrize(("text", "phrase"), BAD_OPTIONS)
def test_bad_option_is_one_line_with_exit_2(capsys, text, phrase):
    assert main(["run", "--dry-run", "--option", text]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and phrase in err and "Traceback" not in err, err


def test_good_options_still_apply(capsys):
    argv = ["run", "--dry-run", "--json", "--option", "exclude_cli_credential=true", "--option", "process_timeout=2.5"]
    assert main(argv) == 0
    assert "AzureCliCredential" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "9223372036854775807", "0", "-1"])
def test_spec_process_timeout_must_be_finite_and_positive(value):
    with pytest.raises(SpecError, match=r"chain\.options\.process_timeout: must be a finite number"):
        ChainSpec.loads(f"[chain.options]\nprocess_timeout = {value}\n")


def test_a_bom_is_accepted(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_bytes(b"\xef\xbb\xbf[chain.options]\nexclude_cli_credential = true\n")
    assert ChainSpec.load(path).options == {"exclude_cli_credential": True}


def _fifo(tmp_path):
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


# (make the file, phrase): each refused in one line naming the file, at once
BAD_FILES = [
    (lambda p: p.joinpath("s.toml").write_bytes(b"\x00\xff\xfe binary") and p / "s.toml", "not UTF-8"),
    (
        lambda p: p.joinpath("s.toml").write_bytes("[chain]\ntype = 'Caf\u00e9'".encode("latin-1")) and p / "s.toml",
        "not UTF-8",
    ),
    (lambda p: p.joinpath("s.toml").write_text("x = " + "[" * 5000 + "]" * 5000) and p / "s.toml", "nested too deeply"),
    (_fifo, "named pipe"),
    (lambda p: "/dev/zero", "character device"),
    (lambda p: p, "folder"),
    (lambda p: p / "missing.toml", "No such file"),
]


@pytest.mark.parametrize(("make", "phrase"), BAD_FILES, ids=[str(i) for i in range(len(BAD_FILES))])
def test_bad_spec_files_are_refused_naming_the_file(capsys, tmp_path, make, phrase):
    path = str(make(tmp_path))
    with pytest.raises(SpecError) as caught:
        ChainSpec.load(path)
    assert phrase in str(caught.value) and path in str(caught.value)
    assert main(["run", "--dry-run", "--config", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and path in err and phrase in err, err


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_host_never_blocks_on_a_fifo_or_device_named_as_a_certificate_or_token_file(host, tmp_path, kind):
    from engine.credentials.certificate import CertificateCredential
    from engine.credentials.workload_identity import WorkloadIdentityCredential
    from engine.run import run_chain
    from engine.safe_files import FileRefused

    path = _fifo(tmp_path) if kind == "fifo" else "/dev/zero"
    with pytest.raises(FileRefused, match="not a regular file"):
        CertificateCredential("tenant", "client", str(path), host=host)
    credential = WorkloadIdentityCredential(
        tenant_id="tenant", client_id="client", token_file_path=str(path), host=host
    )
    run = run_chain(credential)
    assert run.outcome == "failed" and "not a regular file" in run.error


@pytest.mark.parametrize(
    "content", [b"\x00\xff binary", "type = 'Caf\u00e9'".encode("latin-1"), b"x = " + b"[" * 5000 + b"]" * 5000]
)
def test_the_window_refuses_a_bad_spec_in_one_line_instead_of_crashing(capsys, tmp_path, content):
    pytest.importorskip("PySide6")
    from app.gui import main as gui_main

    path = tmp_path / "spec.toml"
    path.write_bytes(content)
    assert gui_main([str(path), "--settings", str(tmp_path / "s.ini")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err, err


@pytest.mark.parametrize("text", ["nan", "inf", "-1", "0", "1e999", "100000"])
def test_the_window_options_editor_refuses_what_the_spec_would_refuse(text):
    pytest.importorskip("PySide6")
    from app.gui.options_editor import parse_value

    with pytest.raises(ValueError, match="finite number"):
        parse_value(text, (int, float))
    assert parse_value("2.5", (int, float)) == 2.5
