"""The pipeline and transport: azure-core's query formatting, body decoding and error texts."""

from __future__ import annotations

import pytest

from engine.pipeline import deserialize_response, format_url
from engine.transport import DecodeError, HttpResponse, HttpResponseError, response_error_text


def answer(body: bytes, content_type: str | None = "application/json", status: int = 200) -> HttpResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HttpResponse(status, "Bad Request", headers, body, "http://127.0.0.1/", "GET")


def test_query_values_are_not_percent_encoded_as_azure_core_leaves_them() -> None:
    url = format_url("http://h/p", {"api-version": "2018-02-01", "resource": "https://management.azure.com"})
    assert url == "http://h/p?api-version=2018-02-01&resource=https://management.azure.com"


def test_query_parameters_already_in_the_url_are_kept() -> None:
    assert format_url("http://h/p?a=1", {"b": "2"}) == "http://h/p?b=2&a=1"


def test_a_none_query_value_is_refused() -> None:
    with pytest.raises(ValueError, match="Query parameter x cannot be None"):
        format_url("http://h/p", {"x": None})


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"a": 1}', "application/json; charset=utf-8", {"a": 1}),
        (b'{"a": 1}', None, {"a": 1}),
        (b"<html></html>", "text/html", "<html></html>"),
        (b"", "application/json", None),
        (b'\xef\xbb\xbf{"a": 1}', "application/json", {"a": 1}),
    ],
)
def test_bodies_decode_by_content_type(body, content_type, expected) -> None:
    assert deserialize_response(answer(body, content_type)) == expected


def test_invalid_json_labelled_json_is_a_decode_error_with_the_body() -> None:
    with pytest.raises(DecodeError) as info:
        deserialize_response(answer(b"not json"))
    assert info.value.message == "JSON is invalid: Expecting value: line 1 column 1 (char 0)"
    assert str(info.value) == "JSON is invalid: Expecting value: line 1 column 1 (char 0)\nContent: not json"


def test_an_unknown_content_type_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="Cannot deserialize content-type: application/octet-stream"):
        deserialize_response(answer(b"\x00", "application/octet-stream"))


def test_error_text_appends_the_body_with_token_values_masked() -> None:
    body = b'{"access_token": "eyJ.secret.sig", "refresh_token": "rt", "note": "x"}'
    text = response_error_text("Unexpected", answer(body))
    assert text == 'Unexpected\nContent: {"access_token": "***", "refresh_token": "***", "note": "x"}'


def test_an_odata_error_body_replaces_the_message_and_is_not_appended() -> None:
    body = b'{"error": {"code": "Forbidden", "message": "no access"}}'
    error = HttpResponseError("ignored", answer(body, status=403))
    assert error.message == "(Forbidden) no access\nCode: Forbidden\nMessage: no access"
    assert str(error) == error.message


def test_error_text_is_cut_at_2048_characters() -> None:
    assert len(response_error_text("m", answer(b"x" * 5000, "text/plain"))) == 2048
