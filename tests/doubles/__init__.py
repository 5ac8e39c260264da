"""Test doubles shared by the engine's unit tests and the oracle: chain members with scripted behaviour
(chain.py), fake developer tools on PATH (fake_tools.py), loopback HTTP(S) stand-ins and certificates
(standins.py), and the service credentials' identities, tokens and scripted Entra ID (service.py).

None imports azure-identity at module level, so a unit test that uses them runs without the oracle installed.
"""
