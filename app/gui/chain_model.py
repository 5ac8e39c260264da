"""The Qt list model over ChainState: rows are members, the check box excludes, drag and drop only moves.

ChainState stays the source of truth: edits made through the model call its methods, and its
announcements drive beginMoveRows/endMoveRows and friends (napari's ``_BaseEventedItemModel`` shape).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.gui.chain_state import EDITED, ChainState, StateEvent
from app.gui.member_status import EXCLUDED, UNKNOWN, MemberStatus

MIME_TYPE = "application/x-chainsight-member-rows"

BadgeRole = Qt.ItemDataRole.UserRole + 1
ReasonRole = Qt.ItemDataRole.UserRole + 2
IdentityRole = Qt.ItemDataRole.UserRole + 3
UidRole = Qt.ItemDataRole.UserRole + 4
OptionsRole = Qt.ItemDataRole.UserRole + 5

Index = QModelIndex | QPersistentModelIndex


class ChainModel(QAbstractListModel):
    """Adapts a ChainState; ``statuses`` (by member uid) carries probe and run results for display."""

    edited = Signal()  # after any change of the chain itself (not of statuses)

    def __init__(self, state: ChainState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.statuses: dict[int, MemberStatus] = {}
        state.connect(self._on_state)

    # ---- reading -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.state)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.state)):
            return None
        row = index.row()
        member = self.state.members[row]
        enabled = self.state.is_enabled(row)
        status = self.status(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return member.type
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked
        if role == BadgeRole:
            return status.badge if enabled else EXCLUDED
        if role == ReasonRole:
            return status.reason
        if role == IdentityRole:
            return status.identity_text
        if role == UidRole:
            return member.uid
        if role == OptionsRole:
            return dict(member.options)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, status, enabled)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            badge = status.badge if enabled else EXCLUDED
            who = f", {status.identity_text}" if status.identity_text else ""
            return f"{row + 1}. {member.type}, {badge}{who}"
        return None

    def status(self, row: int) -> MemberStatus:
        return self.statuses.get(self.state.members[row].uid, MemberStatus())

    def _tooltip(self, row: int, status: MemberStatus, enabled: bool) -> str:
        member = self.state.members[row]
        lines = [f"<b>{member.type}</b>"]
        if not enabled:
            lines.append("Excluded from the chain (checkbox).")
        lines.append(f"Status: {status.badge}" + (f" — {_escape(status.reason)}" if status.reason else ""))
        if status.identity_text:
            lines.append(
                f"Identity: {_escape(status.identity_text)}" + (f" (from {status.source})" if status.source else "")
            )
        if member.options:
            lines.append("Options: " + _escape(", ".join(f"{k}={v!r}" for k, v in member.options.items())))
        return "<br>".join(lines)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops land between rows, never onto one
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # ---- editing -----------------------------------------------------------------------------
    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        self.state.set_enabled(index.row(), checked)
        return True

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(MIME_TYPE, QByteArray(json.dumps(rows).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME_TYPE) and not parent.isValid()

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        rows = json.loads(bytes(data.data(MIME_TYPE).data()).decode() or "[]")
        if len(rows) != 1:
            return False
        dst = len(self.state) if row < 0 else row
        return self.state.move(rows[0], dst)

    def moveRows(self, src_parent: Index, src: int, count: int, dst_parent: Index, dst: int) -> bool:
        if count != 1 or src_parent.isValid() or dst_parent.isValid():
            return False
        return self.state.move(src, dst)

    # ---- ChainState announcements -> Qt notifications ------------------------------------------
    def _on_state(self, event: StateEvent, **payload: Any) -> None:
        if event == StateEvent.ABOUT_TO_MOVE:
            self.beginMoveRows(QModelIndex(), payload["src"], payload["src"], QModelIndex(), payload["dst"])
        elif event == StateEvent.MOVED:
            self.endMoveRows()
        elif event == StateEvent.ABOUT_TO_INSERT:
            self.beginInsertRows(QModelIndex(), payload["row"], payload["row"])
        elif event == StateEvent.INSERTED:
            self.endInsertRows()
        elif event == StateEvent.ABOUT_TO_REMOVE:
            self.beginRemoveRows(QModelIndex(), payload["row"], payload["row"])
        elif event == StateEvent.REMOVED:
            self.endRemoveRows()
        elif event == StateEvent.ABOUT_TO_RESET:
            self.beginResetModel()
        elif event == StateEvent.RESET:
            self.endResetModel()
        elif event == StateEvent.CHANGED:
            rows = payload.get("rows") or []
            if rows:
                self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))
        if event in EDITED:
            self.edited.emit()

    # ---- statuses ----------------------------------------------------------------------------
    def set_status(self, uid: int, status: MemberStatus) -> None:
        self.statuses[uid] = status
        row = self.state.row_of(uid)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [BadgeRole, ReasonRole, IdentityRole, Qt.ItemDataRole.ToolTipRole])

    def set_all_statuses(self, badge: str = UNKNOWN, reason: str = "") -> None:
        """Reset every row (for example to "probing"), keeping identities learnt from runs."""
        for member in self.state.members:
            old = self.statuses.get(member.uid, MemberStatus())
            keep = old.identity if old.source != "probe" else None
            self.statuses[member.uid] = MemberStatus(badge, reason, keep, old.source if keep else "")
        if len(self.state):
            self.dataChanged.emit(self.index(0), self.index(len(self.state) - 1))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
