"""Where the shared token cache lives on each OS and how it is protected, as azure-identity asks msal-extensions.

Windows: a DPAPI-protected file under ``%LOCALAPPDATA%\\.IdentityService``. macOS: the Keychain, with a signal
file under ``~/.IdentityService``. Linux: libsecret, or, when PyGObject or libsecret is unusable, a plaintext
file at the signal path (SharedTokenCacheCredential allows that fallback). The Host supplies the platform,
environment and home directory; reads are recorded steps.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import msal
import msal_extensions
from msal_extensions.persistence import BasePersistence, FilePersistence

from engine import events
from engine.host import Host
from engine.store_timeout import StoreTimeout, call_with_timeout

CACHE_NAME = "msal.cache"
NON_CAE_SUFFIX = ".nocae"
CAE_SUFFIX = ".cae"
ACCOUNT_NAME = "MSALCache"
KEYCHAIN_SERVICE = "Microsoft.Developer.IdentityService"
LIBSECRET_ATTRIBUTES = {"MsalClientID": "Microsoft.Developer.IdentityService"}
PERSISTENT_CACHE_LOGGER = "azure.identity._persistent_cache"

DPAPI = "DPAPI-protected file"
KEYCHAIN = "macOS Keychain"
LIBSECRET = "libsecret"
PLAINTEXT = "plaintext file"

NOT_AVAILABLE = "A persistent cache is not available in this environment."
ENCRYPTION_IMPOSSIBLE = (
    "Cache encryption is impossible because libsecret dependencies are not installed or are unusable, for "
    "example because no display is available (as in an SSH session). The chained exception has more "
    'information. Specify "allow_unencrypted_storage=True" to store the cache unencrypted instead of raising '
    "this exception."
)
NO_PYGOBJECT = "PyGObject (gi) is not importable here, so msal-extensions falls back to a plaintext file"


def cache_name(is_cae: bool = False, base_name: str = CACHE_NAME) -> str:
    return base_name + (CAE_SUFFIX if is_cae else NON_CAE_SUFFIX)


@dataclass(frozen=True)
class CacheLocation:
    """Where a cache lives: the protection used, and the file (the data, or the signal file beside a store)."""

    protection: str | None  # one of the constants above; None when this platform has no persistent cache
    path: Path | None
    name: str
    note: str = ""

    def describe(self) -> str:
        if self.protection is None:
            return NOT_AVAILABLE
        where = f"{self.protection} at {self.path}"
        if self.protection in (KEYCHAIN, LIBSECRET):
            where = f"{self.protection} (signal file {self.path})"
        return f"{where}; {self.note}" if self.note else where


def locate(host: Host, is_cae: bool = False, base_name: str = CACHE_NAME) -> CacheLocation:
    """The location azure-identity would use on ``host``, worked out without touching any store."""
    name = cache_name(is_cae, base_name)
    platform = host.sys_platform
    if platform.startswith("win") and "LOCALAPPDATA" in host.env:
        return CacheLocation(DPAPI, Path(host.env["LOCALAPPDATA"]) / ".IdentityService" / name, name)
    signal = host.expand_user(f"~/.IdentityService/{name}")
    if platform.startswith("darwin"):
        return CacheLocation(KEYCHAIN, signal, name, f"service {KEYCHAIN_SERVICE}, account {_keychain_account(name)}")
    if platform.startswith("linux"):
        if not _pygobject_importable():
            return CacheLocation(PLAINTEXT, signal, name, NO_PYGOBJECT)
        return CacheLocation(
            LIBSECRET,
            signal,
            name,
            "PyGObject is present; msal-extensions falls back to a plaintext file if the keyring is unusable",
        )
    return CacheLocation(None, None, name)


def open_persistence(
    host: Host, is_cae: bool = False, *, base_name: str = CACHE_NAME, allow_unencrypted: bool = True
) -> BasePersistence:
    """The persistence azure-identity's ``_get_persistence`` builds, on the Host's platform and home."""
    name = cache_name(is_cae, base_name)
    platform = host.sys_platform
    if platform.startswith("win") and "LOCALAPPDATA" in host.env:
        location = os.path.join(host.env["LOCALAPPDATA"], ".IdentityService", name)
        return RecordedPersistence(msal_extensions.FilePersistenceWithDataProtection(location), DPAPI)
    signal = str(host.expand_user(f"~/.IdentityService/{name}"))
    if platform.startswith("darwin"):
        keychain = msal_extensions.KeychainPersistence(signal, KEYCHAIN_SERVICE, _keychain_account(name))
        return RecordedPersistence(keychain, KEYCHAIN)
    if platform.startswith("linux"):
        libsecret = _libsecret_or_none(signal, name, allow_unencrypted)
        return RecordedPersistence(libsecret, LIBSECRET) if libsecret else HostFilePersistence(signal, host)
    raise NotImplementedError(NOT_AVAILABLE)


def _libsecret_or_none(signal: str, name: str, allow_unencrypted: bool) -> BasePersistence | None:
    """msal-extensions' libsecret persistence (its trial run included), or None where it falls back to a
    plaintext file. A keyring that does not answer is an error, not a fallback: azure-identity would hang."""
    try:
        return call_with_timeout(
            lambda: msal_extensions.LibsecretPersistence(signal, name, LIBSECRET_ATTRIBUTES, label=ACCOUNT_NAME),
            LIBSECRET,
        )
    except StoreTimeout as ex:  # said in the log too: the credential's own message is azure-identity's, generic
        events.log(PERSISTENT_CACHE_LOGGER, logging.WARNING, str(ex))
        raise
    except Exception as ex:
        events.log(
            PERSISTENT_CACHE_LOGGER,
            logging.DEBUG,
            f'msal-extensions is unable to encrypt a persistent cache: "{ex}"',
        )
        if not allow_unencrypted:
            raise ValueError(ENCRYPTION_IMPOSSIBLE) from ex
        return None


def load_token_cache(
    host: Host, is_cae: bool = False, *, base_name: str = CACHE_NAME, allow_unencrypted: bool = True
) -> msal_extensions.PersistedTokenCache:
    """azure-identity's ``_load_persistent_cache``: the persistence above behind msal-extensions' cache."""
    persistence = open_persistence(host, is_cae, base_name=base_name, allow_unencrypted=allow_unencrypted)
    return HostPersistedTokenCache(persistence, host)


def read_snapshot(host: Host, location: CacheLocation) -> msal.SerializableTokenCache | None:
    """The cache's current contents for a static look (no lock, no store created); None when there is none.

    Raises NotImplementedError where there is no persistent cache, and the store's or JSON's error when the
    contents cannot be read. JSON that is no token cache is returned as is: the lookups then raise what the
    run's raise, so scan quotes the run's message.
    """
    if location.protection is None or location.path is None:
        raise NotImplementedError(NOT_AVAILABLE)
    if not host.exists(location.path):
        return None  # msal-extensions treats a missing store (or signal file) as an empty cache
    libsecret = None
    if location.protection == LIBSECRET:  # the same construction as a run, so scan and run agree
        libsecret = _libsecret_or_none(str(location.path), location.name, allow_unencrypted=True)
    if location.protection == PLAINTEXT or (location.protection == LIBSECRET and libsecret is None):
        text = host.read_text(location.path, label="read the shared token cache")
    else:
        with events.step("file", f"read the shared token cache ({location.protection})", path=str(location.path)):
            text = call_with_timeout(lambda: _load_protected(location, libsecret), location.protection)
    cache = msal.SerializableTokenCache()
    cache.deserialize(text)
    return cache  # a JSON value that is no cache fails where the run fails: at the first lookup


def _load_protected(location: CacheLocation, libsecret: BasePersistence | None = None) -> str:
    if libsecret is not None:
        try:
            return libsecret.load() or ""
        except msal_extensions.persistence.PersistenceNotFound:
            return ""
    if location.protection == KEYCHAIN:
        persistence: BasePersistence = msal_extensions.KeychainPersistence(
            str(location.path), KEYCHAIN_SERVICE, _keychain_account(location.name)
        )
    else:
        persistence = msal_extensions.FilePersistenceWithDataProtection(str(location.path))
    try:
        return persistence.load()
    except msal_extensions.persistence.PersistenceNotFound:
        return ""


def _keychain_account(name: str) -> str:
    return ACCOUNT_NAME if name == CACHE_NAME + NON_CAE_SUFFIX else name


def _pygobject_importable() -> bool:
    return importlib.util.find_spec("gi") is not None


class HostFilePersistence(FilePersistence):
    """msal-extensions' plaintext file persistence, reading through the Host so each read is a recorded step."""

    def __init__(self, location: str, host: Host) -> None:
        super().__init__(location)
        self._host = host

    def load(self) -> str:
        try:
            return self._host.read_text(self.get_location(), label="read the shared token cache")
        except FileNotFoundError:
            raise msal_extensions.persistence.PersistenceNotFound(location=self.get_location()) from None

    def save(self, content: str) -> None:
        with events.step("file", "write the shared token cache", path=self.get_location()):
            super().save(content)


