"""Handing the sign-in page to the user's browser, as azure-identity does, and guessing whether one exists.

``open_browser`` is azure-identity's ``_open_browser``: ``webbrowser.open`` (through the Host, so tests and
the sandbox can supply a scripted browser), then on WSL ``powershell.exe Start-Process`` with a 5 s limit.
``describe_browser`` is the probe's static judgement of what ``webbrowser`` would find on the host.
"""

from __future__ import annotations

from engine.host import Host

WSL_TIMEOUT = 5
# What Python's webbrowser module tries on Linux: graphical launchers need a display, console ones do not.
GRAPHICAL_LAUNCHERS = (
    "xdg-open",
    "gio",
    "gvfs-open",
    "x-www-browser",
    "firefox",
    "google-chrome",
    "chromium",
    "chromium-browser",
    "microsoft-edge",
    "opera",
    "epiphany",
    "konqueror",
)
CONSOLE_BROWSERS = ("www-browser", "links", "elinks", "lynx", "w3m")


def open_browser(host: Host, url: str) -> bool:
    """True when a browser took the URL; on WSL falls back to the Windows side's default browser."""
    opened = host.open_browser(url)
    if not opened and host.is_wsl:
        try:
            result = host.run(
                ["powershell.exe", "-NoProfile", "-Command", f'Start-Process "{url}"'],
                timeout=WSL_TIMEOUT,
                label="powershell.exe Start-Process (WSL browser fallback)",
            )
            opened = result.returncode == 0
        except Exception:  # powershell.exe missing, or it timed out
            pass
    return opened


def describe_browser(host: Host) -> tuple[bool, str]:
    """(likely to open, why): what webbrowser.open would use on this host, judged from its environment."""
    if host.browser is not None:
        return True, "the browser the host supplies"
    if host.env.get("BROWSER"):
        return True, f"BROWSER={host.env['BROWSER']}"
    if host.system in ("Windows", "Darwin"):
        return True, "the system's default browser"
    display = host.env.get("WAYLAND_DISPLAY") or host.env.get("DISPLAY")
    if display:
        found = next((name for name in GRAPHICAL_LAUNCHERS if host.which(name)), None)
        if found:
            return True, f"{found} on display {display}"
    console = next((name for name in CONSOLE_BROWSERS if host.which(name)), None)
    if console:
        return True, f"only the console browser {console} (it takes over the terminal)"
    if host.is_wsl:
        if host.which("powershell.exe"):
            return True, "WSL: the Windows default browser through powershell.exe"
        return False, "WSL without powershell.exe on PATH and no Linux browser"
    if not display:
        return False, "no DISPLAY or WAYLAND_DISPLAY and no BROWSER: webbrowser finds no browser"
    return False, f"display {display} but no browser launcher on PATH"
