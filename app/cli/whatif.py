"""What-if flags for ``run``, ``scan``, ``export`` and ``report``: ``--set-env NAME=VALUE`` and
``--unset-env NAME`` change the chain's view of the environment only, exactly as the window's what-if
overlay does (``Host.with_overlay``); the process environment is never touched."""

from __future__ import annotations

import argparse
import re

from engine.host import Host

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BAD_SET = "--set-env expects NAME=VALUE, got {text!r}"
BAD_NAME = "{flag}: {name!r} is not an environment variable name"
BOTH = "{name} is both set (--set-env) and unset (--unset-env); give one"


class WhatIfError(ValueError):
    """A what-if flag that cannot be applied; the message names the flag and the value."""


def add_whatif_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("what-if (the chain's view of the environment only)")
    group.add_argument(
        "--set-env",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="run as if NAME were set to VALUE (repeatable)",
    )
    group.add_argument(
        "--unset-env",
        metavar="NAME",
        action="append",
        default=[],
        help="run as if NAME were not set (repeatable)",
    )


def overlay_from_args(args: argparse.Namespace) -> dict[str, str | None]:
    """The overlay the flags describe: NAME -> value, or None for "unset". Raises WhatIfError."""
    overlay: dict[str, str | None] = {}
    for name in getattr(args, "unset_env", None) or []:
        if not NAME.match(name):
            raise WhatIfError(BAD_NAME.format(flag="--unset-env", name=name))
        overlay[name] = None
    for text in getattr(args, "set_env", None) or []:
        name, sep, value = text.partition("=")
        if not sep:
            raise WhatIfError(BAD_SET.format(text=text))
        if not NAME.match(name):
            raise WhatIfError(BAD_NAME.format(flag="--set-env", name=name))
        if name in overlay and overlay[name] is None:
            raise WhatIfError(BOTH.format(name=name))
        overlay[name] = value
    return overlay


def apply_overlay(host: Host, overlay: dict[str, str | None]) -> Host:
    """``host`` with ``overlay`` applied, as the window's what-if editor applies it."""
    if not overlay:
        return host
    return host.with_overlay(
        set={k: v for k, v in overlay.items() if v is not None}, unset=[k for k, v in overlay.items() if v is None]
    )
