"""Mechanics shared by the public credentials one level up (azure-identity's _internal)."""
