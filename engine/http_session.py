"""The HTTP session every credential uses: requests, with the Host's environment instead of os.environ."""

from __future__ import annotations

import functools
import math
import socket
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from engine import cancellable, events
from engine.abortable_http import AbortableAdapter, Aborter
from engine.secrets import redact_url

# azure-core's RequestsTransport timeouts; a caller that gives none (msal's own calls) gets these.
AZURE_CORE_TIMEOUTS = (300.0, 300.0)
# How long Chainsight waits for one answer, and for one whole body. azure-identity waits up to 300 s per
# read (then retries); the verdict is kept, but nobody should stare at a silent window for 20 minutes.
READ_PATIENCE = 20.0
BODY_PATIENCE = 30.0
MAX_BODY_BYTES = 4 * 1024 * 1024  # decoded; identity responses are a few kilobytes
MAX_COMPRESSION_RATIO = 100  # checked once the decoded body passes BOMB_CHECK_AFTER
BOMB_CHECK_AFTER = 1024 * 1024
_CHUNK = 8192  # small, so one compressed chunk cannot expand to much before the checks run

GAVE_UP_WAITING = (
    "no answer from {url} within {waited:g} s; Chainsight stopped waiting there (azure-identity would wait "
    "{would:g} s for this read, then retry as it does after a timeout)"
)
BODY_TOO_LARGE = "the response from {url} was cut after {limit} bytes; no identity endpoint sends that much"
BODY_BOMB = "the response from {url} was cut: it decompresses more than {ratio}:1 (a compression bomb)"
BODY_TOO_SLOW = "the response from {url} was cut: its body took longer than {limit:g} s to arrive"


class ResponseTooLarge(requests.exceptions.ContentDecodingError):
    """A body over the size or compression-ratio limit; the connection is closed."""


class ResponseTooSlow(requests.exceptions.ReadTimeout):
    """No answer within Chainsight's patience, or a body trickling in for too long."""


def bounded_timeouts(timeout: object) -> tuple[tuple[float, float], float]:
    """(connect, read) as sent, capped by our patience, and the read timeout the caller asked for."""
    if timeout is None:
        connect, read = AZURE_CORE_TIMEOUTS
    elif isinstance(timeout, tuple):
        connect, read = timeout
    else:
        connect = read = timeout
    connect = AZURE_CORE_TIMEOUTS[0] if connect is None or not math.isfinite(connect) else connect
    asked = AZURE_CORE_TIMEOUTS[1] if read is None or not math.isfinite(read) else read
    return (connect, min(asked, READ_PATIENCE)), asked


