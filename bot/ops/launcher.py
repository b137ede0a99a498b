"""Training and running the whole assistant: the Rasa server (engine venv) and the action
server (app venv), wired to the stores named in the settings.

`make run` calls `leadbot run`; the integration tests use `Stack` with their own ports and
databases. Every process is started in its own process group and stopped by its PID, and
restarted when it exits (bot/ops/supervision.py). Rasa gets its API token through its
environment (scripts/rasa_serve.py), never on its command line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bot.ops.log_privacy import Redactor
from bot.ops.supervision import (
    PRIVATE_UMASK,
    Child,
    LogSink,
    RunState,
    Supervisor,
    make_private,
    sqlite_files,
    write_private,
)
from bot.settings import (
    PROJECT_ROOT,
    VAR_DIR,
    Settings,
    ensure_run_secret,
    local_url,
    read_run_secret,
    run_secret_path,
    var_dir,
)

log = logging.getLogger(__name__)

ENGINE_BIN = PROJECT_ROOT / ".venvs" / "engine" / "bin"
APP_PYTHON = PROJECT_ROOT / ".venvs" / "app" / "bin" / "python"
RASA_SERVE = PROJECT_ROOT / "scripts" / "rasa_serve.py"
MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_INPUTS = ("config.yml", "domain.yml", "domain", "data")


class LaunchError(Exception):
    """Something needed to run the assistant is missing or did not start."""


# ---------------------------------------------------------------------------- training
def _training_files(root: Path) -> Iterator[Path]:
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of everything `rasa train` reads, so an unchanged bot is never retrained."""
    digest = hashlib.sha256()
    for path in _training_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current training data lives (it may not exist yet)."""
    return MODELS_DIR / f"leadbot-{training_fingerprint(root)}.tar.gz"


def train_understanding() -> Path:
    """Train the understanding layer's heads unless those of the current corpus exist.

    A few seconds with the embeddings cached; about a minute the first time, when every
    corpus message is encoded once.
    """
    from bot.understanding.classifier import default_heads_path, train_heads

    target = default_heads_path()
    if target.is_file():
        print(f"understanding heads up to date: {target.relative_to(PROJECT_ROOT)}")
        return target
    started = time.monotonic()
    print("training the understanding heads (a minute the first time: every corpus message "
          "is encoded once)")
    path = train_heads()
    print(f"trained {path.name} in {time.monotonic() - started:.0f} s")
    return path


def train(force: bool = False) -> Path:
    """Train the understanding heads, then the Rasa model unless one for the current data
    exists; returns the Rasa model's path.
    """
    train_understanding()
    target = model_path()
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(PROJECT_ROOT)}")
        return target
    rasa = ENGINE_BIN / "rasa"
    if not rasa.exists():
        raise LaunchError("the engine venv is missing: run `make bootstrap`")
    started = time.monotonic()
    log_path = VAR_DIR / "logs" / "train.log"
    log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    print(f"training the model (about a minute; log: {log_path.relative_to(PROJECT_ROOT)})")
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as train_log:
        done = subprocess.run(
            [str(rasa), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
             "--out", str(MODELS_DIR)],
            cwd=PROJECT_ROOT, env=_engine_env(), stdout=train_log, stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-25:]
        raise LaunchError("rasa train failed:\n" + "\n".join(tail))
    print(f"trained {target.name} in {time.monotonic() - started:.0f} s")
    for old in MODELS_DIR.glob("leadbot-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


# ---------------------------------------------------------------------------- endpoints
def tracker_store_config(url: str) -> dict[str, object]:
    """Rasa's SQL tracker store section for a sqlite:/// or postgresql:// URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(url.split(":///", 1)[1]) if ":///" in url else "var/tracker.db"
        if not Path(path).is_absolute():
            path = str(PROJECT_ROOT / path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"type": "SQL", "dialect": "sqlite", "db": path}
    config: dict[str, object] = {
        "type": "SQL", "dialect": "postgresql", "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432, "db": parts.path.lstrip("/") or "rasa",
    }
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def lock_store_config(url: str) -> dict[str, object] | None:
    """Rasa's Redis lock store section for redis://host:port/db, None for in-memory."""
    if not url:
        return None
    parts = urlsplit(url)
    config: dict[str, object] = {
        "type": "redis", "url": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0), "key_prefix": "leadbot",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def write_endpoints(settings: Settings, path: Path) -> Path:
    """Write the endpoints file Rasa runs with, from the settings."""
    config: dict[str, object] = {
        "action_endpoint": {"url": f"http://127.0.0.1:{settings.action_port}/webhook"},
        "tracker_store": tracker_store_config(settings.tracker_store_url),
    }
    lock = lock_store_config(settings.lock_store_url)
    if lock:
        config["lock_store"] = lock
    # 0600: it holds the tracker store's and the lock store's passwords.
    write_private(path, yaml.safe_dump(config, sort_keys=False))
    return path


