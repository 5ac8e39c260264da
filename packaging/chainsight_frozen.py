"""Entry point of the frozen app (PyInstaller), for both of its executables.

``chainsight`` is the command line (no command starts the window, as with pip); ``chainsight-gui`` is the
window, the name the .desktop file runs. Either one also runs the sandbox's helpers
(``--sandbox-helper NAME``, see engine/sandbox/helpers.py), since a frozen build has no Python for them.
"""

import sys
from pathlib import Path

from engine.sandbox.helpers import HELPER_ARG

GUI_EXECUTABLE = "chainsight-gui"


def main() -> int:
    if Path(sys.executable).stem == GUI_EXECUTABLE and sys.argv[1:2] != [HELPER_ARG]:
        from app.gui import main as gui_main

        return gui_main()
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
