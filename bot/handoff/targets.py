"""Where handoffs go: a JSON webhook (signed) and a local JSONL file."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from pathlib import Path
from typing import Any, Protocol

import httpx

from bot.settings import PROJECT_ROOT, Settings

SIGNATURE_HEADER = "X-Leadbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
WEBHOOK_TIMEOUT_SECONDS = 5.0


class Target(Protocol):
    """A place a handoff is sent to; `send` raises on any failure."""

    name: str

    def send(self, payload: dict[str, Any], key: str) -> None:
        """Deliver `payload` under idempotency key `key`, or raise."""


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """The signature header value: sha256=<hex HMAC-SHA256 of body>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookTarget:
    """POST the payload as JSON; any non-2xx answer or network error raises."""

    name = "webhook"

    def __init__(self, url: str, secret: str = "", timeout: float = WEBHOOK_TIMEOUT_SECONDS):
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, payload: dict[str, Any], key: str) -> None:
        body = encode(payload)
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, body)
        response = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"webhook answered HTTP {response.status_code}")


class FileTarget:
    """Append the payload as one JSON line (for local use and demos)."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        path = Path(path).expanduser()
        self.path = path if path.is_absolute() else PROJECT_ROOT / path

    def send(self, payload: dict[str, Any], key: str) -> None:
        line = json.dumps({**payload, "idempotency_key": key}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def targets_from_settings(settings: Settings) -> list[Target]:
    """The configured targets, in a stable order (none when nothing is configured)."""
    targets: list[Target] = []
    if settings.handoff_webhook_url:
        targets.append(WebhookTarget(settings.handoff_webhook_url, settings.handoff_webhook_secret))
    if settings.handoff_file:
        targets.append(FileTarget(settings.handoff_file))
    return targets
