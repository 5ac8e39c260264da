"""What the app says about a sandbox scenario name it does not know (the command line and the window)."""

from __future__ import annotations

UNKNOWN_SCENARIO = "no sandbox scenario named {name!r}{hint} `chainsight sandbox list` shows all {count}."


def unknown_scenario_message(name: str, known: list[str]) -> str:
    """ "no sandbox scenario named 'laptop-wrong'; did you mean 'laptop-wrong-account'? …" """
    import difflib

    close = difflib.get_close_matches(name, known, n=2, cutoff=0.5)
    close += [k for k in known if name and name in k and k not in close][: 2 - len(close)]
    hint = "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else "."
    return UNKNOWN_SCENARIO.format(name=name, hint=hint, count=len(known))