# ---------------------------------------------------------------------------- processes
def _engine_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["PATH"] = f"{ENGINE_BIN}:{env.get('PATH', '')}"
    return env


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float, what: str) -> None:
    """Wait until `url` answers 200; raise LaunchError if `process` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchError(f"{what} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    # The URL may carry ?token=: never put it in an error message (they reach logs).
    raise LaunchError(f"{what} did not answer at {url.split('?', 1)[0]} within "
                      f"{timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes] | None, grace: float = 10.0) -> None:
    """Stop a process we started (its whole process group), by its PID."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


def local_site_settings(settings: Settings) -> Settings:
    """Point the widget and the rep links at this machine's ports unless set explicitly.

    RASA_PUBLIC_URL and PUBLIC_URL default to ports 5005 and 8000; with another RASA_PORT or
    WEB_PORT and those two left unset, the widget would talk to the wrong port.
    """
    update: dict[str, object] = {}
    if "rasa_public_url" not in settings.model_fields_set:
        update["rasa_public_url"] = local_url(settings.rasa_host, settings.rasa_port)
    if "public_url" not in settings.model_fields_set:
        update["public_url"] = local_url(settings.web_host, settings.web_port)
    return settings.model_copy(update=update) if update else settings


def site_origins(settings: Settings) -> list[str]:
    """The browser origins of the site: loopback by IP and by name on WEB_PORT, PUBLIC_URL."""
    port = settings.web_port
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    origins.append(local_url(settings.web_host, port))
    public = urlsplit(settings.public_url)
    if public.scheme and public.netloc:
        origins.append(f"{public.scheme}://{public.netloc}")
    return list(dict.fromkeys(origins))


def secret_values(settings: Settings) -> list[str]:
    """Every secret a log line must never show: tokens, keys, passwords (also those inside
    the store URLs) and the Slack webhook URL, which is a credential itself.
    """
    names = ("rasa_token", "reps_token", "handoff_webhook_secret", "smtp_password",
             "slack_webhook_url", "visitor_secret")
    found = [str(getattr(settings, name, "") or "") for name in names]
    for url in (settings.database_url, settings.tracker_store_url, settings.lock_store_url):
        password = urlsplit(url).password if "://" in url else None
        if password:
            found += [password, unquote(password)]
    return [value for value in found if value]


def state_file(name: str, state_dir: Path | None = None) -> Path:
    """Where a stack records its processes and restarts: var/run/state.json for
    `leadbot run`, var/run/state.<name>.json for other stacks (tests, benchmarks).
    """
    directory = state_dir or var_dir() / "run"
    return directory / ("state.json" if name == "run" else f"state.{name}.json")


