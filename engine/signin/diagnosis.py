"""Finding the AADSTS code a sign-in failure hides: the authority's error page for the request (asked once,
without cookies, before any browser opens), the answer msal's failed discovery swallowed, and in the sandbox the
page its scripted browser stopped on."""

from __future__ import annotations

import html
import re
from pathlib import Path

from engine.env_vars import CHAINSIGHT_SANDBOX_STATE
from engine.host import Host

DISCOVERY_FAILED = re.compile(r"Unable to get authority configuration for (\S+?)\.? ")
# A page that asks someone to sign in (or hands a result back to the app) is never an error page, whatever its
# scripts mention: the sandbox's forms, Entra's own user name field and its form_post answer.
SIGN_IN_PAGE_MARKERS = ('name="hiddenform"', 'id="login"', 'name="loginfmt"', '"loginfmt"')
PAGE_ERROR = re.compile(r"AADSTS(\d+): ([^\"<\\]+)")


def preflight(host: Host, url: str) -> str | None:
    """The AADSTS line of an error page the authority shows for ``url`` before any sign-in, else None."""
    session = host.session()
    try:
        response = session.get(url, timeout=10, allow_redirects=False)
    except Exception:  # unreachable now: the browser will say so, and msal already reached the authority
        return None
    finally:
        session.close()
    text = response.text
    if any(marker in text for marker in SIGN_IN_PAGE_MARKERS):
        return None  # a sign-in page, or a refusal that goes back to the app through the redirect
    match = PAGE_ERROR.search(html.unescape(text))
    return f"AADSTS{match[1]}: {match[2].strip()}" if match else None


def _sandbox_browser_log(host: Host) -> Path | None:
    state = host.env.get(CHAINSIGHT_SANDBOX_STATE)
    return Path(state).parent / "browser.log" if state else None


def log_offset(host: Host) -> int:
    log = _sandbox_browser_log(host)
    try:
        return log.stat().st_size if log else 0
    except OSError:
        return 0


def sandbox_browser_page(host: Host, since: int = 0) -> str | None:
    """In the sandbox, the scripted browser logs the AADSTS page it stopped on (a real browser window shows it);
    only lines written after ``since`` (this sign-in's start) count."""
    log = _sandbox_browser_log(host)
    if log is None:
        return None
    try:
        with log.open("rb") as f:
            f.seek(since)
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        match = PAGE_ERROR.search(line)
        if match:
            return f"AADSTS{match[1]}: {match[2].strip()}"
    return None


def discovery_error(host: Host, text: str) -> str | None:
    """msal's "Unable to get authority configuration for URL" hides the authority's answer: ask for it again."""
    match = DISCOVERY_FAILED.search(text)
    if not match:
        return None
    session = host.session()
    try:
        body = session.get(match[1].rstrip("/") + "/v2.0/.well-known/openid-configuration", timeout=10).json()
    except Exception:
        return None
    finally:
        session.close()
    description = body.get("error_description") if isinstance(body, dict) else None
    return str(description) if description and "AADSTS" in str(description) else None
