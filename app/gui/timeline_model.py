"""Timeline geometry without Qt: lanes, nested step rows, time ticks and the zoom/pan viewport."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.run import Step

MIN_SPAN = 0.02  # seconds: never zoom in past 20 ms across the whole view
MAX_SPAN = 3600.0


def step_depths(steps: list[Step], now: float) -> list[int]:
    """Nesting depth of each step: how many earlier steps are still open when it starts."""
    depths: list[int] = []
    open_ends: list[float] = []
    for step in steps:
        end = step.ended if step.ended is not None else now
        open_ends = [e for e in open_ends if e > step.started + 1e-9]
        depths.append(len(open_ends))
        open_ends.append(end)
    return depths


def nice_step(span: float, target_ticks: int) -> float:
    """A 1/2/5 × 10^k tick spacing (seconds) giving about ``target_ticks`` ticks over ``span``."""
    if span <= 0 or target_ticks <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def tick_label(seconds: float, step: float | None = None) -> str:
    """ "250 ms", "1.5 ms"; with ``step`` (the axis's tick spacing) every tick gets the same decimals, so
    an axis reads "0 ms, 5 ms, 10 ms" or "0.0 ms, 0.5 ms, 1.0 ms", never "5.0 ms" beside "10 ms"."""
    ms = seconds * 1000
    if step is not None:
        decimals = max(0, -math.floor(math.log10(step * 1000) + 1e-9)) if step > 0 else 0
        return f"{ms:,.{decimals}f} ms".replace(",", "\u2009")
    if abs(ms) >= 10 or ms == 0:
        return f"{ms:,.0f} ms".replace(",", "\u2009")
    return f"{ms:.1f} ms"


@dataclass
class Viewport:
    """Which seconds are visible across ``width`` pixels; ``follow`` keeps a live run in view."""

    start: float = 0.0
    span: float = 1.0
    width: float = 600.0
    follow: bool = True

    @property
    def scale(self) -> float:
        return self.width / self.span

    def x(self, t: float) -> float:
        return (t - self.start) * self.scale

    def t(self, x: float) -> float:
        return self.start + x / self.scale

    def fit(self, duration: float) -> None:
        self.start = 0.0
        self.span = min(MAX_SPAN, max(MIN_SPAN, duration * 1.06))
        self.follow = True

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom in (factor > 1) or out around the time under ``anchor_x`` (default: the centre)."""
        anchor_x = self.width / 2 if anchor_x is None else anchor_x
        anchor_t = self.t(anchor_x)
        self.span = min(MAX_SPAN, max(MIN_SPAN, self.span / factor))
        self.start = max(-self.span * 0.5, anchor_t - anchor_x / self.scale)
        self.follow = False

    def pan(self, dx_pixels: float) -> None:
        self.start = max(-self.span * 0.5, self.start - dx_pixels / self.scale)
        self.follow = False
