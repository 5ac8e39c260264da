"""The sandbox's helper programs (the az/azd/pwsh stand-ins, the scripted browser, the Arc mount step), and how
a frozen build runs them.

From a Python install each helper runs on this interpreter (tools/__init__.py writes the shims, netns.py runs
arc_mount.py by path). A frozen build (PyInstaller) has no interpreter to hand them: sys.executable is the
Chainsight binary, so the helpers run from that binary with a hidden first argument,
``chainsight --sandbox-helper NAME ARGS...``, which ``app.cli.main`` hands to ``run`` before anything else.
"""

from __future__ import annotations

import importlib
import sys

HELPER_ARG = "--sandbox-helper"
# Helper name -> module with main(argv) -> exit status. Names are what the sandbox puts on PATH.
HELPERS = {
    "az": "engine.sandbox.tools.az",
    "azd": "engine.sandbox.tools.azd",
    "pwsh": "engine.sandbox.tools.pwsh",
    "chainsight-sandbox-browser": "engine.sandbox.browser",
    "arc-mount": "engine.sandbox.arc_mount",
}
UNKNOWN_HELPER = "chainsight: {arg} needs one of {names} (it runs the sandbox's own helpers), not {name!r}"


def is_frozen() -> bool:
    """Whether this is a frozen build (sys.executable is the app, not a Python interpreter)."""
    return bool(getattr(sys, "frozen", False))


def frozen_command(name: str) -> list[str]:
    """The argv that starts helper NAME from the frozen binary; its own arguments follow."""
    if name not in HELPERS:
        raise KeyError(name)
    return [sys.executable, HELPER_ARG, name]


def run(argv: list[str]) -> int:
    """Run ``NAME ARGS...`` (what follows HELPER_ARG) as that helper's main would; exit status 2 for no NAME."""
    name = argv[0] if argv else ""
    module = HELPERS.get(name)
    if module is None:
        sys.stderr.write(UNKNOWN_HELPER.format(arg=HELPER_ARG, names=", ".join(HELPERS), name=name) + "\n")
        return 2
    return importlib.import_module(module).main(argv[1:])
