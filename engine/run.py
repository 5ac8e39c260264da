"""Running a chain: bind a Recorder, ask for a token, and fold the events into a ChainRun."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine import events
from engine.account import Account
from engine.chain import ChainedTokenCredential, attempt, credential_name
from engine.context import within_credential_chain, within_dac
from engine.errors import error_text
from engine.token import AccessToken
from engine.token_request import APIS, GET_TOKEN, GET_TOKEN_INFO, UNKNOWN_API, request_options

DEFAULT_SCOPE = "https://management.azure.com/.default"


@dataclass
class Step:
    index: int
    kind: str
    label: str
    started: float
    ended: float | None = None
    detail: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "started": round(self.started, 6),
            "duration": None if self.duration is None else round(self.duration, 6),
            "detail": {k: v for k, v in self.detail.items() if _jsonable(v)},
            **({"error": self.error} if self.error else {}),
        }


@dataclass
class Attempt:
    index: int
    credential: str
    credential_class: str
    started: float
    ended: float | None = None
    outcome: str | None = None  # None while running
    message: str | None = None
    error_type: str | None = None
    account: Account | None = None
    expires_on: int | None = None
    locked_in: bool = False
    steps: list[Step] = field(default_factory=list)
    logs: list[events.LogEmitted] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started

    @property
    def finished(self) -> bool:
        """It came to a verdict (succeeded, unavailable or failed): not still running, not cancelled."""
        return self.outcome not in (None, events.CANCELLED)

    def to_json(self) -> dict:
        return {
            "credential": self.credential,
            "outcome": self.outcome,
            "message": self.message,
            "started": round(self.started, 6),
            "duration": None if self.duration is None else round(self.duration, 6),
            "steps": [s.to_json() for s in self.steps],
            "account": account_json(self.account),
        }


def account_json(account: Account | None) -> dict | None:
    if account is None:
        return None
    return {
        "tenant_id": account.tenant_id,
        "object_id": account.object_id,
        "client_id": account.client_id,
        "upn": account.upn,
    }


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict))


@dataclass
class ChainRun:
    """Everything one run did, rebuilt from its events; the GUI folds the same events live."""

    chain: str = ""
    members: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    api: str = GET_TOKEN
    attempts: list[Attempt] = field(default_factory=list)
    outcome: str | None = None
    selected: str | None = None
    account: Account | None = None
    expires_on: int | None = None
    error: str | None = None
    error_type: str | None = None
    started: float = 0.0
    ended: float | None = None
    logs: list[events.LogEmitted] = field(default_factory=list)
    _steps: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_events(cls, items: Iterable[events.Event]) -> ChainRun:
        run = cls()
        for event in items:
            run.apply(event)
        return run

    def apply(self, event: events.Event) -> None:
        if isinstance(event, events.RunStarted):
            self.chain, self.members, self.scopes, self.started = (event.chain, event.members, event.scopes, event.t)
            self.api = event.api
        elif isinstance(event, events.AttemptStarted):
            self.attempts.append(
                Attempt(event.index, event.credential, event.credential_class, event.t, locked_in=event.locked_in)
            )
        elif isinstance(event, events.AttemptFinished):
            current = self.attempt(event.index)
            if current is not None:
                current.ended, current.outcome, current.message = event.t, event.outcome, event.message
                current.error_type, current.account, current.expires_on = (
                    event.error_type,
                    event.account,
                    event.expires_on,
                )
        elif isinstance(event, events.StepStarted):
            step = Step(event.step, event.kind, event.label, event.t, detail=dict(event.detail))
            self._steps[event.step] = step
            owner = self.attempt(event.attempt) if event.attempt is not None else None
            if owner is not None:
                owner.steps.append(step)
        elif isinstance(event, events.StepFinished):
            step = self._steps.get(event.step)
            if step is not None:
                step.ended, step.error = event.t, event.error
                step.detail.update(event.detail)
        elif isinstance(event, events.LogEmitted):
            self.logs.append(event)
            owner = self.attempt(event.attempt) if event.attempt is not None else None
            if owner is not None:
                owner.logs.append(event)
        elif isinstance(event, events.RunFinished):
            self.outcome, self.selected, self.error, self.ended = (
                event.outcome,
                event.selected,
                event.message,
                event.t,
            )
            self.error_type, self.account, self.expires_on = event.error_type, event.account, event.expires_on

    def attempt(self, index: int | None) -> Attempt | None:
        return next((a for a in self.attempts if a.index == index), None)

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started

    def log_lines(self, level: int = logging.DEBUG) -> list[str]:
        """The run's log in azure.identity's format: ``LEVEL logger: message``."""
        return [f"{logging.getLevelName(r.level)} {r.logger}: {r.message}" for r in self.logs if r.level >= level]

    def to_json(self) -> dict:
        return {
            "chain": self.chain,
            "members": list(self.members),
            "scopes": list(self.scopes),
            "api": self.api,
            "attempts": [a.to_json() for a in self.attempts],
            "selected": self.selected,
            "account": account_json(self.account),
            "expires_on": self.expires_on,
            "error": self.error,
            "cancelled": self.outcome == events.CANCELLED,
        }


def member_names(credential: Any) -> tuple[str, ...]:
    members = getattr(credential, "credentials", None)
    if members is None:
        return (credential_name(credential),)
    return tuple(credential_name(c) for c in members)


def run_chain(
    credential: Any,
    scopes: Iterable[str] = (DEFAULT_SCOPE,),
    *,
    claims: str | None = None,
    tenant_id: str | None = None,
    enable_cae: bool = False,
    api: str = GET_TOKEN,
    observers: Iterable[events.Observer] = (),
    recorder: events.Recorder | None = None,
) -> ChainRun:
    """Ask ``credential`` for a token once, recording everything; never raises for auth failures.

    ``api`` is the method asked: ``get_token(claims=, tenant_id=, enable_cae=)``, or ``get_token_info``
    with the options an SDK client would pass for this request (engine.token_request.request_options).
    """
    if api not in APIS:
        raise ValueError(UNKNOWN_API.format(api))
    recorder = recorder or events.Recorder(tuple(observers))
    scopes = tuple(scopes)
    # Each run starts as a fresh process would: a pre-1.24 DefaultAzureCredential whose walk failed leaves
    # within_dac set in its caller's context, and a later run on the same worker thread must not inherit it.
    within_dac.set(False)
    within_credential_chain.set(False)
    options = request_options(claims, tenant_id, enable_cae)

    def ask() -> AccessToken:
        if api == GET_TOKEN_INFO:
            return credential.get_token_info(*scopes, options=options)
        return credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae)

    with events.recording(recorder):
        started = events.RunStarted(type(credential).__name__, member_names(credential), scopes, recorder.now(), api)
        recorder.emit(started)
        try:
            recorder.check_cancelled()  # cancelled before the first member: nothing starts
            if isinstance(credential, ChainedTokenCredential):
                token = ask()
                selected = _selected(credential)
            else:
                with attempt(credential) as current:
                    token = ask()
                    current.succeed(token)
                selected = credential_name(credential)
        except events.RunCancelled:
            so_far = ChainRun.from_events(recorder.events)
            recorder.emit(events.RunFinished(events.CANCELLED, None, cancel_summary(so_far), recorder.now()))
        except Exception as ex:
            recorder.emit(events.RunFinished(events.FAILED, None, error_text(ex), recorder.now(), type(ex).__name__))
        else:
            finished = [e for e in recorder.events if isinstance(e, events.AttemptFinished)]
            account = finished[-1].account if finished else None
            recorder.emit(
                events.RunFinished(events.SUCCEEDED, selected, None, recorder.now(), None, account, token.expires_on)
            )
    return ChainRun.from_events(recorder.events)


CANCELLED_AFTER = "Cancelled after {done} of {total} members; {ok} signed in so far; not tried: {not_tried}{abandoned}."
ABANDONED = " ({names} abandoned mid-attempt)"


def cancel_summary(run: ChainRun) -> str:
    """How far a cancelled run got: members finished, sign-ins, and the members that never started."""
    finished = [a for a in run.attempts if a.finished]
    ok = sum(1 for a in finished if a.outcome == events.SUCCEEDED)
    abandoned = [a.credential for a in run.attempts if not a.finished]
    not_tried = list(run.members[len(run.attempts) :])  # a chain walks its members in order
    return CANCELLED_AFTER.format(
        done=len(finished),
        total=len(run.members),
        ok=ok,
        not_tried=", ".join(not_tried) or "none",
        abandoned=ABANDONED.format(names=", ".join(abandoned)) if abandoned else "",
    )


def _selected(chain: ChainedTokenCredential) -> str | None:
    successful = chain._successful_credential
    return credential_name(successful) if successful is not None else None
