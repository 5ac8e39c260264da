"""Fake developer tools (az, azd, pwsh) and the scripted browser, installed as executables on PATH."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from engine.sandbox.helpers import HELPERS, frozen_command, is_frozen

# The folder that holds the `engine` package (the repository, or site-packages of an install).
PACKAGE_ROOT = Path(__file__).resolve().parents[3]
SHIMS = ("az", "azd", "pwsh", "chainsight-sandbox-browser")
# Exit 127 with the shell's wording: what a machine without the tool shows, when a real one would be on PATH.
MISSING = '#!/bin/sh\necho "/bin/sh: 1: {name}: not found" >&2\nexit 127\n'
SHIM = """#!{python}
# Chainsight sandbox: fake `{name}`; behaviour comes from the scenario state file.
import os, sys, types
# Register the packages without running their __init__: the tool must not load the whole engine.
for _name in ("engine", "engine.sandbox", "engine.sandbox.tools"):
    _module = types.ModuleType(_name)
    _module.__path__ = [os.path.join({root!r}, *_name.split("."))]
    sys.modules[_name] = _module
from {module} import main
raise SystemExit(main(sys.argv[1:]))
"""
# A frozen build has no interpreter for the shim above: the frozen binary runs the tool itself.
FROZEN_SHIM = """#!/bin/sh
# Chainsight sandbox: fake `{name}`, run by the frozen Chainsight; behaviour comes from the scenario state file.
exec {command} "$@"
"""


def shim_text(name: str, *, frozen: bool | None = None) -> str:
    """The executable script that stands in for tool NAME."""
    if is_frozen() if frozen is None else frozen:
        return FROZEN_SHIM.format(name=name, command=shlex.join(frozen_command(name)))
    return SHIM.format(python=sys.executable, name=name, root=str(PACKAGE_ROOT), module=HELPERS[name])


def install(bin_dir: Path, present: set[str], shadowed: set[str] = frozenset()) -> dict[str, Path]:
    """Write the shims in `present`; for tools in `shadowed` (absent here but found on the system PATH)
    write a not-found stand-in so the real tool is never reached."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in SHIMS:
        if name in present:
            text = shim_text(name)
        elif name in shadowed:
            text = MISSING.format(name=name)
        else:
            continue
        path = bin_dir / name
        path.write_text(text)
        os.chmod(path, 0o755)
        written[name] = path
    return written
