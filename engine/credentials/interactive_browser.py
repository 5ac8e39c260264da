"""InteractiveBrowserCredential: sign in through the system browser (auth code + PKCE, localhost).

MSAL builds the authorization URL (``form_post``, ``select_account``) and redeems the code; our own
listener on localhost (ports 8400-8999, or the given redirect URI) receives the redirect, as
azure-identity's does. After a sign-in the credential keeps an AuthenticationRecord and answers later
calls silently from MSAL's cache. Its log lines are never lowered inside a chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID
from engine.context import within_dac
from engine.credentials._internal import interactive_browser_probe
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.base import Credential
from engine.credentials._internal.cache_persistence import CACHE_NAME, load_token_cache
from engine.credentials._internal.decorators import wrap_exceptions
from engine.credentials._internal.interactive import InteractiveCredential
from engine.credentials._internal.redirect_server import RedirectServer
from engine.credentials._internal.system_browser import open_browser
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import Probe
from engine.validation import validate_tenant_id

DEFAULT_TENANT = "organizations"
DEFAULT_TIMEOUT = 300
PORTS = range(8400, 9000)
BAD_REDIRECT_URI = '"redirect_uri" must be a URL with port number, for example "http://localhost:8400"'
NO_SERVER = "Couldn't start an HTTP server on "
NO_SERVER_ON_LOCALHOST = "Couldn't start an HTTP server on localhost"
NO_FLOW = "Failed to begin authentication flow"
NO_BROWSER = "Failed to open a browser"
TIMED_OUT = "Timed out after waiting {} seconds for the user to authenticate"
NEEDS_SCOPES = "Authenticating in this environment requires a value for the 'scopes' keyword argument."
# authenticate()'s default scope per known cloud (the ARM scope, with azure-identity's double slash).
DEFAULT_AUTHENTICATE_SCOPES = {
    "https://login.chinacloudapi.cn": ("https://management.core.chinacloudapi.cn//.default",),
    "https://login.microsoftonline.us": ("https://management.core.usgovcloudapi.net//.default",),
    "https://login.microsoftonline.com": ("https://management.core.windows.net//.default",),
}


class InteractiveBrowserCredential(InteractiveCredential):
    def __init__(self, *, host: Host, **kwargs: Any) -> None:
        redirect_uri = kwargs.pop("redirect_uri", None)
        self._parsed_url = None
        if redirect_uri:
            self._parsed_url = urlsplit(redirect_uri)
            if not (self._parsed_url.hostname and self._parsed_url.port):
                raise ValueError(BAD_REDIRECT_URI)
        Credential.__init__(self, host=host)
        self._login_hint = kwargs.pop("login_hint", None)
        self._timeout = kwargs.pop("timeout", DEFAULT_TIMEOUT)
        self._disable_automatic_authentication = kwargs.pop("disable_automatic_authentication", False)
        self._cache_options = kwargs.pop("cache_persistence_options", None)
        client_id = kwargs.pop("client_id", None) or DEVELOPER_SIGN_ON_CLIENT_ID
        record = _as_record(kwargs.pop("authentication_record", None))
        self._auth_record = record
        if record is not None:  # the record decides the app, the cloud and (unless given) the tenant
            client_id = record.client_id
            kwargs["authority"] = record.authority
            kwargs["tenant_id"] = kwargs.get("tenant_id") or record.tenant_id
        tenant_id = kwargs.pop("tenant_id", None) or DEFAULT_TENANT
        validate_tenant_id(tenant_id)
        self._init_msal(host, client_id, None, tenant_id=tenant_id, **kwargs)
        self._options = kwargs

    def authenticate(
        self,
        *,
        scopes: Iterable[str] | None = None,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AuthenticationRecord:
        """Sign in interactively (always), and return the record of who signed in."""
        if not scopes:
            if self._authority not in DEFAULT_AUTHENTICATE_SCOPES:
                raise CredentialUnavailableError(message=NEEDS_SCOPES)
            scopes = DEFAULT_AUTHENTICATE_SCOPES[self._authority]
        self.get_token(*scopes, _allow_prompt=True, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)
        assert self._auth_record is not None
        return self._auth_record

    @wrap_exceptions
    def _request_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> dict:
        server, redirect_uri = self._start_server()
        try:
            app = self._get_app(**kwargs)
            flow = app.initiate_auth_code_flow(
                list(scopes),
                redirect_uri=redirect_uri,
                prompt="select_account",
                claims_challenge=claims,
                login_hint=self._login_hint,
                response_mode="form_post",
            )
            if "auth_uri" not in flow:
                raise CredentialUnavailableError(NO_FLOW)
            if not open_browser(self.host, flow["auth_uri"]):
                raise CredentialUnavailableError(message=NO_BROWSER)
            response = server.wait_for_redirect()
        finally:
            server.server_close()
        if not response:
            error = CredentialUnavailableError if within_dac.get() else ClientAuthenticationError
            raise error(message=TIMED_OUT.format(self._timeout))
        return app.acquire_token_by_auth_code_flow(flow, response, scopes=list(scopes), claims_challenge=claims)

    def _start_server(self) -> tuple[RedirectServer, str]:
        if self._parsed_url is not None:
            hostname, port = self._parsed_url.hostname, self._parsed_url.port
            redirect_uri = f"http://{hostname}:{port}"
            try:
                return RedirectServer(hostname, port, self._timeout), redirect_uri
            except OSError as ex:
                raise CredentialUnavailableError(message=NO_SERVER + redirect_uri) from ex
        for port in PORTS:
            try:
                return RedirectServer("localhost", port, self._timeout), f"http://localhost:{port}"
            except OSError:
                continue  # taken: try the next one
        raise CredentialUnavailableError(message=NO_SERVER_ON_LOCALHOST)

    def _get_app(self, tenant_id: str | None = None, enable_cae: bool = False, **kwargs: Any):
        if self._cache_options is not None:  # a persistent cache, opened on first use as azure-identity does
            attribute = "_cae_cache" if enable_cae else "_cache"
            if getattr(self, attribute) is None:
                name = _option(self._cache_options, "name", CACHE_NAME)
                unencrypted = bool(_option(self._cache_options, "allow_unencrypted_storage", False))
                cache = load_token_cache(self.host, enable_cae, base_name=name, allow_unencrypted=unencrypted)
                setattr(self, attribute, cache)
        return super()._get_app(tenant_id=tenant_id, enable_cae=enable_cae)

    # ---- probe --------------------------------------------------------------------------------
    def probe(self) -> Probe:
        """Is there a browser to hand the page to, and a port to listen on? Nothing is opened."""
        return interactive_browser_probe.probe(
            self.host,
            name=type(self).__name__,
            redirect=(self._parsed_url.hostname, self._parsed_url.port) if self._parsed_url else None,
            ports=PORTS,
            timeout=self._timeout,
            record=self._auth_record,
            automatic=not self._disable_automatic_authentication,
            authority=self._authority,
            tenant_id=self._tenant_id,
        )


def _option(options: Any, name: str, default: Any) -> Any:
    return options.get(name, default) if isinstance(options, dict) else getattr(options, name, default)


def _as_record(value: Any) -> AuthenticationRecord | None:
    if value is None or isinstance(value, AuthenticationRecord):
        return value
    if isinstance(value, str):
        return AuthenticationRecord.deserialize(value)
    fields = ("tenant_id", "client_id", "authority", "home_account_id", "username")
    return AuthenticationRecord(**{f: getattr(value, f) for f in fields})
