"""Run two sides of an oracle from the same machine state.

The first side may change HOME: a shared-cache refresh rewrites ~/.IdentityService (azure-identity
even blanks the cached username when the response has no id token), tools write their own state. So
HOME is copied before the first side runs and put back before the second.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class FreshHome:
    def __enter__(self) -> FreshHome:
        self.home = Path(os.environ["HOME"])
        self.saved = Path(tempfile.mkdtemp(prefix="oracle-home-")) / "home"
        shutil.copytree(self.home, self.saved, symlinks=True)
        return self

    def restore(self) -> None:
        shutil.rmtree(self.home)
        shutil.copytree(self.saved, self.home, symlinks=True)

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.saved.parent, ignore_errors=True)
