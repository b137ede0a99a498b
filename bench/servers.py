"""The servers a benchmark runs: the baseline form bot and leadbot, their stores, training,
and what is measured from outside the processes (RSS, py-spy profiles).

Leadbot runs as `bot.ops.launcher.Stack` (Rasa, action server, delivery worker). The baseline is
started the same way from the same engine venv, with its own action server
(`bench/baseline/actions.py`) and no worker. Every process is started in its own process
group and stopped by its PID (`bot.ops.launcher.stop_process`).
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from bot.ops.launcher import (
    APP_PYTHON,
    ENGINE_BIN,
    PROJECT_ROOT,
    VAR_DIR,
    LaunchError,
    Stack,
    stop_process,
    training_fingerprint,
    wait_http,
    write_endpoints,
)
from bot.settings import Settings, load_settings
from bot.store import migrate
from tests.receivers import free_port

BENCH_DIR = Path(__file__).resolve().parent
BASELINE_DIR = BENCH_DIR / "baseline"
BASELINE_MODELS = BASELINE_DIR / "models"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_TRACKER_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


class BenchError(Exception):
    """A benchmark could not be set up (a server did not start, training failed)."""


def engine_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Rasa runs in: the engine venv first on PATH, no telemetry."""
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PATH"] = f"{ENGINE_BIN}:{env.get('PATH', '')}"
    env.update(extra or {})
    return env


# ------------------------------------------------------------------------------ training
def rasa_train(root: Path, out_dir: Path, name: str, log: Path,
               cache_dir: Path | None = None) -> float:
    """`rasa train` in `root` into `out_dir/<name>.tar.gz`; returns the wall time in seconds.

    With `cache_dir` (an empty directory) Rasa's graph cache starts empty: a from-scratch
    training, not one that reuses components trained before.
    """
    extra = {"RASA_CACHE_DIRECTORY": str(cache_dir)} if cache_dir else {}
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run(
            [str(ENGINE_BIN / "rasa"), "train", "--fixed-model-name", name, "--out", str(out_dir)],
            cwd=root, env=engine_env(extra), stdout=out, stderr=subprocess.STDOUT,
        )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise BenchError(f"rasa train in {root} failed (log {log}):\n{tail}")
    return elapsed


def baseline_model_path() -> Path:
    """Where the baseline model for the current baseline files lives (may not exist yet)."""
    return BASELINE_MODELS / f"baseline-{training_fingerprint(BASELINE_DIR)}.tar.gz"


