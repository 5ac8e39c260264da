"""The chain the user is editing, as plain Python: members, exclusions, options, undo and redo.

This is the source of truth the Qt model adapts (napari's evented-list shape): every edit goes
through a method here, which announces it to listeners before and after, so a model can call
beginMoveRows/endMoveRows around the real change. No Qt import: it is tested on its own.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from engine import dac_keywords
from engine.profiles import DEFAULT_PROFILE, Profile, get_profile
from engine.selection import resolve_exclusions
from engine.spec import (
    CHAINED_TOKEN_CREDENTIAL,
    CREDENTIAL_OPTIONS,
    DEFAULT_AZURE_CREDENTIAL,
    ChainSpec,
    CredentialSpec,
)

CONVERTED_NOTE = "Reordered: this is now a ChainedTokenCredential, because DefaultAzureCredential's order is fixed."
LEFT_OUT_NOTE = "{names} only exist inside DefaultAzureCredential, so they were left out."
UNCHECKED_NOTE = "{names}: cannot be built on its own here, so it was unchecked."
DAC_ONLY = "DefaultAzureCredential builds its own members; reorder them or convert to a ChainedTokenCredential first."

# DefaultAzureCredential's own keyword arguments, mapped onto the member they configure, so that
# converting to a ChainedTokenCredential keeps what the user had set.
_DAC_TO_MEMBER: dict[str, tuple[tuple[str, str], ...]] = dac_keywords.member_options()

_uids = itertools.count(1)
Listener = Callable[..., None]


class StateEvent(str, Enum):
    """What ChainState announces to its listeners: each change comes as an ``ABOUT_TO_*`` before it and
    its past tense after it (a Qt model wraps it in begin*/end*); ``CHANGED`` only after."""

    ABOUT_TO_RESET = "about_to_reset"
    RESET = "reset"
    ABOUT_TO_MOVE = "about_to_move"  # payload: src, dst
    MOVED = "moved"
    ABOUT_TO_INSERT = "about_to_insert"  # payload: row
    INSERTED = "inserted"
    ABOUT_TO_REMOVE = "about_to_remove"  # payload: row
    REMOVED = "removed"
    CHANGED = "changed"  # payload: rows


# The events after which the chain is different: an edit has happened.
EDITED = frozenset({StateEvent.RESET, StateEvent.MOVED, StateEvent.INSERTED, StateEvent.REMOVED, StateEvent.CHANGED})


@dataclass
class Member:
    """One row of the chain. ``uid`` follows the member through moves, undo and redo."""

    type: str  # azure-identity class name
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # the profile's member key in DefaultAzureCredential mode
    uid: int = field(default_factory=lambda: next(_uids))


@dataclass
class _Snapshot:
    mode: str
    profile: str
    members: list[Member]
    dac_options: dict[str, Any]
    explicit: dict[str, bool]
    note: str


class ChainState:
    """The editable chain. Listeners receive ``(event: StateEvent, **payload)``."""

    def __init__(self, profile: str = DEFAULT_PROFILE, env: Mapping[str, str] | None = None) -> None:
        self._listeners: list[Listener] = []
        self.env: Mapping[str, str] = dict(env or {})
        self.mode = DEFAULT_AZURE_CREDENTIAL
        self.profile_name = get_profile(profile).name
        self.dac_options: dict[str, Any] = {}
        self.explicit: dict[str, bool] = {}  # member key -> exclude_* value the user chose
        self.members: list[Member] = self._dac_members()
        self.note = ""
        # Members the last build showed as placeholders (unbuildable on their own), by class name.
        self.placeholders: set[str] = set()
        self._undo: list[tuple[str, _Snapshot]] = []
        self._redo: list[tuple[str, _Snapshot]] = []
        self.revision = 0

    # ---- listeners ---------------------------------------------------------------------------
    def connect(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _announce(self, event: StateEvent, **payload: Any) -> None:
        for listener in list(self._listeners):
            listener(event, **payload)

    # ---- queries -----------------------------------------------------------------------------
    @property
    def profile(self) -> Profile:
        return get_profile(self.profile_name)

    @property
    def is_default(self) -> bool:
        return self.mode == DEFAULT_AZURE_CREDENTIAL

    def __len__(self) -> int:
        return len(self.members)

    def names(self) -> list[str]:
        return [m.type for m in self.members]

    def is_enabled(self, row: int) -> bool:
        member = self.members[row]
        if not self.is_default:
            return member.enabled
        return member.key not in self._excluded()

    def enabled_names(self) -> list[str]:
        return [m.type for i, m in enumerate(self.members) if self.is_enabled(i)]

    def _excluded(self, explicit: Mapping[str, bool] | None = None) -> frozenset[str]:
        explicit = self.explicit if explicit is None else explicit
        try:
            return resolve_exclusions(self.profile, self.env, explicit)
        except ValueError:
            # An invalid AZURE_TOKEN_CREDENTIALS: the build reports it; show defaults plus the user's choices.
            return frozenset(m.key for m in self.profile.members if explicit.get(m.key, m.excluded_by_default))

    def row_of(self, uid: int) -> int | None:
        return next((i for i, m in enumerate(self.members) if m.uid == uid), None)

    def uids_for_built(self, names: Iterable[str]) -> list[int | None]:
        """The row each member of a built chain came from, given the members' display names in order."""
        names = list(names)
        if self.is_default:
            by_type = {m.type: m.uid for m in self.members}
            return [by_type.get(name) for name in names]
        # A ChainedTokenCredential is built from the checked rows in order; match by name as well, so a
        # builder that skipped or renamed a member never paints one row's status onto another.
        enabled = [m for i, m in enumerate(self.members) if self.is_enabled(i)]
        taken: set[int] = set()
        result: list[int | None] = []
        for position, name in enumerate(names):
            candidates = [m for m in enabled if m.uid not in taken and m.type == name]
            exact = position < len(enabled) and enabled[position].type == name and enabled[position].uid not in taken
            chosen = enabled[position] if exact else (candidates[0] if candidates else None)
            if chosen is not None:
                taken.add(chosen.uid)
            result.append(chosen.uid if chosen else None)
        return result

    # ---- the spec ----------------------------------------------------------------------------
    def to_spec(self) -> ChainSpec:
        if self.is_default:
            options = dict(self.dac_options)
            for key, excluded in self.explicit.items():
                options[self.profile.member(key).exclude_option] = excluded
            return ChainSpec(DEFAULT_AZURE_CREDENTIAL, self.profile.name, options, [])
        credentials = [CredentialSpec(m.type, dict(m.options), m.enabled) for m in self.members]
        return ChainSpec(CHAINED_TOKEN_CREDENTIAL, self.profile.name, {}, credentials)

    def load_spec(self, spec: ChainSpec) -> None:
        """Replace everything with ``spec`` (opening a file): a new document, so history starts over."""
        self._announce(StateEvent.ABOUT_TO_RESET)
        self.profile_name = spec.profile.name
        self.mode = spec.type
        self.note = ""
        if spec.is_default:
            excludes = {m.exclude_option: m.key for m in self.profile.members}
            self.explicit = {excludes[k]: bool(v) for k, v in spec.options.items() if k in excludes}
            self.dac_options = {k: v for k, v in spec.options.items() if k not in excludes}
            self.members = self._dac_members()
        else:
            self.explicit, self.dac_options = {}, {}
            self.members = [Member(c.type, c.enabled, dict(c.options)) for c in spec.credentials]
        self._undo.clear()
        self._redo.clear()
        self.revision += 1
        self._announce(StateEvent.RESET)

    # ---- edits -------------------------------------------------------------------------------
    def move(self, src: int, dst: int) -> bool:
        """Move row ``src`` so it sits before what is now row ``dst`` (Qt's convention); False if no-op."""
        if not (0 <= src < len(self.members)) or not (0 <= dst <= len(self.members)):
            return False
        if dst in (src, src + 1):
            return False
        moving_uid = self.members[src].uid
        target_uid = self.members[dst].uid if dst < len(self.members) else None
        self._push("Move " + self.members[src].type)
        if self.is_default:
            self._convert_to_chained()
            src = self.row_of(moving_uid)
            dst = len(self.members) if target_uid is None else self.row_of(target_uid)
            if src is None or dst is None or dst in (src, src + 1):
                return True  # the moving member was left out by the conversion, or the move became a no-op
        self._announce(StateEvent.ABOUT_TO_MOVE, src=src, dst=dst)
        member = self.members.pop(src)
        self.members.insert(dst if dst < src else dst - 1, member)
        self._announce(StateEvent.MOVED, src=src, dst=dst)
        return True

    def set_enabled(self, row: int, enabled: bool) -> None:
        """Check or uncheck a member; for DefaultAzureCredential this is its ``exclude_*`` argument."""
        if self.is_enabled(row) == enabled:
            return
        member = self.members[row]
        self._push(("Include " if enabled else "Exclude ") + member.type)
        if self.is_default:
            explicit = dict(self.explicit)
            explicit[member.key] = not enabled
            without = {k: v for k, v in explicit.items() if k != member.key}
            # Keep the spec minimal: an exclude_* equal to what happens anyway is left out, so an
            # AZURE_TOKEN_CREDENTIALS value keeps working as it does in the user's app.
            if (member.key in self._excluded(without)) == (not enabled):
                explicit = without
            self.explicit = explicit
            self._announce(StateEvent.CHANGED, rows=list(range(len(self.members))))
        else:
            member.enabled = enabled
            self._announce(StateEvent.CHANGED, rows=[row])

    def add(self, credential: str, row: int | None = None) -> int:
        if credential not in CREDENTIAL_OPTIONS:
            raise ValueError(f"unknown credential {credential!r}")
        if self.is_default:
            raise ValueError(DAC_ONLY)
        row = len(self.members) if row is None else row
        self._push("Add " + credential)
        self._announce(StateEvent.ABOUT_TO_INSERT, row=row)
        self.members.insert(row, Member(credential))
        self._announce(StateEvent.INSERTED, row=row)
        return row

    def remove(self, row: int) -> None:
        if self.is_default:
            raise ValueError(DAC_ONLY)
        self._push("Remove " + self.members[row].type)
        self._announce(StateEvent.ABOUT_TO_REMOVE, row=row)
        del self.members[row]
        self._announce(StateEvent.REMOVED, row=row)

    def set_options(self, row: int, options: Mapping[str, Any]) -> None:
        """Replace a ChainedTokenCredential member's keyword arguments (empty values dropped)."""
        clean = {k: v for k, v in options.items() if v is not None and v != ""}
        member = self.members[row]
        if clean == member.options:
            return
        if self.is_default:
            raise ValueError(DAC_ONLY)
        self._push(f"Edit {member.type} options")
        member.options = clean
        self._announce(StateEvent.CHANGED, rows=[row])

    def set_dac_options(self, options: Mapping[str, Any]) -> None:
        clean = {k: v for k, v in options.items() if v is not None and v != ""}
        if clean == self.dac_options or not self.is_default:
            return
        self._push("Edit DefaultAzureCredential options")
        self.dac_options = clean
        self._announce(StateEvent.CHANGED, rows=list(range(len(self.members))))

    def set_profile(self, profile: str) -> None:
        name = get_profile(profile).name
        if name == self.profile_name:
            return
        self._push(f"Use azure-identity {name}")
        self._announce(StateEvent.ABOUT_TO_RESET)
        self.profile_name = name
        if self.is_default:
            known = set(self.profile.member_keys)
            self.explicit = {k: v for k, v in self.explicit.items() if k in known}
            self.dac_options = {k: v for k, v in self.dac_options.items() if k in self.profile.options}
            self.members = self._dac_members()
        self._announce(StateEvent.RESET)

    def convert_to_chained(self) -> None:
        if not self.is_default:
            return
        self._push("Convert to ChainedTokenCredential")
        self._convert_to_chained()

    def reset_to_default(self) -> None:
        """Back to DefaultAzureCredential of the current profile with no arguments."""
        if self.is_default and not self.explicit and not self.dac_options:
            return
        self._push("Reset to DefaultAzureCredential")
        self._announce(StateEvent.ABOUT_TO_RESET)
        self.mode, self.explicit, self.dac_options, self.note = DEFAULT_AZURE_CREDENTIAL, {}, {}, ""
        self.members = self._dac_members()
        self._announce(StateEvent.RESET)

    def set_env(self, env: Mapping[str, str]) -> None:
        """The environment the chain is built in (real, what-if or sandbox); not an undoable edit."""
        self.env = dict(env)
        if self.members:
            self._announce(StateEvent.CHANGED, rows=list(range(len(self.members))))

    # ---- undo --------------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1][0] if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1][0] if self._redo else ""

    @property
    def undo_labels(self) -> list[str]:
        return [label for label, _ in self._undo]

    def undo(self) -> bool:
        if not self._undo:
            return False
        label, snapshot = self._undo.pop()
        self._redo.append((label, self._snapshot()))
        self._restore(snapshot)
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        label, snapshot = self._redo.pop()
        self._undo.append((label, self._snapshot()))
        self._restore(snapshot)
        return True

    # ---- internals ---------------------------------------------------------------------------
    def _dac_members(self) -> list[Member]:
        return [Member(m.credential, key=m.key) for m in self.profile.members]

    def _convert_to_chained(self) -> None:
        """DefaultAzureCredential's members, in its order, as an equivalent ChainedTokenCredential."""
        self._announce(StateEvent.ABOUT_TO_RESET)
        left_out, unchecked, members = [], [], []
        for i, member in enumerate(self.members):
            if member.type not in CREDENTIAL_OPTIONS:
                left_out.append(member.type)
                continue
            enabled = self.is_enabled(i)
            if enabled and member.type in self.placeholders:
                enabled = False
                unchecked.append(member.type)
            options = {
                option: self.dac_options[dac_key]
                for dac_key, option in _DAC_TO_MEMBER.get(member.type, ())
                if dac_key in self.dac_options
            }
            members.append(Member(member.type, enabled, options, uid=member.uid))
        self.mode = CHAINED_TOKEN_CREDENTIAL
        self.members, self.explicit, self.dac_options = members, {}, {}
        notes = [CONVERTED_NOTE]
        if left_out:
            notes.append(LEFT_OUT_NOTE.format(names=", ".join(left_out)))
        if unchecked:
            notes.append(UNCHECKED_NOTE.format(names=", ".join(unchecked)))
        self.note = " ".join(notes)
        self._announce(StateEvent.RESET)

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(
            self.mode,
            self.profile_name,
            copy.deepcopy(self.members),
            copy.deepcopy(self.dac_options),
            dict(self.explicit),
            self.note,
        )

    def _restore(self, snapshot: _Snapshot) -> None:
        self._announce(StateEvent.ABOUT_TO_RESET)
        self.mode, self.profile_name = snapshot.mode, snapshot.profile
        self.members = copy.deepcopy(snapshot.members)
        self.dac_options = copy.deepcopy(snapshot.dac_options)
        self.explicit = dict(snapshot.explicit)
        self.note = snapshot.note
        self.revision += 1
        self._announce(StateEvent.RESET)

    def _push(self, label: str) -> None:
        self._undo.append((label, self._snapshot()))
        self._redo.clear()
        self.revision += 1
