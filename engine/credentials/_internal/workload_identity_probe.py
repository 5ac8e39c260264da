"""WorkloadIdentityCredential's probe: the federated token file, and whom it speaks for, without a token request."""

from __future__ import annotations

import datetime

from engine.account import Account, decode_claims
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, UNKNOWN, Probe


def probe_workload_identity(host: Host, token_file: str, client_id: str, tenant_id: str, authority: str) -> Probe:
    name = "WorkloadIdentityCredential"
    started = host.monotonic()
    identity = Account(tenant_id=tenant_id, client_id=client_id, identity_type="app")
    target = f"client {client_id} in tenant {tenant_id} at {authority}"
    try:
        text = host.read_text(token_file, label=f"read federated token {token_file}")
    except OSError as ex:
        reason = f"federated token file {token_file} unreadable ({ex.strerror or type(ex).__name__}); {target}"
        return Probe(name, UNAVAILABLE, reason, identity, host.monotonic() - started)
    if not text.strip():
        return Probe(
            name,
            UNAVAILABLE,
            f"federated token file {token_file} is empty; {target}",
            identity,
            host.monotonic() - started,
        )
    try:
        claims = decode_claims(text.strip())
    except Exception:
        reason = f"federated token file {token_file} readable ({len(text)} bytes, not a JWT); {target}"
        return Probe(name, UNKNOWN, reason, identity, host.monotonic() - started)
    details = [f"sub {claims.get('sub')}", f"iss {claims.get('iss')}"]
    status = AVAILABLE
    exp = claims.get("exp")
    if isinstance(exp, (int, float)):
        when = datetime.datetime.fromtimestamp(exp, datetime.timezone.utc).isoformat()
        if exp <= host.time():
            status = UNKNOWN  # the kubelet rotates it; azure-identity re-reads the file every 10 minutes
            details.append(f"expired {when}")
        else:
            details.append(f"expires {when}")
    reason = f"federated token file {token_file} readable ({', '.join(details)}); {target}"
    return Probe(name, status, reason, identity, host.monotonic() - started)
