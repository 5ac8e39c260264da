"""Builds, probes and runs the chain in the thread pool and reports back through queued signals.

Views never call credentials: they ask the runner, and fold what it reports into their models.
Every job carries a generation so that results of a chain the user has since edited are dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.gui.run_record import RUN, TRY_EVERY, Request, RunRecord
from app.gui.workers import WorkerPool
from engine import events
from engine.chain import credential_name
from engine.host import Host
from engine.probe import UNKNOWN, Probe
from engine.run import ChainRun, cancel_summary, run_chain
from engine.scan import probe_one
from engine.spec import ChainSpec

Builder = Callable[[ChainSpec, Host], Any]
PROBE_FAILED = "the availability check failed: {error}"
PLACEHOLDER_CLASSES = ("FailedDACCredential",)
ABANDONED = "abandoned: the run was cancelled while this member was working"


def describe_error(ex: BaseException) -> str:
    return f"{type(ex).__name__}: {ex}"


def probe_member(credential: Any) -> Probe:
    """One member's probe, as ``chainsight scan`` runs it (never raises)."""
    return probe_one(credential)


def build_chain(spec: ChainSpec, host: Host) -> Any:
    """``engine.build.build``, imported on first use: it loads msal and every credential, which the
    window does not need to paint (builds run on worker threads)."""
    from engine.build import build

    return build(spec, host)


