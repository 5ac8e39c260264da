"""The HTTP session every credential uses: requests, with the Host's environment instead of os.environ."""

from __future__ import annotations

from collections.abc import Mapping

import requests

from engine import events
from engine.host import CA_BUNDLE_VARIABLES, environ_proxies
from engine.secrets import redact_url


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

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[override]
        env_proxies = environ_proxies(self._env, url)
        merged_proxies = {**env_proxies, **(proxies or {})}
        if verify is True or verify is None:
            verify = next((self._env[v] for v in CA_BUNDLE_VARIABLES if self._env.get(v)), verify)
        settings = super().merge_environment_settings(url, merged_proxies, stream, verify, cert)
        return settings

    def send(self, request, **kwargs):  # type: ignore[override]
        events.check_cancelled()
        label = f"{request.method} {redact_url(request.url)}"
        with events.step("http", label, method=request.method, url=redact_url(request.url)) as handle:
            response = super().send(request, **kwargs)
            handle.detail.update(status=response.status_code, reason=response.reason)
            return response