class HostSession(requests.Session):
    """A requests session whose environment settings come from a Host, not ``os.environ``.

    requests with ``trust_env`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` replace ``verify=True``
    and applies the proxy variables; azure-identity's transport relies on that, so we do the same
    with the Host's variables. Every request is a recorded step.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__()
        self._env = dict(env)
        self.trust_env = False  # we apply the host's environment ourselves below
        for prefix in ("https://", "http://"):  # connections a cancel can cut (abortable_http.py)
            self.mount(prefix, AbortableAdapter())

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[override]
        env_proxies = environ_proxies(self._env, url)
        merged_proxies = {**env_proxies, **(proxies or {})}
        if verify is True or verify is None:
            verify = next((self._env[v] for v in CA_BUNDLE_VARIABLES if self._env.get(v)), verify)
        settings = super().merge_environment_settings(url, merged_proxies, stream, verify, cert)
        return settings

    def send(self, request, **kwargs):  # type: ignore[override]
        events.check_cancelled()
        url = redact_url(request.url)
        timeouts, asked = bounded_timeouts(kwargs.pop("timeout", None))
        stream = kwargs.pop("stream", False)
        with events.step("http", f"{request.method} {url}", method=request.method, url=url) as handle:
            try:
                # On a worker thread while a run is recorded, so Cancel ends the wait at once; the cancel
                # shuts the connection's socket down, so the worker thread ends with it.
                aborter = Aborter()
                send = functools.partial(requests.Session.send, self, request, timeout=timeouts, stream=True, **kwargs)
                response = (
                    cancellable.call(lambda: aborter.run(send), name="chainsight-http", on_cancel=aborter.abort)
                    if events.cancel_requested()
                    else send()
                )
            except requests.exceptions.ReadTimeout as ex:
                if timeouts[1] < asked:  # our patience, not the caller's timeout, ended the wait
                    handle.detail["azure_identity_would_wait"] = asked
                    raise ResponseTooSlow(GAVE_UP_WAITING.format(url=url, waited=timeouts[1], would=asked)) from ex
                raise
            handle.detail.update(status=response.status_code, reason=response.reason)
            if not stream:
                read = functools.partial(read_body, response, url, timeouts[1], asked)
                try:
                    if events.cancel_requested():
                        cancellable.call(read, name="chainsight-http", on_cancel=aborter.abort)
                    else:
                        read()
                except events.RunCancelled:
                    response.close()
                    raise
                except ResponseTooSlow:
                    if timeouts[1] < asked:
                        handle.detail["azure_identity_would_wait"] = asked
                    raise
                handle.detail["bytes"] = len(response.content)
            return response


def read_body(response: requests.Response, url: str, read_timeout: float = 0.0, asked: float = 0.0) -> None:
    """Read the whole (decoded) body into ``response.content`` within the size, ratio and time limits.

    A body that trickles in (each piece within the read timeout) is cut by a timer that shuts the socket
    down; a read timeout that only our patience imposed says what azure-identity would have waited.
    """
    if response._content is not False or response.raw is None:  # already read (an adapter that preloads)
        return
    expired = threading.Event()
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)

    def cut() -> None:
        expired.set()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(BODY_PATIENCE, cut)
    timer.daemon = True
    timer.start()
    encoded = bool(response.headers.get("Content-Encoding"))
    chunks, total = [], 0
    try:
        for chunk in response.iter_content(_CHUNK):
            total += len(chunk)
            chunks.append(chunk)
            if total > MAX_BODY_BYTES:
                raise ResponseTooLarge(BODY_TOO_LARGE.format(url=url, limit=MAX_BODY_BYTES))
            if encoded and total > BOMB_CHECK_AFTER and total > MAX_COMPRESSION_RATIO * max(1, response.raw.tell()):
                raise ResponseTooLarge(BODY_BOMB.format(url=url, ratio=MAX_COMPRESSION_RATIO))
        if expired.is_set():
            raise ResponseTooSlow(BODY_TOO_SLOW.format(url=url, limit=BODY_PATIENCE))
    except ResponseTooLarge:
        response.close()  # the rest of the body is never read: this connection cannot be reused
        raise
    except requests.RequestException as ex:
        response.close()
        if expired.is_set():
            raise ResponseTooSlow(BODY_TOO_SLOW.format(url=url, limit=BODY_PATIENCE)) from ex
        if _is_read_timeout(ex) and read_timeout < asked:
            raise ResponseTooSlow(GAVE_UP_WAITING.format(url=url, waited=read_timeout, would=asked)) from ex
        raise
    finally:
        timer.cancel()
    response._content = b"".join(chunks)
    response._content_consumed = True


def _is_read_timeout(ex: BaseException) -> bool:
    if isinstance(ex, requests.exceptions.ReadTimeout):
        return True
    return bool(ex.args) and isinstance(ex.args[0], ReadTimeoutError)


CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def environ_proxies(env: Mapping[str, str], url: str) -> dict[str, str]:
    """The proxies requests would pick for ``url`` from ``env`` (as urllib's getproxies + no_proxy)."""
    proxies: dict[str, str] = {}
    # urllib: lowercase wins over uppercase; uppercase HTTP_PROXY is ignored under CGI (REQUEST_METHOD).
    for name, value in env.items():
        lower = name.lower()
        if value and lower.endswith("_proxy") and name.isupper():
            if name == "HTTP_PROXY" and "REQUEST_METHOD" in env:
                continue
            proxies.setdefault(lower[:-6], value)
    for name, value in env.items():
        lower = name.lower()
        if lower.endswith("_proxy") and name == lower:
            if value:
                proxies[lower[:-6]] = value
            else:
                proxies.pop(lower[:-6], None)
    no_proxy = proxies.pop("no", None)
    if no_proxy and _bypasses(url, no_proxy):
        return {}
    return proxies


def _bypasses(url: str, no_proxy: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    port = urlsplit(url).port
    if no_proxy.strip() == "*":
        return True
    for entry in (e.strip().lower() for e in no_proxy.replace(" ", ",").split(",")):
        if not entry:
            continue
        entry_host, _, entry_port = entry.partition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and port is not None and str(port) != entry_port:
            continue
        entry_host = entry_host.lstrip(".")
        if host == entry_host or host.endswith("." + entry_host):
            return True
    return False
