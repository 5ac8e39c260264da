"""The run as an inline SVG timeline: one lane per attempt coloured by outcome, its steps nested below.

Pure: a run section of the report document in, SVG text out (no fonts, images or links to fetch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

WIDTH = 960
LABEL_WIDTH = 250
RIGHT_MARGIN = 70
AXIS_HEIGHT = 28
LANE_HEIGHT = 24
STEP_HEIGHT = 15
LEGEND_HEIGHT = 44
MIN_BAR = 2.0  # px: an attempt of 0.1 ms must still be visible
MAX_STEPS_SHOWN = 12  # per attempt; the rest are counted in a "+N more steps" row
LABEL_CHARS = 34
LABEL_CHAR_WIDTH = 6.0  # px per character of a 10.5 px label, roughly

OUTCOME_COLOURS = {
    "succeeded": "#2e7d32",
    "unavailable": "#8d8d8d",
    "failed": "#c62828",
    "cancelled": "#ef6c00",
    "running": "#1565c0",
}
STEP_COLOURS = {
    "http": "#1e88e5",
    "process": "#8e24aa",
    "file": "#00897b",
    "wait": "#bdbdbd",
    "probe": "#fb8c00",
    "browser": "#d81b60",
}
OTHER_COLOUR = "#607d8b"


def nice_step(total: float, ticks: int = 6) -> float:
    """A round tick interval (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks over ``total``."""
    if total <= 0 or not math.isfinite(total):
        return 1.0
    raw = total / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "running"
    ms = seconds * 1000
    return f"{ms:.1f} ms" if ms < 10 else (f"{ms:.0f} ms" if ms < 10_000 else f"{seconds:.1f} s")


def _cut(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _span(item: Mapping) -> tuple[float, float | None]:
    start = _number(item.get("started")) or 0.0
    duration = _number(item.get("duration"))
    return max(0.0, start), None if duration is None else max(0.0, duration)


def _total(run: Mapping) -> float:
    ends = [_number(run.get("duration")) or 0.0]
    for attempt in run.get("attempts") or []:
        for item in (attempt, *(attempt.get("steps") or [])):
            start, duration = _span(item)
            ends.append(start + (duration or 0.0))
    return max(max(ends), 0.001)


def render_svg(run: Mapping) -> str:
    """The timeline of ``run`` (a report document's run section) as one <svg> element."""
    attempts = [a for a in run.get("attempts") or [] if isinstance(a, Mapping)]
    total = _total(run)
    chart = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def x(t: float) -> float:
        return LABEL_WIDTH + chart * min(t, total) / total

    rows: list[str] = []
    y = AXIS_HEIGHT
    for attempt in attempts:
        rows.append(_attempt_row(attempt, y, x))
        y += LANE_HEIGHT
        steps = [s for s in attempt.get("steps") or [] if isinstance(s, Mapping)]
        for step in steps[:MAX_STEPS_SHOWN]:
            rows.append(_step_row(step, y, x))
            y += STEP_HEIGHT
        if len(steps) > MAX_STEPS_SHOWN:
            rows.append(
                f'<text x="{LABEL_WIDTH - 8}" y="{y + 11}" class="step-label" text-anchor="end">'
                f"+{len(steps) - MAX_STEPS_SHOWN} more steps</text>"
            )
            y += STEP_HEIGHT
    if not attempts:
        rows.append(f'<text x="{LABEL_WIDTH}" y="{y + 16}" class="lane-label">No attempt was made.</text>')
        y += LANE_HEIGHT
    height = y + LEGEND_HEIGHT
    return "\n".join(
        [
            f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" aria-label="Timeline of the run">',
            "<title>Timeline of the run: one lane per attempt, its steps below it</title>",
            _axis(total, x, y),
            *rows,
            _legend(height - LEGEND_HEIGHT + 8),
            "</svg>",
        ]
    )


def _axis(total: float, x, bottom: float) -> str:
    step = nice_step(total)
    parts = []
    n = 0
    while n * step <= total + 1e-12:
        t = n * step
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{AXIS_HEIGHT - 6}" x2="{x(t):.1f}" y2="{bottom}" class="grid"/>'
            f'<text x="{x(t):.1f}" y="{AXIS_HEIGHT - 10}" class="tick" text-anchor="middle">{duration_text(t)}</text>'
        )
        n += 1
    return "".join(parts)


def _bar(x0: float, x1: float, y: float, height: float, colour: str, running: bool) -> str:
    width = max(MIN_BAR, x1 - x0)
    dash = ' stroke-dasharray="4 2" stroke="#1565c0" fill-opacity="0.35"' if running else ""
    return f'<rect x="{x0:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height}" rx="2" fill="{colour}"{dash}/>'


def _attempt_row(attempt: Mapping, y: float, x) -> str:
    start, duration = _span(attempt)
    outcome = str(attempt.get("outcome") or "running")
    colour = OUTCOME_COLOURS.get(outcome, OTHER_COLOUR)
    end = x(start + duration) if duration is not None else x(float("inf"))
    name = str(attempt.get("credential") or "")
    tip = escape(f"{name}: {outcome}, {duration_text(duration)}")
    return (
        f"<g><title>{tip}</title>"
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" class="lane-label" text-anchor="end">{escape(_cut(name))}</text>'
        + _bar(x(start), end, y + 4, LANE_HEIGHT - 8, colour, duration is None)
        + _bar_label(f"{outcome} · {duration_text(duration)}", x(start), max(end, x(start) + MIN_BAR), y + 16)
        + "</g>"
    )


def _bar_label(text: str, bar_start: float, bar_end: float, y: float) -> str:
    """After the bar where it fits, else before it, else inside it (a bar that spans the whole run)."""
    width = LABEL_CHAR_WIDTH * len(text)
    if bar_end + 4 + width <= WIDTH:
        return f'<text x="{bar_end + 4:.1f}" y="{y}" class="bar-label">{escape(text)}</text>'
    if bar_start - 4 - width >= LABEL_WIDTH:
        return f'<text x="{bar_start - 4:.1f}" y="{y}" class="bar-label" text-anchor="end">{escape(text)}</text>'
    return (
        f'<text x="{bar_end - 4:.1f}" y="{y}" class="bar-label" text-anchor="end" style="fill:#fff">'
        f"{escape(text)}</text>"
    )


def _step_row(step: Mapping, y: float, x) -> str:
    start, duration = _span(step)
    kind = str(step.get("kind") or "")
    label = f"{kind} {step.get('label') or ''}".strip()
    end = x(start + duration) if duration is not None else x(float("inf"))
    status = (step.get("detail") or {}).get("status") if isinstance(step.get("detail"), Mapping) else None
    extra = f" → {status}" if status is not None else ""
    extra += " (error)" if step.get("error") else ""
    tip = escape(f"{label}{extra}: {duration_text(duration)}")
    return (
        f"<g><title>{tip}</title>"
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 11}" class="step-label" text-anchor="end">{escape(_cut(label))}</text>'
        + _bar(x(start), end, y + 3, STEP_HEIGHT - 6, STEP_COLOURS.get(kind, OTHER_COLOUR), duration is None)
        + "</g>"
    )


def _legend(y: float) -> str:
    """Two rows: the outcomes, then the step kinds."""
    parts = []
    for row, items in enumerate((OUTCOME_COLOURS.items(), STEP_COLOURS.items())):
        x, top = 8.0, y + row * 16
        for label, colour in items:
            label = label if row == 0 else f"step: {label}"
            parts.append(
                f'<rect x="{x:.0f}" y="{top}" width="10" height="10" rx="2" fill="{colour}"/>'
                f'<text x="{x + 14:.0f}" y="{top + 9}" class="legend">{escape(label)}</text>'
            )
            x += 14 + 6.5 * len(label) + 16
    return "".join(parts)
