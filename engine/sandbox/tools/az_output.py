"""knack's output formats as az prints them (knack/output.py): json, tsv, none."""

from __future__ import annotations

import json
from typing import Any


def render_json(data: Any) -> str:
    # ensure_ascii=False: az prints non-ASCII names as they are; keys sorted, as knack does.
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


def _tsv_cell(value: Any) -> str:
    if isinstance(value, list):
        return str(len(value))  # knack prints a list's length, not its items
    if isinstance(value, dict):
        return ""
    return value if isinstance(value, str) else str(value)


def _tsv_row(data: Any) -> str:
    if isinstance(data, dict):
        return "\t".join(_tsv_cell(v) for _, v in sorted(data.items()))
    if isinstance(data, list):
        return "\t".join(_tsv_cell(v) for v in data)
    if isinstance(data, bool):
        return str(data).lower()
    return _tsv_cell(data)


def render_tsv(data: Any) -> str:
    rows = data if isinstance(data, list) else [data]
    return "".join(_tsv_row(row) + "\n" for row in rows)


def render(data: Any, output: str) -> str:
    if data is None or output == "none":
        return ""
    if output == "tsv":
        return render_tsv(data)
    return render_json(data)
