"""ChainedTokenCredential: try each credential in turn; continue past unavailable, stop on failure."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from engine import events
from engine.account import Account
from engine.context import within_credential_chain
from engine.errors import ClientAuthenticationError, CredentialUnavailableError, attempt_text
from engine.token import AccessToken
from engine.token_request import GET_TOKEN, GET_TOKEN_INFO, calling, current_api

TROUBLESHOOT_URL = "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot"
CHAIN_LOGGER = "azure.identity._credentials.chained"
NO_CREDENTIALS = "at least one credential is required"
POP_UNSUPPORTED = "Proof of possession arguments are not supported for this credential."


def credential_name(credential: object) -> str:
    """The name a chain shows for a member: ``_credential_name`` if it has one, else its class."""
    return getattr(credential, "_credential_name", None) or type(credential).__name__


def aggregate_message(chain_name: str, history: list[tuple[object, str | None]]) -> str:
    """azure-identity's "failed to retrieve a token" message, byte for byte."""
    entries = [f"{credential_name(c)}: {err}" if err else credential_name(c) for c, err in history]
    return (
        f"{chain_name} failed to retrieve a token from the included credentials."
        "\nAttempted credentials:\n\t" + "\n\t".join(entries) + "\nTo mitigate this issue, please refer to "
        f"the troubleshooting guidelines here at {TROUBLESHOOT_URL}."
    )


@contextlib.contextmanager
def attempt(credential: object, *, locked_in: bool = False) -> Iterator[_Attempt]:
    """Record one attempt of ``credential``; the body reports its outcome through the handle."""
    recorder = events.current_recorder()
    handle = _Attempt(recorder, credential, locked_in)
    with events.attempt_context(handle.index if recorder else None):
        try:
            yield handle
        except events.RunCancelled:
            handle.finish(events.CANCELLED, "cancelled", None)
            raise
        except BaseException as ex:
            if not handle.finished:
                outcome = events.UNAVAILABLE if isinstance(ex, CredentialUnavailableError) else events.FAILED
                handle.finish(outcome, attempt_text(ex), ex)
            raise


class _Attempt:
    def __init__(self, recorder: events.Recorder | None, credential: object, locked_in: bool) -> None:
        self.recorder = recorder
        self.name = credential_name(credential)
        self.finished = False
        self.index = recorder.next_attempt() if recorder else -1
        if recorder:
            recorder.emit(
                events.AttemptStarted(self.index, self.name, type(credential).__name__, recorder.now(), locked_in)
            )

    def succeed(self, token: AccessToken) -> None:
        self.finish(events.SUCCEEDED, None, None, _account_of(token), token.expires_on)

    def finish(
        self,
        outcome: str,
        message: str | None,
        error: BaseException | None,
        account: Account | None = None,
        expires_on: int | None = None,
    ) -> None:
        if self.finished:
            return
        self.finished = True
        if self.recorder:
            self.recorder.emit(
                events.AttemptFinished(
                    self.index,
                    self.name,
                    outcome,
                    message,
                    self.recorder.now(),
                    type(error).__name__ if error is not None else None,
                    account,
                    expires_on,
                )
            )


def member_token_info(credential: Any, scopes: Sequence[str], options: Mapping[str, Any]) -> AccessToken:
    """A member's get_token_info, or (a member without one) its get_token with the options as keywords."""
    if hasattr(credential, "get_token_info"):
        return credential.get_token_info(*scopes, options=options)
    if options.get("pop"):
        raise CredentialUnavailableError(POP_UNSUPPORTED)
    with calling(GET_TOKEN):
        return credential.get_token(*scopes, **options)


def _account_of(token: AccessToken) -> Account | None:
    try:
        return Account.from_token(token.token)
    except Exception:
        return None  # opaque (non-JWT) tokens are legal; the attempt still succeeded


class ChainedTokenCredential:
    """A sequence of credentials tried in order, re-walked on every call (no lock-in)."""

    def __init__(self, *credentials: Any) -> None:
        if not credentials:
            raise ValueError(NO_CREDENTIALS)
        self.credentials = tuple(credentials)
        self._successful_credential: Any = None

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        def ask(credential: Any) -> AccessToken:  # azure-identity prefers a member's get_token here
            return credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)

        with calling(GET_TOKEN):
            return self._walk(ask)

    def get_token_info(self, *scopes: str, options: Mapping[str, Any] | None = None) -> AccessToken:
        """What Azure SDK clients call: each member's get_token_info with ``options`` as given."""
        options = dict(options or {})
        with calling(GET_TOKEN_INFO):
            return self._walk(lambda credential: member_token_info(credential, scopes, options))

    def _walk(self, ask: Callable[[Any], AccessToken]) -> AccessToken:
        """Try each member with ``ask`` in order: continue past unavailable, stop at the first failure."""
        api = current_api()
        within_credential_chain.set(True)
        history: list[tuple[object, str | None]] = []
        for credential in self.credentials:
            try:
                events.check_cancelled()  # no member starts once cancel is requested
            except events.RunCancelled:
                within_credential_chain.set(False)  # a cancelled walk must not leave later calls "in a chain"
                raise
            with attempt(credential) as current:
                try:
                    token = ask(credential)
                except events.RunCancelled:  # abandoned in flight: not azure-identity's, so leave no trace
                    within_credential_chain.set(False)
                    raise
                except CredentialUnavailableError as ex:
                    current.finish(events.UNAVAILABLE, ex.message, ex)
                    history.append((credential, ex.message))
                    continue
                except Exception as ex:
                    current.finish(events.FAILED, attempt_text(ex), ex)
                    history.append((credential, attempt_text(ex)))
                    events.log(
                        CHAIN_LOGGER,
                        logging.DEBUG,
                        f"{type(self).__name__}.{api} failed: {type(credential).__name__} raised "
                        f'unexpected error "{ex}"',
                    )
                    break
                current.succeed(token)
                self._successful_credential = credential
                within_credential_chain.set(False)
                events.log(
                    CHAIN_LOGGER,
                    logging.INFO,
                    f"{type(self).__name__} acquired a token from {type(credential).__name__}",
                )
                return token
        within_credential_chain.set(False)
        message = aggregate_message(type(self).__name__, history)
        events.log(CHAIN_LOGGER, logging.WARNING, message)
        raise ClientAuthenticationError(message=message)

    def close(self) -> None:
        for credential in self.credentials:
            close = getattr(credential, "close", None)
            if close:
                close()

    def __enter__(self) -> ChainedTokenCredential:
        for credential in self.credentials:
            enter = getattr(credential, "__enter__", None)
            if enter:
                enter()
        return self

    def __exit__(self, *args: object) -> None:
        self.close()
