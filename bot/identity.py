"""Visitor tokens: how a returning browser proves it is the browser we met before.

The web app gives each browser a token (`POST /widget/visitor`); the widget keeps it in
localStorage and sends it as `visitor_id` in every message's page context. The action
server trusts a `visitor_id` only if it is a token we signed: anything else (a raw id as
stored in the lead store, another visitor's id typed into the metadata, a token with one
character changed) is ignored, so it can never join a lead.

    v1.<id>.<issued-at>.<signature>

`id` is 16 random bytes (base64url), `issued-at` whole seconds since the epoch and
`signature` the base64url HMAC-SHA256 of "v1.<id>.<issued-at>" under VISITOR_SECRET. Only
the id is ever stored: a token in the database would let anyone who reads it pose as
that browser. Pure functions; the key comes from the caller (`configured_key` reads it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from bot.settings import Settings, ensure_run_secret, settings

VERSION = "v1"
ID_BYTES = 16
SECRET_FILE = "visitor-secret"  # noqa: S105 - a file name, not a secret
# A token from a clock slightly ahead of ours is fine; one from the far future is forged.
MAX_CLOCK_SKEW_SECONDS = 300
DEFAULT_MAX_AGE_SECONDS = 400 * 86400
_TOKEN = re.compile(r"v1\.([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
MAX_TOKEN_LENGTH = 100  # the format above is at most 2 + 22 + 12 + 43 + 3 = 82 characters


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature(key: bytes, visitor_id: str, issued_at: int) -> str:
    message = f"{VERSION}.{visitor_id}.{issued_at}".encode("ascii")
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def issue(key: bytes, now: float | None = None) -> str:
    """A new token for a browser we have not met: a fresh random id, signed with `key`."""
    if not key:
        raise ValueError("a visitor token needs a non-empty key")
    visitor_id = _b64(secrets.token_bytes(ID_BYTES))
    issued_at = int(time.time() if now is None else now)
    return f"{VERSION}.{visitor_id}.{issued_at}.{_signature(key, visitor_id, issued_at)}"


def verify(
    token: Any,
    key: bytes,
    now: float | None = None,
    max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
) -> str | None:
    """The visitor id of `token` if we signed it with `key` and it is not too old, else None.

    `token` may be anything a client sent (wrong type, garbage, a forgery): never raises.
    """
    if not key or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    visitor_id, issued, signature = match.groups()
    issued_at = int(issued)
    # Constant time: the comparison must not tell a forger how much of the signature fits.
    if not hmac.compare_digest(signature, _signature(key, visitor_id, issued_at)):
        return None
    now = time.time() if now is None else now
    if issued_at > now + MAX_CLOCK_SKEW_SECONDS or now - issued_at > max_age_seconds:
        return None
    if not _canonical(visitor_id):
        return None
    return visitor_id


def _canonical(visitor_id: str) -> bool:
    """True when the id is the one encoding of its bytes (no second spelling of one id)."""
    try:
        raw = base64.urlsafe_b64decode(visitor_id + "==")
    except (binascii.Error, ValueError):
        return False
    return len(raw) == ID_BYTES and _b64(raw) == visitor_id


def verified_page_context(
    metadata: Mapping[str, Any] | None,
    key: bytes,
    now: float | None = None,
    max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
) -> tuple[dict[str, Any], str | None]:
    """(the page context to store, the verified visitor id or None).

    The stored context never holds the token: a verified one is replaced by its id, any
    other `visitor_id` is dropped, so nothing a client made up is kept as an identity.
    """
    context = dict(metadata or {})
    token = context.pop("visitor_id", None)
    visitor_id = verify(token, key, now, max_age_seconds)
    if visitor_id is not None:
        context["visitor_id"] = visitor_id
    return context, visitor_id


def configured_key(config: Settings | None = None) -> bytes:
    """VISITOR_SECRET, or the run's own secret in var/visitor-secret (created 0600 once)."""
    config = config or settings()
    secret = config.visitor_secret or ensure_run_secret(SECRET_FILE)
    return secret.encode("utf-8")


def max_age_seconds(config: Settings | None = None) -> float:
    """VISITOR_TOKEN_DAYS in seconds."""
    return (config or settings()).visitor_token_days * 86400
