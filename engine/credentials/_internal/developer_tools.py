"""What the developer-tool credentials (az, azd, pwsh) share: where and how their process runs.

azure-identity runs each tool from a directory the OS controls (so a planted ``az`` in the app's
working directory is never picked up), with stdin from /dev/null, stdout and stderr captured in text
mode, and a timeout. Text mode matters: it decodes strictly (undecodable bytes are an error, not a
replacement character) and turns ``\\r\\n`` and lone ``\\r`` into ``\\n`` before any parsing.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from engine import events
from engine.constants import DEFAULT_PROCESS_TIMEOUT
from engine.context import within_dac
from engine.credentials._internal.base import Credential
from engine.credentials._internal.request_helpers import EXACTLY_ONE_SCOPE
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.profiles import ORGANIZATIONS_TENANT, TOOL_ARGV_LOGGED
from engine.tenant import resolve_tenant
from engine.validation import validate_scope, validate_tenant_id

FAILED_TO_EXECUTE = "Failed to execute '{}'"
POSIX_WORKING_DIR = "/bin"
# az and pwsh say this when SYSTEMROOT is unset on Windows; azd words its own.
NO_SYSTEMROOT = "Environment variable 'SYSTEMROOT' has no value"


class UndecodableOutput(ValueError):
    """The tool wrote bytes that are not text; azure-identity's text-mode pipes fail the same way."""


@dataclass(frozen=True)
class ToolOutput:
    """A finished tool process, its streams as azure-identity's text-mode pipes would read them."""

    returncode: int
    stdout: str
    stderr: str


def is_windows(host: Host) -> bool:
    return host.system == "Windows"


def getenv_windows_style(host: Host, name: str) -> str | None:
    """A variable as ``os.environ`` gives it: case-insensitively on Windows."""
    if not is_windows(host):
        return host.env.get(name)
    wanted = name.upper()
    return next((value for key, value in host.env.items() if key.upper() == wanted), None)


def safe_working_dir(host: Host, missing_systemroot: str) -> str:
    """``/bin``, or ``%SYSTEMROOT%`` on Windows; CUE(``missing_systemroot``) when that is unset."""
    if is_windows(host):
        path = getenv_windows_style(host, "SYSTEMROOT")
        if not path:
            raise CredentialUnavailableError(message=missing_systemroot)
        return path
    return POSIX_WORKING_DIR


def as_text_mode(stream: bytes) -> str:
    """What ``universal_newlines=True`` reads: strict decoding, every line ending as ``\\n``."""
    try:
        text = stream.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise UndecodableOutput("the tool's output is not valid UTF-8") from ex
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_tool(
    host: Host,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    timeout: float | None,
    label: str,
) -> ToolOutput:
    """Run a tool through the Host (a recorded step).

    Raises ``OSError`` when it cannot start, ``subprocess.TimeoutExpired`` after killing it on
    timeout, and ``UndecodableOutput`` when its output is not text.
    """
    result = host.run(list(argv), env=env, cwd=cwd, timeout=timeout, label=label)
    return ToolOutput(result.returncode, as_text_mode(result.stdout_bytes), as_text_mode(result.stderr_bytes))


def single_resource(scopes: Sequence[str]) -> str:
    """The v1 resource of the only scope (``/.default`` removed); ValueError unless exactly one."""
    if len(scopes) != 1:
        raise ValueError(EXACTLY_ONE_SCOPE)
    resource = scopes[0]
    if resource.endswith("/.default"):
        resource = resource[: -len("/.default")]
    return resource


def shell_command(executable: str, command_args: Sequence[str], *, windows: bool) -> list[str]:
    """Before 1.20 (switch TOOLS_SPAWNED_DIRECTLY) az and azd ran as one command string through a shell."""
    command = " ".join([executable, *command_args])
    return ["cmd", "/c", command] if windows else ["/bin/sh", "-c", command]


def encode_base64(text: str) -> str:
    """Claims as the tools take them: UTF-8, standard base64 with padding."""
    return base64.b64encode(text.encode("utf-8")).decode("utf-8")


def softened(message: str) -> ClientAuthenticationError:
    """A tool failure as DefaultAzureCredential's first walk reports it (unavailable), else a failure."""
    if within_dac.get():
        return CredentialUnavailableError(message=message)
    return ClientAuthenticationError(message=message)


class DeveloperToolCredential(Credential):
    """What az, azd and pwsh credentials share: an optional tenant, other tenants allowed by name, a timeout."""

    def __init__(
        self,
        *,
        host: Host,
        tenant_id: str = "",
        additionally_allowed_tenants: list[str] | None = None,
        process_timeout: int = DEFAULT_PROCESS_TIMEOUT,
    ) -> None:
        if tenant_id:
            validate_tenant_id(tenant_id)
        super().__init__(host=host)
        self.tenant_id = tenant_id
        self._additionally_allowed_tenants = list(additionally_allowed_tenants or [])
        self._process_timeout = process_timeout

    @staticmethod
    def _validate_request(tenant_id: str | None, scopes: Sequence[str]) -> None:
        """The character checks all three make before anything reaches an argv (ValueError stops a chain)."""
        if tenant_id:
            validate_tenant_id(tenant_id)
        for scope in scopes:
            validate_scope(scope)

    def _tenant_for(self, tenant_id: str | None) -> str:
        return resolve_tenant(
            self.tenant_id,
            tenant_id,
            additionally_allowed_tenants=self._additionally_allowed_tenants,
            env=self.host.env,
            organizations_any=self._profile.has(ORGANIZATIONS_TENANT),
        )

    def _invoke(
        self,
        argv: list[str],
        *,
        color_off: str,
        logger: str,
        label: str,
        no_systemroot: str,
        failed_to_invoke: str,
        classify: Callable[[ToolOutput], ClientAuthenticationError],
    ) -> str:
        """Run az or azd as azure-identity does: its stdout, or the classified error of a failed run."""
        try:
            cwd = safe_working_dir(self.host, no_systemroot)
            env = {**self.host.env, color_off: "true"}
            if self._profile.has(TOOL_ARGV_LOGGED):
                events.log(logger, logging.DEBUG, f"Executing subprocess with the following arguments {argv}")
            result = run_tool(self.host, argv, env=env, cwd=cwd, timeout=self._process_timeout, label=label)
        except OSError as ex:
            raise CredentialUnavailableError(message=FAILED_TO_EXECUTE.format(argv[0])) from ex
        except Exception as ex:  # a timeout (the child is killed), undecodable output, no SYSTEMROOT
            raise CredentialUnavailableError(message=failed_to_invoke) from ex
        if result.returncode != 0:
            raise classify(result)
        return result.stdout
