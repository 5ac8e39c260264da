def test_every_registered_command_is_known_to_the_gui_dispatch():
    """A command missing from _COMMAND_NAMES would start the window instead (sign-in once did)."""
    import argparse
    import importlib

    from app import cli

    registered = set()
    for module in cli._COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        registered |= set(sub.choices)
    assert registered == set(cli._COMMAND_NAMES)
    assert not any(cli._is_gui_invocation([name]) for name in registered)
