"""The line protocol of the batched oracles' long-lived children (tests/oracle/line_server.py)."""

from __future__ import annotations

import sys

import pytest

from tests.oracle.line_server import REPLY, LineServer, serve_code


def _server(tmp_path, code: str) -> LineServer:
    return LineServer([sys.executable, "-c", code], tmp_path / "stderr.log")


def test_each_request_gets_its_reply_from_one_process_and_other_output_is_skipped(tmp_path):
    code = "import os\nprint('noise', flush=True)\n" + serve_code("lambda r: {'pid': os.getpid(), 'twice': r * 2}")
    server = _server(tmp_path, code)
    try:
        first, second = server.ask(2, timeout=30), server.ask(5, timeout=30)
    finally:
        server.close()
    assert (first["twice"], second["twice"]) == (4, 10)
    assert first["pid"] == second["pid"]


def test_a_reply_arriving_with_other_lines_in_one_read_is_not_left_waiting(tmp_path):
    code = "import sys\nsys.stdout.write('one\\ntwo\\n" + REPLY + "7\\n'); sys.stdout.flush()\nsys.stdin.read()\n"
    server = _server(tmp_path, code)
    try:
        assert server.ask(None, timeout=10) == 7
    finally:
        server.close()


def test_a_process_that_dies_or_hangs_raises_with_its_stderr_and_the_next_request_starts_afresh(tmp_path):
    code = "import sys\nline = sys.stdin.readline()\nif line.strip() == '1':\n    sys.exit('died on one')\n"
    code += "import time\ntime.sleep(60)\n"
    server = _server(tmp_path, code)
    try:
        with pytest.raises(RuntimeError, match=r"no reply \(it exited \(1\)\).*died on one"):
            server.ask(1, timeout=30)
        with pytest.raises(RuntimeError, match="no reply \\(none after 1 s\\)"):
            server.ask(2, timeout=1)
        assert server.process is None
    finally:
        server.close()


def test_a_program_that_cannot_start_raises_naming_it(tmp_path):
    server = LineServer([str(tmp_path / "missing-python")], tmp_path / "stderr.log")
    with pytest.raises(RuntimeError, match="missing-python: no reply"):
        server.ask({}, timeout=5)
