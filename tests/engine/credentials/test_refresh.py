"""GetTokenMixin's refresh rules: when the cache answers, when a request is made, when its error is swallowed."""

from __future__ import annotations

import pytest

from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.refresh import RefreshStatus, refresh_status
from engine.errors import ClientAuthenticationError
from engine.token import AccessToken

NOW = 1_000_000


@pytest.mark.parametrize(
    ("token", "last_request", "status"),
    [
        (None, 0, RefreshStatus.REQUIRED),
        (AccessToken("t", NOW), NOW - 5, RefreshStatus.REQUIRED),  # expired: even inside the retry delay
        (AccessToken("t", NOW + 100), NOW - 10, RefreshStatus.NOT_NEEDED),  # asked < 30 s ago
        (AccessToken("t", NOW + 100), NOW - 60, RefreshStatus.RECOMMENDED),  # within 300 s of expiry
        (AccessToken("t", NOW + 3600, refresh_on=NOW - 1), NOW - 60, RefreshStatus.RECOMMENDED),
        (AccessToken("t", NOW + 3600, refresh_on=NOW + 60), NOW - 60, RefreshStatus.NOT_NEEDED),
        (AccessToken("t", NOW + 3600), NOW - 60, RefreshStatus.NOT_NEEDED),
    ],
)
def test_refresh_status(token, last_request, status) -> None:
    assert refresh_status(token, last_request, NOW) is status


class _Clock:
    def time(self) -> float:
        return NOW


class Fake(GetTokenMixin):
    def __init__(self, cached, request) -> None:
        self.host = _Clock()
        self.cached, self.request, self.requests = cached, request, 0

    def _acquire_token_silently(self, *scopes, **kwargs):
        return self.cached

    def _request_token(self, *scopes, **kwargs):
        self.requests += 1
        return self.request()


def failing():
    raise ClientAuthenticationError("boom")


def test_a_recommended_refresh_that_fails_returns_the_cached_token() -> None:
    cached = AccessToken("old", NOW + 100)
    fake = Fake(cached, failing)
    assert fake.get_token("s").token.reveal() == "old" and fake.requests == 1


def test_a_required_request_that_fails_propagates() -> None:
    with pytest.raises(ClientAuthenticationError):
        Fake(None, failing).get_token("s")


def test_a_cached_token_far_from_expiry_is_returned_without_a_request() -> None:
    fake = Fake(AccessToken("cached", NOW + 3600), failing)
    assert fake.get_token("s").token.reveal() == "cached" and fake.requests == 0


def test_no_scopes_is_a_value_error() -> None:
    with pytest.raises(ValueError, match='"get_token" requires at least one scope'):
        Fake(None, failing).get_token()
