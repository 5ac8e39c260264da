"""The sign-in pages' frame and error page, shared by the authorize and device-code pages.

Pages are plain HTML a person can use, with stable ids/classes so a scripted or headless browser can too.
"""

from __future__ import annotations

import html

from engine.sandbox import entra_errors as E
from engine.sandbox.httpserver import Response

PAGE = """<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{content}</body></html>"""
ERROR_CONTENT = "<p id='error' data-code='{code}'>AADSTS{code}: {text}</p>"


def error_page(err: E.EntraError) -> Response:
    content = ERROR_CONTENT.format(code=err.code, text=html.escape(err.description))
    return Response.html(PAGE.format(title="Sign in", content=content), 400)
