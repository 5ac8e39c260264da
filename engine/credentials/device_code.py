"""DeviceCodeCredential: sign in on another device with a code, as azure-identity's does.

MSAL starts the flow (``initiate_device_flow``); the code and the page to visit go to ``prompt_callback`` (or
stdout), then MSAL polls the token endpoint until the person finishes, the code expires, or ``timeout`` passes.
It shares InteractiveCredential's construction (authentication record, persistent cache, automatic
authentication), which the engine keeps on InteractiveBrowserCredential; only the flow differs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from engine.credentials._internal.decorators import wrap_exceptions
from engine.credentials._internal.interactive_browser_probe import NEEDS_PROMPT
from engine.credentials.interactive_browser import InteractiveBrowserCredential
from engine.errors import ClientAuthenticationError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, Probe

COULD_NOT_BEGIN = "Couldn't begin authentication: {}"
TIMED_OUT = "Timed out waiting for user to authenticate"
WOULD_PROMPT = "would show a code to enter at the authority's device login page, then poll until someone signs in"

PromptCallback = Callable[[str, str, datetime], None]


class DeviceCodeCredential(InteractiveBrowserCredential):
    def __init__(
        self,
        client_id: str | None = None,
        *,
        host: Host,
        timeout: int | None = None,
        prompt_callback: PromptCallback | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("redirect_uri", None)  # not options of this credential
        kwargs.pop("login_hint", None)
        super().__init__(host=host, client_id=client_id, **kwargs)
        self._timeout = timeout  # None: MSAL stops when the code expires
        self._prompt_callback = prompt_callback

    @wrap_exceptions
    def _request_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> dict:
        app = self._get_app(**kwargs)
        flow = app.initiate_device_flow(list(scopes))
        if "error" in flow:
            raise ClientAuthenticationError(
                message=COULD_NOT_BEGIN.format(flow.get("error_description") or flow.get("error"))
            )
        if self._prompt_callback:
            expires = datetime.fromtimestamp(flow["expires_at"], timezone.utc)
            self._prompt_callback(flow["verification_uri"], flow["user_code"], expires)
        else:
            print(flow["message"])
        if self._timeout is not None and self._timeout < flow["expires_in"]:
            deadline = int(self.host.time()) + self._timeout
            result = app.acquire_token_by_device_flow(
                flow, exit_condition=lambda _flow: self.host.time() > deadline, claims_challenge=claims
            )
        else:
            result = app.acquire_token_by_device_flow(flow, claims_challenge=claims)
        if "access_token" not in result and result.get("error") == "authorization_pending":
            raise ClientAuthenticationError(message=TIMED_OUT)
        return result

    def probe(self) -> Probe:
        """Nothing to check on this machine: the person signs in elsewhere."""
        started = self.host.monotonic()
        if self._auth_record is None and self._disable_automatic_authentication:
            return Probe(type(self).__name__, UNAVAILABLE, NEEDS_PROMPT, None, self.host.monotonic() - started)
        return Probe(type(self).__name__, AVAILABLE, WOULD_PROMPT, None, self.host.monotonic() - started)
