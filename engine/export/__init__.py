"""Export a ChainSpec as Python code for azure-identity.

Three forms: ``DefaultAzureCredential(...)``, ``ChainedTokenCredential(...)``, and the environment
form (``AZURE_TOKEN_CREDENTIALS=value`` where the app runs, plus ``DefaultAzureCredential(...)``).
``auto`` takes the first of default, chained that behaves the same as the spec (see
``equivalence``): code that runs as it is. The environment form, which needs a variable set where the app
runs, is given only when asked for. The code is formatted as ``ruff format`` would, imports only what it uses, and
never contains a secret: secrets are read from environment variables at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.export.equivalence import AUTO_ORDER, CHAINED, DEFAULT, ENV, LABELS, STYLES, Form, auto_style, forms
from engine.export.errors import ExportError, NotEquivalentError
from engine.export.program import CLIENT, EXAMPLES, GET_TOKEN, program
from engine.export.render_chained import chained_call
from engine.export.render_default import DEFAULT_AZURE_CREDENTIAL, dac_call
from engine.export.render_env import env_call, instructions
from engine.run import DEFAULT_SCOPE
from engine.spec import ChainSpec

AUTO = "auto"
STYLE_CHOICES = (AUTO, *STYLES)
EXPORTED_BY = "Chainsight export for azure-identity {version} ({mode})."
CHOSEN = "{label} chosen: {reason}."
ENV_ALSO = "Shorter with AZURE_TOKEN_CREDENTIALS={value} set where the app runs: --style env."
GIVEN = "{label} (as requested): {reason}."
UNKNOWN_STYLE = "unknown style {style!r}; choose one of: " + ", ".join(STYLE_CHOICES)
NOT_EQUIVALENT = "{label} would not behave like this chain: {reason}"
NO_FORM = "no exported form behaves like this chain: {reason}"

__all__ = [
    "AUTO",
    "CHAINED",
    "CLIENT",
    "DEFAULT",
    "ENV",
    "EXAMPLES",
    "GET_TOKEN",
    "STYLE_CHOICES",
    "Export",
    "ExportError",
    "Form",
    "NotEquivalentError",
    "export",
    "forms",
]


@dataclass(frozen=True)
class Export:
    code: str
    style: str  # the form rendered: "env", "default" or "chained"
    reason: str  # the one-line "why" that heads the code
    environment: dict[str, str] = field(default_factory=dict)  # variables the app's environment must set
    notes: tuple[str, ...] = ()


def export(
    spec: ChainSpec,
    style: str = AUTO,
    *,
    async_: bool = False,
    example: str | None = None,
    scope: str = DEFAULT_SCOPE,
) -> Export:
    """Python code for ``spec``; raises NotEquivalentError when ``style`` would behave differently."""
    if style not in STYLE_CHOICES:
        raise ExportError(UNKNOWN_STYLE.format(style=style))
    verdicts = forms(spec, async_=async_)
    chosen = auto_style(verdicts) if style == AUTO else style
    form = verdicts[chosen]
    if not form.equivalent:
        if style == AUTO:
            raise NotEquivalentError(NO_FORM.format(reason=form.reason))
        raise NotEquivalentError(NOT_EQUIVALENT.format(label=LABELS[chosen], reason=form.reason))
    reason = _reason(verdicts, chosen) if style == AUTO else GIVEN.format(label=LABELS[chosen], reason=form.reason)
    header = [EXPORTED_BY.format(version=spec.profile.name, mode="async" if async_ else "sync"), reason]
    header += form.notes
    if style == AUTO and verdicts[ENV].equivalent:
        header.append(ENV_ALSO.format(value=verdicts[ENV].environment.get("AZURE_TOKEN_CREDENTIALS", "")))
    kwargs = form.dac_kwargs or {}
    if chosen == CHAINED:
        rendered = chained_call(spec.credentials)
        credential, classes, reads = rendered.expr, rendered.classes, rendered.reads_environment
    elif chosen == ENV:
        credential, classes, reads = env_call(kwargs, spec.profile), {DEFAULT_AZURE_CREDENTIAL}, False
        header += instructions(form.environment, kwargs)
    else:
        credential, classes, reads = dac_call(kwargs, spec.profile), {DEFAULT_AZURE_CREDENTIAL}, False
    code = program(
        header=header,
        credential=credential,
        classes=classes,
        reads_environment=reads,
        async_=async_,
        example=example,
        scope=scope,
    )
    return Export(code, chosen, reason, dict(form.environment), form.notes)


def _reason(verdicts: dict[str, Form], chosen: str) -> str:
    """Why auto chose this form: the first preferred form's verdict says why it was passed over."""
    first = AUTO_ORDER[0]
    why = verdicts[chosen].reason if chosen == first else verdicts[first].reason
    if chosen == CHAINED and not verdicts[DEFAULT].equivalent:
        why = verdicts[DEFAULT].reason
    return CHOSEN.format(label=LABELS[chosen], reason=why)
