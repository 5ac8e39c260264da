"""Regenerate resources/screenshot-signin.png: the sign-in workbench on browser-sign-in-lab, after signing in with
an app that needs consent (run under Xvfb + openbox for real window decorations, or offscreen)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.gui.sandbox_host import sandbox_host
from app.gui.signin_panel import SignInPanel
from engine import sandbox as sandboxes

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshot-signin.png")


def main() -> int:
    app = QApplication(sys.argv[:1])
    box = sandboxes.start("browser-sign-in-lab")
    try:
        panel = SignInPanel(lambda: sandbox_host(box))
        panel.setWindowTitle("Chainsight — Sign-in workbench (sandbox: browser-sign-in-lab)")
        panel.resize(980, 1400)
        panel.client_id.setText("5f1a0000-0000-4000-8000-00000000a004")
        panel.tenant_id.setText("contoso.com")
        panel.cache_name.setText("workbench-demo")
        panel.allow_unencrypted.setChecked(True)
        panel.timeout.setValue(60)
        panel.show()

        def shoot() -> None:
            panel.grab().save(str(OUT))
            app.quit()

        panel.finished.connect(lambda _: QTimer.singleShot(1500, shoot))  # the accounts list refreshes too
        QTimer.singleShot(300, panel.start)
        QTimer.singleShot(90000, app.quit)
        app.exec()
    finally:
        box.stop()
    print(f"wrote {OUT}")
    return 0 if OUT.exists() else 1


if __name__ == "__main__":
    raise SystemExit(main())
