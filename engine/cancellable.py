"""Blocking calls the user can walk away from: run on a daemon thread, waited for with a cancel and a deadline.

A socket read stuck in the kernel, or a D-Bus call into a stuck keyring, cannot be interrupted from
another thread. The caller's thread waits instead, and leaves at once when the run is cancelled (or the
deadline passes). Where the call can be cut from outside (an HTTP socket shut down), ``on_cancel`` does
that so the thread ends with it; otherwise the abandoned thread ends by itself when its own timeout does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from engine import events

_POLL = 0.05
T = TypeVar("T")


class Abandoned(TimeoutError):
    """The deadline passed before the call returned."""


def call(
    fn: Callable[[], T],
    *,
    timeout: float | None = None,
    name: str = "chainsight-call",
    on_cancel: Callable[[], object] | None = None,
) -> T:
    """``fn()``; RunCancelled as soon as the current run is cancelled, Abandoned after ``timeout`` seconds.
    ``on_cancel`` (called on the caller's thread before either is raised) cuts the call short."""
    outcome: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as ex:  # handed to the caller's thread below
            outcome["error"] = ex
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    cancelled = events.cancel_requested()
    waited = 0.0
    while not done.wait(_POLL):
        waited += _POLL
        if cancelled is not None and cancelled.is_set():
            _cut(on_cancel)
            raise events.RunCancelled()
        if timeout is not None and waited >= timeout:
            _cut(on_cancel)
            raise Abandoned()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _cut(on_cancel: Callable[[], object] | None) -> None:
    if on_cancel is None:
        return
    try:
        on_cancel()
    except Exception:  # cutting is best effort: the caller leaves either way
        pass
