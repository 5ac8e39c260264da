"""The diagnosis of a chain (Qt-free): evidence with provenance, the verdict, warnings with checked
fixes, and next steps. The window, ``chainsight run``/``scan`` and the report all use ``diagnose``."""

from app.diagnosis.diagnose import Diagnosis, describe_fix, diagnose
from app.diagnosis.evidence import (
    PROBE,
    RUN,
    SIGN_IN,
    TRY_EVERY,
    Context,
    Evidence,
    EvidenceBoard,
    from_probe,
    from_runs,
    observed_accounts,
)
from app.diagnosis.findings import Finding
from app.diagnosis.fixes import Action, Fix, Outcome
from app.diagnosis.remedies import NextStep

__all__ = [
    "PROBE",
    "RUN",
    "SIGN_IN",
    "TRY_EVERY",
    "Action",
    "Context",
    "Diagnosis",
    "Evidence",
    "EvidenceBoard",
    "Finding",
    "Fix",
    "NextStep",
    "Outcome",
    "describe_fix",
    "diagnose",
    "from_probe",
    "from_runs",
    "observed_accounts",
]