@dataclass
class Stack:
    """The Rasa server, the action server and the handoff worker, started and stopped together.

    With `with_web=True` the site and rep pages (`leadbot web`) are started too, and the
    site's origins are added to Rasa's `--cors` list so the widget may call Rasa.

    Every child is supervised once started: one that exits is restarted with the same
    command (Rasa on the same port, model, token and endpoints) after a back-off, and the
    exit is recorded in `state_path` (see bot/ops/supervision.py). Children run with umask 077;
    their output is redacted (bot/ops/log_privacy.py) into rotating 0600 logs in `log_dir`.
    """

    settings: Settings
    name: str = "run"
    log_dir: Path = VAR_DIR / "logs"
    extra_env: dict[str, str] = field(default_factory=dict)
    with_web: bool = False
    report: Callable[[str], None] | None = None
    state_dir: Path | None = None
    children: list[Child] = field(default_factory=list)
    _supervisor: Supervisor | None = field(default=None, repr=False)
    _sinks: list[LogSink] = field(default_factory=list, repr=False)
    _umask: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.with_web:
            self.settings = local_site_settings(self.settings)
        self.redactor = Redactor(secret_values(self.settings),
                                 max_chars=self.settings.log_line_chars)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.settings.rasa_host}:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        """Base URL of the site and rep pages on this machine (when `with_web`)."""
        return local_url(self.settings.web_host, self.settings.web_port)

    @property
    def state_path(self) -> Path:
        """This stack's state file (processes, restarts)."""
        return state_file(self.name, self.state_dir)

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The children's current processes, in start order."""
        return [c.process for c in self.children if c.process is not None]

    def child(self, role: str) -> Child:
        """The supervised child `actions`, `worker`, `rasa` or `web`."""
        return next(c for c in self.children if c.role == role)

    def pids(self) -> dict[str, int]:
        """The current PID of each child, by role."""
        return {c.role: c.process.pid for c in self.children if c.process is not None}

    def cors_origins(self) -> list[str]:
        """CORS_ORIGINS, plus the site's own origins when this stack serves the site: Rasa's
        `--cors` (HTTP API, socket.io polling) and the origins the widget's socket.io
        channel accepts (WebSocket included, see channels/socketio.py).
        """
        origins = self.settings.cors_origins.split()
        if self.with_web:
            origins += [o for o in site_origins(self.settings) if o not in origins]
        return origins

    def _say(self, line: str) -> None:
        line = self.redactor.redact(line)
        log.info("%s: %s", self.name, line)
        if self._sinks:
            self._sinks[0].write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}")
        if self.report is not None:
            self.report(line)

    def _sink(self, log_name: str) -> LogSink:
        s = self.settings
        sink = LogSink(self.log_dir / f"{self.name}-{log_name}.log", self.redactor,
                       s.log_max_bytes, s.log_backups)
        self._sinks.append(sink)
        return sink

    def _spawn(self, command: list[str], log_name: str, env: dict[str, str]) -> \
            subprocess.Popen[bytes]:
        child = Child(log_name, command, env, PROJECT_ROOT, self._sink(log_name))
        self.children.append(child)
        process = child.spawn()
        self.state.started(log_name, process.pid, 0)
        return process

    def _make_private(self) -> None:
        """Umask 077 from now on, and fix what already exists too openly."""
        if self._umask is None:
            self._umask = os.umask(PRIVATE_UMASK)
        s = self.settings
        make_private([VAR_DIR, self.log_dir, *sqlite_files(s.lead_store_url),
                      *sqlite_files(s.resolve_path(s.tracker_store_url))])

    def start(self, model: Path, timeout: float = 180.0) -> None:
        """Start the servers (and the web app when `with_web`), wait until they answer,
        then supervise them.
        """
        s = self.settings
        self._make_private()
        self.state = RunState(self.state_path, self.name)
        self.state.begin()
        self._sink("supervisor")
        app_env = dict(os.environ)
        # The action server reads the same settings: hand over this stack's values.
        app_env.update({name.upper(): str(value) for name, value in s.model_dump().items()})
        app_env["SANIC_HOST"] = "127.0.0.1"
        # glibc gives each thread that allocates its own malloc arena; the encoder's arrays
        # freed in the action server's worker threads stay resident there. Two arenas keep
        # about 35 MB less RSS at the same CPU per turn (`make bench`). An operator's own
        # value wins.
        app_env.setdefault("MALLOC_ARENA_MAX", "2")
        actions = self._spawn(
            [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(s.action_port)],
            "actions", app_env,
        )
        # The outbox worker: delivers handoffs the action server writes (same settings).
        worker = self._spawn([str(APP_PYTHON), "-m", "bot.cli", "worker"], "worker", app_env)
        endpoints = write_endpoints(s, VAR_DIR / f"endpoints.{self.name}.yml")
        # No token here: scripts/rasa_serve.py adds it in-process from RASA_TOKEN, so the
        # process list (readable by every local user) never shows it.
        rasa_cmd = [
            str(ENGINE_BIN / "python"), str(RASA_SERVE), "run", "--model", str(model),
            "--enable-api", "--credentials", str(PROJECT_ROOT / "credentials.yml"),
            "--endpoints", str(endpoints), "--interface", s.rasa_host,
            "--port", str(s.rasa_port), "--cors", *self.cors_origins(),
        ]
        # The widget's socket.io channel (channels/socketio.py) refuses other origins.
        widget_env = {"LEADBOT_WIDGET_ORIGINS": " ".join(self.cors_origins()),
                      "MAX_MESSAGE_CHARS": str(s.max_message_chars)}  # channels/input_rules
        # LOG_LEVEL: Rasa reads the same variable as our processes.
        token_env = {"RASA_TOKEN": s.rasa_token, "RASA_TOKEN_FILE": "", "LOG_LEVEL": s.log_level}
        if s.postgresql_schema:  # set only in .env: Rasa's tracker store must see it too
            token_env["POSTGRESQL_SCHEMA"] = s.postgresql_schema
        rasa = self._spawn(rasa_cmd, "rasa",
                           {**_engine_env(), **widget_env, **self.extra_env, **token_env})
        web = None
        if self.with_web:
            web = self._spawn([str(APP_PYTHON), "-m", "bot.cli", "web"], "web", app_env)
        try:
            wait_http(f"http://127.0.0.1:{s.action_port}/health", actions, 60, "action server")
            if web is not None:
                wait_http(f"{self.web_url}/healthz", web, 60, "the web app")
            wait_http(f"{self.rasa_url}/status?token={s.rasa_token}", rasa, timeout, "rasa")
            if worker.poll() is not None:
                raise LaunchError(f"the handoff worker exited with code {worker.returncode}")
        except LaunchError:
            self.stop()
            raise
        # Only now: a child that cannot start at all is a LaunchError, not a restart loop.
        self._supervisor = Supervisor(self.children, self.state, self._say,
                                      max_delay=s.restart_max_seconds,
                                      stable_after=s.restart_stable_seconds)
        self._supervisor.start()

    def stop(self) -> None:
        """Stop the supervisor first (so nothing is restarted), then every child."""
        if self._supervisor is not None:
            self._supervisor.stop()
            self._supervisor = None
        for child in reversed(self.children):
            stop_process(child.process)
        for child in self.children:
            child.join_pumps()
        self.children.clear()
        if getattr(self, "state", None) is not None:
            self.state.stopped()
        for sink in self._sinks:
            sink.close()
        self._sinks.clear()
        if self._umask is not None:
            os.umask(self._umask)
            self._umask = None


