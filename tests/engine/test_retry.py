"""The retry policy repeats and waits exactly as azure-core 1.41 does (and IMDS's variant)."""

from __future__ import annotations

import email.utils
import time

import pytest

from engine.retry import ImdsRetryPolicy, RetryPolicy, parse_retry_after, retry_after
from engine.transport import HttpResponse, ServiceRequestError, ServiceResponseError


def response(status: int, **headers: str) -> HttpResponse:
    return HttpResponse(status, "", headers, b"", "http://127.0.0.1/", "GET")


def run(policy, answers, method="GET", **kwargs):
    """Feed ``answers`` (responses or exceptions) to the policy; return (sends, waits, result)."""
    sends, waits = [], []

    def send():
        answer = answers[min(len(sends), len(answers) - 1)]
        sends.append(answer)
        if isinstance(answer, Exception):
            raise answer
        return answer

    try:
        result = policy.run(send, method=method, sleep=waits.append, **kwargs)
    except Exception as ex:
        result = ex
    return len(sends), waits, result


def test_default_policy_retries_a_500_three_times_with_exponential_backoff() -> None:
    sends, waits, result = run(RetryPolicy(), [response(500)])
    assert (sends, waits, result.status_code) == (4, [1.6, 3.2], 500)


def test_imds_settings_retry_five_times_with_backoff_0_8() -> None:
    policy = ImdsRetryPolicy(retry_total=5, retry_status=5, retry_on_status_codes=[404, 410, 429, *range(500, 600)])
    sends, waits, _ = run(policy, [response(404)])
    assert (sends, waits) == (6, [1.6, 3.2, 6.4, 12.8])


def test_imds_backs_off_2_5_after_a_410() -> None:
    policy = ImdsRetryPolicy(retry_total=5, retry_status=5, retry_on_status_codes=[410])
    _, waits, _ = run(policy, [response(410)])
    assert waits == [5, 10, 20, 40]


def test_backoff_is_capped_by_retry_backoff_max() -> None:
    policy = RetryPolicy(retry_total=6, retry_status=6, retry_backoff_max=4)
    _, waits, _ = run(policy, [response(503)])
    assert waits == [1.6, 3.2, 4, 4, 4]


def test_success_after_a_failure_stops_retrying() -> None:
    sends, waits, result = run(RetryPolicy(), [response(503), response(200)])
    assert (sends, waits, result.status_code) == (2, [], 200)


def test_a_400_is_not_retried() -> None:
    sends, _, result = run(RetryPolicy(), [response(400)])
    assert (sends, result.status_code) == (1, 400)


def test_retry_after_is_waited_instead_of_the_backoff() -> None:
    sends, waits, _ = run(RetryPolicy(), [response(400, **{"Retry-After": "2"}), response(200)])
    assert (sends, waits) == (2, [2.0])


def test_retry_after_ms_headers_are_read_in_milliseconds() -> None:
    assert retry_after({"retry-after-ms": "1500"}) == 1.5
    assert retry_after({"x-ms-retry-after-ms": "250"}) == 0.25
    assert retry_after({}) is None


def test_retry_after_http_date_becomes_seconds_from_now() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after(when) <= 30
    assert parse_retry_after(email.utils.formatdate(time.time() - 30, usegmt=True)) == 0


@pytest.mark.parametrize(("status", "retried"), [(500, True), (503, True), (504, True), (502, False), (429, False)])
def test_post_is_retried_only_on_500_503_504_unless_opted_in(status, retried) -> None:
    sends, _, _ = run(RetryPolicy(), [response(status)], method="POST")
    assert (sends > 1) == retried
    sends, _, _ = run(RetryPolicy(), [response(status)], method="POST", methods=["POST"])
    assert sends > 1


def test_connection_errors_use_the_connect_budget_then_raise() -> None:
    sends, waits, result = run(RetryPolicy(), [ServiceRequestError("refused")])
    assert (sends, waits, type(result)) == (4, [1.6, 3.2], ServiceRequestError)


def test_read_errors_use_the_read_budget() -> None:
    sends, _, result = run(RetryPolicy(retry_read=1), [ServiceResponseError("reset")])
    assert (sends, type(result)) == (2, ServiceResponseError)


def test_a_request_can_switch_retries_off() -> None:
    sends, waits, result = run(RetryPolicy(), [ServiceRequestError("refused")], overrides={"retry_total": 0})
    assert (sends, waits, type(result)) == (1, [], ServiceRequestError)
    sends, _, _ = run(RetryPolicy(), [response(500)], overrides={"retry_total": 0})
    assert sends == 1


def test_fixed_mode_waits_the_factor_each_time() -> None:
    _, waits, _ = run(RetryPolicy(retry_mode="fixed", retry_backoff_factor=2), [response(500)])
    assert waits == [2, 2]
