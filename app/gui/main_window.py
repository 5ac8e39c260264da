"""The main window: chain on the left, request bar, verdict and timeline in the centre, details,
environment what-if and export on the right. It wires views to the ChainState and the ChainRunner."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

# Only the classes the frame needs: PySide6 builds each class (and its enums) on first use, and every one
# of them delays the first paint. The panes, dialogs and splitters import theirs where they are used, and so
# does every method that needs the ``Qt`` namespace: its first use builds all of its ~90 enums (~16 ms), so
# nothing before the first paint touches it (the docks, which need Qt.DockWidgetArea, come after it).
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QProgressBar, QVBoxLayout, QWidget

from app.gui import staging
from app.gui.settings import Settings
from app.gui.status_bar import StatusBar
from app.gui.window_geometry import centred, clamp_to, first_start_size

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QDockWidget

    from app.diagnosis import Context, Diagnosis, Fix
    from app.gui.chain_runner import Builder
    from app.gui.export_pane import ExportPane
    from app.gui.run_record import RunRecord
    from engine.host import Host
    from engine.spec import ChainSpec

APP_NAME = "Chainsight"
SPEC_FILTER = "Chain spec (*.toml);;All files (*)"
BUILD_FAILED = "The chain cannot be built here: {error}"
OPEN_FAILED = "Could not open {path}"
SAVE_FAILED = "Could not save {path}"
REPROBE_DELAY_MS = 250
REFRESH_MS = 40
BANNER_SHARE = 0.45  # at most this much of the centre for the verdict; the timeline keeps the rest
DETAILS_WIDTH = 440  # room for a token endpoint's URL in the Steps table
DOCK_MIN_WIDTH = 220
DOCK_SHARE = 0.3  # at most this much of the window's width for each side's docks on a first start
LONGEST_NAME = "10. AzureDeveloperCliCredential"  # the chain panel's widest default row, before it exists
BOLD_WIDTH = 1.13  # bold text is about this much wider (the chain panel's names are bold)
BROWSER_SIGN_IN = "InteractiveBrowserCredential (browser sign-in)"
BROWSER_GAVE_UP = "The browser sign-in stopped: the browser gave up before signing in."
NOT_IN_CHAIN = "not part of the chain on this host (DefaultAzureCredential did not build it)"
STILL_STARTING = "The window is still starting…"
OTHER_MACHINE = "Run #{number} ran on {machine}, not on the machine shown now: its verdict is in the history only."
DIAGNOSIS_FAILED = "The diagnosis could not be completed: {error}"
EARLIER = "<b>Earlier what-if:</b> this verdict was for {context}; run again (Ctrl+R) for the one shown now."
ARC_HERE = (
    "<b>Azure Arc cannot run in this window:</b> its token is handed only to a process that can read the key "
    "file in {path}, which this machine does not give the app. Run it in a private copy of that folder: "
    "<code>chainsight sandbox exec --isolate-network --scenario {name} -- chainsight run</code>."
)


def keep_size(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


def plain_error(text: str) -> str:
    """ "ValueError: 'http://bad' is an invalid authority" -> "'http://bad' is an invalid authority": the
    words are for people; a Python class name in front of them is noise."""
    head, sep, rest = text.partition(": ")
    if sep and head.isidentifier() and head[:1].isupper() and head.endswith(("Error", "Exception")) and rest:
        return rest
    return text


def scenario_story(name: str) -> str:
    """A scenario's description on one line ("" if it cannot be read: the menu still lists it)."""
    try:
        from engine.sandbox import load_scenario

        return " ".join(load_scenario(name).description.split())
    except Exception:
        return ""


def first_sentence(text: str, limit: int = 60) -> str:
    """ "The classic wrong account." from a scenario's story, cut at ``limit`` characters."""
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


SHORTCUTS = (
    ("Ctrl+R", "Run the chain"),
    ("Ctrl+Shift+R", "Try every credential on its own"),
    ("Ctrl+Shift+B", "Sign in with a browser (InteractiveBrowserCredential alone)"),
    ("Esc, Ctrl+.", "Cancel the run"),
    ("F5", "Check availability again"),
    ("Alt+Up, Alt+Down", "Move the selected credential"),
    ("Space", "Include or exclude the selected credential"),
    ("Ctrl+Z, Ctrl+Shift+Z", "Undo, redo"),
    ("Tab, Shift+Tab", "Next, previous control (arrow keys move inside lists and tables)"),
    ("Up, Down in the timeline", "Select the previous, next attempt"),
    ("+, −, 0 in the timeline", "Zoom in, out, fit"),
)


