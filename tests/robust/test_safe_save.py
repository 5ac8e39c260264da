"""D8 and point 6: saving writes a unique temporary file beside the target, fsyncs, renames, keeps the mode;
on failure the old file is untouched, nothing is left behind, and the CLI and the window say why."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from app.cli import main
from engine import safe_save
from engine.safe_save import SaveError, save_text
from engine.spec import ChainSpec


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_save_replaces_the_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "chain.py"
    target.write_text("old")
    target.chmod(0o600)
    save_text(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


def test_a_planted_symlink_at_the_old_fixed_temporary_name_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "chain.py.tmp").symlink_to(victim)
    save_text(tmp_path / "chain.py", "code")
    assert victim.read_text() == "precious" and (tmp_path / "chain.py").read_text() == "code"


def test_saving_through_a_symlink_updates_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("old")
    (tmp_path / "link.py").symlink_to(real)
    save_text(tmp_path / "link.py", "new")
    assert (tmp_path / "link.py").is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize(
    ("failing", "error", "reason"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("replace", errno.EROFS, "the folder is read-only"),
        ("mkstemp", errno.EACCES, "permission denied"),
    ],
)
def test_on_failure_the_old_file_stays_and_nothing_is_left(tmp_path, monkeypatch, failing, error, reason):
    target = tmp_path / "chain.py"
    target.write_text("old")

    def fail(*args, **kwargs):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(safe_save.tempfile if failing == "mkstemp" else safe_save.os, failing, fail)
    with pytest.raises(SaveError, match=reason):
        save_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "phrase"),
    [(lambda p: p / "missing" / "x.py", "does not exist"), (lambda p: p, "it is a folder")],
)
def test_cli_export_output_to_a_bad_target_is_one_line_exit_2(capsys, tmp_path, make, phrase):
    assert main(["export", "--output", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err and "Traceback" not in err, err


def test_cli_export_output_on_a_full_disk_is_one_line_exit_1(capsys, tmp_path, monkeypatch):
    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_save.os, "fsync", full)
    target = tmp_path / "app.py"
    target.write_text("old")
    assert main(["export", "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the disk is full" in err and str(target) in err
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


def test_spec_save_is_safe_too(tmp_path):
    target = tmp_path / "chain.toml"
    target.write_text("old")
    target.chmod(0o640)
    ChainSpec(options={"exclude_cli_credential": True}).save(target)
    assert ChainSpec.load(target).options == {"exclude_cli_credential": True}
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and _leftovers(tmp_path) == []


def test_window_export_save_failure_is_shown_in_the_pane(qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from app.gui.export_pane import ExportPane

    pane = ExportPane()
    qtbot.addWidget(pane)
    pane.set_spec(ChainSpec())
    assert pane.save_to(tmp_path / "missing" / "app.py") is None
    assert "does not exist" in pane.status.text()
    assert pane.save_to(tmp_path / "app.py") == tmp_path / "app.py"
    assert "Saved" in pane.status.text()