class RecordedPersistence(BasePersistence):
    """A platform store (DPAPI, Keychain, libsecret) whose loads and saves show up as recorded steps."""

    def __init__(self, inner: BasePersistence, protection: str) -> None:
        self._inner = inner
        self.protection = protection
        self.is_encrypted = inner.is_encrypted

    def load(self) -> str:
        with events.step("file", f"read the shared token cache ({self.protection})", path=self.get_location()):
            return call_with_timeout(self._inner.load, self.protection)

    def save(self, content: str) -> None:
        with events.step("file", f"write the shared token cache ({self.protection})", path=self.get_location()):
            call_with_timeout(lambda: self._inner.save(content), self.protection)

    def time_last_modified(self) -> float:
        return self._inner.time_last_modified()

    def get_location(self) -> str:
        return self._inner.get_location()


class HostPersistedTokenCache(msal_extensions.PersistedTokenCache):
    """msal-extensions' persisted cache; its pause between read retries goes through the Host (cancellable)."""

    RETRIES = 3
    RETRY_PAUSE = 0.5

    def __init__(self, persistence: BasePersistence, host: Host) -> None:
        super().__init__(persistence)
        self._host = host

    def search(self, credential_type, **kwargs):  # type: ignore[override]
        # Same optimistic read as msal-extensions: another process may be mid-write, so retry twice.
        for attempt in range(1, self.RETRIES + 1):
            try:
                self._reload_if_necessary()
            except Exception:
                if attempt == self.RETRIES:
                    raise
                self._host.sleep(self.RETRY_PAUSE)
            else:
                return msal.SerializableTokenCache.search(self, credential_type, **kwargs)
        return []