class ChainRunner(QObject):
    built = Signal(int, list, list)  # generation, member names, placeholder class names
    build_failed = Signal(int, str)  # generation, message
    probed = Signal(int, int, object)  # generation, member index, Probe
    probes_finished = Signal(int)
    run_started = Signal(object)  # RunRecord
    run_updated = Signal(object)  # RunRecord (after each event)
    run_finished = Signal(object)  # RunRecord

    def __init__(self, builder: Builder | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.builder = builder or build_chain
        self.workers = WorkerPool(self)
        self.generation = 0
        self._pending_probes = 0
        self._numbers = itertools.count(1)
        self._recorders: list[events.Recorder] = []
        self.current: RunRecord | None = None

    # ---- probing -----------------------------------------------------------------------------
    def probe(self, spec: ChainSpec, host: Host) -> int:
        """Build ``spec`` on ``host`` and probe each member; returns the generation of the results."""
        self.generation += 1
        generation = self.generation
        self.workers.start(
            self.builder,
            spec,
            host,
            on_result=lambda chain: self._on_built(generation, chain),
            on_error=lambda ex: self.build_failed.emit(generation, describe_error(ex)),
        )
        return generation

    def _on_built(self, generation: int, chain: Any) -> None:
        if generation != self.generation:
            return
        members = list(getattr(chain, "credentials", (chain,)))
        names = [credential_name(c) for c in members]
        placeholders = [credential_name(c) for c in members if type(c).__name__ in PLACEHOLDER_CLASSES]
        self.built.emit(generation, names, placeholders)
        self._pending_probes = len(members)
        if not members:
            self.probes_finished.emit(generation)
        for index, member in enumerate(members):
            self.workers.start(
                probe_member,
                member,
                on_result=lambda status, i=index: self._on_probed(generation, i, status),
                on_error=lambda ex, i=index, name=names[index]: self._on_probed(
                    generation, i, Probe(name, UNKNOWN, PROBE_FAILED.format(error=describe_error(ex)))
                ),
            )

    def _on_probed(self, generation: int, index: int, probe: Probe) -> None:
        if generation != self.generation:
            return
        self.probed.emit(generation, index, probe)
        self._pending_probes -= 1
        if self._pending_probes == 0:
            self.probes_finished.emit(generation)

    @property
    def probing(self) -> bool:
        return self._pending_probes > 0

    # ---- runs --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.current is not None and not self.current.finished

    def run(self, spec: ChainSpec, host: Host, request: Request, chain_label: str) -> RunRecord:
        """Build and run the chain once, streaming its events into a new RunRecord."""
        return self._start(RUN, spec, host, request, chain_label)

    def try_every(self, spec: ChainSpec, host: Host, request: Request, chain_label: str) -> RunRecord:
        """Run each member on its own, in parallel, so every account is visible side by side."""
        return self._start(TRY_EVERY, spec, host, request, chain_label)

    def cancel(self) -> None:
        """Stop the current run: no member starts after this; one in flight is abandoned (its process
        group killed by the host) and the record ends at once, saying how far it got."""
        for recorder in self._recorders:
            recorder.cancel()
        record = self.current
        if record is None or record.finished:
            return
        record.cancelled = True
        if record.runs:  # built: end it now; the workers' late events are dropped (the record is finished)
            for run in record.runs:
                _end_cancelled(run, max([record.elapsed, *(a.started for a in run.attempts)]))
            record.finished = True
            self.run_finished.emit(record)

    def _start(self, kind: str, spec: ChainSpec, host: Host, request: Request, label: str) -> RunRecord:
        self.cancel()
        record = RunRecord(next(self._numbers), kind, label, request, host.label, dict(host.overlay), spec=spec)
        self.current = record
        self._recorders = []
        self.run_started.emit(record)
        self.workers.start(
            self.builder,
            spec,
            host,
            on_result=lambda chain: self._run_built(record, chain),
            on_error=lambda ex: self._fail(record, describe_error(ex)),
        )
        return record

    def _run_built(self, record: RunRecord, chain: Any) -> None:
        if record.finished:
            return
        if record.cancelled:  # cancelled while the chain was being built
            self._release(chain)
            self._fail(record, "cancelled before the first attempt")
            return
        targets = [chain] if record.kind == RUN else list(getattr(chain, "credentials", (chain,)))
        names = tuple(credential_name(c) for c in getattr(chain, "credentials", (chain,)))
        record.runs = [
            ChainRun(chain=type(t).__name__, members=names if record.kind == RUN else (credential_name(t),))
            for t in targets
        ]
        pending = {"count": len(targets), "chain": chain}
        for index, target in enumerate(targets):
            forward = _Forward()
            recorder = events.Recorder((forward,))
            self._recorders.append(recorder)
            worker = self.workers.create(
                _run_one,
                target,
                record.request,
                recorder,
                on_result=lambda run, i=index: self._run_done(record, i, run, pending),
                on_error=lambda ex, i=index: self._run_crashed(record, i, ex, pending),
                on_event=lambda event, i=index: self._run_event(record, i, event),
            )
            # the observer runs on the worker thread; the signal queues each event to the GUI thread
            forward.target = worker.signals.event.emit
            self.workers.submit(worker)
        if not targets:
            self._release(chain)
            self._fail(record, "the chain has no members")

    def _run_event(self, record: RunRecord, index: int, event: events.Event) -> None:
        if index < len(record.runs) and not record.finished:
            record.runs[index].apply(event)
            self.run_updated.emit(record)

    def _run_done(self, record: RunRecord, index: int, run: ChainRun, pending: dict) -> None:
        if not record.finished:
            record.runs[index] = run  # the complete record, identical to what was folded live
        self._one_finished(record, pending)

    def _run_crashed(self, record: RunRecord, index: int, ex: BaseException, pending: dict) -> None:
        if not record.finished:
            record.runs[index].error = describe_error(ex)
            record.runs[index].outcome = events.FAILED
        self._one_finished(record, pending)

    def _one_finished(self, record: RunRecord, pending: dict) -> None:
        pending["count"] -= 1
        if pending["count"] == 0:
            self._release(pending.pop("chain", None))
        if pending["count"] == 0 and not record.finished:
            record.finished = True
            self.run_finished.emit(record)

    def _release(self, chain: Any) -> None:
        """Close a finished run's chain (its sessions and keep-alive connections) off the GUI thread."""
        close = getattr(chain, "close", None)
        if close is not None:
            self.workers.start(close)

    def _fail(self, record: RunRecord, message: str) -> None:
        if record.finished:
            return
        record.error = message
        record.finished = True
        self.run_finished.emit(record)

    def shutdown(self, msecs: int = 3000) -> None:
        self.cancel()
        self.generation += 1
        self.workers.wait(msecs)


def _end_cancelled(run: ChainRun, now: float) -> None:
    """Close a run the user cancelled: the attempt in flight is abandoned; the run says how far it got."""
    if run.outcome is not None:
        return
    for attempt in run.attempts:
        if attempt.outcome is None:
            attempt.outcome, attempt.message, attempt.ended = events.CANCELLED, ABANDONED, now
    run.outcome, run.ended = events.CANCELLED, now
    run.error = cancel_summary(run)


class _Forward:
    """A recorder observer whose target is set once the worker (and its signals) exist."""

    def __init__(self) -> None:
        self.target: Callable[[events.Event], None] | None = None

    def __call__(self, event: events.Event) -> None:
        if self.target is not None:
            self.target(event)


def _run_one(credential: Any, request: Request, recorder: events.Recorder) -> ChainRun:
    return run_chain(
        credential,
        request.scopes,
        claims=request.claims,
        tenant_id=request.tenant_id,
        enable_cae=request.enable_cae,
        recorder=recorder,
    )
