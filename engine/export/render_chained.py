"""``ChainedTokenCredential(...)`` with each enabled credential's constructor, in the user's order.

Secrets never reach the code: a ``*_env`` option names the environment variable the value is read
from at run time (``client_secret=os.environ["AZURE_CLIENT_SECRET"]``), and options outside the
spec schema are refused rather than written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.export.errors import NO_CREDENTIALS, ExportError
from engine.export.format import Arg, Bracketed, Expr, call, subscript, value
from engine.spec import CREDENTIAL_OPTIONS, DEFAULT_SECRET_VARIABLES, CredentialSpec

CHAINED_TOKEN_CREDENTIAL = "ChainedTokenCredential"
ENV_SUFFIX = "_env"
UNKNOWN_CREDENTIAL = "{name} cannot be exported"
UNKNOWN_OPTION = "{name} has no option {option!r} to export"

# Required secrets read from the variable azure-identity's EnvironmentCredential uses, unless the spec names one.
# Positional parameters first, in the constructor's order, so the call reads like azure-identity's docs.
LEADING = ("tenant_id", "client_id", "client_secret", "certificate_path", "username")


@dataclass(frozen=True)
class Rendered:
    expr: Expr
    classes: frozenset[str]  # names to import from azure.identity
    reads_environment: bool  # needs ``import os``


def environ(variable: str) -> Bracketed:
    return subscript("os.environ", value(variable))


def credential_call(spec: CredentialSpec) -> tuple[Bracketed, bool]:
    """One credential's constructor call, and whether it reads an environment variable."""
    allowed = CREDENTIAL_OPTIONS.get(spec.type)
    if allowed is None:
        raise ExportError(UNKNOWN_CREDENTIAL.format(name=spec.type))
    options = {**DEFAULT_SECRET_VARIABLES.get(spec.type, {}), **spec.options}
    for option in options:
        if option not in allowed:
            raise ExportError(UNKNOWN_OPTION.format(name=spec.type, option=option))
    args: list[Arg] = []
    reads = False
    for option, raw in options.items():
        if option.endswith(ENV_SUFFIX):
            args.append(Arg(environ(raw), option[: -len(ENV_SUFFIX)]))
            reads = True
        else:
            args.append(Arg(value(raw), option))
    rank = {name: i for i, name in enumerate(LEADING)}
    args.sort(key=lambda a: rank.get(a.name or "", len(rank)))  # stable: the rest keep the spec's order
    return call(spec.type, *args), reads


def chained_call(credentials: Sequence[CredentialSpec]) -> Rendered:
    enabled = [c for c in credentials if c.enabled]
    if not enabled:
        raise ExportError(NO_CREDENTIALS)
    calls = [credential_call(c) for c in enabled]
    expr = call(CHAINED_TOKEN_CREDENTIAL, *(Arg(c) for c, _ in calls))
    classes = frozenset({CHAINED_TOKEN_CREDENTIAL, *(c.type for c in enabled)})
    return Rendered(expr, classes, any(reads for _, reads in calls))
