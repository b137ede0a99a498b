"""Training and running the whole assistant: the Rasa server (engine venv) and the action
server (app venv), wired to the stores named in the settings.

`make run` calls `leadbot run`; the integration tests use `Stack` with their own ports and
databases. Every process is started in its own process group and stopped by its PID.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bot.settings import PROJECT_ROOT, Settings, local_url

ENGINE_BIN = PROJECT_ROOT / ".venvs" / "engine" / "bin"
APP_PYTHON = PROJECT_ROOT / ".venvs" / "app" / "bin" / "python"
MODELS_DIR = PROJECT_ROOT / "models"
VAR_DIR = PROJECT_ROOT / "var"
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


def train(force: bool = False) -> Path:
    """Train the Rasa model unless one for the current data exists; returns its path."""
    target = model_path()
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(PROJECT_ROOT)}")
        return target
    rasa = ENGINE_BIN / "rasa"
    if not rasa.exists():
        raise LaunchError("the engine venv is missing: run `make bootstrap`")
    started = time.monotonic()
    log_path = VAR_DIR / "logs" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"training the model (about a minute; log: {log_path.relative_to(PROJECT_ROOT)})")
    with open(log_path, "wb") as log:
        done = subprocess.run(
            [str(rasa), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
             "--out", str(MODELS_DIR)],
            cwd=PROJECT_ROOT, env=_engine_env(), stdout=log, stderr=subprocess.STDOUT,
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
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
    raise LaunchError(f"{what} did not answer at {url} within {timeout:.0f} s")


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


@dataclass
class Stack:
    """The Rasa server, the action server and the handoff worker, started and stopped together.

    With `with_web=True` the site and rep pages (`leadbot web`) are started too, and the
    site's origins are added to Rasa's `--cors` list so the widget may call Rasa.
    """

    settings: Settings
    name: str = "run"
    log_dir: Path = VAR_DIR / "logs"
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    with_web: bool = False

    def __post_init__(self) -> None:
        if self.with_web:
            self.settings = local_site_settings(self.settings)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.settings.rasa_host}:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        """Base URL of the site and rep pages on this machine (when `with_web`)."""
        return local_url(self.settings.web_host, self.settings.web_port)

    def cors_origins(self) -> list[str]:
        """CORS_ORIGINS, plus the site's own origins when this stack serves the site: Rasa's
        `--cors` (HTTP API, socket.io polling) and the origins the widget's socket.io
        channel accepts (WebSocket included, see channels/socketio.py)."""
        origins = self.settings.cors_origins.split()
        if self.with_web:
            origins += [o for o in site_origins(self.settings) if o not in origins]
        return origins

    def _spawn(self, command: list[str], log_name: str, env: dict[str, str]) -> \
            subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{self.name}-{log_name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def start(self, model: Path, timeout: float = 180.0) -> None:
        """Start the servers (and the web app when `with_web`) and wait until they answer."""
        s = self.settings
        app_env = dict(os.environ)
        # The action server reads the same settings: hand over this stack's values.
        app_env.update({name.upper(): str(value) for name, value in s.model_dump().items()})
        app_env["SANIC_HOST"] = "127.0.0.1"
        actions = self._spawn(
            [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(s.action_port)],
            "actions", app_env,
        )
        # The outbox worker: delivers handoffs the action server writes (same settings).
        worker = self._spawn([str(APP_PYTHON), "-m", "bot.cli", "worker"], "worker", app_env)
        endpoints = write_endpoints(s, VAR_DIR / f"endpoints.{self.name}.yml")
        rasa_cmd = [
            str(ENGINE_BIN / "rasa"), "run", "--model", str(model), "--enable-api",
            "--auth-token", s.rasa_token, "--credentials", str(PROJECT_ROOT / "credentials.yml"),
            "--endpoints", str(endpoints), "--interface", s.rasa_host,
            "--port", str(s.rasa_port), "--cors", *self.cors_origins(),
        ]
        # The widget's socket.io channel (channels/socketio.py) refuses other origins.
        widget_env = {"LEADBOT_WIDGET_ORIGINS": " ".join(self.cors_origins())}
        rasa = self._spawn(rasa_cmd, "rasa", {**_engine_env(), **widget_env, **self.extra_env})
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

    def stop(self) -> None:
        """Stop every process this stack started."""
        for process in reversed(self.processes):
            stop_process(process)
        self.processes.clear()


def run_forever(settings: Settings) -> int:
    """`make run`: migrate, train if needed, start everything, stop it all on Ctrl-C."""
    from bot.store import migrate  # the store is only needed once we really run

    if not settings.rasa_token:
        settings = settings.model_copy(update={"rasa_token": secrets.token_urlsafe(18)})
        print("RASA_TOKEN is not set: using a random token for this run (set it in .env)")
    reps_token_hint = "REPS_TOKEN from your settings"
    if not settings.reps_token:
        settings = settings.model_copy(update={"reps_token": secrets.token_urlsafe(18)})
        # Printed once so the person who ran `make run` can open the rep pages.
        reps_token_hint = f"token for this run: {settings.reps_token}"
    try:
        migrate(settings.lead_store_url)
    except Exception as exc:  # any driver error: say which setting points at it
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise LaunchError(f"DATABASE_URL: cannot use the lead store: {first}") from None
    model = train()
    stack = Stack(settings, with_web=True)
    stop_requested = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print("starting the action server, the handoff worker, the site and Rasa (about 30 s)...")
    stack.start(model)
    base = stack.rasa_url
    print(
        "\nleadbot is running.\n"
        f"  site:    {stack.web_url}/  (the demo site; the chat widget is bottom right)\n"
        f"  reps:    {stack.web_url}/reps/  ({reps_token_hint})\n"
        f"  talk:    curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json'"
        " -d '{\"sender\": \"me\", \"message\": \"hi\"}'\n"
        f"  API:     {base}/status?token=$RASA_TOKEN\n"
        f"  leads:   {Path(sys.executable).parent / 'leadbot'} leads list\n"
        f"  logs:    {stack.log_dir}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while not stop_requested:
            for process in stack.processes:
                if process.poll() is not None:
                    print(f"a server exited (code {process.returncode}); see {stack.log_dir}")
                    return 1
            time.sleep(0.5)
    finally:
        print("stopping...")
        stack.stop()
    return 0


def clean_models() -> None:
    """Remove trained models (they are rebuilt by the next run)."""
    shutil.rmtree(MODELS_DIR, ignore_errors=True)
