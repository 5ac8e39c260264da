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


def test_columns_share_the_width_the_variable_at_most_40_percent_headers_whole():
    from app.gui.env_editor import fitted_widths

    # long names, short values: the names are capped, the values get the rest
    widths = fitted_widths([300, 80, 60], [70, 110, 60], 500, 0.4)
    assert widths[0] == 200 and widths[1] >= 110 and sum(widths) <= 500
    # everything fits: spare room spread, nothing under its header
    widths = fitted_widths([150, 90, 60], [70, 110, 60], 600, 0.4)
    assert widths[0] == 150 and widths[1] >= 110 and widths[2] >= 60 and sum(widths) <= 600
    # tight: the variable gives way so the What-if column (the one people edit) stays in view
    assert fitted_widths([150, 300, 60], [70, 110, 60], 260, 0.4) == [90, 110, 60]
    # too narrow for the headers: they stay whole and the table scrolls
    widths = fitted_widths([300, 300, 300], [70, 110, 60], 200, 0.4)
    assert widths[0] >= 70 and widths[1] >= 110 and widths[2] >= 60


def test_every_cell_has_its_full_text_as_a_tooltip(qtbot):
    from app.gui.env_editor import EnvEditor

    editor = EnvEditor()
    qtbot.addWidget(editor)
    editor.set_base({"AZURE_CLIENT_ID": "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11", "AZURE_CLIENT_SECRET": "hunter2!!"})
    editor.resize(260, 400)
    editor.show()
    table = editor.table
    for row in range(table.rowCount()):
        for column in range(3):
            assert table.item(row, column).toolTip(), (row, column)
    tips = " ".join(table.item(r, 1).toolTip() for r in range(table.rowCount()))
    assert "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11" in tips and "hunter2" not in tips
    header = table.horizontalHeader()
    assert header.sectionSize(0) <= max(header.sectionSizeFromContents(0).width(), 0.4 * table.viewport().width() + 1)
    for column in range(3):
        assert header.sectionSize(column) >= header.sectionSizeFromContents(column).width()
