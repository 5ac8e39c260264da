"""D5: a scenario that cannot be loaded is one line naming the file and the problem, exit 2, no traceback."""

from __future__ import annotations

import os

import pytest

from app.cli import main
from engine.sandbox import scenario as scenarios
from engine.sandbox.scenario import ScenarioError, shipped_scenarios

GOOD = (shipped_scenarios() / "laptop-az.toml").read_text()
TENANT = '[[tenants]]\nid = "t1"\ndomain = "contoso.com"\n'

# (file content, a phrase the message must contain): the corrupt shapes of the audit and relatives.
BROKEN = [
    (b"\xff\xfe garbage", "not UTF-8"),
    ("caf\u00e9 = 1".encode("latin-1"), "not UTF-8"),
    (b"[tenants\n", "not valid TOML"),
    (b"", "declares no tenant"),
    (b"description = 3\n" + TENANT.encode(), "wrong type"),
    (b"[[tenants]]\nid = 't1'\n", "domain"),
    (b"[[tenants]]\ndomain = 'x'\n", "'id'"),
    (b"tenants = 5\n", "wrong type"),
    (b"tenants = [5]\n", "wrong type"),
    (TENANT.encode() + b"[[users]]\nupn = 'a@b'\n", "'oid'"),
    (TENANT.encode() + b"[[users]]\nupn = 'a@b'\noid = 'o'\ntenant = 7\n", "wrong type"),
    (TENANT.encode() + b"[tools.az]\nmode = 'sleepy'\n", "tools.az mode 'sleepy'"),
    (b"tools = [1]\n" + TENANT.encode(), "wrong type"),
    (TENANT.encode() + b"[tools]\naz = 3\n", "wrong type"),
    (TENANT.encode() + b"[managed_identity]\nkind = 'moon'\n", "managed_identity.kind"),
    (TENANT.encode() + b"[managed_identity]\ndelay = 'soon'\n", "soon"),
    (TENANT.encode() + b"[managed_identity]\ndelay = [1]\n", "wrong type"),
    (TENANT.encode() + b"[workload_identity]\napp = 'x'\n", "wrong type"),
    (TENANT.encode() + b"[shared_cache]\naccounts = 3\n", "wrong type"),
    (TENANT.encode() + b"[browser]\nfavourite = 'x'\n", "wrong type"),
    (TENANT.encode() + b"[tools.az]\nmode = 'signed_in'\naccount = 'nobody@x'\n", "user 'nobody@x' is not declared"),
    (TENANT.encode() + b"[[apps]]\nname = 'a'\n", "'client_id'"),
    (b"x = " + b"[" * 2000 + b"]" * 2000 + b"\n" + TENANT.encode(), "nested too deeply"),
]


@pytest.mark.parametrize(("content", "phrase"), BROKEN, ids=[str(i) for i in range(len(BROKEN))])
def test_a_broken_scenario_file_is_one_line_naming_the_file(tmp_path, content, phrase):
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as caught:
        scenarios.load(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and phrase in message, message


def test_a_fifo_as_scenario_is_refused_at_once(tmp_path):
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    with pytest.raises(ScenarioError, match="named pipe"):
        scenarios.load(path)


def test_a_typo_in_the_scenario_name_suggests_the_right_one():
    with pytest.raises(ScenarioError, match="did you mean 'laptop-az'"):
        scenarios.load("laptop-ax")


@pytest.mark.parametrize("action", ["exec", "serve"])
def test_sandbox_commands_report_a_scenario_error_in_one_line_with_exit_2(capsys, tmp_path, action):
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b"[tenants\n")
    for target, phrase in (("laptop-ax", "did you mean 'laptop-az'"), (str(broken), str(broken))):
        argv = ["sandbox", action, "--scenario", target] + (["--", "true"] if action == "exec" else [])
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and phrase in err and "Traceback" not in err, err


def test_one_broken_file_does_not_break_sandbox_list(capsys, tmp_path, monkeypatch):
    (tmp_path / "laptop-az.toml").write_text(GOOD)
    (tmp_path / "aaa-broken.toml").write_bytes(b"\xff")
    monkeypatch.setattr(scenarios, "shipped_scenarios", lambda: tmp_path)
    assert main(["sandbox", "list"]) == 2
    out, err = capsys.readouterr()
    assert "laptop-az" in out and "AzureCliCredential" in out
    assert err.count("\n") == 1 and "aaa-broken" in err and "not UTF-8" in err
