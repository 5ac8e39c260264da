"""``--profile auto``: which azure-identity the user's app has, and so which profile to use.

The interpreter is asked through a subprocess that reads package metadata only (azure.identity is
never imported, here or there). Where to look: ``--python PATH``, else a ``.venv`` or ``venv`` in the
working directory, else nowhere (then the newest profile, with a note saying so).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.child_process import run_captured
from engine.profiles import DEFAULT_PROFILE, PROFILES, RELEASES, Profile, get_profile, profile_for

VERSION_QUERY = (
    "import importlib.metadata as m\n"
    "try:\n    print(m.version('azure-identity'))\n"
    "except m.PackageNotFoundError:\n    print('')\n"
)
QUERY_TIMEOUT = 30
NO_INTERPRETER_FOUND = "no --python given and no .venv or venv in {cwd}: using azure-identity {version}'s behaviour"
NOT_INSTALLED = "azure-identity is not installed for {python}: using azure-identity {version}'s behaviour"
NEWER_THAN_KNOWN = (
    "azure-identity {found} is newer than the newest profile; using {version}'s behaviour (update Chainsight "
    "for an exact verdict)"
)
OLDER_THAN_KNOWN = "azure-identity {found} is older than {oldest}, the oldest release Chainsight reproduces"
QUERY_FAILED = "could not ask {python} for its azure-identity version: {detail}"
NO_SUCH_INTERPRETER = "{python}: no such interpreter"
FOLDER_NOT_INTERPRETER = "{python}: a folder, not an interpreter (give the python inside its bin folder)"
NOT_EXECUTABLE = "{python}: not executable, so not an interpreter"
QUERY_EXITED = "exited with status {code}{said}"
QUERY_TIMED_OUT = "it did not answer within {seconds} s"
NOT_A_VERSION = "it printed {output!r}, not a version: is it a Python interpreter?"
VERSION_SHAPE = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.(post|dev)\d+)?$")
DETECTED = "azure-identity {found} found for {python}"
CHOSEN = "chosen"


@dataclass(frozen=True)
class Detection:
    """The profile to use and why (shown by the CLI and the window)."""

    profile: Profile
    reason: str  # "azure-identity 1.23.1 found for /app/.venv/bin/python", or "chosen"
    warning: str = ""


def _key(version: str) -> tuple[int, ...]:
    return tuple(int("".join(ch for ch in part if ch.isdigit()) or 0) for part in version.split(".")[:3])


def profile_for_version(found: str) -> tuple[Profile, str]:
    """The profile for an installed version, and a warning when it is not one of ours exactly."""
    newest, oldest = RELEASES[-1], RELEASES[0]
    if _key(found) < _key(oldest):
        raise ValueError(OLDER_THAN_KNOWN.format(found=found, oldest=".".join(oldest.split(".")[:2])))
    if _key(found) > _key(newest):
        return PROFILES[DEFAULT_PROFILE], NEWER_THAN_KNOWN.format(found=found, version=newest)
    short = ".".join(found.split(".")[:2])
    if short not in PROFILES:  # a minor release between ours (none today): the change table still applies
        return profile_for(found), ""
    exact = PROFILES[short]
    # A patch other than the profile's own gets the change table's switches for exactly that patch.
    return (exact if exact.version == found else profile_for(found)), ""


def venv_interpreter(cwd: Path) -> Path | None:
    for name in (".venv", "venv"):
        for python in (cwd / name / "bin" / "python", cwd / name / "Scripts" / "python.exe"):
            if python.exists():
                return python
    return None


def interpreter_problem(python: str | Path) -> str | None:
    """Why ``python`` cannot be an interpreter (missing, a folder, not executable), or None."""
    path = Path(python)
    if not path.exists():
        return NO_SUCH_INTERPRETER.format(python=python)
    if path.is_dir():
        return FOLDER_NOT_INTERPRETER.format(python=python)
    if not os.access(path, os.X_OK):
        return NOT_EXECUTABLE.format(python=python)
    return None


def installed_version(python: str | Path) -> str | None:
    """azure-identity's version for ``python`` from its metadata; None when not installed. ValueError,
    in one line naming the interpreter, when it cannot be asked or answers with something else."""
    problem = interpreter_problem(python)
    if problem:
        raise ValueError(problem)
    try:
        proc = run_captured([str(python), "-c", VERSION_QUERY], timeout=QUERY_TIMEOUT)
    except subprocess.TimeoutExpired as ex:
        raise ValueError(
            QUERY_FAILED.format(python=python, detail=QUERY_TIMED_OUT.format(seconds=QUERY_TIMEOUT))
        ) from ex
    except (OSError, ValueError) as ex:  # not a program this system can run (a text file, another platform's)
        raise ValueError(QUERY_FAILED.format(python=python, detail=ex.strerror or ex)) from ex
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [""])[-1][:200]
        detail = QUERY_EXITED.format(code=proc.returncode, said=f": {last}" if last else "")
        raise ValueError(QUERY_FAILED.format(python=python, detail=detail))
    found = proc.stdout.strip()
    if found and not VERSION_SHAPE.match(found):
        raise ValueError(QUERY_FAILED.format(python=python, detail=NOT_A_VERSION.format(output=found[:80])))
    return found or None


def detect(python: str | Path | None = None, cwd: Path | None = None) -> Detection:
    """The profile for ``python`` (else the working directory's venv); ValueError when unsupported."""
    default = PROFILES[DEFAULT_PROFILE]
    interpreter = Path(python) if python else venv_interpreter(cwd or Path.cwd())
    if interpreter is None:
        return Detection(default, NO_INTERPRETER_FOUND.format(cwd=cwd or Path.cwd(), version=default.version))
    found = installed_version(interpreter)
    if found is None:
        return Detection(default, NOT_INSTALLED.format(python=interpreter, version=default.version))
    profile, warning = profile_for_version(found)
    return Detection(profile, DETECTED.format(found=found, python=interpreter), warning)


def chosen(name: str | None) -> Detection:
    return Detection(get_profile(name), CHOSEN)
