"""`chainsight sandbox`: list scenarios, run a command inside one (`exec`), or serve one (`serve`)."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from types import FrameType

from engine import sandbox
from engine.sandbox import helpers, netns, process_tree
from engine.sandbox.environment import is_stripped
from engine.sandbox.scenario import ScenarioError

NO_COMMAND = "chainsight sandbox exec: give the command after --, e.g. `-- python app.py`"
COMMAND_NOT_FOUND = "chainsight sandbox exec: command not found: {cmd}"
NO_ISOLATION = "chainsight sandbox exec: --isolate-network is not possible here: {reason}"
SCENARIO_ERROR = "chainsight sandbox: error: {problem}"
BROKEN_SCENARIO = "{name:28} (cannot be loaded) {problem}"
SERVING = "# sandbox {name!r} is running; paste the lines above into a shell. Ctrl-C stops it."
CHILD_GRACE_SECONDS = 5
INNER_CLEANUP_SECONDS = 5
OUTER_PID_ENV = "CHAINSIGHT_SANDBOX_OUTER_PID"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sandbox", help="run programs against a simulated Azure machine on loopback")
    commands = parser.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    list_parser = commands.add_parser("list", help="list the scenarios")
    list_parser.set_defaults(handler=list_command)
    exec_parser = commands.add_parser("exec", help="run CMD inside a scenario; exits with CMD's status")
    exec_parser.add_argument("--scenario", required=True, help="scenario name or .toml path")
    exec_parser.add_argument(
        "--isolate-network", action="store_true", help="run in a loopback-only network namespace (Linux)"
    )
    exec_parser.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD [ARGS...]")
    exec_parser.set_defaults(handler=exec_command)
    serve_parser = commands.add_parser("serve", help="start a scenario, print its environment, run until Ctrl-C")
    serve_parser.add_argument("--scenario", required=True, help="scenario name or .toml path")
    serve_parser.set_defaults(handler=serve_command)


def list_command(args: argparse.Namespace) -> int:
    broken = 0
    for name in sandbox.list_scenarios():
        try:
            scenario = sandbox.load_scenario(name)
        except ScenarioError as ex:  # one broken file must not hide the others
            print(BROKEN_SCENARIO.format(name=name, problem=ex), file=sys.stderr, flush=True)
            broken += 1
            continue
        expected = scenario.expected
        verdict = f"{expected.credential} as {expected.account}" if expected.credential else "chain fails"
        # the first sentence: a period followed by white space ("Az.Accounts" is not an end)
        summary = re.split(r"(?<=\.)\s", scenario.description.strip().replace("\n", " "), maxsplit=1)[0]
        print(f"{name:28} {verdict}\n{'':28} {summary}", flush=True)
    return 2 if broken else 0


def _scenario_problem(name_or_path: str) -> str | None:
    """Load the scenario once up front, so a typo or a broken file is one line (exit 2), never a traceback."""
    try:
        sandbox.load_scenario(name_or_path)
    except ScenarioError as ex:
        return SCENARIO_ERROR.format(problem=ex)
    return None


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _returncode(code: int) -> int:
    return 128 - code if code < 0 else code


def exec_command(args: argparse.Namespace) -> int:
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        print(NO_COMMAND, file=sys.stderr)
        return 2
    if problem := _scenario_problem(args.scenario):
        print(problem, file=sys.stderr)
        return 2
    if args.isolate_network and os.environ.get(netns.IN_NETNS_ENV) != "1":
        return _reexec_isolated(args, cmd)
    if os.environ.get(netns.IN_NETNS_ENV) == "1":
        _die_with_outer()
        netns.bring_loopback_up()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _exec_in_sandbox(args.scenario, cmd)
    except KeyboardInterrupt:  # interrupted while the sandbox was starting: it has cleaned up already
        return 130


def _exec_in_sandbox(scenario: str, cmd: list[str]) -> int:
    with sandbox.start(scenario) as box:
        program = cmd[0] if os.sep in cmd[0] else (shutil.which(cmd[0], path=box.env["PATH"]) or shutil.which(cmd[0]))
        if program is None:
            print(COMMAND_NOT_FOUND.format(cmd=cmd[0]), file=sys.stderr)
            return 127
        return _run_child([program, *cmd[1:]], box.env)


def _run_child(argv: list[str], env: dict[str, str], grace: float = CHILD_GRACE_SECONDS) -> int:
    """Run the command; Ctrl-C/SIGTERM is passed on as SIGINT, and after ``grace`` seconds the child and
    everything below it are killed. Orphans it leaves are adopted (subreaper) and ended when it ends.

    Signals only set a flag while the child runs, so an interrupt can never land between fork and
    bookkeeping and leave an orphan behind."""
    state: dict[str, object] = {"child": None, "interrupted": False}

    def forward(child: subprocess.Popen) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            timer = threading.Timer(grace, lambda: child.poll() is None and process_tree.kill_tree(child.pid))
            timer.daemon = True
            timer.start()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        state["interrupted"] = True
        if isinstance(state["child"], subprocess.Popen):
            forward(state["child"])

    process_tree.become_subreaper()
    before = process_tree.children_of(os.getpid())
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        child = subprocess.Popen(argv, env=env)
        state["child"] = child
        if state["interrupted"]:
            forward(child)
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for orphan in process_tree.children_of(os.getpid()) - before:  # adopted from the command's tree
            process_tree.kill_tree(orphan)
    return 130 if state["interrupted"] else _returncode(code)


def _reexec_isolated(args: argparse.Namespace, cmd: list[str]) -> int:
    """Run this same `sandbox exec` again inside a new network namespace: servers and CMD share its loopback."""
    ok, reason = netns.available()
    if not ok:
        print(NO_ISOLATION.format(reason=reason), file=sys.stderr)
        return 2
    inner = [*_self_command(), "exec", "--scenario", args.scenario, "--", *cmd]
    env = dict(os.environ, **{netns.IN_NETNS_ENV: "1", OUTER_PID_ENV: str(os.getpid())})
    signal.signal(signal.SIGTERM, _raise_interrupt)
    # The inner exec needs its own grace period, then time to stop its sandbox and remove its folder.
    return _run_child(netns.wrap(inner), env, grace=CHILD_GRACE_SECONDS + INNER_CLEANUP_SECONDS)


def _die_with_outer() -> None:
    """The inner exec gets SIGTERM (and so stops its sandbox) when the outer chainsight dies, even by
    SIGKILL; if the outer is already gone, it stops now."""
    process_tree.set_parent_death_signal(signal.SIGTERM)
    outer = os.environ.get(OUTER_PID_ENV)
    if outer and str(os.getppid()) != outer:
        os.kill(os.getpid(), signal.SIGTERM)


def _self_command() -> list[str]:
    """`chainsight sandbox` as argv: the frozen binary itself, or this interpreter importing this very
    package (by sys.path, not PYTHONPATH, which CMD would inherit and import Chainsight's libraries by)."""
    if helpers.is_frozen():
        return [sys.executable, "sandbox"]
    return [sys.executable, "-c", _SELF_BOOTSTRAP.format(root=_package_root())]


_SELF_BOOTSTRAP = "import sys; sys.path.insert(0, {root!r}); from app.cli.sandbox import main; raise SystemExit(main())"


def _package_root() -> str:
    """The folder holding the `app` package: the repository, or site-packages."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def serve_command(args: argparse.Namespace) -> int:
    if problem := _scenario_problem(args.scenario):
        print(problem, file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    with sandbox.start(args.scenario) as box:
        for name in sorted(os.environ):
            if is_stripped(name) and name not in box.env:
                print(f"unset {name}")
        for name, value in sorted(box.env.items()):
            if os.environ.get(name) != value:
                print(f"export {name}={shlex.quote(value)}")
        print(SERVING.format(name=box.scenario.name), flush=True)
        # Event.wait with a timeout returns to the interpreter regularly, so the signal handler gets to run.
        while not stop.wait(0.5):
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m app.cli.sandbox ...`), used for the re-exec inside a namespace."""
    parser = argparse.ArgumentParser(prog="chainsight sandbox")
    subparsers = parser.add_subparsers(dest="command")
    register(subparsers)
    args = parser.parse_args(["sandbox", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
