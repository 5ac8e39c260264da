"""`chainsight report` in-process: outputs and formats, usage errors, and a chain that cannot be built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.app.report import png

CLI_ONLY = """
[chain]
type = "ChainedTokenCredential"

[[chain.credentials]]
type = "AzureCliCredential"
"""


@pytest.fixture
def cli_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A chain of AzureCliCredential alone on a machine without az (nothing leaves the process)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    spec = tmp_path / "chain.toml"
    spec.write_text(CLI_ONLY)
    return spec


def test_report_writes_each_output_in_the_format_its_suffix_names_from_one_run(tmp_path, cli_only, capsys) -> None:
    outputs = [tmp_path / name for name in ("r.md", "r.html", "r.json")]
    args = ["report", "--config", str(cli_only), *(a for p in outputs for a in ("-o", str(p)))]
    assert main(args) == 0
    md, html, document = outputs[0].read_text(), outputs[1].read_text(), json.loads(outputs[2].read_text())
    assert md.startswith("# Chainsight report: ChainedTokenCredential on this machine")
    assert html.startswith("<!DOCTYPE html>")
    assert document["run"]["outcome"] == "failed" and document["run"]["attempts"][0]["outcome"] == "unavailable"
    member = document["chain"]["members"][0]
    assert (member["credential"], member["status"], member["tried"]) == ("AzureCliCredential", "unavailable", True)
    sources = [e["source"] for e in member["evidence"]]
    # the latest is the run's; before it the probe, unless the run's JSON brings the current evidence itself
    assert sources == (["run"] if "evidence" in document["run"] else ["probe", "run"])
    assert {t["name"]: t["note"] for t in document["machine"]["tools"]}["az"] == "not found on PATH"
    assert document["generated"] in md  # one document behind all three
    assert "report written to" in capsys.readouterr().err


def test_report_without_output_prints_markdown_and_format_wins_over_suffix(tmp_path, cli_only, capsys) -> None:
    assert main(["report", "--config", str(cli_only), "--no-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Chainsight report") and "The chain was not run" in out
    target = tmp_path / "report.md"
    assert main(["report", "--config", str(cli_only), "--no-run", "--format", "json", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["run"] is None
    assert main(["report", "--config", str(cli_only), "--no-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chainsight_report"] == 1


def test_an_unwritable_output_is_a_usage_error_and_the_other_outputs_are_still_written(tmp_path, cli_only, capsys):
    good = tmp_path / "ok.json"
    status = main(
        ["report", "--config", str(cli_only), "--no-run", "-o", str(tmp_path / "no/such/dir.md"), "-o", str(good)]
    )
    assert status == 2
    assert "cannot write the report to" in capsys.readouterr().err
    assert json.loads(good.read_text())["chain"]["type"] == "ChainedTokenCredential"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "/no/such/chain.toml"], "/no/such/chain.toml: cannot read it"),
        (["--tool-timeout", "0"], "--tool-timeout must be positive"),
        (["--option", "novalue"], "--option: expects KEY=VALUE"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args, message, capsys) -> None:
    assert main(["report", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_chain_that_cannot_be_built_is_reported_not_raised(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "no-such-credential")
    monkeypatch.setenv("CHAINSIGHT_SANDBOX_SCENARIO", "made-up")
    assert main(["report", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (
        document["chain"]["error"].startswith("ValueError: ")
        and "AZURE_TOKEN_CREDENTIALS" in document["chain"]["error"]
    )
    assert document["run"] is None and document["chain"]["members"] == []
    assert document["machine"]["label"] == "sandbox: made-up"
    assert {"name": "AZURE_TOKEN_CREDENTIALS", "value": "no-such-credential", "secret": False} in document["machine"][
        "variables"
    ]


def test_png_decoder_tells_a_blank_image_from_a_marked_one() -> None:
    blank = png.encode(16, 16, b"\xff\xff\xff")
    marked = png.encode(
        16, 16, b"\xff\xff\xff", {(x, y): bytes([x * 10, y * 10, 0]) for x in range(16) for y in range(8)}
    )
    assert png.ink_fraction(blank, 1) == (0.0, 1)
    ink, colours = png.ink_fraction(marked, 1)
    assert ink == 0.5 and colours > 100
    with pytest.raises(ValueError, match="not a PNG"):
        png.decode(b"GIF89a")


def test_a_report_without_a_run_carries_chainsight_scans_diagnosis(cli_only, capsys) -> None:
    assert main(["scan", "--config", str(cli_only), "--json"]) == 0
    scanned = json.loads(capsys.readouterr().out)["diagnosis"]
    assert main(["report", "--config", str(cli_only), "--no-run", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["run"] is None and scanned["verdict"] and document["diagnosis"] == scanned
    member = document["chain"]["members"][0]
    assert (member["status"], member["tried"]) == ("unavailable", False)