def train_baseline(log_dir: Path) -> Path:
    """Train the baseline unless a model for its current files exists; returns its path."""
    target = baseline_model_path()
    if target.exists():
        return target
    print(f"training the baseline (about 30 s): {target.relative_to(PROJECT_ROOT)}", flush=True)
    BASELINE_MODELS.mkdir(parents=True, exist_ok=True)
    rasa_train(BASELINE_DIR, BASELINE_MODELS, target.name.removesuffix(".tar.gz"),
               log_dir / "train-baseline.log")
    for old in BASELINE_MODELS.glob("baseline-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


# ------------------------------------------------------------------------------ stores
@dataclass
class Backend:
    """Where one bot keeps its trackers (and leadbot its leads) for one benchmark run.

    `sqlite`: files in `tmp`, in-memory lock store (what `make run` uses by default).
    `postgres`: a fresh schema in the local PostgreSQL for both stores (Rasa reads
    POSTGRESQL_SCHEMA, the lead store a search_path), and the local Redis lock store.
    """

    kind: str
    tmp: Path
    label: str
    schema: str = ""
    database_url: str = ""
    tracker_url: str = ""
    lock_url: str = ""
    engine_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "sqlite":
            self.database_url = f"sqlite:///{self.tmp / f'{self.label}-leads.db'}"
            self.tracker_url = f"sqlite:///{self.tmp / f'{self.label}-tracker.db'}"
        elif self.kind == "postgres":
            self.schema = f"bench_{self.label}_{uuid.uuid4().hex[:8]}"
            _pg_admin(f"CREATE SCHEMA {self.schema}")
            self.database_url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{self.schema}"
            self.tracker_url = PG_TRACKER_URL
            self.lock_url = REDIS_URL
            self.engine_env = {"POSTGRESQL_SCHEMA": self.schema}
        else:
            raise BenchError(f"unknown store {self.kind!r}: sqlite or postgres")

    def drop(self) -> None:
        """Remove the schema this backend created (SQLite files go with the temp dir)."""
        if self.schema:
            _pg_admin(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def _pg_admin(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def bench_settings(backend: Backend, handoff_url: str = "") -> Settings:
    """Settings for a bot under test: free ports, a fresh token, this backend's stores.

    Every handoff target but the local receiver is switched off explicitly, so a developer's
    `.env` (Slack, SMTP, a file) is never sent benchmark leads, and MAX_QUESTIONS is pinned
    to the 7 questions the baseline form asks.
    """
    return load_settings(
        database_url=backend.database_url, tracker_store_url=backend.tracker_url,
        lock_store_url=backend.lock_url, rasa_token=uuid.uuid4().hex,
        rasa_port=free_port(), action_port=free_port(), rasa_host="127.0.0.1",
        handoff_webhook_url=handoff_url, handoff_webhook_secret="", handoff_file="",
        slack_webhook_url="", smtp_host="", smtp_from="", max_questions=7, log_level="WARNING",
    )


# ------------------------------------------------------------------------------ servers
@dataclass
class BaselineServer:
    """The baseline's Rasa server and action server, on this backend's tracker store."""

    settings: Settings
    model: Path
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        """Base URL of the baseline's Rasa server."""
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> \
            subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"baseline-{name}.log", "ab") as log:
            process = subprocess.Popen(
                command, cwd=BASELINE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start(self, timeout: float = 240.0) -> None:
        """Start both servers and wait until they answer."""
        s = self.settings
        app_env = {**os.environ, "SANIC_HOST": "127.0.0.1"}
        actions = self._spawn("actions", [str(APP_PYTHON), "-m", "rasa_sdk", "--actions",
                                          "actions", "--port", str(s.action_port)], app_env)
        endpoints = write_endpoints(s, self.log_dir / "endpoints.baseline.yml")
        rasa = self._spawn("rasa", [
            str(ENGINE_BIN / "rasa"), "run", "--model", str(self.model), "--enable-api",
            "--auth-token", s.rasa_token, "--credentials", str(BASELINE_DIR / "credentials.yml"),
            "--endpoints", str(endpoints), "--interface", "127.0.0.1", "--port", str(s.rasa_port),
        ], engine_env(self.extra_env))
        try:
            wait_http(f"http://127.0.0.1:{s.action_port}/health", actions, 60,
                       "baseline action server")
            wait_http(f"{self.rasa_url}/status?token={s.rasa_token}", rasa, timeout,
                       "baseline rasa")
        except LaunchError:
            self.stop()
            raise

    def pids(self) -> dict[str, int]:
        """The PID of each server, by role."""
        return {name: p.pid for name, p in self.processes.items()}

    def stop(self) -> None:
        """Stop both servers by their PIDs."""
        for process in reversed(list(self.processes.values())):
            stop_process(process)
        self.processes.clear()


def start_leadbot(settings: Settings, name: str, log_dir: Path, model: Path,
                  extra_env: dict[str, str]) -> Stack:
    """Leadbot's whole stack (Rasa, action server, delivery worker), started and answering.

    The stack's name gets this process's PID: Stack writes var/endpoints.<name>.yml, and a
    benchmark run next to another one must not rewrite the file the other Rasa is reading.
    """
    stack = Stack(settings, name=f"{name}-{os.getpid()}", log_dir=log_dir, extra_env=extra_env)
    stack.start(model, timeout=240)
    return stack


def stop_leadbot(stack: Stack) -> None:
    """Stop a stack from `start_leadbot` and remove the endpoints file it wrote."""
    stack.stop()
    (VAR_DIR / f"endpoints.{stack.name}.yml").unlink(missing_ok=True)


def stack_pids(stack: Stack) -> dict[str, int]:
    """The PID of each of a Stack's processes, by role (actions, worker, rasa)."""
    return {role: pid for role, pid in stack.pids().items() if role != "web"}


def migrate_leads(settings: Settings) -> None:
    """Create the lead store's tables (a fresh SQLite file or schema)."""
    migrate(settings.lead_store_url)


# ------------------------------------------------------------------------------ RSS
def _tree_total(pid: int, measure: Callable[[psutil.Process], float]) -> float:
    """`measure` summed over a process and its children (those that exit meanwhile skipped)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            total += measure(process)
        except psutil.Error:
            continue
    return total


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes."""
    return int(_tree_total(pid, lambda p: p.memory_info().rss))


def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far."""
    return _tree_total(pid, _cpu_seconds)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


class RssSampler:
    """Peak resident memory of process trees, sampled every `interval` s in a thread, and
    the CPU time each tree used while the block ran.

    CPU time is the figure that explains throughput on a small machine: every process of a
    stack takes its share of the same cores, whatever its latency.
    """

    def __init__(self, pids: dict[str, int], interval: float = 0.1) -> None:
        self.pids = pids
        self.interval = interval
        self.peak: Counter[str] = Counter()
        self.cpu_s: dict[str, float] = {}
        self._cpu_start: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], _tree_rss(pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._cpu_start = {name: _tree_cpu(pid) for name, pid in self.pids.items()}
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.cpu_s = {name: _tree_cpu(pid) - self._cpu_start[name]
                      for name, pid in self.pids.items()}

    def cpu_ms_per(self, turns: int) -> dict[str, float | None]:
        """CPU milliseconds each tree used per turn of the block."""
        return {name: round(1000 * cpu / turns, 1) if turns else None
                for name, cpu in self.cpu_s.items()}

    def peak_mb(self) -> dict[str, float]:
        """Peak RSS of each tree, in MB (10^6 bytes)."""
        return {name: round(self.peak[name] / 1e6, 1) for name in self.pids}


# ------------------------------------------------------------------------------ profiles
@contextmanager
def py_spy(pids: dict[str, int], out_dir: Path, stem: str, rate: int = 100) -> Iterator[
        dict[str, Path]]:
    """Sample each process with py-spy while the block runs; gzipped collapsed stacks per
    role (`gunzip` them for speedscope.app or flamegraph.pl).

    Blocking mode (py-spy pauses the target for each sample) on purpose: with
    `--nonblocking` py-spy cannot tell idle threads from busy ones, and the thread pool's
    idle workers swamp the profile. `--full-filenames` lets the summary tell our code (bot/,
    actions/) from libraries.
    """
    spy = Path(APP_PYTHON).parent / "py-spy"
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = {name: out_dir / f"{stem}-{name}.collapsed.txt" for name in pids}
    outputs = {name: path.with_name(path.name + ".gz") for name, path in raw.items()}
    running: list[subprocess.Popen[bytes]] = []
    for name, pid in pids.items():
        running.append(subprocess.Popen(
            [str(spy), "record", "--pid", str(pid), "--rate", str(rate),
             "--full-filenames", "--format", "raw", "-o", str(raw[name])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        ))
    time.sleep(1.0)  # attached before the load starts
    try:
        yield outputs
    finally:
        for process in running:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGINT)  # py-spy writes its file on Ctrl-C
        for process in running:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                stop_process(process)
        for path in raw.values():
            compress(path)


def compress(path: Path) -> Path:
    """Gzip a profile next to itself and remove the original (Rasa's is ~10 MB of text)."""
    target = path.with_name(path.name + ".gz")
    if path.exists():
        with open(path, "rb") as source, gzip.open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        path.unlink()
    return target


def _short(frame: str) -> str:
    """A py-spy frame with the venv / project prefixes taken off its file name."""
    for prefix in ("site-packages/", f"{PROJECT_ROOT}/"):
        if prefix in frame:
            head, _, tail = frame.partition("(")
            return f"{head}({tail.split(prefix, 1)[-1]}"
    return frame


# Leaf frames of threads that wait and that py-spy still reports now and then: an event
# loop in epoll (Sanic's serve), an idle thread-pool worker, a thread waiting on a lock.
IDLE_LEAVES = (
    ("serve (", "sanic/server/runners.py"),
    ("_worker (", "concurrent/futures/thread.py"),
    ("wait (", "threading.py"),
    ("select (", "selectors.py"),
)


def _idle(frame: str) -> bool:
    return any(frame.startswith(name) and path in frame for name, path in IDLE_LEAVES)


def summarise_profile(collapsed: Path, top: int = 25, turns: int = 0, rate: int = 100) -> str:
    """A text summary of py-spy's gzipped collapsed stacks: where the samples are, ours first.

    With `turns`, also the busy time per turn (samples / rate / turns): comparable between
    the two bots' profiles of the same level.
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    ours_total = 0
    total = 0
    idle = 0
    if not collapsed.exists():
        return f"{collapsed.name}: no samples (py-spy wrote nothing)\n"
    with gzip.open(collapsed, "rt", errors="replace") as lines_in:
        lines = lines_in.read().splitlines()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";")]
        if _idle(frames[-1]):
            idle += count
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
        if any(f"{PROJECT_ROOT}/bot/" in f or f"{PROJECT_ROOT}/actions/" in f
               for f in stack.split(";")):
            ours_total += count
    if not total:
        return f"{collapsed.name}: no samples\n"

    def table(counter: Counter[str], title: str, only_ours: bool = False) -> list[str]:
        rows = [f"{title}", f"{'share':>7}  {'samples':>7}  function (file:line)"]
        items = [(f, c) for f, c in counter.most_common()
                 if not only_ours or f.split("(")[-1].startswith(("bot/", "actions/"))]
        rows += [f"{100 * c / total:6.1f}%  {c:7d}  {f}" for f, c in items[:top]]
        return rows

    lines = [
        f"{collapsed.name}: {total} busy samples (running or waiting in a call; {idle} "
        f"samples of idle threads left out), {100 * ours_total / total:.1f}% with our code "
        "(bot/, actions/) on the stack. Shares are of the busy samples.",
        *([f"Busy time per turn: {1000 * total / rate / turns:.1f} ms over {turns} turns "
           f"(all threads; waits inside calls count)."] if turns else []),
        "",
        *table(inclusive, "Inclusive: samples with this function anywhere on the stack, ours"
               " only", only_ours=True),
        "",
        *table(own, "Self: samples with this function on top of the stack (all code)"),
        "",
        *table(inclusive, "Inclusive, all code"),
    ]
    return "\n".join(lines) + "\n"


def _inclusive_by_function(collapsed: Path) -> tuple[Counter[str], int]:
    """Busy samples per function (any line of it) anywhere on the stack; total busy samples."""
    counts: Counter[str] = Counter()
    total = 0
    with gzip.open(collapsed, "rt", errors="replace") as lines_in:
        for line in lines_in:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            frames = [_short(f) for f in stack.split(";")]
            if _idle(frames[-1]):
                continue
            total += int(count_text)
            for function in {f.rsplit(":", 1)[0] + ")" for f in frames}:
                counts[function] += int(count_text)
    return counts, total


NOTE_BUSY = ("(Busy time includes time a runnable thread waits for a core: on a small machine "
             "every function of the stack with more processes looks slower by about the same "
             "factor. The CPU time per turn in the results is the figure to compare.)")


def compare_profiles(lead: Path, lead_turns: int, base: Path, base_turns: int,
                     top: int = 25, rate: int = 100) -> str:
    """Where one process spends more per turn in leadbot than in the baseline (ms / turn)."""
    if not (lead.exists() and base.exists()) or not lead_turns or not base_turns:
        return "(no profiles to compare)\n"
    a, a_total = _inclusive_by_function(lead)
    b, b_total = _inclusive_by_function(base)
    per_turn_a = {f: 1000 * c / rate / lead_turns for f, c in a.items()}
    per_turn_b = {f: 1000 * c / rate / base_turns for f, c in b.items()}
    extra = sorted(((per_turn_a.get(f, 0.0) - per_turn_b.get(f, 0.0), f)
                    for f in set(a) | set(b)), reverse=True)
    lines = [NOTE_BUSY,
             f"busy ms per turn: leadbot {1000 * a_total / rate / lead_turns:.1f}, baseline "
             f"{1000 * b_total / rate / base_turns:.1f}",
             f"{'extra':>7}  {'leadbot':>7}  {'baseline':>8}  function (inclusive, ms per turn)"]
    lines += [f"{d:7.1f}  {per_turn_a.get(f, 0.0):7.1f}  {per_turn_b.get(f, 0.0):8.1f}  {f}"
              for d, f in extra[:top]]
    return "\n".join(lines) + "\n"
