"""Managed-identity hosts: the wire protocol of each identity endpoint and azure-identity's wrapper for it."""
