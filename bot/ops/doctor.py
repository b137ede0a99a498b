"""`leadbot doctor`: is everything leadbot needs there and answering? One `Check` per thing.

Each check is a function returning a `Check` (never raising): settings, policies, the lead
store and its migrations, the trained model, Rasa (with RASA_TOKEN), the action server, the
web app, every configured handoff target, REPS_TOKEN, and the restarts `leadbot run` made
(var/run/state.json). Network checks give up after
`TIMEOUT_SECONDS`. Nothing is changed and nothing is sent: the database is not migrated or
created, the webhook gets a TCP connection (never a fake lead), SMTP gets EHLO and NOOP.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.handoff.targets import EmailTarget, FileTarget, targets_from_settings
from bot.ops.launcher import model_path, state_file
from bot.ops.supervision import read_state
from bot.policies.check import check_project
from bot.rasa_api import rasa_api_url
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings, local_url
from bot.store import head_revision, make_engine, schema_revision

TIMEOUT_SECONDS = 2.0
Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One finding: `detail` says what was seen; `fix` (failures) how to mend it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        """`ok   name: detail`, `warn name: detail` or `FAIL name: detail — fix`."""
        label = {"ok": "ok", "warn": "warn", "fail": "FAIL"}[self.status]
        return f"{label:<4} {self.name}: {self.detail}" + (f" — {self.fix}" if self.fix else "")


def ok(name: str, detail: str) -> Check:
    """A check that passed."""
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Check:
    """A check that failed, with what to do about it."""
    return Check(name, "fail", detail, fix)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# ---------------------------------------------------------------------------- the project
def check_settings(load: Callable[[], Settings] = load_settings) -> tuple[Check, Settings | None]:
    """Settings from .env and the environment, or the SettingsError naming the setting."""
    try:
        settings = load()
    except SettingsError as exc:
        return fail("settings", str(exc), "fix it in .env or the environment (see "
                    ".env.example)"), None
    return ok("settings", "loaded from .env and the environment"), settings


def check_policies(root: Path = PROJECT_ROOT, policy_dir: Path | None = None) -> Check:
    """Every policy file of `policy_dir` (POLICY_DIR; default: the project's policies/)
    valid and every question askable (`leadbot policies check`).
    """
    policy_dir = policy_dir or root / "policies"
    problems = check_project(root, policy_dir)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return fail("policies", problems[0] + more,
                    "fix the file, then run `leadbot policies check`")
    return ok("policies", f"{_shown(policy_dir, root)}/*.yml valid, every question in domain.yml")


def _shown(policy_dir: Path, root: Path) -> str:
    # "policies" for the project's own, the path of any other POLICY_DIR.
    own = policy_dir.resolve() == (root / "policies").resolve()
    return "policies" if own else str(policy_dir)


def check_database(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> Check:
    """The lead store answers and its schema is at the migrations' head (nothing created)."""
    url = settings.lead_store_url
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse error of the URL is reported
        return fail("database", f"DATABASE_URL is not a database URL: {_first_line(exc)}",
                    "e.g. sqlite:///var/leadbot.db or postgresql://user@host:5432/leadbot")
    shown = parsed.render_as_string(hide_password=True)
    sqlite = parsed.get_backend_name() == "sqlite"
    # Connecting to a missing SQLite file would create it: report it instead.
    if sqlite and parsed.database and not Path(parsed.database).is_file():
        return fail("database", f"no database file at {parsed.database}",
                    "run `leadbot db upgrade` (or `make run`) to create it")
    connect_args = {"timeout": timeout} if sqlite else {"connect_timeout": max(1, int(timeout))}
    try:
        engine = make_engine(url, connect_args=connect_args)
    except Exception as exc:  # noqa: BLE001 - a missing driver, an unknown dialect
        return fail("database", f"cannot use {shown}: {_first_line(exc)}",
                    "fix DATABASE_URL")
    try:
        revision = schema_revision(engine)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        return fail("database", f"cannot connect to {shown}: {_first_line(detail)}",
                    "start the database server or fix DATABASE_URL")
    finally:
        engine.dispose()
    head = head_revision()
    if revision != head:
        return fail("database", f"{shown} is at migration {revision or 'none'}, "
                    f"this code needs {head}", "run `leadbot db upgrade`")
    return ok("database", f"{shown} at migration {head} (head)")


def check_model(root: Path = PROJECT_ROOT) -> Check:
    """A trained model for the current config, domain and data."""
    path = model_path(root)
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    if not path.is_file():
        return fail("model", f"no model for the current data ({shown})", "run `make train`")
    return ok("model", str(shown))


# ---------------------------------------------------------------------------- servers
def _get(url: str, timeout: float, **params: str) -> httpx.Response:
    return httpx.get(url, params=params, timeout=timeout)


def check_rasa(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> Check:
    """Rasa's HTTP API answers /status with RASA_TOKEN."""
    base = rasa_api_url(settings)
    try:
        response = _get(f"{base}/status", timeout, token=settings.rasa_token)
    except httpx.HTTPError as exc:
        return fail("rasa", f"nothing answers at {base} ({_first_line(exc)})",
                    "start it with `make run`, or fix RASA_HOST / RASA_PORT")
    if response.status_code in (401, 403):
        if not settings.rasa_token:
            return fail("rasa", f"{base} wants a token and RASA_TOKEN is empty",
                        "set RASA_TOKEN in .env to the token Rasa runs with, then restart")
        return fail("rasa", f"{base} refused RASA_TOKEN (HTTP {response.status_code})",
                    "set RASA_TOKEN to the token Rasa was started with (`--auth-token`)")
    if response.status_code != 200:
        return fail("rasa", f"{base}/status answered HTTP {response.status_code}",
                    "look at Rasa's log (var/logs/)")
    try:
        model = str(response.json().get("model_file") or "?")
    except ValueError:
        return fail("rasa", f"{base}/status answered something that is not JSON",
                    "is RASA_PORT another server's port?")
    return ok("rasa", f"answering at {base} with RASA_TOKEN (model {Path(model).name})")


def check_http(name: str, url: str, fix: str, timeout: float = TIMEOUT_SECONDS) -> Check:
    """`url` answers a GET with a 2xx status."""
    try:
        response = _get(url, timeout)
    except httpx.HTTPError as exc:
        return fail(name, f"nothing answers at {url} ({_first_line(exc)})", fix)
    if not response.is_success:
        return fail(name, f"{url} answered HTTP {response.status_code}", fix)
    return ok(name, f"answering at {url} (HTTP {response.status_code})")


def check_action_server(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> Check:
    """The action server's /health on 127.0.0.1:ACTION_PORT (it binds to loopback only)."""
    return check_http("action server", f"{local_url('127.0.0.1', settings.action_port)}/health",
                      "start it with `make run`, or fix ACTION_PORT", timeout)


def check_web(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> Check:
    """The web app (demo site and rep pages) on WEB_HOST:WEB_PORT."""
    return check_http("web app", f"{local_url(settings.web_host, settings.web_port)}/healthz",
                      "start it with `make run` (or `leadbot web`), or fix WEB_HOST / WEB_PORT",
                      timeout)


# ---------------------------------------------------------------------------- handoff targets
def check_connectable(name: str, url: str, setting: str,
                      timeout: float = TIMEOUT_SECONDS) -> Check:
    """`url`'s host resolves and accepts a TCP connection (nothing is sent)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return fail(name, f"cannot resolve {host} ({_first_line(exc)})",
                    f"check {setting} and this machine's DNS")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        return fail(name, f"{host}:{port} refuses connections ({_first_line(exc)})",
                    f"check {setting}, the receiver and any firewall")
    return ok(name, f"{parts.scheme}://{host}:{port} accepts connections")


def check_smtp(target: EmailTarget, timeout: float = TIMEOUT_SECONDS) -> Check:
    """Connect as the delivery worker does (SMTP_SSL / SMTP_STARTTLS / SMTP_CA_FILE), EHLO,
    NOOP, QUIT; no mail is sent.
    """
    target.timeout = timeout
    where = f"{target.host}:{target.port}"
    mode = "implicit TLS" if target.implicit_tls else "STARTTLS" if target.starttls else "plain"
    try:
        with target.connect() as smtp:
            smtp.ehlo()
            code, _ = smtp.noop()
    except ssl.SSLCertVerificationError as exc:
        return fail("smtp", f"{where}: TLS certificate not trusted ({exc.verify_message})",
                    "set SMTP_CA_FILE to the PEM of the CA that signed it")
    except smtplib.SMTPNotSupportedError:
        return fail("smtp", f"{where} does not offer STARTTLS",
                    "use SMTP_SSL=true on port 465, or SMTP_STARTTLS=false on a trusted network")
    except ssl.SSLError as exc:
        return fail("smtp", f"{where}: TLS failed ({_first_line(exc)})",
                    "check SMTP_SSL (port 465) against SMTP_STARTTLS (port 587)")
    except (OSError, smtplib.SMTPException) as exc:
        return fail("smtp", f"cannot talk to {where} ({_first_line(exc)})",
                    "check SMTP_HOST / SMTP_PORT and that the server is up")
    if code != 250:
        return fail("smtp", f"{where} answered NOOP with {code}", "check the SMTP server")
    return ok("smtp", f"{where} answers EHLO and NOOP ({mode})")


def check_handoff_file(target: FileTarget) -> Check:
    """HANDOFF_FILE can be appended to: its directory exists (or can be made) and is writable."""
    path = target.path
    if path.exists() and (path.is_dir() or not os.access(path, os.W_OK)):
        return fail("handoff file", f"{path} is not a writable file",
                    "point HANDOFF_FILE at a file this user may write")
    directory = path.parent
    while not directory.exists():  # the worker creates missing directories
        directory = directory.parent
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        return fail("handoff file", f"cannot write in {directory} (for {path})",
                    "point HANDOFF_FILE at a writable directory")
    return ok("handoff file", f"{path} is writable")


def check_targets(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> list[Check]:
    """Every configured handoff target, or a warning that handoffs go nowhere."""
    targets = targets_from_settings(settings)
    if not targets:
        return [Check("handoff targets", "warn",
                      "no target configured: handoffs stay in the store "
                      "(`leadbot handoffs list`) — set HANDOFF_WEBHOOK_URL, SLACK_WEBHOOK_URL, "
                      "SMTP_HOST or HANDOFF_FILE")]
    checks = []
    if settings.handoff_webhook_url:
        checks.append(check_connectable("webhook", settings.handoff_webhook_url,
                                        "HANDOFF_WEBHOOK_URL", timeout))
    if settings.slack_webhook_url:
        checks.append(check_connectable("slack", settings.slack_webhook_url,
                                        "SLACK_WEBHOOK_URL", timeout))
    for target in targets:
        if isinstance(target, EmailTarget):
            checks.append(check_smtp(target, timeout))
        elif isinstance(target, FileTarget):
            checks.append(check_handoff_file(target))
    return checks


def check_reps_token(settings: Settings) -> Check:
    """REPS_TOKEN set (the rep pages are off, or random per run, without it)."""
    if not settings.reps_token:
        return Check("reps token", "warn", "REPS_TOKEN is empty: the rep pages are off "
                     "(`make run` makes a random one per run) — set it in .env")
    return ok("reps token", "REPS_TOKEN is set")


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def check_restarts(path: Path | None = None) -> Check:
    """The processes `leadbot run` restarted (from its state file): which, when, why."""
    path = path or state_file("run")
    state = read_state(path)
    if state is None:
        return ok("restarts", f"no `leadbot run` has recorded any ({path} is absent)")
    restarts = [r for r in state.get("restarts", []) if isinstance(r, dict)]
    running = not state.get("stopped_at") and _alive(state.get("launcher_pid"))
    since = f"the run started {state.get('started_at', '?')}"
    when = since if running else f"{since} (no longer running)"
    if not restarts:
        return ok("restarts", f"none since {when}")
    shown = "; ".join(f"{r.get('process')} at {r.get('at')} ({r.get('reason')})"
                      for r in restarts[-3:])
    more = f" (last {min(3, len(restarts))}: {shown})"
    return Check("restarts", "warn", f"{len(restarts)} restart(s) since {when}{more}",
                 "see why in the process's log (var/logs/)")


# ---------------------------------------------------------------------------- all of it
def run_checks(load: Callable[[], Settings] = load_settings,
               timeout: float = TIMEOUT_SECONDS) -> list[Check]:
    """Every check, in the order a problem is best fixed; without settings, only those
    that need none.
    """
    settings_check, settings = check_settings(load)
    # Without settings POLICY_DIR is unknown: the project's policies/ are checked.
    checks = [settings_check,
              check_policies(policy_dir=settings.policy_path if settings else None)]
    if settings is None:
        return [*checks, check_model()]
    return [
        *checks,
        check_database(settings, timeout),
        check_model(),
        check_rasa(settings, timeout),
        check_action_server(settings, timeout),
        check_web(settings, timeout),
        *check_targets(settings, timeout),
        check_reps_token(settings),
        check_restarts(),
    ]
