"""Loading a client certificate as azure-identity does: PEM or PKCS12, passwords, the chain to send."""

from __future__ import annotations

import pytest

from engine.credentials.certificate import NOT_RSA, UNREADABLE_CERTIFICATE, load_certificate
from tests.doubles.standins import make_client_certificate

PASSWORD = b"CANARY-cert-pw"


@pytest.mark.parametrize("form", ["pem", "pfx"])
@pytest.mark.parametrize("password", [None, PASSWORD])
def test_pem_and_pkcs12_load_with_the_sha1_thumbprint(form, password) -> None:
    cert = make_client_certificate(password)
    loaded = load_certificate(cert.pem if form == "pem" else cert.pfx, password, send_chain=False)
    assert loaded.thumbprint == cert.thumbprint
    assert loaded.subject == "CN=chainsight app"
    assert loaded.public_certificate is None
    # An encrypted PEM keeps its passphrase for msal; PKCS12 is re-encoded without one.
    assert bool(loaded.passphrase) == (form == "pem" and password is not None)


def test_the_chain_to_send_is_every_certificate_on_one_line() -> None:
    loaded = load_certificate(make_client_certificate().pem, None, send_chain=True)
    assert loaded.public_certificate.count("-----BEGIN CERTIFICATE-----") == 2
    assert "\n" not in loaded.public_certificate


def test_the_key_and_password_never_show_in_repr() -> None:
    cert = make_client_certificate(PASSWORD)
    loaded = load_certificate(cert.pem, PASSWORD, send_chain=False)
    text = repr(loaded) + str(loaded)
    assert PASSWORD.decode() not in text and cert.pem.decode().splitlines()[1] not in text


def test_garbage_is_not_a_certificate() -> None:
    with pytest.raises(ValueError, match=UNREADABLE_CERTIFICATE):
        load_certificate(b"garbage", None, send_chain=False)


def test_an_ec_key_is_refused() -> None:
    with pytest.raises(ValueError, match=NOT_RSA):
        load_certificate(make_client_certificate(rsa_key=False).pem, None, send_chain=False)
