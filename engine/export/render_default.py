"""The ``DefaultAzureCredential(...)`` call: its keyword arguments, in the spec's order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.export.equivalence import FORWARDABLE
from engine.export.errors import ExportError
from engine.export.format import Arg, Bracketed, call, value
from engine.profiles import Profile
from engine.spec import DAC_OPTIONS

DEFAULT_AZURE_CREDENTIAL = "DefaultAzureCredential"
UNKNOWN_OPTION = "DefaultAzureCredential has no option {option!r} to export"


def known_options(profile: Profile) -> frozenset[str]:
    """Keywords an export may write: DefaultAzureCredential's own, the profile's exclude_* flags, and
    the member options a chain's DefaultAzureCredential form forwards (none of them secret)."""
    return frozenset(DAC_OPTIONS) | FORWARDABLE | {m.exclude_option for m in profile.members}


def dac_call(kwargs: Mapping[str, Any], profile: Profile) -> Bracketed:
    """``DefaultAzureCredential(k=v, ...)``; only known, non-secret keywords are ever written."""
    allowed = known_options(profile)
    for option in kwargs:
        if option not in allowed:
            raise ExportError(UNKNOWN_OPTION.format(option=option))
    return call(DEFAULT_AZURE_CREDENTIAL, *(Arg(value(v), k) for k, v in kwargs.items()))
