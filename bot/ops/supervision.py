"""Keeping the assistant's processes up: start a child, pump its output through the log
redactor into a rotating private file, restart it with back-off when it exits, and record
every exit in a private state file that `leadbot doctor` reads.

Our own small loop rather than `supervisor` (supervisord): the integration tests and
benchmarks need the same restarts inside `Stack` (a library object in the test process), a
daemon with its own config format and XML-RPC would be one more thing to install and run,
and supervisord writes the children's output itself, unredacted. For servers there are the
systemd units in deploy/systemd/ instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO, Any

from bot.clock import utcnow
from bot.ops.log_privacy import Redactor

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
FIRST_RESTART_SECONDS = 1.0
CHECK_SECONDS = 0.2
# A child's output is read in pieces of at most this much: a line longer than this is
# written as its first piece (cut and marked) and the rest dropped up to the newline.
READ_LIMIT = 64 * 1024
KEPT_EXITS = 100

Report = Callable[[str], None]


# ---------------------------------------------------------------------------- private files
def make_private(paths: Iterable[Path]) -> None:
    """Directories 0700 and regular files 0600, recursively, for each path that exists.

    Files an earlier version (or another umask) created world-readable are fixed here.
    """
    for path in paths:
        if path.is_symlink() or not path.exists():
            continue
        if path.is_dir():
            path.chmod(0o700)
            for inner in path.rglob("*"):
                if inner.is_symlink():
                    continue
                if inner.is_dir():
                    inner.chmod(0o700)
                elif inner.is_file():
                    inner.chmod(0o600)
        elif path.is_file():
            path.chmod(0o600)


def sqlite_files(url: str) -> list[Path]:
    """The files of a sqlite:/// database (with its journal, WAL and shared memory)."""
    if not url.startswith("sqlite:///"):
        return []
    database = Path(url.split(":///", 1)[1].split("?", 1)[0])
    return [database.with_name(database.name + suffix)
            for suffix in ("", "-journal", "-wal", "-shm")]


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` as a 0600 file, atomically (a reader never sees half of it)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(partial, path)


# ---------------------------------------------------------------------------- logs
class _PrivateRotatingHandler(RotatingFileHandler):
    """A rotating log whose every file (current and rotated) is 0600."""

    def _open(self) -> Any:
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


class LogSink:
    """One process's log file: every line redacted and capped, rotated at `max_bytes`."""

    def __init__(self, path: Path, redactor: Redactor, max_bytes: int, backups: int) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = path
        self.redactor = redactor
        self._handler = _PrivateRotatingHandler(path, maxBytes=max_bytes,
                                                backupCount=backups, encoding="utf-8")

    def write(self, line: str) -> None:
        """Redact, cap and append one line (without its newline)."""
        record = logging.makeLogRecord({"msg": self.redactor.redact(line),
                                        "levelno": logging.INFO, "levelname": "INFO"})
        self._handler.handle(record)

    def close(self) -> None:
        """Flush and close the file."""
        self._handler.close()


def pump(stream: IO[bytes], sink: LogSink) -> None:
    """Copy a child's output into its log until the child closes it (thread target)."""
    continuing = False  # inside a line longer than READ_LIMIT: drop until its newline
    for chunk in iter(lambda: stream.readline(READ_LIMIT), b""):
        complete = chunk.endswith(b"\n")
        if not continuing:
            sink.write(chunk.decode("utf-8", errors="replace").rstrip("\r\n"))
        continuing = not complete
    stream.close()


# ---------------------------------------------------------------------------- state file
def describe_exit(returncode: int) -> str:
    """`exit code 1`, or `killed by SIGKILL` for a negative Popen return code."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def _now() -> str:
    return utcnow().isoformat(timespec="seconds")


@dataclass
class RunState:
    """What `leadbot doctor` shows about a running stack: its processes and their exits."""

    path: Path
    stack: str
    data: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self) -> None:
        """A new run: no processes, no exits yet."""
        self.data = {"stack": self.stack, "launcher_pid": os.getpid(), "started_at": _now(),
                     "stopped_at": None, "processes": {}, "restarts": []}
        self._save()

    def started(self, role: str, pid: int, restarts: int) -> None:
        """`role` runs as `pid` (after `restarts` restarts)."""
        with self._lock:
            self.data["processes"][role] = {"pid": pid, "started_at": _now(),
                                            "restarts": restarts}
            self._save()

    def exited(self, role: str, returncode: int, uptime: float, restart_in: float) -> None:
        """`role` exited after `uptime` seconds and will be restarted in `restart_in`."""
        with self._lock:
            exits = self.data["restarts"]
            exits.append({"process": role, "at": _now(), "exit_code": returncode,
                          "reason": describe_exit(returncode),
                          "uptime_seconds": round(uptime, 1),
                          "restart_in_seconds": round(restart_in, 1)})
            del exits[:-KEPT_EXITS]
            self._save()

    def stopped(self) -> None:
        """The stack was stopped on purpose."""
        with self._lock:
            self.data["stopped_at"] = _now()
            self._save()

    def _save(self) -> None:
        write_private(self.path, json.dumps(self.data, indent=2) + "\n")


def read_state(path: Path) -> dict[str, Any] | None:
    """A state file written by `RunState`, or None when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------------------- children
@dataclass
class Child:
    """One supervised process: how to start it, where its output goes, how it has fared."""

    role: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    sink: LogSink
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0  # time.monotonic() of the last start
    restarts: int = 0
    delay: float = FIRST_RESTART_SECONDS  # the wait before the next restart
    restart_at: float | None = None  # set while waiting to restart
    _pumps: list[threading.Thread] = field(default_factory=list, repr=False)

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start the process in its own session with umask 077, output piped to the log."""
        process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            umask=PRIVATE_UMASK,
        )
        if process.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
            raise RuntimeError(f"{self.role}: no output pipe")
        reader = threading.Thread(target=pump, args=(process.stdout, self.sink),
                                  name=f"log-{self.role}", daemon=True)
        reader.start()
        self._pumps = [t for t in self._pumps if t.is_alive()] + [reader]
        self.process = process
        self.started_at = time.monotonic()
        return process

    def join_pumps(self, timeout: float = 5.0) -> None:
        """Wait until the output of every past run of this child is written."""
        for reader in self._pumps:
            reader.join(timeout)


def kill_group(pid: int) -> None:
    """SIGKILL what is left of a process group whose leader exited (its orphans)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class Supervisor:
    """A thread that restarts children that exit, with exponential back-off.

    The wait starts at 1 s and doubles after each exit up to `max_delay`; a child that ran
    at least `stable_after` seconds before exiting starts again from 1 s.
    """

    children: list[Child]
    state: RunState
    report: Report
    max_delay: float = 30.0
    stable_after: float = 60.0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start watching (the children are already running)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; after this no child is restarted."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            for child in self.children:
                try:
                    self.check(child, time.monotonic())
                except Exception as exc:
                    log.exception("supervisor: checking %s failed", child.role)
                    self.report(f"supervisor: checking {child.role} failed: {exc}")

    def check(self, child: Child, now: float) -> None:
        """Notice that `child` exited (schedule its restart), or restart it when due."""
        if self._stop.is_set():
            return
        if child.restart_at is None:
            process = child.process
            if process is None or process.poll() is None:
                return
            self._exited(child, process, now)
        elif now >= child.restart_at:
            self._restart(child, now)

    def _exited(self, child: Child, process: subprocess.Popen[bytes], now: float) -> None:
        uptime = now - child.started_at
        if uptime >= self.stable_after:
            child.delay = FIRST_RESTART_SECONDS
        wait = child.delay
        child.delay = min(self.max_delay, child.delay * 2)
        child.restart_at = now + wait
        kill_group(process.pid)
        self.state.exited(child.role, process.returncode, uptime, wait)
        self.report(f"{child.role} (pid {process.pid}) exited: "
                    f"{describe_exit(process.returncode)} after {uptime:.1f} s; "
                    f"restarting in {wait:.0f} s")

    def _restart(self, child: Child, now: float) -> None:
        child.restart_at = None
        try:
            process = child.spawn()
        except OSError as exc:  # e.g. the venv vanished: try again later, longer
            child.restart_at = now + child.delay
            child.delay = min(self.max_delay, child.delay * 2)
            self.report(f"{child.role}: cannot start ({exc}); trying again later")
            return
        child.restarts += 1
        self.state.started(child.role, process.pid, child.restarts)
        self.report(f"{child.role} restarted (pid {process.pid}, restart {child.restarts})")
