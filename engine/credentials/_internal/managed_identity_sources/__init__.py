"""msal's managed-identity protocol: how each identity endpoint is asked for a token and which one is asked."""
