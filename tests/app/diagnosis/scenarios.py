"""Running the real chain on a sandbox scenario in this process, as ``chainsight run`` and the window do;
one sandbox per scenario shared by a module's tests, and the machine put back between them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.cli import build_parser
from app.cli.run import RunResult, collect_run
from app.diagnosis import TRY_EVERY, Context, from_runs
from app.gui.sandbox_host import sandbox_host
from engine import sandbox as sandboxes
from engine.build import build
from engine.run import ChainRun, run_chain
from engine.spec import ChainSpec

SCENARIOS = sandboxes.list_scenarios()


def each_scenario():
    """A module fixture (assign it to the name tests ask for): every scenario's sandbox in turn, started
    once for the module's tests and stopped after them."""

    @pytest.fixture(scope="module", params=SCENARIOS)
    def started(request):
        box = sandboxes.start(request.param)
        yield box
        box.stop()

    return started


def snapshot_files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def restore_files(root: Path, files: dict[Path, bytes]) -> None:
    """The machine as it was: a run can change it (a revoked refresh token is evicted from the cache)."""
    for path in root.rglob("*"):
        if path.is_file() and path not in files:
            path.unlink()
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_args(*extra: str):
    """Parsed ``chainsight run --json EXTRA...`` arguments."""
    return build_parser().parse_args(["run", "--json", *extra])


def cli_run(box, *extra: str) -> RunResult:
    """``chainsight run --json`` on the sandbox ``box``, in this process (the same host the window uses)."""
    return collect_run(run_args(*extra), sandbox_host(box))


def try_every(box, spec: ChainSpec | None = None, host=None) -> list[ChainRun]:
    """Each member of the chain run on its own, as the window's "Try every credential" does."""
    host = host or sandbox_host(box)
    members = list(build(spec or ChainSpec(), host).credentials)
    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        return list(pool.map(run_chain, members))


def every_failure(result: RunResult, every: list[ChainRun]) -> list[tuple[str, str]]:
    """(credential, message) of each member that did not sign in, in the run and on its own."""
    failures = [(a.credential, a.message or "") for a in result.run.attempts if a.outcome in ("unavailable", "failed")]
    failures += [
        (a.credential, a.message or "") for r in every for a in r.attempts if a.outcome in ("unavailable", "failed")
    ]
    return failures


def evidence_with_try_every(result: RunResult, every: list[ChainRun]):
    context = Context.of(result.host)
    result.board.add_all(from_runs(every, TRY_EVERY, context))
    return result.board.current(context)
