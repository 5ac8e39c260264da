"""One sign-in through the engine's own InteractiveBrowserCredential, recorded for the workbench.

It records the authorization request (state, nonce and challenge masked) and the redirect received (code
masked), decodes the ID token's and access token's claims, keeps the AuthenticationRecord, and explains an AADSTS
error. Before handing the page to the browser it asks the authority for the same URL once, without cookies: a
request Entra refuses outright (unknown app, unlisted redirect URI, unknown tenant) shows its AADSTS page there,
and the workbench reports it at once instead of waiting for someone to read the browser window.
The access token itself is decoded for its claims and then dropped: it is never part of the result.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msal

from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.client_credential_base import token_from_result
from engine.credentials._internal.decorators import AUTHENTICATION_FAILED
from engine.errors import AuthenticationRequiredError, ClientAuthenticationError
from engine.host import Host
from engine.signin import claims as claims_mod
from engine.signin.aadsts import SignInContext, explain
from engine.signin.diagnosis import discovery_error, log_offset, sandbox_browser_page
from engine.signin.observed import (
    AuthorizePageError,
    ObservedBrowserCredential,
    ObservedDeviceCodeCredential,
    Observer,
    device_prompt,
    recording_host,
)
from engine.signin.options import SignInOptions
from engine.signin.result import SignInResult, SignInUsageError

__all__ = ["SignInResult", "SignInUsageError", "home_tenant", "load_record", "sign_in"]

NOT_SIGNED_IN = (
    "No remembered account can be used silently: {why}. Sign in without --silent first (with a cache name, "
    "so the account is remembered)."
)
NO_ACCOUNT = "the cache {name!r} holds no account for client {client_id}"
SEVERAL_ACCOUNTS = (
    "the cache holds several accounts ({names}); choose one with a login hint or an authentication record"
)
NO_CACHE_FOR_SILENT = "no persistent cache is named, so nothing is remembered between runs"
BAD_RECORD = "cannot read the authentication record {path}: {why}"
SAVE_FAILED = "signed in, but the authentication record could not be saved to {path}: {why}"


def load_record(path: str) -> AuthenticationRecord:
    try:
        return AuthenticationRecord.deserialize(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as ex:
        raise SignInUsageError(BAD_RECORD.format(path=path, why=ex)) from None


def sign_in(options: SignInOptions, host: Host, *, on_device_code: Callable[[str], None] | None = None) -> SignInResult:
    """Run the sign-in the options describe; errors are part of the result, usage errors raise SignInUsageError."""
    problems = options.problems()
    if problems:
        raise SignInUsageError("; ".join(problems))
    record = load_record(options.record_path) if options.record_path else None
    result = SignInResult()
    observer = Observer(result)
    kwargs = options.credential_kwargs()
    if record is not None:
        kwargs["authentication_record"] = record
    context = SignInContext(
        client_id=record.client_id if record else options.effective_client_id,
        tenant=options.tenant_id or (record.tenant_id if record else "organizations"),
        authority=options.authority_host,
        redirect_uri=options.redirect_uri,
        login_hint=options.login_hint,
        scopes=options.scopes,
    )
    try:
        if options.device_code:
            credential = ObservedDeviceCodeCredential(
                observer=observer, host=host, prompt_callback=device_prompt(result, on_device_code), **kwargs
            )
        else:
            credential = ObservedBrowserCredential(observer=observer, host=recording_host(host, observer), **kwargs)
    except ValueError as ex:
        raise SignInUsageError(str(ex)) from None
    request = {"claims": options.claims or None, "enable_cae": options.enable_cae}
    log_start = log_offset(host)
    try:
        if options.silent:
            token = _silent(credential, options, record, request, observer)
        elif options.disable_automatic_authentication and record is None:
            credential.authenticate(scopes=list(options.scopes), **request)
            token = credential.get_token(*options.scopes, _allow_prompt=False, **request)
        else:
            token = credential.get_token(*options.scopes, **request)
    except AuthorizePageError as ex:
        result.error = explain(ex.text, context)
        return result
    except Exception as ex:  # the credential's own error: its message is what the user's app would see
        page = ex.__cause__ if isinstance(ex.__cause__, AuthorizePageError) else None
        text = page.text if page else str(getattr(ex, "message", "") or ex)
        redirect_uri = result.authorize_request.get("redirect_uri", options.redirect_uri)
        shown = discovery_error(host, text) or sandbox_browser_page(host, since=log_start) or text
        result.error = explain(shown, dataclasses.replace(context, redirect_uri=redirect_uri))
        if text not in result.error.text and not page:
            result.notes.append(f"the credential said: {text}")
        return result
    finally:
        credential.close()
    _fill_success(result, credential, token.token.reveal(), options)  # decoded for its claims, then dropped
    return result


def _silent(credential, options, record, request, observer):  # type: ignore[no-untyped-def]
    """Only the cache: msal's silent request for the record's account (or the cache's only account).

    Unlike get_token, which turns every silent failure into "authentication required", this keeps the
    authority's answer (50076, 65001, 53003 ...) so the workbench can explain it."""
    if record is None:
        if not options.cache_name:
            raise AuthenticationRequiredError(options.scopes, message=NOT_SIGNED_IN.format(why=NO_CACHE_FOR_SILENT))
        record = _record_from_cache(credential, options)
    credential._auth_record = record
    app = credential._get_app(enable_cae=options.enable_cae)
    accounts = [
        a for a in app.get_accounts(username=record.username) if a.get("home_account_id") == record.home_account_id
    ]
    if not accounts:
        why = f"the cache has no account {record.username} for client {record.client_id}"
        raise AuthenticationRequiredError(options.scopes, message=NOT_SIGNED_IN.format(why=why))
    now = int(credential.host.time())
    msal_result = app.acquire_token_silent_with_error(
        list(options.scopes), account=accounts[0], claims_challenge=request["claims"]
    )
    if not msal_result:
        why = f"the cache has no token for {record.username} that can be refreshed for these scopes"
        raise AuthenticationRequiredError(options.scopes, message=NOT_SIGNED_IN.format(why=why))
    if "access_token" not in msal_result:
        message = msal_result.get("error_description") or msal_result.get("error")
        raise ClientAuthenticationError(message=AUTHENTICATION_FAILED.format(message))
    observer.token_result(msal_result)
    return token_from_result(msal_result, now)


def home_tenant(account: dict[str, Any]) -> str:
    """The account's home tenant: msal's realm is the authority's tenant segment (often "organizations")."""
    home = str(account.get("home_account_id", ""))
    return home.split(".", 1)[1] if "." in home else str(account.get("realm", ""))


def _record_from_cache(credential, options) -> AuthenticationRecord:  # type: ignore[no-untyped-def]
    app = credential._get_app(enable_cae=options.enable_cae)
    accounts = app.get_accounts(username=options.login_hint or None)
    name = options.cache_name
    if not accounts:
        why = NO_ACCOUNT.format(name=name, client_id=options.effective_client_id)
        raise AuthenticationRequiredError(options.scopes, message=NOT_SIGNED_IN.format(why=why))
    if len(accounts) > 1:
        names = ", ".join(sorted(a["username"] for a in accounts))
        raise AuthenticationRequiredError(
            options.scopes, message=NOT_SIGNED_IN.format(why=SEVERAL_ACCOUNTS.format(names=names))
        )
    account = accounts[0]
    return AuthenticationRecord(
        tenant_id=home_tenant(account),
        client_id=options.effective_client_id,
        authority=account.get("environment", ""),
        home_account_id=account["home_account_id"],
        username=account["username"],
    )


def _fill_success(result: SignInResult, credential, access_token: str, options: SignInOptions) -> None:  # type: ignore[no-untyped-def]
    try:
        result.access_token_claims = claims_mod.decode(access_token)
    except ValueError as ex:  # opaque tokens (e.g. for personal accounts' APIs) have no claims to show
        result.notes.append(f"access token claims unavailable: {ex}")
    record = credential._auth_record
    if not result.id_token_claims:
        result.id_token_claims = _cached_id_token_claims(credential, record, options)
    if record is not None:
        result.authentication_record = _record_json(record)
        result.account = {
            "username": record.username,
            "tenant_id": record.tenant_id,
            "object_id": str(result.id_token_claims.get("oid") or result.access_token_claims.get("oid", "")),
            "home_account_id": record.home_account_id,
        }
        if options.save_record_path:
            try:
                Path(options.save_record_path).write_text(record.serialize(), encoding="utf-8")
            except OSError as ex:
                result.notes.append(SAVE_FAILED.format(path=options.save_record_path, why=ex))


def _record_json(record: AuthenticationRecord) -> dict[str, str]:
    return json.loads(record.serialize())


def _cached_id_token_claims(credential, record, options) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A silent sign-in returns no ID token: read the one msal kept beside the account."""
    if record is None:
        return {}
    app = credential._get_app(enable_cae=options.enable_cae)
    found = app.token_cache.search(
        msal.TokenCache.CredentialType.ID_TOKEN, query={"home_account_id": record.home_account_id}
    )
    for entry in found:
        try:
            return claims_mod.decode(entry["secret"])
        except (KeyError, ValueError):
            continue
    return {}
