"""The two context flags azure-identity keeps while a chain works.

``within_credential_chain`` is set during any chain walk: members log at DEBUG and the IMDS probe
runs. ``within_dac`` is set by DefaultAzureCredential during construction and its first walk only:
some members then report failures as "unavailable" so the chain goes on (the "softening").
Both reset to False afterwards (not restored), as azure-identity does.
"""

from __future__ import annotations

import contextvars

within_credential_chain: contextvars.ContextVar[bool] = contextvars.ContextVar("within_credential_chain", default=False)
within_dac: contextvars.ContextVar[bool] = contextvars.ContextVar("within_dac", default=False)
