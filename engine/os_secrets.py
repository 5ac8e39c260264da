"""Looking up one generic password in the OS secret store, as azure-identity's VS Code adapters did (1.19-1.23).

VS Code's retired Azure Account extension kept its refresh token under service "VS Code Azure" and the
cloud's name as account: Linux's Secret Service through libsecret (attributes ``service`` and
``account``, any schema), macOS's login keychain, Windows' Credential Manager (target
``service/account``). Each lookup returns None when the store, the library or the entry is missing,
as those releases did; the engine reaches this only through ``Host.secret_lookup``.
"""

from __future__ import annotations

import ctypes
import sys


def lookup(service: str, account: str) -> str | None:
    """The stored secret, or None."""
    try:
        if sys.platform.startswith("win"):
            return _windows(service, account)
        if sys.platform.startswith("darwin"):
            return _macos(service, account)
        return _libsecret(service, account)
    except Exception:  # azure-identity logs the exception at DEBUG and treats it as "no refresh token"
        return None


class _Attribute(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_uint)]


class _Schema(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("flags", ctypes.c_uint), ("attributes", _Attribute * 2)]


_DONT_MATCH_NAME = 2  # SECRET_SCHEMA_DONT_MATCH_NAME: whoever wrote the entry, match on attributes only


def _libsecret(service: str, account: str) -> str | None:
    try:
        library = ctypes.cdll.LoadLibrary("libsecret-1.so.0")
    except OSError:
        return None
    lookup_sync = library.secret_password_lookup_sync
    lookup_sync.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_char_p] * 4 + [ctypes.c_void_p]
    lookup_sync.restype = ctypes.c_char_p
    schema = _Schema()
    ctypes.memset(ctypes.byref(schema), 0, ctypes.sizeof(schema))
    schema.name = b"org.freedesktop.Secret.Generic"
    schema.flags = _DONT_MATCH_NAME
    schema.attributes = (_Attribute * 2)(_Attribute(b"service", 0), _Attribute(b"account", 0))
    error = ctypes.c_int()
    found = lookup_sync(
        ctypes.byref(schema),
        None,
        ctypes.byref(error),
        b"service",
        service.encode(),
        b"account",
        account.encode(),
        None,
    )
    if error.value == 0 and found:
        return found.decode("utf-8")
    return None


def _macos(service: str, account: str) -> str | None:
    from msal_extensions.osx import Keychain, KeychainError

    try:
        return Keychain().get_generic_password(service, account)
    except KeychainError:
        return None


def _windows(service: str, account: str) -> str | None:
    from ctypes import wintypes

    class _Credential(ctypes.Structure):
        _fields_ = [
            ("Flags", wintypes.DWORD),
            ("Type", wintypes.DWORD),
            ("TargetName", ctypes.c_wchar_p),
            ("Comment", ctypes.c_wchar_p),
            ("LastWritten", wintypes.FILETIME),
            ("CredentialBlobSize", wintypes.DWORD),
            ("CredentialBlob", ctypes.POINTER(ctypes.c_char)),
            ("Persist", wintypes.DWORD),
            ("AttributeCount", wintypes.DWORD),
            ("Attributes", ctypes.c_void_p),
            ("TargetAlias", ctypes.c_wchar_p),
            ("UserName", ctypes.c_wchar_p),
        ]

    advapi = ctypes.WinDLL("advapi32.dll")  # type: ignore[attr-defined]
    pointer = ctypes.POINTER(_Credential)()
    if not advapi.CredReadW(f"{service}/{account}", 1, 0, ctypes.byref(pointer)):
        return None
    try:
        blob = pointer.contents
        return ctypes.string_at(blob.CredentialBlob, blob.CredentialBlobSize).decode("latin-1")  # chr() per byte
    finally:
        advapi.CredFree(pointer)
