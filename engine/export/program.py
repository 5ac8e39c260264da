"""The module around the credential: comments, imports, the credential, and an optional example.

Sync code imports from ``azure.identity`` and closes the credential with ``with credential:``; async
code imports from ``azure.identity.aio``, uses ``async with credential:`` and ``asyncio.run(main())``.
The ``get_token`` example prints only the expiry, never the token. The ``client`` example hands the
credential to azure-core's generic PipelineClient (installed with azure-identity), the way every
Azure SDK client takes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.export.errors import ExportError
from engine.export.format import Arg, Atom, call, comment, imports, module, statement, value
from engine.validation import resource_of

GET_TOKEN, CLIENT = "get_token", "client"
EXAMPLES = (GET_TOKEN, CLIENT)
STDLIB = ("asyncio", "os")
ARM_RESOURCES = ("https://management.azure.com", "https://management.core.windows.net")
ARM_REQUEST = "/subscriptions?api-version=2022-12-01"
CLOSE_LATER = "Async credentials hold network sessions: `await credential.close()` when done."
CLIENT_NOTE = (
    "Every Azure SDK client takes `credential` like this generic azure-core one (azure-core comes "
    "with azure-identity; SubscriptionClient, for one, needs azure-mgmt-resource)."
)
UNKNOWN_EXAMPLE = "unknown example {example!r}; choose one of: " + ", ".join(EXAMPLES)


def program(
    *,
    header: Sequence[str],
    credential: object,
    classes: Iterable[str],
    reads_environment: bool,
    async_: bool,
    example: str | None,
    scope: str,
) -> str:
    """The whole exported file. ``credential`` is the expression node assigned to ``credential``."""
    if example not in (None, *EXAMPLES):
        raise ExportError(UNKNOWN_EXAMPLE.format(example=example))
    package = "azure.identity.aio" if async_ else "azure.identity"
    plain = {"os"} if reads_environment else set()
    from_imports: dict[str, set[str]] = {package: set(classes)}
    assignment = statement("credential = ", credential)  # type: ignore[arg-type]
    blocks: list[list[str]] = []
    if example is None:
        if async_:
            assignment += comment(CLOSE_LATER)
    elif async_:
        plain.add("asyncio")
        body, extra = _example(example, scope, async_=True)
        _merge(from_imports, extra)
        blocks += [["async def main() -> None:", "    async with credential:", *body], ["asyncio.run(main())"]]
    else:
        body, extra = _example(example, scope, async_=False)
        _merge(from_imports, extra)
        blocks.append(["with credential:", *body])
    head = [line for text in header for line in comment(text)]
    import_lines = imports(plain, from_imports, stdlib=STDLIB)
    return module(head, import_lines, assignment, *blocks)


def _merge(into: dict[str, set[str]], extra: dict[str, set[str]]) -> None:
    for module_name, names in extra.items():
        into.setdefault(module_name, set()).update(names)


def _example(example: str, scope: str, *, async_: bool) -> tuple[list[str], dict[str, set[str]]]:
    depth = 2 if async_ else 1
    awaited = "await " if async_ else ""
    if example == GET_TOKEN:
        body = statement(
            f"token = {awaited}", call("credential.get_token", Arg(value(scope))), depth=depth
        ) + statement(
            "",
            call(
                "print", Arg(value("Access token expires at")), Arg(Atom("token.expires_on")), Arg(value("(Unix time)"))
            ),
            depth=depth,
        )
        return body, {}
    resource = resource_of(scope)
    path = ARM_REQUEST if resource.rstrip("/") in ARM_RESOURCES else "/"
    policy_class = "AsyncBearerTokenCredentialPolicy" if async_ else "BearerTokenCredentialPolicy"
    client_class = "AsyncPipelineClient" if async_ else "PipelineClient"
    body = comment(CLIENT_NOTE, depth=depth)
    body += statement("policy = ", call(policy_class, Arg(Atom("credential")), Arg(value(scope))), depth=depth)
    client = call(client_class, Arg(value(resource)), Arg(Atom("[policy]"), "policies"))
    body += statement("client = ", client, depth=depth)
    body.append("    " * depth + ("async with client:" if async_ else "with client:"))
    body += statement(
        f"response = {awaited}",
        call("client.send_request", Arg(call("HttpRequest", Arg(value("GET")), Arg(value(path))))),
        depth=depth + 1,
    )
    body += statement(
        "", call("print", Arg(value("Response status:")), Arg(Atom("response.status_code"))), depth=depth + 1
    )
    return body, {
        "azure.core": {client_class},
        "azure.core.pipeline.policies": {policy_class},
        "azure.core.rest": {"HttpRequest"},
    }
