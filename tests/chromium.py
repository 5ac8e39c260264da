"""A real headless Chromium as the sign-in browser, driven over the DevTools protocol (aiohttp's websocket).

It goes through the sandbox's proxy (so login.microsoftonline.com is the sandbox authority) and straight to
localhost for the redirect, like a person's browser: it picks the account on the picker, types the password,
approves MFA, accepts consent, and stops on an AADSTS page. ``pages`` lists what it saw, in order.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEVTOOLS = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")
# One step per poll: report the page, act once (the flag resets on every new page).
STEP_JS = """(() => {
  const act = (fn) => { if (!window.__acted) { window.__acted = 1; fn(); } };
  const error = document.querySelector('#error');
  if (error) return 'error:' + error.textContent;
  if (document.body && document.body.innerText.includes('Authentication complete')) return 'done';
  const accounts = [...document.querySelectorAll('a.account')];
  if (accounts.length) {
    const pick = accounts.find(a => a.dataset.upn === %(account)s) || accounts[0];
    act(() => pick.click()); return 'picker';
  }
  for (const id of ['consent', 'mfa']) {
    const form = document.querySelector('form#' + id);
    if (form) { act(() => form.submit()); return id; }
  }
  const login = document.querySelector('form#login');
  if (login) {
    if (login.querySelector('.error').textContent) return 'error:AADSTS' + login.querySelector('.error').dataset.code + ': ' + login.querySelector('.error').textContent;
    act(() => { login.passwd.value = %(password)s; login.submit(); }); return 'login';
  }
  return 'wait';
})()"""


def available() -> bool:
    return Path(CHROMIUM).exists()


class HeadlessChromium:
    """``open(url)`` returns at once (as webbrowser.open does) and drives the pages in a thread."""

    def __init__(self, proxy_url: str, *, account: str = "", password: str = "", timeout: float = 60) -> None:
        self.proxy_url = proxy_url
        self.account = account
        self.password = password
        self.timeout = timeout
        self.pages: list[str] = []
        self.finished = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self, url: str) -> bool:
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float = 90) -> list[str]:
        self.finished.wait(timeout)
        return self.pages

    def _run(self, url: str) -> None:
        profile = tempfile.mkdtemp(prefix="chainsight-chromium-")
        argv = [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--ignore-certificate-errors",
            f"--proxy-server={self.proxy_url}",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            port = self._devtools_port(proc)
            asyncio.run(self._drive(port, url))
        except Exception as ex:  # recorded, so the test shows why the browser stopped
            self.pages.append(f"driver failed: {ex}")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(profile, ignore_errors=True)
            self.finished.set()

    def _devtools_port(self, proc: subprocess.Popen) -> int:
        assert proc.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            match = DEVTOOLS.search(line)
            if match:
                threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
                return int(match[2])
        raise RuntimeError("chromium did not start its DevTools endpoint")

    async def _drive(self, port: int, url: str) -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        script = STEP_JS % {"account": json.dumps(self.account), "password": json.dumps(self.password)}
        async with aiohttp.ClientSession() as session, session.ws_connect(target["webSocketDebuggerUrl"]) as ws:
            ids = iter(range(1, 10_000))

            async def call(method: str, **params: object) -> dict:
                call_id = next(ids)
                await ws.send_json({"id": call_id, "method": method, "params": params})
                while True:
                    message = await ws.receive_json(timeout=30)
                    if message.get("id") == call_id:
                        return message

            await call("Page.navigate", url=url)
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                reply = await call("Runtime.evaluate", expression=script, returnByValue=True)
                state = reply.get("result", {}).get("result", {}).get("value") or "wait"
                if state != "wait" and (not self.pages or self.pages[-1] != state):
                    self.pages.append(state)
                if state == "done" or state.startswith("error:"):
                    return
                await asyncio.sleep(0.2)
            self.pages.append("timed out")
