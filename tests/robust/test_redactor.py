"""Point 5: the one redactor and where it is applied (events, log records, CLI errors)."""

from __future__ import annotations

import logging

import pytest

from engine import events
from engine.secrets import REDACTED, Secret, install_log_redaction, redact_text, redact_value

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"got {JWT} back", "got *** back"),
        ('{"accessToken": "abc.def"}', '{"accessToken": "***"}'),
        ('{\\"access_token\\": \\"opaque\\"}', '{\\"access_token\\": \\"***\\"}'),
        ("{'refresh_token': 'opaque-value'}", "{'refresh_token': '***'}"),
        ("grant_type=refresh_token&refresh_token=0.AR-opaque&x=1", "grant_type=refresh_token&refresh_token=***&x=1"),
        ("azsdk%secret%123", "azsdk%***%123"),
        ("no secrets here", "no secrets here"),
    ],
)
def test_token_shapes_are_masked(text, expected):
    assert redact_text(text) == expected


def test_every_secret_the_process_knows_is_masked_wherever_it_appears():
    Secret("sandbox-app-secret-4f1e")
    assert redact_text("AADSTS7000215: secret sandbox-app-secret-4f1e rejected") == (
        f"AADSTS7000215: secret {REDACTED} rejected"
    )
    Secret("short")  # too short to mask without hiding ordinary words
    assert redact_text("a short word") == "a short word"


def test_nested_values_are_redacted():
    assert redact_value({"a": [JWT, {"b": (JWT,)}], "n": 1}) == {"a": [REDACTED, {"b": (REDACTED,)}], "n": 1}


def test_every_recorded_event_is_redacted():
    recorder = events.Recorder()
    with events.recording(recorder):
        events.log("azure.identity", logging.DEBUG, f"token {JWT}")
        with events.step("process", f"az {JWT}", argv=["az", JWT]) as handle:
            handle.detail["stdout"] = JWT
        recorder.emit(events.RunFinished("failed", None, f"failed: {JWT}", 0.0))
    text = repr(recorder.events)
    assert "eyJ" not in text and text.count(REDACTED) == 5


def test_log_records_are_redacted_once_installed(caplog):
    install_log_redaction()
    install_log_redaction()  # idempotent
    caplog.set_level(logging.DEBUG)
    logging.getLogger("msal.application").debug("response: %s", {"access_token": "opaque-canary-value"})
    logging.getLogger("urllib3").debug("header %s", JWT)
    assert "opaque-canary-value" not in caplog.text and "eyJ" not in caplog.text
