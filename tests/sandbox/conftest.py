"""The sandbox fixtures for this folder (harmless duplicates once the root conftest loads the plugin)."""

from tests.plugins.sandbox import netns_available, sandbox_factory, sandbox_run  # noqa: F401
