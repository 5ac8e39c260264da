"""The PowerShell script AzurePowerShellCredential runs, and the command line that carries it.

The script text is azure-identity 1.27.0's, character for character (the oracle tests compare the
decoded ``-EncodedCommand`` of both): import Az.Accounts >= 2.2.0 or print a marker, call
``Get-AzAccessToken`` (as a SecureString for Az.Accounts 2.17 to 5.0, converted back to plain text),
and print ``azsdk%<token>%<expiry as Unix seconds>`` between blank lines.
"""

from __future__ import annotations

import base64

NO_AZ_ACCOUNT_MODULE = "NO_AZ_ACCOUNT_MODULE"

SCRIPT = """$ErrorActionPreference = 'Stop'
[version]$minimumVersion = '2.2.0'

$m = Import-Module Az.Accounts -MinimumVersion $minimumVersion -PassThru -ErrorAction SilentlyContinue

if (! $m) {{
    Write-Output {marker}
    exit
}}

$params = @{{ 'ResourceUrl' = '{resource}'; 'WarningAction' = 'Ignore' }}

$tenantId = '{tenant}'
if ($tenantId.Length -gt 0) {{
    $params['TenantId'] = $tenantId
}}

if ($m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0') {{
    $params['AsSecureString'] = $true
}}

$token = Get-AzAccessToken @params
$tokenValue = $token.Token
if ($tokenValue -is [System.Security.SecureString]) {{
    if ($PSVersionTable.PSVersion.Major -lt 7) {{
        $ssPtr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($tokenValue)
        try {{
            $tokenValue = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($ssPtr)
        }}
        finally {{
            [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($ssPtr)
        }}
    }}
    else {{
        $tokenValue = $tokenValue | ConvertFrom-SecureString -AsPlainText
    }}
}}
Write-Output "`nazsdk%$($tokenValue)%$($token.ExpiresOn.ToUnixTimeSeconds())`n"
"""


# Before 1.23.1 (switch PWSH_SCRIPT_SECURESTRING_BY_TYPE): a SecureString for every Az.Accounts from
# 2.17, converted with ConvertFrom-SecureString (PowerShell 7 only).
SCRIPT_BEFORE_1_23_1 = SCRIPT[: SCRIPT.index("if ($m.Version -ge")] + (
    """$useSecureString = $m.Version -ge [version]'2.17.0'
if ($useSecureString) {{
    $params['AsSecureString'] = $true
}}

$token = Get-AzAccessToken @params
$tokenValue = $token.Token
if ($useSecureString) {{
    $tokenValue = $tokenValue | ConvertFrom-SecureString -AsPlainText
}}
Write-Output "`nazsdk%$($tokenValue)%$($token.ExpiresOn.ToUnixTimeSeconds())`n"
"""
)


def script(resource: str, tenant_id: str, *, by_type: bool = True) -> str:
    """The script for one token request; ``resource`` and ``tenant_id`` were validated before."""
    text = SCRIPT if by_type else SCRIPT_BEFORE_1_23_1
    return text.format(marker=NO_AZ_ACCOUNT_MODULE, resource=resource, tenant=tenant_id or "")


def encoded_command(text: str) -> str:
    """What ``-EncodedCommand`` takes: base64 of the UTF-16-LE text."""
    return base64.b64encode(text.encode("utf-16-le")).decode()


def command_line(resource: str, tenant_id: str, *, windows: bool, by_type: bool = True) -> list[str]:
    """``/bin/sh -c "pwsh ..."`` (``cmd /c "pwsh ... & exit"`` on Windows), as azure-identity builds it."""
    text = script(resource, tenant_id, by_type=by_type)
    command = "pwsh -NoProfile -NonInteractive -EncodedCommand " + encoded_command(text)
    if windows:
        return ["cmd", "/c", command + " & exit"]
    return ["/bin/sh", "-c", command]


def with_windows_powershell(argv: list[str]) -> list[str]:
    """The same command with Windows PowerShell (``powershell``) in place of PowerShell 7 (``pwsh``)."""
    return [*argv[:-1], argv[-1].replace("pwsh", "powershell", 1)]
