"""The engine's credentials with the workbench watching: the authorization URL handed to the browser, the
redirect received, the token result (for the ID token's claims) and the device code shown."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from engine.credentials.device_code import DeviceCodeCredential
from engine.credentials.interactive_browser import InteractiveBrowserCredential
from engine.host import Host
from engine.signin import exchange
from engine.signin.diagnosis import preflight
from engine.signin.result import SignInResult

DEVICE_CODE_MESSAGE = "To sign in, use a web browser to open the page {uri} and enter the code {code} to authenticate."


class AuthorizePageError(Exception):
    """The authority answered the authorization request with an AADSTS page: no browser is worth opening."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Observer:
    def __init__(self, result: SignInResult) -> None:
        self.result = result

    def authorize(self, url: str) -> None:
        self.result.authorize_request = exchange.authorize_request(url)
        self.result.authorize_url = exchange.masked_url(url)

    def redirect(self, fields: dict[str, Any]) -> None:
        self.result.redirect = exchange.redirect_received(fields)

    def token_result(self, msal_result: dict[str, Any]) -> None:
        claims = dict(msal_result.get("id_token_claims") or {})
        if "nonce" in claims:  # the request's nonce echoed: masked as in the request table
            claims["nonce"] = exchange.mask(str(claims["nonce"]))
        self.result.id_token_claims = claims


class ObservedBrowserCredential(InteractiveBrowserCredential):
    """InteractiveBrowserCredential whose request, redirect and token result the workbench sees."""

    def __init__(self, *, observer: Observer, **kwargs: Any) -> None:
        self._observer = observer
        super().__init__(**kwargs)

    def _start_server(self):  # type: ignore[no-untyped-def]
        server, redirect_uri = super()._start_server()
        wait = server.wait_for_redirect

        def observed_wait() -> dict[str, Any]:
            response = wait()
            self._observer.redirect(response)
            return response

        server.wait_for_redirect = observed_wait  # type: ignore[method-assign]
        return server, redirect_uri

    def _request_token(self, *scopes: str, **kwargs: Any) -> dict:
        result = super()._request_token(*scopes, **kwargs)
        self._observer.token_result(result)
        return result


class ObservedDeviceCodeCredential(DeviceCodeCredential):
    """DeviceCodeCredential whose token result the workbench sees."""

    def __init__(self, *, observer: Observer, **kwargs: Any) -> None:
        self._observer = observer
        super().__init__(**kwargs)

    def _request_token(self, *scopes: str, **kwargs: Any) -> dict:
        result = super()._request_token(*scopes, **kwargs)
        self._observer.token_result(result)
        return result


def device_prompt(result: SignInResult, shown: Callable[[str], None] | None):  # type: ignore[no-untyped-def]
    def prompt(verification_uri: str, user_code: str, expires_on: datetime.datetime) -> None:
        result.device_code = {
            "verification_uri": verification_uri,
            "user_code": user_code,
            "expires_on": expires_on.astimezone().isoformat(timespec="seconds"),
        }
        if shown is not None:
            shown(DEVICE_CODE_MESSAGE.format(uri=verification_uri, code=user_code))

    return prompt


def recording_host(host: Host, observer: Observer) -> Host:
    opener: Callable[[str], bool] | None = host.browser

    def open_and_record(url: str) -> bool:
        observer.authorize(url)
        page = preflight(host, url)
        if page:
            raise AuthorizePageError(page)
        if opener is not None:
            return opener(url)
        import webbrowser

        return webbrowser.open(url)

    return dataclasses.replace(host, browser=open_and_record)
