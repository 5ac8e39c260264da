"""The what-if editor: real values with secrets masked, an overlay that becomes a what-if Host."""

from __future__ import annotations

from app.gui.env_editor import MASK, UNSET_TEXT, EnvEditor, describe_overlay, masked, overlay_host
from engine.env_vars import CHAIN_VARIABLES
from engine.host import Host

SECRET = "CANARY-CLIENT-SECRET-never-shown"


def test_secret_values_are_masked_and_others_shown():
    assert masked("AZURE_CLIENT_SECRET", SECRET) == f"{MASK} (set)"  # no length either
    assert masked("AZURE_CLIENT_ID", "abc") == "abc"
    assert masked("AZURE_TENANT_ID", None) == "—"
    assert describe_overlay({"AZURE_CLIENT_SECRET": "x", "AZURE_TENANT_ID": None}) == (
        f"AZURE_CLIENT_SECRET={MASK}, AZURE_TENANT_ID unset"
    )


def test_overlay_host_sets_and_unsets_without_touching_the_base():
    base = Host(env={"AZURE_CLIENT_SECRET": SECRET, "PATH": "/bin"})
    what_if = overlay_host(base, {"AZURE_CLIENT_SECRET": None, "AZURE_TENANT_ID": "t"})
    assert "AZURE_CLIENT_SECRET" not in what_if.env and what_if.env["AZURE_TENANT_ID"] == "t"
    assert base.env["AZURE_CLIENT_SECRET"] == SECRET
    assert dict(what_if.overlay) == {"AZURE_CLIENT_SECRET": None, "AZURE_TENANT_ID": "t"}


def test_editor_shows_real_values_masked_and_edits_emit_the_overlay(qtbot):
    editor = EnvEditor()
    qtbot.addWidget(editor)
    editor.set_base({"AZURE_CLIENT_SECRET": SECRET, "AZURE_CLIENT_ID": "app-id"})
    row = CHAIN_VARIABLES.index("AZURE_CLIENT_SECRET")
    shown = [editor.table.item(r, c).text() for r in range(editor.table.rowCount()) for c in range(3)]
    assert SECRET not in "\n".join(shown)
    assert editor.table.item(CHAIN_VARIABLES.index("AZURE_CLIENT_ID"), 1).text() == "app-id"
    with qtbot.waitSignal(editor.overlay_changed) as blocker:
        editor.table.selectRow(row)
        editor.unset_button.click()
    assert blocker.args[0] == {"AZURE_CLIENT_SECRET": None}
    assert editor.table.item(row, 2).text() == UNSET_TEXT
    assert "What-if active" in editor.status.text()
    with qtbot.waitSignal(editor.overlay_changed) as blocker:
        editor.table.item(CHAIN_VARIABLES.index("AZURE_TENANT_ID"), 2).setText("other-tenant")
    assert blocker.args[0] == {"AZURE_CLIENT_SECRET": None, "AZURE_TENANT_ID": "other-tenant"}
    editor.reset()
    assert editor.overlay == {} and not editor.active