class MainWindow(QMainWindow):
    chain_changed = Signal(object)  # ChainSpec, after every edit (the Export pane follows it)
    run_finished = Signal(object)  # RunRecord, once its verdict is shown
    probes_finished = Signal()
    diagnosed = Signal(object)  # Diagnosis, once the banner shows it
    sandbox_start_failed = Signal(str)  # why the chosen sandbox scenario could not start
    ready = Signal()  # every pane built and wired: the window is whole (``ready_now`` says it has been)

    def __init__(
        self,
        *,
        host: Host | None = None,
        builder: Builder | None = None,
        settings: Settings | None = None,
        spec: ChainSpec | None = None,
        path: Path | None = None,
        probe_now: bool = True,
        staged: bool = False,
    ) -> None:
        """``path``: the file ``spec`` was read from. ``probe_now=False``: the caller is about to switch to a sandbox, so this machine's credentials
        (its managed-identity endpoint among them) are not probed first; the sandbox's are, once it is up.

        ``staged=True`` (the app's start): only the frame (menus, title, status bar) is built here; the panes'
        places (centre, request bar, docks) and the panes follow once it has painted, one short step per
        event-loop turn, and ``ready`` says when the window is whole. Otherwise everything is built before this
        returns."""
        super().__init__()
        self.settings = settings or Settings()
        self.ready_now = False  # True once every pane is built and wired (``ready`` has been emitted)
        self._closed = False
        self._docks_restored = False  # the docks' places came from the last session's saved state
        self._docks_sized = False  # a first start's dock widths have been given
        self.path: Path | None = Path(path) if path is not None else None
        self.sandbox = None
        self.scenario = None
        self._options = {"host": host, "builder": builder, "spec": spec, "probe_now": probe_now}
        self.ask_discard = self._ask_discard_dialog  # tests replace the modal question
        self._build_frame()
        self._build_actions()
        self._place_first_start()
        self._restore_geometry()
        self.setWindowTitle(f"{self.path.name if self.path else 'Untitled chain'} — {APP_NAME}")  # as it will stay
        steps = [
            self._build_places,
            self._restore_docks,
            staging.importing("engine.spec", "engine.profiles"),
            staging.importing("engine.host", "engine.events"),
            staging.importing("engine.run", "engine.chain"),
            staging.importing("app.diagnosis"),
            staging.importing("engine.scan", "app.gui.chain_state", "app.gui.chain_runner", "app.gui.sandbox_host"),
            self._build_state,
            self._build_request_bar,
            self._build_chain_panel,
            self._build_centre,
            self._build_details,
            self._build_env_editor,
            staging.importing("engine.export.signin_snippet", "engine.signin.options"),
            self._build_signin,
            self._finish_build,
        ]
        if staged:
            staging.run_after_first_paint(self, steps, stop=lambda: self._closed, done=self._ready)
        else:
            for step in steps:
                step()
            self._ready()

    # ---- construction ------------------------------------------------------------------------
    # The frame comes first: menus, title and status bar over an empty window, which needs only a few Qt classes.
    # What the frame leaves out is what it would not show but would pay for before its paint: the Qt namespace's
    # enums (the docks need them), the centre and the toolbar (a main window lays those out through duration-0
    # geometry animations), the engine, msal and the diagnosis. The steps after the paint build them.
    def _build_frame(self) -> None:
        self._export_pane: ExportPane | None = None  # built when first shown: the start does not need it
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
        status = StatusBar(self)
        self.setStatusBar(status)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.what_if_label)
        status.addPermanentWidget(self.host_label)
        self._reprobe_timer = QTimer(self)
        self._reprobe_timer.setSingleShot(True)
        self._reprobe_timer.setInterval(REPROBE_DELAY_MS)
        self._reprobe_timer.timeout.connect(self.reprobe)
        self._browser_failure: str | None = None
        self._browser_watch = QTimer(self)
        self._browser_watch.setInterval(100)
        self._browser_watch.timeout.connect(self._check_browser)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_live)

    def _build_places(self) -> None:
        """The panes' places: the centre, the request bar's toolbar, the docks (each with an empty pane as wide as
        its pane will be) and their View menu toggles."""
        from PySide6.QtCore import Qt

        centre = QWidget(self)
        self.centre_layout = QVBoxLayout(centre)
        self.centre_layout.setContentsMargins(8, 8, 8, 4)
        self.centre_layout.setSpacing(8)
        self.setCentralWidget(centre)
        self.request_toolbar = request_toolbar = self.addToolBar("Request")
        request_toolbar.setObjectName("toolbar-request")
        request_toolbar.setMovable(False)
        request_toolbar.toggleViewAction().setVisible(False)  # the Run buttons live there: never hide it
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.chain_dock = self._dock("Chain", "chain", left, self._chain_width)
        self.details_dock = self._dock("Details", "details", right, self._details_width)
        self.env_dock = self._dock("Environment (what-if)", "environment", right, self._details_width)
        self.export_dock = self._dock("Export", "export", right, self._details_width)
        self.tabifyDockWidget(self.details_dock, self.env_dock)
        self.tabifyDockWidget(self.env_dock, self.export_dock)
        self.signin_dock = self._dock("Sign-in workbench", "signin", right, self._details_width)
        self.tabifyDockWidget(self.export_dock, self.signin_dock)
        self.details_dock.raise_()
        toggles = []
        for dock, text in (
            (self.chain_dock, "&Chain"),
            (self.details_dock, "&Details"),
            (self.env_dock, "&Environment (what-if)"),
            (self.export_dock, "E&xport"),
            (self.signin_dock, "&Sign-in workbench"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setText(text)
            toggles.append(toggle)
        self.view_menu.insertActions(self._view_menu_docks_end, toggles)

    def _restore_docks(self) -> None:
        """The last session's dock layout, or on a first start the chain's full names and a fair share for the
        details. A step of its own: restored on a shown window in the same turn as the docks were added, Qt
        gives the docks even shares instead of the saved widths (the docks must have been laid out once)."""
        state = self.settings.window_state()
        self._docks_restored = state is not None and self.restoreState(state)
        if self.isVisible() and not self._docks_restored:
            # a staged start, after the first paint (built at once, the window sizes them when it is shown)
            self._docks_sized = True
            self._size_docks()

    def _build_state(self) -> None:
        from app.diagnosis import EvidenceBoard
        from app.gui.chain_model import ChainModel
        from app.gui.chain_runner import ChainRunner
        from app.gui.chain_state import ChainState
        from app.gui.sandbox_host import SandboxLauncher
        from engine.host import Host
        from engine.spec import ChainSpec

        self.base_host = self._options["host"] or Host.real()
        self.saved_spec = ChainSpec()
        self._built_uids: list[int | None] = []
        self._built_names: list[str] = []
        # Everything seen about the members, by machine and what-if overlay; badges and the verdict read
        # the current context's only.
        self.evidence = EvidenceBoard()
        self.diagnosis: Diagnosis | None = None
        self._probe_contexts: dict[int, Context] = {}
        self._last_runs: dict[Context, object] = {}
        self._diagnosis_jobs = 0
        self.state = ChainState(env=self.base_host.env)
        self.model = ChainModel(self.state, self)
        self.runner = ChainRunner(self._options["builder"], self)
        self.launcher = SandboxLauncher()

    def _build_request_bar(self) -> None:
        from app.gui.request_bar import RequestBar

        self.request_bar = RequestBar(self)
        self.request_bar.restore(self.settings.value("request/scope"), self.settings.value("request/tenant"))
        self.request_bar.setContentsMargins(6, 4, 6, 4)
        self.request_toolbar.addWidget(self.request_bar)
        self.request_bar.run_requested.connect(self.run_chain)
        self.request_bar.try_every_requested.connect(self.try_every)
        self.request_bar.cancel_requested.connect(self.cancel)

    def _build_chain_panel(self) -> None:
        from app.gui.chain_panel import ChainPanel

        self.chain_panel = ChainPanel(self.model, self)
        self._fill_dock(self.chain_dock, self.chain_panel)
        self.model.edited.connect(self._on_edited)
        self.chain_panel.reset_requested.connect(self.reset_chain)
        self.chain_panel.convert_requested.connect(self.convert_chain)

    def _build_centre(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QSplitter

        from app.gui.timeline_view import TimelinePanel
        from app.gui.verdict_banner import VerdictBanner

        self.banner = VerdictBanner(self)
        self.timeline = TimelinePanel(self)
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
        layout = self.centre_layout
        layout.addWidget(self.what_if_bar)
        # The verdict can be long (every member passed over, several warnings): it scrolls, and the user
        # can drag the split; each new verdict gets the room it needs up to BANNER_SHARE of the height.
        self.banner_scroll = QScrollArea(self)
        self.banner_scroll.setWidget(self.banner)
        self.banner_scroll.setWidgetResizable(True)
        self.banner_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.banner_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # a GUID has nowhere to wrap: rather than widen the whole verdict past the window (cutting off every
        # line), its labels follow the width given and only an id that cannot fit runs to the edge
        for label in (self.banner.headline, self.banner.body, self.banner.context, self.banner.stale):
            policy = label.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            label.setSizePolicy(policy)
        self.centre_split = QSplitter(Qt.Orientation.Vertical, self)
        self.centre_split.setObjectName("split-verdict-timeline")
        self.centre_split.setChildrenCollapsible(False)
        self.centre_split.addWidget(self.banner_scroll)
        self.centre_split.addWidget(self.timeline)
        self.centre_split.setStretchFactor(1, 1)
        layout.addWidget(self.centre_split, 1)
        self.timeline.attempt_selected.connect(self._on_attempt_selected)
        self.banner.fix_requested.connect(self.apply_fix)
        self.banner.check_requested.connect(self.try_every)

    def _build_details(self) -> None:
        from app.gui.details_pane import DetailsPane

        self.details = DetailsPane(self)
        self._fill_dock(self.details_dock, self.details)

    def _build_env_editor(self) -> None:
        from app.gui.env_editor import EnvEditor

        self.env_editor = EnvEditor(self)
        self._fill_dock(self.env_dock, self.env_editor)
        self.env_editor.overlay_changed.connect(self._on_overlay_changed)

    def _build_signin(self) -> None:
        from app.gui.signin_panel import SignInPanel

        self.signin_panel = SignInPanel(lambda: self.host, self)
        self._fill_dock(self.signin_dock, self.signin_panel)

    def _finish_build(self) -> None:
        """Wire what needs every pane and show the chain (``_ready`` then says the window is whole)."""
        from PySide6.QtCore import Qt

        from app.gui.app_python import AppPython
        from app.gui.resources import app_icon, icon

        self.app_python = AppPython(self, lambda: self.host, self._crosscheck_case, self._use_detected)
        self.runner.built.connect(self._on_built)
        self.runner.build_failed.connect(self._on_build_failed)
        self.runner.probed.connect(self._on_probed)
        self.runner.probes_finished.connect(self._on_probes_finished)
        self.runner.run_updated.connect(
            lambda record: self._refresh_timer.start() if not self._refresh_timer.isActive() else None
        )
        self.runner.run_finished.connect(self._on_run_finished)
        for act, name in self._action_icons:
            act.setIcon(icon(name))
        for act in (self.up_action, self.down_action):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.setWindowIcon(app_icon())
        spec = self._options["spec"]
        if spec is not None:
            self.state.load_spec(spec)
            self.saved_spec = spec
        if self.path is not None:
            self.settings.add_recent(self.path)
        self.env_editor.set_base(self.base_host.env)
        self.export_dock.visibilityChanged.connect(self._export_shown)
        self._export_shown(self.export_dock.isVisible() and not self.export_dock.visibleRegion().isEmpty())
        self._fill_recent_menu()
        for act in self._wait_for_panes:
            act.setEnabled(True)
        self._update_undo_actions()
        self._set_running(False)
        self._update_title()
        if self._docks_sized:  # sized at show from an estimate: now from the chain panel
            self._size_docks()

    def _ready(self) -> None:
        self.ready_now = True
        self.ready.emit()
        if self._options["probe_now"]:
            self._reprobe_timer.start(0)

    def _dock(self, title: str, name: str, area: Qt.DockWidgetArea, width: Callable[[], int]) -> QDockWidget:
        """A dock in its place with an empty pane as wide as its pane will be; ``_fill_dock`` gives it its pane."""
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        self._fill_dock(dock, staging.Placeholder(width, self))
        return dock

    def _chain_width(self) -> int:
        """The chain dock's first-start width: its panel's own measure once it exists, an estimate before (the
        longest default name in bold, its pill and margins) so that the frame's docks stand where they will."""
        if hasattr(self, "chain_panel"):
            preferred = self.chain_panel.preferred_width()
        else:
            metrics = self.fontMetrics()
            preferred = int(metrics.horizontalAdvance(LONGEST_NAME) * BOLD_WIDTH) + 12 * metrics.height() + 8
        return min(preferred, int(self.width() * DOCK_SHARE))

    def _details_width(self) -> int:
        return min(DETAILS_WIDTH, int(self.width() * DOCK_SHARE))

    def _fill_dock(self, dock: QDockWidget, widget: QWidget) -> None:
        placeholder = dock.widget()
        widget.setMinimumWidth(DOCK_MIN_WIDTH)
        widget.setContentsMargins(6, 4, 6, 6)
        # Qt keeps the panes of background dock tabs "visible" (just moved off screen), so Tab would walk
        # into them unseen: hide a pane whenever its tab is in the background, show it when it comes up
        dock.visibilityChanged.connect(widget.setVisible)
        keep_size(widget)  # hidden, it must still size its dock: tabified docks share their limits
        dock.setWidget(widget)
        if placeholder is not None:
            widget.setVisible(not dock.visibleRegion().isEmpty() and dock.isVisible())
            placeholder.deleteLater()

    def _export_shown(self, shown: bool) -> None:
        if shown:
            self.export_pane  # noqa: B018 (the property builds the pane)

    @property
    def export_pane(self) -> ExportPane:
        """The Export pane, built on first use; from then on it follows every edit through ``chain_changed``."""
        if self._export_pane is None:
            from app.gui.env_editor import describe_overlay
            from app.gui.export_pane import ExportPane

            pane = self._export_pane = ExportPane(self)
            self._fill_dock(self.export_dock, pane)
            self.chain_changed.connect(pane.set_spec)
            pane.set_spec(self.chain_spec())
            if self.env_editor.active:
                pane.set_overlay(describe_overlay(self.env_editor.overlay))
        return self._export_pane

    def _build_actions(self) -> None:
        # Icons come with the panes (drawing them loads QtSvg); until then only what needs no pane is enabled.
        self._action_icons: list[tuple[QAction, str]] = []
        self._wait_for_panes: list[QAction] = []

        def action(text: str, slot, keys=(), icon_name: str | None = None, *, needs_panes: bool = True) -> QAction:
            act = QAction(self)  # not QAction(text, self): matching that overload builds QIcon (~1.5 ms)
            act.setText(text)
            if keys:
                act.setShortcuts([QKeySequence(k) for k in keys])
            if icon_name:
                self._action_icons.append((act, icon_name))
            if needs_panes:
                act.setEnabled(False)
                self._wait_for_panes.append(act)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        std = QKeySequence.StandardKey
        self.new_action = action("&New chain", self.new_chain, [std.New])
        self.open_action = action("&Open…", self.open_dialog, [std.Open])
        self.save_action = action("&Save", self.save, [std.Save])
        self.save_as_action = action("Save &as…", self.save_as, [std.SaveAs])
        self.save_report_action = action("Save re&port…", self._save_report)
        self.copy_report_action = action("Cop&y report", self._copy_report)
        self.quit_action = action("&Quit", self.close, [std.Quit], needs_panes=False)
        self.undo_action = action("&Undo", self.undo, [std.Undo], "undo")
        self.redo_action = action("&Redo", self.redo, ["Ctrl+Shift+Z", std.Redo], "redo")
        self.run_action = action("&Run", self.run_chain, ["Ctrl+R"], "run")
        self.try_action = action("&Try every credential", self.try_every, ["Ctrl+Shift+R"], "try-every")
        self.browser_action = action("Sign in with a &browser", self.sign_in_with_browser, ["Ctrl+Shift+B"])
        self.workbench_action = action("Sign-in &workbench…", self.show_sign_in_workbench, ["Ctrl+Shift+W"])
        self.browser_action.setToolTip(
            "Run InteractiveBrowserCredential on its own with the request above: opens the system browser"
        )
        self.cancel_action = action("&Cancel", self.cancel, ["Esc", "Ctrl+."], "stop")
        self.reprobe_action = action("Check &availability again", lambda: self.reprobe(fresh=True), ["F5"])
        self.up_action = action("Move u&p", lambda: self.chain_panel.move_selected(-1), ["Alt+Up"], "move-up")
        self.down_action = action("Move do&wn", lambda: self.chain_panel.move_selected(1), ["Alt+Down"], "move-down")
        self.reset_action = action("Reset to &DefaultAzureCredential", self.reset_chain)
        self.convert_action = action("Convert to &ChainedTokenCredential", self.convert_chain)
        self.about_action = action("&About Chainsight", self.show_about)
        self.leave_sandbox_action = action("&Leave the sandbox", self.leave_sandbox)
        self.detect_action = action("Use my app's azure-identity &version…", lambda: self.app_python.use_version())
        self.crosscheck_action = action("C&heck against my app's azure-identity…", lambda: self.app_python.check())
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions([self.save_report_action, self.copy_report_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.up_action, self.down_action, self.convert_action, self.reset_action])
        run_menu = menu.addMenu("&Run")
        run_menu.addActions([self.run_action, self.try_action, self.browser_action, self.workbench_action])
        run_menu.addSeparator()
        run_menu.addActions([self.cancel_action, self.reprobe_action])
        run_menu.addSeparator()
        run_menu.addActions([self.detect_action, self.crosscheck_action])
        self.sandbox_menu = menu.addMenu("&Sandbox")
        self.sandbox_menu.aboutToShow.connect(self._fill_sandbox_menu)
        self.view_menu = view_menu = menu.addMenu("&View")
        # the docks' toggles go above it when the docks come (a menu hides a separator with nothing above it)
        self._view_menu_docks_end = view_menu.addSeparator()
        self.theme_menu = view_menu.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        current = self.settings.theme()
        for theme, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
            act = self.theme_menu.addAction(text)
            act.setCheckable(True)
            act.setChecked(theme == current)
            act.setData(theme)
            act.triggered.connect(lambda _=False, t=theme: self.set_theme(t))
            self.theme_group.addAction(act)
        help_menu = menu.addMenu("&Help")
        self.shortcuts_action = help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)
        self.versions_action = help_menu.addAction("Copy &versions for a bug report", self.copy_versions)
        self.versions_action.setEnabled(False)
        self._wait_for_panes.append(self.versions_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        self.recent_menu.setEnabled(False)  # filled with the panes: opening a file needs them

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
        from app.gui.env_editor import overlay_host

        return overlay_host(self.base_host, self.env_editor.overlay)

    @property
    def context(self) -> Context:
        """The machine and what-if overlay now shown: only evidence seen there is current."""
        from app.diagnosis import Context

        return Context.of(self.host)

    def set_host(self, host: Host, *, sandbox=None, scenario=None) -> None:
        """Switch the machine (for example to a sandbox); a running run is cancelled, the overlay dropped."""
        self.runner.cancel()
        self._diagnosis_jobs += 1  # a verdict still being worked out belongs to the machine being left
        self.diagnosis = None
        self.banner.show_welcome()
        self.base_host = host
        self.sandbox, self.scenario = sandbox, scenario
        self.env_editor.overlay.clear()
        self.env_editor.set_base(host.env)
        self.state.set_env(self.host.env)
        self._context_changed()
        self._update_what_if()
        self._update_title()
        if scenario is not None:
            expected = scenario.expected
            expect = f"{expected.credential} as {expected.account}" if expected.credential else "the chain fails"
            story = " ".join(scenario.description.split())
            self.banner.set_context(
                f"<b>Sandbox: {scenario.name}</b> (a simulated machine on 127.0.0.1) — "
                f"the scenario expects {expect}. <i>Hover for its story.</i>" + _arc_note(scenario)
            )
            self.banner.context.setToolTip(f"<p style='white-space:normal'>{story}</p>")
        else:
            self.banner.set_context("")

    # ---- chain edits -------------------------------------------------------------------------
    def _on_edited(self) -> None:
        self.banner.mark_stale(True)
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
        self.convert_action.setEnabled(self.state.is_default)  # a chained chain is already one
        self.undo_action.setEnabled(self.state.can_undo)
        self.redo_action.setEnabled(self.state.can_redo)
        self.undo_action.setText(f"&Undo {self.state.undo_label}".rstrip())
        self.redo_action.setText(f"&Redo {self.state.redo_label}".rstrip())

    # ---- probing -----------------------------------------------------------------------------
    def reprobe(self, fresh: bool = False) -> None:
        """Probe every member again; ``fresh`` (F5) also forgets what runs showed on this machine."""
        from app.gui import member_status as ms

        self._reprobe_timer.stop()
        context = self.context
        if fresh:
            self.evidence.forget(context)
        self.model.statuses.clear()  # nothing from another machine or overlay stays on a row
        self.model.set_all_statuses(ms.PROBING)
        self.chain_panel.set_error("")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        generation = self.runner.probe(self.chain_spec(), self.host)
        self._probe_contexts = {generation: context}

    def _on_built(self, generation: int, names: list, placeholders: list) -> None:
        from app.gui import member_status as ms

        self._built_uids = self.state.uids_for_built(names)
        self._built_names = list(names)
        self.state.placeholders = set(placeholders)
        built = {uid for uid in self._built_uids if uid is not None}
        for row, member in enumerate(self.state.members):
            if member.uid not in built and self.state.is_enabled(row):
                self.model.set_status(member.uid, ms.MemberStatus(ms.UNKNOWN, NOT_IN_CHAIN))
        self.progress.setRange(0, max(1, len(names)))
        self.progress.setValue(0)
        self._show_badges()

    def _on_build_failed(self, generation: int, message: str) -> None:
        from app.gui import member_status as ms

        self.chain_panel.set_error(BUILD_FAILED.format(error=plain_error(message)))
        self.model.set_all_statuses(ms.UNKNOWN, "the chain could not be built")
        self.progress.setVisible(False)
        self.statusBar().showMessage("The chain cannot be built; see the chain panel", 5000)
        self.probes_finished.emit()

    def _on_probed(self, generation: int, index: int, probe) -> None:
        from app.diagnosis import from_probe

        context = self._probe_contexts.get(generation)
        if context is None:
            return
        self.evidence.add(from_probe(probe, context))
        self.progress.setValue(self.progress.value() + 1)
        if context == self.context:
            self._show_badges()

    def _context_changed(self) -> None:
        """Another machine or what-if: rows show only what was seen there (until the probes answer), and a
        verdict still on screen is labelled as the earlier one's."""
        from app.gui import member_status as ms

        earlier = self.diagnosis
        if earlier is not None and earlier.context != self.context:
            self._diagnosis_jobs += 1
            self.diagnosis = None
            self.banner.show_diagnosis(earlier, EARLIER.format(context=earlier.context.describe()))
        self.model.statuses.clear()
        self.model.set_all_statuses(ms.PROBING)
        self._show_badges()

    def _show_badges(self) -> None:
        """Each built member's badge from the latest current evidence (a run's outcome wins both ways)."""
        from app.gui import member_status as ms

        current = self.evidence.current(self.context)
        for uid, name in zip(self._built_uids, self._built_names, strict=False):
            if uid is not None and name in current:
                self.model.set_status(uid, ms.status_from_evidence(current[name]))

    def _on_probes_finished(self, generation: int) -> None:
        self.progress.setVisible(False)
        self._diagnose_probes(self._probe_contexts.get(generation))
        self.probes_finished.emit()

    def _diagnose_probes(self, context: Context | None) -> None:
        """Before any run here, when no member looks usable: say what to do (a machine with nothing set up)."""
        from app.diagnosis import diagnose

        evidence = self.evidence.current(self.context)
        if context != self.context or self.diagnosis is not None or self.runner.running or not evidence:
            return
        if any(e.usable is not False for e in evidence.values()):
            return  # something may work: the welcome stays until a run tells more
        job = self._diagnosis_jobs
        members = list(self._built_names)

        def shown(result: Diagnosis) -> None:
            if job == self._diagnosis_jobs and result.context == self.context and not self.runner.running:
                self.diagnosis = result
                self.banner.show_diagnosis(result, machine=result.context.machine)
                QTimer.singleShot(0, self._fit_banner)

        self.runner.workers.start(
            functools.partial(diagnose, members=members, builder=self.runner.builder),
            self.chain_spec(),
            self.host,
            evidence,
            on_result=shown,
            on_error=lambda ex: None,  # the welcome stays; a run will say what is wrong
        )

    # ---- runs --------------------------------------------------------------------------------
    def chain_label(self) -> str:
        return f"{self.state.mode} (azure-identity {self.state.profile.version})"

    def run_chain(self) -> RunRecord | None:
        return self._start(self.runner.run)

    def try_every(self) -> RunRecord | None:
        return self._start(self.runner.try_every)

    def sign_in_with_browser(self) -> RunRecord | None:
        """InteractiveBrowserCredential alone (whatever the chain says), for testing the browser sign-in."""
        from engine.spec import CHAINED_TOKEN_CREDENTIAL, ChainSpec, CredentialSpec

        spec = ChainSpec(
            type=CHAINED_TOKEN_CREDENTIAL,
            azure_identity=self.state.profile_name,
            credentials=[CredentialSpec("InteractiveBrowserCredential")],
        )
        record = self._start(
            lambda _chain, host, request, _label: self.runner.run(spec, host, request, BROWSER_SIGN_IN),
            busy_text="Waiting for the browser sign-in… (Cancel stops waiting)",
        )
        if record is not None:
            self._browser_failure = None
            self._browser_watch.start()
        return record

    def _check_browser(self) -> None:
        """The sandbox's scripted browser gave up: say so now, not at the sign-in timeout minutes later."""
        failure = getattr(self.host.browser, "failure", None)
        if not self.runner.running:
            self._browser_watch.stop()
            return
        if failure:
            self._browser_watch.stop()
            self._browser_failure = failure
            self.statusBar().showMessage(f"The browser gave up: {failure}", 10000)
            self.runner.cancel()

    def show_sign_in_workbench(self) -> None:
        """The sign-in dock: your own app registration, options, what was sent and received, the claims."""
        self.signin_dock.show()
        self.signin_dock.raise_()

    def _start(self, start, busy_text: str | None = None) -> RunRecord | None:
        from app.gui.run_record import TRY_EVERY as TRY_EVERY_KIND

        if self.runner.running:
            return None
        record = start(self.chain_spec(), self.host, self.request_bar.request(), self.chain_label())
        self._diagnosis_jobs += 1  # nothing computed before this run may replace its verdict
        self.timeline.add(record)
        self.details.show_attempt(record, None)
        self.banner.show_running(
            busy_text
            or (
                f"Trying each credential of {self.state.mode} on its own…"
                if record.kind == TRY_EVERY_KIND
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
        from app.gui.timeline_view import default_lane

        self._set_running(self.runner.running)
        self.timeline.finish_record(record)
        if record is self.timeline.current():
            lane = default_lane(record)
            if record.lanes:
                self.timeline.canvas.select(0, lane)
            else:
                self.details.show_attempt(record, None)
        self._learn(record)
        self._show_verdict(record)  # emits run_finished once the verdict is on screen

    def _learn(self, record: RunRecord) -> None:
        """A run's attempts become evidence of the machine and overlay it ran on (never of another)."""
        from app.diagnosis import RUN, SIGN_IN, TRY_EVERY, from_runs
        from app.gui.run_record import RUN as RUN_KIND
        from app.gui.run_record import TRY_EVERY as TRY_EVERY_KIND

        source = {TRY_EVERY_KIND: TRY_EVERY}.get(record.kind, SIGN_IN if record.chain == BROWSER_SIGN_IN else RUN)
        self.evidence.add_all(from_runs(record.runs, source, record.context, number=record.number))
        if record.kind == RUN_KIND and record.chain != BROWSER_SIGN_IN and record.runs:
            self._last_runs[record.context] = record.runs[0]
        if record.context == self.context:
            self._show_badges()

    def _show_verdict(self, record: RunRecord) -> None:
        from app.diagnosis import diagnose
        from app.gui.run_record import RUN as RUN_KIND
        from app.gui.run_record import TRY_EVERY as TRY_EVERY_KIND

        if self._browser_failure and record.chain == BROWSER_SIGN_IN:
            reason, self._browser_failure = self._browser_failure, None
            self.banner.show_error(BROWSER_GAVE_UP, reason)
            self.statusBar().showMessage(f"Run #{record.number}: {BROWSER_GAVE_UP} {reason}", 10000)
            self.run_finished.emit(record)
            return
        if record.context != self.context:
            message = OTHER_MACHINE.format(number=record.number, machine=record.context.describe())
            self.statusBar().showMessage(message, 8000)
            self.run_finished.emit(record)
            return
        if record.error and not record.runs:
            if record.cancelled:
                self.banner.show_cancelled(record.cancel_text)
            else:
                self.banner.show_error("The chain could not run.", record.error)
            self.statusBar().showMessage(f"Run #{record.number}: {record.cancel_text or record.error}", 8000)
            self.run_finished.emit(record)
            return
        self._diagnosis_jobs += 1
        job = self._diagnosis_jobs
        context = self.context
        kwargs = {
            "members": list(self._built_names),
            "run": record.runs[0] if record.kind == RUN_KIND else self._last_runs.get(context),
            "try_every": record.runs if record.kind == TRY_EVERY_KIND else None,
            "tenant": record.request.tenant_id,
            "builder": self.runner.builder,
        }
        spec = record.spec if record.spec is not None else self.chain_spec()
        evidence = self.evidence.current(context)
        # Checking fixes rebuilds the chain (msal, every credential): on the worker pool, never here.
        self.runner.workers.start(
            functools.partial(diagnose, **kwargs),
            spec,
            self.host,
            evidence,
            on_result=lambda result: self._diagnosed(job, record, result),
            on_error=lambda ex: self._diagnosis_failed(job, record, ex),
        )

    def _diagnosed(self, job: int, record: RunRecord, result: Diagnosis) -> None:
        from app.gui.env_editor import describe_overlay

        if job != self._diagnosis_jobs or result.context != self.context:
            self.run_finished.emit(record)  # a newer verdict (or another machine) owns the banner
            return
        self.diagnosis = result
        note = ""
        if self.env_editor.active:
            note = f"<i>With the what-if overlay: {describe_overlay(self.env_editor.overlay)}.</i>"
        self.banner.show_diagnosis(result, note, machine=record.host_label)
        self.banner.headline.setToolTip(self.banner.headline.text())  # whole, should an id run past the edge
        QTimer.singleShot(0, self._fit_banner)
        self.statusBar().showMessage(f"Run #{record.number} finished: {result.verdict}", 10000)
        self.run_finished.emit(record)
        self.diagnosed.emit(result)

    def _diagnosis_failed(self, job: int, record: RunRecord, ex: BaseException) -> None:
        if job == self._diagnosis_jobs:
            self.banner.show_error("The verdict could not be worked out.", DIAGNOSIS_FAILED.format(error=ex))
        self.run_finished.emit(record)

    def _fit_banner(self) -> None:
        """Give the verdict the height it needs (up to BANNER_SHARE of the centre), the rest to the timeline."""
        total = sum(self.centre_split.sizes())
        if total <= 0:
            return
        wanted = self.banner.heightForWidth(self.banner_scroll.viewport().width())
        wanted = max(wanted, self.banner.minimumSizeHint().height()) + 4
        banner = min(wanted, int(total * BANNER_SHARE))
        self.centre_split.setSizes([banner, total - banner])

    def apply_fix(self, fix: Fix) -> RunRecord | None:
        """A checked fix from the verdict banner, applied as what-if and (undoable) chain edits, then run."""
        action = fix.action
        for name in action.unset_env:
            self.env_editor.set_variable(name, None)
        for name, value in action.set_env:
            self.env_editor.set_variable(name, value)
        options = dict(action.options)
        if options and self.state.is_default:
            by_option = {m.exclude_option: m.key for m in self.state.profile.members}
            for option, value in options.items():
                key = by_option.get(option)
                row = next((i for i, m in enumerate(self.state.members) if m.key == key), None)
                if row is not None:
                    self.state.set_enabled(row, not value)
            rest = {k: v for k, v in options.items() if k not in by_option}
            if rest:
                self.state.set_dac_options({**self.state.dac_options, **rest})
        return self.run_chain()

    def _on_attempt_selected(self, record: RunRecord, lane: int) -> None:
        self.details.show_attempt(record, lane)
        self.details_dock.raise_()

    # ---- what-if -----------------------------------------------------------------------------
    def _on_overlay_changed(self, overlay: dict) -> None:
        self.state.set_env(self.host.env)  # AZURE_TOKEN_CREDENTIALS changes DAC's checkboxes
        self._context_changed()  # relabels the verdict on screen as the earlier what-if's
        self.banner.mark_stale(True)
        self._update_what_if()
        self._update_title()
        self._reprobe_timer.start()

    def _update_what_if(self) -> None:
        from app.gui.env_editor import describe_overlay

        overlay = self.env_editor.overlay
        active = bool(overlay)
        self.what_if_bar.setVisible(active)
        self.what_if_label.setText("<b>WHAT-IF</b>" if active else "")
        if self._export_pane is not None:
            self._export_pane.set_overlay(describe_overlay(overlay) if active else "")
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
        from engine.spec import ChainSpec

        if not self._confirm_discard():
            return
        self.state.load_spec(ChainSpec(azure_identity=self.state.profile_name))
        self.path, self.saved_spec = None, self.chain_spec()
        self._update_title()

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open chain spec", str(self._start_dir()), SPEC_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Load a spec; on error the current chain (and its undo history) stays as it was."""
        from engine.spec import ChainSpec, SpecError

        path = Path(path)
        if not self._confirm_discard():
            return False
        try:
            spec = ChainSpec.load(path)
        except (OSError, SpecError, UnicodeDecodeError) as ex:
            self._error(OPEN_FAILED.format(path=path), str(ex))
            if isinstance(ex, FileNotFoundError) or not path.exists():
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
        from PySide6.QtWidgets import QFileDialog

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
        """Save, Discard or Cancel; True when it is fine to go on (saved, or the user chose to discard)."""
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            APP_NAME,
            "The chain has unsaved changes. Save them first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def _error(self, title: str, detail: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.statusBar().showMessage(title, 8000)
        if self.isVisible():
            box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, title, QMessageBox.StandardButton.Ok, self)
            box.setInformativeText(detail)
            box.open()  # not exec(): never block the event loop (or a test) on a dialog

    # ---- sandbox -----------------------------------------------------------------------------
    def _fill_sandbox_menu(self) -> None:
        self.sandbox_menu.clear()
        if not self.ready_now:
            self.sandbox_menu.addAction(STILL_STARTING).setEnabled(False)
            return
        try:
            from engine import sandbox

            names = sandbox.list_scenarios()
        except Exception as ex:
            disabled = self.sandbox_menu.addAction(f"Sandbox unavailable: {ex}")
            disabled.setEnabled(False)
            return
        self.sandbox_menu.setToolTipsVisible(True)
        for name in names:
            story = scenario_story(name)
            act = self.sandbox_menu.addAction(f"{name} — {first_sentence(story)}" if story else name)
            act.setData(name)
            act.setToolTip(story)
            act.setCheckable(True)
            act.setChecked(self.scenario is not None and self.scenario.name == name)
            act.triggered.connect(lambda _=False, n=name: self.open_sandbox(n))
        self.sandbox_menu.addSeparator()
        self.sandbox_menu.addAction(self.leave_sandbox_action)
        self.leave_sandbox_action.setEnabled(self.sandbox is not None)

    def open_sandbox(self, name: str, *, then_run: bool = False) -> None:
        """Start a sandbox scenario off the GUI thread and switch to it when it is up (the last choice wins)."""
        ticket = self.launcher.choose()
        self.statusBar().showMessage(f"Starting sandbox {name}…")
        self.banner.show_running(f"Starting the sandbox scenario {name}…")
        self.runner.workers.start(
            self.launcher.start,
            name,
            ticket,
            on_result=lambda started: self._sandbox_ready(started, ticket, then_run),
            on_error=lambda ex: self._sandbox_failed(name, ex, ticket),
        )

    def _sandbox_ready(self, started, ticket: int, then_run: bool) -> None:
        sandbox, host = started
        if not self.launcher.claim(ticket):  # the user has since chosen another scenario, or quit
            self.launcher.stop_later(sandbox)
            return
        self.runner.cancel()  # a run of the machine being left must not finish under the new one
        self._stop_sandbox()
        self.set_host(host, sandbox=sandbox, scenario=sandbox.scenario)
        self.banner.show_welcome()
        self.statusBar().showMessage(f"Sandbox {sandbox.scenario.name} is running on 127.0.0.1", 5000)
        self.reprobe()
        if then_run:
            self.run_chain()

    def _sandbox_failed(self, name: str, ex: BaseException, ticket: int | None = None) -> None:
        from app.gui.sandbox_host import Superseded, describe_start_failure

        if isinstance(ex, Superseded) or (ticket is not None and not self.launcher.is_current(ticket)):
            return
        reason = describe_start_failure(name, ex)
        self.banner.show_error(f"The sandbox {name} could not start.", reason)
        self.statusBar().showMessage(f"Sandbox {name} did not start: {reason}", 10000)
        self.sandbox_start_failed.emit(reason)

    def leave_sandbox(self) -> None:
        from engine.host import Host

        self.launcher.release(self.launcher.choose())  # a start still under way is no longer wanted
        self._stop_sandbox()
        self.set_host(Host.real())
        self.banner.show_welcome()
        self.reprobe()

    def _stop_sandbox(self) -> None:
        if self.sandbox is not None:
            self.runner.cancel()
            self.launcher.stop_later(self.sandbox)
            self.sandbox = None

    def _save_report(self) -> None:
        from app.gui import report_actions

        report_actions.save_report(self)

    def _copy_report(self) -> None:
        from app.gui import report_actions

        report_actions.copy_report(self)

    # ---- help and appearance -----------------------------------------------------------------
    def show_about(self) -> None:
        from app.gui.about import show_about  # reads package metadata: not needed for the first paint

        show_about(self, self.state.profile_name)

    def copy_versions(self) -> None:
        from app.gui.about import versions

        QGuiApplication.clipboard().setText("\n".join(f"{k}: {v}" for k, v in versions(self.state.profile_name)))
        self.statusBar().showMessage("Versions copied: paste them into your bug report", 4000)

    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        rows = "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.NoIcon, APP_NAME, f"<table>{rows}</table>", parent=self)
        box.setWindowTitle("Keyboard shortcuts")
        box.open()

    def set_theme(self, theme: str) -> None:
        """Light, dark, or follow the system; remembered for the next start."""
        from app.gui.theme import apply_theme

        self.settings.set_theme(theme)
        apply_theme(QApplication.instance(), theme)
        for act in self.theme_group.actions():
            act.setChecked(act.data() == theme)

    # ---- focus -------------------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        """What Tab visits, in the order the eye reads the window: the request bar, the chain on the left,
        the verdict and timeline in the centre, the pane on the right (then its tabs), the status bar.
        Only widgets a person can see: a pane in a background dock tab is never entered."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QTabBar

        regions = [
            self.request_toolbar,
            self.chain_dock,
            self.centralWidget(),
            self.details_dock,
            self.env_dock,
            self.export_dock,
        ]
        found = []
        for widget in self.findChildren(QWidget):
            if not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isEnabled():
                continue
            if not widget.isVisible() or widget.visibleRegion().isEmpty() or widget.focusProxy() is not None:
                continue
            if widget.window() is not self:
                continue
            region = next((i for i, r in enumerate(regions) if r is widget or r.isAncestorOf(widget)), None)
            if region is None:
                region = len(regions) if not isinstance(widget, QTabBar) else 3  # dock tabs follow their pane
            if region >= 3 and region < len(regions):
                region = 3  # the right-hand docks share one column
            top_left = widget.mapTo(self, widget.rect().topLeft())
            found.append(((region, top_left.y() // 8, top_left.x()), widget))
        return [widget for _, widget in sorted(found, key=lambda item: item[0])]

    def focusNextPrevChild(self, next: bool) -> bool:
        if not self.ready_now:  # the panes are still coming: Qt's own order until the window is whole
            return super().focusNextPrevChild(next)
        from PySide6.QtCore import Qt

        chain = self.focus_chain()
        if not chain:
            return super().focusNextPrevChild(next)
        current = QApplication.focusWidget()
        while current is not None and current not in chain and current is not self:
            current = current.parentWidget()  # a table's editor, a combo's line edit: step from its owner
        index = chain.index(current) if current in chain else -1
        target = chain[(index + (1 if next else -1)) % len(chain)] if index >= 0 else chain[0 if next else -1]
        target.setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True

    # ---- window ------------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled chain"
        star = "*" if self.dirty else ""
        where = f" — sandbox: {self.scenario.name}" if self.scenario is not None else ""
        what_if = " — what-if" if self.env_editor.active else ""
        self.setWindowTitle(f"{name}{star} — {APP_NAME}{where}{what_if}")
        self.host_label.setText(self.base_host.label)

    def _available(self):
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _place_first_start(self) -> None:
        """A first start fits the screen it opens on (frame included), centred."""
        available = self._available()
        place = centred(first_start_size(available), available)
        self.resize(place.size())
        self.move(place.topLeft())  # the frame's corner: the title bar stays on screen

    def _restore_geometry(self) -> None:
        """The last session's size and place (its docks and toolbar come with them, ``_build_places``)."""
        geometry = self.settings.window_geometry()
        if geometry is not None and self.restoreGeometry(geometry):
            # the screen may have shrunk since (undocked laptop, 200 % scaling): pull the window back onto it
            screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
            if screen is not None and not self.isMaximized() and not self.isFullScreen():
                self.setGeometry(clamp_to(self.geometry(), screen.availableGeometry()))

    def _fit_frame_to_screen(self) -> None:
        """Once the window manager has framed the window: if the frame sticks out, pull it in."""
        if self.isMaximized() or self.isFullScreen():
            return
        available = self._available()
        frame = self.frameGeometry()
        if available.contains(frame):
            return
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), available.width() - extra_w)
        height = min(self.height(), available.height() - extra_h)
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        frame = self.frameGeometry()
        x = min(max(frame.x(), available.x()), available.right() + 1 - frame.width())
        y = min(max(frame.y(), available.y()), available.bottom() + 1 - frame.height())
        self.move(max(x, available.x()), max(y, available.y()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            QTimer.singleShot(0, self, self._fit_frame_to_screen)
        if hasattr(self, "chain_dock") and not self._docks_sized and not self._docks_restored:
            self._docks_sized = True
            # after the first layout pass: sizes given while the window is still being shown are overridden
            QTimer.singleShot(0, self, self._size_docks)

    def _size_docks(self) -> None:
        """First start: the chain's full names if the window has room, the details a fair share."""
        from PySide6.QtCore import Qt

        self.resizeDocks(
            [self.chain_dock, self.details_dock],
            [self._chain_width(), self._details_width()],
            Qt.Orientation.Horizontal,
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.ready_now:  # closed while the panes were still coming: nothing to save but the place
            self._closed = True
            # until the docks have their places (restored or sized), the window's state is not the user's: the
            # last session's stays for the next start
            placed = self._docks_restored or self._docks_sized
            state = QByteArray(self.saveState()) if placed else None
            self.settings.save_window(QByteArray(self.saveGeometry()), state)
            super().closeEvent(event)
            return
        if not self._confirm_discard():
            event.ignore()
            return
        self.settings.save_window(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))
        for key, value in self.request_bar.remembered().items():
            self.settings.set_value(f"request/{key}", value)
        # never wait for a worker here: a hung probe is abandoned (its result is dropped by generation)
        self.runner.cancel()
        self.runner.generation += 1
        self.launcher.close()
        self._stop_sandbox()
        super().closeEvent(event)

    def finish_quit(self, timeout: float = 15.0) -> None:
        """After the window has gone: let sandbox starts and stops finish, so no temp folder, key or
        server outlives the app (a hung credential's thread is not waited for)."""
        if hasattr(self, "launcher"):
            self.launcher.wait(timeout)


def _arc_note(scenario) -> str:
    """Why Azure Arc cannot work inside the window here, and how to run it (empty when it can)."""
    if getattr(getattr(scenario, "managed_identity", None), "kind", None) != "arc":
        return ""
    from engine.sandbox import arc_mount  # the sandbox package loads only when a scenario is shown

    if arc_mount.private_key_dir(os.environ) is not None:  # the app itself runs in a private namespace
        return ""
    return "<br>" + ARC_HERE.format(path=arc_mount.KEY_DIR, name=scenario.name)
