"""A scripted browser for the authorize flow: picks the scenario's account, signs in, submits form_post.

Used as the sandbox's BROWSER (detached, like a real browser launcher) and directly by tests.
"""

from __future__ import annotations

import html
import html.parser
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass, field

import requests

MAX_STEPS = 12
STUCK = "scripted browser: no way forward on {url} (status {status})"
ERROR_PAGE = "scripted browser: the sign-in page shows {error}"
DEVICE_DONE = "id='device-done'"
WRONG_PASSWORD_TEXT = re.compile(r'<p class="error" data-code="(\d+)">([^<]+)</p>')
ERROR_PAGE_TEXT = re.compile(r"<p id='error' data-code='\d+'>(AADSTS\d+: [^<]*)</p>")


@dataclass
class _Page:
    links: list[dict[str, str]] = field(default_factory=list)
    forms: list[dict[str, object]] = field(default_factory=list)


class _Parser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = _Page()
        self._form: dict[str, object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.page.links.append(a)
        elif tag == "form":
            self._form = {**a, "inputs": {}}
            self.page.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            self._form["inputs"][a["name"]] = a.get("value", "")  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def parse(text: str) -> _Page:
    parser = _Parser()
    parser.feed(text)
    return parser.page


class BrowserPageError(RuntimeError):
    """The authority showed an AADSTS error page: the browser stops there, and nothing reaches the app."""

    def __init__(self, text: str) -> None:
        super().__init__(ERROR_PAGE.format(error=text))
        self.text = text
        self.code = int(text.removeprefix("AADSTS").split(":", 1)[0])


class ScriptedBrowser:
    """Follows the sandbox's sign-in pages like a person would: choose `account` (else the first account the
    picker offers, which is the hinted one), type `password` (else that account's entry in `passwords`), approve
    MFA, and accept (or, with consent="decline", refuse) the consent page."""

    def __init__(
        self,
        account: str = "",
        password: str = "",
        session: requests.Session | None = None,
        passwords: dict[str, str] | None = None,
        consent: str = "accept",
    ) -> None:
        self.account = account
        self.password = password
        self.passwords = dict(passwords or {})
        self.consent = consent
        self.session = session or requests.Session()
        self.visited: list[str] = []

    def open(self, url: str) -> requests.Response:
        """Sign in at ``url`` and deliver the result to the app's redirect URI, as a browser does."""
        form = self.walk(url)
        return self.session.post(str(form["action"]), data=form["inputs"], timeout=30)

    def walk(self, url: str) -> dict[str, object]:
        """Follow the pages up to the form_post back to the app and return that form (action and inputs) unsent.

        Raises BrowserPageError on an AADSTS page, RuntimeError when no way forward is found."""
        return self._follow(self.session.get(url, timeout=30))

    def device_sign_in(self, verification_uri: str, user_code: str) -> None:
        """What a person does with a device code: open the page, type the code, sign in. Raises like ``walk``."""
        page = parse(self.session.get(verification_uri, timeout=30).text)
        form = next(f for f in page.forms if f.get("id") == "devicecode")
        self._follow(self.session.post(str(form["action"]), data={"otc": user_code}, timeout=30))

    def _follow(self, response: requests.Response) -> dict[str, object]:
        for _ in range(MAX_STEPS):
            self.visited.append(response.url)
            page = parse(response.text)
            forms = page.forms
            if forms and forms[0].get("name") == "hiddenform":  # form_post: the redirect back to the app
                return forms[0]
            error = ERROR_PAGE_TEXT.search(response.text)
            if error:
                raise BrowserPageError(html.unescape(error[1]))
            if DEVICE_DONE in response.text:
                return {"action": "", "inputs": {}}
            by_id = {f.get("id"): f for f in forms}
            button = by_id.get("mfa") or by_id.get("consent-decline" if self.consent == "decline" else "consent")
            if button is not None:
                response = self.session.post(str(button["action"]), data=button["inputs"], timeout=30)
                continue
            choice = self._choose(page)
            if choice:
                response = self.session.get(choice, timeout=30)
                continue
            login = by_id.get("login")
            if login is None or "passwd" not in login["inputs"]:
                raise RuntimeError(STUCK.format(url=response.url, status=response.status_code))
            if self.visited.count(response.url) > 1:  # typed once already: the page says why it refused
                refused = WRONG_PASSWORD_TEXT.search(response.text)
                if refused:
                    raise BrowserPageError(f"AADSTS{refused[1]}: {html.unescape(refused[2])}")
                raise RuntimeError(STUCK.format(url=response.url, status=response.status_code))
            inputs = dict(login["inputs"])  # type: ignore[arg-type]
            login_name = self.account or str(inputs.get("login", ""))
            inputs.update(login=login_name, passwd=self.password or self.passwords.get(login_name.lower(), ""))
            response = self.session.post(str(login["action"]), data=inputs, timeout=30)
        raise RuntimeError(STUCK.format(url=response.url, status=response.status_code))

    def _choose(self, page: _Page) -> str:
        accounts = [link for link in page.links if link.get("class") == "account"]
        if not accounts:
            return ""
        pick = next((a for a in accounts if a.get("data-upn", "").lower() == self.account.lower()), None)
        if pick is None and not self.account:
            pick = accounts[0]
        if pick is None:
            pick = next((link for link in page.links if link.get("class") == "other"), accounts[0])
        return pick["href"]


def main(argv: list[str]) -> int:
    """BROWSER entry point: detach at once (webbrowser waits for us), then drive the flow in the child."""
    if not argv:
        return 2
    if os.fork():
        return 0
    os.setsid()
    from engine.sandbox.tools.common import load_state

    state = load_state("browser")
    log = open(os.path.join(os.path.dirname(state["_path"]), "browser.log"), "a")  # noqa: SIM115
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    spec = state.get("browser", {})
    try:
        browser = ScriptedBrowser(
            spec.get("choose", ""),
            spec.get("password", ""),
            passwords=spec.get("passwords"),
            consent=spec.get("consent", "accept"),
        )
        response = browser.open(argv[0])
        print("browser: done", response.status_code, urllib.parse.urlsplit(response.url).netloc, flush=True)
    except Exception as err:  # a browser that fails just stops; the app sees its own timeout
        print("browser: failed:", err, flush=True)
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
