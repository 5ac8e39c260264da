"""The shareable report: a JSON document (document.py) and its Markdown and HTML renderings.

Qt-free: the command line (`chainsight report`) and the window (File > Save report…) share it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app.report.html_page import render_html
from app.report.markdown import render_markdown

FORMATS = ("md", "html", "json")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def render(document: Mapping, fmt: str) -> str:
    """The document in ``fmt`` (md, html or json)."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(document)
    if fmt == "md":
        return render_markdown(document)
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def format_for(path: str, default: str = "md") -> str:
    """The format a file name asks for by its suffix (report.html -> html), else ``default``."""
    lowered = path.lower()
    return next((fmt for suffix, fmt in SUFFIXES.items() if lowered.endswith(suffix)), default)
