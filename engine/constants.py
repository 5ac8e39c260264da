"""Values azure-identity keeps in its ``_constants`` module, one home each (variable names are in env_vars.py).

The sandbox reads the client ids too: its stand-in tools and caches sign in as the real ones do.
"""

# Azure CLI's application id, which azure-identity signs in as by default (interactive, shared cache).
DEVELOPER_SIGN_ON_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AZURE_POWERSHELL_CLIENT_ID = "1950a258-227b-4e31-a9cf-717495945fc2"
# The VS Code Azure Resources extension's application id.
VSCODE_CLIENT_ID = "aebc6443-996d-45c2-90f0-388ff96faa56"
# A token with this few seconds left is refreshed before use (azure-identity's DEFAULT_REFRESH_OFFSET).
REFRESH_OFFSET = 300
# Seconds az, azd and pwsh may run: the default of each developer-tool credential's process_timeout.
DEFAULT_PROCESS_TIMEOUT = 10
