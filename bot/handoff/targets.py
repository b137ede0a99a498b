"""Where handoffs go: a JSON webhook (signed), Slack, SMTP e-mail and a local JSONL file.

Every target gets the payload of `bot.handoff.payload.handoff_payload`. It carries the
summary's render context under the private key `_context`: the Slack and e-mail targets
render their message from it (`render_slack`, `render_email`), and the JSON targets send
`public(payload)`, the payload without any key starting with "_".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import ssl
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

from bot.handoff.payload import CONTEXT_KEY
from bot.handoff.render import render_email, render_slack
from bot.http import client
from bot.settings import PROJECT_ROOT, Settings

SIGNATURE_HEADER = "X-Leadbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
WEBHOOK_TIMEOUT_SECONDS = 5.0
SMTP_TIMEOUT_SECONDS = 10.0


class Target(Protocol):
    """A place a handoff is sent to; `send` raises on any failure."""

    name: str

    def send(self, payload: dict[str, Any], key: str) -> None:
        """Deliver `payload` under idempotency key `key`, or raise."""


def public(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without its private keys (those starting with "_")."""
    return {k: v for k, v in payload.items() if not k.startswith("_")}


def context_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The render context a handoff payload carries (see `bot.handoff.payload`)."""
    context = payload.get(CONTEXT_KEY)
    if not isinstance(context, dict):
        raise ValueError(f"handoff payload has no {CONTEXT_KEY!r} render context")
    return context


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """The signature header value: sha256=<hex HMAC-SHA256 of body>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float, what: str) -> None:
    response = client().post(url, content=body, headers=headers, timeout=timeout)
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{what} answered HTTP {response.status_code}")


class WebhookTarget:
    """POST the public payload as JSON; any non-2xx answer or network error raises."""

    name = "webhook"

    def __init__(self, url: str, secret: str = "", timeout: float = WEBHOOK_TIMEOUT_SECONDS):
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, payload: dict[str, Any], key: str) -> None:
        """POST the signed lead record; raises DeliveryError on any failure."""
        body = encode(public(payload))
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, body)
        _post(self.url, body, headers, self.timeout, "webhook")


class SlackTarget:
    """POST the Block Kit summary to a Slack incoming webhook; non-2xx raises.

    Slack's incoming webhooks do not deduplicate. The message shows the handoff's reference
    (its idempotency key), the Idempotency-Key header is sent for proxies, and a send after
    an attempt whose outcome is unknown (worker killed mid-send) says it may be a repeat.
    """

    name = "slack"

    def __init__(self, webhook_url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS):
        self.webhook_url = webhook_url
        self.timeout = timeout

    def send(self, payload: dict[str, Any], key: str) -> None:
        """POST the Slack message; raises DeliveryError on any failure."""
        body = encode(render_slack(context_of(payload)))
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
        _post(self.webhook_url, body, headers, self.timeout, "Slack")


def message_id(key: str, sender: str) -> str:
    """The Message-ID of a handoff e-mail: the same for every resend of the handoff."""
    domain = sender.rpartition("@")[2] or "leadbot.invalid"
    return f"<handoff-{re.sub(r'[^A-Za-z0-9.-]', '-', key)}@{domain}>"


class EmailTarget:
    """Send the summary as a multipart/alternative e-mail (text + HTML) over SMTP.

    To: the configured `recipients`, or the lead's owner when there are none. Every resend
    has the same `Idempotency-Key` header and `Message-ID`, so it is recognisable. A refused
    recipient raises (the whole message is retried).
    """

    name = "email"

    def __init__(self, host: str, port: int = 587, username: str = "", password: str = "",
                 starttls: bool = True, sender: str = "", recipients: Sequence[str] = (),
                 timeout: float = SMTP_TIMEOUT_SECONDS, implicit_tls: bool = False,
                 ca_file: str = ""):
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.ca_file = ca_file
        self.sender = sender
        self.recipients = list(recipients)
        self.timeout = timeout

    def message(self, payload: dict[str, Any], key: str) -> EmailMessage:
        """The e-mail of `payload` (also used to preview it)."""
        subject, text, html = render_email(context_of(payload))
        to = self.recipients or [str((payload.get("owner") or {}).get("email") or "")]
        if not all(to):
            raise ValueError("no e-mail recipient: SMTP_TO is empty and the owner has none")
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = message_id(key, self.sender)
        message[IDEMPOTENCY_HEADER] = key
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message

    def tls_context(self) -> ssl.SSLContext:
        """Certificate-checking TLS, trusting SMTP_CA_FILE when set, else the system's CAs."""
        return ssl.create_default_context(cafile=self.ca_file or None)

    def connect(self) -> smtplib.SMTP:
        """An open SMTP session: implicit TLS (port 465), STARTTLS, or plain."""
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self.tls_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            try:
                smtp.starttls(context=self.tls_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, payload: dict[str, Any], key: str) -> None:
        """Send the summary e-mail; raises DeliveryError on any failure."""
        message = self.message(payload, key)
        with self.connect() as smtp:
            if self.username:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(message)
        if refused:
            raise RuntimeError(f"SMTP refused {', '.join(sorted(refused))}")


class FileTarget:
    """Append the public payload as one JSON line (for local use and demos)."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        path = Path(path).expanduser()
        self.path = path if path.is_absolute() else PROJECT_ROOT / path

    def send(self, payload: dict[str, Any], key: str) -> None:
        """Append the lead record as one JSON line."""
        line = json.dumps({**public(payload), "idempotency_key": key}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def targets_from_settings(settings: Settings) -> list[Target]:
    """The configured targets, in a stable order (none when nothing is configured)."""
    targets: list[Target] = []
    if settings.handoff_webhook_url:
        targets.append(WebhookTarget(settings.handoff_webhook_url, settings.handoff_webhook_secret))
    if settings.slack_webhook_url:
        targets.append(SlackTarget(settings.slack_webhook_url))
    if settings.smtp_host:
        targets.append(EmailTarget(
            settings.smtp_host, settings.smtp_port, settings.smtp_username,
            settings.smtp_password, settings.smtp_starttls, settings.smtp_from,
            settings.smtp_recipients, implicit_tls=settings.smtp_ssl,
            ca_file=settings.smtp_ca_file))
    if settings.handoff_file:
        targets.append(FileTarget(settings.handoff_file))
    return targets