def _run_secret(settings: Settings, field_name: str, file_name: str,
                setting: str) -> tuple[Settings, str]:
    """The setting's value, or this run's own (var/<file_name>, 0600, kept across runs);
    the hint says where it is, never what it is.
    """
    if getattr(settings, field_name):
        if read_run_secret(file_name) == getattr(settings, field_name):
            return settings, f"{setting} from {run_secret_path(file_name)}"
        return settings, f"{setting} from your settings"
    value = ensure_run_secret(file_name)
    return (settings.model_copy(update={field_name: value}),
            f"{setting} for this run: in {run_secret_path(file_name)}")


def run_forever(settings: Settings) -> int:
    """`make run`: migrate, train if needed, start everything and keep it up (restarting a
    process that exits) until Ctrl-C or SIGTERM.
    """
    from bot.store import migrate  # the store is only needed once we really run

    os.umask(PRIVATE_UMASK)  # the lead store, logs and tokens are nobody else's business
    settings, rasa_hint = _run_secret(settings, "rasa_token", "rasa-token", "RASA_TOKEN")
    settings, reps_hint = _run_secret(settings, "reps_token", "reps-token", "REPS_TOKEN")
    try:
        migrate(settings.lead_store_url)
    except Exception as exc:  # noqa: BLE001 - any driver's error: say which setting is wrong
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise LaunchError(f"DATABASE_URL: cannot use the lead store: {first}") from None
    model = train()
    stack = Stack(settings, with_web=True, report=lambda line: print(line, flush=True))
    stop_requested = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print("starting the action server, the handoff worker, the site and Rasa (about 30 s)...")
    stack.start(model)
    base = stack.rasa_url
    print(
        "\nleadbot is running.\n"
        f"  site:    {stack.web_url}/  (the demo site; the chat widget is bottom right)\n"
        f"  reps:    {stack.web_url}/reps/  ({reps_hint})\n"
        f"  talk:    curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json'"
        " -d '{\"sender\": \"me\", \"message\": \"hi\"}'\n"
        f"  API:     {base}/status?token=$RASA_TOKEN  ({rasa_hint})\n"
        f"  leads:   {Path(sys.executable).parent / 'leadbot'} leads list\n"
        f"  logs:    {stack.log_dir}  (redacted, rotated)\n"
        f"  state:   {stack.state_path}  (restarts; `leadbot doctor` shows them)\n"
        "A process that exits is restarted. Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while not stop_requested.wait(0.5):
            pass
    finally:
        print("stopping...")
        stack.stop()
    return 0


def clean_models() -> None:
    """Remove trained models (they are rebuilt by the next run)."""
    shutil.rmtree(MODELS_DIR, ignore_errors=True)
