"""azure-identity's managed-identity credentials, one per host, on top of msal's protocol in managed_identity_sources."""
