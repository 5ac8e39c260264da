"""Small programmable loopback servers for the service-credential tests: an HTTP(S) stand-in whose
answers each test scripts, a generated CA, and helpers to make JWTs and certificates.

The stand-in also accepts absolute-URI requests (so it can be an ``HTTP_PROXY`` for IMDS) and
``CONNECT`` (tunnelled to a given TLS stand-in, so msal's port-less userrealm request reaches it).
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import select
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import sleep as real_sleep  # tests may patch time.sleep; delays here must stay real

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"


# ---- requests and replies ---------------------------------------------------------------------
@dataclass
class Seen:
    """One request the stand-in received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    raw_query: str = ""

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False  # drop the connection without answering
    delay: float = 0.0

    @classmethod
    def json(cls, data: object, status: int = 200, **headers: str) -> Reply:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/html") -> Reply:
        return cls(status, text.encode(), {"Content-Type": content_type})


Handler = Callable[[Seen], Reply]


FIXED_DATE = "Wed, 02 Dec 2026 12:00:00 GMT"


class StandIn:
    """A threaded HTTP(S) server on 127.0.0.1: ``routes[(METHOD, path)] = handler`` or a list of replies."""

    def __init__(self, tls: ssl.SSLContext | None = None, tunnel_to: Callable[[], int] | None = None) -> None:
        self.routes: dict[tuple[str, str], Handler | list[Reply]] = {}
        self.seen: list[Seen] = []
        self.tunnel_to = tunnel_to
        stand_in = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for a delayed ACK

            def log_message(self, *args):
                pass

            def date_time_string(self, timestamp=None):
                # One fixed Date: messages that print the response's headers (Arc's) must not differ between
                # the real library's call and ours when a second ticks over between them.
                return FIXED_DATE

            def do_CONNECT(self):
                port = stand_in.tunnel_to() if stand_in.tunnel_to else None
                if port is None:
                    self.send_error(502)
                    return
                upstream = socket.create_connection((LOOPBACK, port))
                self.send_response(200, "Connection established")
                self.end_headers()
                _pipe(self.connection, upstream)
                self.close_connection = True

            def _handle(self):
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    url.path,
                    dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    url.query,
                )
                stand_in.seen.append(seen)
                reply = stand_in._reply(seen)
                if reply.delay:
                    real_sleep(reply.delay)
                if reply.close:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer((LOOPBACK, 0), _Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def _reply(self, seen: Seen) -> Reply:
        route = self.routes.get((seen.method, seen.path))
        if route is None:
            prefixes = [p for m, p in self.routes if m == seen.method and p.endswith("*")]
            match = max((p for p in prefixes if seen.path.startswith(p[:-1])), key=len, default=None)
            route = self.routes.get((seen.method, match)) if match else None
        if route is None:
            return Reply.json({"error": "not_found", "error_description": f"no route {seen.path}"}, 404)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route(seen)

    def requests(self, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen if path is None or s.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 5)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    s = socket.socket()
    s.bind((LOOPBACK, 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- certificates -----------------------------------------------------------------------------
@dataclass
class TestCA:
    ca_pem: Path
    server_context: ssl.SSLContext
    server_thumbprint: str  # SHA-1 of the server certificate (what Service Fabric pins)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(directory: Path) -> TestCA:
    """A CA and a server certificate for 127.0.0.1/localhost; ``ca_pem`` is the bundle to trust."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Chainsight test CA"))
        .issuer_name(_name("Chainsight test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem = directory / "ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = directory / "server.pem"
    chain.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    return TestCA(ca_pem, context, cert.fingerprint(hashes.SHA1()).hex())


@dataclass
class ClientCertificate:
    pem: bytes  # key + certificate (+ issuer), PEM
    pfx: bytes
    thumbprint: str  # SHA-1 hex, lower-case
    subject: str
    certificates: list[x509.Certificate]


@functools.cache
def make_client_certificate(password: bytes | None = None, rsa_key: bool = True) -> ClientCertificate:
    """A self-issued client certificate with an issuer in its chain (so x5c has two entries)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_key = rsa.generate_private_key(65537, 2048)
    issuer = (
        x509.CertificateBuilder()
        .subject_name(_name("chainsight issuer"))
        .issuer_name(_name("chainsight issuer"))
        .public_key(issuer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(issuer_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("chainsight app"))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(issuer_key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    pem = (
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        + cert.public_bytes(serialization.Encoding.PEM)
        + issuer.public_bytes(serialization.Encoding.PEM)
    )
    pfx = pkcs12.serialize_key_and_certificates(b"app", key, cert, [issuer], encryption)
    return ClientCertificate(pem, pfx, cert.fingerprint(hashes.SHA1()).hex(), "CN=chainsight app", [cert, issuer])


# ---- tokens -----------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict, marker: str = "") -> str:
    """An unsigned JWT; ``marker`` goes into the signature so a test can search for the token text."""
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = _b64(("sig-" + marker).encode())
    return f"{header}.{payload}.{signature}"


def decode_jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
