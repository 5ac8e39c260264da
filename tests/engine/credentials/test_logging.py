"""The success/failure lines around get_token equal azure-identity's decorator output."""

from __future__ import annotations

import logging

import pytest

from engine import events
from engine.context import within_credential_chain
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.token import AccessToken
from tests.doubles.chain import USER_TOKEN
from tests.system import require_oracle

decorators = require_oracle("azure.identity._internal.decorators")
real_context = require_oracle("azure.identity._internal")


class Grab(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append((record.name, record.levelno, record.getMessage()))


def _real_lines(outcome, in_chain):
    from azure.core.credentials import AccessToken as RealToken

    def get_token(self, *scopes):
        if outcome == "token":
            return RealToken(USER_TOKEN, 1)
        if outcome == "opaque":
            return RealToken("opaque", 1)
        raise ValueError("boom")

    get_token.__qualname__ = "AzureCliCredential.get_token"  # as azure-identity's own classes have it
    AzureCliCredential = type("AzureCliCredential", (), {"get_token": decorators.log_get_token(get_token)})

    grab, logger = Grab(), logging.getLogger(DECORATORS)
    logger.addHandler(grab)
    logger.setLevel(logging.DEBUG)
    flag = real_context.within_credential_chain.set(in_chain)
    try:
        AzureCliCredential().get_token("s")
    except ValueError:
        pass
    finally:
        real_context.within_credential_chain.reset(flag)
        logger.removeHandler(grab)
        logger.setLevel(logging.NOTSET)
    return grab.records


def _our_lines(outcome, in_chain):
    class AzureCliCredential:
        @logged(DECORATORS)
        def get_token(self, *scopes):
            if outcome == "token":
                return AccessToken(USER_TOKEN, 1)
            if outcome == "opaque":
                return AccessToken("opaque", 1)
            raise ValueError("boom")

    recorder = events.Recorder()
    flag = within_credential_chain.set(in_chain)
    try:
        with events.recording(recorder):
            AzureCliCredential().get_token("s")
    except ValueError:
        pass
    finally:
        within_credential_chain.reset(flag)
    return [(e.logger, e.level, e.message) for e in recorder.events if isinstance(e, events.LogEmitted)]


@pytest.mark.parametrize("in_chain", [False, True])
@pytest.mark.parametrize("outcome", ["token", "opaque", "error"])
def test_decorator_lines_equal_azure_identitys(outcome, in_chain):
    assert _our_lines(outcome, in_chain) == _real_lines(outcome, in_chain)
