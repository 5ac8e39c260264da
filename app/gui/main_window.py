"""The main window: chain on the left, request bar, verdict and timeline in the centre, details,
environment what-if and export on the right. It wires views to the ChainState and the ChainRunner."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.gui import member_status as ms
from app.gui.about import show_about
from app.gui.app_python import AppPython
from app.gui.chain_model import ChainModel
from app.gui.chain_panel import ChainPanel
from app.gui.chain_runner import Builder, ChainRunner
from app.gui.chain_state import ChainState
from app.gui.details_pane import DetailsPane
from app.gui.env_editor import EnvEditor, describe_overlay, overlay_host
from app.gui.export_pane import ExportPane
from app.gui.request_bar import RequestBar
from app.gui.resources import app_icon, icon
from app.gui.run_record import TRY_EVERY, RunRecord
from app.gui.settings import Settings
from app.gui.timeline_view import TimelinePanel, default_lane
from app.gui.verdict_banner import VerdictBanner
from app.verdict import try_every_verdict, verdict
from engine.host import Host
from engine.spec import CHAINED_TOKEN_CREDENTIAL, ChainSpec, CredentialSpec, SpecError

APP_NAME = "Chainsight"
SPEC_FILTER = "Chain spec (*.toml);;All files (*)"
BUILD_FAILED = "The chain cannot be built here: {error}"
OPEN_FAILED = "Could not open {path}"
SAVE_FAILED = "Could not save {path}"
REPROBE_DELAY_MS = 250
REFRESH_MS = 40
BANNER_SHARE = 0.45  # at most this much of the centre for the verdict; the timeline keeps the rest
BROWSER_SIGN_IN = "InteractiveBrowserCredential (browser sign-in)"
NOT_IN_CHAIN = "not part of the chain on this host (DefaultAzureCredential did not build it)"


class MainWindow(QMainWindow):
    chain_changed = Signal(object)  # ChainSpec, after every edit (the Export pane follows it)
    run_finished = Signal(object)  # RunRecord
    probes_finished = Signal()

    def __init__(
        self,
        *,
        host: Host | None = None,
        builder: Builder | None = None,
        settings: Settings | None = None,
        spec: ChainSpec | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.base_host = host or Host.real()
        self.sandbox = None
        self.scenario = None
        self.path: Path | None = None
        self.saved_spec = ChainSpec()
        self._built_uids: list[int | None] = []
        self.ask_discard = self._ask_discard_dialog  # tests replace the modal question
        self.state = ChainState(env=self.base_host.env)
        self.model = ChainModel(self.state, self)
        self.runner = ChainRunner(builder, self)
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.setWindowIcon(app_icon())
        self.resize(1440, 900)
        self._restore_window()
        if spec is not None:
            self.state.load_spec(spec)
            self.saved_spec = spec
        self.env_editor.set_base(self.base_host.env)
        self._update_title()
        self._reprobe_timer.start(0)

    # ---- construction ------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.chain_panel = ChainPanel(self.model, self)
        self.request_bar = RequestBar(self)
        self.request_bar.restore(self.settings.value("request/scope"), self.settings.value("request/tenant"))
        self.banner = VerdictBanner(self)
        self.timeline = TimelinePanel(self)
        self.details = DetailsPane(self)
        self.env_editor = EnvEditor(self)
        self.what_if_bar = QLabel(self)
        self.what_if_bar.setObjectName("WhatIfBar")
        self.what_if_bar.setWordWrap(True)
        self.what_if_bar.setTextFormat(Qt.TextFormat.RichText)
        self.what_if_bar.setStyleSheet(
            "#WhatIfBar { background: #f6c343; color: #1d1d1d; padding: 6px 10px; border-radius: 4px; }"
        )
        self.what_if_bar.setAccessibleName("What-if active")
        self.what_if_bar.linkActivated.connect(lambda _: self.env_editor.reset())
        self.what_if_bar.setVisible(False)
        centre = QWidget(self)
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(8)
        layout.addWidget(self.what_if_bar)
        # The verdict can be long (every member passed over, several warnings): it scrolls, and the user
        # can drag the split; each new verdict gets the room it needs up to BANNER_SHARE of the height.
        self.banner_scroll = QScrollArea(self)
        self.banner_scroll.setWidget(self.banner)
        self.banner_scroll.setWidgetResizable(True)
        self.banner_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.banner_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.centre_split = QSplitter(Qt.Orientation.Vertical, self)
        self.centre_split.setObjectName("split-verdict-timeline")
        self.centre_split.setChildrenCollapsible(False)
        self.centre_split.addWidget(self.banner_scroll)
        self.centre_split.addWidget(self.timeline)
        self.centre_split.setStretchFactor(1, 1)
        layout.addWidget(self.centre_split, 1)
        self.setCentralWidget(centre)
        request_toolbar = self.addToolBar("Request")
        request_toolbar.setObjectName("toolbar-request")
        request_toolbar.setMovable(False)
        self.request_bar.setContentsMargins(6, 4, 6, 4)
        request_toolbar.addWidget(self.request_bar)
        self.chain_dock = self._dock("Chain", "chain", self.chain_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.details_dock = self._dock("Details", "details", self.details, Qt.DockWidgetArea.RightDockWidgetArea)
        self.env_dock = self._dock(
            "Environment (what-if)", "environment", self.env_editor, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.export_pane = self._export_widget()
        self.export_dock = self._dock("Export", "export", self.export_pane, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.details_dock, self.env_dock)
        self.tabifyDockWidget(self.env_dock, self.export_dock)
        self.details_dock.raise_()
        self.host_label = QLabel(self)
        self.host_label.setAccessibleName("Host")
        self.what_if_label = QLabel(self)
        self.what_if_label.setAccessibleName("What-if status")
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.setFormat("probing %v/%m")
        self.progress.setAccessibleName("Probing progress")
        self.progress.setVisible(False)
        status = self.statusBar()
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.what_if_label)
        status.addPermanentWidget(self.host_label)
        self._reprobe_timer = QTimer(self)
        self._reprobe_timer.setSingleShot(True)
        self._reprobe_timer.setInterval(REPROBE_DELAY_MS)
        self._reprobe_timer.timeout.connect(self.reprobe)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_live)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        widget.setContentsMargins(6, 4, 6, 6)
        self.addDockWidget(area, dock)
        return dock

    def _export_widget(self) -> ExportPane:
        """The Export pane: it follows every edit through ``chain_changed``."""
        pane = ExportPane(self)
        self.chain_changed.connect(pane.set_spec)
        pane.set_spec(self.chain_spec())
        return pane

    def _build_actions(self) -> None:
        def action(text: str, slot, keys=(), icon_name: str | None = None) -> QAction:
            act = QAction(text, self)
            if keys:
                act.setShortcuts([QKeySequence(k) for k in keys])
            if icon_name:
                act.setIcon(icon(icon_name))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        std = QKeySequence.StandardKey
        self.new_action = action("&New chain", self.new_chain, [std.New])
        self.open_action = action("&Open…", self.open_dialog, [std.Open])
        self.save_action = action("&Save", self.save, [std.Save])
        self.save_as_action = action("Save &as…", self.save_as, [std.SaveAs])
        self.quit_action = action("&Quit", self.close, [std.Quit])
        self.undo_action = action("&Undo", self.undo, [std.Undo], "undo")
        self.redo_action = action("&Redo", self.redo, ["Ctrl+Shift+Z", std.Redo], "redo")
        self.run_action = action("&Run", self.run_chain, ["Ctrl+R"], "run")
        self.try_action = action("&Try every credential", self.try_every, ["Ctrl+Shift+R"], "try-every")
        self.browser_action = action("Sign in with a &browser", self.sign_in_with_browser, ["Ctrl+Shift+B"])
        self.browser_action.setToolTip(
            "Run InteractiveBrowserCredential on its own with the request above: opens the system browser"
        )
        self.cancel_action = action("&Cancel", self.cancel, ["Esc", "Ctrl+."], "stop")
        self.reprobe_action = action("Check &availability again", self.reprobe, ["F5"])
        self.up_action = action("Move &up", lambda: self.chain_panel.move_selected(-1), ["Alt+Up"], "move-up")
        self.down_action = action("Move &down", lambda: self.chain_panel.move_selected(1), ["Alt+Down"], "move-down")
        self.reset_action = action("Reset to &DefaultAzureCredential", self.reset_chain)
        self.convert_action = action("Convert to &ChainedTokenCredential", self.convert_chain)
        self.about_action = action("&About Chainsight", lambda: show_about(self, self.state.profile_name))
        self.leave_sandbox_action = action("&Leave the sandbox", self.leave_sandbox)
        self.app_python = AppPython(self, lambda: self.host, self._crosscheck_case, self._use_detected)
        self.detect_action = action("Use my app's azure-identity &version…", lambda: self.app_python.use_version())
        self.crosscheck_action = action("C&heck against my app's azure-identity…", lambda: self.app_python.check())
        self.cancel_action.setEnabled(False)
        for act in (self.up_action, self.down_action):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.up_action, self.down_action, self.convert_action, self.reset_action])
        run_menu = menu.addMenu("&Run")
        run_menu.addActions([self.run_action, self.try_action, self.browser_action])
        run_menu.addSeparator()
        run_menu.addActions([self.cancel_action, self.reprobe_action])
        run_menu.addSeparator()
        run_menu.addActions([self.detect_action, self.crosscheck_action])
        self.sandbox_menu = menu.addMenu("&Sandbox")
        self.sandbox_menu.aboutToShow.connect(self._fill_sandbox_menu)
        view_menu = menu.addMenu("&View")
        for dock in (self.chain_dock, self.details_dock, self.env_dock, self.export_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)
        self._fill_recent_menu()
        self._update_undo_actions()

    def _connect(self) -> None:
        self.model.edited.connect(self._on_edited)
        self.request_bar.run_requested.connect(self.run_chain)
        self.request_bar.try_every_requested.connect(self.try_every)
        self.request_bar.cancel_requested.connect(self.cancel)
        self.chain_panel.reset_requested.connect(self.reset_chain)
        self.chain_panel.convert_requested.connect(self.convert_chain)
        self.runner.built.connect(self._on_built)
        self.runner.build_failed.connect(self._on_build_failed)
        self.runner.probed.connect(self._on_probed)
        self.runner.probes_finished.connect(self._on_probes_finished)
        self.runner.run_updated.connect(
            lambda record: self._refresh_timer.start() if not self._refresh_timer.isActive() else None
        )
        self.runner.run_finished.connect(self._on_run_finished)
        self.timeline.attempt_selected.connect(self._on_attempt_selected)
        self.banner.fix_requested.connect(self.apply_fix)
        self.env_editor.overlay_changed.connect(self._on_overlay_changed)

    # ---- public API (also used by the Export pane and tests) ---------------------------------
    def _crosscheck_case(self) -> dict:
        """The window's chain and request as a crosscheck case (the harness's input)."""
        spec, request = self.chain_spec(), self.request_bar.request()
        case: dict = {"scopes": list(request.scopes), "tenant_id": request.tenant_id, "claims": request.claims}
        if spec.is_default:
            case["kwargs"] = dict(spec.options)
        else:
            case["chain"] = [{"type": c.type, "options": dict(c.options)} for c in spec.credentials if c.enabled]
        return case

    def _use_detected(self, detection) -> None:
        reason = detection.reason + (f" ({detection.warning})" if detection.warning else "")
        self.chain_panel.use_detected(detection.profile.name, reason)

    def chain_spec(self) -> ChainSpec:
        return self.state.to_spec()

    @property
    def host(self) -> Host:
        """The host runs and probes use: the base (real or sandbox) with the what-if overlay applied."""
        return overlay_host(self.base_host, self.env_editor.overlay)

    def set_host(self, host: Host, *, sandbox=None, scenario=None) -> None:
        """Switch the machine (for example to a sandbox); the what-if overlay is dropped."""
        self.base_host = host
        self.sandbox, self.scenario = sandbox, scenario
        self.env_editor.overlay.clear()
        self.env_editor.set_base(host.env)
        self.state.set_env(self.host.env)
        self._update_what_if()
        self._update_title()
        if scenario is not None:
            expected = scenario.expected
            expect = f"{expected.credential} as {expected.account}" if expected.credential else "the chain fails"
            story = " ".join(scenario.description.split())
            self.banner.set_context(
                f"<b>Sandbox: {scenario.name}</b> (a simulated machine on 127.0.0.1) — "
                f"the scenario expects {expect}. <i>Hover for its story.</i>"
            )
            self.banner.context.setToolTip(f"<p style='white-space:normal'>{story}</p>")
        else:
            self.banner.set_context("")

    # ---- chain edits -------------------------------------------------------------------------
    def _on_edited(self) -> None:
        self._update_undo_actions()
        self._update_title()
        self._reprobe_timer.start()
        self.chain_changed.emit(self.chain_spec())

    def undo(self) -> None:
        if self.state.undo():
            self.statusBar().showMessage("Undone", 2000)

    def redo(self) -> None:
        if self.state.redo():
            self.statusBar().showMessage("Redone", 2000)

    def reset_chain(self) -> None:
        self.state.reset_to_default()

    def convert_chain(self) -> None:
        self.state.convert_to_chained()

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(self.state.can_undo)
        self.redo_action.setEnabled(self.state.can_redo)
        self.undo_action.setText(f"&Undo {self.state.undo_label}".rstrip())
        self.redo_action.setText(f"&Redo {self.state.redo_label}".rstrip())

    # ---- probing -----------------------------------------------------------------------------
    def reprobe(self) -> None:
        self._reprobe_timer.stop()
        self.model.set_all_statuses(ms.PROBING)
        self.chain_panel.set_error("")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.runner.probe(self.chain_spec(), self.host)

    def _on_built(self, generation: int, names: list, placeholders: list) -> None:
        self._built_uids = self.state.uids_for_built(names)
        self.state.placeholders = set(placeholders)
        built = {uid for uid in self._built_uids if uid is not None}
        for row, member in enumerate(self.state.members):
            if member.uid not in built and self.state.is_enabled(row):
                self.model.set_status(member.uid, ms.MemberStatus(ms.UNKNOWN, NOT_IN_CHAIN))
        self.progress.setRange(0, max(1, len(names)))
        self.progress.setValue(0)

    def _on_build_failed(self, generation: int, message: str) -> None:
        self.chain_panel.set_error(BUILD_FAILED.format(error=message))
        self.model.set_all_statuses(ms.UNKNOWN, "the chain could not be built")
        self.progress.setVisible(False)
        self.statusBar().showMessage("The chain cannot be built; see the chain panel", 5000)
        self.probes_finished.emit()

    def _on_probed(self, generation: int, index: int, status: ms.MemberStatus) -> None:
        uid = self._built_uids[index] if index < len(self._built_uids) else None
        if uid is None:
            return
        previous = self.model.statuses.get(uid)
        if status.identity is None and previous is not None and previous.identity is not None:
            status = ms.MemberStatus(status.badge, status.reason, previous.identity, previous.source)
        self.model.set_status(uid, status)
        self.progress.setValue(self.progress.value() + 1)

    def _on_probes_finished(self, generation: int) -> None:
        self.progress.setVisible(False)
        self.probes_finished.emit()

    # ---- runs --------------------------------------------------------------------------------
    def chain_label(self) -> str:
        return f"{self.state.mode} (azure-identity {self.state.profile.version})"

    def run_chain(self) -> RunRecord | None:
        return self._start(self.runner.run)

    def try_every(self) -> RunRecord | None:
        return self._start(self.runner.try_every)

    def sign_in_with_browser(self) -> RunRecord | None:
        """InteractiveBrowserCredential alone (whatever the chain says), for testing the browser sign-in."""
        spec = ChainSpec(
            type=CHAINED_TOKEN_CREDENTIAL,
            azure_identity=self.state.profile_name,
            credentials=[CredentialSpec("InteractiveBrowserCredential")],
        )
        return self._start(
            lambda _chain, host, request, _label: self.runner.run(spec, host, request, BROWSER_SIGN_IN),
            busy_text="Waiting for the browser sign-in…",
        )

    def _start(self, start, busy_text: str | None = None) -> RunRecord | None:
        if self.runner.running:
            return None
        record = start(self.chain_spec(), self.host, self.request_bar.request(), self.chain_label())
        self.timeline.add(record)
        self.details.show_attempt(record, None)
        self.banner.show_running(
            busy_text
            or (
                f"Trying each credential of {self.state.mode} on its own…"
                if record.kind == TRY_EVERY
                else f"Running {self.state.mode}…"
            )
        )
        self._set_running(True)
        self.statusBar().showMessage(f"Run #{record.number} started on {self.host.label}")
        return record

    def cancel(self) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.statusBar().showMessage("Cancelling…")

    def _set_running(self, running: bool) -> None:
        self.request_bar.set_running(running)
        self.run_action.setEnabled(not running)
        self.try_action.setEnabled(not running)
        self.browser_action.setEnabled(not running)
        self.cancel_action.setEnabled(running)

    def _refresh_live(self) -> None:
        self.timeline.update_record(self.runner.current)
        if self.details.record is self.runner.current:
            if self.details.attempt is None and self.runner.current and self.runner.current.lanes:
                self.details.show_attempt(self.runner.current, len(self.runner.current.lanes) - 1)
            else:
                self.details.refresh()

    def _on_run_finished(self, record: RunRecord) -> None:
        self._set_running(self.runner.running)
        self.timeline.finish_record(record)
        if record is self.timeline.current():
            lane = default_lane(record)
            if record.lanes:
                self.timeline.canvas.select(0, lane)
            else:
                self.details.show_attempt(record, None)
        self._learn_identities(record)
        self._show_verdict(record)
        self.run_finished.emit(record)

    def _learn_identities(self, record: RunRecord) -> None:
        """Accounts seen in a run become the rows' identities (better than a probe's guess)."""
        source = "try every" if record.kind == TRY_EVERY else "run"
        names_to_uid = {m.type: m.uid for m in self.state.members}
        for lane in record.lanes:
            attempt = lane.attempt
            uid = names_to_uid.get(attempt.credential)
            if uid is None:
                continue
            old = self.model.statuses.get(uid, ms.MemberStatus())
            if attempt.account is not None:
                self.model.set_status(
                    uid, ms.MemberStatus(ms.AVAILABLE, old.reason or "signed in", attempt.account, source)
                )
            elif attempt.outcome == "unavailable" and old.badge in (ms.UNKNOWN, ms.PROBING):
                self.model.set_status(
                    uid, ms.MemberStatus(ms.UNAVAILABLE, attempt.message or "", old.identity, old.source)
                )

    def _identities(self) -> dict:
        return {
            m.type: self.model.statuses[m.uid].identity
            for m in self.state.members
            if m.uid in self.model.statuses and self.model.statuses[m.uid].identity is not None
        }

    def _show_verdict(self, record: RunRecord) -> None:
        env = self.host.env
        if record.error and not record.runs:
            self.banner.show_error("The chain could not run.", record.error)
            self.statusBar().showMessage(f"Run #{record.number}: {record.error}", 8000)
            return
        if record.kind == TRY_EVERY:
            result = try_every_verdict(record.runs, env=env)
        else:
            result = verdict(record.runs[0], env=env, identities=self._identities(), profile=self.state.profile)
        note = ""
        if self.env_editor.active:
            note = f"<i>With the what-if overlay: {describe_overlay(self.env_editor.overlay)}.</i>"
        self.banner.show_verdict(result, note)
        QTimer.singleShot(0, self._fit_banner)
        self.statusBar().showMessage(f"Run #{record.number} finished: {result.headline}", 10000)

    def _fit_banner(self) -> None:
        """Give the verdict the height it needs (up to BANNER_SHARE of the centre), the rest to the timeline."""
        total = sum(self.centre_split.sizes())
        if total <= 0:
            return
        wanted = self.banner.heightForWidth(self.banner_scroll.viewport().width())
        wanted = max(wanted, self.banner.minimumSizeHint().height()) + 4
        banner = min(wanted, int(total * BANNER_SHARE))
        self.centre_split.setSizes([banner, total - banner])

    def apply_fix(self, action: tuple) -> None:
        """A fix offered by the verdict banner, applied as an (undoable or resettable) edit, then re-run."""
        kind = action[0]
        if kind == "exclude":
            row = next((i for i, m in enumerate(self.state.members) if m.type == action[1]), None)
            if row is None:
                return
            self.state.set_enabled(row, False)
        elif kind == "unset":
            self.env_editor.set_variable(action[1], None)
        elif kind == "set":
            self.env_editor.set_variable(action[1], action[2])
        self.run_chain()

    def _on_attempt_selected(self, record: RunRecord, lane: int) -> None:
        self.details.show_attempt(record, lane)
        self.details_dock.raise_()

    # ---- what-if -----------------------------------------------------------------------------
    def _on_overlay_changed(self, overlay: dict) -> None:
        self.state.set_env(self.host.env)  # AZURE_TOKEN_CREDENTIALS changes DAC's checkboxes
        self._update_what_if()
        self._update_title()
        self._reprobe_timer.start()

    def _update_what_if(self) -> None:
        overlay = self.env_editor.overlay
        active = bool(overlay)
        self.what_if_bar.setVisible(active)
        self.what_if_label.setText("<b>WHAT-IF</b>" if active else "")
        if active:
            self.what_if_bar.setText(
                f"<b>What-if active:</b> runs and probes use {describe_overlay(overlay)} — your real "
                "environment is unchanged. <a href='reset'>Reset</a>"
            )

    # ---- files -------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.chain_spec() != self.saved_spec

    def new_chain(self) -> None:
        if not self._confirm_discard():
            return
        self.state.load_spec(ChainSpec(azure_identity=self.state.profile_name))
        self.path, self.saved_spec = None, self.chain_spec()
        self._update_title()

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open chain spec", str(self._start_dir()), SPEC_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Load a spec; on error the current chain (and its undo history) stays as it was."""
        path = Path(path)
        if not self._confirm_discard():
            return False
        try:
            spec = ChainSpec.load(path)
        except (OSError, SpecError, UnicodeDecodeError) as ex:
            self._error(OPEN_FAILED.format(path=path), str(ex))
            if isinstance(ex, FileNotFoundError):
                self.settings.remove_recent(str(path.resolve()))
                self._fill_recent_menu()
            return False
        self.state.load_spec(spec)
        self.path, self.saved_spec = path, spec
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self._update_title()
        self.statusBar().showMessage(f"Opened {path}", 4000)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        default = str(self.path or self._start_dir() / "chain.toml")
        path, _ = QFileDialog.getSaveFileName(self, "Save chain spec", default, SPEC_FILTER)
        return self.save_to(path) if path else False

    def save_to(self, path: str | Path) -> bool:
        path = Path(path)
        spec = self.chain_spec()
        try:
            spec.save(path)
        except OSError as ex:
            self._error(SAVE_FAILED.format(path=path), str(ex))
            return False
        self.path, self.saved_spec = path, spec
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def _start_dir(self) -> Path:
        recent = self.settings.recent_files()
        return Path(recent[0]).parent if recent else Path.home()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def _confirm_discard(self) -> bool:
        if not self.dirty or not self.isVisible():
            return True
        return self.ask_discard()

    def _ask_discard_dialog(self) -> bool:
        answer = QMessageBox.question(
            self,
            APP_NAME,
            "The chain has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def _error(self, title: str, detail: str) -> None:
        self.statusBar().showMessage(title, 8000)
        if self.isVisible():
            box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, title, QMessageBox.StandardButton.Ok, self)
            box.setInformativeText(detail)
            box.open()  # not exec(): never block the event loop (or a test) on a dialog

    # ---- sandbox -----------------------------------------------------------------------------
    def _fill_sandbox_menu(self) -> None:
        self.sandbox_menu.clear()
        try:
            from engine import sandbox

            names = sandbox.list_scenarios()
        except Exception as ex:
            disabled = self.sandbox_menu.addAction(f"Sandbox unavailable: {ex}")
            disabled.setEnabled(False)
            return
        for name in names:
            act = self.sandbox_menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(self.scenario is not None and self.scenario.name == name)
            act.triggered.connect(lambda _=False, n=name: self.open_sandbox(n))
        self.sandbox_menu.addSeparator()
        self.sandbox_menu.addAction(self.leave_sandbox_action)
        self.leave_sandbox_action.setEnabled(self.sandbox is not None)

    def open_sandbox(self, name: str, *, then_run: bool = False) -> None:
        """Start a sandbox scenario off the GUI thread and switch to it when it is up."""
        from app.gui.sandbox_host import start_sandbox

        self.statusBar().showMessage(f"Starting sandbox {name}…")
        self.banner.show_running(f"Starting the sandbox scenario {name}…")
        self.runner.workers.start(
            start_sandbox,
            name,
            on_result=lambda started: self._sandbox_ready(started, then_run),
            on_error=lambda ex: self._sandbox_failed(name, ex),
        )

    def _sandbox_ready(self, started, then_run: bool) -> None:
        sandbox, host = started
        self._stop_sandbox()
        self.set_host(host, sandbox=sandbox, scenario=sandbox.scenario)
        self.banner.show_welcome()
        self.statusBar().showMessage(f"Sandbox {sandbox.scenario.name} is running on 127.0.0.1", 5000)
        self.reprobe()
        if then_run:
            self.run_chain()

    def _sandbox_failed(self, name: str, ex: BaseException) -> None:
        self.banner.show_error(f"The sandbox {name} could not start.", f"{type(ex).__name__}: {ex}")
        self.statusBar().showMessage(f"Sandbox {name} failed to start", 8000)
        self.sandbox_failed = f"{type(ex).__name__}: {ex}"

    def leave_sandbox(self) -> None:
        self._stop_sandbox()
        self.set_host(Host.real())
        self.banner.show_welcome()
        self.reprobe()

    def _stop_sandbox(self) -> None:
        if self.sandbox is not None:
            self.runner.cancel()
            self.sandbox.stop()
            self.sandbox = None

    # ---- window ------------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled chain"
        star = "*" if self.dirty else ""
        where = f" — sandbox: {self.scenario.name}" if self.scenario is not None else ""
        what_if = " — what-if" if self.env_editor.active else ""
        self.setWindowTitle(f"{name}{star} — {APP_NAME}{where}{what_if}")
        self.host_label.setText(self.base_host.label)

    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        self._docks_restored = state is not None and self.restoreState(state)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_docks_sized", False) and not self._docks_restored:
            self._docks_sized = True
            # first start: room for the members' full names and for the details' URLs (after the first
            # layout pass: sizes given while the window is still being shown are overridden)
            QTimer.singleShot(
                0,
                lambda: self.resizeDocks([self.chain_dock, self.details_dock], [390, 460], Qt.Orientation.Horizontal),
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self.settings.save_window(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))
        for key, value in self.request_bar.remembered().items():
            self.settings.set_value(f"request/{key}", value)
        self.runner.shutdown(2000)
        self._stop_sandbox()
        super().closeEvent(event)
