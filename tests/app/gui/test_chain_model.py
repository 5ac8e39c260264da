"""ChainModel: drag-and-drop moves, checkbox exclusion and undo, driven through the Qt model API."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from app.gui.chain_model import BadgeRole, ChainModel, IdentityRole
from app.gui.chain_state import ChainState
from app.gui.member_status import AVAILABLE, EXCLUDED, MemberStatus
from engine.account import Account
from engine.spec import CHAINED_TOKEN_CREDENTIAL


def _model(qtmodeltester=None) -> ChainModel:
    model = ChainModel(ChainState())
    if qtmodeltester is not None:
        qtmodeltester.check(model)
    return model


def test_model_passes_qt_model_tester(qtmodeltester):
    _model(qtmodeltester)


def test_drop_mime_data_moves_a_row_in_the_engine_list_and_records_undo(qtbot):
    model = _model()
    state = model.state
    cli = state.names().index("AzureCliCredential")
    with qtbot.waitSignal(model.modelReset):  # DefaultAzureCredential becomes a ChainedTokenCredential
        ok = model.dropMimeData(model.mimeData([model.index(cli)]), Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert ok
    assert state.names()[0] == "AzureCliCredential"
    assert model.index(0).data() == "AzureCliCredential"
    assert state.to_spec().type == CHAINED_TOKEN_CREDENTIAL
    assert state.undo_labels == ["Move AzureCliCredential"]
    # a second move in ChainedTokenCredential mode is a real row move
    with qtbot.waitSignal(model.rowsMoved):
        model.dropMimeData(model.mimeData([model.index(0)]), Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert state.names()[-1] == "AzureCliCredential"
    state.undo()
    state.undo()
    assert state.names()[cli] == "AzureCliCredential" and state.is_default


def test_move_rows_moves_and_a_copy_drop_is_refused():
    model = _model()
    model.state.convert_to_chained()
    names = model.state.names()
    assert model.moveRows(QModelIndex(), 4, 1, QModelIndex(), 1)
    assert model.state.names()[1] == names[4]
    data = model.mimeData([model.index(0)])
    assert not model.dropMimeData(data, Qt.DropAction.CopyAction, 2, 0, QModelIndex())
    assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 2, 0, model.index(1))  # never onto a row


def test_unchecking_a_row_excludes_it(qtbot):
    model = _model()
    index = model.index(0)
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.state.to_spec().options == {"exclude_environment_credential": True}
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert index.data(BadgeRole) == EXCLUDED
    assert model.state.undo_label == "Exclude EnvironmentCredential"


def test_status_shows_badge_and_identity():
    model = _model()
    uid = model.state.members[5].uid
    model.set_status(uid, MemberStatus(AVAILABLE, "az is signed in", Account(tenant_id="t1", upn="dev@contoso.com")))
    index = model.index(5)
    assert index.data(BadgeRole) == AVAILABLE
    assert index.data(IdentityRole) == "dev@contoso.com · tenant t1"
    assert "az is signed in" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "dev@contoso.com" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    # the status follows the member when it moves
    model.moveRows(QModelIndex(), 5, 1, QModelIndex(), 0)
    assert model.index(0).data(IdentityRole).startswith("dev@contoso.com")
