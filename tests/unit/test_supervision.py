"""The supervisor restarts a real child process that exits, with back-off 1 s, 2 s, 4 s …
up to the cap, back to 1 s after a stable run, records every exit in the 0600 state file,
and restarts nothing once stopped. The clock is passed in, so no test sleeps for back-off.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bot.ops.log_privacy import Redactor
from bot.ops.supervision import Child, LogSink, RunState, Supervisor, read_state

EXITS_AT_ONCE = [sys.executable, "-c", "print('up, mail sam@acme.com'); raise SystemExit(3)"]


def _setup(tmp_path: Path, command: list[str]) -> tuple[Child, Supervisor, list[str]]:
    sink = LogSink(tmp_path / "logs" / "child.log", Redactor([]), 1_000_000, 1)
    child = Child("child", command, dict(os.environ), tmp_path, sink)
    state = RunState(tmp_path / "run" / "state.json", "t")
    state.begin()
    said: list[str] = []
    supervisor = Supervisor([child], state, said.append, max_delay=4, stable_after=60)
    return child, supervisor, said


def _exit_and_check(child: Child, supervisor: Supervisor, now: float) -> None:
    assert child.process is not None
    child.process.wait(10)
    supervisor.check(child, now)


def test_a_child_that_keeps_exiting_is_restarted_with_doubling_waits(tmp_path: Path) -> None:
    child, supervisor, said = _setup(tmp_path, EXITS_AT_ONCE)
    child.spawn()
    now = child.started_at
    pids = {child.process.pid}  # type: ignore[union-attr]
    for _ in range(4):
        _exit_and_check(child, supervisor, now)
        assert child.restart_at is not None
        supervisor.check(child, child.restart_at - 0.01)  # not yet
        assert child.process.poll() is not None  # type: ignore[union-attr]
        supervisor.check(child, child.restart_at)  # due: started again
        pids.add(child.process.pid)  # type: ignore[union-attr]
        now = child.started_at
    assert len(pids) == 5 and child.restarts == 4
    state = read_state(tmp_path / "run" / "state.json")
    assert state is not None
    assert [r["restart_in_seconds"] for r in state["restarts"]] == [1.0, 2.0, 4.0, 4.0]
    assert {r["reason"] for r in state["restarts"]} == {"exit code 3"}
    assert state["processes"]["child"]["restarts"] == 4
    assert (tmp_path / "run" / "state.json").stat().st_mode & 0o777 == 0o600
    assert said[0].startswith("child (pid ") and "exit code 3" in said[0]
    child.join_pumps()
    child.sink.close()
    logged = (tmp_path / "logs" / "child.log").read_text().splitlines()
    assert logged == ["up, mail [email]"] * 5


def test_a_child_that_ran_a_while_starts_again_from_one_second(tmp_path: Path) -> None:
    child, supervisor, _ = _setup(tmp_path, EXITS_AT_ONCE)
    child.spawn()
    child.delay = 4.0  # as after several quick exits
    _exit_and_check(child, supervisor, child.started_at + 61)  # it had run 61 s
    assert child.restart_at == child.started_at + 61 + 1.0


def test_a_stopped_supervisor_restarts_nothing(tmp_path: Path) -> None:
    child, supervisor, _ = _setup(tmp_path, [sys.executable, "-c", "import time; "
                                             "time.sleep(0.3)"])
    supervisor.start()
    child.spawn()
    first = child.process
    deadline = time.monotonic() + 10
    while child.process is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.process is not first  # the thread restarted it after ~1.3 s
    supervisor.stop()
    last = child.process
    assert last is not None
    last.wait(10)
    time.sleep(1.5)
    supervisor.check(child, time.monotonic() + 100)
    assert child.process is last and child.restart_at is None
