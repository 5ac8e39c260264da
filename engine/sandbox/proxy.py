"""The intercepting proxy: Microsoft login hosts, Resource Manager and IMDS are served by the sandbox, everything else
refused.

It never opens an outbound connection: CONNECT tunnels are terminated here with the sandbox certificate
and the decrypted requests are handed to the authority (or Resource Manager) app in-process.
"""

from __future__ import annotations

import ssl
import urllib.parse

from engine.sandbox.httpserver import App, AppHandler, LoopbackServer, Request, Response
from engine.sandbox.tls import ARM_HOSTS, INTERCEPTED_HOSTS

IMDS_HOST = "169.254.169.254"
REFUSED = "Chainsight sandbox proxy: {target} is not part of this sandbox; nothing leaves this machine.\n"


class ProxyHandler(AppHandler):
    server: ProxyServer

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        host = host.strip("[]").lower()
        self.server.seen.append(f"CONNECT {self.path}")
        if host not in (*INTERCEPTED_HOSTS, *ARM_HOSTS) or port != "443":
            self.write(Response.text(REFUSED.format(target=self.path), 403))
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.server.authority_tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.server.track(None, tls)
        # From here on the same handler serves origin-form requests inside the tunnel; finish() closes it.
        self.rfile.close()
        self.wfile.close()
        self.connection = self.request = self.tls_socket = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.scheme, self.tunnel_host = "https", host
        self.close_connection = False

    def route(self, request: Request) -> Response:
        self.server.seen.append(f"{request.method} {request.scheme}://{request.host}{request.path}")
        if self.tunnel_host in ARM_HOSTS:
            return self.server.arm(request)
        if self.tunnel_host:
            return self.server.authority(request)
        absolute = request.headers.get("x-sandbox-absolute-uri", "")
        target = urllib.parse.urlsplit(absolute)
        if target.hostname == IMDS_HOST and (target.port or 80) == 80 and target.scheme == "http":
            request.host = IMDS_HOST
            return self.server.imds(request)
        return Response.text(REFUSED.format(target=absolute or request.path), 403)


class ProxyServer(LoopbackServer):
    def __init__(self, authority: App, authority_tls: ssl.SSLContext, imds: App, arm: App) -> None:
        super().__init__(self._unused, handler=ProxyHandler, name="proxy")
        self.authority = authority
        self.arm = arm
        self.authority_tls = authority_tls
        self.imds = imds
        self.seen: list[str] = []

    @staticmethod
    def _unused(request: Request) -> Response:  # every request goes through ProxyHandler.route
        return Response.text("", 500)
