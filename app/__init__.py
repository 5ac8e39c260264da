"""Chainsight front ends: the PySide6 desktop app (``app.gui``) and the headless CLI (``app.cli``)."""
