"""Process settings, read once at start-up from the environment and `.env`.

Every setting is documented in `.env.example`. A wrong value stops start-up with one
line that names the setting (see `SettingsError`).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected."""


class Settings(BaseSettings):
    """All knobs of one leadbot process. Field names map to upper-case env vars."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    database_url: str = Field(
        default="sqlite:///var/leadbot.db",
        description="Lead store (SQLAlchemy URL): sqlite:///path or postgresql://user@host/db",
    )
    tracker_store_url: str = Field(
        default="sqlite:///var/tracker.db",
        description="Rasa tracker store: sqlite:///path or postgresql://user:pw@host:port/db",
    )
    lock_store_url: str = Field(
        default="", description="Rasa lock store: empty = in memory, or redis://host:port/db"
    )
    rasa_token: str = Field(default="", description="Token protecting Rasa's HTTP API")
    rasa_host: str = "127.0.0.1"
    rasa_port: int = Field(default=5005, ge=1, le=65535)
    action_port: int = Field(default=5055, ge=1, le=65535)
    cors_origins: str = Field(
        default="http://localhost:8000 http://127.0.0.1:8000",
        description="Space-separated origins allowed to call Rasa from a browser",
    )
    company_name: str = "Helpwise"
    assistant_name: str = "Ava"
    support_url: str = "https://example.com/support"
    careers_url: str = "https://example.com/careers"
    partners_url: str = "https://example.com/partners"
    pricing_url: str = "https://example.com/pricing"
    privacy_url: str = "https://example.com/privacy"
    contact_url: str = Field(
        default="https://example.com/contact",
        description="Where a visitor who does not write in English contacts a colleague who "
        "speaks their language",
    )
    resource_url: str = Field(
        default="https://example.com/guides/customer-service-playbook",
        description="Resource offered to leads who are not sales-ready yet (nurture)",
    )
    max_questions: int = Field(default=7, ge=1, le=20)
    max_message_chars: int = Field(
        default=4000, ge=200, le=20000,
        description="Longer chat messages are cut to this many characters (the visitor is "
        "told); request bodies over max(64 kB, 16x this) are refused with 413",
    )
    turn_retry_seconds: float = Field(
        default=4.0, gt=0, le=60,
        description="How long a turn the lead store refuses is retried before it is spooled",
    )
    spool_dir: str = Field(
        default="var/spool", description="Where turns the lead store refused wait (JSONL)"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_max_bytes: int = Field(
        default=10_000_000, ge=10_000, description="Rotate a process's log at this size"
    )
    log_backups: int = Field(default=5, ge=1, le=100, description="Rotated logs kept")
    log_line_chars: int = Field(
        default=2000, ge=200, le=100_000, description="Longer log lines are cut (marked)"
    )
    handoff_webhook_url: str = Field(
        default="", description="JSON webhook (CRM) receiving handoffs; empty = off"
    )
    handoff_webhook_secret: str = Field(
        default="", description="HMAC-SHA256 key signing webhook bodies; empty = no signature"
    )
    handoff_file: str = Field(
        default="", description="JSONL file each handoff is appended to; empty = off"
    )
    slack_webhook_url: str = Field(
        default="", description="Slack incoming webhook receiving handoffs; empty = off"
    )
    smtp_host: str = Field(default="", description="SMTP server for handoff e-mails; empty = off")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = Field(default="", description="SMTP login; empty = no login")
    smtp_password: str = ""
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP link with STARTTLS")
    smtp_ssl: bool = Field(
        default=False,
        description="Implicit TLS from the first byte (port 465); wins over STARTTLS",
    )
    smtp_ca_file: str = Field(
        default="", description="PEM file of CAs trusted for SMTP TLS; empty = the system's"
    )
    smtp_from: str = Field(
        default="", validate_default=True, description="Sender address; needed with SMTP_HOST"
    )
    smtp_to: str = Field(
        default="", description="Comma-separated recipients; empty = the lead's owner"
    )
    handoff_max_age_hours: float = Field(
        default=24.0, gt=0, description="Give a delivery up (dead) after this many hours"
    )
    worker_poll_seconds: float = Field(
        default=0.2, gt=0, le=60, description="How often the delivery worker looks for work"
    )
    worker_lease_seconds: float = Field(
        default=60.0, gt=0, le=3600,
        description="How long a delivery being sent is reserved; after a worker crash it is "
        "sent again once this has passed (same idempotency key)",
    )
    worker_concurrency: int = Field(
        default=4, ge=1, le=64, description="Handoffs the delivery worker sends at once"
    )
    handoff_retry_base_seconds: float = Field(
        default=2.0, gt=0, le=3600,
        description="After a delivery's n-th failed attempt it waits this x 2^n (+ jitter)",
    )
    handoff_retry_max_seconds: float = Field(
        default=600.0, gt=0, le=86400, description="Longest wait between delivery attempts"
    )
    restart_max_seconds: float = Field(
        default=30.0, gt=0, le=3600,
        description="`leadbot run`: longest wait before restarting a process that exited "
        "(1 s, doubled per quick exit)",
    )
    restart_stable_seconds: float = Field(
        default=60.0, gt=0, le=86400,
        description="`leadbot run`: a process up this long is healthy again (wait back to 1 s)",
    )
    web_host: str = Field(
        default="127.0.0.1", description="Where the demo site and rep pages listen"
    )
    web_port: int = Field(default=8000, ge=1, le=65535)
    reps_token: str = Field(
        default="", description="Token for the rep pages; empty = a random one each `make run`"
    )
    reps_session_secret: str = Field(
        default="",
        description="Extra key signing rep session cookies (with REPS_TOKEN); empty = the "
        "key is derived from REPS_TOKEN alone",
    )
    reps_session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="A rep stays signed in this long"
    )
    reps_login_attempts_per_minute: int = Field(
        default=5, ge=1, le=1000,
        description="Wrong rep tokens allowed per client address per minute, then 429",
    )
    reps_login_attempts_global_per_minute: int = Field(
        default=30, ge=1, le=10_000,
        description="Wrong rep tokens allowed per minute from all addresses together, then 429",
    )
    postgresql_schema: str = Field(
        default="",
        description="Schema of Rasa's tracker store on PostgreSQL (Rasa reads the same "
        "variable); `leadbot erase` / `export-person` / retention look there",
    )
    policy_dir: str = Field(
        default="policies", validate_default=True,
        description="The directory of the policy files (scoring.yml, routing.yml, ...); "
        "relative paths are under the project root",
    )
    retention_every_hours: float = Field(
        default=24.0, ge=0, le=24 * 365,
        description="How often the worker applies policies/retention.yml; 0 = never",
    )
    visitor_secret: str = Field(
        default="",
        description="Key signing the widget's visitor tokens (returning browsers); empty = "
        "generated once and kept in var/visitor-secret",
    )
    visitor_token_days: float = Field(
        default=400.0, gt=0, le=3650,
        description="A visitor token older than this is refused (the browser gets a new one)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the site and rep pages as reps reach it (links in handoffs)",
    )
    rasa_public_url: str = Field(
        default="http://127.0.0.1:5005",
        description="Rasa's URL as the visitor's browser reaches it (the widget's socket.io)",
    )

    @field_validator("database_url", "tracker_store_url")
    @classmethod
    def _sql_url(cls, value: str) -> str:
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("expected sqlite:///path or postgresql://user@host:port/db")
        return value

    @field_validator("lock_store_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("redis", "rediss"):
            raise ValueError("expected empty (in memory) or redis://host:port/db")
        return value

    @field_validator("handoff_webhook_url", "slack_webhook_url", "public_url", "rasa_public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError("expected empty (off) or an http:// or https:// URL")
        return value

    @field_validator("smtp_host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", value):
            raise ValueError("expected empty (off) or a host name, e.g. smtp.example.com")
        return value

    @field_validator("smtp_ca_file")
    @classmethod
    def _ca_file(cls, value: str) -> str:
        value = value.strip()
        if value and not Path(value).expanduser().is_file():
            raise ValueError(f"{value!r} is not a file (expected a PEM file of CA certificates)")
        return str(Path(value).expanduser()) if value else ""

    @field_validator("policy_dir")
    @classmethod
    def _policy_dir(cls, value: str) -> str:
        path = _under_root(value)
        if not path.is_dir():
            raise ValueError(f"{str(path)!r} is not a directory (expected the folder holding "
                             "scoring.yml, qualification.yml, routing.yml, ...)")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _sender(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if value and not _EMAIL.fullmatch(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        if not value and info.data.get("smtp_host"):
            raise ValueError("required when SMTP_HOST is set (the sender address)")
        return value

    @field_validator("smtp_to")
    @classmethod
    def _recipients(cls, value: str) -> str:
        wrong = [a for a in _split(value) if not _EMAIL.fullmatch(a)]
        if wrong:
            raise ValueError(f"{wrong[0]!r} is not an e-mail address "
                             "(expected comma-separated addresses, or empty = the owner)")
        return value

    @property
    def smtp_recipients(self) -> list[str]:
        """SMTP_TO as a list (empty = send to the lead's owner)."""
        return _split(self.smtp_to)

    def resolve_path(self, sqlite_url: str) -> str:
        """Make a relative SQLite URL absolute against the project root."""
        prefix = "sqlite:///"
        if sqlite_url.startswith(prefix) and not sqlite_url.startswith(prefix + "/"):
            return prefix + str(PROJECT_ROOT / sqlite_url[len(prefix) :])
        return sqlite_url

    @property
    def spool_path(self) -> Path:
        """SPOOL_DIR, made absolute against the project root."""
        path = Path(self.spool_dir).expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def policy_path(self) -> Path:
        """POLICY_DIR, made absolute against the project root."""
        return _under_root(self.policy_dir)

    @property
    def lead_store_url(self) -> str:
        """The lead store URL with a relative SQLite path made absolute."""
        return self.resolve_path(self.database_url)


def local_url(host: str, port: int) -> str:
    """http://host:port as this machine reaches a server bound to `host` (the wildcard
    addresses become loopback; IPv6 gets brackets).
    """
    if host in ("", "0.0.0.0"):  # noqa: S104 - recognising the wildcard, not binding to it
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


_EMAIL = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+")


def _under_root(value: str) -> Path:
    """A path setting made absolute: relative paths are under the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _split(addresses: str) -> list[str]:
    return [a.strip() for a in addresses.split(",") if a.strip()]


def _env_file_values() -> dict[str, str]:
    env_file = Path(os.environ.get("LEADBOT_ENV_FILE", PROJECT_ROOT / ".env"))
    if not env_file.is_file():
        return {}
    return {k.lower(): v for k, v in dotenv_values(env_file).items() if v is not None}


# ---------------------------------------------------------------- a run's own secrets
VAR_DIR = PROJECT_ROOT / "var"
# Settings that `leadbot run` generates when unset and keeps in var/<file> (0600), so that a
# `leadbot` command started in another terminal (takeover, doctor, ...) uses the same value.
RUN_SECRET_FILES = {
    "rasa_token": "rasa-token",
    "reps_token": "reps-token",
    # The web app issues visitor tokens and the action server verifies them: one key.
    "visitor_secret": "visitor-secret",
}


def var_dir() -> Path:
    """Where a run keeps its secrets and state: LEADBOT_VAR_DIR, else var/ in the project."""
    return Path(os.environ.get("LEADBOT_VAR_DIR") or VAR_DIR)


def run_secret_path(name: str) -> Path:
    """Where the run secret `name` (e.g. "rasa-token") is kept: var/<name>."""
    return var_dir() / name


def read_run_secret(name: str) -> str:
    """The run secret `name` saved by an earlier run, or "" when there is none."""
    try:
        return run_secret_path(name).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def ensure_run_secret(name: str) -> str:
    """The run secret `name`, generated (random, 24 bytes) and saved 0600 in a 0700 var/
    when missing. The file is created exclusively, so two processes agree on one value.
    """
    import secrets  # only the processes that generate one pay for it

    existing = read_run_secret(name)
    if existing:
        return existing
    path = run_secret_path(name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its value
        return read_run_secret(name)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(24) + "\n")
    return read_run_secret(name)


def load_settings(**overrides: object) -> Settings:
    """Read settings from `.env` then the environment (which wins), or raise SettingsError.

    RASA_TOKEN and REPS_TOKEN, when set nowhere, come from var/rasa-token and var/reps-token
    (written by `leadbot run`), so every command talks to the running stack.
    """
    values: dict[str, object] = dict(_env_file_values())
    field_names = set(Settings.model_fields)
    for key, value in os.environ.items():
        if key.lower() in field_names:
            values[key.lower()] = value
    values.update(overrides)
    for field_name, file_name in RUN_SECRET_FILES.items():
        if not values.get(field_name):
            values[field_name] = read_run_secret(file_name)
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None


@cache
def settings() -> Settings:
    """The process-wide settings, loaded on first use (never at import)."""
    return load_settings()
